"""preflight/runner.py: running a program as the language host would: one-line failures, runs that do
not leak into each other, the program's own modules, a stable resource order."""

import asyncio
import contextlib
import enum
import re
import sys
import typing
from typing import Any

import pulumi
import pytest

import components
from preflight import ProgramError, run, runner

from .conftest import BROKEN, FARGATE, FIXTURES, IMAGE_BUILD, NESTED, TASK_SECRETS


@pytest.mark.parametrize(
    "stack, message",
    [
        ("raise", r"the program raised KeyError: 'missing' \(at __main__\.py:12\)"),
        ("runerror", r"broken:failure: 'runerror' is not allowed"),
        ("invoke", r"the data source acme:index/getThing:getThing has no offline answer"),
        ("nameclash", r"Duplicate resource URN 'urn:pulumi:nameclash::broken::aws:sns/topic:Topic::logs'"),
        ("missing", r"no stack file for stack 'missing'"),
    ],
)
def test_failures_become_one_line_program_errors(stack, message):
    with pytest.raises(ProgramError) as caught:
        run(BROKEN, stack, policy_pack=None)
    assert re.search(message, str(caught.value))
    assert "\n" not in str(caught.value)


def test_runs_in_one_process_do_not_leak_into_each_other():
    first = run(BROKEN, "none", policy_pack=None)
    second = run(NESTED, "dev", policy_pack=None)
    third = run(BROKEN, "none", policy_pack=None)
    assert [r.name for r in first.resources] == [r.name for r in third.resources]
    assert not second.of_type("aws:sns/topic:Topic")


def test_a_failure_inside_preflight_is_named_a_preflight_bug_not_the_programs(monkeypatch):
    from preflight import ProgramError, providers

    def broken(*args, **kwargs):
        raise TypeError("'<' not supported between instances of '_Unknown' and 'str'")

    monkeypatch.setattr(providers, "create", broken)
    with pytest.raises(ProgramError) as caught:
        run(
            TASK_SECRETS,
            "dev",
            policy_pack=None,
            stack_config={"placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}},
        )
    assert str(caught.value).startswith(
        "preflight failed on this program (a bug in preflight, please report it): TypeError: '<' not supported"
    )
    assert "answering random:index/randomPassword:RandomPassword" in str(caught.value)


@pytest.mark.parametrize("preview", [False, True])
def test_a_programs_own_components_package_wins_over_this_repositorys(preview):
    ours = sys.modules["components"]
    result = run(FIXTURES / "own_components", "dev", preview=preview, policy_pack=None)
    assert result.outputs == {"builtBy": "own-components"}
    assert result.one("aws:ec2/securityGroup:SecurityGroup").inputs["tags"] == {"BuiltBy": "own-components"}
    # The caller's modules are back as they were.
    assert sys.modules["components"] is ours is components


def test_after_a_program_with_its_own_components_this_repositorys_program_gets_ours():
    # A fresh run on purpose (not the suite's shared one): it must come after the other program's.
    # Which components package a program imports does not depend on the mode, so one mode.
    run(FIXTURES / "own_components", "dev", policy_pack=None)
    assert run(".", "dev", policy_pack=None).of_type("fargate:ecs:FargateService")


def test_resources_come_parents_first_then_what_is_used_before_its_users(committed_stack):
    result = committed_stack("prod", preview=False)
    position = {r.urn: index for index, r in enumerate(result.resources)}
    for resource in result.resources:
        if resource.parent:
            assert position[resource.parent] < position[resource.urn]
        for dependency in resource.dependencies:
            # Among siblings, the one used comes first (components count as using what their children use).
            if result.by_urn(dependency).parent == resource.parent:
                assert position[dependency] < position[resource.urn], (dependency, resource.urn)
    top_level = [
        r.name
        for r in result.resources
        if r.parent and r.parent.endswith("::fargate-prod") and r.type.startswith("fargate:")
    ]
    assert top_level.index("network") < top_level.index("alb") < top_level.index("web")


# --- The SDK internals `_engine_in_process` swaps while a program runs ------------------------

SHORTCUTS = {
    "_track",
    "_untrack",
    "contains_unknowns",
    "transfer_properties",
    "create_urn",
    "serialize_property",
    "deserialize_properties",
    "translate_output_properties",
    "resolve_outputs",
}


def _sdk_attributes():
    """Every SDK attribute `_engine_in_process` may replace, as it is now."""
    from pulumi import _types, log, output
    from pulumi.runtime import resource, rpc

    return {
        "_get_stack_trace": resource._get_stack_trace,
        "debug": log.debug,
        "resource_types": _types.resource_types,
        "unwrap_type": _types.unwrap_type,
        "unwrap_optional_type": _types.unwrap_optional_type,
        "resource_pulumi_to_py_names": _types.resource_pulumi_to_py_names,
        "_track": output.Output.__dict__["_track"],
        "_untrack": output.Output.__dict__["_untrack"],
        "contains_unknowns": rpc.contains_unknowns,
        "transfer_properties": rpc.transfer_properties,
        "create_urn": resource.create_urn,
        "serialize_property": rpc.serialize_property,
        "deserialize_properties": rpc.deserialize_properties,
        "translate_output_properties": rpc.translate_output_properties,
        "resolve_outputs": rpc.resolve_outputs,
    }


def test_every_shortcut_is_taken_for_the_locked_pulumi_release():
    # A pulumi upgrade that changes one of these functions turns its shortcut off (see the
    # next tests): then this fails, to have the shortcut looked at again, not to block the upgrade.
    assert {name for _, name, _ in runner._sdk_shortcuts()} == SHORTCUTS


@pytest.mark.parametrize("stack", ["none", "raise"])
def test_every_swap_is_in_place_while_the_program_runs_and_put_back_after(stack):
    before = _sdk_attributes()
    with runner._engine_in_process():
        during = _sdk_attributes()
    assert {name for name in before if during[name] is before[name]} == set()
    assert _sdk_attributes() == before
    # And after a whole run, one that fails included.
    try:
        run(BROKEN, stack, policy_pack=None)
    except ProgramError:
        pass
    assert _sdk_attributes() == before


def test_while_a_program_runs_outputs_are_tracked_without_a_callback_each_and_the_set_is_put_back():
    from pulumi import Output
    from pulumi.runtime.settings import SETTINGS

    with runner._engine_in_process():
        unfinished = SETTINGS.outputs
        assert type(unfinished) is runner._UnfinishedOutputs
        loop = asyncio.new_event_loop()
        try:
            data = loop.create_future()
            tracked = Output._from_data(data)
            assert tracked._data in unfinished
            assert tracked._data._callbacks in (None, [])  # the SDK's would hold its cleanup
            data.set_result(None)
        finally:
            loop.close()
    # Put back as a plain set, without what finished meanwhile.
    assert type(SETTINGS.outputs) is set and tracked._data not in SETTINGS.outputs


def test_unfinished_outputs_drop_what_has_its_value_when_read_and_keep_failures():
    loop = asyncio.new_event_loop()
    try:
        pending, finished, failed, cancelled = (loop.create_future() for _ in range(4))
        finished.set_result(1)
        failed.set_exception(ValueError("no"))
        cancelled.cancel()
        unfinished = runner._UnfinishedOutputs([pending, finished, failed, cancelled])
        # As the SDK's set reads once each finished output's done-callback has run.
        assert len(unfinished) == 3 and set(unfinished) == {pending, failed, cancelled}
        pending.set_result(2)
        assert len(unfinished) == 2 and pending not in unfinished
    finally:
        loop.close()


def test_unfinished_outputs_stay_within_twice_what_is_unfinished():
    loop = asyncio.new_event_loop()
    try:
        unfinished = runner._UnfinishedOutputs()
        waiting = [loop.create_future() for _ in range(3000)]
        for future in waiting:
            unfinished.add(future)
        for _ in range(20000):
            done = loop.create_future()
            done.set_result(None)
            unfinished.add(done)
            assert set.__len__(unfinished) <= 2 * 3000 + 1
        assert len(unfinished) == 3000
    finally:
        loop.close()


def test_an_sdk_function_not_as_written_is_left_as_it_is(monkeypatch):
    from pulumi._utils import ContextProperty
    from pulumi.runtime import rpc

    original_get = ContextProperty.__get__

    def their_get(self, obj, owner):
        return original_get(self, obj, owner)

    calls = []

    def their_transfer(res, props, custom):
        calls.append(res)
        return original_transfer(res, props, custom)

    original_transfer = rpc.transfer_properties
    monkeypatch.setattr(ContextProperty, "__get__", their_get)
    monkeypatch.setattr(rpc, "transfer_properties", their_transfer)
    runner._sdk_shortcuts.cache_clear()
    try:
        # Another release's ContextProperty: what reads settings as it does (the output
        # tracking) is not replaced, nor is the other release's transfer_properties; the rest are.
        assert {name for _, name, _ in runner._sdk_shortcuts()} == SHORTCUTS - {
            "_track",
            "_untrack",
            "transfer_properties",
        }
        with runner._engine_in_process():
            assert vars(ContextProperty)["__get__"] is their_get
            assert rpc.transfer_properties is their_transfer
        result = run(NESTED, "dev", policy_pack=None)
        assert len(calls) == len(result.resources) - 1  # all but the stack, which has no properties
    finally:
        monkeypatch.undo()
        runner._sdk_shortcuts.cache_clear()
    assert {name for _, name, _ in runner._sdk_shortcuts()} == SHORTCUTS


def _engine_calls(monkeypatch, project, stack, preview):
    """Every call the program makes to the engine, in order (without the stack traces the swaps
    leave out, the transforms' callback addresses, or debug messages), and the run's result."""
    from google.protobuf import json_format

    from preflight.recorder import RecordingEngine, RecordingMonitor

    calls = []

    def recorded(cls, method):
        original = getattr(cls, method)

        def record(self, request):
            message = json_format.MessageToDict(request)
            for field in ("stackTrace", "sourcePosition", "target", "token"):
                message.pop(field, None)
            for callback in message.get("transforms", []):
                callback.pop("target"), callback.pop("token")
            message["dependencies"] = sorted(message.get("dependencies", []))  # the SDK's set order
            for dependencies in message.get("propertyDependencies", {}).values():
                dependencies["urns"] = sorted(dependencies.get("urns", []))
            if method != "Log" or message.get("severity", "DEBUG") != "DEBUG":
                calls.append((method, message))
            return original(self, request)

        monkeypatch.setattr(cls, method, record)

    for method in ("RegisterResource", "RegisterResourceOutputs", "ReadResource", "Invoke", "Call"):
        recorded(RecordingMonitor, method)
    recorded(RecordingEngine, "Log")
    outcome: object
    try:
        result = run(project, stack, preview=preview, policy_pack=None)
        for resource in result.resources:
            resource.dependencies.sort()
            resource.property_dependencies = {k: sorted(v) for k, v in resource.property_dependencies.items()}
        outcome = (
            [(r, r.wire_inputs, r.wire_outputs, r.options) for r in result.resources],
            result.outputs,
            result.warnings,
        )
    except ProgramError as error:
        outcome = str(error)
    monkeypatch.undo()
    return calls, outcome


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize(
    "project, stack",
    [
        (".", "prod"),
        (".", "endpoints"),
        (NESTED, "dev"),
        (FIXTURES / "lookups", "dev"),
        (BROKEN, "invoke"),
        (FARGATE, "secure"),
        (IMAGE_BUILD, "dev"),
    ],
)
def test_the_engine_gets_the_same_calls_in_the_same_order_with_and_without_the_swaps(
    monkeypatch, project, stack, preview
):
    swapped = _engine_calls(monkeypatch, project, stack, preview)
    monkeypatch.setattr(runner, "_engine_in_process", contextlib.nullcontext)
    as_the_sdk_runs = _engine_calls(monkeypatch, project, stack, preview)
    assert swapped[0] == as_the_sdk_runs[0]
    assert swapped[1] == as_the_sdk_runs[1]


@pytest.mark.parametrize("preview", [False, True])
def test_a_program_with_transforms_records_the_same_with_and_without_the_swaps(monkeypatch, preview):
    # Its engine calls run on threads (the recorder calls back into the program), so their
    # order is the threads'; what each call carries, and the result, are the same.
    swapped = _engine_calls(monkeypatch, FIXTURES / "transforms", "dev", preview)
    monkeypatch.setattr(runner, "_engine_in_process", contextlib.nullcontext)
    as_the_sdk_runs = _engine_calls(monkeypatch, FIXTURES / "transforms", "dev", preview)
    key = repr
    assert sorted(swapped[0], key=key) == sorted(as_the_sdk_runs[0], key=key)
    assert swapped[1] == as_the_sdk_runs[1]
    assert swapped[1][1] == {"delay": 30}


def _turns(loop, *futures):
    """The turn of the loop at which each future is first seen done, by a callback that runs
    once a turn (run until all are)."""
    done_at: dict[int, int] = {}
    turn = 0

    def tick():
        nonlocal turn
        turn += 1
        for index, future in enumerate(futures):
            if future.done():
                done_at.setdefault(index, turn)
        if len(done_at) < len(futures):
            loop.call_soon(tick)
        else:
            loop.stop()

    loop.call_soon(tick)
    loop.run_forever()
    return [done_at[index] for index in range(len(futures))]


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


@pytest.mark.parametrize(
    "parent, project, stack",
    [("urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", None, None), (None, "proj", "dev"), ("", None, None)],
)
def test_the_urn_shortcut_gives_the_sdks_urn_at_the_sdks_turn(loop, parent, project, stack):
    from pulumi.runtime import resource

    ours = runner._create_urn(resource.create_urn)("web", "aws:ec2/vpc:Vpc", parent, project, stack)
    sdks = resource.create_urn("web", "aws:ec2/vpc:Vpc", parent, project, stack)
    turns = _turns(loop, ours._data, sdks._data)
    assert turns[0] == turns[1]
    assert ours._data.result() == sdks._data.result()


def test_the_urn_shortcut_leaves_outputs_to_the_sdk(loop):
    from pulumi import Output
    from pulumi.runtime import resource

    calls = []

    def sdk(*args):
        calls.append(args)
        return resource.create_urn(*args)

    name = Output.from_input("web")
    runner._create_urn(sdk)(name, "aws:ec2/vpc:Vpc", "urn:pulumi:dev::proj::a::b")
    assert calls == [(name, "aws:ec2/vpc:Vpc", "urn:pulumi:dev::proj::a::b", None, None)]


class _Res:
    """Stands for a resource: the properties go on its __dict__."""


def _settled_in(loop: asyncio.AbstractEventLoop) -> tuple[list[str], list[int], list[Any], int]:
    """Resolve two registrations' properties on `loop`, with a callback scheduled between two
    of them: what ran in which order, the turn each output settled at, what it settled with,
    and how many callbacks the settlings took."""
    woken: list[str] = []
    first, second = _Res(), _Res()
    resolvers = {
        "first": runner._transfer_properties(first, {"x": None, "y": None, "z": None}, True),
        "second": runner._transfer_properties(second, {"x": None, "y": None}, True),
    }
    outputs = {
        f"{tag}.{name}": res.__dict__[name]._data
        for tag, res in (("first", first), ("second", second))
        for name in res.__dict__
    }
    for tag, future in outputs.items():
        future.add_done_callback(lambda _, tag=tag: woken.append(tag))

    def between() -> None:
        woken.append(f"between: y done {outputs['first.y'].done()}, z {outputs['first.z'].done()}")

    queued = len(loop._ready)  # type: ignore[attr-defined]  # the loop's queue, to count callbacks
    resolvers["first"]["x"](1, True, False, None, None)
    resolvers["first"]["y"](2, True, False, None, ValueError("no"))
    loop.call_soon(between)
    resolvers["first"]["z"](3, False, True, None, None)
    resolvers["second"]["x"](4, True, False, None, None)
    resolvers["second"]["y"](5, True, False, None, None)
    callbacks = len(loop._ready) - queued  # type: ignore[attr-defined]
    turns = _turns(loop, *outputs.values())
    loop.run_until_complete(asyncio.sleep(0))  # the outputs' own callbacks
    settled = [repr(f.exception()) if f.exception() else f.result().value for f in outputs.values()]
    return woken, turns, settled, callbacks


def test_the_in_process_loop_settles_a_registrations_properties_in_one_callback_at_the_same_turns():
    """Settlings scheduled one after the other share a callback; one scheduled after something
    else starts another. Every output settles at the turn and in the order it did with a
    callback each (the plain loop's path)."""
    seen = []
    for loop_class in (asyncio.SelectorEventLoop, runner._InProcessLoop):
        loop = loop_class()
        asyncio.set_event_loop(loop)
        try:
            seen.append(_settled_in(loop))
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    (plain, in_process) = seen
    assert plain[:3] == in_process[:3]
    # Every settling ran at the first turn, "between" in its place; the outputs' own callbacks next.
    assert plain[0] == ["between: y done True, z False", "first.x", "first.y", "first.z", "second.x", "second.y"]
    assert (plain[3], in_process[3]) == (6, 3)  # a callback each; two batches and the one between


@pytest.mark.parametrize("failed", [None, ValueError("no")])
@pytest.mark.parametrize("custom", [False, True])
def test_the_property_shortcut_settles_each_output_as_the_sdk_does(loop, failed, custom):
    from pulumi.runtime import rpc

    ours, sdks = _Res(), _Res()
    props = {"urn": None, "id": None, "arn": None, "tags": None}
    resolvers = (runner._transfer_properties(ours, props, custom), rpc.transfer_properties(sdks, props, custom))  # type: ignore[arg-type]  # a stand-in resource
    assert list(resolvers[0]) == list(resolvers[1]) == (["arn", "tags"] if custom else ["id", "arn", "tags"])
    loop.run_until_complete(asyncio.sleep(0))  # the SDK's tasks start
    other = _Res()
    for resolver in resolvers:
        resolver["arn"]("arn:1", True, False, {other}, failed)  # type: ignore[arg-type]  # a stand-in resource
        resolver["tags"]({"a": "b"}, False, True, None, failed)
        with pytest.raises(asyncio.InvalidStateError):
            resolver["arn"]("arn:2", True, False, None, None)
    futures = [res.__dict__[name]._data for name in ("arn", "tags") for res in (ours, sdks)]
    # Not settled at once: at the next turn, with the SDK's task.
    assert [future.done() for future in futures] == [False] * 4
    turns = _turns(loop, *futures)
    assert turns[0] == turns[1] and turns[2] == turns[3]
    if failed:
        assert [future.exception() for future in futures] == [failed] * 4
    if not failed:
        arn = [res.__dict__["arn"]._data.result() for res in (ours, sdks)]
        assert [(d.value, d.is_known, d.is_secret, d.resources) for d in arn] == [
            ("arn:1", True, False, {other, res}) for res in (ours, sdks)
        ]
        tags = [res.__dict__["tags"]._data.result() for res in (ours, sdks)]
        assert [(d.value, d.is_known, d.is_secret, d.resources) for d in tags] == [
            ({"a": "b"}, False, True, {res}) for res in (ours, sdks)
        ]


@pytest.mark.parametrize("value", ["s", 1, 1.5, True, None, {"a": ["b"]}, [1, {"x": None}], ("t",)])
def test_the_unknowns_shortcut_answers_as_the_sdk(value):
    from pulumi.output import UNKNOWN
    from pulumi.runtime import rpc

    ours = runner._contains_unknowns(rpc.contains_unknowns)
    assert ours(value) is rpc.contains_unknowns(value) is False
    for holding in (UNKNOWN, {"a": [UNKNOWN]}, [value, UNKNOWN]):
        assert ours(holding) is rpc.contains_unknowns(holding) is True


class _Color(enum.StrEnum):
    RED = "red"


class _Size(enum.IntEnum):
    ONE = 1


@pytest.mark.parametrize(
    "typ",
    [
        None,
        str,
        int,
        float,
        bool,
        typing.Any,
        typing.Optional[int],
        typing.Optional[_Color],
        _Color,
        _Size,
        dict,
        list[str],
    ],
)
@pytest.mark.parametrize("value", ["red", "s", 1, 1.0, 1.5, True, None, {"a": 1.0}, [1.0, "red"]])
def test_the_translate_shortcut_gives_what_the_sdk_gives(value, typ):
    from pulumi.runtime import rpc

    def translated(translate):
        sdk, rpc.translate_output_properties = rpc.translate_output_properties, translate
        try:
            result = translate(value, lambda key: key, typ, True)
        except Exception as error:  # the same error
            result = (type(error), str(error))
        finally:
            rpc.translate_output_properties = sdk
        return result

    sdks = translated(rpc.translate_output_properties)
    ours = translated(runner._translate_output_properties(rpc.translate_output_properties))
    assert ours == sdks
    assert type(ours) is type(sdks)  # an int stays an int, an enum an enum


def _resolutions(resolve, res, outputs, inputs, deps, names, custom, typed, missing_unknown):
    """The calls `resolve` (the SDK's `resolve_outputs` or the shortcut) makes to each resolver,
    in order, with what it passed (an Unknown named, so that calls compare)."""
    calls: list = []

    def resolver(name):
        def call(value, is_known, is_secret, property_deps, failed):
            calls.append((name, _comparable(value), type(value), is_known, is_secret, property_deps, failed))

        return call

    try:
        resolve(
            res,
            _struct(inputs),
            _struct(outputs),
            deps,
            {name: resolver(name) for name in names},
            custom,
            typed,
            False,
            missing_unknown,
        )
    except Exception as error:  # the same error, after the same calls
        calls.append((type(error), str(error)))
    return calls


class _Painted(pulumi.CustomResource):
    """A resource class with an enum-typed and an int-typed output, as a provider SDK declares them."""

    @property
    @pulumi.getter
    def color(self) -> pulumi.Output[_Color]:
        return pulumi.get(self, "color")

    @property
    @pulumi.getter(name="sizeCount")
    def size_count(self) -> pulumi.Output[int]:
        return pulumi.get(self, "size_count")


def _resolve_cases():
    import pulumi_aws as aws
    from pulumi.runtime import rpc

    sig, secret = rpc._special_sig_key, rpc._special_secret_sig
    group = (
        aws.ec2.SecurityGroup,
        {
            "id": "sg-1",
            "urn": "urn:x",
            "arn": "arn:aws:ec2:sg/1",
            "name": rpc.UNKNOWN,
            "revokeRulesOnDelete": True,
            "ingress": [{"fromPort": 80.0, "toPort": 80.0, "protocol": "tcp", "cidrBlocks": ["0.0.0.0/0"]}],
            "tags": {"env": {sig: secret, "value": "prod"}},
            "description": {sig: secret, "value": "hush"},
            "ownerId": None,
            "notAProperty": 3.0,
        },
        # Inputs the engine left out of the outputs: a dict where the type is a string reads as
        # None (known or not, by the mode), an unknown stays unknown.
        {"vpcId": "vpc-1", "name": "given", "egress": [], "namePrefix": {"x": 1.0}, "timeouts": rpc.UNKNOWN},
        [
            "id",
            "arn",
            "name",
            "revokeRulesOnDelete",
            "ingress",
            "tags",
            "description",
            "ownerId",
            "vpcId",
            "egress",
            "namePrefix",
            "timeouts",
            "vpc_id",
            "revoke_rules_on_delete",
            "name_prefix",
        ],
    )
    painted = (
        _Painted,
        {"color": "red", "sizeCount": 3.0, "extra": 1.5},
        {"color": "red", "sizeCount": 2.0},
        ["color", "sizeCount", "size_count", "extra"],
    )
    no_inputs: dict[str, Any] = {}
    bad_enum = (_Painted, {"color": "blue"}, no_inputs, ["color"])  # the enum's ValueError, as the SDK raises it
    return [group, painted, bad_enum]


@pytest.mark.parametrize("case", range(3))
@pytest.mark.parametrize("dry_run, legacy", [(True, False), (False, False), (True, True)])
@pytest.mark.parametrize("custom", [True, False])
@pytest.mark.parametrize("typed", [True, False])
@pytest.mark.parametrize("missing_unknown", [False, True])
def test_the_resolve_shortcut_calls_each_resolver_as_the_sdk_does(
    monkeypatch, case, dry_run, legacy, custom, typed, missing_unknown
):
    from pulumi.runtime import rpc, settings

    monkeypatch.setattr(settings, "is_dry_run", lambda: dry_run)
    monkeypatch.setattr(settings, "is_legacy_apply_enabled", lambda: legacy)
    cls, outputs, inputs, names = _resolve_cases()[case]
    res = object.__new__(cls)
    res._name = "web"
    deps = {"vpcId": {"vpc"}, "name": {"other"}, "sizeCount": {"count"}}
    ours = runner._resolve_outputs(rpc.resolve_outputs)
    with runner._engine_in_process():  # the other shortcuts, as while a program runs
        shortcut = _resolutions(ours, res, outputs, inputs, deps, names, custom, typed, missing_unknown)
    sdks = _resolutions(rpc.resolve_outputs, res, outputs, inputs, deps, names, custom, typed, missing_unknown)
    assert shortcut == sdks
    assert sdks  # the resolvers were called, or the error raised


def test_the_resolve_shortcut_leaves_excessive_debug_output_to_the_sdk(monkeypatch):
    from pulumi.runtime import settings

    calls = []
    monkeypatch.setattr(settings, "excessive_debug_output", True)
    ours = runner._resolve_outputs(lambda *args: calls.append(args))
    ours("res", "inputs", "outputs", {}, {}, True, True, False, True)
    assert calls == [("res", "inputs", "outputs", {}, {}, True, True, False, True)]


def _serialized(loop, serialize, value, typ):
    """What `serialize` (put in the SDK's place, so the SDK's recursion goes through it too)
    makes of `value` (or the error it raises), with the dependencies it collects."""
    from pulumi.runtime import rpc

    sdk, rpc.serialize_property = rpc.serialize_property, serialize
    deps: list = []
    try:
        result = loop.run_until_complete(serialize(value, deps, "prop", None, None, typ))
    except Exception as error:  # the same error
        result = (type(error), str(error))
    finally:
        rpc.serialize_property = sdk
    return result, deps


@pytest.mark.parametrize("secrets", [False, True])
def test_the_serialize_shortcut_gives_what_the_sdk_gives(loop, monkeypatch, secrets):
    import typing

    import pulumi
    import pulumi_aws as aws
    from pulumi.output import UNKNOWN, Unknown, _OutputData
    from pulumi.runtime import rpc, settings

    sdk = rpc.serialize_property
    ours = runner._serialize_property(sdk)
    assert ours is not sdk
    values = lambda: [  # noqa: E731  # new outputs for each run
        ("s", None),
        ("s", typing.Optional[str]),
        ("s", pulumi.Input[str]),  # type: ignore[misc]  # an alias of a union, as the SDK's annotations use it
        (1, int),
        (1.5, None),
        (True, pulumi.Input[bool]),  # type: ignore[misc]  # likewise
        (None, typing.Optional[str]),
        (UNKNOWN, None),
        (rpc.UNKNOWN, None),
        (Unknown(), None),
        (_Color.RED, None),
        (["a", 1, None, [True, {"k": None}]], typing.Sequence[typing.Any]),
        (["a", ["b"]], typing.Sequence[str]),  # the SDK's error for the inner list
        (("t", 2), None),
        ({"a": {"b": [1.0, "x"]}, "c": None}, typing.Mapping[str, typing.Any]),
        (pulumi.Output.from_input("x"), pulumi.Input[str]),  # type: ignore[misc]  # likewise
        (pulumi.Output.secret("hush"), None),
        ({"nested": pulumi.Output.from_input({"deep": pulumi.Output.secret(3)})}, None),
        (pulumi.Output.from_input(None), None),
        (pulumi.StringAsset("text"), None),
        (pulumi.FileArchive("./dir"), None),
        (
            aws.ecs.ServiceLoadBalancerArgs(container_name="web", container_port=80, target_group_arn="arn:tg"),
            aws.ecs.ServiceLoadBalancerArgs,
        ),
        ({"containerName": "web", "container_port": 80}, aws.ecs.ServiceLoadBalancerArgs),
    ]
    monkeypatch.setattr(settings, "monitor_supports_feature", lambda feature: secrets)
    for (value, typ), (again, _) in zip(values(), values(), strict=True):
        assert _serialized(loop, ours, value, typ) == _serialized(loop, sdk, again, typ)
    # Unknown outputs (a preview's), secret or not.
    for secret in (False, True):
        made = []
        for _ in range(2):
            data: asyncio.Future = asyncio.Future()
            data.set_result(_OutputData(resources=set(), value=None, is_known=False, is_secret=secret))
            made.append(pulumi.Output._from_data(data))
        assert _serialized(loop, ours, made[0], None) == _serialized(loop, sdk, made[1], None)
    # A value the SDK refuses, the same way.
    refused = [_serialized(loop, serialize, object(), None) for serialize in (ours, sdk)]
    assert refused[0] == refused[1] == ((ValueError, "unexpected input of type object for prop"), [])


def test_the_serialize_shortcut_leaves_all_but_plain_values_to_the_sdk(loop):
    calls = []

    async def sdk(*args):
        calls.append(args)
        return "sdk"

    ours = runner._serialize_property(sdk)
    deps: list = []
    for plain in ("s", 0, 0.0, False, None):
        assert loop.run_until_complete(ours(plain, deps, "k", None, None, str)) is plain
    assert calls == [] and deps == []
    resource, enum_value, text = _Res(), _Color.RED, "s"
    for value in (resource, enum_value, [1], {"a": 1}):
        assert loop.run_until_complete(ours(value, deps, "k", "res", "tr", int, True, True)) == "sdk"
    # And a protobuf value asked for, even of a plain one.
    assert loop.run_until_complete(ours(text, deps, "k", return_protobuf_value=True)) == "sdk"
    assert calls == [
        (v, deps, "k", "res", "tr", int, True, True, False) for v in (resource, enum_value, [1], {"a": 1})
    ] + [(text, deps, "k", None, None, None, False, False, True)]


def _struct(value):
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _comparable(value):
    """A deserialized value with each `Unknown` and asset made comparable."""
    from pulumi import Archive, Asset
    from pulumi.output import Unknown

    if isinstance(value, Unknown):
        return "<Unknown>"
    if isinstance(value, (Asset, Archive)):
        return (type(value).__name__, _comparable(vars(value)))
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("keep_unknowns", [None, False, True])
@pytest.mark.parametrize("keep_internal", [True, False, None])
def test_the_deserialize_shortcut_gives_what_the_sdk_gives(monkeypatch, dry_run, keep_unknowns, keep_internal):
    from pulumi.runtime import rpc, settings

    UNKNOWN = rpc.UNKNOWN  # the engine's sentinel string
    sdk = rpc.deserialize_properties
    ours = runner._deserialize_properties(sdk)
    sig, secret, asset = rpc._special_sig_key, rpc._special_secret_sig, rpc._special_asset_sig
    structs = [
        {},
        {"s": "x", "n": 1, "f": 2.5, "b": True, "off": False, "zero": 0, "empty": "", "none": None},
        {"u": UNKNOWN, "list": ["a", UNKNOWN, None, 3, [{"x": UNKNOWN}]], "nested": {"a": {"b": None, "c": "d"}}},
        {
            "secret": {sig: secret, "value": "hush"},
            "inlist": [{sig: secret, "value": 1}],
            "indict": {"k": {sig: secret, "value": {"a": 1}}},
        },
        {sig: secret, "value": {"a": "b"}},
        {sig: asset, "text": "hello"},
        {"asset": {sig: asset, "path": "./file"}, "__internal": 1, "__provider": "p", "_one": 2, "__": 3},
        {"emptylist": [], "emptydict": {}, "unknownlist": [UNKNOWN]},
    ]
    monkeypatch.setattr(settings, "is_dry_run", lambda: dry_run)
    for value in structs:
        for deserialize in (ours, sdk):
            monkeypatch.setattr(rpc, "deserialize_properties", deserialize)
            result = deserialize(_struct(value), keep_unknowns, keep_internal)
            if deserialize is ours:
                mine = result
        assert _comparable(mine) == _comparable(result)
        assert type(mine) is type(result)
    # A field with no value: the SDK's error, after other fields were read.
    struct = _struct({"a": "x", "b": {"c": 1}})
    struct.fields["z"].Clear()
    for deserialize in (ours, sdk):
        monkeypatch.setattr(rpc, "deserialize_properties", deserialize)
        with pytest.raises(ValueError, match="Value not set"):
            deserialize(struct, keep_unknowns, keep_internal)
    # What is not a Struct goes to the SDK's function as it is.
    calls = []

    def theirs(*args):
        calls.append(args)
        return "sdk"

    ours = runner._deserialize_properties(theirs)
    assert ours({"a": 1}, keep_unknowns, keep_internal) == "sdk"
    assert ours(_struct({sig: asset, "text": "t"})) == "sdk"
    assert [call[1:] for call in calls] == [(keep_unknowns, keep_internal), (None, True)]


def _multi_line_end(values):
    def nested(value):
        return value

    return sorted(
        (nested(value) for value in values),
        reverse=True,
    )


def test_a_functions_source_is_read_as_inspect_reads_it():
    import inspect
    import textwrap

    from pulumi import output
    from pulumi._utils import ContextProperty
    from pulumi.runtime import resource, rpc, stack

    functions: list[Any] = [
        output.Output._track,
        output.Output._untrack,
        stack.wait_for_rpcs,
        ContextProperty.__get__,
        ContextProperty.fget,
        resource.create_urn,
        rpc.transfer_properties,
        rpc.contains_unknowns,
        rpc.serialize_property,
        rpc.isLegalProtobufValue,
        rpc.deserialize_properties,
        rpc.deserialize_property,
        rpc.translate_output_properties,
        rpc.resolve_outputs,
        rpc.resolve_properties,
        rpc.is_rpc_secret,
        rpc.unwrap_rpc_secret,
        _multi_line_end,
    ]
    assert {f.__qualname__ for f in functions[:-1]} == set(runner._SDK_SOURCES)
    for function in functions:
        assert runner._source(function) == textwrap.dedent(inspect.getsource(function)), function.__qualname__
    assert runner._source(len) is None  # no Python source
