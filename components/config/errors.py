"""Config problems as users see them: one line each, naming the key path, the value and the rule.

``format_errors`` turns a pydantic ``ValidationError`` into the single message
users see, where each problem names its full key path, the value and what is
allowed::

    fargate:services.web.cpu: 300 is not allowed; one of 256, 512, 1024, ...

``errors_at`` is how cross-field rules report a problem at the key it is about.
"""

from __future__ import annotations

import difflib
import re
import shlex
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, Optional

import pydantic
import yaml
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
        InitErrorDetails(type="missing", loc=loc, input=value)
        if rule is MISSING
        else InitErrorDetails(type=PydanticCustomError("value_error", "{rule}", {"rule": rule}), loc=loc, input=value)
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


def yaml_value(value: Any, limit: int = 80) -> str:
    """``value`` as a YAML author would write it: ``true``, ``null``, ``[a, b]``, ``{context: app}``.

    Strings are quoted (``'private'``) so they stand out from the message around them.
    """
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    text = _flow(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return repr(value)
    return (
        yaml.safe_dump(_plain(value), default_flow_style=True, width=10**6, sort_keys=False)
        .removesuffix("\n")
        .removesuffix("\n...")
    )


def _plain(value: Any) -> Any:
    """Python values as the YAML types they came from: tuples as lists, models as mappings."""
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(by_alias=True, exclude_defaults=True))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _model_at(root: type[BaseModel], loc: tuple) -> Optional[type[BaseModel]]:
    """The model class that owns the last element of ``loc`` (for suggestions)."""
    return _unwrap_model(_annotation_at(root, loc[:-1]))


def _strip_optional(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _unwrap_model(annotation: Any) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _unwrap_model(arg)
        if found is not None:
            return found
    return None


def _field_by_key(model: type[BaseModel], key: Any):
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _known_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _annotation_at(root: type[BaseModel], loc: tuple) -> Any:
    """The type annotation of the key at ``loc`` (None when the path leaves the models)."""
    current: Any = root
    for item in loc:
        current = _strip_annotated(_strip_optional(current))
        origin, args = typing.get_origin(current), typing.get_args(current)
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
    return _strip_annotated(_strip_optional(current))


def _strip_annotated(annotation: Any) -> Any:
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is typing.Annotated else annotation


def yaml_type(annotation: Any, plural: bool = False) -> str:
    """What a key of type ``annotation`` takes, in YAML words: "a list of strings", "an integer"."""
    annotation = _strip_annotated(_strip_optional(annotation))
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of " + ", ".join(yaml_value(a) for a in args)
    if origin in (list, tuple) and args:
        return ("lists" if plural else "a list") + f" of {yaml_type(args[0], plural=True)}"
    if origin is dict and len(args) == 2:
        return ("mappings" if plural else "a mapping") + f" of names to {yaml_type(args[1], plural=True)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mappings" if plural else "a mapping"
    words = {
        str: ("a string", "strings"),
        bool: ("true or false", "true or false values"),
        int: ("an integer", "integers"),
        float: ("a number", "numbers"),
    }
    return words.get(annotation, ("a value", "values"))[plural]


# pydantic's type errors: the words are taken from the key's own type instead.
_TYPE_ERRORS = {
    "int_type",
    "int_parsing",
    "int_from_float",
    "float_type",
    "float_parsing",
    "bool_type",
    "bool_parsing",
    "string_type",
    "list_type",
    "tuple_type",
    "set_type",
    "dict_type",
    "model_type",
    "model_attributes_type",
    "literal_error",
    "enum",
    "none_required",
}


def _rule(error: Mapping, annotation: Any) -> str:
    """What is allowed, for pydantic's own error kinds; our validators' messages as they are."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _TYPE_ERRORS and annotation is not None:
        return yaml_type(annotation)
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "greater_than": ("above", "gt"),
        "less_than_equal": ("at most", "le"),
        "less_than": ("below", "lt"),
        "multiple_of": ("a multiple of", "multiple_of"),
    }
    if kind in bounds and bounds[kind][1] in ctx:
        words, key = bounds[kind]
        bound = ctx[key]
        bound = f"{bound:g}" if isinstance(bound, float) else bound
        return f"{yaml_type(annotation) if annotation is not None else 'a number'} {words} {bound}"
    if kind in ("string_too_short", "string_too_long") and {"min_length", "max_length"} & ctx.keys():
        if kind == "string_too_short":
            return "a non-empty string" if ctx.get("min_length") == 1 else f"at least {ctx['min_length']} characters"
        return f"at most {ctx['max_length']} characters"
    if kind in ("too_short", "too_long"):
        if kind == "too_short":
            return f"at least {ctx.get('min_length')} entries"
        return f"at most {ctx.get('max_length')} entries"
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message


# pydantic's own loc entries for unions and validators: "function-after[_check(), ...]".
_INTERNAL_LOC = re.compile(
    r"(?:function-(?:after|before|wrap|plain)|union|tagged-union|nullable|chain|"
    r"lax-or-strict|json-or-python|model|default)\[.*\]",
    re.DOTALL,
)


def _quoted(word: str) -> str:
    """``word`` in single quotes for a POSIX shell."""
    return "'" + word.replace("'", "'\"'\"'") + "'"


def describe_error(root: type[BaseModel], error: Mapping, namespace: str = NAMESPACE) -> str:
    """One line for one pydantic error: the key path, the value as YAML, what is allowed."""
    loc = tuple(error.get("loc", ()))
    # Drop pydantic's internal loc entries for unions/validators ("function-after[...]").
    loc = tuple(p for p in loc if not (isinstance(p, str) and _INTERNAL_LOC.fullmatch(p)))
    path = key_path(loc, namespace)
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        owner = _model_at(root, loc)
        known = _known_keys(owner) if owner is not None else []
        key = str(loc[-1]) if loc else ""
        if len(loc) == 1 and re.split(r"[.\[]", key, maxsplit=1)[0] in known and key not in known:
            # `pulumi config set fargate:services.web.cpu 512` without --path stores one
            # flat key whose name holds the dots.
            value = error.get("input")
            shown = value if isinstance(value, str) else _flow(value)
            return (
                f"{path}: {yaml_value(value)} is not allowed; a key of its own named '{key}', not a path: "
                f"set it with `pulumi config rm {_quoted(f'{namespace}:{key}')} && pulumi config set --path "
                f"{_quoted(f'{namespace}:{key}')} {shlex.quote(shown)}`"
            )
        hint = ""
        if owner is not None:
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(known)}"
        return f"{path}: unknown key{hint}"
    if kind in ("missing", "missing_in_combination"):
        return f"{path}: required key is missing"
    annotation = _annotation_at(root, loc)
    return (
        f"{path}: {yaml_value(error['input']) if 'input' in error else 'the value'} is not allowed; "
        f"{_rule(error, annotation)}"
    )


def format_errors(root: type[BaseModel], exc: pydantic.ValidationError, namespace: str = NAMESPACE) -> str:
    """All of a ValidationError's problems, one per line, in one message."""
    lines = [describe_error(root, e, namespace) for e in exc.errors(include_url=False)]
    if len(lines) == 1:
        return f"invalid stack config: {lines[0]}"
    return "invalid stack config:\n  " + "\n  ".join(lines)
