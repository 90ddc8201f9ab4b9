"""Config problems as users see them: one line each, naming the key path, the value and the rule.

``format_errors`` turns a pydantic ``ValidationError`` into the single message
users see, where each problem names its full key path, the value and what is
allowed::

    fargate:services.web.cpu: 300 is not allowed; one of 256, 512, 1024, ...

``errors_at`` is how cross-field rules report a problem at the key it is about.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, Iterable, Mapping, Optional, Type

import pydantic
from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

NAMESPACE = "fargate"

MISSING = None


def errors_at(title: str, problems: Iterable[tuple[tuple, Any, Optional[str]]]) -> None:
    """Raise one ValidationError with a problem at each ``(loc, value, rule)``.

    Cross-field validators use this so each problem names the key it is about
    (``services.web.memory``), not the model that noticed it. A rule of
    ``MISSING`` reports a key that is required in this combination.
    """
    details = [
        InitErrorDetails(type="missing", loc=loc, input=value) if rule is MISSING else
        InitErrorDetails(type=PydanticCustomError("value_error", "{rule}", {"rule": rule}),
                         loc=loc, input=value)
        for loc, value, rule in problems
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


def key_path(loc: Iterable[Any], namespace: str = NAMESPACE) -> str:
    """``("services", "web", "cpu")`` -> ``fargate:services.web.cpu``."""
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return f"{namespace}:{''.join(parts)}"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return repr(value)


def _model_at(root: Type[BaseModel], loc: tuple) -> Optional[Type[BaseModel]]:
    """The model class that owns the last element of ``loc`` (for suggestions)."""
    current: Any = root
    for item in loc[:-1]:
        current = _strip_optional(current)
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is dict and len(args) == 2:
            current = args[1]
        elif origin in (list, tuple) and args:
            current = args[0]
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = _field_by_key(current, item)
            if field is None:
                return None
            current = field.annotation
        else:
            return None
    return _unwrap_model(_strip_optional(current))


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _unwrap_model(annotation: Any) -> Optional[Type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _field_by_key(model: Type[BaseModel], key: Any):
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _known_keys(model: Type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def describe_error(root: Type[BaseModel], error: Mapping, namespace: str = NAMESPACE) -> str:
    """One line for one pydantic error, naming the key path, value and rule."""
    loc = tuple(error.get("loc", ()))
    # Drop pydantic's internal loc entries for unions/validators ("function-after[...]").
    loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p and p.endswith("]")))
    path = key_path(loc, namespace)
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        owner = _model_at(root, loc)
        hint = ""
        if owner is not None:
            known = _known_keys(owner)
            close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
        return f"{path}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required key is missing"
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    if "input" in error and kind not in ("model_type", "dict_type"):
        return f"{path}: {_shown(error['input'])} is not allowed; {message}"
    return f"{path}: {message}"


def format_errors(root: Type[BaseModel], exc: pydantic.ValidationError, namespace: str = NAMESPACE) -> str:
    """All of a ValidationError's problems, one per line, in one message."""
    lines = [describe_error(root, e, namespace) for e in exc.errors(include_url=False)]
    if len(lines) == 1:
        return f"invalid stack config: {lines[0]}"
    return "invalid stack config:\n  " + "\n  ".join(lines)

