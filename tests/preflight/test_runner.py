"""preflight/runner.py: running a program as the language host would: one-line failures, runs that do
not leak into each other, the program's own modules, a stable resource order."""

import asyncio
import contextlib
import re
import sys

import pytest

import components
from preflight import ProgramError, run, runner

from .conftest import BROKEN, FIXTURES, NESTED, TASK_SECRETS


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
        "_track": output.Output.__dict__["_track"],
        "_untrack": output.Output.__dict__["_untrack"],
        "contains_unknowns": rpc.contains_unknowns,
        "transfer_properties": rpc.transfer_properties,
        "create_urn": resource.create_urn,
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
        assert {name for _, name, _ in runner._sdk_shortcuts()} == {"contains_unknowns", "create_urn"}
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
    [(".", "prod"), (".", "endpoints"), (NESTED, "dev"), (FIXTURES / "lookups", "dev"), (BROKEN, "invoke")],
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
