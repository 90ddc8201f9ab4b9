"""Network config (``fargate:network``): where the VPC comes from and how it is shaped."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ..aws_limits import AVAILABILITY_ZONES, LOG_RETENTION_DAYS, VPC_PREFIX_LENGTHS
from .base import MISSING, ConfigModel, errors_at, usable

# An S3 bucket for flow logs, optionally with a folder: arn:aws:s3:::<bucket>[/<prefix>].
S3_BUCKET_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/[^\s]+)?$")
VPC_ID = re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
SUBNET_ID = re.compile(r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
ROUTE_TABLE_ID = re.compile(r"^rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})$")


class NetworkConfig(ConfigModel):
    # Where the VPC comes from. `new` builds one for this stack (the keys up to
    # natGateways shape it); `default` uses the account's default VPC, whose
    # subnets are all public; `existing` uses the VPC and subnets named below.
    # The last two create no VPC resources.
    vpc: Literal["new", "default", "existing"] = Field(
        "new",
        description="`new` builds a VPC for this stack; `default` uses the account's default VPC and its default subnets (all public); `existing` uses the ids below. The last two create no VPC resources ([VPCs](#vpcs-default-and-existing))",
    )
    # Split into 16 equal blocks: public subnets take blocks 0-5, private 8-13,
    # so adding an AZ never renumbers existing subnets. /16-/22 keeps every
    # subnet at least /26, above the ALB's /27 minimum.
    cidr_block: str = Field(
        "10.0.0.0/16",
        description="`new` only: the VPC's range; cut into 16 blocks: public subnets take blocks 0-5, private 8-13, so adding an AZ renumbers nothing",
        json_schema_extra={"yamlType": "IPv4 CIDR, /16 to /22"},
    )
    # Two AZs is the ALB's minimum and the cheapest highly available layout.
    availability_zones: int = Field(
        2,
        ge=AVAILABILITY_ZONES[0],
        le=AVAILABILITY_ZONES[-1],
        description="`new` only: AZs to spread subnets over (the region's own zones, no Local Zones); two is the ALB's minimum",
    )
    # No NAT by default: a NAT gateway costs about $32/month each plus data;
    # tasks then run in public subnets with public IPs, reachable only from the ALB.
    nat_gateways: Literal["none", "single", "per-az"] = Field(
        "none",
        description="`new` only: NAT for the private subnets. `none` is cheapest (tasks then run in public subnets); `single` shares one NAT; `per-az` survives an AZ outage",
    )
    # `existing` only: the VPC, and its subnets by role, one per AZ. Public ones
    # route to an internet gateway; private ones to NAT (or use vpcEndpoints).
    vpc_id: Optional[str] = Field(
        None,
        description="the existing VPC",
        json_schema_extra={"yamlType": "`vpc-…`", "yamlDefault": "required with `existing`"},
    )
    public_subnet_ids: tuple[str, ...] = Field(
        (),
        description="`existing` only: subnets routed to an internet gateway, one per AZ; at least two when the internet-facing ALB or a public service uses them",
        json_schema_extra={"yamlType": "list of `subnet-…`"},
    )
    private_subnet_ids: tuple[str, ...] = Field(
        (),
        description="`existing` only: subnets with NAT (or served by `vpcEndpoints`), one per AZ; at least two when an internal ALB or a private service uses them; when given, services default to them",
        json_schema_extra={"yamlType": "list of `subnet-…`"},
    )
    # `existing` with vpcEndpoints: the private subnets' route tables, which the
    # S3 gateway endpoint (image layers) is added to.
    private_route_table_ids: tuple[str, ...] = Field(
        (),
        description="`existing` with `vpcEndpoints` only (then required): the private subnets' route tables, for the S3 gateway endpoint",
        json_schema_extra={"yamlType": "list of `rtb-…`"},
    )
    # Off: interface endpoints bill per AZ and hour (3 endpoints in 2 AZs cost
    # more than one NAT gateway). On, tasks in private subnets pull images, log
    # and read secrets without NAT; only this stack's tasks may use them.
    vpc_endpoints: bool = Field(
        False,
        description="VPC endpoints so private tasks run without NAT ([endpoints](#private-tasks-without-nat-vpc-endpoints)); needs a private service; not with `default`. Services then default to private subnets",
    )
    # Which traffic VPC flow logs record. Unset: `rejected` for a new VPC (what a
    # security-group mistake or a probe leaves behind, at the lowest volume of the
    # three); `off` for `default` and `existing`, which are not this stack's VPC
    # to log (their owner may log them already). `all` adds accepted traffic.
    flow_logs: Literal["off", "rejected", "all"] = Field(
        "off",
        description="VPC flow logs of the whole VPC: `rejected` records what security groups and network ACLs turned away (a misconfigured group, a probe) at the lowest volume; `all` adds accepted traffic. A `default` or `existing` VPC is not this stack's, so it gets flow logs only when asked ([flow logs](#vpc-flow-logs))",
        json_schema_extra={"yamlDefault": "`rejected` with `new`, `off` with `default` and `existing`"},
    )
    # None: flow logs go to a CloudWatch log group of this stack, written through a
    # role that may write there only. An S3 bucket ARN (arn:aws:s3:::<bucket>[/<folder>])
    # sends them there instead, at half the per-GB price; the bucket is yours.
    flow_logs_bucket_arn: Optional[str] = Field(
        None,
        description="with `flowLogs` on only: deliver to your S3 bucket instead (half the per-GB price; no role needed)",
        json_schema_extra={
            "yamlType": "`arn:aws:s3:::<bucket>[/<folder>]`",
            "yamlDefault": "none (a CloudWatch log group)",
        },
    )
    # A month, like the services' logRetentionDays: enough to look back on last
    # week's incident, cheap to keep. CloudWatch destination only.
    flow_logs_retention_days: int = Field(
        30,
        description="with `flowLogs` on and no bucket only: days the flow-log group keeps records",
        json_schema_extra={"yamlType": "as `logRetentionDays`"},
    )

    @model_validator(mode="before")
    @classmethod
    def _derive_flow_logs(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "flowLogs" not in data and "flow_logs" not in data:
            data = {**data, "flowLogs": "rejected" if data.get("vpc", "new") == "new" else "off"}
        return data

    @field_validator("flow_logs_bucket_arn")
    @classmethod
    def _flow_logs_bucket_arn(cls, value: Optional[str]) -> Optional[str]:
        match = S3_BUCKET_ARN.match(value) if value is not None else None
        if value is not None and (not match or ".." in match.group(1) or "/AWSLogs" in value):
            raise ValueError(
                "an S3 bucket ARN such as arn:aws:s3:::my-flow-logs or "
                "arn:aws:s3:::my-flow-logs/vpc (a folder not named AWSLogs)"
            )
        return value

    @field_validator("flow_logs_retention_days")
    @classmethod
    def _flow_logs_retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"one of {', '.join(map(str, LOG_RETENTION_DAYS))} (what CloudWatch Logs accepts)")
        return value

    @field_validator("cidr_block")
    @classmethod
    def _cidr_block(cls, value: str) -> str:
        try:
            network = ipaddress.IPv4Network(value)
        except ValueError:
            raise ValueError("an IPv4 network such as 10.0.0.0/16 (no host bits set)") from None
        if network.prefixlen not in VPC_PREFIX_LENGTHS:
            raise ValueError(f"a prefix length from /{VPC_PREFIX_LENGTHS[0]} to /{VPC_PREFIX_LENGTHS[-1]}")
        return str(network)

    @field_validator("vpc_id")
    @classmethod
    def _vpc_id(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not VPC_ID.match(value):
            raise ValueError("a VPC id such as vpc-0123456789abcdef0")
        return value

    @field_validator("public_subnet_ids", "private_subnet_ids", "private_route_table_ids")
    @classmethod
    def _resource_ids(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        pattern, example = (
            (ROUTE_TABLE_ID, "rtb-0123456789abcdef0")
            if info.field_name == "private_route_table_ids"
            else (SUBNET_ID, "subnet-0123456789abcdef0")
        )
        key = to_camel(str(info.field_name))
        errors_at(
            key,
            [
                ((index,), item, f"an id such as {example}")
                if not pattern.match(item)
                else ((index,), item, "each id once")
                for index, item in enumerate(value)
                if not pattern.match(item) or item in value[:index]
            ],
        )
        return value

    @model_validator(mode="after")
    def _keys_of_the_vpc_source(self) -> NetworkConfig:
        # Fields that failed are left out of `given` and stand at their defaults: rules
        # reading them wait until they are valid (see ConfigModel).
        given = self.model_fields_set if usable("vpc") else set()
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        for field in ("cidr_block", "availability_zones", "nat_gateways"):
            if field in given and self.vpc != "new":
                problems.append(
                    (
                        (to_camel(field),),
                        getattr(self, field),
                        f"only with vpc 'new' (it shapes the VPC this stack builds; vpc is '{self.vpc}')",
                    )
                )
        for field in ("vpc_id", "public_subnet_ids", "private_subnet_ids", "private_route_table_ids"):
            if field in given and self.vpc != "existing":
                problems.append(
                    (
                        (to_camel(field),),
                        _plain(getattr(self, field)),
                        f"only with vpc 'existing' (vpc is '{self.vpc}')",
                    )
                )
        if self.vpc == "existing" and usable("vpc"):
            if self.vpc_id is None and usable("vpc_id"):
                problems.append((("vpcId",), None, MISSING))
            both = set(self.public_subnet_ids) & set(self.private_subnet_ids)
            if both and usable("public_subnet_ids", "private_subnet_ids"):
                problems.append(
                    (
                        ("privateSubnetIds",),
                        list(self.private_subnet_ids),
                        f"subnets other than the public ones ({', '.join(sorted(both))} is in both)",
                    )
                )
            if self.vpc_endpoints and not self.private_route_table_ids and usable("private_route_table_ids"):
                problems.append(
                    (
                        ("privateRouteTableIds",),
                        [],
                        "the private subnets' route tables, with vpcEndpoints on "
                        "(the S3 gateway endpoint for image layers is added to them)",
                    )
                )
        if not usable("flow_logs"):
            pass
        elif self.flow_logs == "off":
            for field in ("flow_logs_bucket_arn", "flow_logs_retention_days"):
                if field in self.model_fields_set:
                    problems.append(
                        (
                            (to_camel(field),),
                            getattr(self, field),
                            "only with flowLogs 'rejected' or 'all' (flowLogs is 'off')",
                        )
                    )
        elif self.flow_logs_bucket_arn is not None and "flow_logs_retention_days" in self.model_fields_set:
            problems.append(
                (
                    ("flowLogsRetentionDays",),
                    self.flow_logs_retention_days,
                    "only without flowLogsBucketArn (the bucket's lifecycle rules keep S3 objects)",
                )
            )
        if self.vpc == "default" and self.vpc_endpoints:
            problems.append(
                (
                    ("vpcEndpoints",),
                    True,
                    "false with vpc 'default': its subnets are all public, and tasks there "
                    "reach AWS through their public IPs",
                )
            )
        errors_at("network", problems)
        return self

    @property
    def has_private_subnets(self) -> bool:
        """Whether tasks or an internal ALB can be placed in private subnets at all."""
        return self.vpc == "new" or (self.vpc == "existing" and bool(self.private_subnet_ids))

    @property
    def private_egress(self) -> bool:
        """Whether tasks in private subnets can reach ECR as far as this config tells:
        NAT or endpoints built here; in an existing VPC that is the VPC's business."""
        return self.vpc == "existing" or self.nat_gateways != "none" or self.vpc_endpoints


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
