"""Fast paths over the Pulumi SDK for the program the preflight runs in its own process.

The SDK does some work per registration for a remote engine and the CLI that the offline
preflight does not need, and walks every value generically where most values are a string,
number, boolean or None. Each piece below shortens one such path to the same result. They are
put in place only while a program runs (`in_place`), only when the switch is on and the installed
pulumi is a release they were tested against (`preflight.fastpath.tested`), and put back after.
`tests/preflight/test_fastpath_sdk.py` (marker `sdk_internals`) holds each to the SDK's answer.

Upstream, each is a small change to `pulumi/runtime/rpc.py` or `pulumi/_types.py`: caching the
class-derived type tables, and scalar fast paths in the value walks.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, Optional, TypeVar

from google.protobuf import struct_pb2
from pulumi import _types as pulumi_types
from pulumi import log as pulumi_log
from pulumi import output as pulumi_output
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc as pulumi_rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import source_pb2

from . import tested

# The pulumi releases every piece was written and tested against (requirements.lock).
PULUMI_RELEASES = ("3.272.0",)

_SCALARS = frozenset({str, int, float, bool, type(None)})

_In = TypeVar("_In")
_Out = TypeVar("_Out")

Swap = tuple[Any, str, Any]  # (owner, attribute, replacement)


def _once_per_object(function: Callable[[_In], _Out]) -> Callable[[_In], _Out]:
    """`function`, a function of its argument's identity alone, computed once per object (kept
    alive beside its result, so that its id is not reused while the cache lives)."""
    cache: dict[int, tuple[_In, _Out]] = {}

    def once(value: _In) -> _Out:
        entry = cache.get(id(value))
        if entry is None:
            entry = cache[id(value)] = (value, function(value))
        return entry[1]

    return once


def _no_debug(msg: str, resource: Any = None, stream_id: Any = None, ephemeral: Any = None) -> None:
    """`pulumi.log.debug`, for an engine that shows no debug messages."""


def _no_stack_trace() -> list[Swap]:
    """The program's stack trace and source position, which the SDK walks the Python stack for
    at every registration so that the CLI can show them beside a diagnostic: the recorder reads
    neither."""
    return [(pulumi_resource, "_get_stack_trace", source_pb2.StackTrace)]


def _no_debug_log() -> list[Swap]:
    """Debug-level log messages, formatted and sent for every registration and shown only by
    `pulumi -v`: the recorder keeps warnings and errors, never debug messages."""
    return [(pulumi_log, "debug", _no_debug)]


def _type_tables_once() -> list[Swap]:
    """The property types and Python names of a resource class, which the SDK derives from its
    annotations (`typing.get_type_hints`) at every registration, and the unwrapping of a
    property's type (`Output[Optional[T]]` to `T`): functions of the class or type object
    alone, here derived once per class or type object while the program runs."""
    return [
        (pulumi_types, "resource_types", functools.cache(pulumi_types.resource_types)),
        (pulumi_types, "resource_pulumi_to_py_names", functools.cache(pulumi_types.resource_pulumi_to_py_names)),
        (pulumi_types, "unwrap_type", _once_per_object(pulumi_types.unwrap_type)),
        (pulumi_types, "unwrap_optional_type", _once_per_object(pulumi_types.unwrap_optional_type)),
    ]


_is_enum_class = _once_per_object(lambda typ: inspect.isclass(typ) and issubclass(typ, enum.Enum))


def translate_scalar(output: Any, typ: Optional[type]) -> Any:
    """What `rpc.translate_output_properties` returns for a string, number, boolean or None (by
    exact type) of type `typ`: the value, the enum of that type made from it, or an int for a
    float where the type is int."""
    kind = type(output)
    if typ:
        typ = pulumi_types.unwrap_optional_type(typ)
        if typ is Any:
            return output
    if typ and kind is not type(None) and _is_enum_class(typ):
        return typ(output)  # an Enum subclass, called with its value
    if kind is float and typ is int:
        return int(output)
    return output


def _scalar_translate() -> list[Swap]:
    """`rpc.translate_output_properties`, which gives every value the engine answers with its
    Python form (and each value inside one), and `rpc.contains_unknowns`, asked of every value
    an output settles with: for a string, number, boolean or None (by exact type) the answer
    without the SDK's walk (`translate_scalar`; such a value holds no unknown, an `Unknown` is
    one). Anything else goes to the SDK's functions."""
    translate_output_properties, contains_unknowns = (
        pulumi_rpc.translate_output_properties,
        pulumi_rpc.contains_unknowns,
    )
    unknown = pulumi_output.Unknown

    def translate(
        output: Any,
        output_transformer: Callable[[str], str],
        typ: Optional[type] = None,
        transform_using_type_metadata: bool = False,
        path: Any = None,
        return_none_on_dict_type_mismatch: bool = False,
    ) -> Any:
        if type(output) in _SCALARS:
            return translate_scalar(output, typ)
        return translate_output_properties(
            output, output_transformer, typ, transform_using_type_metadata, path, return_none_on_dict_type_mismatch
        )

    def contains(val: Any) -> bool:
        kind = type(val)
        if kind in _SCALARS:
            return False
        return kind is unknown or contains_unknowns(val)

    return [(pulumi_rpc, "translate_output_properties", translate), (pulumi_rpc, "contains_unknowns", contains)]


def _struct_fields() -> list[Swap]:
    """`rpc.deserialize_properties`, which turns each Struct the engine answers with into a dict,
    first copying every field out through `Struct.items()` and then passing each to
    `deserialize_property`. Here each field is read once, in the same order: a string, number,
    boolean or null as `deserialize_property` turns it (`_scalar_field`), a struct or list by
    `deserialize_property` itself. A struct with a signature (asset, archive, secret, resource,
    output value), anything not a Struct, or a field with no value goes to the SDK's function."""
    deserialize_properties, signature = pulumi_rpc.deserialize_properties, pulumi_rpc._special_sig_key

    def deserialize(
        props_struct: Any, keep_unknowns: Optional[bool] = None, keep_internal: Optional[bool] = True
    ) -> Any:
        if type(props_struct) is not struct_pb2.Struct or signature in props_struct.fields:
            return deserialize_properties(props_struct, keep_unknowns, keep_internal)
        fields = props_struct.fields
        output = {}
        for key in fields:
            if keep_internal is False and key.startswith("__") and key != "__provider":
                continue
            field = fields[key]
            kind = field.WhichOneof("kind")
            if kind in ("struct_value", "list_value"):
                value = pulumi_rpc.deserialize_property(getattr(field, kind), keep_unknowns, keep_internal)
            elif kind is None:
                return deserialize_properties(props_struct, keep_unknowns, keep_internal)
            else:
                value = _scalar_field(field, kind, keep_unknowns)
            if value is not None:
                output[key] = value
        return output

    return [(pulumi_rpc, "deserialize_properties", deserialize)]


def _scalar_field(field: Any, kind: str, keep_unknowns: Optional[bool]) -> Any:
    """A string, number, boolean or null field as `deserialize_property` returns it: the engine's
    unknown sentinel an `Unknown` in a preview or when unknowns are kept, else None."""
    if kind == "null_value":
        return None
    value = getattr(field, kind)
    if kind == "string_value" and value == pulumi_rpc.UNKNOWN:
        return pulumi_output.Unknown() if pulumi_settings.is_dry_run() or keep_unknowns else None
    return value


# Each piece by name, as `PREFLIGHT_FAST_PATHS` announcements and tests name it.
PIECES: dict[str, Callable[[], list[Swap]]] = {
    "sdk.no_stack_trace": _no_stack_trace,
    "sdk.no_debug_log": _no_debug_log,
    "sdk.type_tables_once": _type_tables_once,
    "sdk.scalar_translate": _scalar_translate,
    "sdk.struct_fields": _struct_fields,
}


def swaps() -> list[Swap]:
    """The swaps of every piece that may be taken (switch on, pulumi a tested release)."""
    return [swap for piece, make in PIECES.items() if tested(piece, "pulumi", PULUMI_RELEASES) for swap in make()]


@contextlib.contextmanager
def in_place() -> Iterator[None]:
    """Every piece that may be taken, in place while the block runs; the SDK as it was after."""
    taken = swaps()
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in taken]
    try:
        for owner, name, replacement in taken:
            setattr(owner, name, replacement)
        yield
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)
