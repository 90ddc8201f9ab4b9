"""The pack's readers, on values as the SDK hands them to rules (unknown-checking proxies)."""

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.fargate_policies import _types as T
from policies.fargate_policies._props import UNKNOWN, peek
from policies.fargate_policies._stack import Ingress, Refs, Stack, service_is_fargate
from policies.fargate_policies.ecs import FARGATE_TASK_SIZES, _size
from policies.fargate_policies.iam import grants_admin
from policies.fargate_policies.network import _admits

OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def resource(type_token, name, props, **property_dependencies):
    return PolicyResource(type_token, unknown_checking_proxy(props), f"urn:pulumi:s::p::{type_token}::{name}",
                          name, OPTIONS, None, None, [], dict(property_dependencies))


def test_peek_turns_an_unknown_into_a_marker_instead_of_an_error():
    props = unknown_checking_proxy({"a": {"b": UNKNOWN_STRING_VALUE}, "c": [1, UNKNOWN_STRING_VALUE]})
    assert peek(props, "a", "b") is UNKNOWN
    assert peek(props, "c", 1) is UNKNOWN
    assert peek(props, "c", 0) == 1
    assert peek(props, "missing", default="x") == "x"


def test_refs_follow_values_when_known_and_dependencies_when_not():
    subnet = resource(T.SUBNET[0], "a", {"id": "subnet-1"})
    other = resource(T.SUBNET[0], "b", {"id": UNKNOWN_STRING_VALUE})
    group = resource(T.SECURITY_GROUP[0], "g", {"id": "sg-1"})
    service = resource(T.ECS_SERVICE[0], "s", {"networkConfiguration": {
        "subnets": ["subnet-1", UNKNOWN_STRING_VALUE, "subnet-looked-up"], "securityGroups": ["sg-1"]}},
        networkConfiguration=[other, group])
    stack = Stack([subnet, other, group, service])
    refs = stack.refs(service, ("networkConfiguration", "subnets"), T.SUBNET)
    assert refs == Refs((subnet, other), ("subnet-looked-up",))
    assert stack.count_at(service, ("networkConfiguration", "subnets"), T.SUBNET) == 3


def test_an_unknown_value_without_a_dependency_is_unresolved():
    service = resource(T.ECS_SERVICE[0], "s", {"networkConfiguration": {"subnets": UNKNOWN_STRING_VALUE}})
    stack = Stack([service])
    assert stack.refs(service, ("networkConfiguration", "subnets"), T.SUBNET).unresolved
    assert stack.count_at(service, ("networkConfiguration", "subnets"), T.SUBNET) is UNKNOWN


@pytest.mark.parametrize("protocol, low, high, expected", [
    ("tcp", 80, 80, True), ("tcp", 0, 1024, True), ("6", 80, 80, True), ("-1", 0, 0, True),
    ("all", None, None, True), ("tcp", 8080, 8080, False), ("udp", 80, 80, False),
    ("tcp", UNKNOWN, 80, UNKNOWN), (UNKNOWN, 80, 80, UNKNOWN),
])
def test_ingress_port_coverage(protocol, low, high, expected):
    rule = Ingress(None, Refs(), protocol, low, high, Refs(), False, ())
    assert rule.admits_tcp_port(80) is expected


@pytest.mark.parametrize("cpu, memory", [("256", "512"), ("0.25 vCPU", "0.5 GB"), ("1 vcpu", "8GB"),
                                         ("16384", "122880")])
def test_valid_fargate_sizes_in_any_unit(cpu, memory):
    assert _size(memory, "gb", 1024) in FARGATE_TASK_SIZES[_size(cpu, "vcpu", 1024)]


@pytest.mark.parametrize("cpu, memory", [("256", "4096"), ("512", "512"), ("8192", "18432"), ("1024", "1.5 GB")])
def test_invalid_fargate_sizes(cpu, memory):
    assert _size(memory, "gb", 1024) not in FARGATE_TASK_SIZES.get(_size(cpu, "vcpu", 1024), ())


@pytest.mark.parametrize("document, expected", [
    ('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}', True),
    ('{"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["*"]}}', True),
    ('{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}', False),
    ('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}', False),
    ('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]}', False),
    (UNKNOWN, UNKNOWN),
])
def test_admin_statements(document, expected):
    assert grants_admin(document) is expected


@pytest.mark.parametrize("props, expected", [
    ({"launchType": "FARGATE"}, True),
    ({"launchType": "EC2"}, False),
    ({"capacityProviderStrategies": [{"capacityProvider": "FARGATE_SPOT"}]}, True),
    ({"capacityProviderStrategies": [{"capacityProvider": "my-asg-provider"}]}, False),
    # In a preview the launch type the program left out is computed, hence unknown.
    ({"launchType": UNKNOWN_STRING_VALUE}, False),
    ({"launchType": UNKNOWN_STRING_VALUE, "capacityProviderStrategies": [{"capacityProvider": "FARGATE"}]}, True),
    ({"capacityProviderStrategies": [{"capacityProvider": UNKNOWN_STRING_VALUE}]}, UNKNOWN),
    ({}, False),
])
def test_fargate_services(props, expected):
    assert service_is_fargate(unknown_checking_proxy(props)) is expected


def test_computed_outputs_left_out_by_the_program_are_not_taken_for_unknown_settings():
    """A preview of new resources: `ingress`, `routes`, `availabilityZone` are computed outputs."""
    vpc = resource(T.VPC[0], "vpc", {"id": UNKNOWN_STRING_VALUE})
    nat = resource(T.NAT_GATEWAY[0], "nat", {"id": UNKNOWN_STRING_VALUE})
    table = resource(T.ROUTE_TABLE[0], "private", {"id": UNKNOWN_STRING_VALUE, "vpcId": UNKNOWN_STRING_VALUE,
                                                   "routes": UNKNOWN_STRING_VALUE}, vpcId=[vpc])
    subnet = resource(T.SUBNET[0], "private", {"id": UNKNOWN_STRING_VALUE, "vpcId": UNKNOWN_STRING_VALUE,
                                               "availabilityZone": UNKNOWN_STRING_VALUE,
                                               "availabilityZoneId": "use1-az1"}, vpcId=[vpc])
    association = resource(T.ROUTE_TABLE_ASSOCIATION[0], "private", {
        "subnetId": UNKNOWN_STRING_VALUE, "routeTableId": UNKNOWN_STRING_VALUE},
        subnetId=[subnet], routeTableId=[table])
    route = resource(T.ROUTE[0], "default", {"routeTableId": UNKNOWN_STRING_VALUE, "destinationCidrBlock": "0.0.0.0/0",
                                             "natGatewayId": UNKNOWN_STRING_VALUE},
                     routeTableId=[table], natGatewayId=[nat])
    group = resource(T.SECURITY_GROUP[0], "tasks", {"id": UNKNOWN_STRING_VALUE, "ingress": UNKNOWN_STRING_VALUE})
    built = resource(T.SECURITY_GROUP[0], "built", {"id": UNKNOWN_STRING_VALUE, "ingress": UNKNOWN_STRING_VALUE},
                     ingress=[group])
    stack = Stack([vpc, nat, table, subnet, association, route, group, built])
    assert stack.egress_of(subnet).kind == "nat"
    assert stack.availability_zone(subnet) == "use1-az1"
    # No inline rules on `tasks`; `built` has inline rules made from another group's id: a doubt.
    assert [rule.declared_by.name for rule in stack.ingress_rules] == ["built"]
    assert stack.ingress_rules[0].admits_tcp_port(80) is UNKNOWN


@pytest.mark.parametrize("second_entry_ports, expected", [((8080, 8080), UNKNOWN), ((0, 1024), True)])
def test_inline_entries_sharing_unknown_sources_admit_the_alb_only_if_each_of_them_would(second_entry_ports, expected):
    """A preview: two inline entries name groups by unknown ids, and the `ingress` input depends on
    the bastion's and the ALB's group. Which entry names the ALB's is unknowable, so TCP 80 from the
    ALB is certain only if both entries cover 80."""
    bastion = resource(T.SECURITY_GROUP[0], "bastion", {"id": UNKNOWN_STRING_VALUE})
    alb = resource(T.SECURITY_GROUP[0], "alb", {"id": UNKNOWN_STRING_VALUE})
    low, high = second_entry_ports
    tasks = resource(T.SECURITY_GROUP[0], "tasks", {"id": UNKNOWN_STRING_VALUE, "ingress": [
        {"protocol": "tcp", "fromPort": 80, "toPort": 80, "securityGroups": [UNKNOWN_STRING_VALUE]},
        {"protocol": "tcp", "fromPort": low, "toPort": high, "securityGroups": [UNKNOWN_STRING_VALUE]},
    ]}, ingress=[bastion, alb])
    stack = Stack([bastion, alb, tasks])
    assert _admits(stack, Refs((tasks,)), Refs((alb,)), 80) is expected
