"""ECS rules: task definitions, services and clusters."""

from __future__ import annotations

import re
from typing import Any, List, Mapping, Optional

from pulumi_policy import ReportViolation, ResourceValidationArgs

from . import _types as T
from ._policy import ADVISORY, CRITICAL, HIGH, LOW, MANDATORY, MEDIUM, Rule, config_schema, settings
from ._props import as_json, get, get_list
from ._stack import service_is_fargate

# Valid Fargate task sizes: task cpu units -> allowed task memory (MiB).
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
FARGATE_TASK_SIZES = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
WINDOWS_TASK_CPU = (1024, 2048, 4096)
MAX_CONTAINERS_PER_TASK = 10


# -- reading task definitions ---------------------------------------------------------

def _containers(args: ResourceValidationArgs) -> List[Mapping[str, Any]]:
    """The container definitions (a JSON string in pulumi-aws). Unknown during a
    preview if the JSON embeds outputs; the SDK then notes the rule could not run."""
    containers = as_json(get(args.props, "containerDefinitions"))
    if not isinstance(containers, list):
        return []
    return [c for c in containers if isinstance(c, Mapping)]


def _container_name(container: Mapping[str, Any], index: int) -> str:
    return str(container.get("name") or f"#{index}")


def _requires_fargate(args: ResourceValidationArgs) -> bool:
    return "FARGATE" in get_list(args.props, "requiresCompatibilities")


def _is_windows(args: ResourceValidationArgs) -> bool:
    family = get(args.props, "runtimePlatform", "operatingSystemFamily", default="")
    return str(family).upper().startswith("WINDOWS")


def _size(value: Any, unit: str, per_unit: int) -> Optional[int]:
    """Task cpu ("256", "0.25 vCPU") in units, or memory ("512", "1 GB") in MiB."""
    text = str(value).strip()
    match = re.fullmatch(rf"(\d+(?:\.\d+)?)\s*({unit})?", text, re.IGNORECASE)
    if not match:
        return None
    number = float(match.group(1)) * (per_unit if match.group(2) else 1)
    return int(number) if number.is_integer() else None


def _describe(sizes: tuple) -> str:
    if len(sizes) <= 4:
        return ", ".join(map(str, sizes))
    return f"{sizes[0]} to {sizes[-1]} in steps of {sizes[1] - sizes[0]}"


# -- task definition rules ---------------------------------------------------------------

def fargate_awsvpc_network_mode(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Fargate task definitions use the awsvpc network mode, and Fargate services have a network configuration.

    Prevents: RegisterTaskDefinition failing ("Fargate only supports network mode
    'awsvpc'") and CreateService failing ("Network Configuration must be provided when
    networkMode 'awsvpc' is specified").

    Mirrors: AWS Config ecs-awsvpc-networking-enabled; Control Tower CT.ECS.PR.4.
    """
    if args.resource_type in T.ECS_TASK_DEFINITION:
        if _requires_fargate(args):
            mode = get(args.props, "networkMode")
            if mode != "awsvpc":
                report_violation(f"Task definition requires FARGATE but its networkMode is {mode!r}; "
                                 "set networkMode to 'awsvpc'.")
        return
    if service_is_fargate(args.props) is True and get(args.props, "networkConfiguration") is None:
        report_violation("Fargate service has no networkConfiguration; give it subnets and security groups.")


def fargate_task_size(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Fargate task definitions use a valid task cpu/memory combination and at most 10 containers.

    Prevents: RegisterTaskDefinition failing with "No Fargate configuration exists for
    given values" / "Invalid 'cpu' setting for task", or for more than 10 containers.

    Mirrors: none (AWS Config ecs-task-definition-memory-hard-limit is the nearest; it
    checks container memory limits, not the Fargate size table).
    """
    if not _requires_fargate(args):
        return
    cpu_value, memory_value = get(args.props, "cpu"), get(args.props, "memory")
    if cpu_value is None or memory_value is None:
        report_violation("Fargate task definitions need task-level cpu and memory.")
    else:
        cpu, memory = _size(cpu_value, "vcpu", 1024), _size(memory_value, "gb", 1024)
        if cpu not in FARGATE_TASK_SIZES:
            report_violation(f"cpu {cpu_value!r} is not a Fargate size; use one of "
                             f"{', '.join(map(str, FARGATE_TASK_SIZES))}.")
        elif _is_windows(args) and cpu not in WINDOWS_TASK_CPU:
            report_violation(f"cpu {cpu_value!r} is not available to Windows tasks on Fargate; use one of "
                             f"{', '.join(map(str, WINDOWS_TASK_CPU))}.")
        elif memory not in FARGATE_TASK_SIZES[cpu]:
            report_violation(f"memory {memory_value!r} is not valid with cpu {cpu}; use "
                             f"{_describe(FARGATE_TASK_SIZES[cpu])} MiB.")
    containers = _containers(args)
    if len(containers) > MAX_CONTAINERS_PER_TASK:
        report_violation(f"{len(containers)} container definitions; a task definition holds at most "
                         f"{MAX_CONTAINERS_PER_TASK}.")


SECRETS_CONFIG = config_schema(
    secretNamePatterns={
        "type": "array", "items": {"type": "string"},
        "description": "Case-insensitive regular expressions; an environment variable whose name "
                       "matches one must not carry a literal value.",
        "default": ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_?KEY", "PRIVATE_?KEY",
                    "AWS_SECRET_ACCESS_KEY"],
    },
    referenceSuffixes={
        "type": "array", "items": {"type": "string"},
        "description": "Case-insensitive name endings that mark a variable holding a reference "
                       "to a secret (DB_SECRET_ARN, TOKEN_URL), not the secret itself.",
        "default": ["_ARN", "_URL", "_URI", "_ENDPOINT", "_FILE", "_PATH", "_NAME"],
    },
    allowedNames={
        "type": "array", "items": {"type": "string"},
        "description": "Variable names exempt from the check.",
        "default": [],
    },
)


def ecs_no_plaintext_secrets(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Container environment variables named like secrets carry no literal value; use `secrets` (Secrets Manager or SSM) instead.

    Prevents: credentials readable by anyone who can call DescribeTaskDefinition, and
    kept in every task definition revision and in the Pulumi state.

    Mirrors: AWS Config ecs-no-environment-secrets; Security Hub ECS.8; Control Tower
    CT.ECS.PR.12; tfsec aws-ecs-no-plaintext-secrets.
    """
    config = settings(args, SECRETS_CONFIG)
    patterns = [re.compile(p, re.IGNORECASE) for p in config["secretNamePatterns"]]
    allowed = set(config["allowedNames"])
    references = tuple(suffix.upper() for suffix in config["referenceSuffixes"])
    for index, container in enumerate(_containers(args)):
        for variable in container.get("environment") or []:
            name, value = str(variable.get("name", "")), variable.get("value")
            if (name in allowed or not value or name.upper().endswith(references)
                    or not any(p.search(name) for p in patterns)):
                continue
            report_violation(f"Container {_container_name(container, index)!r} sets environment "
                             f"variable {name!r} to a literal value; pass it through `secrets` "
                             "(valueFrom a Secrets Manager secret or SSM parameter).")


def ecs_nonprivileged(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Containers do not run privileged.

    Prevents: a container with root on the host (and RegisterTaskDefinition failing on
    Fargate, which rejects privileged containers).

    Mirrors: AWS Config ecs-containers-nonprivileged; Security Hub ECS.4; Checkov
    CKV_AWS_334; Control Tower CT.ECS.PR.11.
    """
    for index, container in enumerate(_containers(args)):
        if container.get("privileged") is True:
            report_violation(f"Container {_container_name(container, index)!r} is privileged.")


def ecs_readonly_root_filesystem(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Containers mount their root filesystem read-only.

    Prevents: an attacker (or a bug) writing to the container image's filesystem;
    writable paths should be explicit volumes.

    Mirrors: AWS Config ecs-containers-readonly-access; Security Hub ECS.5; Checkov
    CKV_AWS_336; Control Tower CT.ECS.PR.6.
    """
    if _is_windows(args):
        # Windows containers do not support readonlyRootFilesystem; asking for it would
        # only make RegisterTaskDefinition fail.
        return
    for index, container in enumerate(_containers(args)):
        if container.get("readonlyRootFilesystem") is not True:
            report_violation(f"Container {_container_name(container, index)!r} does not set "
                             "readonlyRootFilesystem: true.")


def _is_root(user: str) -> bool:
    return user.split(":", 1)[0] in ("root", "0")


def ecs_nonroot_user(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Linux containers name a non-root `user`.

    Prevents: processes running as root inside the container (the image default when
    the task definition names no user), which turns any container escape into root.

    Mirrors: AWS Config ecs-task-definition-linux-user-non-root (and
    ecs-task-definition-nonroot-user); Security Hub ECS.20; Control Tower CT.ECS.PR.3.
    """
    if _is_windows(args):
        return
    for index, container in enumerate(_containers(args)):
        user = container.get("user")
        if not user:
            report_violation(f"Container {_container_name(container, index)!r} names no user "
                             "(it runs as the image's default user, root unless the image says otherwise).")
        elif _is_root(str(user)):
            report_violation(f"Container {_container_name(container, index)!r} runs as {user!r}.")


def ecs_log_configuration(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Containers have a log configuration.

    Prevents: tasks that stop or never become healthy leaving no output to say why.

    Mirrors: AWS Config ecs-task-definition-log-configuration; Security Hub ECS.9;
    Control Tower CT.ECS.PR.5.
    """
    for index, container in enumerate(_containers(args)):
        configuration = container.get("logConfiguration")
        if not isinstance(configuration, Mapping) or not configuration.get("logDriver"):
            report_violation(f"Container {_container_name(container, index)!r} has no logConfiguration "
                             "with a logDriver (for example awslogs).")


# -- cluster and service rules ---------------------------------------------------------------

def ecs_container_insights(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """ECS clusters enable Container Insights.

    Prevents: no per-task CPU/memory metrics when a service misbehaves or scaling
    needs tuning.

    Mirrors: AWS Config ecs-container-insights-enabled; Security Hub ECS.12; Checkov
    CKV_AWS_65; Control Tower CT.ECS.PR.2.
    """
    for setting in get_list(args.props, "settings"):
        if get(setting, "name") == "containerInsights" and get(setting, "value") in ("enabled", "enhanced"):
            return
    report_violation("Cluster does not set containerInsights to 'enabled' or 'enhanced'.")


def ecs_circuit_breaker(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Services use the deployment circuit breaker with rollback.

    Prevents: a deployment whose tasks never become healthy retrying forever instead
    of failing and rolling back to the last working task definition.

    Mirrors: none (no AWS Config, Security Hub or Checkov rule covers ECS deployment
    settings).
    """
    controller = get(args.props, "deploymentController", "type", default="ECS")
    if controller != "ECS":
        return
    breaker = get(args.props, "deploymentCircuitBreaker", default={})
    if get(breaker, "enable") is not True or get(breaker, "rollback") is not True:
        report_violation("Service does not set deploymentCircuitBreaker {enable: true, rollback: true}.")


PLATFORM_CONFIG = config_schema(
    latestLinuxVersion={"type": "string", "description": "Latest Fargate Linux platform version.",
                        "default": "1.4.0"},
    latestWindowsVersion={"type": "string", "description": "Latest Fargate Windows platform version.",
                          "default": "1.0.0"},
)


def ecs_latest_platform_version(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Fargate services run on the LATEST (or the configured latest) platform version.

    Prevents: tasks pinned to a retired platform version missing kernel and runtime
    fixes (and features such as EFS and ephemeral storage that need 1.4.0).

    Mirrors: AWS Config ecs-fargate-latest-platform-version; Security Hub ECS.10;
    Checkov CKV_AWS_332 (which misses capacity-provider services; this rule does not).
    """
    if service_is_fargate(args.props) is not True:
        return
    version = get(args.props, "platformVersion")
    config = settings(args, PLATFORM_CONFIG)
    allowed = {"LATEST", config["latestLinuxVersion"], config["latestWindowsVersion"]}
    if version is not None and version not in allowed:
        report_violation(f"platformVersion {version!r} is not LATEST ({', '.join(sorted(allowed))}).")


RULES = [
    Rule("fargate-awsvpc-network-mode", MANDATORY, fargate_awsvpc_network_mode,
         T.ECS_TASK_DEFINITION + T.ECS_SERVICE, severity=HIGH),
    Rule("fargate-task-size", MANDATORY, fargate_task_size, T.ECS_TASK_DEFINITION, severity=HIGH),
    Rule("ecs-no-plaintext-secrets", MANDATORY, ecs_no_plaintext_secrets, T.ECS_TASK_DEFINITION,
         SECRETS_CONFIG, severity=CRITICAL),
    Rule("ecs-nonprivileged", MANDATORY, ecs_nonprivileged, T.ECS_TASK_DEFINITION, severity=HIGH),
    Rule("ecs-readonly-root-filesystem", ADVISORY, ecs_readonly_root_filesystem, T.ECS_TASK_DEFINITION, severity=MEDIUM),
    Rule("ecs-nonroot-user", ADVISORY, ecs_nonroot_user, T.ECS_TASK_DEFINITION, severity=MEDIUM),
    Rule("ecs-log-configuration", ADVISORY, ecs_log_configuration, T.ECS_TASK_DEFINITION, severity=MEDIUM),
    Rule("ecs-container-insights", ADVISORY, ecs_container_insights, T.ECS_CLUSTER, severity=LOW),
    Rule("ecs-circuit-breaker", ADVISORY, ecs_circuit_breaker, T.ECS_SERVICE, severity=MEDIUM),
    Rule("ecs-latest-platform-version", ADVISORY, ecs_latest_platform_version, T.ECS_SERVICE,
         PLATFORM_CONFIG, severity=MEDIUM),
]
