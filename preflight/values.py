"""Property values as they travel between the program, the engine and the policy pack.

The wire form is what `json_format.MessageToDict` makes of a protobuf `Struct`: plain JSON
values, with the engine's sentinels left in place (an unknown is the string `UNKNOWN_WIRE`,
a secret is an object tagged with the secret signature). The wire form is what we forward to
the policy pack, so unknowns and secrets reach it exactly as the engine sends them.

The plain form is what `RunResult` exposes: secrets unwrapped, unknowns replaced by the
`UNKNOWN` singleton, integral numbers as `int` (protobuf carries every number as a double).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
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
    """The wire form of a Struct: `json_format.MessageToDict` (a number that is not finite fails)."""
    return json_format.MessageToDict(struct)


def wire_to_struct(wire: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(wire)
    return struct


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
