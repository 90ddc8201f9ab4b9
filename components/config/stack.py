"""The stack config (namespace ``fargate``): every key, its default and its rules.

``load_stack_config()`` reads every ``fargate:*`` key of the running stack and
parses it once into a frozen ``StackConfig`` before any resource is created.
Each field below states its default, and the reason where the default is a
choice. Rules that span fields (Fargate task sizes, NAT for private subnets,
unique listener-rule priorities, container ports) live in the models too, and
report the key they are about, e.g. ``fargate:services.web.memory``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
from typing import Any, Iterable, Literal, Mapping, Optional

import pulumi
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from .autoscaling import AutoscalingConfig
from .base import NAMESPACE, ConfigModel, format_errors
from .build import CPU_ARCHITECTURE, BuildConfig
from ..task_size import FARGATE_TASK_SIZES


# The values CloudWatch Logs' PutRetentionPolicy accepts.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
                      731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

# A task holds at most 10 containers: the main one and up to 9 sidecars.
MAX_SIDECARS = 9
# Each service adds an egress rule to the ALB's security group, whose default
# quota is 60 rules per direction (the listener's 100 rules come second); 50
# leaves room for rules added by hand.
MAX_SERVICES = 50

# Not "sg-...": the service's security group is named after it, and EC2
# refuses group names that start so (they would look like group ids).
SERVICE_NAME = re.compile(r"^(?!sg-)[a-z][a-z0-9-]{0,19}$")
CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
CONTAINER_USER = re.compile(r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Characters an ALB path-pattern condition accepts (plus the * and ? wildcards).
PATH_PATTERN = re.compile(r"^[A-Za-z0-9_\-.$/~\"'@:+&*?]{1,128}$")
HOST_HEADER = re.compile(r"^[A-Za-z0-9\-.*?]{1,128}$")
HTTP_MATCHER = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")

# ARNs in any partition (aws, aws-cn, aws-us-gov) and region.
_ARN = r"arn:aws(?:-[a-z]+)*:{service}:[a-z]{{2}}(?:-[a-z]+)+-\d:\d{{12}}:"
ACM_CERTIFICATE_ARN = re.compile(
    "^" + _ARN.format(service="acm") + r"certificate/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
SSM_PARAMETER_ARN = re.compile("^" + _ARN.format(service="ssm") + r"parameter/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
# The secret's full ARN (name plus the 6 characters Secrets Manager appends), optionally
# followed by ECS's `:json-key:version-stage:version-id` selector. Group 1 is the secret
# itself, what IAM grants on; a partial ARN (without the suffix) would match no secret.
SECRETS_MANAGER_ARN = re.compile(
    "^(" + _ARN.format(service="secretsmanager") + r"secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})"
    r"(?::[^:]*:[^:]*:[^:]*)?$")
# A customer managed key by its key ARN (IAM grants on key ARNs; an alias ARN in a
# policy's Resource matches no key): a uuid, or mrk-<32 hex> for a multi-Region key.
KMS_KEY_ARN = re.compile(
    "^" + _ARN.format(service="kms") + r"key/(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")
# A private ECR image: <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>(:<tag>|@<digest>).
# Group 1 is the account, 2 the region, 3 the China suffix, 4 the repository.
ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(\.cn)?/"
    r"([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$")
ECR_HOST = re.compile(r"^[^/]*\.dkr\.ecr(?:-fips)?\.[^/]*/")
# An S3 bucket for flow logs, optionally with a folder: arn:aws:s3:::<bucket>[/<prefix>].
S3_BUCKET_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/[^\s]+)?$")
VPC_ID = re.compile(r"^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
SUBNET_ID = re.compile(r"^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
ROUTE_TABLE_ID = re.compile(r"^rtb-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ELB_SECURITY_POLICY = re.compile(r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")
# services.<name>.architecture -> the Docker platform its image is built for.
_PLATFORM = {cpu.lower(): platform for platform, cpu in CPU_ARCHITECTURE.items()}


MISSING = None


def errors_at(title: str, problems: Iterable[tuple[tuple, Any, Optional[str]]]) -> None:
    """Raise one ValidationError with a problem at each ``(loc, value, rule)``.

    Cross-field validators use this so each problem names the key it is about
    (``services.web.memory``), not the model that noticed it. A rule of
    ``MISSING`` reports a key that is required in this combination.
    """
    details = [
        InitErrorDetails(type="missing", loc=loc, input=value) if rule is MISSING else
        InitErrorDetails(type=PydanticCustomError("value_error", "{rule}", {"rule": rule}),
                         loc=loc, input=value)
        for loc, value, rule in problems
    ]
    if details:
        raise ValidationError.from_exception_data(title, details)


def _strings(value: Any) -> Any:
    """YAML turns ``PORT: 8080`` into a number; say so instead of a type error."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(item, str):
                errors_at("environment", [((key,), item, "a string; quote numbers and booleans in YAML")])
    return value


def _env_names(value: Mapping[str, str]) -> Mapping[str, str]:
    errors_at("environment", [
        ((key,), key, "a variable name: letters, digits and underscores, not starting with a digit")
        for key in value if not ENV_NAME.match(key)
    ])
    return value


# --------------------------------------------------------------------------- network


class NetworkConfig(ConfigModel):
    # Where the VPC comes from. `new` builds one for this stack (the keys up to
    # natGateways shape it); `default` uses the account's default VPC, whose
    # subnets are all public; `existing` uses the VPC and subnets named below.
    # The last two create no VPC resources.
    vpc: Literal["new", "default", "existing"] = "new"
    # Split into 16 equal blocks: public subnets take blocks 0-5, private 8-13,
    # so adding an AZ never renumbers existing subnets. /16-/22 keeps every
    # subnet at least /26, above the ALB's /27 minimum.
    cidr_block: str = "10.0.0.0/16"
    # Two AZs is the ALB's minimum and the cheapest highly available layout.
    availability_zones: int = Field(2, ge=2, le=6)
    # No NAT by default: a NAT gateway costs about $32/month each plus data;
    # tasks then run in public subnets with public IPs, reachable only from the ALB.
    nat_gateways: Literal["none", "single", "per-az"] = "none"
    # `existing` only: the VPC, and its subnets by role, one per AZ. Public ones
    # route to an internet gateway; private ones to NAT (or use vpcEndpoints).
    vpc_id: Optional[str] = None
    public_subnet_ids: tuple[str, ...] = ()
    private_subnet_ids: tuple[str, ...] = ()
    # `existing` with vpcEndpoints: the private subnets' route tables, which the
    # S3 gateway endpoint (image layers) is added to.
    private_route_table_ids: tuple[str, ...] = ()
    # Off: interface endpoints bill per AZ and hour (3 endpoints in 2 AZs cost
    # more than one NAT gateway). On, tasks in private subnets pull images, log
    # and read secrets without NAT; only this stack's tasks may use them.
    vpc_endpoints: bool = False
    # Which traffic VPC flow logs record. Unset: `rejected` for a new VPC (what a
    # security-group mistake or a probe leaves behind, at the lowest volume of the
    # three); `off` for `default` and `existing`, which are not this stack's VPC
    # to log (their owner may log them already). `all` adds accepted traffic.
    flow_logs: Literal["off", "rejected", "all"] = "off"
    # None: flow logs go to a CloudWatch log group of this stack, written through a
    # role that may write there only. An S3 bucket ARN (arn:aws:s3:::<bucket>[/<folder>])
    # sends them there instead, at half the per-GB price; the bucket is yours.
    flow_logs_bucket_arn: Optional[str] = None
    # A month, like the services' logRetentionDays: enough to look back on last
    # week's incident, cheap to keep. CloudWatch destination only.
    flow_logs_retention_days: int = 30

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
            raise ValueError("an S3 bucket ARN such as arn:aws:s3:::my-flow-logs or "
                             "arn:aws:s3:::my-flow-logs/vpc (a folder not named AWSLogs)")
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
        if not 16 <= network.prefixlen <= 22:
            raise ValueError("a prefix length from /16 to /22")
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
        pattern, example = ((ROUTE_TABLE_ID, "rtb-0123456789abcdef0") if info.field_name == "private_route_table_ids"
                            else (SUBNET_ID, "subnet-0123456789abcdef0"))
        key = to_camel(info.field_name)
        errors_at(key, [((index,), item, f"an id such as {example}") if not pattern.match(item) else
                        ((index,), item, "each id once")
                        for index, item in enumerate(value) if not pattern.match(item) or item in value[:index]])
        return value

    @model_validator(mode="after")
    def _keys_of_the_vpc_source(self) -> "NetworkConfig":
        given = self.model_fields_set
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        for field in ("cidr_block", "availability_zones", "nat_gateways"):
            if field in given and self.vpc != "new":
                problems.append(((to_camel(field),), getattr(self, field),
                                 f"only with vpc 'new' (it shapes the VPC this stack builds; vpc is '{self.vpc}')"))
        for field in ("vpc_id", "public_subnet_ids", "private_subnet_ids", "private_route_table_ids"):
            if field in given and self.vpc != "existing":
                problems.append(((to_camel(field),), _plain(getattr(self, field)),
                                 f"only with vpc 'existing' (vpc is '{self.vpc}')"))
        if self.vpc == "existing":
            if self.vpc_id is None:
                problems.append((("vpcId",), None, MISSING))
            both = set(self.public_subnet_ids) & set(self.private_subnet_ids)
            if both:
                problems.append((("privateSubnetIds",), list(self.private_subnet_ids),
                                 f"subnets other than the public ones ({', '.join(sorted(both))} is in both)"))
            if self.vpc_endpoints and not self.private_route_table_ids:
                problems.append((("privateRouteTableIds",), [],
                                 "the private subnets' route tables, with vpcEndpoints on "
                                 "(the S3 gateway endpoint for image layers is added to them)"))
        if self.flow_logs == "off":
            for field in ("flow_logs_bucket_arn", "flow_logs_retention_days"):
                if field in given:
                    problems.append(((to_camel(field),), getattr(self, field),
                                     "only with flowLogs 'rejected' or 'all' (flowLogs is 'off')"))
        elif self.flow_logs_bucket_arn is not None and "flow_logs_retention_days" in given:
            problems.append((("flowLogsRetentionDays",), self.flow_logs_retention_days,
                             "only without flowLogsBucketArn (the bucket's lifecycle rules keep S3 objects)"))
        if self.vpc == "default" and self.vpc_endpoints:
            problems.append((("vpcEndpoints",), True,
                             "false with vpc 'default': its subnets are all public, and tasks there "
                             "reach AWS through their public IPs"))
        errors_at("network", problems)
        return self

    def subnet_cidrs(self) -> tuple[list[str], list[str]]:
        """(public, private) CIDR blocks, one of each per AZ."""
        blocks = list(ipaddress.IPv4Network(self.cidr_block).subnets(prefixlen_diff=4))
        count = self.availability_zones
        return ([str(b) for b in blocks[:count]], [str(b) for b in blocks[8:8 + count]])

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


# --------------------------------------------------------------------------- load balancer


class AccessLogsConfig(ConfigModel):
    bucket: str
    # None: log objects go under AWSLogs/<account>/ at the bucket's root.
    prefix: Optional[str] = None

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not S3_BUCKET.match(value) or ".." in value:
            raise ValueError("an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'")
        return value

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and (not value or value.startswith("/") or value.endswith("/") or "AWSLogs" in value):
            raise ValueError("a key prefix such as alb/prod: no leading or trailing '/', "
                             "not containing 'AWSLogs' (ELB adds that part itself)")
        return value


class LoadBalancerConfig(ConfigModel):
    # Internet-facing, as in the walkthrough; `true` puts the ALB in the private subnets.
    internal: bool = False
    # Who may reach the listeners. Narrow it for anything not meant for the public.
    ingress_cidrs: tuple[str, ...] = Field(("0.0.0.0/0", "::/0"), min_length=1)
    idle_timeout_seconds: int = Field(60, ge=1, le=4000)
    # Off so `pulumi destroy` works without a manual step; turn it on in production.
    deletion_protection: bool = False
    # An ACM certificate in the ALB's region turns on HTTPS: a 443 listener
    # carries the service rules and port 80 only redirects to it (301).
    certificate_arn: Optional[str] = None
    # AWS's recommended policy: TLS 1.3 and 1.2 only, forward-secret ciphers.
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # Requests with malformed header names are dropped instead of being passed
    # to the app (request smuggling); nothing legitimate sends them.
    drop_invalid_headers: bool = True
    # None: no access logs (S3 storage costs). The bucket is yours, and its
    # policy must let the region's Elastic Load Balancing account write to it.
    access_logs: Optional[AccessLogsConfig] = None

    @field_validator("ingress_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = []
        for index, cidr in enumerate(value):
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                bad.append(((index,), cidr, "an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or ::/0"))
        errors_at("ingressCidrs", bad)
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if value is None:
            return value
        if not ACM_CERTIFICATE_ARN.match(value):
            raise ValueError("an ACM certificate ARN such as "
                             "arn:aws:acm:us-east-1:123456789012:certificate/<uuid>")
        region = (info.context or {}).get("region")
        if region and value.split(":")[3] != region:
            raise ValueError(f"a certificate in the stack's region {region} (an ALB uses certificates of its own region)")
        return value

    @field_validator("ssl_policy")
    @classmethod
    def _ssl_policy(cls, value: str) -> str:
        if not ELB_SECURITY_POLICY.match(value):
            raise ValueError("an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06")
        return value

    @model_validator(mode="after")
    def _tls_needs_a_certificate(self) -> "LoadBalancerConfig":
        if "ssl_policy" in self.model_fields_set and self.certificate_arn is None:
            errors_at("loadBalancer", [(("sslPolicy",), self.ssl_policy,
                                        "only with certificateArn (it applies to the HTTPS listener)")])
        return self

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None


# --------------------------------------------------------------------------- cluster


class ClusterConfig(ConfigModel):
    # On: per-task CPU/memory metrics are what you look at when scaling misbehaves.
    # It costs extra CloudWatch metrics; set false for throwaway stacks.
    container_insights: bool = True


# --------------------------------------------------------------------------- services


class HealthCheckConfig(ConfigModel):
    path: str = "/"
    # Any 2xx/3xx: a redirect from `/` to a login page still means "up".
    matcher: str = "200-399"
    interval_seconds: int = Field(30, ge=5, le=300)
    timeout_seconds: int = Field(5, ge=2, le=120)
    healthy_threshold: int = Field(3, ge=2, le=10)
    unhealthy_threshold: int = Field(3, ge=2, le=10)
    # Time a new task gets to start before failed health checks count against it.
    grace_period_seconds: int = Field(60, ge=0, le=2147483647)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or len(value) > 1024 or any(c.isspace() for c in value):
            raise ValueError("a URL path starting with '/', no spaces, at most 1024 characters")
        return value

    @field_validator("matcher")
    @classmethod
    def _matcher(cls, value: str) -> str:
        codes = [int(code) for code in re.findall(r"\d+", value)] if HTTP_MATCHER.match(value) else []
        if not codes or any(not 200 <= code <= 499 for code in codes):
            raise ValueError("HTTP codes from 200 to 499: '200', '200,302' or '200-399'")
        return value

    @model_validator(mode="after")
    def _timeout_below_interval(self) -> "HealthCheckConfig":
        if self.timeout_seconds >= self.interval_seconds:
            errors_at("healthCheck", [(("timeoutSeconds",), self.timeout_seconds,
                                       f"less than intervalSeconds ({self.interval_seconds})")])
        return self


class RoutingConfig(ConfigModel):
    # Everything by default: a single service takes all traffic.
    path_patterns: tuple[str, ...] = ("/*",)
    host_headers: tuple[str, ...] = ()
    # None: derived from this service's own routing and name (see derived_priority),
    # so adding or removing a service never renumbers the others.
    priority: Optional[int] = Field(None, ge=1, le=50000)

    @field_validator("path_patterns")
    @classmethod
    def _paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at("pathPatterns", [((i,), p, "an ALB path pattern: up to 128 characters of "
                                    "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & and the wildcards * ?")
                                   for i, p in enumerate(value) if not PATH_PATTERN.match(p)])
        return value

    @field_validator("host_headers")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at("hostHeaders", [((i,), h, "a host name such as api.example.com or *.example.com")
                                  for i, h in enumerate(value) if not HOST_HEADER.match(h)])
        return value

    @model_validator(mode="after")
    def _condition_count(self) -> "RoutingConfig":
        values = len(self.path_patterns) + len(self.host_headers)
        if values == 0:
            errors_at("routing", [(("pathPatterns",), [], "at least one path pattern or host header")])
        if values > 5:  # ALB limit: five condition values per rule
            errors_at("routing", [(("pathPatterns",), list(self.path_patterns),
                                   "at most 5 path patterns and host headers together (an ALB rule limit)")])
        return self

    @property
    def is_catch_all(self) -> bool:
        return not self.host_headers and set(self.path_patterns) <= {"/*", "*"}


class PortMappingConfig(ConfigModel):
    container_port: int = Field(ge=1, le=65535)
    protocol: Literal["tcp", "udp"] = "tcp"


class SidecarConfig(ConfigModel):
    image: str = Field(min_length=1)
    # Container-level CPU units; 0 lets the sidecar share the task's CPU.
    cpu: int = Field(0, ge=0)
    # Hard limit in MiB; None lets it share the task's memory (6 MiB is Docker's minimum).
    memory: Optional[int] = Field(None, ge=6)
    # ECS's default: if a sidecar the app relies on dies, the task is replaced.
    essential: bool = True
    environment: dict[str, str] = {}
    port_mappings: tuple[PortMappingConfig, ...] = ()

    _strings = field_validator("environment", mode="before")(_strings)
    _env_names = field_validator("environment")(_env_names)


class DeploymentConfig(ConfigModel):
    # A deployment whose tasks never become healthy is stopped and rolled back.
    circuit_breaker: bool = True
    # 100/200: start new tasks before stopping old ones, so a deploy never
    # lowers capacity (ECS's default for services).
    minimum_healthy_percent: int = Field(100, ge=0, le=100)
    maximum_percent: int = Field(200, ge=100, le=200)


class CapacityProviderConfig(ConfigModel):
    # Tasks placed on this provider before the weights share out the rest.
    base: int = Field(0, ge=0, le=100000)
    # This provider's share of the tasks beyond the bases; 1 so a provider
    # that is listed receives tasks.
    weight: int = Field(1, ge=0, le=1000)


class CapacityProvidersConfig(ConfigModel):
    fargate: Optional[CapacityProviderConfig] = Field(None, alias="FARGATE")
    # Up to 70 % cheaper; AWS may stop a task with two minutes' notice.
    fargate_spot: Optional[CapacityProviderConfig] = Field(None, alias="FARGATE_SPOT")

    @model_validator(mode="after")
    def _strategy_rules(self) -> "CapacityProvidersConfig":
        providers = self.strategy()
        if not providers:
            errors_at("capacityProviders", [((), {}, "FARGATE, FARGATE_SPOT or both")])
        problems = []
        if sum(1 for _, base, _ in providers if base) > 1:
            problems.append((("FARGATE_SPOT", "base"), self.fargate_spot.base,
                             "0 while FARGATE has a base (ECS allows a base on one provider only)"))
        if providers and not any(weight for _, _, weight in providers):
            problems.append(((providers[-1][0], "weight"), 0,
                             "above 0 on at least one provider (weights place every task beyond the base)"))
        errors_at("capacityProviders", problems)
        return self

    def strategy(self) -> list[tuple[str, int, int]]:
        """``(provider, base, weight)`` for each configured provider."""
        return [(name, provider.base, provider.weight)
                for name, provider in (("FARGATE", self.fargate), ("FARGATE_SPOT", self.fargate_spot))
                if provider is not None]


def ecr_repository_arn(image: Optional[str]) -> Optional[str]:
    """The ARN of the private ECR repository an image reference names, or None for any other registry."""
    match = ECR_IMAGE.match(image or "")
    if match is None:
        return None
    account, region, china, repository = match.groups()
    partition = "aws-cn" if china else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"


def _secret_resource_arn(value_from: str) -> str:
    """The ARN IAM grants on for a container secret's ``valueFrom``
    (a Secrets Manager ARN without ECS's ``:json-key:stage:version`` selector)."""
    match = SECRETS_MANAGER_ARN.match(value_from)
    return match.group(1) if match else value_from


class ServiceConfig(ConfigModel):
    # Exactly one of the two: an image to run, or a Docker build of one (pushed
    # to an ECR repository of the service's own, see components/image.py).
    image: Optional[str] = Field(None, min_length=1)
    build: Optional[BuildConfig] = None
    # The smallest Fargate size (0.25 vCPU / 0.5 GiB); raise it per service.
    cpu: int = 256
    memory: int = 512
    container_port: int = Field(80, ge=1, le=65535)
    desired_count: int = Field(1, ge=0)
    # Public unless the network has NAT (set by StackConfig): private subnets
    # without NAT cannot pull images. Tasks are reachable only from the ALB either way.
    subnets: Literal["public", "private"] = "public"
    # A task in a public subnet needs a public IP to reach the image registry;
    # one in a private subnet goes through NAT. Derived from `subnets` when unset.
    assign_public_ip: bool = True
    health_check: HealthCheckConfig = HealthCheckConfig()
    routing: RoutingConfig = RoutingConfig()
    environment: dict[str, str] = {}
    # Off: most public images (nginx among them) write to their own filesystem.
    # Turn it on for images built for it.
    readonly_root_filesystem: bool = False
    # None runs as the image's USER (root unless the image says otherwise);
    # "uid", "uid:gid" or a user name the image knows.
    user: Optional[str] = None
    # A month of logs: enough to debug last week's incident, cheap to keep.
    log_retention_days: int = 30
    sidecars: dict[str, SidecarConfig] = Field({}, max_length=MAX_SIDECARS)
    deployment: DeploymentConfig = DeploymentConfig()
    # Service autoscaling (issue 5); None keeps desiredCount fixed.
    autoscaling: Optional[AutoscalingConfig] = None
    # NAME -> ARN of an SSM parameter or a Secrets Manager secret. ECS reads
    # each when a task starts and hands it to the main container as NAME; the
    # execution role may read exactly these ARNs and nothing else.
    secrets: dict[str, str] = {}
    # None: the secrets are encrypted with the AWS managed keys (aws/ssm,
    # aws/secretsmanager), which need no grant. The key ARN of a customer managed
    # KMS key that encrypts them gives the execution role kms:Decrypt on that key,
    # through SSM and Secrets Manager only.
    secrets_kms_key_arn: Optional[str] = None
    # ECS Exec (`aws ecs execute-command`): off, as a shell into a running
    # task is access most services never need.
    exec_command: bool = False
    # The CPU the tasks run on. arm64 (Graviton) costs about 20 % less, but the
    # image, and any sidecar image, must be built for it.
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    # None: every task on regular Fargate (launch type FARGATE).
    capacity_providers: Optional[CapacityProvidersConfig] = None

    _strings = field_validator("environment", "secrets", mode="before")(_strings)
    _env_names = field_validator("environment", "secrets")(_env_names)

    @model_validator(mode="before")
    @classmethod
    def _derive_assign_public_ip(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "assignPublicIp" not in data and "assign_public_ip" not in data:
            data = {**data, "assignPublicIp": data.get("subnets", "public") == "public"}
        return data

    @model_validator(mode="before")
    @classmethod
    def _build_for_the_architecture(cls, data: Any) -> Any:
        # A build without a platform builds for the tasks' architecture.
        if isinstance(data, Mapping) and isinstance(data.get("build"), Mapping) and "platform" not in data["build"]:
            platform = _PLATFORM.get(data.get("architecture", "x86_64"))
            if platform is not None:
                data = {**data, "build": {**data["build"], "platform": platform}}
        return data

    @field_validator("secrets")
    @classmethod
    def _secret_arns(cls, value: dict[str, str]) -> dict[str, str]:
        errors_at("secrets", [
            ((name,), arn, "the ARN of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>) "
                           "or the full ARN of a Secrets Manager secret "
                           "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)")
            for name, arn in value.items() if not (SSM_PARAMETER_ARN.match(arn) or SECRETS_MANAGER_ARN.match(arn))
        ])
        return value

    @field_validator("secrets_kms_key_arn")
    @classmethod
    def _kms_key_arn(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not KMS_KEY_ARN.match(value):
            raise ValueError("a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<uuid> "
                             "(the key's ARN, not an alias)")
        return value

    @field_validator("image", mode="before")
    @classmethod
    def _image(cls, value: Any) -> Any:
        if isinstance(value, str) and any(c.isspace() for c in value.strip()):
            raise ValueError("an image reference such as public.ecr.aws/nginx/nginx:stable (no spaces)")
        return value

    @field_validator("user")
    @classmethod
    def _user(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not CONTAINER_USER.match(value):
            raise ValueError("'uid', 'uid:gid', 'user' or 'user:group' (letters, digits, '_', '.', '-')")
        return value

    @field_validator("cpu")
    @classmethod
    def _cpu(cls, value: int) -> int:
        if value not in FARGATE_TASK_SIZES:
            raise ValueError(f"one of {', '.join(map(str, FARGATE_TASK_SIZES))} (Fargate task CPU units)")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(f"one of {', '.join(map(str, LOG_RETENTION_DAYS))} (what CloudWatch Logs accepts)")
        return value

    @field_validator("sidecars")
    @classmethod
    def _sidecar_names(cls, value: dict[str, SidecarConfig]) -> dict[str, SidecarConfig]:
        errors_at("sidecars", [((name,), name, "a container name: up to 255 letters, digits, '_' and '-'")
                               for name in value if not CONTAINER_NAME.match(name)])
        return value

    @model_validator(mode="after")
    def _task_rules(self) -> "ServiceConfig":
        problems: list[tuple[tuple, Any, str]] = []
        allowed = FARGATE_TASK_SIZES[self.cpu]
        if self.memory not in allowed:
            problems.append((("memory",), self.memory, f"with cpu {self.cpu}: {_ranges(allowed)} (MiB)"))
        if self.subnets == "public" and not self.assign_public_ip:
            problems.append((("assignPublicIp",), False,
                             "true in public subnets: without a public IP the task cannot pull its image"))
        if self.subnets == "private" and self.assign_public_ip:
            problems.append((("assignPublicIp",), True, "false in private subnets (a public IP has no route there)"))
        problems += self._image_problems()
        problems += self._runtime_problems()
        problems += self._container_problems()
        problems += self._deployment_problems()
        errors_at("ServiceConfig", problems)
        return self

    def _image_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        if self.image is None and self.build is None:
            problems.append((("image",), None, MISSING))
        if self.image is not None and self.build is not None:
            problems.append((("build",), self.build.model_dump(by_alias=True, exclude_defaults=True),
                             "not together with image: run a given image or build one, not both"))
        # An ECR host with a reference IAM could not be granted on: refused here, not
        # taken for another registry (the task would get no pull rights and fail to start).
        for loc, image in [(("image",), self.image), *((("sidecars", name, "image"), sidecar.image)
                                                       for name, sidecar in self.sidecars.items())]:
            if image and ECR_HOST.match(image) and ecr_repository_arn(image) is None:
                problems.append((loc, image, "a private ECR image such as "
                                 "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0 "
                                 "(lowercase repository, a tag or @sha256: digest)"))
        if self.build is not None and CPU_ARCHITECTURE[self.build.platform] != self.cpu_architecture:
            problems.append((("build", "platform"), self.build.platform,
                             f"{_PLATFORM[self.architecture]} to match architecture '{self.architecture}' "
                             "(or leave platform out): tasks cannot run an image built for another CPU"))
        return problems

    def _runtime_problems(self) -> list[tuple[tuple, Any, str]]:
        problems = []
        # Fargate Spot with arm64 is allowed: it needs platform 1.4.0+, and services run LATEST.
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
        if self.exec_command and self.readonly_root_filesystem:
            problems.append((("execCommand",), True,
                             "false while readonlyRootFilesystem is true: the ECS Exec agent must write "
                             "to the container's filesystem"))
        problems += [(("secrets", name), name,
                      "a name not also in environment (the container would get it twice)")
                     for name in sorted(self.secrets.keys() & self.environment.keys())]
        if self.secrets_kms_key_arn is not None and not self.secrets:
            problems.append((("secretsKmsKeyArn",), self.secrets_kms_key_arn,
                             "only with secrets (the key decrypts them; there are none)"))
        return problems

    def _container_problems(self) -> list[tuple[tuple, Any, str]]:
        problems = []
        ports = {self.container_port: "the main container"}
        for name, sidecar in self.sidecars.items():
            for index, mapping in enumerate(sidecar.port_mappings):
                owner = ports.setdefault(mapping.container_port, f"sidecars.{name}")
                if owner != f"sidecars.{name}" or sum(
                        m.container_port == mapping.container_port for m in sidecar.port_mappings[:index]):
                    problems.append((("sidecars", name, "portMappings", index, "containerPort"),
                                     mapping.container_port,
                                     f"a port no other container uses (taken by {owner}; containers share the task's network)"))
        cpu = sum(s.cpu for s in self.sidecars.values())
        if cpu > self.cpu:
            problems.append((("sidecars",), cpu, f"sidecar cpu totalling at most the task's {self.cpu} units"))
        memory = sum(s.memory or 0 for s in self.sidecars.values())
        if memory > self.memory:
            problems.append((("sidecars",), memory, f"sidecar memory totalling at most the task's {self.memory} MiB"))
        return problems

    def _deployment_problems(self) -> list[tuple[tuple, Any, str]]:
        # ECS rounds minimumHealthyPercent up and maximumPercent down: with
        # neither room to stop a task first nor to start one first, a deploy stalls.
        count = self.autoscaling.clamp(self.desired_count) if self.autoscaling else self.desired_count
        if count == 0:
            return []
        floor_tasks = math.ceil(count * self.deployment.minimum_healthy_percent / 100)
        ceiling_tasks = math.floor(count * self.deployment.maximum_percent / 100)
        if floor_tasks >= count and ceiling_tasks <= count:
            return [(("deployment", "maximumPercent"), self.deployment.maximum_percent,
                     f"with desiredCount {count} and minimumHealthyPercent "
                     f"{self.deployment.minimum_healthy_percent}, room for one extra task "
                     f"(at least {math.ceil(100 * (count + 1) / count)}) or deployments cannot proceed")]
        return []


    @property
    def cpu_architecture(self) -> str:
        """The task definition's runtimePlatform.cpuArchitecture."""
        return self.architecture.upper()

    @property
    def ssm_parameter_arns(self) -> list[str]:
        return sorted({arn for arn in self.secrets.values() if SSM_PARAMETER_ARN.match(arn)})

    @property
    def secrets_manager_arns(self) -> list[str]:
        return sorted({_secret_resource_arn(arn) for arn in self.secrets.values() if SECRETS_MANAGER_ARN.match(arn)})

    @property
    def secrets_services(self) -> list[str]:
        """The endpoints (``ssm.<region>.amazonaws.com``, ...) through which the secrets are
        read: where KMS sees the execution role's Decrypt calls come from."""
        return sorted({f"{arn.split(':')[2]}.{arn.split(':')[3]}.amazonaws.com" + (
            ".cn" if arn.split(":")[1] == "aws-cn" else "") for arn in self.secrets.values()})

    @property
    def ecr_repository_arns(self) -> list[str]:
        """The private ECR repositories the configured images (main and sidecars) are
        pulled from. Images elsewhere (public.ecr.aws, Docker Hub, ghcr.io...) need no grant.
        An image built here (``build``) is not among them: its repository is the service's own."""
        return sorted({arn for image in [self.image, *(s.image for s in self.sidecars.values())]
                       if (arn := ecr_repository_arn(image)) is not None})


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _ranges(values: tuple[int, ...]) -> str:
    if len(values) <= 4:
        return ", ".join(map(str, values))
    return f"{values[0]} to {values[-1]} in steps of {values[1] - values[0]}"


# --------------------------------------------------------------------------- the stack


class StackConfig(ConfigModel):
    network: NetworkConfig = NetworkConfig()
    load_balancer: LoadBalancerConfig = LoadBalancerConfig()
    cluster: ClusterConfig = ClusterConfig()
    services: dict[str, ServiceConfig]

    @field_validator("services", mode="before")
    @classmethod
    def _default_subnets(cls, value: Any, info: ValidationInfo) -> Any:
        # A service's subnets default to private when the network has private
        # subnets tasks can pull images from (NAT, endpoints, or an existing
        # VPC's own); `network` is validated first, so its value is known here.
        network = info.data.get("network")
        if isinstance(value, Mapping) and network is not None and network.has_private_subnets \
                and network.private_egress:
            value = {name: ({"subnets": "private", **svc} if isinstance(svc, Mapping)
                            and "subnets" not in svc else svc)
                     for name, svc in value.items()}
        return value

    @field_validator("services", mode="before")
    @classmethod
    def _service_names(cls, value: Any) -> Any:
        # The names as written: parsed as str keys they would lose surrounding whitespace.
        if isinstance(value, Mapping):
            errors_at("services", [((name,), name, "a service name: lowercase letters, digits and '-', "
                                    "starting with a letter, at most 20 characters, not starting with 'sg-'")
                                   for name in value if not (isinstance(name, str) and SERVICE_NAME.fullmatch(name))])
        return value

    @field_validator("services")
    @classmethod
    def _service_count(cls, value: dict[str, ServiceConfig]) -> dict[str, ServiceConfig]:
        if not 1 <= len(value) <= MAX_SERVICES:
            raise ValueError(f"from 1 to {MAX_SERVICES} services (each adds a rule to the ALB's security "
                             "group, whose default quota is 60 per direction)")
        errors_at("services", [((name, "sidecars", sidecar), sidecar,
                                "a name other than the service's own (its main container)")
                               for name, svc in value.items() for sidecar in svc.sidecars if sidecar == name])
        return value

    @model_validator(mode="after")
    def _stack_rules(self) -> "StackConfig":
        problems = self._placement_problems()
        seen_priority: dict[int, str] = {}
        seen_routes: dict[tuple, str] = {}
        for name, service in self.services.items():
            priority = service.routing.priority
            if priority is not None:
                if priority in seen_priority:
                    problems.append((("services", name, "routing", "priority"), priority,
                                     f"a priority no other service uses (services.{seen_priority[priority]} has it)"))
                seen_priority.setdefault(priority, name)
            route = (frozenset(service.routing.path_patterns), frozenset(service.routing.host_headers))
            if route in seen_routes:
                problems.append((("services", name, "routing"), service.routing.model_dump(by_alias=True),
                                 f"routes different from services.{seen_routes[route]}'s, "
                                 "or one of them never receives traffic"))
            seen_routes.setdefault(route, name)
        errors_at("StackConfig", problems)
        return self

    def _placement_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        """Each service and the ALB need subnets of the role they are placed in."""
        network, internal = self.network, self.load_balancer.internal
        users: dict[str, list[str]] = {"public": [], "private": []}
        users["private" if internal else "public"].append(
            "the internal load balancer" if internal else "the internet-facing load balancer")
        for name, service in self.services.items():
            users[service.subnets].append(f"services.{name}")

        problems: list[tuple[tuple, Any, Optional[str]]] = []
        if network.vpc == "default":
            no_private = ("the default VPC's subnets are all public "
                          "(for private placement use network.vpc 'existing' with privateSubnetIds)")
            if internal:
                problems.append((("loadBalancer", "internal"), True, f"false with network.vpc 'default': {no_private}"))
            problems += [(("services", name, "subnets"), "private", f"'public' with network.vpc 'default': {no_private}")
                         for name, service in self.services.items() if service.subnets == "private"]
        elif network.vpc == "existing":
            for role in ("public", "private"):
                ids = getattr(network, f"{role}_subnet_ids")
                if users[role] and len(ids) < 2:
                    problems.append((("network", f"{role}SubnetIds"), list(ids),
                                     f"at least two subnets, in different AZs, for {_listed(users[role])}"))
        elif not network.private_egress:
            problems += [(("services", name, "subnets"), "private",
                          "'public' while network.natGateways is 'none' and network.vpcEndpoints is off: "
                          "tasks in private subnets need NAT or VPC endpoints to pull images")
                         for name, service in self.services.items() if service.subnets == "private"]
        if network.vpc_endpoints and not self.private_services():
            problems.append((("network", "vpcEndpoints"), True,
                             "true only when a service runs in private subnets "
                             "(the endpoints serve no one else, and bill per AZ-hour)"))
        return problems

    def private_services(self) -> dict[str, ServiceConfig]:
        return {name: service for name, service in self.services.items() if service.subnets == "private"}

    @property
    def endpoints_for_secrets(self) -> bool:
        """VPC endpoints for Secrets Manager and SSM: some private task reads secrets."""
        return any(service.secrets for service in self.private_services().values())

    @property
    def endpoints_for_exec(self) -> bool:
        """The ssmmessages VPC endpoint: some private task allows ECS Exec."""
        return any(service.exec_command for service in self.private_services().values())

    @property
    def capacity_providers(self) -> list[str]:
        """The providers the cluster must offer: both Fargate ones once any service picks one."""
        if any(service.capacity_providers for service in self.services.values()):
            return ["FARGATE", "FARGATE_SPOT"]
        return []

    def listener_rule_priorities(self) -> dict[str, int]:
        """Each service's listener-rule priority: its own, or ``derived_priority``.

        A derived priority that is already taken (an explicit one, or two
        services of the same kind landing on one number) moves up to the next
        free number, services taken in name order.
        """
        priorities = {name: s.routing.priority for name, s in self.services.items() if s.routing.priority}
        taken = set(priorities.values())
        for name in sorted(n for n, s in self.services.items() if s.routing.priority is None):
            candidate = derived_priority(name, self.services[name].routing)
            while candidate in taken:
                candidate = candidate % MAX_PRIORITY + 1
            priorities[name] = candidate
            taken.add(candidate)
        return priorities


# A listener evaluates its rules lowest priority first, so a rule must come before any
# broader rule it overlaps. Derived priorities fall in bands by kind of rule, and within
# a band by how specific the paths are.
MAX_PRIORITY = 50000
PRIORITY_BANDS = {
    "host": (1, 12499),               # exact host names
    "host-wildcard": (12500, 24999),  # *.example.com after exact names
    "path": (25000, 44999),           # path patterns, no host
    "catch-all": (45000, MAX_PRIORITY),  # /* with no host: last
}
MAX_PATH_LITERAL = 128  # an ALB path pattern has at most 128 characters


def derived_priority(name: str, routing: RoutingConfig) -> int:
    """The priority a service's rule gets from its own routing and name alone.

    It never depends on the other services: adding or removing one must not renumber
    the rest, since Pulumi updates rules in parallel and AWS refuses a priority still
    held by another rule (PriorityInUse). Within the band of its kind, the longer the
    literal start of its broadest path pattern (``/api/v2/`` in ``/api/v2/*``), the
    lower the number, so ``/api/v2/*`` comes before ``/api/*``; the exact number
    within that level comes from a hash of the service name.
    """
    if routing.host_headers:
        kind = "host-wildcard" if any(c in h for h in routing.host_headers for c in "*?") else "host"
    else:
        kind = "catch-all" if routing.is_catch_all else "path"
    first, last = PRIORITY_BANDS[kind]
    slot = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    if kind == "catch-all":
        return first + slot % (last - first + 1)
    literal = min(len(re.split(r"[*?]", pattern, maxsplit=1)[0]) for pattern in routing.path_patterns)
    width = (last - first + 1) // (MAX_PATH_LITERAL + 1)
    level = MAX_PATH_LITERAL - min(literal, MAX_PATH_LITERAL)
    return first + level * width + slot % width


# --------------------------------------------------------------------------- reading it


def stack_config_values(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every ``<namespace>:*`` key of the running stack, values decoded.

    The SDK has no public "list keys" call. Config reaches the program either
    through ``pulumi.runtime.set_all_config`` (the Automation API's inline
    programs, providers, mocks) or, under the CLI's language host, as the
    ``PULUMI_CONFIG`` JSON bag (``get_config_env``); keys from both are read,
    values through ``get_config`` so its precedence applies.
    """
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    prefix = f"{namespace}:"
    values: dict[str, Any] = {}
    for full_key in sorted(keys):
        if not full_key.startswith(prefix):
            continue
        raw = pulumi.runtime.get_config(full_key)
        try:
            values[full_key[len(prefix):]] = json.loads(raw)
        except (TypeError, ValueError):
            values[full_key[len(prefix):]] = raw
    return values


def config_is_secret(key: str, namespace: str = NAMESPACE) -> bool:
    """Whether the stack holds ``<namespace>:<key>`` as a secret (a ``secure:`` value in it).

    Pulumi hands the program the decrypted value; whatever is built from it
    must be marked secret again, or it lands in the state in plain text.
    """
    full_key = f"{namespace}:{key}"
    return pulumi.runtime.is_config_secret(full_key) or full_key in pulumi.runtime.get_config_secret_keys_env()


def parse_stack_config(values: Mapping[str, Any], region: Optional[str] = None) -> StackConfig:
    """Parse ``fargate:*`` values (keys without the namespace); RunError if invalid.

    ``region``, when known, is the stack's AWS region: regional references
    (the ALB's certificate) must be in it.
    """
    try:
        return StackConfig.model_validate(dict(values), context={"region": region})
    except ValidationError as exc:
        raise pulumi.RunError(format_errors(StackConfig, exc)) from None


def load_stack_config() -> StackConfig:
    """The running stack's config, parsed once, before any resource is created."""
    return parse_stack_config(stack_config_values(), region=pulumi.Config("aws").get("region"))
