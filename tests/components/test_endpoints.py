"""VPC endpoints in the stack: only with vpcEndpoints, named for the stack's region, in the
private subnets and on their route tables, with the secrets and exec endpoints only when a
private service needs them."""

from __future__ import annotations

import pytest

from .conftest import PRIVATE_SUBNETS

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


@pytest.fixture(scope="module")
def endpoints_stack(committed_stack):
    return committed_stack("endpoints", preview=False)


def services_of(result, endpoint_type):
    return sorted(
        e.inputs["serviceName"] for e in result.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == endpoint_type
    )


def private_subnets(result):
    return sorted(r.id for r in result.of_type("aws:ec2/subnet:Subnet") if r.name.startswith("network-private-"))


def test_endpoints_are_named_for_the_stacks_region_and_cover_secrets_and_exec_when_used(production):
    assert services_of(production, "Interface") == [
        f"com.amazonaws.eu-west-1.{service}"
        for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages")
    ]
    assert services_of(production, "Gateway") == ["com.amazonaws.eu-west-1.s3"]


def test_interface_endpoints_sit_in_every_private_subnet_and_s3_on_every_private_route_table(production):
    subnets = private_subnets(production)
    assert len(subnets) == 3
    tables = sorted(
        t.id for t in production.of_type("aws:ec2/routeTable:RouteTable") if t.name.startswith("network-private-")
    )
    for endpoint in production.of_type(ENDPOINT):
        assert endpoint.inputs["vpcId"] == production.outputs["vpcId"]
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert sorted(endpoint.inputs["subnetIds"]) == subnets
        else:
            assert sorted(endpoint.inputs["routeTableIds"]) == tables


def test_the_endpoints_stack_pays_only_for_image_pull_and_logs(endpoints_stack):
    assert services_of(endpoints_stack, "Interface") == [
        "com.amazonaws.us-east-1.ecr.api",
        "com.amazonaws.us-east-1.ecr.dkr",
        "com.amazonaws.us-east-1.logs",
    ]
    assert services_of(endpoints_stack, "Gateway") == ["com.amazonaws.us-east-1.s3"]
    assert endpoints_stack.of_type("aws:ec2/natGateway:NatGateway") == []
    service = endpoints_stack.one("aws:ecs/service:Service", "app")
    assert sorted(service.inputs["networkConfiguration"]["subnets"]) == private_subnets(endpoints_stack)
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False


def test_the_endpoints_stack_runs_the_sample_app_built_from_source(endpoints_stack):
    image = endpoints_stack.one("awsx:ecr:Image", "app")
    assert (image.inputs["context"], image.inputs["dockerfile"], image.inputs["platform"]) == (
        "app",
        "app/Dockerfile",
        "linux/amd64",
    )
    assert endpoints_stack.one("aws:lb/targetGroup:TargetGroup", "app").inputs["healthCheck"]["path"] == "/healthz"
    assert endpoints_stack.one("aws:lb/targetGroup:TargetGroup", "app").inputs["port"] == 8080


def test_secrets_without_exec_get_the_secrets_endpoints_only(existing):
    assert services_of(existing, "Interface") == [
        f"com.amazonaws.us-east-1.{service}" for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm")
    ]
    for endpoint in existing.of_type(ENDPOINT):
        if endpoint.inputs["vpcEndpointType"] == "Interface":
            assert endpoint.inputs["subnetIds"] == PRIVATE_SUBNETS


def test_no_endpoints_unless_asked_for(dev, prod, default_vpc):
    for result in (dev, prod, default_vpc):
        assert result.of_type(ENDPOINT) == []
        assert result.of_type("fargate:network:VpcEndpoints") == []


# --------------------------------------------------------------------------- the component on its own
# VpcEndpoints built from args on a minimal private network (fixtures/image_and_endpoints):
# the endpoints private tasks need without NAT, named for the region, reachable on 443 only
# from the endpoint clients.

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
HTTPS = {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443}


def endpoints_of(result, endpoint_type):
    return {
        r.inputs["serviceName"]: r for r in result.of_type(ENDPOINT) if r.inputs["vpcEndpointType"] == endpoint_type
    }


def test_every_child_belongs_to_the_vpc_endpoints_component(applied):
    component = applied.one("fargate:network:VpcEndpoints", "endpoints")
    children = [r for r in applied.resources if r.parent == component.urn]
    assert {r.type for r in children} == {ENDPOINT, SECURITY_GROUP, INGRESS, EGRESS}
    assert len(children) == 7 + 2 + 2 + 2  # endpoints, groups, ingress rules, egress rules


def test_interface_endpoints_are_named_for_the_stacks_region_with_private_dns(applied):
    interface = endpoints_of(applied, "Interface")
    assert sorted(interface) == sorted(
        f"com.amazonaws.eu-west-1.{service}"
        for service in ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages")
    )
    endpoint_group = applied.outputs["endpointSecurityGroupId"]
    for endpoint in interface.values():
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["subnetIds"] == applied.outputs["subnetIds"]
        assert endpoint.inputs["securityGroupIds"] == [endpoint_group]


def test_s3_gateway_endpoint_is_on_the_private_route_tables(applied):
    gateway = endpoints_of(applied, "Gateway")
    assert list(gateway) == ["com.amazonaws.eu-west-1.s3"]
    assert gateway["com.amazonaws.eu-west-1.s3"].inputs["routeTableIds"] == applied.outputs["routeTableIds"]


def test_endpoint_group_admits_https_only_from_client_and_task_groups(applied):
    endpoint_group = applied.outputs["endpointSecurityGroupId"]
    group = next(r for r in applied.of_type(SECURITY_GROUP) if r.id == endpoint_group)
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    ingress = [r.inputs for r in applied.of_type(INGRESS) if r.inputs["securityGroupId"] == endpoint_group]
    assert sorted(rule["referencedSecurityGroupId"] for rule in ingress) == sorted(
        [applied.outputs["endpointClientSecurityGroupId"], applied.outputs["taskSecurityGroupId"]]
    )
    for rule in ingress:
        assert {key: rule[key] for key in HTTPS} == HTTPS
        assert not {"cidrIpv4", "cidrIpv6", "prefixListId"} & rule.keys()
    assert not [r for r in applied.of_type(EGRESS) if r.inputs["securityGroupId"] == endpoint_group]


def egress_of(result, security_group_id):
    return {rule.name: rule for rule in result.of_type(EGRESS) if rule.inputs["securityGroupId"] == security_group_id}


def test_client_group_reaches_the_interface_endpoints_over_https(applied):
    egress = egress_of(applied, applied.outputs["endpointClientSecurityGroupId"])
    assert sorted(egress) == ["endpoints-clients-to-endpoints", "endpoints-clients-to-s3"]
    rule = egress["endpoints-clients-to-endpoints"].inputs
    assert rule["referencedSecurityGroupId"] == applied.outputs["endpointSecurityGroupId"]
    assert {key: rule[key] for key in HTTPS} == HTTPS


def test_client_group_reaches_s3_through_the_gateway_over_https(applied):
    s3 = endpoints_of(applied, "Gateway")["com.amazonaws.eu-west-1.s3"]
    rule = egress_of(applied, applied.outputs["endpointClientSecurityGroupId"])["endpoints-clients-to-s3"]
    assert rule.inputs["prefixListId"] == s3.outputs["prefixListId"]
    assert rule.property_dependencies["prefixListId"] == [s3.urn]
    assert {key: rule.inputs[key] for key in HTTPS} == HTTPS


def test_endpoint_ids_are_exposed_per_service(applied):
    ids = applied.outputs["endpointIds"]
    assert sorted(ids) == sorted(["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "ssmmessages"])
    assert ids["ecr.dkr"] == endpoints_of(applied, "Interface")["com.amazonaws.eu-west-1.ecr.dkr"].id


def test_by_default_only_ecr_logs_and_s3_in_the_region_given(previewed):
    assert sorted(endpoints_of(previewed, "Interface")) == [
        "com.amazonaws.ap-southeast-2.ecr.api",
        "com.amazonaws.ap-southeast-2.ecr.dkr",
        "com.amazonaws.ap-southeast-2.logs",
    ]
    assert list(endpoints_of(previewed, "Gateway")) == ["com.amazonaws.ap-southeast-2.s3"]
