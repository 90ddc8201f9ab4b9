"""ECS rules: task definitions, services and clusters."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from . import _types as T
from ._express import EXPRESS_DEFAULT_CPU, EXPRESS_DEFAULT_MEMORY, EXPRESS_TASK_CPU, express_container
from ._policy import ADVISORY, CRITICAL, HIGH, LOW, MANDATORY, MEDIUM, ReportViolation, Rule, config_schema, settings
from ._props import UNKNOWN, as_json, as_number, elements, get, get_list, peek
from ._secrets import contains_secret, is_secret, raw
from ._stack import Stack, service_is_fargate

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


def _containers(args: Union[ResourceValidationArgs, PolicyResource]) -> list[Mapping[str, Any]]:
    """The container definitions (a JSON string in pulumi-aws). Unknown during a
    preview if the JSON embeds outputs; the SDK then notes the rule could not run.
    An Express Mode service's one container reads as a definition (`express_container`)."""
    if args.resource_type in T.ECS_EXPRESS_SERVICE:
        return [express_container(args.props)]
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
                report_violation(
                    f"Task definition requires FARGATE but its networkMode is {mode!r}; set networkMode to 'awsvpc'."
                )
        return
    if service_is_fargate(args.props) is True and get(args.props, "networkConfiguration") is None:
        report_violation("Fargate service has no networkConfiguration; give it subnets and security groups.")


def fargate_task_size(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Fargate task definitions use a valid task cpu/memory combination and at most 10 containers.

    Prevents: RegisterTaskDefinition failing with "No Fargate configuration exists for
    given values" / "Invalid 'cpu' setting for task", or for more than 10 containers.

    Mirrors: none (AWS Config ecs-task-definition-memory-hard-limit is the nearest; it
    checks container memory limits, not the Fargate size table). Express Mode services are
    judged too: cpu 256 to 4096, with a memory Fargate offers for it.
    """
    if args.resource_type in T.ECS_EXPRESS_SERVICE:
        _express_task_size(args, report_violation)
        return
    if not _requires_fargate(args):
        return
    cpu_value, memory_value = get(args.props, "cpu"), get(args.props, "memory")
    if cpu_value is None or memory_value is None:
        report_violation("Fargate task definitions need task-level cpu and memory.")
    else:
        cpu, memory = _size(cpu_value, "vcpu", 1024), _size(memory_value, "gb", 1024)
        if cpu not in FARGATE_TASK_SIZES:
            report_violation(
                f"cpu {cpu_value!r} is not a Fargate size; use one of {', '.join(map(str, FARGATE_TASK_SIZES))}."
            )
        elif _is_windows(args) and cpu not in WINDOWS_TASK_CPU:
            report_violation(
                f"cpu {cpu_value!r} is not available to Windows tasks on Fargate; use one of "
                f"{', '.join(map(str, WINDOWS_TASK_CPU))}."
            )
        elif memory not in FARGATE_TASK_SIZES[cpu]:
            report_violation(
                f"memory {memory_value!r} is not valid with cpu {cpu}; use {_describe(FARGATE_TASK_SIZES[cpu])} MiB."
            )
    containers = _containers(args)
    if len(containers) > MAX_CONTAINERS_PER_TASK:
        report_violation(
            f"{len(containers)} container definitions; a task definition holds at most {MAX_CONTAINERS_PER_TASK}."
        )


def _express_task_size(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    cpu_value = get(args.props, "cpu", default=EXPRESS_DEFAULT_CPU)
    memory_value = get(args.props, "memory", default=EXPRESS_DEFAULT_MEMORY)
    cpu, memory = _size(cpu_value, "vcpu", 1024), _size(memory_value, "gb", 1024)
    if cpu not in EXPRESS_TASK_CPU:
        report_violation(
            f"Express service cpu {cpu_value!r} is not offered; use one of {', '.join(map(str, EXPRESS_TASK_CPU))}."
        )
    elif memory not in FARGATE_TASK_SIZES[cpu]:
        report_violation(
            f"Express service memory {memory_value!r} is not valid with cpu {cpu}; "
            f"use {_describe(FARGATE_TASK_SIZES[cpu])} MiB."
        )


SECRETS_CONFIG = config_schema(
    secretWords={
        "type": "array",
        "items": {"type": "string"},
        "description": "Words that name a secret. A variable's name is split into words on `_`, `-` "
        "and case changes (DB_PASSWORD, dbPassword: DB PASSWORD); an entry of several "
        "words (API KEY) matches them in a row. Case-insensitive, whole words only.",
        "default": [
            "PASSWORD",
            "PASSWD",
            "PWD",
            "PASS",
            "SECRET",
            "TOKEN",
            "APIKEY",
            "API KEY",
            "PRIVATE KEY",
            "CREDENTIAL",
            "CREDENTIALS",
            "AUTH",
        ],
    },
    propertyWords={
        "type": "array",
        "items": {"type": "string"},
        "description": "Words that make a name describe a property of a secret (TOKEN_EXPIRE_MINUTES) "
        "or a reference to one (DB_SECRET_ARN), not the secret itself: a name with one "
        "of them is not judged by its name (its value still is).",
        "default": [
            "EXPIRE",
            "EXPIRY",
            "TTL",
            "LIFETIME",
            "TIMEOUT",
            "LENGTH",
            "MINUTES",
            "HOURS",
            "DAYS",
            "SECONDS",
            "ALGORITHM",
            "HEADER",
            "TYPE",
            "ARN",
            "URL",
            "URI",
            "ENDPOINT",
            "FILE",
            "PATH",
            "NAME",
            # Switches and choices around a secret (AUTH_ENABLED, AUTH_MODE, PASSWORD_REQUIRED).
            "ENABLED",
            "DISABLED",
            "ENABLE",
            "DISABLE",
            "REQUIRED",
            "MODE",
            "PROVIDER",
            "METHOD",
        ],
    },
    allowedNames={
        "type": "array",
        "items": {"type": "string"},
        "description": "Variable names exempt from the check by name (their values are still judged).",
        "default": [],
    },
)

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def name_words(name: str) -> list[str]:
    """A variable name as upper-case words: split on anything but letters and digits, and
    where the case changes (`dbPassword`, `APIKey`, `DB_PASSWORD2` -> DB PASSWORD, API KEY, DB PASSWORD 2)."""
    return [word.upper() for word in _WORD.findall(name)]


def _has_words(words: Sequence[str], phrase: str) -> bool:
    wanted = phrase.upper().split()
    return any(list(words[i : i + len(wanted)]) == wanted for i in range(len(words) - len(wanted) + 1))


def secret_name(name: str, secret_words: Sequence[str], property_words: Sequence[str]) -> Optional[str]:
    """The secret word a name carries ("PASSWORD"), or None if it has none or a property word clears it."""
    words = name_words(name)
    if any(_has_words(words, word) for word in property_words):
        return None
    return next((word.upper() for word in secret_words if _has_words(words, word)), None)


# What a value that carries a credential looks like, whatever its variable is called.
SECRET_VALUES = [
    # scheme://user:password@host; a ${VAR} / $VAR password is a template, not a password.
    (
        "a URL with a password in it",
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]*:(?!\$\{?[A-Za-z_][A-Za-z0-9_]*\}?@)[^\s/@]+@", re.IGNORECASE),
    ),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a PEM private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\b(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"\bxox[a-z]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live secret key", re.compile(r"\bsk_live_[A-Za-z0-9]{16,}")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")),
]


# Values no secret takes: a switch (AUTH=true) or a filesystem path (PWD=/app is the shell's
# working directory; PASSWORD_FILE-style settings point at a mounted file). A name alone must
# not block a working program over them.
_SWITCHES = {"true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null"}


def plainly_not_secret(value: Any) -> bool:
    """Whether a literal value is a switch or an absolute path, which no credential is."""
    if not isinstance(value, str):
        return isinstance(value, bool)
    text = value.strip()
    return text.lower() in _SWITCHES or (text.startswith("/") and not text.startswith("//") and " " not in text)


# Values a name alone must not turn into a finding: a number (ACCESS_TOKEN_EXPIRE_MINUTES=60),
# a duration (TOKEN_TTL=15m, PT1H), a short word (AUTH_MODE=basic, AUTH_BACKEND=ldap), a role
# (GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer) or an ARN, which names a secret and is none.
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_DURATION = re.compile(
    r"\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w|secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?)"
    r"|P(?=\d|T\d)(?:\d+[YMWD])*(?:T(?:\d+(?:\.\d+)?[HMS])+)?",
    re.IGNORECASE,
)
# Letters only, at most eight: a setting's choice, not a generated credential.
_SHORT_WORD = re.compile(r"[A-Za-z]{1,8}")
_ROLES = {
    "viewer",
    "editor",
    "admin",
    "administrator",
    "owner",
    "reader",
    "writer",
    "member",
    "guest",
    "anonymous",
    "readonly",
    "read-only",
    "readwrite",
    "read-write",
    "operator",
    "developer",
    "maintainer",
    "contributor",
}


def could_be_secret(value: Any) -> bool:
    """Whether a literal value could be a credential: not a switch, a path, a number, a
    duration, a short word, a role name or an ARN. A name that looks sensitive only counts
    with such a value."""
    if not isinstance(value, str) or not value.strip() or plainly_not_secret(value):
        return False
    text = value.strip()
    if _NUMBER.fullmatch(text) or _DURATION.fullmatch(text) or _SHORT_WORD.fullmatch(text):
        return False
    return text.lower() not in _ROLES and not text.startswith("arn:")


def secret_value(value: Any) -> Optional[str]:
    """What kind of credential a value carries (`a JSON Web Token`), or None."""
    if not isinstance(value, str):
        return None
    return next((kind for kind, pattern in SECRET_VALUES if pattern.search(value)), None)


_USE_SECRETS = "pass it through `secrets` (valueFrom a Secrets Manager secret or SSM parameter)"


# A secret value shorter than this matching an environment value is taken as coincidence.
_MIN_MATCHED_SECRET = 8


def _secret_inputs(stack: Stack) -> dict[str, str]:
    """Known string values the stack's other resources hold as Pulumi secrets (a generated
    password, a database's `password`, a secret version's `secretString`) -> which one holds it."""
    found: dict[str, str] = {}
    judged = set(T.ECS_TASK_DEFINITION + T.ECS_EXPRESS_SERVICE)
    for resource in stack.resources:
        if resource.resource_type in judged or not hasattr(resource.props, "keys"):
            continue
        for key in resource.props.keys():
            value = raw(resource.props, key)
            if is_secret(value) and isinstance(value, str) and len(value) >= _MIN_MATCHED_SECRET:
                kind = resource.resource_type.rsplit(":", 1)[-1]
                found.setdefault(str(value), f"the secret `{key}` of {kind} {resource.name!r}")
    return found


def _located_secrets(
    containers: Sequence[Mapping[str, Any]], config: Mapping[str, Any], secret_inputs: Mapping[str, str]
) -> list[str]:
    """Per container, the variables of a wholly secret definition that carry a secret as far
    as the stack shows: a value another resource holds as a secret, a credential-shaped value,
    or a name that looks sensitive with a value that could be a credential. Harmless variables
    are no suspects."""
    located = []
    for index, container in enumerate(containers):
        names = []
        for variable in container.get("environment") or []:
            if not isinstance(variable, Mapping):
                continue
            name, value = str(variable.get("name", "")), variable.get("value")
            if isinstance(value, str) and value in secret_inputs:
                names.append(f"{name!r} ({secret_inputs[value]})")
            elif secret_value(value) or (
                could_be_secret(value) and secret_name(name, config["secretWords"], config["propertyWords"])
            ):
                names.append(repr(name))
        if names:
            located.append(f"container {_container_name(container, index)!r} carries it in {', '.join(names)}")
    return located


def _whole_definitions_secret(
    resource: PolicyResource, config: Mapping[str, Any], secret_inputs: Mapping[str, str], report: Any
) -> bool:
    """Report container definitions that are a Pulumi secret as a whole. True if the rest
    of the rule cannot run (the definitions are unknown)."""
    definitions = raw(resource.props, "containerDefinitions")
    if not is_secret(definitions):
        return False
    lead = (
        "containerDefinitions is a Pulumi secret: a value the program marked secret is written into "
        "the task definition, which ECS stores and shows in plain text (DescribeTaskDefinition, every "
        "revision)"
    )
    try:
        containers = _containers(resource)
    except UnknownValueError:
        report(
            f"{lead}. Its value is unknown until deployed, so which container and variable carry "
            f"it cannot be told yet; {_USE_SECRETS} instead."
        )
        return True
    located = _located_secrets(containers, config, secret_inputs)
    where = (
        "; ".join(located)
        if located
        else "which setting carries it cannot be located from the stack (no variable holds another "
        "resource's secret or a credential-shaped value, or is named like a secret with a value that could be one)"
    )
    report(f"{lead}: {where}; {_USE_SECRETS} instead.")
    return False


def _plaintext_secrets(resource: PolicyResource, config: Mapping[str, Any], report: Any) -> None:
    """One task definition's (or Express service's) environment, variable by variable."""
    allowed = set(config["allowedNames"])
    for index, container in enumerate(_containers(resource)):
        where = f"Container {_container_name(container, index)!r} sets environment variable"
        for variable in container.get("environment") or []:
            if not isinstance(variable, Mapping):
                continue
            name, value = str(variable.get("name", "")), variable.get("value")
            if contains_secret(value):
                report(
                    f"{where} {name!r} to a Pulumi secret, which ECS stores and shows in plain "
                    f"text; {_USE_SECRETS} instead."
                )
                continue
            kind = secret_value(value)
            if kind:
                report(f"{where} {name!r} to {kind}; {_USE_SECRETS}.")
                continue
            if name in allowed or not could_be_secret(value):
                continue
            word = secret_name(name, config["secretWords"], config["propertyWords"])
            if word:
                report(f"{where} {name!r} (named like a secret: {word}) to a literal value; {_USE_SECRETS}.")


def ecs_no_plaintext_secrets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Container environment variables (an Express Mode service's primary container's too) carry no secret: none is named like one with a literal value, none holds a
    credential-shaped value (a URL with a password, an AWS key id, a private key, a token), and nothing the program
    marked secret is written into the container definitions; use `secrets` (Secrets Manager or SSM) instead.

    Prevents: credentials readable by anyone who can call DescribeTaskDefinition, and
    kept in every task definition revision and in the Pulumi state.

    Mirrors: AWS Config ecs-no-environment-secrets; Security Hub ECS.8; Control Tower
    CT.ECS.PR.12; tfsec aws-ecs-no-plaintext-secrets (all by name only).
    """
    # A stack rule, so that a wholly secret definition's secret is located by the value another
    # resource of the stack holds as a secret (a generated password written into it).
    stack = Stack.of(args.resources)
    judged = stack.of_type(T.ECS_TASK_DEFINITION + T.ECS_EXPRESS_SERVICE)
    if not judged:
        args.not_applicable("no task definition or Express service in this stack")
    config = settings(args, SECRETS_CONFIG)
    secret_inputs = stack.once(("ecs-no-plaintext-secrets", "secret inputs"), lambda: _secret_inputs(stack))
    unknown: Optional[UnknownValueError] = None
    for resource in judged:

        def report(message: str, urn: str = resource.urn) -> None:
            report_violation(message, urn)

        try:
            if not _whole_definitions_secret(resource, config, secret_inputs, report):
                _plaintext_secrets(resource, config, report)
        except UnknownValueError as error:
            unknown = unknown or error
    if unknown is not None:
        # The others judged, the SDK notes that the rule could not run on what was unknown.
        raise unknown


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


def ecs_no_host_pid_mode(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Task definitions do not share the host's process namespace (pidMode host).

    Prevents: containers that see and signal every process on the host (and
    RegisterTaskDefinition failing on Fargate, which accepts only pidMode task).

    Mirrors: Security Hub ECS.3; AWS Config ecs-task-definition-pid-mode-check; Checkov
    CKV_AWS_335.
    """
    mode = get(args.props, "pidMode")
    if isinstance(mode, str) and mode.lower() == "host":
        report_violation("Task definition sets pidMode 'host'; leave pidMode unset or use 'task'.")


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
            report_violation(
                f"Container {_container_name(container, index)!r} does not set readonlyRootFilesystem: true."
            )


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
            report_violation(
                f"Container {_container_name(container, index)!r} names no user "
                "(it runs as the image's default user, root unless the image says otherwise)."
            )
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
            report_violation(
                f"Container {_container_name(container, index)!r} has no logConfiguration "
                "with a logDriver (for example awslogs)."
            )


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
    latestLinuxVersion={"type": "string", "description": "Latest Fargate Linux platform version.", "default": "1.4.0"},
    latestWindowsVersion={
        "type": "string",
        "description": "Latest Fargate Windows platform version.",
        "default": "1.0.0",
    },
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
    if version is not None and (not isinstance(version, str) or version not in allowed):
        report_violation(f"platformVersion {version!r} is not LATEST ({', '.join(sorted(allowed))}).")


# -- a service's load-balancer entries against its task definition and listeners -----------------


def _task_containers(stack: Stack, service: PolicyResource) -> Any:
    """name -> container definition of the service's one task definition of the stack;
    UNKNOWN when the stack cannot tell (an external or unresolved task definition, or
    container definitions a preview does not know yet)."""
    tasks = stack.task_definitions(service)
    if len(tasks.resources) != 1 or tasks.external or tasks.unresolved:
        return UNKNOWN
    containers = as_json(peek(tasks.resources[0].props, "containerDefinitions"))
    if not isinstance(containers, list):
        return UNKNOWN
    return {str(c.get("name")): c for c in containers if isinstance(c, Mapping)}


def _entry_problem(entry: Any, containers: Mapping[str, Any]) -> Any:
    """What is wrong with one `loadBalancers` entry (None if nothing), UNKNOWN if unknown."""
    name, port = peek(entry, "containerName"), as_number(peek(entry, "containerPort"))
    if name is UNKNOWN or port is UNKNOWN:
        return UNKNOWN
    if name is None:
        return "names no containerName (a target group entry must name the container to register)"
    container = containers.get(str(name))
    if container is None:
        return f"names container {name!r}, which its task definition does not have (it has {', '.join(map(repr, containers)) or 'none'})"
    mappings = container.get("portMappings")
    mappings = mappings if isinstance(mappings, list) else []
    ports = [as_number(m.get("containerPort")) for m in mappings if isinstance(m, Mapping)]
    if port not in ports:
        return (
            f"sends port {port} to container {name!r}, whose portMappings have "
            f"{', '.join(map(str, ports)) or 'no containerPort'}"
        )
    return None


def ecs_load_balancer_container_port(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Each `loadBalancers` entry of a service names a container of its task definition and a containerPort
    of that container's portMappings.

    Prevents: CreateService failing ("The container web did not have a container port 8080
    defined"; "The container ... does not exist in the task definition").

    Mirrors: none (no AWS Config, Security Hub, cdk-nag or Checkov rule reads a service
    against its task definition).
    """
    stack = Stack.of(args.resources)
    judged, unjudged = False, []
    for service in stack.of_type(T.ECS_SERVICE):
        entries = elements(peek(service.props, "loadBalancers"))
        if not entries:
            continue
        containers = _task_containers(stack, service)
        if entries is UNKNOWN or containers is UNKNOWN:
            unjudged.append(f"service {service.name!r} (its task definition or entries are unknown)")
            continue
        for index, entry in enumerate(entries):
            problem = UNKNOWN if entry is UNKNOWN else _entry_problem(entry, containers)
            if problem is UNKNOWN:
                unjudged.append(f"service {service.name!r} loadBalancers[{index}] (unknown)")
                continue
            judged = True
            if problem:
                report_violation(f"Service {service.name!r} loadBalancers[{index}] {problem}.", service.urn)
    if not judged:
        args.not_applicable(
            "could not judge " + "; ".join(unjudged) if unjudged else "no service of this stack uses a load balancer"
        )


def ecs_target_group_attached(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every target group of the stack a service registers in is forwarded to by a listener default action or a
    listener rule of the stack.

    Prevents: CreateService failing ("The target group with targetGroupArn ... does not
    have an associated load balancer"). Not judged where the target group or its listeners
    are not in the stack (an ARN from config or another stack).

    Mirrors: none.
    """
    stack = Stack.of(args.resources)
    if not stack.of_type(T.LISTENER) and not stack.of_type(T.LISTENER_RULE):
        args.not_applicable(
            "the stack declares no listener or listener rule: the target groups' listeners are elsewhere"
        )
        return
    forwarded = stack.forwarded_target_groups
    judged = False
    for service in stack.of_type(T.ECS_SERVICE):
        for use in stack.service_target_groups(service):
            group = use.target_group
            if group.urn in forwarded.keys:
                judged = True
            elif not forwarded.unresolved:
                judged = True
                report_violation(
                    f"Service {service.name!r} registers in target group {group.name!r}, which no listener or "
                    "listener rule forwards to; forward to it from a listener of its load balancer.",
                    group.urn,
                )
    if not judged:
        args.not_applicable(
            "a listener's target group is unknown"
            if forwarded.unresolved
            else "no service registers in a target group of this stack"
        )


RULES = [
    Rule(
        "fargate-awsvpc-network-mode",
        MANDATORY,
        fargate_awsvpc_network_mode,
        T.ECS_TASK_DEFINITION + T.ECS_SERVICE,
        severity=HIGH,
    ),
    Rule(
        "fargate-task-size",
        MANDATORY,
        fargate_task_size,
        T.ECS_TASK_DEFINITION + T.ECS_EXPRESS_SERVICE,
        severity=HIGH,
    ),
    # A stack rule (it matches values across resources); an Express service's primary container
    # is judged like a definition's container.
    Rule("ecs-no-plaintext-secrets", MANDATORY, ecs_no_plaintext_secrets, None, SECRETS_CONFIG, severity=CRITICAL),
    Rule("ecs-nonprivileged", MANDATORY, ecs_nonprivileged, T.ECS_TASK_DEFINITION, severity=HIGH),
    Rule("ecs-no-host-pid-mode", MANDATORY, ecs_no_host_pid_mode, T.ECS_TASK_DEFINITION, severity=HIGH),
    Rule(
        "ecs-readonly-root-filesystem", ADVISORY, ecs_readonly_root_filesystem, T.ECS_TASK_DEFINITION, severity=MEDIUM
    ),
    Rule("ecs-nonroot-user", ADVISORY, ecs_nonroot_user, T.ECS_TASK_DEFINITION, severity=MEDIUM),
    Rule("ecs-log-configuration", ADVISORY, ecs_log_configuration, T.ECS_TASK_DEFINITION, severity=MEDIUM),
    Rule("ecs-container-insights", ADVISORY, ecs_container_insights, T.ECS_CLUSTER, severity=LOW),
    Rule("ecs-circuit-breaker", ADVISORY, ecs_circuit_breaker, T.ECS_SERVICE, severity=MEDIUM),
    Rule(
        "ecs-latest-platform-version",
        ADVISORY,
        ecs_latest_platform_version,
        T.ECS_SERVICE,
        PLATFORM_CONFIG,
        severity=MEDIUM,
    ),
    Rule("ecs-load-balancer-container-port", MANDATORY, ecs_load_balancer_container_port, severity=HIGH),
    Rule("ecs-target-group-attached", MANDATORY, ecs_target_group_attached, severity=HIGH),
]
