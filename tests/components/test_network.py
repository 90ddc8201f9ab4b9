"""Network: subnets per AZ, routes to the internet gateway and to NAT by strategy."""

from __future__ import annotations

import ipaddress
import json

import pytest

from preflight import ProgramError, run
from preflight.aws import default_vpc_id, zones

from .conftest import PRIVATE_ROUTE_TABLES, PRIVATE_SUBNETS, PROJECT, PUBLIC_SUBNETS, VPC_ID

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"


def subnets(result, kind: str):
    return sorted((r for r in result.of_type(SUBNET) if r.name.startswith(f"network-{kind}-")), key=lambda r: r.name)


def route_table_of(result, subnet):
    association = result.one(ASSOCIATION, subnet.name)
    assert association.inputs["subnetId"] == subnet.id
    return next(t for t in result.of_type(ROUTE_TABLE) if t.id == association.inputs["routeTableId"])


def default_route(result, route_table):
    routes = [
        r
        for r in result.of_type(ROUTE)
        if r.inputs["routeTableId"] == route_table.id and r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    ]
    return routes[0] if routes else None


@pytest.mark.parametrize("kind", ["public", "private"])
def test_subnets_spread_over_distinct_azs_inside_the_vpc(dev, features, kind):
    for result, count in ((dev, 2), (features, 3)):
        vpc = result.one("aws:ec2/vpc:Vpc")
        found = subnets(result, kind)
        assert len(found) == count
        assert len({s.inputs["availabilityZone"] for s in found}) == count
        assert all(s.inputs["vpcId"] == vpc.id for s in found)
        network = ipaddress.IPv4Network(vpc.inputs["cidrBlock"])
        assert all(ipaddress.IPv4Network(s.inputs["cidrBlock"]).subnet_of(network) for s in found)


def test_subnet_blocks_do_not_overlap(features):
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in features.of_type(SUBNET)]
    assert len(blocks) == 6
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_vpc_has_dns_for_endpoints_and_a_name(dev):
    vpc = dev.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    # <project>-<stack>-<component>-<part>: the Network is named "network" in __main__.py.
    assert vpc.inputs["tags"]["Name"] == "fargate-dev-network-vpc"


def test_public_subnets_route_to_the_internet_gateway_and_hand_out_no_ips(dev):
    gateway = dev.one("aws:ec2/internetGateway:InternetGateway")
    for subnet in subnets(dev, "public"):
        assert subnet.inputs["mapPublicIpOnLaunch"] is False
        route = default_route(dev, route_table_of(dev, subnet))
        assert route.inputs["gatewayId"] == gateway.id


def test_what_takes_the_public_subnets_waits_for_their_route_to_the_internet_gateway(dev, prod):
    # An internet-facing ALB created before the gateway is attached fails with
    # "InvalidSubnet: VPC ... has no internet gateway"; nothing else orders them.
    for result in (dev, prod):
        internet = result.one(ROUTE, "network-public-internet")
        associations = {a.urn for a in result.of_type(ASSOCIATION) if a.name.startswith("network-public-")}
        alb = result.one("aws:lb/loadBalancer:LoadBalancer", "alb")
        assert {internet.urn, *associations} <= set(alb.property_dependencies["subnets"])
    # Tasks in public subnets pull their image through that route too.
    public_service = dev.one("aws:ecs/service:Service", "web")
    assert dev.one(ROUTE, "network-public-internet").urn in public_service.property_dependencies["networkConfiguration"]


def test_private_tasks_wait_for_their_nat_routes(prod):
    # Started before the route to NAT exists, a private task's first image pull fails.
    nat_routes = {r.urn for r in prod.of_type(ROUTE) if r.name.endswith("-nat")}
    assert len(nat_routes) == 2
    private_service = prod.one("aws:ecs/service:Service", "web")
    assert nat_routes <= set(private_service.property_dependencies["networkConfiguration"])


def test_without_nat_private_subnets_have_no_default_route(dev):
    assert dev.of_type(NAT) == [] and dev.of_type(EIP) == []
    for subnet in subnets(dev, "private"):
        assert default_route(dev, route_table_of(dev, subnet)) is None


def test_per_az_nat_keeps_each_private_subnet_in_its_own_az(prod):
    nats = prod.of_type(NAT)
    assert len(nats) == 2 and len(prod.of_type(EIP)) == 2
    public_by_id = {s.id: s for s in subnets(prod, "public")}
    for subnet in subnets(prod, "private"):
        nat_id = default_route(prod, route_table_of(prod, subnet)).inputs["natGatewayId"]
        nat = next(n for n in nats if n.id == nat_id)
        assert public_by_id[nat.inputs["subnetId"]].inputs["availabilityZone"] == subnet.inputs["availabilityZone"]
        assert prod.one("aws:ec2/internetGateway:InternetGateway").urn in nat.dependencies


def test_single_nat_serves_every_private_subnet(features):
    (nat,) = features.of_type(NAT)
    eip = features.one(EIP)
    assert nat.inputs["allocationId"] == eip.id and eip.inputs["domain"] == "vpc"
    for subnet in subnets(features, "private"):
        assert default_route(features, route_table_of(features, subnet)).inputs["natGatewayId"] == nat.id


def test_all_network_resources_are_children_of_the_component(dev):
    network = dev.one("fargate:network:Network", "network")
    aws_types = {"aws:ec2/vpc:Vpc", SUBNET, ROUTE, ROUTE_TABLE, ASSOCIATION, "aws:ec2/internetGateway:InternetGateway"}
    assert all(r.parent == network.urn for r in dev.resources if r.type in aws_types)


def test_more_azs_than_the_region_has_stops_the_program_naming_the_arg():
    # eu-north-1 has three zones (a, b, c).
    with pytest.raises(ProgramError) as error:
        run(
            PROJECT,
            "dev",
            policy_pack=None,
            stack_config={
                "aws:region": "eu-north-1",
                "fargate:network": {"availabilityZones": 4},
                "fargate:services": {"web": {"image": "nginx"}},
            },
        )
    assert str(error.value) == (
        "NetworkArgs.availability_zones: 4 is not available in this region; "
        "allowed: at most 3 (eu-north-1a, eu-north-1b, eu-north-1c)"
    )


# --------------------------------------------------------------------------- default and existing VPCs

# Everything `vpc: new` builds; the other sources build none of it.
VPC_RESOURCES = (
    "aws:ec2/vpc:Vpc",
    SUBNET,
    ROUTE,
    ROUTE_TABLE,
    ASSOCIATION,
    NAT,
    EIP,
    "aws:ec2/internetGateway:InternetGateway",
)


def test_default_vpc_is_looked_up_not_built(default_vpc):
    assert [r for r in default_vpc.resources if r.type in VPC_RESOURCES] == []
    network = default_vpc.one("fargate:network:Network", "network")
    assert default_vpc.children(network.urn) == []
    assert default_vpc.outputs["vpcId"] == default_vpc_id("us-east-1")


def test_on_the_default_vpc_alb_and_tasks_use_every_default_subnet_with_public_ips(default_vpc):
    alb = default_vpc.one("aws:lb/loadBalancer:LoadBalancer", "alb")
    service = default_vpc.one("aws:ecs/service:Service", "web")
    subnet_ids = alb.inputs["subnets"]
    # The default VPC has one default subnet per zone; the ids come sorted, so plans do not churn.
    assert len(set(subnet_ids)) == len(zones("us-east-1")) and subnet_ids == sorted(subnet_ids)
    assert all(subnet.startswith("subnet-") for subnet in subnet_ids) and alb.inputs["internal"] is False
    assert service.inputs["networkConfiguration"]["subnets"] == subnet_ids
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is True
    for group in default_vpc.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert group.inputs["vpcId"] == default_vpc.outputs["vpcId"]


def test_existing_vpc_is_used_by_id_and_builds_nothing(existing):
    assert [r for r in existing.resources if r.type in VPC_RESOURCES] == []
    assert existing.outputs["vpcId"] == VPC_ID
    assert existing.one("aws:lb/loadBalancer:LoadBalancer", "alb").inputs["subnets"] == PUBLIC_SUBNETS
    service = existing.one("aws:ecs/service:Service", "web")
    # Private by default: the VPC has private subnets and this stack gives them endpoints.
    assert service.inputs["networkConfiguration"]["subnets"] == PRIVATE_SUBNETS
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is False
    assert existing.one("aws:lb/targetGroup:TargetGroup", "web").inputs["vpcId"] == VPC_ID
    s3 = next(
        e for e in existing.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Gateway"
    )
    assert s3.inputs["routeTableIds"] == PRIVATE_ROUTE_TABLES and s3.inputs["vpcId"] == VPC_ID


# --------------------------------------------------------------------------- flow logs

FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
BUCKET = "arn:aws:s3:::example-flow-logs/vpc"


def flow_log_parts(result):
    """(flow log, log group, role, role policy) of the network, the last three None for S3."""
    network = result.one("fargate:network:Network", "network")
    kids = {r.type: r for r in result.children(network.urn) if r.name == "network-flow-logs"}
    return kids.get(FLOW_LOG), kids.get(LOG_GROUP), kids.get(ROLE), kids.get(ROLE_POLICY)


def test_a_new_vpc_logs_rejected_traffic_to_its_own_log_group_by_default(dev, prod):
    for result, stack, days in ((dev, "dev", 30), (prod, "prod", 90)):
        flow_log, log_group, role, policy = flow_log_parts(result)
        assert flow_log.inputs["vpcId"] == result.one("aws:ec2/vpc:Vpc").id
        assert (flow_log.inputs["trafficType"], flow_log.inputs["logDestinationType"]) == ("REJECT", "cloud-watch-logs")
        assert flow_log.inputs["logDestination"] == log_group.outputs["arn"]
        assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]
        assert log_group.inputs["name"] == f"/vpc/fargate-{stack}/flow-logs"
        # flowLogsRetentionDays: 30 by default, prod's 90 like its services' logs.
        assert log_group.inputs["retentionInDays"] == days
        # Delivery waits for the grant.
        assert policy.urn in flow_log.dependencies


def test_the_flow_log_role_is_for_this_accounts_flow_logs_and_writes_only_to_its_group(dev):
    _, log_group, role, policy = flow_log_parts(dev)
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ],
    }
    assert policy.inputs["role"] == role.id
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteFlowLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/vpc/fargate-dev/flow-logs:*",
            }
        ],
    }
    assert not role.inputs.get("managedPolicyArns") and not role.inputs.get("inlinePolicies")
    assert not dev.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_all_traffic_with_its_own_retention():
    result = run(
        PROJECT,
        "dev",
        policy_pack=None,
        stack_config={
            "aws:region": "us-east-1",
            "fargate:network": {"flowLogs": "all", "flowLogsRetentionDays": 90},
            "fargate:services": {"web": {"image": "nginx"}},
        },
    )
    flow_log, log_group, _, _ = flow_log_parts(result)
    assert flow_log.inputs["trafficType"] == "ALL" and log_group.inputs["retentionInDays"] == 90


def test_flow_logs_to_a_bucket_need_no_log_group_and_no_role():
    result = run(
        PROJECT,
        "dev",
        policy_pack=None,
        stack_config={
            "aws:region": "us-east-1",
            "fargate:network": {"flowLogsBucketArn": BUCKET},
            "fargate:services": {"web": {"image": "nginx"}},
        },
    )
    flow_log, log_group, role, policy = flow_log_parts(result)
    assert (log_group, role, policy) == (None, None, None)
    assert flow_log.inputs["logDestinationType"] == "s3" and flow_log.inputs["logDestination"] == BUCKET
    assert "iamRoleArn" not in flow_log.inputs and flow_log.inputs["trafficType"] == "REJECT"


def test_vpcs_that_are_not_ours_get_flow_logs_only_when_asked(default_vpc, existing):
    for result in (default_vpc, existing):
        assert result.of_type(FLOW_LOG) == []
    for network, vpc_id in (
        ({"vpc": "default"}, default_vpc_id("us-east-1")),
        ({"vpc": "existing", "vpcId": VPC_ID, "publicSubnetIds": PUBLIC_SUBNETS}, VPC_ID),
    ):
        result = run(
            PROJECT,
            "dev",
            policy_pack=None,
            stack_config={
                "aws:region": "us-east-1",
                "fargate:network": {**network, "flowLogs": "rejected"},
                "fargate:services": {"web": {"image": "nginx", "subnets": "public"}},
            },
        )
        flow_log, log_group, _, _ = flow_log_parts(result)
        assert flow_log.inputs["vpcId"] == vpc_id and log_group is not None
        assert [r for r in result.resources if r.type in VPC_RESOURCES] == []


def test_flow_logs_off_builds_nothing():
    result = run(
        PROJECT,
        "dev",
        policy_pack=None,
        stack_config={
            "aws:region": "us-east-1",
            "fargate:network": {"flowLogs": "off"},
            "fargate:services": {"web": {"image": "nginx"}},
        },
    )
    assert flow_log_parts(result) == (None, None, None, None)
