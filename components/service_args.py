"""FargateServiceArgs: what a FargateService takes, each default stated next to its field.

``validate`` judges the plain values before anything is registered, with one
error naming the arg (AWS's limits come from ``aws_limits``, shared with the
stack config).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Optional

import pulumi
import pulumi_aws as aws

from .alarms import AlarmsArgs
from .autoscaling import AutoscalingArgs
from .aws_limits import CPU_ARCHITECTURE, MAX_CONTAINERS_PER_TASK, MAX_SIDECARS, exec_possible, secret_kind
from .container_args import (
    ContainerHealthCheckArgs,
    DependencyCondition,
    VolumeArgs,
    validate_container_order,
    validate_volumes,
)
from .deployment import DeploymentStrategyArgs
from .image import ContainerImageArgs
from .routing import RoutingArgs
from .target_group import TargetGroupArgs
from .validation import check, check_log_retention, check_one_of, check_range, check_task_size

if TYPE_CHECKING:
    from .job import JobScheduleArgs
    from .load_balancer import LoadBalancer
    from .worker import WorkerQueueArgs

# The container, family and target group are named after the service; the target
# group's physical name is <name>-<7 random characters>, and ELBv2 allows 32.
SERVICE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?$")
_OWNER = "FargateServiceArgs"


def default_health_check() -> aws.lb.TargetGroupHealthCheckArgs:
    """HTTP on the traffic port: `/` answering any 2xx/3xx (a redirect to a login page
    still means "up"), every 30 s with a 5 s timeout, 3 checks either way."""
    return aws.lb.TargetGroupHealthCheckArgs(
        enabled=True,
        protocol="HTTP",
        port="traffic-port",
        path="/",
        matcher="200-399",
        interval=30,
        timeout=5,
        healthy_threshold=3,
        unhealthy_threshold=3,
    )


@dataclass(kw_only=True)
class PortMappingArgs:
    container_port: int
    # TCP, as ECS's default.
    protocol: Literal["tcp", "udp"] = "tcp"


@dataclass(kw_only=True)
class SidecarArgs:
    """A container next to the main one in each task, logging to the service's log group."""

    image: pulumi.Input[str]
    # Container-level CPU units; 0 lets the sidecar share the task's CPU.
    cpu: int = 0
    # None: no hard limit, the sidecar shares the task's memory (MiB otherwise).
    memory: Optional[int] = None
    # ECS's default: if a sidecar the app relies on dies, the task is replaced.
    essential: bool = True
    # No variables.
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # No ports: most sidecars only call out.
    port_mappings: Sequence[PortMappingArgs] = ()
    # None: the image's CMD.
    command: Optional[Sequence[str]] = None
    # NAME -> SSM parameter or Secrets Manager ARN, as the service's; the execution
    # role may read these too.
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # None: no Docker health check (the main container may wait for its START only).
    container_health_check: Optional[ContainerHealthCheckArgs] = None


@dataclass(kw_only=True)
class ServiceConnectArgs:
    """How a service joins its stack's Service Connect namespace (ServiceConnectNamespace)."""

    namespace_arn: pulumi.Input[str]
    # Publish: the stack's services reach this one at http://<name>:<container_port>.
    # False: a client only (a worker, which nobody calls).
    publish: bool = True


@dataclass(kw_only=True)
class PermissionArgs:
    """One Allow statement of the task role's inline permissions policy."""

    actions: Sequence[str]
    # ARNs (Outputs too) or "*".
    resources: Sequence[pulumi.Input[str]]
    # None: unconditional. Operator -> condition key -> value(s).
    conditions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(kw_only=True)
class FargateServiceArgs:
    cluster_arn: pulumi.Input[str]
    # For autoscaling's resource id and the alarms' dimensions.
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    # At least one, in the VPC; private ones need NAT or VPC endpoints to pull images.
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # The ALB whose listener routes to the service; its security group is the only
    # one that may reach the tasks. None: not behind it (a backend, worker or job):
    # no target group, listener rule or load balancer path.
    load_balancer: Optional[LoadBalancer] = None
    # Exactly one of the two: an image to run, or a build of one pushed to an ECR
    # repository of the service's own.
    image: Optional[pulumi.Input[str]] = None
    build: Optional[ContainerImageArgs] = None
    # The smallest Fargate size (0.25 vCPU / 0.5 GiB); raise it per service.
    cpu: int = 256
    memory: int = 512
    # nginx's port, as in the walkthrough.
    container_port: int = 80
    # One task; with autoscaling, the first count (clamped into its bounds).
    desired_count: int = 1
    # No public IP: right in private subnets. Tasks in public subnets without NAT
    # need one to reach their image registry.
    assign_public_ip: bool = False
    # See default_health_check; a given one is used as is (provider defaults for the rest).
    health_check: aws.lb.TargetGroupHealthCheckArgs = field(default_factory=default_health_check)
    # Time a new task gets to start before failed health checks count against it.
    health_check_grace_period_seconds: int = 60
    # Every path, priority derived (see RoutingArgs).
    routing: RoutingArgs = field(default_factory=RoutingArgs)
    # Deregistration delay 60 s, no slow start, no stickiness (see TargetGroupArgs).
    target_group: TargetGroupArgs = field(default_factory=TargetGroupArgs)
    # No variables. Values may be Outputs, secret ones too: the container
    # definitions are then kept secret in the state.
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # NAME -> ARN of an SSM parameter or a Secrets Manager secret, handed to the
    # main container as NAME; the execution role may read exactly these.
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # None: the secrets are encrypted with the AWS managed keys, which need no
    # grant. A customer managed key's ARN gets kms:Decrypt through SSM and
    # Secrets Manager only.
    secrets_kms_key_arn: Optional[pulumi.Input[str]] = None
    # Off: most public images (nginx among them) write to their own filesystem.
    readonly_root_filesystem: bool = False
    # None runs as the image's USER; "uid", "uid:gid" or a user name the image knows.
    user: Optional[str] = None
    # A month of logs: enough to debug last week's incident, cheap to keep.
    log_retention_days: int = 30
    # None.
    sidecars: Mapping[str, SidecarArgs] = field(default_factory=dict)
    # A deployment whose tasks never become healthy is stopped and rolled back.
    deployment_circuit_breaker: aws.ecs.ServiceDeploymentCircuitBreakerArgs = field(
        default_factory=lambda: aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True)
    )
    # 100/200: start new tasks before stopping old ones, so a deploy never lowers
    # capacity (ECS's default).
    deployment_minimum_healthy_percent: int = 100
    deployment_maximum_percent: int = 200
    # None: rolling, tasks replaced in place (no second target group, no role for ECS).
    deployment_strategy: Optional[DeploymentStrategyArgs] = None
    # None: no alarms, and nothing for ECS's deployment alarms to roll back on.
    alarms: Optional[AlarmsArgs] = None
    # None keeps desired_count fixed.
    autoscaling: Optional[AutoscalingArgs] = None
    # ECS Exec off: a shell into a running task is access most services never need.
    exec_command: bool = False
    # x86: what most images are built for. ARM64 (Graviton) costs about 20 % less.
    cpu_architecture: Literal["X86_64", "ARM64"] = "X86_64"
    # None: every task on regular Fargate (launch type FARGATE). A strategy needs
    # the cluster to offer its providers (ClusterArgs.capacity_providers).
    capacity_provider_strategies: Sequence[aws.ecs.ServiceCapacityProviderStrategyArgs] = ()
    # None besides the service's own, e.g. the VPC endpoints' client group.
    security_group_ids: Sequence[pulumi.Input[str]] = ()
    # Nothing: what must exist before the first task starts, e.g. VPC endpoints
    # the tasks pull through, the cluster's capacity providers.
    depends_on: Sequence[pulumi.Resource] = ()
    # None: no Service Connect (the service is reached through the ALB only).
    service_connect: Optional[ServiceConnectArgs] = None
    # Nothing: the task role may do nothing until granted. One inline policy.
    permissions: Sequence[PermissionArgs] = ()
    # None: not a worker. A queue the tasks consume (QUEUE_URL, grants on exactly it).
    queue: Optional[WorkerQueueArgs] = None
    # None: a service. A schedule: a job, its task run by EventBridge Scheduler, no ECS service.
    schedule: Optional[JobScheduleArgs] = None
    # None: the image's ENTRYPOINT and CMD.
    entry_point: Optional[Sequence[str]] = None
    command: Optional[Sequence[str]] = None
    # None: the target group's check alone judges the main container.
    container_health_check: Optional[ContainerHealthCheckArgs] = None
    # None: ECS's 30 s between SIGTERM and SIGKILL (2 to 120).
    stop_timeout_seconds: Optional[int] = None
    # None: Fargate's included 20 GiB (21 to 200; more is billed per GiB).
    ephemeral_storage_gib: Optional[int] = None
    # Sidecar -> what the main container waits for before it starts. None: all start together.
    container_depends_on: Mapping[str, DependencyCondition] = field(default_factory=dict)
    # None. Volume name -> an EFS volume mounted in the main container; the task
    # role may mount exactly those file systems.
    volumes: Mapping[str, VolumeArgs] = field(default_factory=dict)

    def validate(self, name: str) -> None:
        """Raise ArgsError on the first arg AWS (or this component) cannot work with."""
        check(
            "FargateService name",
            name,
            bool(SERVICE_NAME.match(name)),
            "a service name",
            "1-24 letters, digits and '-', not starting or ending with '-' "
            "(it names the target group, whose name allows 32 characters with an 8-character suffix)",
        )
        self._validate_task()
        self._validate_image()
        self._validate_deployment(name)
        self._validate_containers(name)
        self._validate_secrets()
        self._validate_kind()
        self._validate_container()
        check(
            f"{_OWNER}.exec_command",
            self.exec_command,
            exec_possible(self.exec_command, self.readonly_root_filesystem),
            "possible with readonly_root_filesystem",
            "False (the ECS Exec agent writes to the filesystem)",
        )

    def _validate_task(self) -> None:
        owner = _OWNER
        check(
            f"{owner}.image",
            self.image,
            (self.image is None) != (self.build is None),
            "one image source",
            "exactly one of image and build",
        )
        check_task_size(owner, self.cpu, self.memory)
        check_range(f"{owner}.container_port", self.container_port, 1, 65535, "a port")
        check(
            f"{owner}.desired_count",
            self.desired_count,
            isinstance(self.desired_count, int) and self.desired_count >= 0,
            "a task count",
            "0 or more",
        )
        check_log_retention(f"{owner}.log_retention_days", self.log_retention_days)
        check_one_of(f"{owner}.cpu_architecture", self.cpu_architecture, ("X86_64", "ARM64"), "a Fargate CPU")
        check_range(
            f"{owner}.deployment_minimum_healthy_percent",
            self.deployment_minimum_healthy_percent,
            0,
            100,
            "a deployment floor",
        )
        check_range(
            f"{owner}.deployment_maximum_percent", self.deployment_maximum_percent, 100, 200, "a deployment ceiling"
        )
        self.routing.validate(f"{owner}.routing")
        self.target_group.validate(f"{owner}.target_group")

    def _validate_image(self) -> None:
        owner = _OWNER
        if self.build is not None:
            self.build.validate(f"{owner}.build")
            check(
                f"{owner}.build.platform",
                self.build.platform,
                CPU_ARCHITECTURE[self.build.platform] == self.cpu_architecture,
                f"a platform for cpu_architecture {self.cpu_architecture}",
                next(p for p, cpu in CPU_ARCHITECTURE.items() if cpu == self.cpu_architecture),
            )
        if self.autoscaling is not None:
            self.autoscaling.validate(f"{owner}.autoscaling")

    def _validate_deployment(self, name: str) -> None:
        owner = _OWNER
        if self.deployment_strategy is not None:
            self.deployment_strategy.validate(f"{owner}.deployment_strategy")
            # The alternate target group is "<name>-alt" plus 8 random characters; ELB allows 32.
            check(
                "FargateService name",
                name,
                len(name) <= 20,
                "a name for a service with an alternate target group",
                "at most 20 characters with deployment_strategy",
            )
            # Request tracking reads one target group; each deployment moves the traffic to the other.
            requests = self.autoscaling.requests_per_target if self.autoscaling is not None else None
            check(
                f"{owner}.autoscaling.requests_per_target",
                requests,
                requests is None,
                "possible with deployment_strategy",
                "None (it tracks one target group; scale on cpu_target or memory_target)",
            )
        if self.alarms is not None:
            self.alarms.validate(f"{owner}.alarms")

    def _validate_containers(self, name: str) -> None:
        owner = _OWNER
        check(
            f"{owner}.sidecars",
            list(self.sidecars),
            len(self.sidecars) <= MAX_SIDECARS,
            "a number of sidecars a task holds",
            f"at most {MAX_SIDECARS} ({MAX_CONTAINERS_PER_TASK} containers per task)",
        )
        check(
            f"{owner}.sidecars",
            list(self.sidecars),
            name not in self.sidecars,
            "a set of sidecar names",
            f"names other than the service's own, {name!r} (its main container)",
        )
        ports = [self.container_port, *(m.container_port for s in self.sidecars.values() for m in s.port_mappings)]
        check(
            f"{owner}.sidecars",
            ports,
            len(ports) == len(set(ports)),
            "a set of distinct container ports",
            "each port on one container only (containers share the task's network)",
        )

    def _validate_kind(self) -> None:
        owner = _OWNER
        if self.queue is not None:
            self.queue.validate(f"{owner}.queue")
        if self.schedule is not None:
            self.schedule.validate(f"{owner}.schedule")
            for arg, value in (
                ("queue", self.queue),
                ("autoscaling", self.autoscaling),
                ("load_balancer", self.load_balancer),
            ):
                check(
                    f"{owner}.{arg}", "set", value is None, "a job's arg", "None with a schedule (a job is no service)"
                )
        if self.queue is not None and self.queue.scaling is not None:
            check(f"{owner}.autoscaling", "set", self.autoscaling is None, "a second scaler", "None with queue.scaling")
        for index, permission in enumerate(self.permissions):
            check(
                f"{owner}.permissions[{index}]",
                list(permission.actions),
                bool(permission.actions) and bool(permission.resources),
                "a statement",
                "at least one action and one resource",
            )

    def _validate_secrets(self) -> None:
        owner = _OWNER
        for prefix, secrets in [
            (f"{owner}.secrets", self.secrets),
            *((f"{owner}.sidecars.{name}.secrets", s.secrets) for name, s in self.sidecars.items()),
        ]:
            for key, arn in secrets.items():
                check(
                    f"{prefix}.{key}",
                    arn,
                    secret_kind(arn) is not None,
                    "a secret reference",
                    "the ARN of an SSM parameter or the full ARN of a Secrets Manager secret",
                )
        check(
            f"{owner}.secrets_kms_key_arn",
            self.secrets_kms_key_arn,
            self.secrets_kms_key_arn is None or bool(self.secret_arns),
            "needed without secrets",
            "None",
        )

    def _validate_container(self) -> None:
        owner = _OWNER
        for arg, value in (("entry_point", self.entry_point), ("command", self.command)):
            if value is not None:
                check(f"{owner}.{arg}", list(value), bool(value) and all(value), "a command", "non-empty strings")
        if self.stop_timeout_seconds is not None:
            check_range(f"{owner}.stop_timeout_seconds", self.stop_timeout_seconds, 2, 120, "a stop timeout")
        if self.ephemeral_storage_gib is not None:
            check_range(f"{owner}.ephemeral_storage_gib", self.ephemeral_storage_gib, 21, 200, "a Fargate storage size")
        for arg, health_check in [
            (f"{owner}.container_health_check", self.container_health_check),
            *(
                (f"{owner}.sidecars.{n}.container_health_check", s.container_health_check)
                for n, s in self.sidecars.items()
            ),
        ]:
            if health_check is not None:
                health_check.validate(arg)
        validate_container_order(
            f"{owner}.container_depends_on",
            self.container_depends_on,
            {name: s.container_health_check for name, s in self.sidecars.items()},
            {name: s.essential for name, s in self.sidecars.items()},
        )
        validate_volumes(f"{owner}.volumes", self.volumes)

    @property
    def secret_arns(self) -> list[pulumi.Input[str]]:
        """What the execution role reads: the main container's secrets, then each sidecar's."""
        return [*self.secrets.values(), *(arn for s in self.sidecars.values() for arn in s.secrets.values())]
