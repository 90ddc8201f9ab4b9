"""Service config (``fargate:services.<name>``): the task, its containers, health check and deployment.

Rules that span fields (Fargate task sizes, container ports, image or build)
report the key they are about, e.g. ``fargate:services.web.memory``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..aws_limits import (
    CPU_ARCHITECTURE,
    FARGATE_TASK_SIZES,
    LOG_RETENTION_DAYS,
    MAX_SIDECARS,
    REGIONAL_ARN,
    ecr_repository_arn,
    exec_possible,
    memory_ranges,
)
from .alarms import ServiceAlarmsConfig
from .autoscaling import AutoscalingConfig, check_schedule, check_timezone
from .base import MISSING, ConfigModel, errors_at, usable
from .build import BuildConfig
from .container import (
    ContainerHealthCheckConfig,
    DependencyCondition,
    VolumeConfig,
    check_command,
    check_secret_arns,
    container_problems,
)
from .deployment import StrategyConfig, strategy_problems, traffic_tracking_problems
from .routing import RoutingConfig
from .target_group import TargetGroupConfig
from .workloads import Kind, PermissionConfig, QueueConfig, RetryPolicyConfig, kind_problems

CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
CONTAINER_USER = re.compile(r"^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HTTP_MATCHER = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")
# A customer managed key by its key ARN (IAM grants on key ARNs; an alias ARN in a
# policy's Resource matches no key): a uuid, or mrk-<32 hex> for a multi-Region key.
KMS_KEY_ARN = re.compile(
    "^" + REGIONAL_ARN.format(service="kms") + r"key/(?:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
# An ECR registry host (private images are judged whole by aws_limits.ECR_IMAGE).
ECR_HOST = re.compile(r"^[^/]*\.dkr\.ecr(?:-fips)?\.[^/]*/")
# services.<name>.architecture -> the Docker platform its image is built for.
_PLATFORM = {cpu.lower(): platform for platform, cpu in CPU_ARCHITECTURE.items()}


def _strings(value: Any) -> Any:
    """YAML turns ``PORT: 8080`` into a number; say so instead of a type error."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(item, str):
                errors_at("environment", [((key,), item, "a string; quote numbers and booleans in YAML")])
    return value


def _env_names(value: Mapping[str, str]) -> Mapping[str, str]:
    errors_at(
        "environment",
        [
            ((key,), key, "a variable name: letters, digits and underscores, not starting with a digit")
            for key in value
            if not ENV_NAME.match(key)
        ],
    )
    return value


class HealthCheckConfig(ConfigModel):
    path: str = Field(
        "/",
        description="the target group's health check path",
        json_schema_extra={"yamlType": "path starting with `/`"},
    )
    # Any 2xx/3xx: a redirect from `/` to a login page still means "up".
    matcher: str = Field(
        "200-399",
        description="healthy responses: `200`, `200,302` or `200-399`",
        json_schema_extra={"yamlType": "HTTP codes 200-499"},
    )
    interval_seconds: int = Field(30, ge=5, le=300, description="seconds between checks")
    timeout_seconds: int = Field(
        5, ge=2, le=120, description="seconds before a check fails; less than `intervalSeconds`"
    )
    healthy_threshold: int = Field(3, ge=2, le=10, description="passes before a task gets traffic")
    unhealthy_threshold: int = Field(3, ge=2, le=10, description="failures before a task is taken out")
    # Time a new task gets to start before failed health checks count against it.
    grace_period_seconds: int = Field(
        60, ge=0, le=2147483647, description="time a new task gets to start before failed checks count"
    )

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
    def _timeout_below_interval(self) -> HealthCheckConfig:
        if self.timeout_seconds >= self.interval_seconds and usable("timeout_seconds", "interval_seconds"):
            # Blame the key that was set: `intervalSeconds: 5` alone meets the default timeout.
            if "timeout_seconds" not in self.model_fields_set:
                errors_at(
                    "healthCheck",
                    [
                        (
                            ("intervalSeconds",),
                            self.interval_seconds,
                            f"more than timeoutSeconds ({self.timeout_seconds})",
                        )
                    ],
                )
            errors_at(
                "healthCheck",
                [(("timeoutSeconds",), self.timeout_seconds, f"less than intervalSeconds ({self.interval_seconds})")],
            )
        return self


class PortMappingConfig(ConfigModel):
    container_port: int = Field(
        ge=1, le=65535, description="a port the sidecar listens on; no two containers of a task may share a port"
    )
    protocol: Literal["tcp", "udp"] = Field("tcp", description="the port's protocol")


class SidecarConfig(ConfigModel):
    image: str = Field(min_length=1, description="the sidecar's image")
    # Container-level CPU units; 0 lets the sidecar share the task's CPU.
    cpu: int = Field(
        0, ge=0, description="container CPU units (0 shares the task's); all sidecars together at most the task's cpu"
    )
    # Hard limit in MiB; None lets it share the task's memory (6 MiB is Docker's minimum).
    memory: Optional[int] = Field(
        None, ge=6, description="hard memory limit; all sidecars together at most the task's memory"
    )
    # ECS's default: if a sidecar the app relies on dies, the task is replaced.
    essential: bool = Field(True, description="if it stops, the task is replaced (ECS's default)")
    environment: dict[str, str] = Field(
        {}, description="the sidecar's environment variables", json_schema_extra={"yamlType": "map string → string"}
    )
    port_mappings: tuple[PortMappingConfig, ...] = ()
    # None: the image's CMD.
    command: Optional[tuple[str, ...]] = Field(None, description="the sidecar's command, instead of its image's `CMD`")
    secrets: dict[str, str] = Field(
        {},
        description="as the service's `secrets`, for this sidecar; the execution role may read exactly these ARNs too",
        json_schema_extra={"yamlType": "map name → SSM parameter or Secrets Manager ARN"},
    )
    # None: no Docker health check; the main container may then wait for its START only.
    container_health_check: Optional[ContainerHealthCheckConfig] = Field(
        None, description="a health check inside the sidecar, which `dependsOn: HEALTHY` waits for"
    )

    _strings = field_validator("environment", "secrets", mode="before")(_strings)
    _env_names = field_validator("environment", "secrets")(_env_names)
    _secret_arns = field_validator("secrets")(check_secret_arns)
    _command = field_validator("command")(check_command)


class DeploymentConfig(StrategyConfig):
    # A deployment whose tasks never become healthy is stopped and rolled back.
    circuit_breaker: bool = Field(
        True, description="stop a deployment whose tasks never get healthy and roll back to the last good one"
    )
    # 100/200: start new tasks before stopping old ones, so a deploy never
    # lowers capacity (ECS's default for services).
    minimum_healthy_percent: int = Field(
        100, ge=0, le=100, description="tasks that must stay healthy during a deployment"
    )
    maximum_percent: int = Field(
        200, ge=100, le=200, description="tasks allowed during a deployment; must leave room to stop or start one"
    )


class CapacityProviderConfig(ConfigModel):
    # Tasks placed on this provider before the weights share out the rest.
    base: int = Field(
        0,
        ge=0,
        le=100000,
        description="tasks placed on this provider before the weights share out the rest; only one provider may have a base",
    )
    # This provider's share of the tasks beyond the bases; 1 so a provider
    # that is listed receives tasks.
    weight: int = Field(
        1,
        ge=0,
        le=1000,
        description="this provider's share of the tasks beyond the bases. Without `capacityProviders` every task runs on regular Fargate ([capacity](#capacity-fargate-spot-and-arm))",
    )


class CapacityProvidersConfig(ConfigModel):
    fargate: Optional[CapacityProviderConfig] = Field(None, alias="FARGATE")
    # Up to 70 % cheaper; AWS may stop a task with two minutes' notice.
    fargate_spot: Optional[CapacityProviderConfig] = Field(None, alias="FARGATE_SPOT")

    @model_validator(mode="after")
    def _strategy_rules(self) -> CapacityProvidersConfig:
        if not usable("fargate", "fargate_spot"):
            return self
        providers = self.strategy()
        if not providers:
            errors_at("capacityProviders", [((), {}, "FARGATE, FARGATE_SPOT or both")])
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        if sum(1 for _, base, _ in providers if base) > 1 and self.fargate_spot is not None:
            problems.append(
                (
                    ("FARGATE_SPOT", "base"),
                    self.fargate_spot.base,
                    "0 while FARGATE has a base (ECS allows a base on one provider only)",
                )
            )
        if providers and not any(weight for _, _, weight in providers):
            problems.append(
                (
                    (providers[-1][0], "weight"),
                    0,
                    "above 0 on at least one provider (weights place every task beyond the base)",
                )
            )
        errors_at("capacityProviders", problems)
        return self

    def strategy(self) -> list[tuple[str, int, int]]:
        """``(provider, base, weight)`` for each configured provider."""
        return [
            (name, provider.base, provider.weight)
            for name, provider in (("FARGATE", self.fargate), ("FARGATE_SPOT", self.fargate_spot))
            if provider is not None
        ]


class ServiceConfig(ConfigModel):
    # web: today's service behind the ALB, so that existing stacks keep their resources.
    kind: Kind = Field(
        "web",
        description="`web` (behind the load balancer), `backend` (reached by the stack's services at `http://<name>:<containerPort>`), `worker` (consumes a queue) or `job` (a task run on a schedule); see [workloads](workloads.md)",
    )
    # Workers only; None gives a worker a queue of its own with SQS's defaults.
    queue: Optional[QueueConfig] = Field(
        None,
        description="workers only: the SQS queue it consumes ([workloads](workloads.md#what-each-kind-makes))",
        json_schema_extra={"yamlDefault": "a queue of its own (encrypted, with a dead-letter queue)"},
    )
    # Jobs only; required there.
    schedule: Optional[str] = Field(
        None,
        description="jobs only: when the task runs, `cron(0 3 * * ? *)` (6 fields), `rate(1 hour)` or `at(2030-01-31T18:00:00)`",
        json_schema_extra={"yamlType": "EventBridge Scheduler expression", "yamlDefault": "required for a job"},
    )
    # UTC, as EventBridge Scheduler.
    schedule_timezone: Optional[str] = Field(
        None,
        description="jobs only: the IANA zone cron follows, e.g. `Europe/Berlin`",
        json_schema_extra={"yamlDefault": "UTC"},
    )
    retry_policy: RetryPolicyConfig = Field(
        RetryPolicyConfig(),
        description="jobs only: how a run that could not start is retried before its dead-letter queue",
    )
    # Nothing: the application's task role may do nothing until granted.
    permissions: tuple[PermissionConfig, ...] = Field(
        (),
        description="Allow statements of the task role, one inline policy; a worker's queue and a job's grants are added for them ([permissions](workloads.md#permissions))",
        json_schema_extra={"yamlDefault": "none"},
    )
    # Exactly one of the two: an image to run, or a Docker build of one (pushed
    # to an ECR repository of the service's own, see components/image.py).
    image: Optional[str] = Field(
        None,
        min_length=1,
        description="image reference, e.g. `public.ecr.aws/nginx/nginx:stable`; a private ECR image (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` or `@sha256:…`) gives the execution role pull rights on that repository (sidecar images too)",
        json_schema_extra={"yamlDefault": "required unless `build`"},
    )
    build: Optional[BuildConfig] = None
    # The smallest Fargate size (0.25 vCPU / 0.5 GiB); raise it per service.
    cpu: int = Field(
        256,
        description="task CPU units (1024 = 1 vCPU)",
        json_schema_extra={"yamlType": "256, 512, 1024, 2048, 4096, 8192, 16384"},
    )
    memory: int = Field(
        512,
        description="task memory; must be a Fargate size for the cpu: 256 → 512-2048; 512 → 1024-4096; 1024 → 2048-8192; 2048 → 4096-16384; 4096 → 8192-30720 (steps of 1024); 8192 → 16384-61440 (steps of 4096); 16384 → 32768-122880 (steps of 8192)",
        json_schema_extra={"yamlType": "MiB"},
    )
    container_port: int = Field(
        80,
        ge=1,
        le=65535,
        description="the port the main container listens on; the ALB sends traffic and health checks there",
    )
    desired_count: int = Field(
        1,
        ge=0,
        description="tasks to run (with autoscaling: only the first deployment's count, clamped into its bounds)",
    )
    # Public unless the network has NAT (set by StackConfig): private subnets
    # without NAT cannot pull images. Tasks are reachable only from the ALB either way.
    subnets: Literal["public", "private"] = Field(
        "public",
        description="where the tasks run; private needs NAT or VPC endpoints to pull images; the default VPC has no private subnets",
        json_schema_extra={
            "yamlDefault": "`private` when private tasks can pull images (NAT, `vpcEndpoints`, or an existing VPC's `privateSubnetIds`), else `public`"
        },
    )
    # A task in a public subnet needs a public IP to reach the image registry;
    # one in a private subnet goes through NAT. Derived from `subnets` when unset.
    assign_public_ip: bool = Field(
        True,
        description="must match `subnets`: a task in a public subnet needs a public IP to pull its image",
        json_schema_extra={"yamlDefault": "`true` in public subnets, `false` in private"},
    )
    health_check: HealthCheckConfig = HealthCheckConfig()
    routing: RoutingConfig = RoutingConfig()
    target_group: TargetGroupConfig = Field(
        TargetGroupConfig(), description="how the ALB drains, warms up and keeps clients on the service's tasks"
    )
    environment: dict[str, str] = Field(
        {},
        description="environment variables of the main container (quote numbers and booleans in YAML)",
        json_schema_extra={"yamlType": "map string → string"},
    )
    # Off: most public images (nginx among them) write to their own filesystem.
    # Turn it on for images built for it.
    readonly_root_filesystem: bool = Field(
        False, description="mount the main container's root filesystem read-only, for images built for it"
    )
    # None runs as the image's USER (root unless the image says otherwise);
    # "uid", "uid:gid" or a user name the image knows.
    user: Optional[str] = Field(
        None,
        description="user the main container runs as",
        json_schema_extra={"yamlType": "`uid`, `uid:gid`, `user` or `user:group`", "yamlDefault": "the image's"},
    )
    # A month of logs: enough to debug last week's incident, cheap to keep.
    log_retention_days: int = Field(
        30,
        description="days CloudWatch keeps the service's logs",
        json_schema_extra={
            "yamlType": "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
        },
    )
    sidecars: dict[str, SidecarConfig] = Field(
        {},
        max_length=MAX_SIDECARS,
        description="at most 9 more containers (10 per task); names are letters, digits, `_`, `-`, not the service's own",
    )
    deployment: DeploymentConfig = DeploymentConfig()
    # A web service's target group and every service's running tasks, watched by default.
    alarms: ServiceAlarmsConfig = Field(
        ServiceAlarmsConfig(), description="the service's alarms ([alarms](#alarms-and-rollback))"
    )
    # Service autoscaling; None keeps desiredCount fixed.
    autoscaling: Optional[AutoscalingConfig] = Field(None, description="service autoscaling; see [Scaling](#scaling)")
    # NAME -> ARN of an SSM parameter or a Secrets Manager secret. ECS reads
    # each when a task starts and hands it to the main container as NAME; the
    # execution role may read exactly these ARNs and nothing else.
    secrets: dict[str, str] = Field(
        {},
        description="read by ECS at task start into the main container's environment; the execution role may read exactly these ARNs ([secrets](#secrets)); names not also in `environment`",
        json_schema_extra={"yamlType": "map name → SSM parameter or Secrets Manager ARN"},
    )
    # None: the secrets are encrypted with the AWS managed keys (aws/ssm,
    # aws/secretsmanager), which need no grant. The key ARN of a customer managed
    # KMS key that encrypts them gives the execution role kms:Decrypt on that key,
    # through SSM and Secrets Manager only.
    secrets_kms_key_arn: Optional[str] = Field(
        None,
        description="with `secrets` only: the customer managed key that encrypts them; the execution role may `kms:Decrypt` with it through SSM and Secrets Manager only ([IAM](#iam-what-each-role-may-do))",
        json_schema_extra={
            "yamlType": "KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`, not an alias)",
            "yamlDefault": "none (AWS managed keys)",
        },
    )
    # ECS Exec (`aws ecs execute-command`): off, as a shell into a running
    # task is access most services never need.
    exec_command: bool = Field(
        False,
        description="allow `aws ecs execute-command` into the tasks ([ECS Exec](#ecs-exec)); not with `readonlyRootFilesystem`",
    )
    # The CPU the tasks run on. arm64 (Graviton) costs about 20 % less, but the
    # image, and any sidecar image, must be built for it.
    architecture: Literal["x86_64", "arm64"] = Field(
        "x86_64",
        description="the tasks' CPU (`runtimePlatform`); `arm64` (Graviton) costs about 20 % less, but every image of the task must be built for it",
    )
    # None: every task on regular Fargate (launch type FARGATE).
    capacity_providers: Optional[CapacityProvidersConfig] = None
    # None: the image's ENTRYPOINT and CMD.
    entry_point: Optional[tuple[str, ...]] = Field(
        None, description="the main container's entry point, instead of its image's `ENTRYPOINT`"
    )
    command: Optional[tuple[str, ...]] = Field(
        None, description="the main container's command, instead of its image's `CMD`"
    )
    # None: the target group's check alone judges the main container.
    container_health_check: Optional[ContainerHealthCheckConfig] = Field(
        None, description="a health check inside the main container (ECS replaces a task whose check fails)"
    )
    # None: ECS's 30 s between SIGTERM and SIGKILL.
    stop_timeout_seconds: Optional[int] = Field(
        None,
        ge=2,
        le=120,
        description="seconds the main container gets to exit after SIGTERM before it is killed",
        json_schema_extra={"yamlDefault": "30 (ECS's)"},
    )
    # None: Fargate's 20 GiB, included in the price; more is billed per GiB.
    ephemeral_storage_gib: Optional[int] = Field(
        None,
        ge=21,
        le=200,
        alias="ephemeralStorageGiB",
        description="the task's ephemeral storage beyond Fargate's included 20 GiB (billed per GiB)",
        json_schema_extra={"yamlDefault": "20 (Fargate's)"},
    )
    depends_on: dict[str, DependencyCondition] = Field(
        {},
        description="sidecar → what the main container waits for before it starts: START, HEALTHY (the sidecar's `containerHealthCheck` passes), COMPLETE or SUCCESS (the sidecar, not essential, exited; with exit code 0)",
        json_schema_extra={"yamlType": "map sidecar → START, HEALTHY, COMPLETE or SUCCESS"},
    )
    volumes: dict[str, VolumeConfig] = Field(
        {},
        description="EFS volumes mounted in the main container, with transit encryption and IAM authorization; the task role may mount exactly these file systems",
    )

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
            architecture = data.get("architecture", "x86_64")  # any YAML value: reported by its own key
            platform = _PLATFORM.get(architecture) if isinstance(architecture, str) else None
            if platform is not None:
                data = {**data, "build": {**data["build"], "platform": platform}}
        return data

    _secret_arns = field_validator("secrets")(check_secret_arns)
    _command = field_validator("command", "entry_point")(check_command)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: Optional[str]) -> Optional[str]:
        return check_schedule(value) if value is not None else value

    _schedule_timezone = field_validator("schedule_timezone")(check_timezone)

    @field_validator("secrets_kms_key_arn")
    @classmethod
    def _kms_key_arn(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not KMS_KEY_ARN.match(value):
            raise ValueError(
                "a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<uuid> (the key's ARN, not an alias)"
            )
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
        errors_at(
            "sidecars",
            [
                ((name,), name, "a container name: up to 255 letters, digits, '_' and '-'")
                for name in value
                if not CONTAINER_NAME.match(name)
            ],
        )
        return value

    @model_validator(mode="after")
    def _task_rules(self) -> ServiceConfig:
        # Fields that failed stand at their defaults here; each rule reading one waits
        # until it is valid (see ConfigModel).
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        allowed = FARGATE_TASK_SIZES[self.cpu]
        if self.memory not in allowed and usable("cpu", "memory"):
            if "memory" in self.model_fields_set:
                problems.append((("memory",), self.memory, f"with cpu {self.cpu}: {memory_ranges(allowed)} (MiB)"))
            else:  # `cpu: 1024` alone: the cpu is what was set, the default memory does not fit it
                cpus = [str(cpu) for cpu, memories in FARGATE_TASK_SIZES.items() if self.memory in memories]
                problems.append(
                    (
                        ("cpu",),
                        self.cpu,
                        f"with memory {self.memory} (the default): {', '.join(cpus)}; "
                        f"or set memory too, which with cpu {self.cpu} is {memory_ranges(allowed)} (MiB)",
                    )
                )
        if not usable("subnets", "assign_public_ip"):
            pass
        elif self.subnets == "public" and not self.assign_public_ip:
            problems.append(
                (
                    ("assignPublicIp",),
                    False,
                    "true in public subnets: without a public IP the task cannot pull its image",
                )
            )
        if self.subnets == "private" and self.assign_public_ip:
            problems.append((("assignPublicIp",), True, "false in private subnets (a public IP has no route there)"))
        problems += self._image_problems()
        problems += self._runtime_problems()
        problems += self._container_problems()
        problems += self._deployment_problems()
        problems += kind_problems(self)
        if usable("deployment", "alarms", "kind", "autoscaling"):
            problems += strategy_problems(getattr(self, "kind", "web"), self.deployment, self.alarms.enabled)
            if self.autoscaling is not None and self.autoscaling.requests_per_target is not None:
                problems += traffic_tracking_problems(self.deployment, self.autoscaling.requests_per_target)
        problems += container_problems(self)
        errors_at("ServiceConfig", problems)
        return self

    def _image_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        if self.image is None and self.build is None and usable("image", "build"):
            problems.append((("image",), None, MISSING))
        if self.image is not None and self.build is not None:
            problems.append(
                (
                    ("build",),
                    self.build.model_dump(by_alias=True, exclude_defaults=True),
                    "not together with image: run a given image or build one, not both",
                )
            )
        # An ECR host with a reference IAM could not be granted on: refused here, not
        # taken for another registry (the task would get no pull rights and fail to start).
        for loc, image in [
            (("image",), self.image),
            *((("sidecars", name, "image"), sidecar.image) for name, sidecar in self.sidecars.items()),
        ]:
            if image and ECR_HOST.match(image) and ecr_repository_arn(image) is None:
                problems.append(
                    (
                        loc,
                        image,
                        "a private ECR image such as "
                        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0 "
                        "(lowercase repository, a tag or @sha256: digest)",
                    )
                )
        if (
            self.build is not None
            and CPU_ARCHITECTURE[self.build.platform] != self.cpu_architecture
            and usable("architecture")
        ):
            problems.append(
                (
                    ("build", "platform"),
                    self.build.platform,
                    f"{_PLATFORM[self.architecture]} to match architecture '{self.architecture}' "
                    "(or leave platform out): tasks cannot run an image built for another CPU",
                )
            )
        return problems

    def _runtime_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        # Fargate Spot with arm64 is allowed: it needs platform 1.4.0+, and services run LATEST.
        # https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
        if not exec_possible(self.exec_command, self.readonly_root_filesystem):
            problems.append(
                (
                    ("execCommand",),
                    True,
                    "false while readonlyRootFilesystem is true: the ECS Exec agent must write "
                    "to the container's filesystem",
                )
            )
        problems += [
            (("secrets", name), name, "a name not also in environment (the container would get it twice)")
            for name in sorted(self.secrets.keys() & self.environment.keys())
        ]
        if self.secrets_kms_key_arn is not None and not self.secret_arns and usable("secrets", "sidecars"):
            problems.append(
                (
                    ("secretsKmsKeyArn",),
                    self.secrets_kms_key_arn,
                    "only with secrets (the key decrypts them; there are none)",
                )
            )
        return problems

    def _container_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        problems: list[tuple[tuple, Any, Optional[str]]] = []
        ports = {self.container_port: "the main container"}
        for name, sidecar in self.sidecars.items() if usable("container_port") else ():
            for index, mapping in enumerate(sidecar.port_mappings):
                owner = ports.setdefault(mapping.container_port, f"sidecars.{name}")
                if owner != f"sidecars.{name}" or sum(
                    m.container_port == mapping.container_port for m in sidecar.port_mappings[:index]
                ):
                    problems.append(
                        (
                            ("sidecars", name, "portMappings", index, "containerPort"),
                            mapping.container_port,
                            f"a port no other container uses (taken by {owner}; containers share the task's network)",
                        )
                    )
        cpu = sum(s.cpu for s in self.sidecars.values())
        if cpu > self.cpu and usable("cpu"):
            problems.append((("sidecars",), cpu, f"sidecar cpu totalling at most the task's {self.cpu} units"))
        memory = sum(s.memory or 0 for s in self.sidecars.values())
        if memory > self.memory and usable("memory"):
            problems.append((("sidecars",), memory, f"sidecar memory totalling at most the task's {self.memory} MiB"))
        return problems

    def _deployment_problems(self) -> list[tuple[tuple, Any, Optional[str]]]:
        # ECS rounds minimumHealthyPercent up and maximumPercent down: with
        # neither room to stop a task first nor to start one first, a deploy stalls.
        count = self.autoscaling.clamp(self.desired_count) if self.autoscaling else self.desired_count
        if count == 0 or not usable("deployment", "autoscaling", "desired_count"):
            return []
        floor_tasks = math.ceil(count * self.deployment.minimum_healthy_percent / 100)
        ceiling_tasks = math.floor(count * self.deployment.maximum_percent / 100)
        if (
            floor_tasks >= count
            and ceiling_tasks <= count
            and not (
                {"minimum_healthy_percent"} <= self.deployment.model_fields_set
                and "maximum_percent" not in self.deployment.model_fields_set
            )
        ):
            return [
                (
                    ("deployment", "maximumPercent"),
                    self.deployment.maximum_percent,
                    f"with desiredCount {count} and minimumHealthyPercent "
                    f"{self.deployment.minimum_healthy_percent}, room for one extra task "
                    f"(at least {math.ceil(100 * (count + 1) / count)}) or deployments cannot proceed",
                )
            ]
        if floor_tasks >= count and ceiling_tasks <= count:  # minimumHealthyPercent set, maximumPercent not
            return [
                (
                    ("deployment", "minimumHealthyPercent"),
                    self.deployment.minimum_healthy_percent,
                    f"with desiredCount {count} and maximumPercent {self.deployment.maximum_percent}, room to "
                    f"stop one task first (at most {math.floor(100 * (count - 1) / count)}) "
                    "or deployments cannot proceed",
                )
            ]
        return []

    @property
    def secret_arns(self) -> list[str]:
        """The ARNs the execution role reads: the main container's secrets, then each sidecar's."""
        return [*self.secrets.values(), *(arn for s in self.sidecars.values() for arn in s.secrets.values())]

    @property
    def cpu_architecture(self) -> str:
        """The task definition's runtimePlatform.cpuArchitecture."""
        return self.architecture.upper()
