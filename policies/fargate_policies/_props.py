"""Reading resource properties, some of which a preview cannot know yet.

The SDK hands rules read-only proxies over the engine's property values; reading a
value that is unknown during a preview (an id, an ARN, a JSON document built from
outputs) raises `UnknownValueError`, and the SDK then skips the whole rule with an
advisory note. Two ways to read, chosen per call site:

- `get` lets that happen. Resource rules use it: when the value they judge is
  unknown there is nothing better to say than the SDK's note.
- `peek` returns `UNKNOWN` instead. Stack rules use it where they have another way
  to the answer (the resource an input came from, see `_stack.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """A value the engine will only know once the resource exists."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Any = _Unknown()


def _step(value: Any, key: Any) -> Any:
    if isinstance(value, (str, bytes)) or not isinstance(value, (Mapping, Sequence)):
        raise KeyError(key)
    return value[key]


def get(value: Any, *path: Any, default: Any = None) -> Any:
    """`value[p0][p1]...`, `default` where a key or index is missing or null.

    Raises `UnknownValueError` where a value on the path is unknown."""
    for key in path:
        try:
            value = _step(value, key)
        except (KeyError, IndexError, TypeError):
            return default
        if value is None:
            return default
    return value


def peek(value: Any, *path: Any, default: Any = None) -> Any:
    """Like `get`, but returns `UNKNOWN` where a value on the path is unknown."""
    try:
        return get(value, *path, default=default)
    except UnknownValueError:
        return UNKNOWN


def elements(value: Any) -> Any:
    """The elements of a list property as a plain list, each unknown one as `UNKNOWN`.

    `UNKNOWN` for an unknown list, `[]` for a missing one, `[value]` for a scalar."""
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return []
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        return [value]
    return [peek(value, index) for index in range(len(value))]


def as_number(value: Any) -> Any:
    """A number from an int, a float (the engine sends every number as a float) or a
    numeric string; `UNKNOWN` stays unknown; anything else is `None`."""
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() else value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", value):
        return as_number(float(value))
    return None


def as_bool(value: Any) -> Any:
    """`True`/`False` from a bool or its string form; `UNKNOWN` stays unknown."""
    if value is UNKNOWN or value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_json(value: Any) -> Any:
    """A JSON document given as a string (as pulumi-aws takes `containerDefinitions`
    and IAM policies) or already as an object; `None` if it does not parse."""
    if value is UNKNOWN or value is None:
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def as_list(value: Any) -> list:
    """A JSON value that may be one item or a list of them (IAM `Action`, `Statement`)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def get_list(value: Any, *path: Any) -> list:
    """The list at `path` (`[]` if missing); raises `UnknownValueError` if it or an
    element is unknown, like `get`."""
    found = get(value, *path, default=[])
    if isinstance(found, (str, bytes, Mapping)) or not isinstance(found, Sequence):
        return [found]
    return list(found)
