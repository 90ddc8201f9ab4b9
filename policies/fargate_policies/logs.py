"""CloudWatch Logs rules."""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs

from . import _types as T
from ._policy import ADVISORY, LOW, ReportViolation, Rule, config_schema, settings
from ._props import as_number, get

RETENTION_CONFIG = config_schema(
    minimumRetentionDays={
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": "Shortest retention a log group may set (365 mirrors Security Hub CloudWatch.16).",
    },
)


def cloudwatch_log_retention(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Log groups set a retention period.

    Prevents: logs kept (and billed) forever; a log group without retention never
    expires anything.

    Mirrors: Checkov CKV_AWS_66 (CKV_AWS_338 and Security Hub CloudWatch.16 /
    AWS Config cw-loggroup-retention-period-check with minimumRetentionDays 365).
    """
    days = as_number(get(args.props, "retentionInDays"))
    minimum = settings(args, RETENTION_CONFIG)["minimumRetentionDays"]
    if not days:
        report_violation("Set retentionInDays (0 or unset keeps logs forever).")
    elif days < minimum:
        report_violation(f"retentionInDays {days} is below the minimum of {minimum}.")


RULES = [
    Rule("cloudwatch-log-retention", ADVISORY, cloudwatch_log_retention, T.LOG_GROUP, RETENTION_CONFIG, severity=LOW),
]
