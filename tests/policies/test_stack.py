"""fargate_policies/_stack.py: the stack-wide view cross-resource rules read (references, ingress
rules, egress, zones, address ranges), on values as the SDK hands them to rules."""

import ipaddress

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
    """As the pack's one_pass hands them: each stack rule its own resources over the same props."""
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
