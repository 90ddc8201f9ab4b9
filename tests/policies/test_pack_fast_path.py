"""The pack as the engine runs it patches nothing but the secret marking; the preflight's pack fast
path (preflight/fastpath/pack.py) changes no verdict and answers as pulumi-policy does.

The fast path's two methods are held to pulumi-policy's own, answer by answer, in this process
(which runs the SDK as it is); the verdicts of every fixture program and committed stack, in both
modes, are compared with the fast path on and off (`PREFLIGHT_FAST_PATHS=0`), which also holds that
no rule writes to the properties the fast path hands every rule of a call. What a pack process
replaces is read inside it, once it serves, through a `sitecustomize` hook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf import struct_pb2

from preflight import PolicyAnalyzer, RunResult, fastpath, run
from preflight.analyzer import ENGINE_ADDRESS
from preflight.fastpath import pack

from ..conftest import COMMITTED_STACKS, POLICY_PACK, REPOSITORY
from .conftest import FIXTURES

PROGRAMS = [(".", stack) for stack in COMMITTED_STACKS] + sorted(
    (path.parent.name, path.name[len("Pulumi.") : -len(".yaml")])
    for path in FIXTURES.glob("*/Pulumi.*.yaml")
    if path.name != "Pulumi.yaml"
)


@pytest.fixture(scope="module")
def plain_pack() -> Iterator[PolicyAnalyzer]:
    """The pack started as the engine starts it: the fast path switched off."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(fastpath.SWITCH, "0")
        analyzer = PolicyAnalyzer(POLICY_PACK)
    yield analyzer
    analyzer.close()


def verdicts(result: RunResult) -> tuple:
    return (
        [(v.policy, v.enforcement_level, v.urn, v.message, v.severity) for v in result.violations],
        [(n.policy, n.urn, n.reason) for n in result.not_applicable],
        result.mandatory_not_run,
    )


@pytest.mark.sdk_internals
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(("program", "stack"), PROGRAMS, ids=[f"{p}:{s}" for p, s in PROGRAMS])
def test_the_pack_fast_path_changes_no_verdict(program, stack, preview, judge, plain_pack):
    project = REPOSITORY if program == "." else FIXTURES / program
    fast = judge(program, stack, preview=preview)
    plain = run(project, stack, preview=preview, analyzer=plain_pack)
    assert fast.policy_pack == plain.policy_pack == "fargate-alb@v0.1.0"
    assert verdicts(plain) == verdicts(fast)
    if program in ("violating", "least_privilege_violating", "ingress_styles"):
        assert fast.violations  # the comparison is of verdicts, not of two empty lists


# -- what a pack process replaces ---------------------------------------------------------------

# Loaded first by the pack's interpreter (PYTHONPATH): notes pulumi-policy's module attributes and
# servicer methods, and on SIGUSR1 (sent once the pack serves) writes the names of those replaced
# since and how many objects the cycle collector leaves alone (`gc.freeze`) since, and leaves.
HOOK = """
import gc, os, signal
from pulumi_policy import policy

def attributes():
    servicer = {"servicer." + name: value for name, value in vars(policy._PolicyAnalyzerServicer).items()}
    return {**vars(policy), **servicer}

before = attributes()
frozen = gc.get_freeze_count()  # (Python 3.12 starts with a few hundred)

def report(*_):
    now = attributes()
    replaced = sorted(name for name in before if now.get(name) is not before[name])
    os.write(2, ("replaced: " + " ".join(replaced) + "\\n").encode())
    os.write(2, ("frozen: %d\\n" % (gc.get_freeze_count() - frozen)).encode())
    os._exit(0)

signal.signal(signal.SIGUSR1, report)
"""


def served(command: list[str], tmp_path: Path, **env: str) -> tuple[list[str], int]:
    """What the pack process started as `command` in the pack's directory replaces of
    pulumi-policy by the time it serves, and how many objects it has frozen."""
    (tmp_path / "sitecustomize.py").write_text(HOOK)
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), **env}
    with subprocess.Popen(
        [sys.executable, *command], cwd=POLICY_PACK, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        port = process.stdout.readline()
        assert port.strip().isdigit(), process.communicate()[1].decode()
        process.send_signal(signal.SIGUSR1)
        _, stderr = process.communicate(timeout=30)
    lines = {line.split(":")[0]: line.split()[1:] for line in stderr.decode().splitlines() if ": " in line}
    assert "replaced" in lines and "frozen" in lines, stderr.decode()
    return lines["replaced"], int(lines["frozen"][0])


def test_the_pack_as_the_engine_runs_it_replaces_only_the_deserializer(tmp_path):
    engine = ["-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."]
    assert served(engine, tmp_path) == (["deserialize_properties"], 0)  # and the collector as it is


@pytest.mark.sdk_internals
@pytest.mark.parametrize(("switch", "methods"), [("1", ["servicer.Analyze", "servicer.AnalyzeStack"]), ("0", [])])
def test_the_preflights_pack_adds_analyze_and_analyze_stack_unless_switched_off(tmp_path, switch, methods):
    with pytest.MonkeyPatch.context() as env:
        env.setenv(fastpath.SWITCH, switch)
        command = pack.command(ENGINE_ADDRESS)
    assert command[-4:] == ["-m", "pulumi.policy", ENGINE_ADDRESS, "."]  # what the engine's shim runs
    replaced, frozen = served(command, tmp_path, **{fastpath.SWITCH: switch})
    assert replaced == ["deserialize_properties", *methods]
    assert (frozen > 10_000) == (switch == "1")  # the SDK's heap, frozen by the launcher


@pytest.mark.sdk_internals
def test_another_pulumi_policy_release_keeps_its_own_methods_and_says_so(monkeypatch, capsys):
    from pulumi_policy import policy as sdk

    methods = (sdk._PolicyAnalyzerServicer.Analyze, sdk._PolicyAnalyzerServicer.AnalyzeStack)
    monkeypatch.setattr(fastpath, "installed", lambda distribution: "1.22.0")
    monkeypatch.setattr(fastpath, "_announced", set())
    assert not pack.install()
    assert (sdk._PolicyAnalyzerServicer.Analyze, sdk._PolicyAnalyzerServicer.AnalyzeStack) == methods
    err = capsys.readouterr().err
    assert err.startswith(pack.ANNOUNCEMENT)  # the line the preflight passes on from the pack
    assert "fast path 'pack' is off: pulumi-policy 1.22.0 is not a tested release (1.21.0)" in err


@pytest.mark.sdk_internals
def test_the_preflight_says_when_its_packs_fast_path_is_off(tmp_path, capfd):
    """The pack's interpreter finds another pulumi-policy release: the pack says so, and the
    preflight passes the line on to its own stderr (the pack's other output it keeps to itself)."""
    (tmp_path / "sitecustomize.py").write_text(
        "from importlib import metadata\n"
        "version = metadata.version\n"
        "metadata.version = lambda name: '1.22.0' if name == 'pulumi-policy' else version(name)\n"
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", str(tmp_path))
        with PolicyAnalyzer(POLICY_PACK) as analyzer:
            assert analyzer.info.name == "fargate-alb"
    assert analyzer._stderr_closed.wait(timeout=10)  # every line of the pack's read
    err = capfd.readouterr().err
    assert "preflight: fast path 'pack' is off: pulumi-policy 1.22.0 is not a tested release (1.21.0)" in err
    assert "fargate-alb:" not in err  # the secret marking's notice stays the pack's, as before


# -- the two methods against pulumi-policy's ----------------------------------------------------


def struct(document):
    message = struct_pb2.Struct()
    message.update(document)
    return message


def _stack_request():
    """A stack whose resources have a parent, dependencies (one on a resource not in the request),
    property dependencies, options, a provider and an unknown value."""
    from pulumi.runtime.proto import analyzer_pb2

    stack, vpc, group = (
        f"urn:pulumi:dev::p::{kind}"
        for kind in ("pulumi:pulumi:Stack::p-dev", "aws:ec2/vpc:Vpc::vpc", "aws:ec2/securityGroup:SecurityGroup::tasks")
    )
    provider = analyzer_pb2.AnalyzerProviderResource(
        type="pulumi:providers:aws",
        urn="urn:pulumi:dev::p::pulumi:providers:aws::default",
        name="default",
        properties=struct({"region": "us-east-1"}),
    )

    def resource(type_, urn, name, properties, **more):
        return analyzer_pb2.AnalyzerResource(
            type=type_, urn=urn, name=name, properties=struct(properties), parent=stack, provider=provider, **more
        )

    resources = [
        analyzer_pb2.AnalyzerResource(type="pulumi:pulumi:Stack", urn=stack, name="p-dev", properties=struct({})),
        resource(
            "aws:ec2/vpc:Vpc",
            vpc,
            "vpc",
            {"cidrBlock": "10.0.0.0/16", "id": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"},  # the id unknown
            options=analyzer_pb2.AnalyzerResourceOptions(protect=True, ignoreChanges=["tags"]),
        ),
        resource(
            "aws:ec2/securityGroup:SecurityGroup",
            group,
            "tasks",
            {"vpcId": "vpc-1", "ingress": [{"fromPort": 80, "cidrBlocks": ["10.0.0.0/16"]}]},
            dependencies=[vpc, "urn:pulumi:dev::p::aws:s3/bucket:Bucket::elsewhere"],
            propertyDependencies={"vpcId": analyzer_pb2.AnalyzerPropertyDependencies(urns=[vpc, "urn:gone"])},
        ),
    ]
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


@pytest.mark.sdk_internals
def test_the_stack_is_built_once_as_the_sdk_builds_it_per_policy():
    """`_analyze_stack` against pulumi-policy's own AnalyzeStack: every policy sees the same
    resources (properties, options, provider, parent, dependencies), and the answer is the same."""
    from pulumi_policy import EnforcementLevel, StackValidationPolicy
    from pulumi_policy import policy as sdk
    from pulumi_policy.policy import Policy

    seen: list = []
    handed: list = []

    def plain(value):
        if hasattr(value, "keys"):
            return {k: plain(value[k]) for k in value.keys() if k != "id"}  # the VPC's id is unknown
        if hasattr(value, "__iter__") and not isinstance(value, str):
            return [plain(item) for item in value]
        return value

    def record(args, report_violation):
        def urn(resource):
            return resource.urn if resource is not None else None

        handed.append(args.resources)
        seen.append(
            [
                (
                    r.resource_type,
                    r.urn,
                    r.name,
                    plain(r.props),
                    urn(r.parent),
                    [d.urn for d in r.dependencies],
                    {k: [d.urn for d in v] for k, v in r.property_dependencies.items()},
                    (r.opts.protect, list(r.opts.ignore_changes)),
                    (r.provider.urn, plain(r.provider.props)) if r.provider else None,
                )
                for r in args.resources
            ]
        )
        report_violation(f"{len(args.resources)} resources")

    def unknown(args, report_violation):
        vpc = next(r for r in args.resources if r.resource_type == "aws:ec2/vpc:Vpc")
        report_violation(f"the VPC's id is {vpc.props['id']}")  # unknown in a preview: cannot run

    async def later(args, report_violation):
        report_violation(f"{len(args.resources)} resources, asynchronously")

    level = EnforcementLevel
    policies: list[Policy] = [
        StackValidationPolicy(name="first", description="records", validate=record, enforcement_level=level.MANDATORY),
        StackValidationPolicy(name="second", description="records", validate=record, enforcement_level=level.REMEDIATE),
        StackValidationPolicy(name="off", description="never runs", validate=record, enforcement_level=level.DISABLED),
        StackValidationPolicy(
            name="unknown", description="cannot run", validate=unknown, enforcement_level=level.MANDATORY
        ),
        StackValidationPolicy(name="later", description="async", validate=later),
    ]
    servicer = sdk._PolicyAnalyzerServicer("pack", "1.0.0", policies, EnforcementLevel.ADVISORY)
    request = _stack_request()

    by_sdk = servicer.AnalyzeStack(request, None)
    per_policy = seen[:]
    seen.clear()
    handed.clear()
    once = pack._analyze_stack(servicer, request, None)

    assert len(per_policy) == 2 and per_policy[0] == per_policy[1]
    assert seen == per_policy
    assert all(a is b for a, b in zip(handed[0], handed[1], strict=True))  # built once, handed to both
    assert per_policy[0][2][4:7] == (
        "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev",
        ["urn:pulumi:dev::p::aws:ec2/vpc:Vpc::vpc"],
        {"vpcId": ["urn:pulumi:dev::p::aws:ec2/vpc:Vpc::vpc"]},
    )
    assert once.SerializeToString() == by_sdk.SerializeToString()
    assert [d.policyName for d in once.diagnostics] == ["first", "second", "unknown", "later"]
    assert "string value at .id can't be known" in once.diagnostics[2].message


def _resource_requests():
    """`Analyze` requests: a security group (an ingress unknown), a secret-holding task
    definition, a resource without a provider, and one no rule below judges."""
    from pulumi.runtime.proto import analyzer_pb2

    provider = analyzer_pb2.AnalyzerProviderResource(
        type="pulumi:providers:aws", urn="urn:p", name="default", properties=struct({"region": "us-east-1"})
    )
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "hunter2"}
    return [
        analyzer_pb2.AnalyzeRequest(
            type="aws:ec2/securityGroup:SecurityGroup",
            urn="urn:sg",
            name="tasks",
            properties=struct({"name": "tasks", "ingress": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}),
            provider=provider,
            options=analyzer_pb2.AnalyzerResourceOptions(protect=True),
        ),
        analyzer_pb2.AnalyzeRequest(
            type="aws:ecs/taskDefinition:TaskDefinition",
            urn="urn:td",
            name="app",
            properties=struct({"family": "app", "password": secret}),
            provider=provider,
        ),
        analyzer_pb2.AnalyzeRequest(type="aws:s3/bucket:Bucket", urn="urn:b", name="b", properties=struct({})),
        analyzer_pb2.AnalyzeRequest(
            type="aws:ec2/vpc:Vpc", urn="urn:vpc", name="vpc", properties=struct({"cidrBlock": "10.0.0.0/16"})
        ),
    ]


@pytest.mark.sdk_internals
def test_analyze_answers_as_the_sdk_does():
    """`_analyze` against pulumi-policy's own Analyze, on every kind of policy it meets: the pack's
    rules, plain policies, disabled, remediating, remediation-only ones, one that cannot run during
    a preview and one that is not applicable."""
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
    from pulumi_policy import policy as sdk
    from pulumi_policy.policy import Policy

    from policies.fargate_policies._policy import MANDATORY, Rule

    called: list = []
    handed: list = []

    def named(args, report_violation):
        """Reports the name."""
        called.append(args.resource_type)
        handed.append(args.props)
        report_violation(f"{args.name} is named {args.props.get('name')!r}")

    def everything(args, report_violation):
        region = args.provider.props["region"] if args.provider else None
        report_violation(f"{args.urn}: {sorted(args.props)} protect={args.opts.protect} region={region}")

    def ingress(args, report_violation):
        if args.resource_type.endswith("SecurityGroup"):
            report_violation(f"ingress {args.props['ingress']}")  # unknown: cannot run

    def not_applicable(args, report_violation):
        args.not_applicable(f"not for {args.name}")

    async def later(args, report_violation):
        report_violation(f"{args.name}, asynchronously")

    group, task = "aws:ec2/securityGroup:SecurityGroup", "aws:ecs/taskDefinition:TaskDefinition"
    level = EnforcementLevel
    policies: list[Policy] = [
        Rule("named-groups", MANDATORY, named, types=[group]).policy(),
        Rule("named-tasks", MANDATORY, named, types=[task]).policy(),
        ResourceValidationPolicy(name="everything", description="all", validate=everything),
        ResourceValidationPolicy(
            name="off", description="never", validate=everything, enforcement_level=level.DISABLED
        ),
        ResourceValidationPolicy(name="fixing", description="fixes", validate=named, enforcement_level=level.REMEDIATE),
        ResourceValidationPolicy(name="only-fixes", description="fixes", remediate=lambda args: None),
        ResourceValidationPolicy(name="ingress", description="ingress", validate=ingress),
        ResourceValidationPolicy(name="n/a", description="n/a", validate=not_applicable),
        ResourceValidationPolicy(name="later", description="async", validate=later),
    ]
    servicer = sdk._PolicyAnalyzerServicer("pack", "1.0.0", policies, EnforcementLevel.ADVISORY)
    answers = {}
    for request in _resource_requests():
        called.clear()
        by_sdk = servicer.Analyze(request, None)
        by_sdk_calls = called[:]
        called.clear()
        handed.clear()
        once = pack._analyze(servicer, request, None)
        assert once.SerializeToString() == by_sdk.SerializeToString()
        assert called == by_sdk_calls == [request.type] * (2 if request.type in (group, task) else 1)
        assert all(props is handed[0] for props in handed)  # converted once for every policy
        answers[request.type] = once
    messages = [d.message for d in answers[group].diagnostics]
    assert "tasks is named 'tasks'" in messages[0]
    assert any("can't run policy 'ingress'" in m and "at .ingress can't be known" in m for m in messages)
    assert any("region=us-east-1" in m for m in messages)
    assert messages[-1] == "async\ntasks, asynchronously"
    assert [n.policy_name for n in answers[group].not_applicable] == ["only-fixes", "n/a"]


# -- the pieces of the fast path against the SDK's own ---------------------------------------------

STRUCTS = [
    {},
    {"name": "web", "port": 80.0, "weight": -0.5, "enabled": True, "off": False, "nothing": None},
    {"nested": {"deeper": {"list": [1.0, "two", None, [True, {"k": "v"}], {}]}}, "empty": [], "é": "ü"},
    {"big": 1e308, "small": 5e-324, "order": {"z": 1.0, "a": 2.0, "m": 3.0}},
]


@pytest.mark.sdk_internals
@pytest.mark.parametrize("document", STRUCTS)
def test_a_struct_is_walked_into_what_message_to_dict_makes(document):
    from google.protobuf import json_format

    message = struct(document)
    message.fields["unset"].CopyFrom(struct_pb2.Value())  # a Value with no kind: JSON null
    walked, by_sdk = pack._plain(message), json_format.MessageToDict(message)
    assert walked == by_sdk
    assert repr(walked) == repr(by_sdk)  # the same order and the same types (floats stay floats)


@pytest.mark.sdk_internals
@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_a_number_json_cannot_hold_is_refused_as_the_sdk_refuses_it(number):
    from google.protobuf import json_format
    from pulumi_policy import policy as sdk

    message = struct({"fine": "yes", "deep": {"list": ["a", number]}})
    with pytest.raises(ValueError, match="Fail to serialize") as by_sdk:
        json_format.MessageToDict(message)
    with pytest.raises(ValueError, match="Fail to serialize") as walked:
        pack._properties(message, sdk)
    assert str(walked.value) == str(by_sdk.value)


@pytest.mark.sdk_internals
def test_the_pack_rules_are_skipped_only_on_types_they_do_not_judge():
    from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy
    from pulumi_policy import policy as sdk

    from policies.fargate_policies import all_rules

    rules = all_rules()
    for rule in rules:
        policy = rule.policy()
        if isinstance(policy, StackValidationPolicy):
            continue
        judged = pack._judged_types(policy, sdk)
        assert rule.types is not None and set(rule.types) <= judged  # every type it judges
        assert "aws:s3/bucket:Bucket" not in judged  # and not another
    assert any(rule.types for rule in rules)

    class Own(ResourceValidationPolicy):
        def validate(self, args, report_violation):
            report_violation("judges everything")

    plain = ResourceValidationPolicy(name="plain", description="d", validate=lambda args, report: None)
    own = Own(name="own", description="d", validate=lambda args, report: None)
    for policy in (plain, own):
        assert "aws:s3/bucket:Bucket" in pack._judged_types(policy, sdk)  # not a rule of the pack: every type


@pytest.mark.sdk_internals
@pytest.mark.parametrize("organization", [None, "acme"])
def test_the_runtime_is_configured_as_the_sdk_configures_it(monkeypatch, organization):
    import contextvars

    import pulumi
    import pulumi.runtime
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
    from pulumi_policy import policy as sdk

    monkeypatch.setenv("PULUMI_CONFIG", '{"fargate-test:answer": "42"}')
    monkeypatch.setenv("PULUMI_PROJECT", "p")
    monkeypatch.setenv("PULUMI_STACK", "s")
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    if organization is None:
        monkeypatch.delenv("PULUMI_ORGANIZATION", raising=False)
    else:
        monkeypatch.setenv("PULUMI_ORGANIZATION", organization)
    policy = ResourceValidationPolicy(name="p", description="d", validate=lambda args, report: None)
    servicer = sdk._PolicyAnalyzerServicer("pack", "1.0.0", [policy], EnforcementLevel.ADVISORY)

    def configured(configure):
        def read():
            configure()
            return (
                pulumi.get_project(),
                pulumi.get_stack(),
                pulumi.runtime.is_dry_run(),
                pulumi.get_organization(),
                pulumi.runtime.get_config("fargate-test:answer"),
            )

        return contextvars.copy_context().run(read)  # the settings are context variables

    try:
        by_sdk = configured(servicer._configure_runtime_settings)
        assert configured(lambda: pack._configure_runtime_settings(sdk)) == by_sdk
    finally:
        pulumi.runtime.config.CONFIG.get().pop("fargate-test:answer", None)
    assert by_sdk == ("p", "s", True, organization or "organization", "42")
