"""Fast paths over the Pulumi SDK for the program the preflight runs in its own process.

The SDK does some work per registration for a remote engine and the CLI that the offline
preflight does not need (the program's stack trace), derives the same type tables again at
every registration, walks every value generically where most are a string, number, boolean or
None, and keeps four futures, a task and a done-callback per output where one future does. Each
piece below shortens one such path to the same result; the engine gets the same calls (in the
order the loop happens to run them, which no caller may rely on: the SDK's own order varies
with the Python release). They are
put in place only while a program runs (`in_place`), only when the switch is on and the installed
pulumi is a release they were tested against (`preflight.fastpath.tested`), and put back after.
`tests/preflight/test_fastpath_sdk.py` (marker `sdk_internals`) holds each to the SDK's answer.

Upstream, each is a small change to `pulumi/runtime/rpc.py`, `pulumi/output.py` or
`pulumi/_types.py`: caching the class-derived type tables, a scalar fast path in the output
walk, one future per property output, and no done-callback per tracked output.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Optional, TypeVar

from pulumi import _types as pulumi_types
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


def _no_stack_trace() -> list[Swap]:
    """The program's stack trace and source position, which the SDK walks the Python stack for
    at every registration so that the CLI can show them beside a diagnostic: the recorder reads
    neither."""
    return [(pulumi_resource, "_get_stack_trace", source_pb2.StackTrace)]


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


def _resolve_once() -> list[Swap]:
    """`rpc.resolve_outputs` (with `resolve_properties`), which give a registered resource's
    outputs their values once the engine answers: the SDK asks the run's settings whether this
    is a preview (and whether to log) again for every property, and passes every value, with a
    path for its error messages, through `translate_output_properties`. Here the settings are
    read once per registration (nothing between the properties changes them), a string, number,
    boolean or None is translated as that function translates it (`translate_scalar`), anything
    else still goes through it with its path, and the resolvers are called with the same values
    in the same order. With the SDK's excessive debug output on, the SDK's function runs."""
    rpc, settings, resolve_outputs = pulumi_rpc, pulumi_settings, pulumi_rpc.resolve_outputs

    def resolve(
        res: Any,
        serialized_props: Any,
        outputs: Any,
        deps: Any,
        resolvers: dict[str, Callable[..., None]],
        custom: bool,
        transform_using_type_metadata: bool = False,
        keep_unknowns: bool = False,
        resolve_missing_as_unknown: bool = False,
    ) -> None:
        arguments = (res, serialized_props, outputs, deps, resolvers, custom, transform_using_type_metadata)
        if settings.excessive_debug_output:
            return resolve_outputs(*arguments, keep_unknowns, resolve_missing_as_unknown)
        translate, translate_to_pass = _translators(res, transform_using_type_metadata)
        types = pulumi_types.resource_types(type(res))
        everything: dict[str, Any] = {}
        for key, value in rpc.deserialize_properties(outputs, keep_unknowns).items():
            name = translate(key)
            if type(value) in _SCALARS:
                everything[name] = translate_scalar(value, types.get(key))
            else:
                path = rpc._Path(name, resource=f"{res._name}")
                everything[name] = rpc.translate_output_properties(
                    value, translate_to_pass, types.get(key), transform_using_type_metadata, path=path
                )
        property_deps = {translate(key): resources for key, resources in deps.items()}
        dry_run = settings.is_dry_run()
        if not dry_run or settings.is_legacy_apply_enabled():
            for key, value in list(serialized_props.items()):
                name = translate(key)
                if name not in everything:
                    everything[name] = rpc.translate_output_properties(
                        rpc.deserialize_property(value),
                        translate_to_pass,
                        types.get(key),
                        transform_using_type_metadata,
                        path=rpc._Path(name, resource=f"{res._name}"),
                        return_none_on_dict_type_mismatch=True,
                    )
        _resolve_each(everything, property_deps, resolvers, custom, dry_run, resolve_missing_as_unknown)
        return None

    return [(pulumi_rpc, "resolve_outputs", resolve)]


def _translators(res: Any, by_type_metadata: bool) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """The SDK's two key translations for a resource's outputs: the key's own, and the one
    passed down into its values."""
    if not by_type_metadata:
        return res.translate_output_property, res.translate_output_property
    pulumi_to_py_names = pulumi_types.resource_pulumi_to_py_names(type(res))
    return (lambda prop: pulumi_to_py_names.get(prop) or prop), (lambda prop: prop)


def _resolve_each(
    everything: dict[str, Any],
    property_deps: dict[str, Any],
    resolvers: dict[str, Callable[..., None]],
    custom: bool,
    dry_run: bool,
    resolve_missing_as_unknown: bool,
) -> None:
    """`rpc.resolve_properties`, with the preview asked once."""
    for key, value in everything.items():
        resolver = resolvers.get(key)
        if resolver is None or key == "urn" or (key == "id" and custom):
            continue
        is_secret = pulumi_rpc.is_rpc_secret(value)
        unwrapped = value["value"] if is_secret else value
        resolver(unwrapped, True if not dry_run else unwrapped is not None, is_secret, property_deps.get(key), None)
    for key, resolver in resolvers.items():
        if key not in everything:
            known = not dry_run and not resolve_missing_as_unknown
            resolver(None, known, False, property_deps.get(key), None)


def _one_future_per_property() -> list[Swap]:
    """`rpc.transfer_properties`, which gives a resource being registered an output per property,
    resolved by the resolver it returns once the engine answers: the SDK makes four futures per
    property (value, known, secret, dependencies) and a task that gathers them into the output's
    data. Here the output has one future, which the resolver settles with that same data (or
    exception) at once, without the task."""

    def transfer(res: Any, props: Any, custom: bool) -> dict[str, Callable[..., None]]:
        resolvers: dict[str, Callable[..., None]] = {}
        for name in props:
            if name == "urn" or (name == "id" and custom):
                continue  # handled elsewhere, as in the SDK
            data: asyncio.Future[Any] = asyncio.Future()
            resolvers[name] = functools.partial(_resolve_property, res, data)
            res.__dict__[name] = pulumi_output.Output._from_data(data)
        return resolvers

    return [(pulumi_rpc, "transfer_properties", transfer)]


def _resolve_property(
    res: Any,
    data: asyncio.Future[Any],
    value: Any,
    is_known: bool,
    is_secret: bool,
    deps: Optional[set[Any]],
    failed: Optional[Exception],
) -> None:
    """The SDK's resolver for one property (`do_resolve`), settling the output's one future."""
    resources = set(deps) if deps else set()
    resources.add(res)
    if failed is not None:
        data.set_exception(failed)
    else:
        data.set_result(
            pulumi_output._OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret)
        )


class _UnfinishedOutputs(set[Any]):  # of the outputs' futures, as the SDK's set
    """`SETTINGS.outputs` while a program runs: the outputs `wait_for_rpcs` waits for at the
    program's end. The SDK's set loses each output through a done-callback per output as it gets
    its value; this one loses those outputs when it is read (`len`, which `wait_for_rpcs` asks
    under the lock before it copies the set) and when it has doubled since it last did. An
    output that failed or was cancelled stays, as in the SDK's, for `wait_for_rpcs` to raise."""

    __slots__ = ("_kept",)

    def __init__(self, outputs: Iterable[Any] = ()) -> None:
        super().__init__(outputs)
        self._kept = 1024

    def add(self, data: Any) -> None:
        super().add(data)
        if set.__len__(self) >= 2 * self._kept:
            self._forget_finished()
            self._kept = max(1024, set.__len__(self))

    def __len__(self) -> int:
        self._forget_finished()
        return set.__len__(self)

    def _forget_finished(self) -> None:
        self.difference_update(
            [data for data in self if data.done() and not data.cancelled() and data.exception() is None]
        )


def _track_without_callbacks() -> list[Swap]:
    """`Output._track`, which every output runs: it adds the output to `SETTINGS.outputs` under
    `SETTINGS.lock` and gives it a done-callback that takes it out again (a callback on the loop
    per output, some 34 a registration). Here it only adds it, to an `_UnfinishedOutputs` (put in
    place by `in_place` first), which drops the outputs that have their value when read. The lock
    and the set are the run's, read once: the SDK sets `SETTINGS.outputs` only when the run's
    settings are made, and every task and thread of the run shares that one set."""
    settings = pulumi_settings.SETTINGS
    lock, unfinished = settings.lock, settings.outputs

    def track(self: Any) -> None:
        with lock:
            unfinished.add(self._data)

    return [(pulumi_output.Output, "_track", track)]


# Each piece by name, as `PREFLIGHT_FAST_PATHS` announcements and tests name it.
PIECES: dict[str, Callable[[], list[Swap]]] = {
    "sdk.no_stack_trace": _no_stack_trace,
    "sdk.type_tables_once": _type_tables_once,
    "sdk.scalar_translate": _scalar_translate,
    "sdk.resolve_once": _resolve_once,
    "sdk.one_future_per_property": _one_future_per_property,
    "sdk.track_without_callbacks": _track_without_callbacks,
}


def _taken() -> list[str]:
    """The pieces that may be taken (switch on, pulumi a tested release)."""
    return [piece for piece in PIECES if tested(piece, "pulumi", PULUMI_RELEASES)]


def swaps(pieces: Optional[list[str]] = None) -> list[Swap]:
    """The swaps of `pieces` (by default every piece that may be taken)."""
    return [swap for piece in (_taken() if pieces is None else pieces) for swap in PIECES[piece]()]


@contextlib.contextmanager
def in_place() -> Iterator[None]:
    """Every piece that may be taken, in place while the block runs; the SDK as it was after."""
    pieces = _taken()
    settings = pulumi_settings.SETTINGS
    tracking = "sdk.track_without_callbacks" in pieces
    if tracking:
        with settings.lock:
            settings.outputs = _UnfinishedOutputs(settings.outputs)
    taken = swaps(pieces)
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in taken]
    try:
        for owner, name, replacement in taken:
            setattr(owner, name, replacement)
        yield
    finally:
        if tracking:
            with settings.lock:
                unfinished = settings.outputs
                len(unfinished)  # what has finished leaves, as the SDK's callbacks would have taken it
                settings.outputs = set(unfinished)
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)
