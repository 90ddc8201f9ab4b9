"""Offline answers to data sources (invokes), consistent with each other within one run.

The look-ups real programs call get hand-written answers shaped like AWS's: the ECR login a
Docker image build needs, IAM policies and roles, the VPC, its subnets and security groups, a
certificate, a hosted zone, parameters and secrets, a cluster, a load balancer. What one answer
says, the next keeps to: the subnets of a looked-up VPC carry its id and lie in its CIDR, a
subnet looked up by id is the one listed before, a load balancer sits in the default VPC's
subnets. Any other pulumi-aws data source gets an answer built from its result type (every
field the SDK declares always set, the arguments echoed) and is listed as simulated in the
report. Values the provider marks sensitive (tokens, passwords) come back as secrets, as the
engine returns them. Every answer has the types the SDK's result class declares (an argument
echoed back in its own type: `mostRecent=True` stays a bool).

What only the account holds (a secret's content, a parameter's value) is never made up: its
fields are `UNKNOWN_WIRE`, and the recorder answers the program with an unknown result (the
Output form) or with the field absent (the plain form, which cannot carry an unknown); the
run lists it under `unknown_offline`.
"""

from __future__ import annotations

import base64
import collections.abc
import json
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, Optional

from . import providers, schema
from .aws import data_sources
from .aws.names import (
    ACCOUNT,
    DEFAULT_VPC_CIDR,
    alb_zone_id,
    default_subnets,
    default_vpc_id,
    digest,
    digits,
    zone_id,
    zones,
)
from .errors import OfflineGap
from .values import UNKNOWN_WIRE, contains_unknown, is_secret, secret

Answer = dict[str, Any]

# The documents of AWS managed policies programs attach most (as AWS publishes them); others'
# documents are not known offline and read as having no statement.
_MANAGED_POLICIES = {
    "AdministratorAccess": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    },
    "AmazonECSTaskExecutionRolePolicy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Resource": "*",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
            }
        ],
    },
}
# Where AWS keeps its managed policies that programs attach by name (the rest live at "/").
_MANAGED_POLICY_PATHS = {
    "/service-role/": (
        "AmazonECSTaskExecutionRolePolicy",
        "AmazonEC2ContainerServiceforEC2Role",
        "AmazonEC2ContainerServiceRole",
        "AmazonEC2ContainerServiceAutoscaleRole",
        "AmazonEC2ContainerServiceEventsRole",
        "AmazonECSInfrastructureRolePolicyForVolumes",
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaRole",
        "AmazonSSMAutomationRole",
        "AWSCodeDeployRoleForECS",
    ),
    "/aws-service-role/": ("AmazonECSServiceRolePolicy", "ElasticLoadBalancingServiceRolePolicy"),
    "/": (
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "AmazonECS_FullAccess",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonEC2ContainerRegistryPowerUser",
        "AmazonEC2ContainerRegistryFullAccess",
        "AmazonSSMManagedInstanceCore",
        "AmazonSSMReadOnlyAccess",
        "CloudWatchAgentServerPolicy",
        "CloudWatchLogsFullAccess",
        "CloudWatchFullAccess",
        "AWSXRayDaemonWriteAccess",
        "AmazonS3ReadOnlyAccess",
        "AmazonS3FullAccess",
        "SecretsManagerReadWrite",
        "AmazonDynamoDBFullAccess",
        "AmazonRDSFullAccess",
        "AmazonSQSFullAccess",
        "AmazonSNSFullAccess",
        "AmazonElasticFileSystemClientReadWriteAccess",
    ),
}
MANAGED_POLICY_PATH = {name: path for path, names in _MANAGED_POLICY_PATHS.items() for name in names}
# What only the account holds: these fields of these data sources are unknown offline, and what
# the program derives from them is not judged (the run names them).
ACCOUNT_CONTENT: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws:secretsmanager/getSecretVersion:getSecretVersion": ("secret", ("secretString", "secretBinary")),
    "aws:secretsmanager/getSecretVersions:getSecretVersions": ("secret", ("versions",)),
    "aws:ssm/getParameter:getParameter": ("parameter", ("value", "insecureValue")),
    "aws:ssm/getParametersByPath:getParametersByPath": ("parameters under", ("values", "names", "arns", "types")),
    "aws:kms/getSecrets:getSecrets": ("KMS-encrypted secrets", ("plaintext",)),
}
_ECS_TASKS_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
_CREATED = "2026-01-01T00:00:00Z"


class DataSources:
    """One run's data-source answers; `simulated` lists the tokens answered from their type only."""

    def __init__(self) -> None:
        self.vpcs: dict[str, Answer] = {}
        self.subnets: dict[str, Answer] = {}
        self.simulated: set[str] = set()
        self.unknown_offline: list[str] = []
        """What an answer left unknown because only the account holds it, one phrase each."""
        self._handlers: dict[str, Callable[[Answer, str], Answer]] = {
            "aws:ec2/getVpc:getVpc": self._vpc,
            "aws:ec2/getSubnets:getSubnets": self._subnets,
            "aws:ec2/getSubnet:getSubnet": self._subnet,
            "aws:ec2/getSecurityGroup:getSecurityGroup": self._security_group,
            "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_login,
            "aws:ecr/getCredentials:getCredentials": _ecr_login,
            "aws:iam/getPolicy:getPolicy": _iam_policy,
            "aws:iam/getRole:getRole": _iam_role,
            "aws:acm/getCertificate:getCertificate": _certificate,
            "aws:route53/getZone:getZone": _zone,
            "aws:ssm/getParameter:getParameter": _parameter,
            "aws:secretsmanager/getSecret:getSecret": _secret,
            "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
            "aws:ecs/getCluster:getCluster": _cluster,
            "aws:ec2/getAmi:getAmi": _ami,
            "aws:lb/getLoadBalancer:getLoadBalancer": self._load_balancer,
            "aws:alb/getLoadBalancer:getLoadBalancer": self._load_balancer,
        }

    @property
    def known(self) -> frozenset[str]:
        """The data sources answered by hand (the others from their result type alone)."""
        return frozenset(self._handlers) | frozenset(data_sources.INVOKES) | frozenset(ACCOUNT_CONTENT)

    def invoke(self, token: str, args: Answer, region: str) -> Answer:
        """The answer, each field of the type the SDK's result class declares; a field the run
        cannot know is `UNKNOWN_WIRE` (every field, when an argument is unknown)."""
        result_class = schema.invoke_result_class(token)
        if contains_unknown(args):
            # An argument only known after deployment: so is the answer (as in a real preview).
            declared = schema.fields(result_class) if result_class else {}
            return {key: UNKNOWN_WIRE for key in declared} or {"id": UNKNOWN_WIRE}
        answer = self._answer(token, args, str(args.get("region") or region), result_class)
        if token in ACCOUNT_CONTENT:
            answer.update({key: UNKNOWN_WIRE for key in ACCOUNT_CONTENT[token][1]})
            entry = self.describe(token, args)
            if entry not in self.unknown_offline:
                self.unknown_offline.append(entry)
        return typed(answer, result_class) if result_class else answer

    @staticmethod
    def describe(token: str, args: Answer) -> str:
        """What an answer of `ACCOUNT_CONTENT` leaves unknown, in a phrase: `the value of secret
        'prod/db' (aws.secretsmanager.get_secret_version)`."""
        what = ACCOUNT_CONTENT[token][0]
        named = args.get("secretId") or args.get("name") or args.get("path") or ""
        return f"the value of {what} {named!r} ({names({token})[0]})" if named else f"the {what} ({names({token})[0]})"

    def _answer(self, token: str, args: Answer, region: str, result_class: Optional[type]) -> Answer:
        handler = self._handlers.get(token)
        if handler is None and token in data_sources.INVOKES:
            return data_sources.INVOKES[token](args, region)
        if handler is None and result_class is None:
            raise OfflineGap(
                f"the data source {token} has no offline answer and preflight cannot find "
                "its result type in the provider's Python SDK"
            )
        seed = f"{token}:{json.dumps(args, sort_keys=True, default=str)}"
        service = token.split(":")[1].split("/")[0]
        answer = providers.from_result_type(result_class, seed, region, args, service) if result_class else {}
        if handler is None:
            self.simulated.add(token)
            answer.setdefault("id", digest(seed, 12))
        else:
            answer.update(handler(args, region))
        if "region" in answer and result_class and "region" in schema.fields(result_class):
            answer["region"] = region
        return answer

    # -- the network: VPCs, subnets, security groups, load balancers, consistent with each other --

    def _known_vpc(self, vpc_id: str, region: str) -> Answer:
        if vpc_id not in self.vpcs:
            default = vpc_id == default_vpc_id(region)
            number = int(digest(vpc_id, 4), 16) % 200 + 16
            cidr = DEFAULT_VPC_CIDR if default else f"10.{number}.0.0/16"
            self.vpcs[vpc_id] = {
                "id": vpc_id,
                "cidrBlock": cidr,
                "default": default,
                "state": "available",
                "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/{vpc_id}",
                "dhcpOptionsId": f"dopt-{digest('dopt:' + region, 17)}",
                "enableDnsHostnames": True,
                "enableDnsSupport": True,
                "instanceTenancy": "default",
                "ownerId": ACCOUNT,
                "mainRouteTableId": f"rtb-{digest('main-rtb:' + vpc_id, 17)}",
                "tags": {},
                "cidrBlockAssociations": [
                    {"associationId": f"vpc-cidr-assoc-{digest(vpc_id, 17)}", "cidrBlock": cidr, "state": "associated"}
                ],
            }
            subnets = (
                default_subnets(region)
                if default
                else [
                    self._new_subnet(vpc_id, cidr, index, zone, region) for index, zone in enumerate(zones(region)[:3])
                ]
            )
            for subnet in subnets:
                self.subnets.setdefault(subnet["id"], subnet)
        return self.vpcs[vpc_id]

    @staticmethod
    def _new_subnet(vpc_id: str, vpc_cidr: str, index: int, zone: str, region: str) -> Answer:
        subnet_id = f"subnet-{digest(f'{vpc_id}:{zone}:{index}', 17)}"
        prefix = ".".join(vpc_cidr.split(".")[:2])
        return {
            "id": subnet_id,
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:subnet/{subnet_id}",
            "availabilityZone": zone,
            "availabilityZoneId": zone_id(region, zone),
            "cidrBlock": f"{prefix}.{index * 16}.0/20",
            "defaultForAz": False,
            "mapPublicIpOnLaunch": False,
            "vpcId": vpc_id,
            "ownerId": ACCOUNT,
            "state": "available",
            "availableIpAddressCount": 4091,
            "tags": {},
        }

    def _vpc(self, args: Answer, region: str) -> Answer:
        """The default VPC when asked for it (or for nothing in particular); another VPC named by
        id, filters or tags is one of `10.x.0.0/16`, the same for the same question."""
        filters = args.get("filters") or []
        if args.get("id"):
            vpc_id = str(args["id"])
        elif (
            args.get("default") is False
            or args.get("tags")
            or any(f.get("name") not in ("isDefault", "state") for f in filters)
        ):
            vpc_id = f"vpc-{digest(json.dumps(args, sort_keys=True, default=str), 17)}"
        else:
            vpc_id = default_vpc_id(region)
        return dict(self._known_vpc(vpc_id, region))

    def _subnets_of(self, args: Answer, region: str) -> list[Answer]:
        filters = list(args.get("filters") or [])
        vpc_ids = [str(v) for f in filters if f.get("name") == "vpc-id" for v in f.get("values") or []]
        vpc_ids = vpc_ids or [str(args["vpcId"])] if args.get("vpcId") else vpc_ids
        for vpc_id in vpc_ids or [default_vpc_id(region)]:
            self._known_vpc(vpc_id, region)
        wanted_vpcs = set(vpc_ids or [default_vpc_id(region)])
        found = []
        for subnet in self.subnets.values():
            if subnet["vpcId"] not in wanted_vpcs:
                continue
            # Offline, a subnet of a VPC we made up carries no tags to filter on: every tag filter
            # matches it. The default VPC's subnets have none in AWS either, so none matches there.
            made_up = not subnet.get("defaultForAz")
            if (
                all(_filter_matches(subnet, f, made_up) for f in filters if f.get("name") != "vpc-id")
                and (made_up or not args.get("tags"))
                and args.get("availabilityZone") in (None, subnet["availabilityZone"])
                and args.get("cidrBlock") in (None, subnet["cidrBlock"])
            ):
                found.append(subnet)
        return found

    def _subnets(self, args: Answer, region: str) -> Answer:
        return {"id": region, "ids": [s["id"] for s in self._subnets_of(args, region)]}

    def _subnet(self, args: Answer, region: str) -> Answer:
        wanted = args.get("id")
        if wanted:
            self._known_vpc(default_vpc_id(region), region)
            if wanted not in self.subnets:
                # A subnet we have not seen: one more of the default VPC's.
                index = len(self.subnets) % 16
                subnet = self._new_subnet(
                    default_vpc_id(region), DEFAULT_VPC_CIDR, index, zones(region)[index % len(zones(region))], region
                )
                subnet["id"] = str(wanted)
                self.subnets[subnet["id"]] = subnet
            return dict(self.subnets[wanted])
        found = self._subnets_of(args, region)
        if not found:
            raise OfflineGap(f"aws:ec2/getSubnet: offline, no subnet matches {args}")
        return dict(found[0])

    def _security_group(self, args: Answer, region: str) -> Answer:
        vpc_id = str(
            args.get("vpcId")
            or next(
                (v for f in args.get("filters") or [] if f.get("name") == "vpc-id" for v in f.get("values") or []),
                default_vpc_id(region),
            )
        )
        vpc = self._known_vpc(vpc_id, region)
        name = str(args.get("name") or "default")
        group_id = str(args.get("id") or f"sg-{digest(f'{vpc_id}:{name}', 17)}")
        return {
            "id": group_id,
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{group_id}",
            "name": name,
            "vpcId": vpc["id"],
            "tags": args.get("tags") or {},
            "description": "default VPC security group" if name == "default" else f"{name} security group",
        }

    def _load_balancer(self, args: Answer, region: str) -> Answer:
        vpc = self._known_vpc(default_vpc_id(region), region)
        name = str(args.get("name") or str(args.get("arn") or "lb").split("/")[-2:][0])
        suffix = f"app/{name}/{digest(name, 16)}"
        arn = str(args.get("arn") or f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/{suffix}")
        subnets = [s["id"] for s in self.subnets.values() if s["vpcId"] == vpc["id"]]
        return {
            "id": arn,
            "arn": arn,
            "arnSuffix": arn.split(":loadbalancer/")[-1],
            "name": name,
            "dnsName": f"{name}-{digits(arn, 10)}.{region}.elb.amazonaws.com",
            "zoneId": alb_zone_id(region),
            "vpcId": vpc["id"],
            "subnets": subnets,
            "securityGroups": [f"sg-{digest('lb:' + arn, 17)}"],
            "loadBalancerType": "application",
            "internal": False,
            "ipAddressType": "ipv4",
            "idleTimeout": 60,
            "enableHttp2": True,
            "enableDeletionProtection": False,
            "dropInvalidHeaderFields": False,
            "subnetMappings": [
                {"subnetId": s, "allocationId": "", "ipv6Address": "", "outpostId": "", "privateIpv4Address": ""}
                for s in subnets
            ],
            "tags": args.get("tags") or {},
        }


def typed(answer: Answer, result_class: type) -> Answer:
    """`answer` with each field of the type `result_class` declares for it, as the provider's
    answer would be: a flag echoed back is a bool, a number is an int or a float as declared
    (protobuf carries every number as a double), a string is a string; a field the class does
    not declare is left out, as the provider's schema has no such field."""
    declared = schema.fields(result_class)
    return {key: conform(value, declared[key][0]) for key, value in answer.items() if key in declared}


def conform(value: Any, declared: Any) -> Any:
    """`value` as a value of the type `declared` (an SDK annotation); unknowns and secrets keep
    their wrapping, a value that cannot be read as that type is left as it is."""
    if value is None or value == UNKNOWN_WIRE:
        return value
    if is_secret(value):
        return secret(conform(value["value"], declared))
    origin = typing.get_origin(declared)
    if origin is not None and getattr(origin, "__name__", "") == "Output":
        return conform(value, typing.get_args(declared)[0])
    if origin in (typing.Union, types.UnionType):
        choices = [arg for arg in typing.get_args(declared) if arg is not type(None)]
        return conform(value, choices[0]) if len(choices) == 1 else value
    if isinstance(origin, type) and issubclass(origin, collections.abc.Mapping):
        inner = typing.get_args(declared)[-1] if typing.get_args(declared) else Any
        return {k: conform(v, inner) for k, v in value.items()} if isinstance(value, dict) else value
    if isinstance(origin, type) and issubclass(origin, collections.abc.Sequence) and origin is not str:
        inner = typing.get_args(declared)[0] if typing.get_args(declared) else Any
        return [conform(v, inner) for v in (value if isinstance(value, list) else [value])]
    if declared in (bool, int, float, str):
        return _scalar(value, declared)
    fields = schema.fields(declared) if isinstance(declared, type) else {}
    if fields and isinstance(value, dict):
        return {k: conform(v, fields[k][0]) if k in fields else v for k, v in value.items()}
    return value


def _scalar(value: Any, declared: type) -> Any:
    try:
        if declared is bool:
            return value.strip().lower() == "true" if isinstance(value, str) else bool(value)
        if declared is int and not isinstance(value, (dict, list)):
            return int(float(value))
        if declared is float and not isinstance(value, (dict, list)):
            return float(value)
    except (TypeError, ValueError):
        return value
    if declared is str and isinstance(value, bool):
        return "true" if value else "false"
    if declared is str and isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if declared is str and isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


def _filter_matches(subnet: Answer, flt: Answer, made_up: bool) -> bool:
    name = str(flt.get("name"))
    values = [str(v).lower() for v in flt.get("values") or []]
    if name.startswith("tag"):
        return made_up
    field = {
        "availability-zone": "availabilityZone",
        "availabilityZone": "availabilityZone",
        "default-for-az": "defaultForAz",
        "defaultForAz": "defaultForAz",
        "subnet-id": "id",
        "cidr-block": "cidrBlock",
        "cidrBlock": "cidrBlock",
        "cidr": "cidrBlock",
        "state": "state",
        "map-public-ip-on-launch": "mapPublicIpOnLaunch",
        "mapPublicIpOnLaunch": "mapPublicIpOnLaunch",
        "availability-zone-id": "availabilityZoneId",
    }.get(name)
    if field is None:
        return False  # a filter preflight does not know matches nothing, rather than everything
    return str(subnet.get(field)).lower() in values


# -- the other look-ups ---------------------------------------------------------------------------


def _ecr_login(args: Answer, region: str) -> Answer:
    registry = str(args.get("registryId") or ACCOUNT)
    password = digest(f"ecr-login:{registry}:{region}", 64)
    return {
        "id": registry if "registryId" in args else region,
        "registryId": registry,
        "userName": "AWS",
        "password": secret(password),
        "authorizationToken": secret(base64.b64encode(f"AWS:{password}".encode()).decode()),
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.amazonaws.com",
        "expiresAt": "2026-01-01T12:00:00Z",
    }


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def _iam_policy(args: Answer, region: str) -> Answer:
    """An AWS managed policy (`arn:<partition>:iam::aws:policy/<path><name>`) when the name or ARN
    is one; otherwise a policy of the account."""
    name = str(args.get("name") or str(args.get("arn") or "").rsplit("/", 1)[-1])
    if args.get("arn"):
        arn = str(args["arn"])
    elif name in MANAGED_POLICY_PATH:
        arn = f"arn:{partition(region)}:iam::aws:policy{MANAGED_POLICY_PATH[name]}{name}"
    else:
        prefix = str(args.get("pathPrefix") or "/")
        arn = f"arn:{partition(region)}:iam::{ACCOUNT}:policy{prefix}{name}"
    document = _MANAGED_POLICIES.get(name, {"Version": "2012-10-17", "Statement": []})
    return {
        "id": arn,
        "arn": arn,
        "name": name,
        "path": arn.split(":policy", 1)[1].rsplit("/", 1)[0] + "/",
        "policy": json.dumps(document),
        "policyId": "ANPA" + digest(arn, 17).upper(),
        "description": "",
        "attachmentCount": 1,
        "tags": {},
    }


def _iam_role(args: Answer, region: str) -> Answer:
    name = str(args.get("name"))
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
        "path": "/",
        "assumeRolePolicy": _ECS_TASKS_TRUST,
        "uniqueId": "AROA" + digest(name, 17).upper(),
        "maxSessionDuration": 3600,
        "createDate": _CREATED,
        "description": "",
        "permissionsBoundary": "",
        "roleLastUseds": [],
        "tags": {},
    }


def _certificate(args: Answer, region: str) -> Answer:
    domain = str(args.get("domain") or "example.com")
    arn = f"arn:aws:acm:{region}:{ACCOUNT}:certificate/{uuid.UUID(digest('acm:' + domain, 32))}"
    return {
        "id": arn,
        "arn": arn,
        "domain": domain,
        "status": "ISSUED",
        "certificate": "",
        "certificateChain": "",
        "tags": {},
    }


def _zone(args: Answer, region: str) -> Answer:
    name = str(args.get("name") or "example.com").rstrip(".")
    zone = str(args.get("zoneId") or "Z" + digest("zone:" + name, 13).upper())
    servers = [
        f"ns-{int(digest(f'{zone}:{i}', 3), 16) % 2048}.awsdns-{i:02d}.{tld}"
        for i, tld in enumerate(["com", "net", "org", "co.uk"])
    ]
    return {
        "id": zone,
        "zoneId": zone,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone}",
        "nameServers": servers,
        "primaryNameServer": servers[0],
        "privateZone": bool(args.get("privateZone")),
        "callerReference": digest(zone, 12),
        "comment": "",
        "resourceRecordSetCount": 2,
        "tags": {},
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
    }


def _parameter(args: Answer, region: str) -> Answer:
    """The parameter's identity; its value is the account's (`ACCOUNT_CONTENT`)."""
    name = str(args.get("name"))
    return {
        "id": name,
        "name": name,
        "arn": f"arn:{partition(region)}:ssm:{region}:{ACCOUNT}:parameter/{name.lstrip('/')}",
        "type": "String",
        "version": 1,
    }


def _secret_arn(reference: str, region: str) -> str:
    if reference.startswith("arn:"):
        return reference
    return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{reference}-{digest(reference, 6)}"


def _secret(args: Answer, region: str) -> Answer:
    arn = _secret_arn(str(args.get("arn") or args.get("name")), region)
    name = arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
    return {
        "id": arn,
        "arn": arn,
        "name": name,
        "description": "",
        "kmsKeyId": "",
        "policy": "",
        "tags": {},
        "createdDate": _CREATED,
        "lastChangedDate": _CREATED,
    }


def _secret_version(args: Answer, region: str) -> Answer:
    arn = _secret_arn(str(args.get("secretId")), region)
    version = str(args.get("versionId") or uuid.UUID(digest("version:" + arn, 32)))
    return {
        "id": f"{arn}|{args.get('versionStage') or 'AWSCURRENT'}",
        "arn": arn,
        "secretArn": arn,
        "secretId": args.get("secretId"),
        "versionId": version,
        "versionStages": ["AWSCURRENT"],
        "createdDate": _CREATED,
    }


def _ami(args: Answer, region: str) -> Answer:
    """An image matching the look-up: `ami-` and 17 hex digits, named after the name filter's
    pattern, owned by Amazon when the program asks for Amazon's images (the ECS-optimized ones)."""
    image = f"ami-{digest(f'ami:{region}:' + json.dumps(args, sort_keys=True, default=str), 17)}"
    patterns = [v for f in args.get("filters") or [] if f.get("name") == "name" for v in f.get("values") or []]
    name = str(patterns[0]).replace("*", "2026.01.01") if patterns else f"image-{image[4:12]}"
    owners = [str(owner) for owner in args.get("owners") or []]
    amazon = "amazon" in owners or not owners
    return {
        "id": image,
        "imageId": image,
        "arn": f"arn:{partition(region)}:ec2:{region}::image/{image}",
        "name": name,
        "ownerId": "591542846629" if amazon else owners[0],
        "imageOwnerAlias": "amazon" if amazon else "",
        "architecture": "arm64" if "arm64" in name else "x86_64",
        "imageType": "machine",
        "platformDetails": "Linux/UNIX",
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "virtualizationType": "hvm",
        "hypervisor": "xen",
        "enaSupport": True,
        "public": amazon,
        "state": "available",
        "creationDate": _CREATED,
    }


def _cluster(args: Answer, region: str) -> Answer:
    name = str(args.get("clusterName"))
    arn = f"arn:aws:ecs:{region}:{ACCOUNT}:cluster/{name}"
    return {
        "id": arn,
        "arn": arn,
        "clusterName": name,
        "status": "ACTIVE",
        "pendingTasksCount": 0,
        "runningTasksCount": 0,
        "registeredContainerInstancesCount": 0,
        "settings": [],
        "serviceConnectDefaults": [],
        "tags": {},
    }


def names(tokens: Optional[set[str]]) -> list[str]:
    """`aws:ecs/getTaskDefinition:getTaskDefinition` -> `aws.ecs.get_task_definition`, sorted."""
    shown = []
    for token in sorted(tokens or ()):
        package, module, name = token.split(":")
        snake = "".join("_" + c.lower() if c.isupper() else c for c in name)
        shown.append(".".join(filter(None, [package, module.split("/")[0].replace("index", ""), snake])))
    return shown
