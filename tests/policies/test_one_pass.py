"""policies/one_pass.py: the pack's policies share one conversion of each message per call.

Two things must hold for that to change nothing but time: the direct `Struct` walk returns what
`json_format.MessageToDict` returns, and no policy of the pack writes to what it is handed (they
share it). The first is checked value by value; the second by judging every fixture program and
committed stack, in both modes, with the pack as shipped and with a copy of it that does not share
(nor convert lazily, nor skip a rule of other types, nor remember `Stack.refs` answers), and
comparing every verdict. `AnalyzeStack`'s stack, built once for all stack policies, is also
compared with the one pulumi-policy builds for each, resource by resource, and `Analyze` with
pulumi-policy's, answer by answer (`test_lazy_properties.py` holds the lazy conversion itself).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator

import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy import proxy as sdk_proxy

from policies import one_pass
from preflight import PolicyAnalyzer, RunResult, run

from ..conftest import COMMITTED_STACKS, POLICY_PACK, REPOSITORY
from .conftest import FIXTURES

# What a Struct holds: JSON values (numbers are doubles).
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_the_direct_walk_reads_a_struct_as_json_format_does(document):
    message = struct_pb2.Struct()
    message.update(document)
    converted = one_pass.struct_to_dict(message)
    assert converted == json_format.MessageToDict(message)
    assert repr(converted) == repr(json_format.MessageToDict(message))  # same types: 1.0 stays a float


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_number_json_cannot_hold_is_refused_as_before(number):
    message = struct_pb2.Struct()
    message.update({"bad": [number]})
    with pytest.raises(ValueError, match="Fail to serialize"):
        json_format.MessageToDict(message)
    with pytest.raises(ValueError, match="Fail to serialize"):
        one_pass.struct_to_dict(message)


def test_an_unset_value_reads_as_null():
    message = struct_pb2.Struct()
    message.fields["empty"].CopyFrom(struct_pb2.Value())
    assert one_pass.struct_to_dict(message) == json_format.MessageToDict(message) == {"empty": None}


def test_the_pack_installs_the_sharing():
    main = (POLICY_PACK / "__main__.py").read_text()
    assert "one_pass.share()" in main
    # Secret marking replaces deserialize_properties first, so the shared one is the marking one.
    assert main.index("preserve_secrets()") < main.index("one_pass.share()")


PROGRAMS = [(".", stack) for stack in COMMITTED_STACKS] + sorted(
    (path.parent.name, path.name[len("Pulumi.") : -len(".yaml")])
    for path in FIXTURES.glob("*/Pulumi.*.yaml")
    if path.name != "Pulumi.yaml"
)


@pytest.fixture(scope="module")
def unshared_pack(tmp_path_factory) -> Iterator[PolicyAnalyzer]:
    """The pack as shipped but for `one_pass.share()`: every policy converts for itself, with the
    SDK's own Analyze and AnalyzeStack; and the stack index answers every `refs` afresh."""
    pack = tmp_path_factory.mktemp("unshared") / "policies"
    shutil.copytree(POLICY_PACK, pack, ignore=shutil.ignore_patterns("__pycache__"))
    main = pack / "__main__.py"
    text = main.read_text()
    assert text.count("one_pass.share()") == 1
    main.write_text(
        text.replace("one_pass.share()", "from fargate_policies._stack import Stack\nStack.remembers = False", 1)
    )
    analyzer = PolicyAnalyzer(pack)
    yield analyzer
    analyzer.close()


def verdicts(result: RunResult) -> tuple:
    return (
        [(v.policy, v.enforcement_level, v.urn, v.message, v.severity) for v in result.violations],
        [(n.policy, n.urn, n.reason) for n in result.not_applicable],
        result.mandatory_not_run,
    )


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(("program", "stack"), PROGRAMS, ids=[f"{p}:{s}" for p, s in PROGRAMS])
def test_sharing_changes_no_verdict(program, stack, preview, judge, unshared_pack):
    project = REPOSITORY if program == "." else FIXTURES / program
    shared = judge(program, stack, preview=preview)
    alone = run(project, stack, preview=preview, analyzer=unshared_pack)
    assert shared.policy_pack == alone.policy_pack == "fargate-alb@v0.1.0"
    assert verdicts(alone) == verdicts(shared)
    if program in ("violating", "least_privilege_violating", "ingress_styles"):
        assert shared.violations  # the comparison is of verdicts, not of two empty lists


def _stack_request():
    """A stack whose resources have a parent, dependencies (one on a resource not in the request),
    property dependencies, options, a provider and an unknown value."""
    from pulumi.runtime.proto import analyzer_pb2

    def struct(document):
        message = struct_pb2.Struct()
        message.update(document)
        return message

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


@pytest.fixture(params=[False, True], ids=["whole", "lazy"])
def lazily(request, monkeypatch):
    """Properties converted whole (the SDK's functions as they are), or key by key as `share()`
    sets it up with pulumi-policy 1.21, without patching the SDK of this process."""
    from pulumi_policy import policy as sdk

    assert not getattr(sdk.deserialize_properties, "shares", False)  # this process runs the SDK as is
    if request.param:
        conversion = one_pass.KeyByKey(sdk.deserialize_properties, sdk.unknown_checking_proxy, sdk_proxy._is_unknown)
        monkeypatch.setattr(one_pass, "_key_by_key", conversion)
    return request.param


def test_the_stack_is_built_once_as_the_sdk_builds_it_per_policy(lazily):
    """`_analyze_stack` against pulumi-policy's own AnalyzeStack: every policy sees the same
    resources (properties, options, provider, parent, dependencies), and the answer is the same."""
    from pulumi_policy import EnforcementLevel, StackValidationPolicy
    from pulumi_policy import policy as sdk
    from pulumi_policy.policy import Policy

    assert not getattr(sdk.deserialize_properties, "shares", False)  # this process runs the SDK as is
    seen: list = []

    def plain(value):
        if hasattr(value, "keys"):
            return {k: plain(value[k]) for k in value.keys() if k != "id"}  # the VPC's id is unknown
        if hasattr(value, "__iter__") and not isinstance(value, str):
            return [plain(item) for item in value]
        return value

    def record(args, report_violation):
        def urn(resource):
            return resource.urn if resource is not None else None

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

    policies: list[Policy] = [
        StackValidationPolicy(
            name="first", description="records", validate=record, enforcement_level=EnforcementLevel.MANDATORY
        ),
        StackValidationPolicy(
            name="second", description="records", validate=record, enforcement_level=EnforcementLevel.REMEDIATE
        ),
        StackValidationPolicy(
            name="off", description="never runs", validate=record, enforcement_level=EnforcementLevel.DISABLED
        ),
        StackValidationPolicy(
            name="unknown", description="cannot run", validate=unknown, enforcement_level=EnforcementLevel.MANDATORY
        ),
        StackValidationPolicy(name="later", description="async", validate=later),
    ]
    servicer = sdk._PolicyAnalyzerServicer("pack", "1.0.0", policies, EnforcementLevel.ADVISORY)
    request = _stack_request()

    by_sdk = servicer.AnalyzeStack(request, None)
    per_policy = seen[:]
    seen.clear()
    once = one_pass._analyze_stack(servicer, request, None)

    assert len(per_policy) == 2 and per_policy[0] == per_policy[1]
    assert seen == per_policy
    assert per_policy[0][2][4:7] == (
        "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev",
        ["urn:pulumi:dev::p::aws:ec2/vpc:Vpc::vpc"],
        {"vpcId": ["urn:pulumi:dev::p::aws:ec2/vpc:Vpc::vpc"]},
    )
    assert once.SerializeToString() == by_sdk.SerializeToString()
    assert [d.policyName for d in once.diagnostics] == ["first", "second", "unknown", "later"]
    assert "string value at .id can't be known" in once.diagnostics[2].message
    resources = one_pass._stack_resources(servicer, request, sdk)
    assert all(isinstance(r.props, one_pass.LazyProperties) is lazily for r in resources)
    assert all(isinstance(r.provider.props, one_pass.LazyProperties) is lazily for r in resources[1:])


def _resource_requests():
    """`Analyze` requests: a security group (an ingress unknown), a secret-holding task
    definition, a resource without a provider, and one no rule below judges."""
    from pulumi.runtime.proto import analyzer_pb2

    def struct(document):
        message = struct_pb2.Struct()
        message.update(document)
        return message

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


def test_analyze_answers_as_the_sdk_does(lazily):
    """`_analyze` against pulumi-policy's own Analyze, on every kind of policy it meets: the pack's
    rules (left out on other types), plain policies, disabled, remediating, remediation-only ones,
    one that cannot run during a preview and one that is not applicable."""
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
    from pulumi_policy import policy as sdk
    from pulumi_policy.policy import Policy

    from policies.fargate_policies._policy import MANDATORY, Rule

    called: list = []

    def named(args, report_violation):
        """Reports the name."""
        called.append(args.resource_type)
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
    policies: list[Policy] = [
        Rule("named-groups", MANDATORY, named, types=[group]).policy(),
        Rule("named-tasks", MANDATORY, named, types=[task]).policy(),
        ResourceValidationPolicy(name="everything", description="all", validate=everything),
        ResourceValidationPolicy(
            name="off", description="never", validate=everything, enforcement_level=EnforcementLevel.DISABLED
        ),
        ResourceValidationPolicy(
            name="fixing", description="fixes", validate=named, enforcement_level=EnforcementLevel.REMEDIATE
        ),
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
        once = one_pass._analyze(servicer, request, None)
        assert once.SerializeToString() == by_sdk.SerializeToString()
        # A pack rule runs on its own types only ("fixing", a plain policy, on every one).
        assert called == by_sdk_calls == [request.type] * (2 if request.type in (group, task) else 1)
        answers[request.type] = once
    messages = [d.message for d in answers[group].diagnostics]
    assert "tasks is named 'tasks'" in messages[0]
    assert any("can't run policy 'ingress'" in m and "at .ingress can't be known" in m for m in messages)
    assert any("region=us-east-1" in m for m in messages)
    assert messages[-1] == "async\ntasks, asynchronously"
    assert [n.policy_name for n in answers[group].not_applicable] == ["only-fixes", "n/a"]


def test_a_pack_rule_says_which_types_it_judges():
    from pulumi_policy import ResourceValidationPolicy
    from pulumi_policy import policy as sdk

    from policies.fargate_policies import all_rules

    resource_rules = [(rule, rule.types) for rule in all_rules() if rule.types is not None]
    assert resource_rules
    for rule, rule_types in resource_rules:
        types = one_pass._judged_types(rule.policy(), sdk)
        assert tuple(types) == tuple(rule_types) and "aws:s3/bucket:Bucket" not in types
    plain = ResourceValidationPolicy(name="p", description="d", validate=lambda args, report_violation: None)
    assert "aws:s3/bucket:Bucket" in one_pass._judged_types(plain, sdk)

    class Own(ResourceValidationPolicy):
        def validate(self, args, report_violation):
            return None

    rule_validate = resource_rules[0][0].policy()._ResourceValidationPolicy__validate  # type: ignore[attr-defined]
    own = Own(name="own", description="d", validate=rule_validate)
    assert "aws:s3/bucket:Bucket" in one_pass._judged_types(own, sdk)  # its validate is its own


def test_another_sdk_release_keeps_its_own_stack_loop(monkeypatch):
    import pulumi_policy.version

    assert one_pass._stack_loop_is_known()
    monkeypatch.setattr(pulumi_policy.version, "VERSION", "1.22.0")
    assert not one_pass._stack_loop_is_known()
