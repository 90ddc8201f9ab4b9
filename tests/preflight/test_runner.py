"""preflight/runner.py: running a program as the language host would: one-line failures, runs that do
not leak into each other, the program's own modules, a stable resource order."""

import re
import sys

import pytest

import components
from preflight import ProgramError, run

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


# --- The fast paths over the SDK (preflight/fastpath/sdk.py) change nothing the engine sees ----


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


def _as_a_multiset(calls):
    # The SDK registers resources as their inputs resolve, so the order of the calls is the
    # scheduler's, not the program's (the result is ordered by `result.dependency_order`).
    return sorted(calls, key=repr)


@pytest.mark.sdk_internals
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
        (FIXTURES / "transforms", "dev"),
    ],
)
def test_the_engine_gets_the_same_calls_and_the_run_the_same_result_with_the_fast_paths_off(
    monkeypatch, project, stack, preview
):
    fast = _engine_calls(monkeypatch, project, stack, preview)
    monkeypatch.setenv("PREFLIGHT_FAST_PATHS", "0")
    as_the_sdk_runs = _engine_calls(monkeypatch, project, stack, preview)
    assert _as_a_multiset(fast[0]) == _as_a_multiset(as_the_sdk_runs[0])
    assert fast[1] == as_the_sdk_runs[1]


def test_a_program_with_transforms_gets_them_applied_through_its_callbacks():
    # The recorder calls back into the program, so its engine calls leave the loop's thread.
    result = run(FIXTURES / "transforms", "dev", policy_pack=None)
    assert result.outputs == {"delay": 30}
    queues = {r.name: r.inputs for r in result.of_type("aws:sqs/queue:Queue")}
    assert queues["plain"]["tags"] == {"team": "web", "owner": "platform"}
    assert queues["jobs-queue"]["delaySeconds"] == 30
