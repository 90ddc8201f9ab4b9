"""VPC endpoints in the stack: only with vpcEndpoints, named for the stack's region, in the
private subnets and on their route tables, with the secrets and exec endpoints only when a
private service needs them."""

from __future__ import annotations

import pytest

from preflight import run

from .conftest import PRIVATE_SUBNETS, PROJECT

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


@pytest.fixture(scope="module")
def endpoints_stack():
    return run(PROJECT, "endpoints", policy_pack=None)


def services_of(result, endpoint_type):
    return sorted(e.inputs["serviceName"] for e in result.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == endpoint_type)


def private_subnets(result):
    return sorted(r.id for r in result.of_type("aws:ec2/subnet:Subnet") if r.name.startswith("network-private-"))


def test_endpoints_are_named_for_the_stacks_region_and_cover_secrets_and_exec_when_used(production):
    assert services_of(production, "Interface") == [f"com.amazonaws.eu-west-1.{service}" for service in (
        "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages")]
    assert services_of(production, "Gateway") == ["com.amazonaws.eu-west-1.s3"]


def test_interface_endpoints_sit_in_every_private_subnet_and_s3_on_every_private_route_table(production):
    subnets = private_subnets(production)
    assert len(subnets) == 3
    tables = sorted(t.id for t in production.of_type("aws:ec2/routeTable:RouteTable")
                    if t.name.startswith("network-private-"))
    for endpoint in production.of_type(ENDPOINT):
        assert endpoint.inputs["vpcId"] == production.outputs["vpcId"]
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert sorted(endpoint.inputs["subnetIds"]) == subnets
        else:
            assert sorted(endpoint.inputs["routeTableIds"]) == tables


def test_the_endpoints_stack_pays_only_for_image_pull_and_logs(endpoints_stack):
    assert services_of(endpoints_stack, "Interface") == [
        "com.amazonaws.us-east-1.ecr.api", "com.amazonaws.us-east-1.ecr.dkr", "com.amazonaws.us-east-1.logs"]
    assert services_of(endpoints_stack, "Gateway") == ["com.amazonaws.us-east-1.s3"]
    assert endpoints_stack.of_type("aws:ec2/natGateway:NatGateway") == []
    service = endpoints_stack.one("aws:ecs/service:Service", "app")
    assert sorted(service.inputs["networkConfiguration"]["subnets"]) == private_subnets(endpoints_stack)
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False


def test_the_endpoints_stack_runs_the_sample_app_built_from_source(endpoints_stack):
    image = endpoints_stack.one("awsx:ecr:Image", "app")
    assert (image.inputs["context"], image.inputs["dockerfile"], image.inputs["platform"]) == (
        "app", "app/Dockerfile", "linux/amd64")
    assert endpoints_stack.one("aws:lb/targetGroup:TargetGroup", "app").inputs["healthCheck"]["path"] == "/healthz"
    assert endpoints_stack.one("aws:lb/targetGroup:TargetGroup", "app").inputs["port"] == 8080


def test_secrets_without_exec_get_the_secrets_endpoints_only(existing):
    assert services_of(existing, "Interface") == [f"com.amazonaws.us-east-1.{service}" for service in (
        "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm")]
    for endpoint in existing.of_type(ENDPOINT):
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert endpoint.inputs["subnetIds"] == PRIVATE_SUBNETS


def test_no_endpoints_unless_asked_for(dev, prod, default_vpc):
    for result in (dev, prod, default_vpc):
        assert result.of_type(ENDPOINT) == []
        assert result.of_type("fargate:network:VpcEndpoints") == []
