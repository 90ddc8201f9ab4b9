"""StackConfig: defaults across the stack, where services and the ALB can be placed, service names and counts."""

from __future__ import annotations

import pulumi
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from components.config import (
    parse_stack_config,
)

from ..conftest import PROJECT
from .conftest import (
    NGINX,
    PRIVATE,
    SSM,
    SUBNETS,
    VPC,
    WEB,
    error,
    existing,
    parse,
    web,
)


@pytest.mark.parametrize("stack_file", sorted(p.name for p in PROJECT.glob("Pulumi.*.yaml")))
def test_committed_stack_files_parse(stack_file, monkeypatch):
    monkeypatch.chdir(PROJECT)  # build contexts are relative to the project directory
    document = yaml.safe_load((PROJECT / stack_file).read_text())
    values = {key.split(":", 1)[1]: value for key, value in document["config"].items() if key.startswith("fargate:")}
    config = parse_stack_config(values, region=document["config"]["aws:region"])
    assert config.services


def test_defaults_are_the_documented_cheap_and_safe_ones():
    config = parse()
    assert (
        config.network.vpc,
        config.network.cidr_block,
        config.network.availability_zones,
        config.network.nat_gateways,
    ) == ("new", "10.0.0.0/16", 2, "none")
    assert (
        config.load_balancer.internal,
        config.load_balancer.ingress_cidrs,
        config.load_balancer.idle_timeout_seconds,
        config.load_balancer.deletion_protection,
    ) == (False, ("0.0.0.0/0", "::/0"), 60, False)
    assert config.cluster.container_insights is True
    service = config.services["web"]
    assert (service.cpu, service.memory, service.container_port, service.desired_count) == (256, 512, 80, 1)
    assert (service.subnets, service.assign_public_ip, service.log_retention_days) == ("public", True, 30)
    assert service.health_check.model_dump(by_alias=True) == {
        "path": "/",
        "matcher": "200-399",
        "intervalSeconds": 30,
        "timeoutSeconds": 5,
        "healthyThreshold": 3,
        "unhealthyThreshold": 3,
        "gracePeriodSeconds": 60,
    }
    assert service.routing.model_dump(by_alias=True) == {"pathPatterns": ("/*",), "hostHeaders": (), "priority": None}
    assert service.deployment.model_dump(by_alias=True) == {
        "strategy": "rolling",
        "canaryPercent": 10.0,
        "canaryBakeMinutes": 10,
        "stepPercent": 10.0,
        "stepBakeMinutes": 5,
        "bakeTimeMinutes": 10,
        "rollbackOnAlarms": True,
        "circuitBreaker": True,
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
    }
    assert (service.environment, service.sidecars, service.autoscaling) == ({}, {}, None)


def test_production_features_are_off_by_default_and_the_safe_ones_on():
    config = parse()
    balancer, service = config.load_balancer, config.services["web"]
    assert (balancer.certificate_arn, balancer.https, balancer.access_logs) == (None, False, None)
    assert (balancer.ssl_policy, balancer.drop_invalid_headers) == ("ELBSecurityPolicy-TLS13-1-2-2021-06", True)
    assert (config.network.vpc_endpoints, config.capacity_providers) == (False, [])
    assert (service.secrets, service.exec_command, service.capacity_providers) == ({}, False, None)
    assert (service.architecture, service.cpu_architecture, service.build) == ("x86_64", "X86_64", None)


def test_with_nat_services_default_to_private_subnets_without_public_ips():
    service = parse(network={"natGateways": "single"}).services["web"]
    assert (service.subnets, service.assign_public_ip) == ("private", False)
    service = parse(network={"natGateways": "per-az"}, **web(subnets="public")).services["web"]
    assert (service.subnets, service.assign_public_ip) == ("public", True)


def test_config_is_frozen():
    config = parse()
    with pytest.raises(ValidationError, match="Instance is frozen"):
        config.services["web"].cpu = 512  # type: ignore[misc]
    assert config.services["web"].cpu == 256


def test_private_subnets_need_nat_or_endpoints():
    assert error(**web(subnets="private")) == (
        "invalid stack config: fargate:services.web.subnets: 'private' is not allowed; 'public' while "
        "network.natGateways is 'none' and network.vpcEndpoints is off: "
        "tasks in private subnets need NAT or VPC endpoints to pull images"
    )
    assert parse(network={"vpcEndpoints": True}, **web(subnets="private")).services["web"].subnets == "private"


def test_where_tasks_go_by_default_follows_the_vpc_source():
    for network, subnets in (
        ({"vpc": "default"}, "public"),
        ({"vpcEndpoints": True}, "private"),
        (existing(publicSubnetIds=SUBNETS), "public"),
        (existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE), "private"),
    ):
        service = parse(network=network).services["web"]
        assert (service.subnets, service.assign_public_ip) == (subnets, subnets == "public"), network


def test_endpoints_include_secrets_and_exec_only_for_private_services_that_use_them():
    services = {
        "a": {"image": NGINX, "secrets": {"X": SSM}, "routing": {"pathPatterns": ["/a/*"]}},
        "b": {"image": NGINX, "execCommand": True, "subnets": "public"},
    }
    config = parse_stack_config({"network": {"vpcEndpoints": True}, "services": services})
    assert (config.endpoints_for_secrets, config.endpoints_for_exec) == (True, False)


def test_the_default_vpc_takes_no_shape_and_has_no_private_placement():
    message = error(
        {"subnets": "private"},
        network={"vpc": "default", "natGateways": "single", "vpcEndpoints": True, "vpcId": VPC},
        loadBalancer={"internal": True},
    )
    assert message.splitlines()[1:] == [
        "  fargate:network.natGateways: 'single' is not allowed; only with vpc 'new' "
        "(it shapes the VPC this stack builds; vpc is 'default')",
        f"  fargate:network.vpcId: {VPC!r} is not allowed; only with vpc 'existing' (vpc is 'default')",
        "  fargate:network.vpcEndpoints: true is not allowed; false with vpc 'default': its subnets are all "
        "public, and tasks there reach AWS through their public IPs",
    ]
    message = error({"subnets": "private"}, network={"vpc": "default"}, loadBalancer={"internal": True})
    no_private = (
        "the default VPC's subnets are all public "
        "(for private placement use network.vpc 'existing' with privateSubnetIds)"
    )
    assert message.splitlines()[1:] == [
        f"  fargate:loadBalancer.internal: true is not allowed; false with network.vpc 'default': {no_private}",
        f"  fargate:services.web.subnets: 'private' is not allowed; 'public' with network.vpc 'default': {no_private}",
    ]


def test_an_existing_vpc_needs_two_subnets_of_each_role_in_use():
    assert error(network=existing(publicSubnetIds=SUBNETS[:1])) == (
        f"invalid stack config: fargate:network.publicSubnetIds: [{SUBNETS[0]}] is not allowed; at least two "
        "subnets, in different AZs, for the internet-facing load balancer and services.web"
    )
    assert error(
        {"subnets": "public"}, network=existing(privateSubnetIds=PRIVATE), loadBalancer={"internal": True}
    ) == (
        "invalid stack config: fargate:network.publicSubnetIds: [] is not allowed; at least two "
        "subnets, in different AZs, for services.web"
    )
    assert error(network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE[:1])) == (
        f"invalid stack config: fargate:network.privateSubnetIds: [{PRIVATE[0]}] is not allowed; at least two "
        "subnets, in different AZs, for services.web"
    )
    # An internal ALB and private tasks need no public subnets at all.
    assert parse(network=existing(privateSubnetIds=PRIVATE), loadBalancer={"internal": True})


def test_endpoints_without_a_private_service_are_refused():
    assert error({"subnets": "public"}, network={"vpcEndpoints": True}) == (
        "invalid stack config: fargate:network.vpcEndpoints: true is not allowed; true only when a service "
        "runs in private subnets (the endpoints serve no one else, and bill per AZ-hour)"
    )


def test_listener_rule_priorities_and_routes_are_unique():
    services = {
        "web": {**WEB, "routing": {"priority": 5}},
        "api": {**WEB, "routing": {"priority": 5, "pathPatterns": ["/api/*"]}},
        "www": {**WEB, "routing": {"pathPatterns": ["/*"]}},
    }
    message = error(services=services)
    assert (
        "fargate:services.api.routing.priority: 5 is not allowed; "
        "a priority no other service uses (services.web has it)"
    ) in message
    assert "fargate:services.www.routing: " in message and "routes different from services.web's" in message


def test_missing_image_and_services_are_named():
    assert error(services={"web": {}}) == "invalid stack config: fargate:services.web.image: required key is missing"
    with pytest.raises(pulumi.RunError, match="^invalid stack config: fargate:services: required key is missing$"):
        parse_stack_config({})


@given(name=st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z").filter(lambda n: not n.startswith("sg-")))
def test_valid_service_names_are_accepted(name):
    assert list(parse_stack_config({"services": {name: WEB}}).services) == [name]


@given(
    name=st.text(min_size=1, max_size=30).filter(
        lambda n: (
            not (
                n[0].isascii()
                and n[0].islower()
                and len(n) <= 20
                and not n.startswith("sg-")
                and all(c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in n)
            )
        )
    )
)
def test_other_service_names_are_refused(name):
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config({"services": {name: WEB}})
    assert "a service name: lowercase letters, digits and '-', starting with a letter" in str(raised.value)


def test_service_names_that_would_name_a_security_group_sg_dash_are_refused():
    # The service's security group is autonamed "<service>-<suffix>"; EC2 refuses
    # group names starting with "sg-" (InvalidParameterValue).
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config({"services": {"sg-web": WEB}})
    assert str(raised.value) == (
        "invalid stack config: fargate:services.sg-web: 'sg-web' is not allowed; a service name: "
        "lowercase letters, digits and '-', starting with a letter, at most 20 characters, "
        "not starting with 'sg-'"
    )
    assert list(parse_stack_config({"services": {"sgweb": WEB}}).services) == ["sgweb"]


def test_at_most_fifty_services_fit_the_load_balancer_s_security_group():
    fifty = {f"s{i}": {**WEB, "routing": {"pathPatterns": [f"/s{i}/*"]}} for i in range(50)}
    assert len(parse_stack_config({"services": fifty}).services) == 50
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config({"services": {**fifty, "one-more": {**WEB, "routing": {"pathPatterns": ["/x/*"]}}}})
    assert str(raised.value).startswith("invalid stack config: fargate:services: ")
    assert "from 1 to 50 services (each adds a rule to the ALB's security group" in str(raised.value)
