"""The shortcuts that keep `AnalyzeStack` off the preflight's critical path, each against the
longer way it stands for.

- `one_pass.LazyProperties.read_quietly`, and `_props.peek` reading through it: the answer a read
  (`[]`) gives, an unknown or a missing key as a marker instead of an error;
- `Stack`'s look-ups: `refs` matching known values only against resources of the asked types
  (indexed per types on first use), `ingress_into` through an index of the permissions by target,
  `egress_of` worked out once per subnet;
- `one_pass._stack_resources`: one provider object for the resources of one provider message,
  the options as the SDK's helper reads them.

Every verdict with and without them is compared in `test_one_pass.py`
(`test_sharing_changes_no_verdict`); these hold each one on its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import struct_pb2
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy import proxy as sdk_proxy
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies import one_pass
from policies.fargate_policies import _types as T
from policies.fargate_policies._props import UNKNOWN, peek
from policies.fargate_policies._stack import Refs, Stack

from .conftest import resource
from .test_lazy_properties import CONVERSIONS, documents, eager, lazy, observe, plain, struct

MARK_UNKNOWN, MARK_MISSING = object(), object()
KEYS = ["id", "arn", "name", "tags", "ingress", "b", "a", "", "missing", "__target", 0, None, ("id",), ["id"]]


def as_read(read) -> Any:
    """What `view[key]` returns or raises, in the terms `read_quietly` answers in."""
    try:
        value = read()
    except UnknownValueError:
        return ("unknown",)
    except KeyError:
        return ("missing",)
    except Exception as error:  # the exception is what is compared
        return ("raises", type(error).__name__)
    return ("value", plain(value))


def as_quiet_read(view: one_pass.LazyProperties, key: Any) -> Any:
    try:
        value = view.read_quietly(key, MARK_UNKNOWN, MARK_MISSING)
    except Exception as error:
        return ("raises", type(error).__name__)
    if value is MARK_UNKNOWN:
        return ("unknown",)
    if value is MARK_MISSING:
        return ("missing",)
    return ("value", plain(value))


@pytest.mark.parametrize("conversion", CONVERSIONS.values(), ids=CONVERSIONS.keys())
@given(document=documents, order=st.randoms(use_true_random=False), whole_first=st.booleans())
def test_a_quiet_read_answers_as_a_read_does(conversion, document, order, whole_first):
    message = struct(document)
    keys = [*document, *KEYS]
    order.shuffle(keys)
    view, expected = lazy(message, conversion), eager(message, conversion)
    if whole_first:
        view["__target"]  # from then on the view is the whole proxy
    for key in keys:
        assert as_quiet_read(view, key) == as_read(lambda key=key: expected[key])
        # A value read quietly is the very one a read then returns.
        if as_quiet_read(view, key)[0] == "value" and key != "__target":
            assert view.read_quietly(key, MARK_UNKNOWN, MARK_MISSING) is view[key]
    # Quiet reads leave the view answering every read as the SDK's proxy does.
    assert observe(view, keys) == observe(expected, keys)


paths = st.lists(
    st.sampled_from(["id", "arn", "name", "tags", "ingress", "b", "a", "", "missing", 0, 1]), min_size=1, max_size=3
)


@pytest.mark.parametrize("conversion", CONVERSIONS.values(), ids=CONVERSIONS.keys())
@given(document=documents, path=paths)
def test_peek_reads_a_lazy_view_as_it_reads_the_sdks_proxy(conversion, document, path):
    message = struct(document)
    view, expected = lazy(message, conversion), eager(message, conversion)
    for _ in range(2):  # a first read converts, a second one reads what the first kept
        found = peek(view, *path, default="default")
        assert (found is UNKNOWN) is (peek(expected, *path, default="default") is UNKNOWN)
        assert plain(found) == plain(peek(expected, *path, default="default"))


def test_peek_without_a_quiet_read_is_unchanged():
    """A view without `read_quietly` (the SDK's proxy, another pulumi-policy release) is read as before."""
    props = unknown_checking_proxy({"a": {"b": UNKNOWN_STRING_VALUE}, "c": [1, UNKNOWN_STRING_VALUE], "d": None})
    assert peek(props, "a", "b") is UNKNOWN and peek(props, "c", 1) is UNKNOWN
    assert peek(props, "c", 0) == 1 and peek(props, "d", default="x") == "x"
    assert peek(props) is props


def lazily_converted(type_token: str, name: str, props: dict[str, Any], **property_dependencies: Any) -> Any:
    """A stack resource whose properties are a `LazyProperties`, as `one_pass` hands them."""
    message = struct_pb2.Struct()
    message.update(props)
    made = resource(type_token, name, {}, **property_dependencies)
    made.props = lazy(message, CONVERSIONS["pack"])
    return made


@pytest.mark.parametrize("make", [resource, lazily_converted], ids=["sdk", "lazy"])
def test_refs_match_known_values_only_among_the_asked_types_in_stack_order(make):
    alb = make(T.LOAD_BALANCER[1], "alb", {"arn": "arn:lb", "name": "front"})
    role = make(T.IAM_ROLE[0], "role", {"arn": "arn:lb", "name": "front"})  # the same values, another type
    lb = make(T.LOAD_BALANCER[0], "lb", {"id": "arn:lb", "arn": UNKNOWN_STRING_VALUE})
    family = make(T.ECS_TASK_DEFINITION[0], "task", {"family": "front", "arn": ""})
    listener = make(T.LISTENER[0], "listener", {"loadBalancerArn": "arn:lb", "name": "front"})
    stack = Stack([alb, role, lb, family, listener])
    assert stack.refs(listener, ("loadBalancerArn",), T.LOAD_BALANCER) == Refs((alb, lb))
    assert stack.refs(listener, ("loadBalancerArn",), T.LOAD_BALANCER[:1]) == Refs((lb,))
    assert stack.refs(listener, ("loadBalancerArn",), T.IAM_ROLE) == Refs((role,))
    assert stack.refs(listener, ("loadBalancerArn",), T.VPC) == Refs((), ("arn:lb",))
    assert stack.refs(listener, ("name",), T.ECS_TASK_DEFINITION + T.IAM_ROLE) == Refs((role, family))
    assert stack.refs(family, ("arn",), T.ECS_TASK_DEFINITION) == Refs()  # an empty string names nothing


def test_ingress_into_is_every_permission_whose_targets_meet_the_groups():
    web = resource(T.SECURITY_GROUP[0], "web", {"id": "sg-web", "ingress": [{"protocol": "tcp", "fromPort": 80}]})
    tasks = resource(T.SECURITY_GROUP[0], "tasks", {"id": "sg-tasks", "ingress": [{"protocol": "-1"}]})
    rules = [
        resource(T.SECURITY_GROUP_RULE[0], "r5", {"type": "ingress", "securityGroupId": "sg-web"}),
        resource(T.SECURITY_GROUP_RULE[0], "r1", {"type": "ingress", "securityGroupId": "sg-tasks"}),
        # Enough permissions in between that a set of positions would not iterate in order.
        *(
            resource(T.SECURITY_GROUP_RULE[0], f"f{i}", {"type": "ingress", "securityGroupId": "sg-tasks"})
            for i in range(4)
        ),
        resource(T.SECURITY_GROUP_INGRESS_RULE[0], "r2", {"securityGroupId": "sg-elsewhere"}),
        resource(
            T.SECURITY_GROUP_INGRESS_RULE[0],
            "r3",
            {"securityGroupId": UNKNOWN_STRING_VALUE},
            securityGroupId=[web, tasks],  # one of two groups a preview cannot tell
        ),
        resource(T.SECURITY_GROUP_INGRESS_RULE[0], "r4", {"securityGroupId": UNKNOWN_STRING_VALUE}),
    ]
    stack = Stack([*rules[:2], web, *rules[2:], tasks])
    every = stack.ingress_rules
    assert len(every) == 11
    for groups in (
        Refs((web,)),
        Refs((tasks,)),
        Refs((tasks, web)),
        Refs((), ("sg-elsewhere",)),
        Refs((web,), ("sg-elsewhere",)),
        Refs(unresolved=True),
        Refs(),
    ):
        assert stack.ingress_into(groups) == [rule for rule in every if rule.targets.keys & groups.keys]
    assert [rule.declared_by.name for rule in stack.ingress_into(Refs((web,)))] == ["web", "r5", "r3"]
    assert stack.unplaced_ingress == [rule for rule in every if rule.targets.unresolved and not rule.targets.keys]
    assert [rule.declared_by.name for rule in stack.unplaced_ingress] == ["r4"]


def _routed_stack() -> tuple[list[Any], Any]:
    vpc = resource(T.VPC[0], "vpc", {"id": "vpc-1"})
    gateway = resource(T.INTERNET_GATEWAY[0], "igw", {"id": "igw-1"})
    public = resource(T.ROUTE_TABLE[0], "public", {"id": "rtb-1", "routes": []})
    subnet = resource(T.SUBNET[0], "subnet", {"id": "subnet-1", "vpcId": "vpc-1"})
    association = resource(T.ROUTE_TABLE_ASSOCIATION[0], "a", {"subnetId": "subnet-1", "routeTableId": "rtb-1"})
    route = resource(
        T.ROUTE[0],
        "r",
        {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": UNKNOWN_STRING_VALUE},
        gatewayId=[gateway],  # the gateway's id, unknown in a preview
    )
    return [vpc, gateway, public, subnet, association, route], subnet


def test_egress_is_worked_out_once_per_subnet_and_as_it_would_be_afresh(monkeypatch):
    resources, subnet = _routed_stack()
    stack = Stack(resources)
    egress = stack.egress_of(subnet)
    assert egress.kind == "internet-gateway" and [t.name for t in egress.route_tables] == ["public"]
    assert stack.egress_of(subnet) is egress
    monkeypatch.setattr(Stack, "remembers", False)
    fresh = Stack(resources)
    assert fresh.egress_of(subnet) == egress and fresh.egress_of(subnet) is not fresh.egress_of(subnet)


def _request_with_two_providers() -> Any:
    from pulumi.runtime.proto import analyzer_pb2

    def provider(region: str) -> Any:
        properties = struct_pb2.Struct()
        properties.update({"region": region, "version": "7.0.0"})
        return analyzer_pb2.AnalyzerProviderResource(
            type="pulumi:providers:aws", urn=f"urn:pulumi:dev::p::pulumi:providers:aws::{region}", name=region,
            properties=properties,
        )  # fmt: skip

    def made(name: str, region: str | None, **more: Any) -> Any:
        properties = struct_pb2.Struct()
        properties.update({"id": UNKNOWN_STRING_VALUE, "name": name})
        if region is not None:
            more["provider"] = provider(region)
        return analyzer_pb2.AnalyzerResource(
            type="aws:ec2/vpc:Vpc", urn=f"urn:pulumi:dev::p::aws:ec2/vpc:Vpc::{name}", name=name,
            properties=properties, **more,
        )  # fmt: skip

    options = analyzer_pb2.AnalyzerResourceOptions(protect=True, ignoreChanges=["tags"], parent="urn:p")
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            made("a", "us-east-1", options=options),
            made("b", "eu-west-1"),
            made("c", "us-east-1"),
            made("d", None),
        ]
    )


def options(opts: Any) -> dict[str, Any]:
    """A resource's options as comparable values."""
    return {
        key: vars(value) if key == "custom_timeouts" else list(value) if hasattr(value, "__len__") else value
        for key, value in vars(opts).items()
    }


def test_the_options_helper_keeps_the_sdks_at_hand():
    """`_stack_resources` reads each request once: it calls the SDK's helper, not its per-call cache."""

    def helper(servicer: Any, request: Any) -> Any:
        return (servicer, request)

    assert one_pass._per_request(helper).uncached is helper  # type: ignore[attr-defined]


@pytest.mark.parametrize("lazily", [False, True], ids=["whole", "lazy"])
def test_resources_of_one_provider_message_share_one_provider_as_the_sdk_builds_it(lazily, monkeypatch):
    from pulumi_policy import EnforcementLevel, StackValidationPolicy
    from pulumi_policy import policy as sdk

    assert not getattr(sdk.deserialize_properties, "shares", False)  # this process runs the SDK as is
    if lazily:
        conversion = one_pass.KeyByKey(sdk.deserialize_properties, sdk.unknown_checking_proxy, sdk_proxy._is_unknown)
        monkeypatch.setattr(one_pass, "_key_by_key", conversion)
    policy = StackValidationPolicy(name="any", description="does nothing", validate=lambda args, report: None)
    servicer = sdk._PolicyAnalyzerServicer("pack", "1.0.0", [policy], EnforcementLevel.ADVISORY)
    request = _request_with_two_providers()
    a, b, c, d = one_pass._stack_resources(servicer, request, sdk)
    assert a.provider is c.provider and b.provider is not a.provider and d.provider is None
    for built, message in zip((a, b, c, d), request.resources, strict=True):
        by_sdk = servicer._get_provider_resource(message)
        if by_sdk is None:
            continue
        assert (built.provider.resource_type, built.provider.urn, built.provider.name) == (
            by_sdk.resource_type,
            by_sdk.urn,
            by_sdk.name,
        )
        assert dict(built.provider.props) == dict(by_sdk.props)
        assert isinstance(built.provider.props, one_pass.LazyProperties) is lazily
        assert options(built.opts) == options(servicer._get_resource_options(message))
    assert (a.opts.protect, list(a.opts.ignore_changes), a.opts.parent) == (True, ["tags"], "urn:p")
