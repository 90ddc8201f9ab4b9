"""The base of every config model: camelCase keys, no unknown keys, frozen.

Keys are the camelCase names users write in ``Pulumi.<stack>.yaml``; unknown
keys are refused (with the closest known key suggested, see ``errors``);
models are frozen once parsed.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..aws_limits import LOG_RETENTION_DAYS, REGIONAL_ARN
from .errors import MISSING, NAMESPACE, describe_error, errors_at, format_errors, key_path

__all__ = [
    "usable",
    "ConfigModel",
    "NAMESPACE",
    "MISSING",
    "describe_error",
    "errors_at",
    "format_errors",
    "key_path",
    "LOG_RETENTION_DAYS",
    "REGIONAL_ARN",
]


class ConfigModel(BaseModel):
    """Base of every config model: camelCase keys, no unknown keys, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem_at_once(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        """Field problems and the cross-field rules that still apply, reported together.

        pydantic runs a model's cross-field rules (its "after" validators) only once
        every field is valid, so a user would fix the field errors only to meet a new
        batch. Instead, when fields fail, the model is validated again without them
        (their defaults stand in), and its rules run on that, each skipping what reads
        a failed field (``usable``); their problems join the field problems.
        """
        try:
            return handler(data)
        except ValidationError as field_errors:
            first = field_errors.errors(include_url=False)
            failed = {str(e["loc"][0]) for e in first if e["loc"]}
            if not isinstance(data, Mapping) or not failed:
                raise
            names = {field.alias or name: name for name, field in cls.model_fields.items()}
            try:
                partial = handler(_without(cls, data, first))
            except ValidationError:  # a required key failed: nothing to judge the rules on
                raise field_errors from None
            # An unknown key is most likely a known one misspelt: that one counts as failed too.
            failed |= {
                close
                for e in first
                if e["type"] == "extra_forbidden" and len(e["loc"]) == 1
                for close in difflib.get_close_matches(str(e["loc"][0]), list(names), n=1, cutoff=0.5)
            }
            token = _FAILED.set(frozenset(names.get(key, key) for key in failed))
            try:
                later = _rule_problems(cls, partial)
            finally:
                _FAILED.reset(token)
            if not later:
                raise
            raise ValidationError.from_exception_data(
                cls.__name__, [*map(_detail, first), *map(_detail, later)]
            ) from None


# The fields of the model being judged whose values failed (see _every_problem_at_once).
_FAILED: ContextVar[frozenset[str]] = ContextVar("failed_fields", default=frozenset())


def usable(*fields: str) -> bool:
    """Whether a cross-field rule reading ``fields`` may judge them: none of them failed."""
    return not _FAILED.get() & set(fields)


def _without(model: type[BaseModel], data: Mapping[str, Any], errors: list[Any]) -> dict[str, Any]:
    """``data`` without the keys that failed; of a mapping of entries (``services``), only
    the entries that failed, so the rules over the others still run."""
    bad_entries: dict[str, set[Any]] = {}
    for error in errors:
        if error["loc"]:
            bad_entries.setdefault(str(error["loc"][0]), set()).add(error["loc"][1] if len(error["loc"]) > 1 else None)
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if key not in bad_entries:
            kept[key] = value
            continue
        field = next((f for n, f in model.model_fields.items() if key in (n, f.alias)), None)
        if (
            None in bad_entries[key]
            or field is None
            or typing.get_origin(field.annotation) is not dict
            or not isinstance(value, Mapping)
        ):
            continue
        rest = {name: entry for name, entry in value.items() if name not in bad_entries[key]}
        if rest:
            kept[key] = rest
    return kept


def _rule_problems(model: type[BaseModel], instance: BaseModel) -> list[dict[str, Any]]:
    """The problems the model's after validators find in ``instance``."""
    problems: list[dict[str, Any]] = []
    for decorator in model.__pydantic_decorators__.model_validators.values():
        if decorator.info.mode != "after":
            continue
        try:
            decorator.func(instance)
        except ValidationError as found:
            problems += [dict(error) for error in found.errors(include_url=False)]
        except (ValueError, AssertionError) as found:
            problems.append({"type": "value_error", "loc": (), "msg": str(found), "input": instance})
    return problems


def _detail(error: Mapping[str, Any]) -> InitErrorDetails:
    """An error as reported, made again (its message kept, its kind still telling)."""
    context = {key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, (int, float, str))}
    return InitErrorDetails(
        type=PydanticCustomError(error["type"], "{rule}", {**context, "rule": error["msg"]}),
        loc=tuple(error["loc"]),
        input=error.get("input"),
    )
