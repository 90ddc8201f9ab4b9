"""Property values as they travel between the program, the engine and the policy pack.

The wire form is what `json_format.MessageToDict` makes of a protobuf `Struct`: plain JSON
values, with the engine's sentinels left in place (an unknown is the string `UNKNOWN_WIRE`,
a secret is an object tagged with the secret signature). The wire form is what we forward to
the policy pack, so unknowns and secrets reach it exactly as the engine sends them.

The plain form is what `RunResult` exposes: secrets unwrapped, unknowns replaced by the
`UNKNOWN` singleton, integral numbers as `int` (protobuf carries every number as a double).
"""

from __future__ import annotations

import math
from typing import Any

from google.protobuf import json_format, struct_pb2
from google.protobuf.internal.well_known_types import _SetStructValue
from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_WIRE

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


class _Unknown:
    """A value that only exists after deployment (shown as `[unknown]`)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN = _Unknown()


def struct_to_wire(struct: struct_pb2.Struct) -> dict[str, Any]:
    """`json_format.MessageToDict(struct)`, read field by field: the recorder reads every
    registration's properties, and json_format's general printer looks up each value's field
    descriptor and type on the way (three times the time). The same dict, in the same order;
    a number that is not finite gets json_format's error."""
    fields = struct.fields
    return {key: _wire_value(fields[key]) for key in fields}


def _wire_value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        number = value.number_value
        if not math.isfinite(number):
            return json_format.MessageToDict(value)  # raises json_format's ValueError
        return number
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return struct_to_wire(value.struct_value)
    if kind == "list_value":
        return [_wire_value(item) for item in value.list_value.values]
    return None  # a null, or no value


def wire_to_struct(wire: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    fill_struct(struct, wire)
    return struct


def fill_struct(struct: struct_pb2.Struct, wire: dict[str, Any]) -> None:
    """`struct.update(wire)`, with each value's kind found by its exact type: every registration's
    answer and `Analyze` request is a Struct made from a wire dict, and protobuf's `update`
    asks each value up to six `isinstance` questions in a Python function of its own. The same
    fields, set the same way (`_set_value`)."""
    fields = struct.fields
    for key, value in wire.items():
        _set_value(fields[key], value)


def _set_value(target: struct_pb2.Value, value: Any) -> None:
    """Protobuf's `_SetStructValue(target, value)` for a value of exactly a wire type: a dict or
    list value cleared first, as protobuf does, so an empty one is still set. A value of any
    other type (a subclass, a tuple) goes to protobuf's own function, which sets it or raises
    its error."""
    kind = type(value)
    if kind is str:
        target.string_value = value
    elif kind is dict:
        struct = target.struct_value
        struct.Clear()
        fill_struct(struct, value)
    elif kind is float or kind is int:
        target.number_value = value
    elif kind is bool:
        target.bool_value = value
    elif value is None:
        target.null_value = 0  # the enum's one value, as protobuf sets it
    elif kind is list:
        items = target.list_value
        items.Clear()
        values = items.values
        for item in value:
            _set_value(values.add(), item)
    else:
        _SetStructValue(target, value)


def secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def contains_unknown(value: Any) -> bool:
    if value == UNKNOWN_WIRE or value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def for_analyzer(value: Any) -> Any:
    """Downgrade resource references the way the engine does for analyzers (custom: id, else urn)."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_SIG:
            ref_id = value.get("id")
            return ref_id if ref_id is not None else value.get("urn", "")
        if value.get(SIG_KEY) == OUTPUT_SIG:
            if "value" not in value:
                return UNKNOWN_WIRE
            inner = for_analyzer(value["value"])
            return secret(inner) if value.get("secret") else inner
        return {k: for_analyzer(v) for k, v in value.items()}
    if isinstance(value, list):
        return [for_analyzer(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """The wire form as plain Python: secrets unwrapped, unknowns as `UNKNOWN`."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            return plain(value.get("value"))
        if sig == RESOURCE_SIG:
            return value.get("id") or value.get("urn")
        if sig == OUTPUT_SIG:
            return plain(value["value"]) if "value" in value else UNKNOWN
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value == UNKNOWN_WIRE:
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def display(value: Any) -> Any:
    """Plain form for reports and `--json`: secrets hidden as Pulumi shows them, unknowns named."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return "[secret]"
        return {k: display(v) for k, v in plain_shallow(value).items()}
    if isinstance(value, list):
        return [display(v) for v in value]
    if value == UNKNOWN_WIRE or value is UNKNOWN:
        return "[unknown]"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def plain_shallow(value: dict[str, Any]) -> dict[str, Any]:
    sig = value.get(SIG_KEY)
    if sig == RESOURCE_SIG:
        return {"urn": value.get("urn"), "id": value.get("id")}
    if sig == OUTPUT_SIG:
        return {"value": value.get("value", UNKNOWN_WIRE)}
    return value
