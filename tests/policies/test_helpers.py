"""The pack's readers, on values as the SDK hands them to rules (unknown-checking proxies)."""

import ipaddress
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.fargate_policies import _types as T
from policies.fargate_policies._props import UNKNOWN, peek
from policies.fargate_policies._stack import Ingress, Refs, Stack, contains_all, networks, service_is_fargate
from policies.fargate_policies.ecs import (
    FARGATE_TASK_SIZES,
    SECRETS_CONFIG,
    _size,
    name_words,
    plainly_not_secret,
    secret_name,
    secret_value,
)
from policies.fargate_policies.iam import grants_admin
from policies.fargate_policies.network import _admits, _balancer_ranges

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


# -- secret names, values and secret-ness ------------------------------------------------------

WORDS = st.lists(st.sampled_from(["DB", "PASSWORD", "TOKEN", "ACCESS", "EXPIRE", "MINUTES", "API", "KEY",
                                  "REDIS", "PWD", "URL", "2", "PASSENGER", "AUTH", "HEADER"]),
                 min_size=1, max_size=5)


def camel(words):
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])


@given(WORDS, st.sampled_from(["_", "-", "camel"]))
def test_a_name_splits_into_the_same_words_however_it_is_joined(words, style):
    name = camel(words) if style == "camel" else style.join(words)
    if style == "camel" and any(a.isdigit() and b.isdigit() for a, b in zip(words, words[1:])):
        return  # "22" cannot tell where one number ends
    assert name_words(name) == words


@given(WORDS)
def test_a_name_is_a_secret_by_a_whole_word_unless_a_property_word_clears_it(words):
    secret_words = SECRETS_CONFIG.properties["secretWords"]["default"]
    property_words = SECRETS_CONFIG.properties["propertyWords"]["default"]
    found = secret_name("_".join(words), secret_words, property_words)
    cleared = any(w in ("EXPIRE", "MINUTES", "URL", "HEADER") for w in words)
    named = any(w in ("PASSWORD", "TOKEN", "PWD", "AUTH") for w in words) or any(
        a == "API" and b == "KEY" for a, b in zip(words, words[1:]))
    assert (found is not None) == (named and not cleared)


def test_names_real_programs_use():
    secret_words = SECRETS_CONFIG.properties["secretWords"]["default"]
    property_words = SECRETS_CONFIG.properties["propertyWords"]["default"]
    judged = {name: secret_name(name, secret_words, property_words) for name in [
        "ACCESS_TOKEN_EXPIRE_MINUTES", "REFRESH_TOKEN_EXPIRE_DAYS", "REDIS_PWD", "APIKey", "privateKey",
        "AWS_SECRET_ACCESS_KEY", "DB_SECRET_ARN", "PASSENGER_COUNT", "OAUTH_CALLBACK", "DB_CREDENTIALS",
        "AUTH_ENABLED", "AUTH_MODE", "ADMIN_USER_PASSWORD"]}
    assert judged == {
        "ACCESS_TOKEN_EXPIRE_MINUTES": None, "REFRESH_TOKEN_EXPIRE_DAYS": None, "REDIS_PWD": "PWD",
        "APIKey": "API KEY", "privateKey": "PRIVATE KEY", "AWS_SECRET_ACCESS_KEY": "SECRET",
        "DB_SECRET_ARN": None, "PASSENGER_COUNT": None, "OAUTH_CALLBACK": None, "DB_CREDENTIALS": "CREDENTIALS",
        "AUTH_ENABLED": None, "AUTH_MODE": None, "ADMIN_USER_PASSWORD": "PASSWORD"}


@pytest.mark.parametrize("value, expected", [
    ("true", True), ("OFF", True), ("disabled", True), ("/app", True), ("/run/secrets/db", True),
    ("hunter2", False), ("1234", False), ("//host/share", False), ("/ has spaces", False), ("", False),
])
def test_switches_and_paths_are_plainly_not_secrets(value, expected):
    assert plainly_not_secret(value) is expected


@given(st.sampled_from(["postgresql", "mysql", "redis", "amqp", "mongodb+srv", "https"]),
       st.text(alphabet="abcdefghij_.", max_size=8), st.text(alphabet="abcXYZ019!%*", min_size=1, max_size=12),
       st.sampled_from(["db.internal", "10.0.0.5:5432", "host"]))
def test_a_url_is_a_credential_exactly_when_it_carries_a_password(scheme, user, password, host):
    assert secret_value(f"{scheme}://{user}:{password}@{host}/app") == "a URL with a password in it"
    assert secret_value(f"{scheme}://{user}@{host}/app") is None
    assert secret_value(f"{scheme}://{host}/app") is None
    assert secret_value(f"{scheme}://{user}:${{DB_PASSWORD}}@{host}/app") is None


def test_the_pack_deserializer_marks_secrets_and_keeps_everything_else_as_the_sdk_does():
    from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties

    from policies.fargate_policies import _secrets

    def secret(value):
        return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}

    wire = {"plain": "a", "known": secret("hunter2"), "unknown": secret(UNKNOWN_STRING_VALUE),
            "nested": {"list": [1.0, secret({"k": "v", "n": 2.0})]}}
    marking = _secrets._secret_marking(deserialize_properties)(wire)
    assert marking == deserialize_properties(wire)
    props = unknown_checking_proxy(marking)
    assert not _secrets.is_secret(props["plain"]) and _secrets.is_secret(props["known"])
    assert _secrets.is_secret(_secrets.raw(props, "unknown"))
    with pytest.raises(UnknownValueError):
        props["unknown"]
    assert _secrets.contains_secret(props["nested"]) and not _secrets.contains_secret(props["nested"]["list"][0])
    assert json.loads(json.dumps({"v": props["known"]})) == {"v": "hunter2"}


# -- address ranges ------------------------------------------------------------------------------

@given(st.integers(min_value=8, max_value=30), st.integers(min_value=0, max_value=2**32 - 1),
       st.integers(min_value=0, max_value=8))
def test_a_range_contains_the_subnets_inside_it_and_no_wider_one(prefix, address, extra):
    outer = ipaddress.ip_network(f"{ipaddress.IPv4Address(address)}/{prefix}", strict=False)
    inner = list(outer.subnets(prefixlen_diff=min(extra, 32 - prefix)))
    assert contains_all([outer], inner)
    assert contains_all(inner, [outer])  # the pieces together cover the whole
    assert not contains_all(inner[1:], [outer]) or len(inner) == 1
    assert not contains_all([outer], [outer.supernet()])


def test_cidrs_of_the_other_ip_version_and_garbage_are_left_out():
    assert networks(["10.0.0.0/16", "::/0", "not-a-cidr", UNKNOWN, "10.1.2.3/16"], 4) == [
        ipaddress.ip_network("10.0.0.0/16"), ipaddress.ip_network("10.1.0.0/16")]
    assert networks(["10.0.0.0/16", "2600:1f18::/56"], 6) == [ipaddress.ip_network("2600:1f18::/56")]


def test_the_alb_addresses_fall_back_to_its_vpc_cidrs_when_its_subnets_cidrs_are_unknown():
    """Subnets whose cidrBlock is computed from an output (unknown in a preview): the VPC's primary and
    associated CIDR blocks stand for the ALB's addresses."""
    vpc = resource(T.VPC[0], "vpc", {"id": "vpc-1", "cidrBlock": "10.0.0.0/16"})
    extra = resource(T.VPC_IPV4_CIDR_ASSOCIATION[0], "extra", {"vpcId": "vpc-1", "cidrBlock": "100.64.0.0/16"})
    subnets = [resource(T.SUBNET[0], f"public-{i}", {"id": f"subnet-{i}", "vpcId": "vpc-1",
                                                      "cidrBlock": UNKNOWN_STRING_VALUE}, cidrBlock=[vpc])
               for i in range(2)]
    alb = resource(T.LOAD_BALANCER[0], "alb", {"subnets": ["subnet-0", "subnet-1"]})
    target_group = resource(T.TARGET_GROUP[0], "web", {"vpcId": "vpc-1"})
    stack = Stack([vpc, extra, *subnets, alb, target_group])
    ranges, described = _balancer_ranges(stack, alb, target_group, 4)
    assert ranges == [ipaddress.ip_network("10.0.0.0/16"), ipaddress.ip_network("100.64.0.0/16")]
    assert described == "its VPC 'vpc' 10.0.0.0/16, 100.64.0.0/16"
    assert not contains_all([ipaddress.ip_network("10.0.0.0/16")], ranges)
