"""A VPC with one public subnet per availability zone (two zones), routed to an internet gateway."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class Network:
    vpc: aws.ec2.Vpc
    public_subnet_ids: list[pulumi.Output[str]]


def build_network(name: str, cidr: str) -> Network:
    vpc = aws.ec2.Vpc(name, cidr_block=cidr, enable_dns_hostnames=True, enable_dns_support=True)
    gateway = aws.ec2.InternetGateway(name, vpc_id=vpc.id)
    routes = aws.ec2.RouteTable(
        f"{name}-public", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}]
    )
    zones = aws.get_availability_zones(state="available").names[:2]
    prefix = cidr.split(".")
    subnet_ids = []
    for index, zone in enumerate(zones):
        subnet = aws.ec2.Subnet(
            f"{name}-public-{index}",
            vpc_id=vpc.id,
            availability_zone=zone,
            cidr_block=f"{prefix[0]}.{prefix[1]}.{index}.0/24",
        )
        aws.ec2.RouteTableAssociation(f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=routes.id)
        subnet_ids.append(subnet.id)
    flow_logs = aws.cloudwatch.LogGroup(f"{name}-flows", retention_in_days=30)
    aws.ec2.FlowLog(
        name,
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=flow_logs.arn,
        iam_role_arn=_flow_log_role(name).arn,
    )
    return Network(vpc=vpc, public_subnet_ids=subnet_ids)


def _flow_log_role(name: str) -> aws.iam.Role:
    role = aws.iam.Role(
        f"{name}-flows",
        assume_role_policy=aws.iam.get_policy_document(
            statements=[
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}],
                }
            ]
        ).json,
    )
    aws.iam.RolePolicy(
        f"{name}-flows",
        role=role.id,
        policy=aws.iam.get_policy_document(
            statements=[
                {
                    "actions": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "resources": ["*"],
                }
            ]
        ).json,
    )
    return role
