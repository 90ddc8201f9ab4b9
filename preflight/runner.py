"""Run a Pulumi Python program offline, as the Python language host would, against the recorder."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import functools
import gc
import hashlib
import heapq
import inspect
import linecache
import os
import re
import runpy
import sys
import textwrap
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union

import pulumi
import pulumi.runtime
from google.protobuf import struct_pb2
from pulumi import _types as pulumi_types
from pulumi import log as pulumi_log
from pulumi import output as pulumi_output
from pulumi._utils import ContextProperty
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc as pulumi_rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime import stack as pulumi_stack
from pulumi.runtime._callbacks import _CallbackServicer
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_in_stack

from . import invokes
from .errors import OfflineGap, ProgramError
from .project import Project, load_project
from .recorder import RecordingEngine, RecordingMonitor, Resource
from .result import RunResult
from .values import plain

if TYPE_CHECKING:
    from .analyzer import PolicyAnalyzer

REPOSITORY_POLICY_PACK = Path(__file__).resolve().parent.parent / "policies"
_PACKAGE_DIR = str(Path(__file__).resolve().parent) + os.sep


def run(
    project_dir: Union[str, Path] = ".",
    stack: str = "dev",
    *,
    preview: bool = False,
    stack_config: Optional[Mapping[str, Any]] = None,
    policy_pack: Union[str, Path, None] = REPOSITORY_POLICY_PACK,
    policy_pack_config: Union[str, Path, Mapping[str, Any], None] = None,
    analyzer: Optional[PolicyAnalyzer] = None,
) -> RunResult:
    """Preview (or simulate the `up` of) a Pulumi Python program offline and judge it by a policy pack.

    `stack_config` (full keys such as `{"fargate:services": {...}}`) replaces `Pulumi.<stack>.yaml`.
    `policy_pack=None` runs no policy. `analyzer` reuses a running `PolicyAnalyzer` (one pack
    process for many runs); `policy_pack_config` is a file path or the parsed JSON document.
    Raises `ProgramError` when the program, its config or the policy pack config is wrong.
    """
    project = load_project(project_dir, stack, stack_config)
    owned: Optional[PolicyAnalyzer] = None
    if analyzer is None and policy_pack is not None:
        from .analyzer import PolicyAnalyzer

        # Start the pack now: its process boots while the program runs.
        owned = analyzer = PolicyAnalyzer(policy_pack, project=project, stack=stack, preview=preview)
    session = analyzer.begin(project, stack, preview, policy_pack_config) if analyzer is not None else None
    try:
        result = execute(project, stack, preview, on_register=session.submit if session else None)
        if session is not None:
            session.finish(result)
        return result
    finally:
        if session is not None:
            session.cancel()
        if owned is not None:
            owned.close()


def execute(
    project: Project, stack: str, preview: bool, on_register: Optional[Callable[[Resource], None]] = None
) -> RunResult:
    """Run the program in a fresh Pulumi runtime (its own context, event loop and modules)."""
    return contextvars.Context().run(_execute, project, stack, preview, on_register)


def _execute(
    project: Project, stack: str, preview: bool, on_register: Optional[Callable[[Resource], None]]
) -> RunResult:
    monitor = RecordingMonitor(project, stack, preview, on_register)
    engine = RecordingEngine()
    loop = _InProcessLoop()
    loop.set_exception_handler(_quiet_abandoned_futures)
    asyncio.set_event_loop(loop)
    pulumi_settings.configure(
        pulumi_settings.Settings(
            project=project.name,
            stack=stack,
            monitor=monitor,
            engine=engine,
            dry_run=preview,
            organization="organization",
            root_directory=str(project.directory),
        )
    )
    pulumi.runtime.set_all_config(dict(project.config), list(project.secret_keys))
    program_dir = project.program if project.program.is_dir() else project.program.parent
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    stashed = _isolate(project, program_dir)
    saved_modules = set(sys.modules)
    os.chdir(project.directory)
    # A Pulumi program allocates a great many short-lived objects, nearly all freed by reference
    # counting; the cycle collector's passes over the large heap of imported SDK modules were
    # the single biggest cost of a run, so it rests until the program is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _engine_in_process():
            loop.run_until_complete(run_in_stack(lambda: _run_program(project.program)))
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        raise ProgramError(monitor.bugs[0] if monitor.bugs else _describe(error, project)) from None
    finally:
        if collecting:
            gc.enable()
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        _forget_program_modules(saved_modules, project)
        for name in stashed.keys() & sys.modules.keys():
            del sys.modules[name]
        sys.modules.update(stashed)
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)
    if monitor.bugs:
        raise ProgramError(monitor.bugs[0])
    if engine.errors:
        raise ProgramError(engine.errors[0].strip().splitlines()[0])
    return RunResult(
        project=project.name,
        stack=stack,
        preview=preview,
        resources=dependency_order(monitor.records),
        outputs=plain(monitor.stack_outputs_wire),
        warnings=engine.warnings,
        wire_outputs=monitor.stack_outputs_wire,
        notes=[project.secrets_note] if project.secrets_note else [],
        simulated_data_sources=invokes.names(monitor.data_sources.simulated),
    )


@contextlib.contextmanager
def _engine_in_process() -> Iterator[None]:
    """What the SDK does per registration for a remote engine that this one does not need,
    left out while the program runs (each was measured; the answers the recorder gets are the
    same):

    - the program's stack trace and source position, which the CLI shows beside a diagnostic;
      the recorder reads neither, and walking the Python stack was an eighth of a run;
    - debug-level log messages (formatted and sent for every registration, shown only by
      `pulumi -v`); the recorder keeps warnings and errors, never debug messages;
    - the property types of a resource class, which the SDK derives from its annotations
      (`typing.get_type_hints`) again at every registration, and likewise the Python names of
      its properties, read off its annotations as every registration's outputs are resolved:
      functions of the class alone, here derived once per class; likewise the unwrapping of
      each property's type (`Output[Optional[T]]` to `T`) as a value is serialized or
      resolved, a function of the type object alone, here done once per type object.

    And some of the SDK's bookkeeping is done by shorter paths to the same result, each only
    while the SDK's function it stands for is, to the character, the one it was written
    against (`_SDK_SOURCES`; under another pulumi release that function is left as it is):

    - `Output._track` / `_untrack`, which every output runs (some 27 per registration here):
      the same set of unfinished outputs, changed under the same lock, read straight from their
      context variables instead of through `SETTINGS`' descriptor (four reads per output), and
      no done-callback per output: the set drops the outputs that have their value when
      `wait_for_rpcs` reads it (`_output_tracking`, `_UnfinishedOutputs`, taken while
      `wait_for_rpcs` is also as written);
    - `rpc.contains_unknowns`, asked of every value an output settles with: for a string,
      number, boolean or None, and for an `Unknown`, the answer without the SDK's recursive
      walk (`_contains_unknowns`);
    - `rpc.transfer_properties`, which gives a resource an output per property: one future per
      output, settled by its resolver with the same `_OutputData` at the same turn of the loop,
      instead of four futures and a task gathering them (`_transfer_properties`);
    - `resource.create_urn`, called at every registration for a URN used only when there is no
      monitor: for plain strings, the same URN in an output settled at the same turn of the
      loop as the SDK's chain of four tasks and seven outputs would settle it (`_create_urn`).
    - `rpc.serialize_property`, which serializes every input value and each value inside one:
      for a string, number, boolean or None, the value itself, as the SDK's function returns
      it without awaiting anything, without its dozen type checks (`_serialize_property`);
    - `rpc.translate_output_properties`, which gives each value the engine answers with its
      Python form: for a string, number, boolean or None, the same value, enum or int without
      its walk (`_translate_output_properties`);
    - `rpc.resolve_outputs` with `rpc.resolve_properties`, which call each output's resolver
      once the engine answers: the settings read once per registration instead of once per
      property, scalars translated as above (`_resolve_outputs`);
    - `rpc.deserialize_properties`, which turns each struct the engine answers with into a
      dict: each field read once, a string, number, boolean or null turned as
      `deserialize_property` turns it, instead of copied out through `Struct.items()` and then
      passed to `deserialize_property` (`_deserialize_properties`).

    The outputs settle at the same turns, so the program's awaits resume in the same order and
    the recorder gets the same calls in the same order (a test compares them, call by call).
    Each shortcut reads its settings from the running context, as the SDK does, and takes the
    SDK's lock where the SDK does, so it holds as well when the engine calls run on threads
    (a program with transforms). Everything is put back when the program is done.
    """
    saved = (
        pulumi_resource._get_stack_trace,
        pulumi_log.debug,
        pulumi_types.resource_types,
        pulumi_types.unwrap_type,
        pulumi_types.unwrap_optional_type,
        pulumi_types.resource_pulumi_to_py_names,
    )
    shortcuts = _sdk_shortcuts()
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in shortcuts]
    pulumi_resource._get_stack_trace = source_pb2.StackTrace
    pulumi_log.debug = _no_debug
    pulumi_types.resource_types = functools.cache(saved[2])
    pulumi_types.unwrap_type = _once_per_object(saved[3])  # type: ignore[assignment]  # the same function, cached
    pulumi_types.unwrap_optional_type = _once_per_object(saved[4])  # type: ignore[assignment]  # likewise
    pulumi_types.resource_pulumi_to_py_names = functools.cache(saved[5])
    tracking = any(name == "_track" for _, name, _ in shortcuts)
    try:
        for owner, name, replacement in shortcuts:
            setattr(owner, name, replacement)
        if tracking:
            with pulumi_settings.SETTINGS.lock:
                pulumi_settings.SETTINGS.outputs = _UnfinishedOutputs(pulumi_settings.SETTINGS.outputs)
        yield
    finally:
        if tracking:
            with pulumi_settings.SETTINGS.lock:
                unfinished = pulumi_settings.SETTINGS.outputs
                len(unfinished)  # what has finished leaves, as the SDK's callbacks would have taken it
                pulumi_settings.SETTINGS.outputs = set(unfinished)
        for owner, name, original in originals:
            setattr(owner, name, original)
        (
            pulumi_resource._get_stack_trace,
            pulumi_log.debug,
            pulumi_types.resource_types,
            pulumi_types.unwrap_type,
            pulumi_types.unwrap_optional_type,
            pulumi_types.resource_pulumi_to_py_names,
        ) = saved


# The SDK functions (pulumi 3.272.0) that a shortcut stands for, by a digest of their source:
# a shortcut is taken only while its function is exactly this one.
_SDK_SOURCES = {
    "Output._track": "b6a66272f7647f09",
    "Output._untrack": "fcd0f762fcb2b11f",
    "wait_for_rpcs": "c0f9027f85ad0925",
    "ContextProperty.__get__": "d2ebe489474888f3",
    "ContextProperty.fget": "2202454404ee542a",
    "create_urn": "b4efa209c920a83a",
    "transfer_properties": "0e7c02ffa04ff20b",
    "contains_unknowns": "1f1f335b6f48b960",
    "serialize_property": "7e1361fad73506d2",
    "isLegalProtobufValue": "adad974345258995",
    "deserialize_properties": "e4b8ebdc1594cf4e",
    "deserialize_property": "662b333c8c26d270",
    "translate_output_properties": "3b2d90a79afc9f4f",
    "resolve_outputs": "18f65c1be3ad95f4",
    "resolve_properties": "1011fee4059d7f14",
    "is_rpc_secret": "4b3350eeecb6d52c",
    "unwrap_rpc_secret": "cb181fbf6ca085ba",
}


def _as_written(*functions: Any) -> bool:
    """Whether each of these SDK functions is the one `_SDK_SOURCES` names (same source)."""
    for function in functions:
        source = _source(function)
        if source is None:
            return False
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        if _SDK_SOURCES.get(getattr(function, "__qualname__", "")) != digest:
            return False
    return True


def _source(function: Any) -> Optional[str]:
    """The function's source text, as `inspect.getsource` gives it (dedented), or None when it
    has none. Its lines run from the code's first line to the last line any of its instructions
    (a nested function's included) ends on: read off the code object, where `getsource`
    tokenizes the body to find its end, which cost 4 ms a function at every start."""
    code = getattr(function, "__code__", None)
    if code is None:
        return None
    ends = [end for nested in _code_objects(code) for _, end, _, _ in nested.co_positions() if end is not None]
    lines = linecache.getlines(code.co_filename)
    if not ends or not lines:
        return None
    return textwrap.dedent("".join(lines[code.co_firstlineno - 1 : max(ends)]))


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    """`code` and the code of every function, class body or comprehension defined in it."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


@functools.cache
def _sdk_shortcuts() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for each SDK function that `_engine_in_process` replaces
    by a shorter path to the same result, for the SDK functions that are as written.
    """
    shortcuts: list[tuple[Any, str, Any]] = []
    settings = pulumi_settings.Settings.__dict__
    lock, outputs = settings.get("lock"), settings.get("outputs")
    if (
        _as_written(pulumi_output.Output._track, pulumi_output.Output._untrack, pulumi_stack.wait_for_rpcs)
        and _as_written(ContextProperty.__get__, ContextProperty.fget)
        and type(lock) is ContextProperty
        and type(outputs) is ContextProperty
    ):
        track, untrack = _output_tracking(lock, outputs)
        shortcuts += [(pulumi_output.Output, "_track", track), (pulumi_output.Output, "_untrack", untrack)]
    if _as_written(pulumi_rpc.contains_unknowns):
        shortcuts.append((pulumi_rpc, "contains_unknowns", _contains_unknowns(pulumi_rpc.contains_unknowns)))
    if _as_written(pulumi_rpc.transfer_properties):
        shortcuts.append((pulumi_rpc, "transfer_properties", _transfer_properties))
    if _as_written(pulumi_rpc.serialize_property, pulumi_rpc.isLegalProtobufValue):
        shortcuts.append((pulumi_rpc, "serialize_property", _serialize_property(pulumi_rpc.serialize_property)))
    if _as_written(pulumi_rpc.deserialize_properties, pulumi_rpc.deserialize_property):
        shortcuts.append(
            (pulumi_rpc, "deserialize_properties", _deserialize_properties(pulumi_rpc.deserialize_properties))
        )
    if _as_written(pulumi_rpc.translate_output_properties):
        shortcuts.append(
            (
                pulumi_rpc,
                "translate_output_properties",
                _translate_output_properties(pulumi_rpc.translate_output_properties),
            )
        )
    if _as_written(
        pulumi_rpc.resolve_outputs,
        pulumi_rpc.resolve_properties,
        pulumi_rpc.translate_output_properties,
        pulumi_rpc.is_rpc_secret,
        pulumi_rpc.unwrap_rpc_secret,
    ):
        shortcuts.append((pulumi_rpc, "resolve_outputs", _resolve_outputs(pulumi_rpc.resolve_outputs)))
    if _as_written(pulumi_resource.create_urn):
        shortcuts.append((pulumi_resource, "create_urn", _create_urn(pulumi_resource.create_urn)))
    return [(owner, name, replacement) for owner, name, replacement in shortcuts if name in vars(owner)]


def _output_tracking(
    lock: ContextProperty, outputs: ContextProperty
) -> tuple[Callable[..., None], Callable[..., None]]:
    """`Output._track` and `Output._untrack`, which keep the set of unfinished outputs the
    program waits for at its end (`SETTINGS.outputs`, changed under `SETTINGS.lock`): the same
    set changed under the same lock, both read straight from their context variables (as
    `ContextProperty.fget` reads them, for a value that is a set and a lock, not a dict).

    The SDK gives every output a done-callback that takes it out of the set once it has its
    value: a callback scheduled on the loop per output (27 a registration here, some 2 us
    each). While the program runs, the set is an `_UnfinishedOutputs` (see
    `_engine_in_process`), which drops the outputs that have their value when it is read, so
    `track` adds the output and nothing more; under a plain set (another caller's settings) it
    adds the SDK's callback, shared instead of a new closure per output."""
    lock_var, outputs_var = lock._data, outputs._data

    def forget(data: asyncio.Future[Any]) -> None:
        if not _has_value(data):
            return  # left in the set, to be raised at the program's end
        with lock_var.get(lock._ContextProperty__default):  # type: ignore[attr-defined]
            outputs_var.get(outputs._ContextProperty__default).discard(data)  # type: ignore[attr-defined]

    def track(self: pulumi_output.Output[Any]) -> None:
        data = self._data
        with lock_var.get(lock._ContextProperty__default):  # type: ignore[attr-defined]
            unfinished = outputs_var.get(outputs._ContextProperty__default)  # type: ignore[attr-defined]
            unfinished.add(data)
        if type(unfinished) is not _UnfinishedOutputs:
            data.add_done_callback(forget)

    def untrack(self: pulumi_output.Output[Any]) -> None:
        with lock_var.get(lock._ContextProperty__default):  # type: ignore[attr-defined]
            outputs_var.get(outputs._ContextProperty__default).discard(self._data)  # type: ignore[attr-defined]

    return track, untrack


class _UnfinishedOutputs(set[Any]):  # of the outputs' futures, as the SDK's set
    """`SETTINGS.outputs` while a program runs: the outputs it has not seen finish, for
    `wait_for_rpcs` to wait for at the program's end. The SDK's set loses each output through a
    done-callback as the output gets its value; this one loses those outputs when it is read
    (`len`, which `wait_for_rpcs` asks under the lock before it copies the set), and when it
    has doubled since it last did, so it holds no more than twice the unfinished outputs. An
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
        self.difference_update([data for data in self if _has_value(data)])


def _has_value(data: asyncio.Future[Any]) -> bool:
    """Whether an output's future is done with a value (the SDK's set keeps one that failed or
    was cancelled, for `wait_for_rpcs` to raise)."""
    return data.done() and not data.cancelled() and data.exception() is None


_SCALARS = frozenset({str, int, float, bool, type(None)})
_NONE = type(None)


def _contains_unknowns(contains_unknowns: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """`pulumi.runtime.rpc.contains_unknowns`, asked of every value an output settles with: a
    string, number, boolean or None (by exact type) holds no unknown, and an `Unknown` is one,
    answered without the SDK's walk (a closure and a set per call); anything else is walked by
    the SDK's function."""
    unknown = pulumi_output.Unknown

    def contains(val: Any) -> bool:
        kind = type(val)
        if kind in _SCALARS:
            return False
        if kind is unknown:
            return True
        return contains_unknowns(val)

    return contains


def _serialize_property(serialize_property: Callable[..., Any]) -> Callable[..., Any]:
    """`pulumi.runtime.rpc.serialize_property`, which serializes every input value, and each
    value inside one (it calls itself through the module), some 260 times a registration here,
    most of them for a string, number, boolean or None. For one of those (by exact type) the
    SDK's function unwraps the type it is given, finds the value is no sequence, unknown,
    resource, asset, archive, awaitable, output, input type, mapping or protobuf Value, that it
    is a legal protobuf value, and returns it as it is, without awaiting anything: here it
    unwraps the type likewise (the same function, so an error is the same) and returns the
    value. Anything else, or a call for a protobuf Value, goes to the SDK's function, which
    awaits what it awaits: no turn of the loop is added or taken away."""
    scalars = _SCALARS

    async def serialize(
        value: Any,
        deps: Any,
        property_key: Any,
        resource_obj: Any = None,
        input_transformer: Any = None,
        typ: Any = None,
        keep_output_values: bool = False,
        exclude_resource_refs_from_deps: bool = False,
        return_protobuf_value: bool = False,
    ) -> Any:
        if type(value) in scalars and not return_protobuf_value:
            if typ:
                pulumi_types.unwrap_type(typ)
            return value
        return await serialize_property(
            value,
            deps,
            property_key,
            resource_obj,
            input_transformer,
            typ,
            keep_output_values,
            exclude_resource_refs_from_deps,
            return_protobuf_value,
        )

    return serialize


def _deserialize_properties(deserialize_properties: Callable[..., Any]) -> Callable[..., Any]:
    """`pulumi.runtime.rpc.deserialize_properties`, which turns the properties the engine answers
    with (a protobuf `Struct`) into a dict, at every registration and for every struct inside
    one. The SDK's function first copies every field out through the `Struct`'s `items()` (a
    `WhichOneof` and a getter per field) and then passes each to `deserialize_property`, which
    returns a string, number or boolean as it is (the unknown sentinel string becomes an
    `Unknown` in a preview or when asked to keep unknowns, else None) and leaves out a None.
    Here each field is read once, in the same order, the same way: a string, number, boolean
    or null as `deserialize_property` would return it, a struct or list by
    `deserialize_property` itself. A struct with a signature (asset, archive, secret,
    resource, output value), anything not a `Struct`, or a field with no value (on which the
    SDK raises) goes to the SDK's function. Nothing here has a side effect, so a field with no
    value found after others were read gives the SDK's function the whole struct again."""
    struct_type, signature, unknown = struct_pb2.Struct, pulumi_rpc._special_sig_key, pulumi_rpc.UNKNOWN

    def deserialize(
        props_struct: Any, keep_unknowns: Optional[bool] = None, keep_internal: Optional[bool] = True
    ) -> Any:
        if type(props_struct) is not struct_type:
            return deserialize_properties(props_struct, keep_unknowns, keep_internal)
        fields = props_struct.fields
        if signature in fields:
            return deserialize_properties(props_struct, keep_unknowns, keep_internal)
        output = {}
        for k in fields:
            if keep_internal is False and k.startswith("__") and k != "__provider":
                continue
            field = fields[k]
            kind = field.WhichOneof("kind")
            if kind == "string_value":
                value = field.string_value
                if value == unknown:
                    value = pulumi_output.Unknown() if pulumi_settings.is_dry_run() or keep_unknowns else None
            elif kind == "number_value":
                value = field.number_value
            elif kind == "bool_value":
                value = field.bool_value
            elif kind == "null_value":
                continue
            elif kind == "struct_value":
                value = pulumi_rpc.deserialize_property(field.struct_value, keep_unknowns, keep_internal)
            elif kind == "list_value":
                value = pulumi_rpc.deserialize_property(field.list_value, keep_unknowns, keep_internal)
            else:
                return deserialize_properties(props_struct, keep_unknowns, keep_internal)
            if value is not None:
                output[k] = value
        return output

    return deserialize


def _translate_output_properties(translate_output_properties: Callable[..., Any]) -> Callable[..., Any]:
    """`pulumi.runtime.rpc.translate_output_properties`, which gives every output value the engine
    answers with its Python form (and each value inside one: it calls itself through the
    module), some 25 times a registration here, nearly always for a string, number, boolean or
    None. For one of those (by exact type) the SDK's function finds it is no secret, dict or
    list, unwraps the optional type it is given (`Any` counting as none), and returns the value
    as it is, or the enum of that type made from it, or an int for a float where the type is
    int: here the same (`_translate_scalar`), without the rest of its checks. Anything else goes
    to the SDK's function."""

    def translate(
        output: Any,
        output_transformer: Callable[[str], str],
        typ: Optional[type] = None,
        transform_using_type_metadata: bool = False,
        path: Any = None,
        return_none_on_dict_type_mismatch: bool = False,
    ) -> Any:
        if type(output) in _SCALARS:
            return _translate_scalar(output, typ)
        return translate_output_properties(
            output, output_transformer, typ, transform_using_type_metadata, path, return_none_on_dict_type_mismatch
        )

    return translate


def _translate_scalar(output: Any, typ: Optional[type]) -> Any:
    """What `translate_output_properties` returns for a string, number, boolean or None (by exact
    type) of type `typ`; whether a type is an enum class is asked once per type object."""
    kind = type(output)
    if typ:
        typ = pulumi_types.unwrap_optional_type(typ)  # as the SDK looks it up (cached while a program runs)
        if typ is Any:
            return output
    if typ and kind is not _NONE and _is_enum_class(typ):
        return typ(output)  # an Enum subclass, called with its value
    if kind is float and typ is int:
        return int(output)
    return output


def _resolve_outputs(resolve_outputs: Callable[..., None]) -> Callable[..., None]:
    """`pulumi.runtime.rpc.resolve_outputs` with `resolve_properties`, which give a registered
    resource's outputs their values once the engine answers: every output property is
    translated, then each output's resolver is called. The SDK's functions ask the settings
    whether this is a preview (and whether to log each property) again for every property, and
    pass every value, and a path for its error messages, through `translate_output_properties`.
    Here the settings are read once per registration (nothing between the properties changes
    them), a string, number, boolean or None is translated as that function translates it
    (`_translate_scalar`; anything else still goes through it, with its path), and the resolvers
    are called with the same values, in the same order. With the SDK's excessive debug output
    on, the SDK's function runs (it logs every property)."""
    rpc = pulumi_rpc
    settings = pulumi_settings

    def resolve(
        res: Any,
        serialized_props: Any,
        outputs: Any,
        deps: Mapping[str, set[Any]],
        resolvers: dict[str, Callable[..., None]],
        custom: bool,
        transform_using_type_metadata: bool = False,
        keep_unknowns: bool = False,
        resolve_missing_as_unknown: bool = False,
    ) -> None:
        if settings.excessive_debug_output:
            return resolve_outputs(
                res,
                serialized_props,
                outputs,
                deps,
                resolvers,
                custom,
                transform_using_type_metadata,
                keep_unknowns,
                resolve_missing_as_unknown,
            )
        all_properties = {}
        resource_cls = type(res)
        types = pulumi_types.resource_types(resource_cls)
        translate, translate_to_pass = res.translate_output_property, res.translate_output_property
        if transform_using_type_metadata:
            pulumi_to_py_names = pulumi_types.resource_pulumi_to_py_names(resource_cls)

            def translate(prop: str) -> str:
                return pulumi_to_py_names.get(prop) or prop

            def translate_to_pass(prop: str) -> str:
                return prop

        for key, value in rpc.deserialize_properties(outputs, keep_unknowns).items():
            translated_key = translate(key)
            if type(value) in _SCALARS:
                all_properties[translated_key] = _translate_scalar(value, types.get(key))
            else:
                all_properties[translated_key] = rpc.translate_output_properties(
                    value,
                    translate_to_pass,
                    types.get(key),
                    transform_using_type_metadata,
                    path=rpc._Path(translated_key, resource=f"{res._name}"),
                )
        translated_deps = {}
        for key, property_deps in deps.items():
            translated_deps[translate(key)] = property_deps
        dry_run = settings.is_dry_run()
        if not dry_run or settings.is_legacy_apply_enabled():
            for key, value in list(serialized_props.items()):
                translated_key = translate(key)
                if translated_key not in all_properties:
                    all_properties[translated_key] = rpc.translate_output_properties(
                        rpc.deserialize_property(value),
                        translate_to_pass,
                        types.get(key),
                        transform_using_type_metadata,
                        path=rpc._Path(translated_key, resource=f"{res._name}"),
                        return_none_on_dict_type_mismatch=True,
                    )
        # `resolve_properties`, with the preview asked once.
        is_rpc_secret = rpc.is_rpc_secret
        for key, value in all_properties.items():
            if key == "urn" or (key == "id" and custom):
                continue
            resolver = resolvers.get(key)
            if resolver is None:
                continue
            is_secret = is_rpc_secret(value)
            unwrapped_value = value["value"] if is_secret else value
            if not dry_run:
                resolver(unwrapped_value, True, is_secret, translated_deps.get(key), None)
            else:
                resolver(unwrapped_value, unwrapped_value is not None, is_secret, translated_deps.get(key), None)
        for key, resolver in resolvers.items():
            if key not in all_properties:
                known = not dry_run and not resolve_missing_as_unknown
                resolver(None, known, False, translated_deps.get(key), None)
        return None

    return resolve


def _transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Callable[..., None]]:
    """`pulumi.runtime.rpc.transfer_properties`, which gives a resource being registered an
    output for each of its properties, resolved by the resolver it returns once the engine
    answers. The SDK makes four futures per property (value, known, secret, dependencies) and an
    output whose task awaits them and gathers them into one `_OutputData`; here the output has
    one future, which the resolver settles with that same `_OutputData` (or exception), at the
    same turn of the loop as the SDK's task would (see `_PropertyResolver`)."""
    resolvers: dict[str, Callable[..., None]] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # handled elsewhere, as in the SDK
        data: asyncio.Future[Any] = asyncio.Future()
        resolvers[name] = _PropertyResolver(res, data)
        res.__dict__[name] = pulumi_output.Output._from_data(data)
    return resolvers


class _PropertyResolver:
    """The resolver `_transfer_properties` returns for one property (the SDK's `do_resolve`).

    The SDK's resolver sets its four futures; the first wakes the output's task, which runs at
    the loop's next turn, gathers them into an `_OutputData` (or raises the exception) and so
    settles the output. Here the resolver schedules that settling itself, with one callback at
    the same place in the loop's queue, so every await of the output resumes at the same turn
    and in the same order as with the SDK's task, and the program's registrations reach the
    recorder in the same order. A second resolution, or one after the output was cancelled,
    raises the SDK's `InvalidStateError` (its first future is already done), and a
    `StopIteration` the SDK's `TypeError` (a future takes no StopIteration) and never settles."""

    __slots__ = ("_resource", "_data", "_resolved")

    def __init__(self, resource: Any, data: asyncio.Future[Any]) -> None:
        self._resource, self._data, self._resolved = resource, data, False

    def __call__(
        self,
        value: Any,
        is_known: bool,
        is_secret: bool,
        deps: Optional[set[Any]],
        failed: Optional[Exception],
    ) -> None:
        deps_union = set(deps) if deps else set()
        deps_union.add(self._resource)
        if self._resolved or self._data.cancelled():
            raise asyncio.InvalidStateError("invalid state")
        self._resolved = True
        if isinstance(failed, StopIteration):
            raise TypeError("StopIteration interacts badly with generators and cannot be raised into a Future")
        settling = (self._data, deps_union, value, is_known, is_secret, failed)
        loop = self._data.get_loop()
        if isinstance(loop, _InProcessLoop):
            loop.settle_soon(settling)
        else:
            loop.call_soon(_settle_property, *settling)


def _settle_property(
    data: asyncio.Future[Any],
    resources: set[Any],
    value: Any,
    is_known: bool,
    is_secret: bool,
    failed: Optional[Exception],
) -> None:
    if data.cancelled():
        return  # as the SDK's task, cancelled before it ran
    if failed is not None:
        data.set_exception(failed)
    else:
        data.set_result(
            pulumi_output._OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret)
        )


def _create_urn(create_urn: Callable[..., Any]) -> Callable[..., Any]:
    """`pulumi.runtime.resource.create_urn`, which every registration calls (for a URN it uses
    only without a monitor) with a name, a type and a parent URN that are all plain strings.
    For those the SDK's chain of outputs (the parent's prefix by an apply, `Output.all` of three,
    an apply joining them: four tasks, seven outputs, some twenty callbacks) ends in a known,
    non-secret output of the URN, with no resources, settled at the loop's fourth turn after
    the call (the apply's task, woken by the `all`'s task, woken by the gather of its three
    inputs, each done at the first turn). Here the URN is made at once by the same string
    operations and its output settled by a callback that passes itself on through the same
    four turns: whoever awaits it resumes at the same turn, in the same place in the queue.
    Inputs that are not all strings (aliases) go to the SDK's function."""

    def create(
        name: Any, type_: Any, parent: Any = None, project: Optional[str] = None, stack: Optional[str] = None
    ) -> Any:
        if (
            type(name) is not str
            or type(type_) is not str
            or not (parent is None or type(parent) is str)
            or not (project is None or type(project) is str)
            or not (stack is None or type(stack) is str)
        ):
            return create_urn(name, type_, parent, project, stack)
        if parent is not None:
            prefix = parent[0 : parent.rfind("::")] + "$"
        else:
            if stack is None:
                stack = pulumi_settings.get_stack()
            if project is None:
                project = pulumi_settings.get_project()
            prefix = "urn:pulumi:" + stack + "::" + project + "::"
        data: asyncio.Future[Any] = asyncio.Future()
        data.get_loop().call_soon(_settle_later, 3, data, prefix + type_ + "::" + name)
        return pulumi_output.Output._from_data(data)

    return create


def _settle_later(turns: int, data: asyncio.Future[Any], urn: str) -> None:
    """Settle `data` with the known URN `urn` after `turns` more turns of the loop."""
    if turns:
        data.get_loop().call_soon(_settle_later, turns - 1, data, urn)
    elif not data.cancelled():
        data.set_result(pulumi_output._OutputData(resources=set(), value=urn, is_known=True, is_secret=False))


_In = TypeVar("_In")
_Out = TypeVar("_Out")


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


# Whether a type is an enum class, for `_translate_scalar`.
_is_enum_class = _once_per_object(lambda typ: inspect.isclass(typ) and issubclass(typ, enum.Enum))


def _no_debug(msg: str, resource: Any = None, stream_id: Any = None, ephemeral: Any = None) -> None:
    """`pulumi.log.debug`, for an engine that shows no debug messages."""


def _settle_properties(loop: asyncio.AbstractEventLoop, settlings: list[tuple[Any, ...]]) -> None:
    """`_settle_property` for each, in order, each failure reported as the loop reports a
    callback's (see `_InProcessLoop.settle_soon`)."""
    for settling in settlings:
        try:
            _settle_property(*settling)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as error:
            loop.call_exception_handler(
                {"message": "Exception in callback _settle_property", "exception": error, "settling": settling}
            )


class _InProcessLoop(asyncio.SelectorEventLoop):
    """The language host's event loop, with the engine in this process.

    The SDK hands every call to the engine (RegisterResource, Invoke, ...) to the loop's default
    thread pool, because against the real engine it is a blocking gRPC call. Here the engine is
    the recorder, which answers from memory and, unless the program serves callbacks, never
    waits for the loop, so the call runs at once on the loop's own thread: no thread hop, no
    wake-up through the loop's self-pipe, and no waiting on the GIL behind a program that is
    busy building the next resource (which, with the interpreter's 5 ms switch interval, was
    most of a registration's cost). The SDK awaits the same future either way; calls with an
    executor of their own, and every call once the program serves callbacks, go to threads.

    It also settles the outputs of a registration's properties with one callback for all of
    them (`settle_soon`)."""

    _settling: Optional[tuple[asyncio.Handle, list[tuple[Any, ...]]]] = None

    def settle_soon(self, settling: tuple[Any, ...]) -> None:
        """`call_soon(_settle_property, *settling)`, in one callback with the settlings scheduled
        just before it: the SDK resolves a registration's properties one after the other, each
        one's settling a callback of its own (some 14 a registration), with nothing scheduled
        between them. While the last callback in the loop's queue is this one's, the next
        settling joins it: it runs at the same turn, right after the one before, as its own
        callback would have."""
        pending = self._settling
        if pending is not None and self._ready and self._ready[-1] is pending[0]:  # type: ignore[attr-defined]  # the queue of BaseEventLoop
            pending[1].append(settling)
            return
        settlings = [settling]
        self._settling = (self.call_soon(_settle_properties, self, settlings), settlings)

    def run_in_executor(self, executor: Any, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:  # type: ignore[override]  # typeshed spells it with TypeVarTuple
        # Once the program serves callbacks (transforms), the recorder calls back into it, and
        # the callback needs this loop: then every call goes to a thread, as the SDK sends it.
        if executor is not None or any(server._loop is self for server in _CallbackServicer._servicers):
            return super().run_in_executor(executor, func, *args)
        future: asyncio.Future[Any] = self.create_future()
        try:
            future.set_result(func(*args))
        except BaseException as error:
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            future.set_exception(error)
        return future


def dependency_order(resources: list[Resource]) -> list[Resource]:
    """The resources in a stable order that reads like the program: a parent before its
    children, children together, and among siblings what is used before what uses it
    (a component counts as using what its descendants use), ties broken by URN.

    The SDK registers resources from a thread pool as their inputs resolve, so the order
    of registration changes from run to run; reports, diagrams and JSON must not."""
    by_urn = {r.urn: r for r in resources}
    children: dict[Optional[str], list[str]] = {}
    for resource in resources:
        parent = resource.parent if resource.parent in by_urn else None
        children.setdefault(parent, []).append(resource.urn)

    chains: dict[str, tuple[str, ...]] = {}

    def chain(urn: str) -> tuple[str, ...]:
        """The URNs from the root down to `urn`."""
        if urn not in chains:
            parent = by_urn[urn].parent
            chains[urn] = (chain(parent) if parent in by_urn else ()) + (urn,)
        return chains[urn]

    # A dependency between two resources orders the siblings under their common ancestor.
    before: dict[str, set[str]] = {urn: set() for urn in by_urn}
    for resource in resources:
        used = set(resource.dependencies) | ({resource.provider} if resource.provider else set())
        for dependency in used & by_urn.keys():
            user_chain, used_chain = chain(resource.urn), chain(dependency)
            depth = 0
            while depth < min(len(user_chain), len(used_chain)) and user_chain[depth] == used_chain[depth]:
                depth += 1
            if depth < len(user_chain) and depth < len(used_chain):
                before[user_chain[depth]].add(used_chain[depth])

    ordered: list[Resource] = []

    def place(siblings: list[str]) -> None:
        members = set(siblings)
        waiting = {urn: len(before[urn] & members) for urn in siblings}
        users: dict[str, list[str]] = {urn: [] for urn in siblings}
        for urn in siblings:
            for used in before[urn] & members:
                users[used].append(urn)
        ready = [(_natural(urn), urn) for urn, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        placed: list[str] = []
        while ready:
            _, urn = heapq.heappop(ready)
            placed.append(urn)
            for user in users[urn]:
                waiting[user] -= 1
                if waiting[user] == 0:
                    heapq.heappush(ready, (_natural(user), user))
        # A cycle among siblings (possible between components): the rest by URN.
        placed += sorted(set(siblings) - set(placed), key=_natural)
        for urn in placed:
            ordered.append(by_urn[urn])
            place(children.get(urn, []))

    place(children.get(None, []))
    return ordered


def _natural(text: str) -> tuple:
    """Sort key that puts `web-2` before `web-10` and port `80` before `443`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _quiet_abandoned_futures(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A failed program leaves the outputs of its unfinished resources failed and unawaited;
    the failure itself is already reported, so asyncio's complaint about each one is noise."""
    if str(context.get("message", "")).endswith("exception was never retrieved"):
        return
    loop.default_exception_handler(context)


def _isolate(project: Project, program_dir: Path) -> dict[str, Any]:
    """Make the import path the language host's: the program's directory first, then the project's,
    then the interpreter's own, without the caller's directory or this repository (unless that is
    the project). Modules already imported from those directories are set aside (and returned, to
    be put back), so a program's `components` package is its own, not this repository's."""
    project_root = os.path.realpath(project.directory)
    foreign = {
        os.path.realpath(path)
        for path in (
            os.getcwd(),
            str(REPOSITORY_POLICY_PACK.parent),
            os.path.dirname(os.path.abspath(sys.argv[0] or ".")),
        )
    }
    foreign.discard(project_root)

    def outside(path: str) -> bool:
        return os.path.realpath(path or ".") not in foreign

    sys.path[:] = [str(program_dir), str(project.directory)] + [p for p in sys.path if outside(p)]
    installed = (
        os.path.realpath(sys.prefix) + os.sep,
        os.path.realpath(sys.base_prefix) + os.sep,
        os.path.realpath(_PACKAGE_DIR),
    )
    roots = tuple(path + os.sep for path in foreign)
    stashed: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if name in ("__main__", "__mp_main__"):  # the caller's script itself, which runpy needs
            continue
        origin = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", None) or []), "")
        if not origin or "site-packages" in origin:
            continue
        real = os.path.realpath(origin)
        if real.startswith(roots) and not real.startswith(installed) and not real.startswith(project_root + os.sep):
            stashed[name] = sys.modules.pop(name)
    return stashed


def _forget_program_modules(before: set[str], project: Project) -> None:
    """Drop the program's own modules, so the next run (maybe another project) imports its own."""
    root = str(project.directory) + os.sep
    installed = (sys.prefix + os.sep, _PACKAGE_DIR)
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules.get(name), "__file__", None) or ""
        if (
            module_file.startswith(root)
            and not module_file.startswith(installed)
            and "site-packages" not in module_file
        ):
            del sys.modules[name]


def _root_cause(error: BaseException) -> BaseException:
    seen = set()
    current: Optional[BaseException] = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ProgramError, OfflineGap, pulumi.RunError)):
            return current
        current = current.__cause__ or current.__context__
    return error


def _describe(error: BaseException, project: Project) -> str:
    cause = _root_cause(error)
    if isinstance(cause, (ProgramError, OfflineGap, pulumi.RunError)):
        return str(cause).strip() or type(cause).__name__
    if isinstance(cause, SystemExit):
        return f"the program exited with status {cause.code}"
    frames = traceback.extract_tb(cause.__traceback__)
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    if frames and frames[-1].filename.startswith(_PACKAGE_DIR):
        frame = frames[-1]
        return (
            f"preflight failed on this program (a bug in preflight, please report it): "
            f"{type(cause).__name__}: {message} at {os.path.basename(frame.filename)}:{frame.lineno}"
        )
    where = ""
    root = str(project.directory)
    for frame in reversed(frames):
        if (
            frame.filename.startswith(root)
            and not frame.filename.startswith(_PACKAGE_DIR)
            and "site-packages" not in frame.filename
        ):
            where = f" (at {os.path.relpath(frame.filename, root)}:{frame.lineno})"
            break
    return f"the program raised {type(cause).__name__}: {message}{where}".rstrip(": ")


def _run_program(program: Path) -> None:
    """The program's `__main__.py`, run as Pulumi runs it (its globals are not the stack's outputs)."""
    runpy.run_path(str(program), run_name="__main__")
