"""The stack config (namespace ``fargate``): the root model, and the names of every module.

``load_stack_config()`` reads every ``fargate:*`` key of the running stack and
parses it once into a frozen ``StackConfig`` before any resource is created.
Each concern has a module of its own (``network``, ``load_balancer``,
``cluster``, ``service``, ``routing``, ``autoscaling``, ``build``; reading and
errors in ``reading`` and ``errors``); the rules here span services and the
network: where each can be placed, and unique routes and priorities.

Every public name of those modules is importable from here too, as it was
before the split.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..aws_limits import (
    CPU_ARCHITECTURE,
    ECR_IMAGE,
    FARGATE_TASK_SIZES,
    MAX_SIDECARS,
    SECRETS_MANAGER_ARN,
    SSM_PARAMETER_ARN,
    ecr_repository_arn,
)
from .alarms import AlarmsConfig, ServiceAlarmsConfig
from .autoscaling import AutoscalingConfig
from .base import LOG_RETENTION_DAYS, MISSING, NAMESPACE, ConfigModel, errors_at, format_errors, usable
from .build import BuildConfig
from .cluster import ClusterConfig
from .load_balancer import ACM_CERTIFICATE_ARN, ELB_SECURITY_POLICY, S3_BUCKET, AccessLogsConfig, LoadBalancerConfig
from .network import ROUTE_TABLE_ID, S3_BUCKET_ARN, SUBNET_ID, VPC_ID, NetworkConfig
from .reading import config_is_secret, parse_config, stack_config_values
from .routing import (
    HOST_HEADER,
    PATH_PATTERN,
    RoutingConfig,
)
from .service import (
    CONTAINER_NAME,
    CONTAINER_USER,
    ECR_HOST,
    ENV_NAME,
    HTTP_MATCHER,
    KMS_KEY_ARN,
    CapacityProviderConfig,
    CapacityProvidersConfig,
    DeploymentConfig,
    HealthCheckConfig,
    PortMappingConfig,
    ServiceConfig,
    SidecarConfig,
)

__all__ = [
    "ACM_CERTIFICATE_ARN",
    "CONTAINER_NAME",
    "CONTAINER_USER",
    "CPU_ARCHITECTURE",
    "ECR_HOST",
    "ECR_IMAGE",
    "ELB_SECURITY_POLICY",
    "ENV_NAME",
    "FARGATE_TASK_SIZES",
    "HOST_HEADER",
    "HTTP_MATCHER",
    "KMS_KEY_ARN",
    "LOG_RETENTION_DAYS",
    "MAX_SERVICES",
    "MAX_SIDECARS",
    "MISSING",
    "NAMESPACE",
    "PATH_PATTERN",
    "ROUTE_TABLE_ID",
    "S3_BUCKET",
    "S3_BUCKET_ARN",
    "SECRETS_MANAGER_ARN",
    "SERVICE_NAME",
    "SSM_PARAMETER_ARN",
    "SUBNET_ID",
    "VPC_ID",
    "AccessLogsConfig",
    "AlarmsConfig",
    "AutoscalingConfig",
    "BuildConfig",
    "CapacityProviderConfig",
    "CapacityProvidersConfig",
    "ClusterConfig",
    "ConfigModel",
    "DeploymentConfig",
    "HealthCheckConfig",
    "LoadBalancerConfig",
    "NetworkConfig",
    "PortMappingConfig",
    "RoutingConfig",
    "ServiceAlarmsConfig",
    "ServiceConfig",
    "SidecarConfig",
    "StackConfig",
    "config_is_secret",
    "ecr_repository_arn",
    "errors_at",
    "format_errors",
    "load_stack_config",
    "parse_stack_config",
    "stack_config_values",
]

# Each service adds an egress rule to the ALB's security group, whose default
# quota is 60 rules per direction (the listener's 100 rules come second); 50
# leaves room for rules added by hand.
MAX_SERVICES = 50

# Not "sg-...": the service's security group is named after it, and EC2
# refuses group names that start so (they would look like group ids).
SERVICE_NAME = re.compile(r"^(?!sg-)[a-z][a-z0-9-]{0,19}$")


class StackConfig(ConfigModel):
    network: NetworkConfig = NetworkConfig()
    load_balancer: LoadBalancerConfig = LoadBalancerConfig()
    cluster: ClusterConfig = ClusterConfig()
    # None: the alarms exist (and roll deployments back) but notify no one.
    alarms: Optional[AlarmsConfig] = Field(
        None,
        description="where every service's alarms go: `email` (a new SNS topic) or `snsTopicArn`; without it the alarms notify no one but still roll deployments back",
    )
    services: dict[str, ServiceConfig] = Field(
        description="1 to 50 services (each adds an egress rule to the ALB's security group, whose default quota is 60 per direction); names are lowercase letters, digits and `-`, start with a letter, at most 20 characters, not `sg-…` (EC2 refuses such security group names)"
    )

    @field_validator("services", mode="before")
    @classmethod
    def _default_subnets(cls, value: Any, info: ValidationInfo) -> Any:
        # A service's subnets default to private when the network has private
        # subnets tasks can pull images from (NAT, endpoints, or an existing
        # VPC's own); `network` is validated first, so its value is known here.
        network = info.data.get("network")
        if (
            isinstance(value, Mapping)
            and network is not None
            and network.has_private_subnets
            and network.private_egress
        ):
            value = {
                name: ({"subnets": "private", **svc} if isinstance(svc, Mapping) and "subnets" not in svc else svc)
                for name, svc in value.items()
            }
        return value

    @field_validator("services", mode="before")
    @classmethod
    def _service_names(cls, value: Any) -> Any:
        # The names as written: parsed as str keys they would lose surrounding whitespace.
        if isinstance(value, Mapping):
            errors_at(
                "services",
                [
                    (
                        (name,),
                        name,
                        "a service name: lowercase letters, digits and '-', "
                        "starting with a letter, at most 20 characters, not starting with 'sg-'",
                    )
                    for name in value
                    if not (isinstance(name, str) and SERVICE_NAME.fullmatch(name))
                ],
            )
        return value

    @field_validator("services")
    @classmethod
    def _service_count(cls, value: dict[str, ServiceConfig]) -> dict[str, ServiceConfig]:
        if not 1 <= len(value) <= MAX_SERVICES:
            raise ValueError(
                f"from 1 to {MAX_SERVICES} services (each adds a rule to the ALB's security "
                "group, whose default quota is 60 per direction)"
            )
        errors_at(
            "services",
            [
                ((name, "sidecars", sidecar), sidecar, "a name other than the service's own (its main container)")
                for name, svc in value.items()
                for sidecar in svc.sidecars
                if sidecar == name
            ],
        )
        return value

    @model_validator(mode="after")
    def _stack_rules(self) -> StackConfig:
        problems = self._placement_problems()
        seen_priority: dict[int, str] = {}
        seen_routes: dict[tuple, str] = {}
        for name, service in self.services.items():
            if service.kind != "web":  # not behind the load balancer: no listener rule
                continue
            priority = service.routing.priority
            if priority is not None:
                if priority in seen_priority:
                    problems.append(
                        (
                            ("services", name, "routing", "priority"),
                            priority,
                            f"a priority no other service uses (services.{seen_priority[priority]} has it)",
                        )
                    )
                seen_priority.setdefault(priority, name)
            route = (frozenset(service.routing.path_patterns), frozenset(service.routing.host_headers))
            if route in seen_routes:
                problems.append(
                    (
                        ("services", name, "routing"),
                        service.routing.model_dump(by_alias=True),
                        f"routes different from services.{seen_routes[route]}'s, or one of them never receives traffic",
                    )
                )
            seen_routes.setdefault(route, name)
        problems += [
            (
                ("services", name, "autoscaling", "backlogPerTask"),
                service.autoscaling.backlog_per_task,
                "set only with cluster.containerInsights true: the backlog per task divides by its RunningTaskCount",
            )
            for name, service in self.services.items()
            if service.autoscaling is not None
            and service.autoscaling.backlog_per_task is not None
            and not self.cluster.container_insights
        ]
        errors_at("StackConfig", problems)
        return self

    def _placement_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        """Each service and the ALB need subnets of the role they are placed in."""
        if not usable("network", "load_balancer"):  # judged once both are valid
            return []
        network, internal = self.network, self.load_balancer.internal
        users: dict[str, list[str]] = {"public": [], "private": []}
        users["private" if internal else "public"].append(
            "the internal load balancer" if internal else "the internet-facing load balancer"
        )
        for name, service in self.services.items():
            users[service.subnets].append(f"services.{name}")

        problems: list[tuple[tuple, Any, Optional[str]]] = []
        if network.vpc == "default":
            no_private = (
                "the default VPC's subnets are all public "
                "(for private placement use network.vpc 'existing' with privateSubnetIds)"
            )
            if internal:
                problems.append((("loadBalancer", "internal"), True, f"false with network.vpc 'default': {no_private}"))
            problems += [
                (("services", name, "subnets"), "private", f"'public' with network.vpc 'default': {no_private}")
                for name, service in self.services.items()
                if service.subnets == "private"
            ]
        elif network.vpc == "existing":
            for role in ("public", "private"):
                ids = getattr(network, f"{role}_subnet_ids")
                if users[role] and len(ids) < 2:
                    problems.append(
                        (
                            ("network", f"{role}SubnetIds"),
                            list(ids),
                            f"at least two subnets, in different AZs, for {_listed(users[role])}",
                        )
                    )
        elif not network.private_egress:
            problems += [
                (
                    ("services", name, "subnets"),
                    "private",
                    "'public' while network.natGateways is 'none' and network.vpcEndpoints is off: "
                    "tasks in private subnets need NAT or VPC endpoints to pull images",
                )
                for name, service in self.services.items()
                if service.subnets == "private"
            ]
        if network.vpc_endpoints and not self.private_services() and usable("services"):
            problems.append(
                (
                    ("network", "vpcEndpoints"),
                    True,
                    "true only when a service runs in private subnets "
                    "(the endpoints serve no one else, and bill per AZ-hour)",
                )
            )
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


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def parse_stack_config(values: Mapping[str, Any], region: Optional[str] = None) -> StackConfig:
    """Parse ``fargate:*`` values (keys without the namespace); RunError if invalid.

    ``region``, when known, is the stack's AWS region: regional references
    (the ALB's certificate) must be in it.
    """
    return parse_config(StackConfig, values, context={"region": region})


def load_stack_config() -> StackConfig:
    """The running stack's config, parsed once, before any resource is created."""
    import pulumi  # here, not at the top: the schema is usable without the SDK

    return parse_stack_config(stack_config_values(), region=pulumi.Config("aws").get("region"))
