"""fargate_policies/_stack.py: the stack-wide view cross-resource rules read (references, ingress
rules, egress, zones, address ranges), on values as the SDK hands them to rules."""

import ipaddress
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.fargate_policies import _types as T
from policies.fargate_policies._props import UNKNOWN
from policies.fargate_policies._stack import Ingress, Refs, Stack, contains_all, networks, service_is_fargate

from .conftest import resource


def test_refs_follow_values_when_known_and_dependencies_when_not():
    subnet = resource(T.SUBNET[0], "a", {"id": "subnet-1"})
    other = resource(T.SUBNET[0], "b", {"id": UNKNOWN_STRING_VALUE})
    group = resource(T.SECURITY_GROUP[0], "g", {"id": "sg-1"})
    service = resource(
        T.ECS_SERVICE[0],
        "s",
        {
            "networkConfiguration": {
                "subnets": ["subnet-1", UNKNOWN_STRING_VALUE, "subnet-looked-up"],
                "securityGroups": ["sg-1"],
            }
        },
        networkConfiguration=[other, group],
    )
    stack = Stack([subnet, other, group, service])
    refs = stack.refs(service, ("networkConfiguration", "subnets"), T.SUBNET)
    assert refs == Refs((subnet, other), ("subnet-looked-up",))
    assert stack.count_at(service, ("networkConfiguration", "subnets"), T.SUBNET) == 3


def test_an_unknown_value_without_a_dependency_is_unresolved():
    service = resource(T.ECS_SERVICE[0], "s", {"networkConfiguration": {"subnets": UNKNOWN_STRING_VALUE}})
    stack = Stack([service])
    assert stack.refs(service, ("networkConfiguration", "subnets"), T.SUBNET).unresolved
    assert stack.count_at(service, ("networkConfiguration", "subnets"), T.SUBNET) is UNKNOWN


@pytest.mark.parametrize(
    "protocol, low, high, expected",
    [
        ("tcp", 80, 80, True),
        ("tcp", 0, 1024, True),
        ("6", 80, 80, True),
        ("-1", 0, 0, True),
        ("all", None, None, True),
        ("tcp", 8080, 8080, False),
        ("udp", 80, 80, False),
        ("tcp", UNKNOWN, 80, UNKNOWN),
        (UNKNOWN, 80, 80, UNKNOWN),
    ],
)
def test_ingress_port_coverage(protocol, low, high, expected):
    rule = Ingress(
        None,  # type: ignore[arg-type]  # port coverage never reads who declared it
        Refs(),
        protocol,
        low,
        high,
        Refs(),
        False,
        (),
    )
    assert rule.admits_tcp_port(80) is expected


@pytest.mark.parametrize(
    "props, expected",
    [
        ({"launchType": "FARGATE"}, True),
        ({"launchType": "EC2"}, False),
        ({"capacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT"}]}, True),
        ({"capacityProviderStrategies": [{"capacityProvider": "my-asg-provider"}]}, False),
        # In a preview the launch type the program left out is computed, hence unknown.
        ({"launchType": UNKNOWN_STRING_VALUE}, False),
        ({"launchType": UNKNOWN_STRING_VALUE, "capacityProviderStrategies": [{"capacityProvider": "FARGATE"}]}, True),
        ({"capacityProviderStrategies": [{"capacityProvider": UNKNOWN_STRING_VALUE}]}, UNKNOWN),
        ({}, False),
    ],
)
def test_fargate_services(props, expected):
    assert service_is_fargate(unknown_checking_proxy(props)) is expected


def test_computed_outputs_left_out_by_the_program_are_not_taken_for_unknown_settings():
    """A preview of new resources: `ingress`, `routes`, `availabilityZone` are computed outputs."""
    vpc = resource(T.VPC[0], "vpc", {"id": UNKNOWN_STRING_VALUE})
    nat = resource(T.NAT_GATEWAY[0], "nat", {"id": UNKNOWN_STRING_VALUE})
    table = resource(
        T.ROUTE_TABLE[0],
        "private",
        {"id": UNKNOWN_STRING_VALUE, "vpcId": UNKNOWN_STRING_VALUE, "routes": UNKNOWN_STRING_VALUE},
        vpcId=[vpc],
    )
    subnet = resource(
        T.SUBNET[0],
        "private",
        {
            "id": UNKNOWN_STRING_VALUE,
            "vpcId": UNKNOWN_STRING_VALUE,
            "availabilityZone": UNKNOWN_STRING_VALUE,
            "availabilityZoneId": "use1-az1",
        },
        vpcId=[vpc],
    )
    association = resource(
        T.ROUTE_TABLE_ASSOCIATION[0],
        "private",
        {"subnetId": UNKNOWN_STRING_VALUE, "routeTableId": UNKNOWN_STRING_VALUE},
        subnetId=[subnet],
        routeTableId=[table],
    )
    route = resource(
        T.ROUTE[0],
        "default",
        {
            "routeTableId": UNKNOWN_STRING_VALUE,
            "destinationCidrBlock": "0.0.0.0/0",
            "natGatewayId": UNKNOWN_STRING_VALUE,
        },
        routeTableId=[table],
        natGatewayId=[nat],
    )
    group = resource(T.SECURITY_GROUP[0], "tasks", {"id": UNKNOWN_STRING_VALUE, "ingress": UNKNOWN_STRING_VALUE})
    built = resource(
        T.SECURITY_GROUP[0], "built", {"id": UNKNOWN_STRING_VALUE, "ingress": UNKNOWN_STRING_VALUE}, ingress=[group]
    )
    stack = Stack([vpc, nat, table, subnet, association, route, group, built])
    assert stack.egress_of(subnet).kind == "nat"
    assert stack.availability_zone(subnet) == "use1-az1"
    # No inline rules on `tasks`; `built` has inline rules made from another group's id: a doubt.
    assert [rule.declared_by.name for rule in stack.ingress_rules] == ["built"]
    assert stack.ingress_rules[0].admits_tcp_port(80) is UNKNOWN


# -- address ranges ------------------------------------------------------------------------------


@given(
    st.integers(min_value=8, max_value=30),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=0, max_value=8),
)
def test_a_range_contains_the_subnets_inside_it_and_no_wider_one(prefix, address, extra):
    outer = ipaddress.ip_network(f"{ipaddress.IPv4Address(address)}/{prefix}", strict=False)
    inner = list(outer.subnets(prefixlen_diff=min(extra, 32 - prefix)))
    assert contains_all([outer], inner)
    assert contains_all(inner, [outer])  # the pieces together cover the whole
    assert not contains_all(inner[1:], [outer]) or len(inner) == 1
    assert not contains_all([outer], [outer.supernet()])


def test_cidrs_of_the_other_ip_version_and_garbage_are_left_out():
    assert networks(["10.0.0.0/16", "::/0", "not-a-cidr", UNKNOWN, "10.1.2.3/16"], 4) == [
        ipaddress.ip_network("10.0.0.0/16"),
        ipaddress.ip_network("10.1.0.0/16"),
    ]
    assert networks(["10.0.0.0/16", "2600:1f18::/56"], 6) == [ipaddress.ip_network("2600:1f18::/56")]


def test_stack_rules_handed_the_same_properties_share_one_index():
    """As a pack that converts each message once per call hands them: each stack rule its own
    resources over the same props."""
    group = resource(T.SECURITY_GROUP[0], "g", {"id": "sg-1"})
    service = resource(T.ECS_SERVICE[0], "s", {"networkConfiguration": {"securityGroups": ["sg-1"]}})

    def again(r):
        return type(r)(r.resource_type, r.props, r.urn, r.name, r.opts, r.provider, None, [], {})

    first = Stack.of([group, service])
    assert Stack.of([again(group), again(service)]) is first
    assert first.of_type(T.SECURITY_GROUP) == [group]
    # Other properties (another call, or a pack that converts per rule): an index of their own.
    fresh = resource(T.SECURITY_GROUP[0], "g", {"id": "sg-1"})
    assert Stack.of([fresh, service]) is not first
    assert Stack.of([fresh, service]).of_type(T.SECURITY_GROUP) == [fresh]


def test_of_type_keeps_the_stack_order_across_types():
    listener = resource(T.LISTENER[0], "a", {})
    alb_listener = resource(T.LISTENER[1], "b", {})
    later = resource(T.LISTENER[0], "c", {})
    stack = Stack([listener, alb_listener, later])
    assert stack.of_type(T.LISTENER) == [listener, alb_listener, later]
    assert stack.of_type(T.LISTENER[:1]) == [listener, later]
    assert stack.of_type(T.VPC) == []


def test_refs_answers_each_question_once_and_as_it_would_afresh():
    subnet = resource(T.SUBNET[0], "a", {"id": "subnet-1"})
    other = resource(T.SUBNET[0], "b", {"id": UNKNOWN_STRING_VALUE})
    group = resource(T.SECURITY_GROUP[0], "g", {"id": "sg-1"})
    props = {"networkConfiguration": {"subnets": ["subnet-1", UNKNOWN_STRING_VALUE], "securityGroups": ["sg-1"]}}
    service = resource(T.ECS_SERVICE[0], "s", props, networkConfiguration=[other, group])
    twin = resource(T.ECS_SERVICE[0], "t", props)  # the same values, no dependencies: another answer
    questions = [
        (service, ("networkConfiguration", "subnets"), T.SUBNET),
        (service, ["networkConfiguration", "subnets"], list(T.SUBNET)),  # the same question
        (service, ("networkConfiguration", "securityGroups"), T.SECURITY_GROUP),
        (service, ("networkConfiguration", "subnets"), T.SECURITY_GROUP),
        (twin, ("networkConfiguration", "subnets"), T.SUBNET),
    ]
    stack = Stack([subnet, other, group, service, twin])
    remembered = [stack.refs(*question) for question in questions]
    assert remembered[0] is remembered[1] is stack.refs(*questions[0])
    assert remembered[0] == Refs((subnet, other))
    assert remembered[3] == Refs((group,), ("subnet-1",)) and remembered[4] == Refs((subnet,))
    assert len({id(refs) for refs in remembered}) == 4
    assert remembered[0].keys is remembered[0].keys  # computed once
    afresh = [Stack([subnet, other, group, service, twin]).refs(*question) for question in questions]
    assert afresh == remembered


def test_referring_is_every_refs_question_turned_around():
    role = resource(T.IAM_ROLE[0], "task", {"name": "task-role", "arn": "arn:aws:iam::1:role/task"})
    other = resource(T.IAM_ROLE[0], "exec", {"name": "exec-role", "arn": "arn:aws:iam::1:role/exec"})
    policies = [
        resource(T.IAM_ROLE_POLICY[0], "p1", {"role": "task-role"}),
        resource(T.IAM_ROLE_POLICY[0], "p2", {"role": UNKNOWN_STRING_VALUE}, role=[other]),
        resource(T.IAM_ROLE_POLICY[0], "p3", {"role": "somewhere-else"}),
        resource(T.IAM_ROLE_POLICY[0], "p4", {"role": "task-role"}),
        resource(T.IAM_ROLE_POLICY[0], "p5", {"role": UNKNOWN_STRING_VALUE}),  # names no one it can tell
    ]
    stack = Stack([policies[0], role, *policies[1:], other])
    referring = stack.referring(T.IAM_ROLE_POLICY, ("role",), T.IAM_ROLE)
    for named in (role, other, policies[0]):
        brute = [p for p in stack.of_type(T.IAM_ROLE_POLICY) if named in stack.refs(p, ("role",), T.IAM_ROLE).resources]
        assert referring.get(named, []) == brute
    assert referring[role] == [policies[0], policies[3]] and referring[other] == [policies[1]]
    assert stack.referring(T.IAM_ROLE_POLICY, ("role",), T.IAM_ROLE) is referring  # worked out once


def test_once_computes_an_answer_once_per_index():
    calls = []

    def compute():
        calls.append(1)
        return [len(calls)]

    stack = Stack([])
    assert stack.once("k", compute) is stack.once("k", compute) and calls == [1]
    assert Stack([]).once("k", compute) == [2]  # another index


def test_refs_match_known_values_only_among_the_asked_types_in_stack_order():
    make = resource
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


def test_egress_is_worked_out_once_per_subnet_and_as_it_would_be_afresh():
    resources, subnet = _routed_stack()
    stack = Stack(resources)
    egress = stack.egress_of(subnet)
    assert egress.kind == "internet-gateway" and [t.name for t in egress.route_tables] == ["public"]
    assert stack.egress_of(subnet) is egress
    assert Stack(resources).egress_of(subnet) == egress
