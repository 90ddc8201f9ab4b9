"""CloudWatch Logs rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from . import _types as T
from ._policy import ADVISORY, LOW, ReportViolation, Rule, config_schema, settings
from ._props import as_json, as_number, get

RETENTION_CONFIG = config_schema(
    minimumRetentionDays={
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": "Shortest retention a log group may set (365 mirrors Security Hub CloudWatch.16).",
    },
)


def _created_by_the_driver(args: ResourceValidationArgs) -> list[tuple[str, Any]]:
    """(container, group) for each container whose awslogs driver may create its log group."""
    containers = as_json(get(args.props, "containerDefinitions"))
    found = []
    for index, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, Mapping):
            continue
        logging = container.get("logConfiguration")
        if not isinstance(logging, Mapping) or logging.get("logDriver") != "awslogs":
            continue
        options = logging.get("options")
        if isinstance(options, Mapping) and str(options.get("awslogs-create-group", "")).lower() == "true":
            found.append((str(container.get("name") or f"#{index}"), options.get("awslogs-group")))
    return found


def cloudwatch_log_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Log groups set a retention period, and no container lets the awslogs driver create its
    own group (`awslogs-create-group`), which ECS creates without one.

    Prevents: logs kept (and billed) forever; a log group without retention never
    expires anything, and the group the awslogs driver creates on a task's first start has
    none (nor tags, nor encryption), and is not deleted with the stack.

    Mirrors: Checkov CKV_AWS_66 (CKV_AWS_338 and Security Hub CloudWatch.16 /
    AWS Config cw-loggroup-retention-period-check with minimumRetentionDays 365).

    Judged per resource: a task definition whose driver may create a group that the stack
    also manages (with retention) is still named, since the option then only widens the
    execution role (logs:CreateLogGroup) and races the stack's own group.
    """
    if args.resource_type in T.ECS_TASK_DEFINITION:
        for container, group in _created_by_the_driver(args):
            report_violation(
                f"Container {container!r} sets awslogs-create-group: ECS creates log group {group!r} on the "
                "first task with no retention (logs kept forever); manage it in the stack with "
                "retentionInDays and drop awslogs-create-group."
            )
        return
    days = as_number(get(args.props, "retentionInDays"))
    minimum = settings(args, RETENTION_CONFIG)["minimumRetentionDays"]
    if not days:
        report_violation("Set retentionInDays (0 or unset keeps logs forever).")
    elif days < minimum:
        report_violation(f"retentionInDays {days} is below the minimum of {minimum}.")


RULES = [
    Rule(
        "cloudwatch-log-retention",
        ADVISORY,
        cloudwatch_log_retention,
        T.LOG_GROUP + T.ECS_TASK_DEFINITION,
        RETENTION_CONFIG,
        severity=LOW,
    ),
]
