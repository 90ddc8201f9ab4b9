"""Workload kinds (``fargate:services.<name>.kind``) and the app's own permissions.

    services:
      api:     {kind: backend, image: ..., containerPort: 8080}   # http://api:8080 inside the stack
      mailer:  {kind: worker, image: ..., queue: {visibilityTimeoutSeconds: 120}}
      nightly: {kind: job, image: ..., schedule: cron(0 3 * * ? *), scheduleTimezone: Europe/Berlin}
      web:
        image: ...
        permissions:
          - actions: [s3:GetObject]
            resources: [arn:aws:s3:::my-bucket/*]

Every key, its default and the reason for the default is stated once, here;
which keys a kind refuses is ``kind_problems``. What each kind makes is in
docs/workloads.md.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from pydantic import Field, field_validator, model_validator

from ..aws_limits import REGIONAL_ARN
from .base import MISSING, ConfigModel, errors_at, usable

if TYPE_CHECKING:
    from .service import ServiceConfig

Kind = Literal["web", "backend", "worker", "job"]
KINDS: tuple[str, ...] = ("web", "backend", "worker", "job")

# arn:aws:sqs:<region>:<account>:<queue name> (a FIFO queue's name ends in .fifo).
SQS_QUEUE_ARN = re.compile("^" + REGIONAL_ARN.format(service="sqs") + r"[A-Za-z0-9_-]{1,75}(?:\.fifo)?$")
# service:Action, `*` only inside the action's name (s3:Get*, s3:*Object); no bare `*`.
IAM_ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+$")
IAM_RESOURCE = re.compile(r"^(\*|arn:aws(?:-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12}|aws)?:\S+)$")
IAM_CONDITION_OPERATOR = re.compile(r"^(ForAllValues:|ForAnyValue:)?[A-Za-z]+(IfExists)?$")


class DeadLetterConfig(ConfigModel):
    # Five tries: a message that fails five times is a bug to look at, not a
    # hiccup to retry forever (and block the queue's other messages' slots).
    max_receive_count: int = Field(
        5, ge=1, le=1000, description="receives before a message moves to the dead-letter queue"
    )


class QueueConfig(ConfigModel):
    """The queue a worker consumes: one the stack creates, or an existing one by ARN."""

    arn: Optional[str] = Field(
        None,
        description="an existing queue to consume instead of one the stack creates; then no other queue key",
        json_schema_extra={"yamlType": "SQS queue ARN", "yamlDefault": "a queue of the stack's own"},
    )
    # SQS's default: a message a task took is hidden 30 s before another may take it;
    # raise it above the longest time a task needs for one message.
    visibility_timeout_seconds: int = Field(
        30, ge=0, le=43200, description="seconds a received message stays hidden; above the work time of one message"
    )
    # Two weeks, SQS's maximum: a message on the dead-letter queue waits for a person.
    dead_letter: DeadLetterConfig = Field(
        DeadLetterConfig(), description="the dead-letter queue (kept 14 days) failed messages move to"
    )

    @field_validator("arn")
    @classmethod
    def _arn(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not SQS_QUEUE_ARN.match(value):
            raise ValueError("an SQS queue ARN such as arn:aws:sqs:us-east-1:123456789012:orders")
        return value

    @model_validator(mode="after")
    def _existing_queue_alone(self) -> QueueConfig:
        if self.arn is not None and usable("arn"):
            errors_at(
                "queue",
                [
                    ((key,), getattr(self, name), "not with arn: an existing queue keeps its own settings")
                    for name, key in (
                        ("visibility_timeout_seconds", "visibilityTimeoutSeconds"),
                        ("dead_letter", "deadLetter"),
                    )
                    if name in self.model_fields_set
                ],
            )
        return self


class RetryPolicyConfig(ConfigModel):
    # EventBridge Scheduler's own defaults are 185 attempts over 24 hours; a
    # nightly job that cannot start within an hour should land on the
    # dead-letter queue (where someone looks) instead of running at noon.
    maximum_attempts: int = Field(2, ge=0, le=185, description="retries of a failed RunTask call")
    maximum_event_age_seconds: int = Field(
        3600, ge=60, le=86400, description="seconds after the scheduled time a run may still start"
    )


ConditionValue = Union[str, list[str]]


class PermissionConfig(ConfigModel):
    """One Allow statement of the task role's inline policy."""

    actions: list[str] = Field(
        min_length=1,
        description="`service:Action`, `*` only inside the action's name (`s3:Get*`)",
        json_schema_extra={"yamlType": "list of IAM actions"},
    )
    resources: list[str] = Field(
        min_length=1,
        description="ARNs (`*` inside them allowed) or `*`; never `*` with an action `service:*`",
        json_schema_extra={"yamlType": "list of ARNs or `*`"},
    )
    conditions: dict[str, dict[str, ConditionValue]] = Field(
        {},
        description="IAM conditions: operator → key → value(s), e.g. `{StringEquals: {aws:ResourceTag/team: web}}`",
        json_schema_extra={"yamlType": "map operator → map key → string or list", "yamlDefault": "none"},
    )

    @field_validator("actions")
    @classmethod
    def _actions(cls, value: list[str]) -> list[str]:
        return _each_matching(
            "actions", value, IAM_ACTION, "an IAM action 'service:Action' ('*' only inside the name, e.g. s3:Get*)"
        )

    @field_validator("resources")
    @classmethod
    def _resources(cls, value: list[str]) -> list[str]:
        return _each_matching(
            "resources", value, IAM_RESOURCE, "an ARN (arn:aws:<service>:<region>:<account>:<resource>) or '*'"
        )

    @field_validator("conditions")
    @classmethod
    def _conditions(cls, value: dict[str, dict[str, ConditionValue]]) -> dict[str, dict[str, ConditionValue]]:
        errors_at(
            "conditions",
            [
                ((operator,), operator, "an IAM condition operator such as StringEquals or ArnLike")
                for operator in value
                if not IAM_CONDITION_OPERATOR.match(operator)
            ],
        )
        return value

    @model_validator(mode="after")
    def _not_everything(self) -> PermissionConfig:
        if "*" in self.resources and usable("actions", "resources"):
            everything = [a for a in self.actions if a.split(":", 1)[1] == "*"]
            if everything:
                errors_at(
                    "permissions",
                    [
                        (
                            ("resources",),
                            self.resources,
                            f"ARNs, not '*', with {', '.join(everything)}: every action of a service on every resource is an administrator of it",
                        )
                    ],
                )
        return self

    def statement(self, resources: Optional[list[Any]] = None) -> dict[str, Any]:
        """The IAM policy statement (``resources`` may stand in for ARNs not known yet)."""
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Action": list(self.actions),
            "Resource": list(resources if resources is not None else self.resources),
        }
        if self.conditions:
            statement["Condition"] = {operator: dict(keys) for operator, keys in self.conditions.items()}
        return statement


# Keys of a service that only a web service (behind the ALB) has a use for.
_WEB_ONLY = (("routing", "routing"), ("health_check", "healthCheck"), ("target_group", "targetGroup"))
# Keys a job (a task run on a schedule, not a service) has no use for.
_NOT_FOR_JOBS = (
    ("desired_count", "desiredCount"),
    ("autoscaling", "autoscaling"),
    ("deployment", "deployment"),
    ("capacity_providers", "capacityProviders"),
)
_JOB_ONLY = (("schedule", "schedule"), ("schedule_timezone", "scheduleTimezone"), ("retry_policy", "retryPolicy"))
_WORKER_SCALING = {
    "min_count",
    "max_count",
    "backlog_per_task",
    "scale_out_cooldown_seconds",
    "scale_in_cooldown_seconds",
}


def kind_problems(service: ServiceConfig) -> list[tuple[tuple, Any, Optional[str]]]:
    """The keys set on a service that its kind has no use for, and what it lacks."""
    if not usable("kind"):
        return []
    kind, given = service.kind, service.model_fields_set
    problems: list[tuple[tuple, Any, Optional[str]]] = []

    def refuse(keys: tuple[tuple[str, str], ...], why: str) -> None:
        problems.extend(((key,), _dumped(getattr(service, name)), why) for name, key in keys if name in given)

    if kind != "web":
        refuse(_WEB_ONLY, f"only on a web service: a {kind} is not behind the load balancer")
    if kind == "job":
        refuse(_NOT_FOR_JOBS, "not on a job: it is run on its schedule, not kept running as a service")
        if service.schedule is None and usable("schedule"):
            problems.append((("schedule",), None, MISSING))
    else:
        refuse(_JOB_ONLY, "only on a job (kind: job)")
    if kind != "worker" and "queue" in given:
        problems.append((("queue",), _dumped(service.queue), "only on a worker (kind: worker)"))
    scaling = service.autoscaling
    if scaling is not None and usable("autoscaling"):
        set_keys = scaling.model_fields_set
        if kind == "worker":
            problems += [
                (
                    ("autoscaling", _camel(name)),
                    _dumped(getattr(scaling, name)),
                    "not on a worker: it scales on its queue's backlog (minCount, maxCount, backlogPerTask)",
                )
                for name in sorted(set_keys - _WORKER_SCALING)
            ]
            if scaling.backlog_per_task is None:
                problems.append((("autoscaling", "backlogPerTask"), None, MISSING))
        elif scaling.backlog_per_task is not None:
            problems.append(
                (("autoscaling", "backlogPerTask"), scaling.backlog_per_task, "only on a worker (kind: worker)")
            )
        if kind in ("backend", "worker") and scaling.requests_per_target is not None:
            problems.append(
                (
                    ("autoscaling", "requestsPerTarget"),
                    scaling.requests_per_target,
                    f"not on a {kind}: it has no target group",
                )
            )
    return problems


def _each_matching(key: str, values: list[str], pattern: re.Pattern[str], allowed: str) -> list[str]:
    """``values`` if each matches ``pattern``; else one problem per value that does not."""
    errors_at(key, [((index,), value, allowed) for index, value in enumerate(values) if not pattern.match(value)])
    return values


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _dumped(value: Any) -> Any:
    return value.model_dump(by_alias=True, exclude_defaults=True) if isinstance(value, ConfigModel) else value
