"""Network: the VPC the load balancer and the tasks live in.

Whatever backs it, a ``Network`` presents the same three attributes, which are
all the load balancer and the services use:

- ``vpc_id``: ``Output[str]``
- ``public_subnet_ids`` / ``private_subnet_ids``: ``Output[list[str]]``, one per AZ

``NetworkArgs.vpc``: ``new`` builds a VPC with a public and a private subnet
in each of N availability zones, an internet gateway, and NAT gateways by
strategy. ``default`` looks up the account's default VPC and its default
subnets (one per AZ, all public: there are no private subnets). ``existing``
takes the ids it is given (plain or Outputs) as they are. Neither creates a
VPC resource.

VPC flow logs (``flow_logs``, on for a new VPC, off for the others unless
asked) go to a log group of this Network through a role that may write only
there, or to an S3 bucket given by ARN. Children are named, and Name-tagged,
after the Network (``<project>-<stack>-<name>-vpc``), so two coexist.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Optional

import pulumi
import pulumi_aws as aws

from .aws_limits import AVAILABILITY_ZONES, VPC_PREFIX_LENGTHS, subnet_cidrs
from .iam import policy, statement, trust_policy
from .naming import name_tag, qualified_name
from .validation import ArgsError, check, check_log_retention, check_one_of, check_range


@dataclass(kw_only=True)
class NetworkArgs:
    # Where the VPC comes from: `new` builds one (the next three args shape it);
    # `default` uses the account's default VPC, whose subnets are all public;
    # `existing` takes the ids below as they are. The last two create no VPC.
    vpc: Literal["new", "default", "existing"] = "new"
    # Split into 16 equal blocks: public subnets take blocks 0-5, private 8-13,
    # so adding an AZ never renumbers existing subnets. /16-/22 keeps every
    # subnet at least /26, above the ALB's /27 minimum. Plain: split here.
    cidr_block: str = "10.0.0.0/16"
    # Two AZs is the ALB's minimum and the cheapest highly available layout.
    availability_zones: int = 2
    # None: a NAT gateway costs about $32/month each plus data; tasks then run in
    # public subnets with public IPs, reachable only from the ALB.
    nat_gateways: Literal["none", "single", "per-az"] = "none"
    # `existing` only: the VPC, and its subnets by role, one per AZ.
    vpc_id: Optional[pulumi.Input[str]] = None
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = ()
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = ()
    # `existing` with VpcEndpoints: the private subnets' route tables.
    private_route_table_ids: pulumi.Input[Sequence[pulumi.Input[str]]] = ()
    # Which traffic VPC flow logs record. None: `rejected` for a new VPC (what a
    # security-group mistake or a probe leaves behind, at the lowest volume);
    # `off` for `default` and `existing`, which are not this stack's VPC to log.
    flow_logs: Optional[Literal["off", "rejected", "all"]] = None
    # None: flow logs go to a log group of this Network, written through a role
    # that may write there only. An S3 bucket ARN sends them there instead.
    flow_logs_bucket_arn: Optional[pulumi.Input[str]] = None
    # A month: enough to look back on last week's incident, cheap to keep.
    flow_logs_retention_days: int = 30
    # None: /vpc/<project>-<stack>-<name>/flow-logs, one per Network.
    flow_logs_log_group_name: Optional[str] = None

    def validate(self) -> None:
        check_one_of("NetworkArgs.vpc", self.vpc, ("new", "default", "existing"), "a VPC source")
        check_one_of("NetworkArgs.nat_gateways", self.nat_gateways, ("none", "single", "per-az"), "a NAT strategy")
        if self.flow_logs is not None:
            check_one_of("NetworkArgs.flow_logs", self.flow_logs, ("off", "rejected", "all"), "a flow-log setting")
        if self.vpc == "new":
            check_range(
                "NetworkArgs.availability_zones",
                self.availability_zones,
                AVAILABILITY_ZONES[0],
                AVAILABILITY_ZONES[-1],
                "a number of availability zones",
            )
            check(
                "NetworkArgs.cidr_block",
                self.cidr_block,
                _prefix_length(self.cidr_block) in VPC_PREFIX_LENGTHS,
                f"an IPv4 network from /{VPC_PREFIX_LENGTHS[0]} to /{VPC_PREFIX_LENGTHS[-1]}",
                "e.g. 10.0.0.0/16 (no host bits set)",
            )
        if self.vpc == "existing":
            check(
                "NetworkArgs.vpc_id",
                self.vpc_id,
                self.vpc_id is not None,
                "a VPC id",
                "the existing VPC's id, with vpc 'existing'",
            )
        if self.flow_logs_bucket_arn is None:
            check_log_retention("NetworkArgs.flow_logs_retention_days", self.flow_logs_retention_days)

    @property
    def flow_log_traffic(self) -> str:
        return self.flow_logs or ("rejected" if self.vpc == "new" else "off")

    def subnet_cidrs(self) -> tuple[list[str], list[str]]:
        """(public, private) CIDR blocks, one of each per AZ (aws_limits.subnet_cidrs)."""
        return subnet_cidrs(self.cidr_block, self.availability_zones)


def _prefix_length(cidr: str) -> int:
    try:
        return ipaddress.IPv4Network(cidr).prefixlen
    except (TypeError, ValueError):
        return -1


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    # Route tables of the private subnets (gateway endpoints attach here).
    private_route_table_ids: pulumi.Output[list[str]]
    # The zones of a new VPC's subnets; empty for the others (not looked up).
    availability_zones: list[str]

    def __init__(self, name: str, args: NetworkArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate()
        super().__init__("fargate:network:Network", name, None, opts)
        if args.vpc == "new":
            self._new_vpc(name, args)
        elif args.vpc == "default":
            self._default_vpc()
        else:
            self._existing_vpc(args)
        if args.flow_log_traffic != "off":
            self._flow_logs(name, args)
        self.register_outputs(
            {
                "vpcId": self.vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "privateSubnetIds": self.private_subnet_ids,
            }
        )

    def _default_vpc(self) -> None:
        invoke = pulumi.InvokeOutputOptions(parent=self)
        vpc = aws.ec2.get_vpc_output(default=True, opts=invoke)
        # Only the default subnets: subnets added to the default VPC later may
        # be private or belong to something else.
        subnets = aws.ec2.get_subnets_output(
            filters=[
                # The _output form resolves Outputs inside its arguments; the args class types plain strings.
                aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id]),  # type: ignore[list-item]
                aws.ec2.GetSubnetsFilterArgs(name="default-for-az", values=["true"]),
            ],
            opts=invoke,
        )
        self.availability_zones = []
        self.vpc_id = vpc.id
        self.public_subnet_ids = subnets.ids.apply(sorted)
        self.private_subnet_ids = pulumi.Output.from_input([])
        self.private_route_table_ids = pulumi.Output.from_input([])

    def _existing_vpc(self, args: NetworkArgs) -> None:
        # Taken as given, not looked up: a wrong id fails `pulumi up` at the
        # first resource that uses it, naming the id.
        self.availability_zones = []
        assert args.vpc_id is not None  # validate() refused vpc 'existing' without it
        self.vpc_id = pulumi.Output.from_input(args.vpc_id)
        self.public_subnet_ids = _id_list(args.public_subnet_ids)
        self.private_subnet_ids = _id_list(args.private_subnet_ids)
        self.private_route_table_ids = _id_list(args.private_route_table_ids)

    def _zones(self, count: int) -> list[str]:
        # The zone names are plain values: each zone's subnets are resources of
        # their own, so the count must be known while the program runs.
        # Only the region's own zones: Local and Wavelength Zones (opt-in) have
        # no NAT gateways and limited ALB support.
        zones = aws.get_availability_zones(
            state="available",
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])],
            opts=pulumi.InvokeOptions(parent=self),
        ).names
        if len(zones) < count:
            raise ArgsError(
                "NetworkArgs.availability_zones",
                count,
                "available in this region",
                f"at most {len(zones)} ({', '.join(zones)})",
            )
        return sorted(zones)[:count]

    def _new_vpc(self, name: str, args: NetworkArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        self.availability_zones = self._zones(args.availability_zones)
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr_block,
            # Both on: interface VPC endpoints and ECS service discovery need DNS names.
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=name_tag(name, "vpc"),
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=name_tag(name, "igw"), opts=child)

        public_route_table = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=vpc.id, tags=name_tag(name, "public"), opts=child
        )
        internet_route = aws.ec2.Route(
            f"{name}-public-internet",
            route_table_id=public_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=gateway.id,
            opts=child,
        )

        public_cidrs, private_cidrs = args.subnet_cidrs()
        public_subnets, public_associations, private_subnets, private_route_tables = [], [], [], []
        private_routing: list[pulumi.CustomResource] = []
        nat_gateways: list[aws.ec2.NatGateway] = []
        for index, zone in enumerate(self.availability_zones):
            public, association = self._public_subnet(name, index, zone, vpc, public_cidrs[index], public_route_table)
            public_subnets.append(public)
            public_associations.append(association)
            if args.nat_gateways == "per-az" or (args.nat_gateways == "single" and index == 0):
                nat_gateways.append(self._nat_gateway(name, index, zone, public, gateway))
            private, route_table, routing = self._private_subnet(
                name, index, zone, vpc, private_cidrs[index], nat_gateways[-1] if nat_gateways else None
            )
            private_subnets.append(private)
            private_route_tables.append(route_table)
            private_routing += routing

        self.vpc_id = vpc.id
        # A subnet is public once it routes to the attached internet gateway, so
        # whatever takes these ids waits for that route and the associations:
        # an internet-facing ALB created before the gateway is attached fails
        # ("InvalidSubnet: VPC ... has no internet gateway").
        self.public_subnet_ids = _ids_once_routed(public_subnets, [internet_route, *public_associations])
        # Likewise private tasks wait for their NAT routes: started earlier, they
        # fail their first image pull.
        self.private_subnet_ids = _ids_once_routed(private_subnets, private_routing)
        self.private_route_table_ids = pulumi.Output.all(*[t.id for t in private_route_tables])

    def _public_subnet(
        self, name: str, index: int, zone: str, vpc: aws.ec2.Vpc, cidr: str, route_table: aws.ec2.RouteTable
    ) -> tuple[aws.ec2.Subnet, aws.ec2.RouteTableAssociation]:
        child = pulumi.ResourceOptions(parent=self)
        subnet = aws.ec2.Subnet(
            f"{name}-public-{index}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            # Tasks get a public IP from the service's assignPublicIp, the ALB
            # has its own; nothing else should get one by accident.
            map_public_ip_on_launch=False,
            tags=name_tag(name, "public", zone),
            opts=child,
        )
        association = aws.ec2.RouteTableAssociation(
            f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=route_table.id, opts=child
        )
        return subnet, association

    def _nat_gateway(
        self, name: str, index: int, zone: str, public: aws.ec2.Subnet, gateway: aws.ec2.InternetGateway
    ) -> aws.ec2.NatGateway:
        address = aws.ec2.Eip(
            f"{name}-nat-{index}",
            domain="vpc",
            tags=name_tag(name, "nat", zone),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.ec2.NatGateway(
            f"{name}-nat-{index}",
            allocation_id=address.id,
            subnet_id=public.id,
            tags=name_tag(name, "nat", zone),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
        )

    def _private_subnet(
        self, name: str, index: int, zone: str, vpc: aws.ec2.Vpc, cidr: str, nat_gateway: Optional[aws.ec2.NatGateway]
    ) -> tuple[aws.ec2.Subnet, aws.ec2.RouteTable, list[pulumi.CustomResource]]:
        """The zone's private subnet, its own route table (so per-AZ NAT keeps traffic in
        its AZ), and what routes it: its NAT route, if any, and the association."""
        child = pulumi.ResourceOptions(parent=self)
        subnet = aws.ec2.Subnet(
            f"{name}-private-{index}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zone,
            tags=name_tag(name, "private", zone),
            opts=child,
        )
        route_table = aws.ec2.RouteTable(
            f"{name}-private-{index}", vpc_id=vpc.id, tags=name_tag(name, "private", zone), opts=child
        )
        routing: list[pulumi.CustomResource] = []
        if nat_gateway is not None:
            routing.append(
                aws.ec2.Route(
                    f"{name}-private-{index}-nat",
                    route_table_id=route_table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat_gateway.id,
                    opts=child,
                )
            )
        routing.append(
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{index}", subnet_id=subnet.id, route_table_id=route_table.id, opts=child
            )
        )
        return subnet, route_table, routing

    def _flow_logs(self, name: str, args: NetworkArgs) -> None:
        """One flow log on the whole VPC, to S3 or to a log group of its own."""
        child = pulumi.ResourceOptions(parent=self)
        traffic_type = FLOW_LOG_TRAFFIC[args.flow_log_traffic]
        destination: dict[str, Any]
        ready: list[pulumi.Resource] = []
        if args.flow_logs_bucket_arn is not None:
            # The bucket's policy, not a role, lets log delivery write (AWS adds
            # that statement itself to a bucket of this account when the deployer
            # may change its policy).
            destination = {"log_destination_type": "s3", "log_destination": args.flow_logs_bucket_arn}
        else:
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-flow-logs",
                name=args.flow_logs_log_group_name or f"/vpc/{qualified_name(name, allowed='A-Za-z0-9_.-')}/flow-logs",
                retention_in_days=args.flow_logs_retention_days,
                tags=name_tag(name, "flow-logs"),
                opts=child,
            )
            account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            # Only flow logs of this account may use it (confused-deputy protection).
            role = aws.iam.Role(
                f"{name}-flow-logs",
                assume_role_policy=trust_policy(FLOW_LOGS_SERVICE, account_id),
                description=f"VPC flow logs of {qualified_name(name)}: write to their log group only",
                tags=name_tag(name, "flow-logs"),
                opts=child,
            )
            # Delivery starts at once; without the grant its first attempts fail.
            ready.append(
                aws.iam.RolePolicy(
                    f"{name}-flow-logs",
                    role=role.id,
                    policy=flow_logs_policy_document(log_group.arn),
                    opts=child,
                )
            )
            destination = {
                "log_destination_type": "cloud-watch-logs",
                "log_destination": log_group.arn,
                "iam_role_arn": role.arn,
            }
        aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=self.vpc_id,
            traffic_type=traffic_type,
            **destination,
            tags=name_tag(name, "flow-logs"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=ready),
        )


FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
FLOW_LOG_TRAFFIC = {"rejected": "REJECT", "all": "ALL"}


def flow_logs_policy_document(log_group_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """What VPC flow logs need in their log group (the grant CDK's FlowLog makes): a
    stream per network interface, its events, and a look at the streams that exist."""
    return pulumi.Output.json_dumps(
        policy(
            statement(
                sid="WriteFlowLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                resources=pulumi.Output.concat(log_group_arn, ":*"),
            )
        )
    )


def _id_list(ids: pulumi.Input[Sequence[pulumi.Input[str]]]) -> pulumi.Output[list[str]]:
    return pulumi.Output.from_input(ids).apply(lambda values: [str(value) for value in values])


def _ids_once_routed(subnets: list[aws.ec2.Subnet], routing: list[pulumi.CustomResource]) -> pulumi.Output[list[str]]:
    """The subnets' ids, as an output that also depends on their routes and associations."""
    ready = pulumi.Output.all(*[r.id for r in routing])
    return pulumi.Output.all(ready, *[s.id for s in subnets]).apply(lambda values: values[1:])
