"""ScheduledJob: a task definition run on a schedule by EventBridge Scheduler (``kind: job``).

Reads top to bottom as what it makes: the dead-letter queue a run that could
not start lands on, the scheduler's role (allowed to run exactly the job's task
family in exactly its cluster, to pass exactly its two roles, and to send to
exactly that queue), and the schedule, whose ECS target runs one Fargate task in
the job's subnets and security groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .iam import policy, statement, trust_policy
from .naming import name_tag, qualified_name
from .validation import check, check_range
from .worker import DEAD_LETTER_RETENTION_SECONDS

SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


@dataclass(kw_only=True)
class JobScheduleArgs:
    """When the job runs, and what happens to a run that cannot start."""

    # cron(<6 fields>), rate(<n> <unit>) or at(yyyy-mm-ddThh:mm:ss), as EventBridge Scheduler takes them.
    expression: str
    # None: UTC, as the scheduler; an IANA zone name makes cron follow daylight saving.
    timezone: Optional[str] = None
    # Two retries within the hour, then the dead-letter queue (the scheduler's own
    # defaults, 185 over a day, would start last night's job at noon).
    maximum_retry_attempts: int = 2
    maximum_event_age_seconds: int = 3600

    def validate(self, owner: str) -> None:
        check(
            f"{owner}.expression",
            self.expression,
            self.expression.startswith(("cron(", "rate(", "at(")) and self.expression.endswith(")"),
            "a schedule expression",
            "cron(...), rate(...) or at(...)",
        )
        check_range(f"{owner}.maximum_retry_attempts", self.maximum_retry_attempts, 0, 185, "a retry count")
        check_range(f"{owner}.maximum_event_age_seconds", self.maximum_event_age_seconds, 60, 86400, "an event age")


@dataclass(kw_only=True)
class ScheduledJobArgs:
    schedule: JobScheduleArgs
    cluster_arn: pulumi.Input[str]
    task_definition_arn: pulumi.Input[str]
    # arn:...:task-definition/<family>: RunTask is granted on its revisions (<family>:*).
    task_definition_arn_without_revision: pulumi.Input[str]
    # The two roles the task runs with: the scheduler may pass exactly these.
    execution_role_arn: pulumi.Input[str]
    task_role_arn: pulumi.Input[str]
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    security_group_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # A task in a public subnet needs a public IP to pull its image.
    assign_public_ip: bool = False
    # For the trust policy's confused-deputy condition: the schedules of this account only.
    account_id: Optional[pulumi.Input[str]] = None


class ScheduledJob(pulumi.ComponentResource):
    schedule_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ScheduledJobArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.schedule.validate("ScheduledJobArgs.schedule")
        super().__init__("fargate:scheduler:ScheduledJob", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        dead_letter = aws.sqs.Queue(
            f"{name}-dead-letter",
            sqs_managed_sse_enabled=True,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            tags=name_tag(name, "dead-letter"),
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-scheduler",
            assume_role_policy=trust_policy(SCHEDULER_PRINCIPAL, args.account_id),
            description=f"EventBridge Scheduler role of {qualified_name(name)}: runs its task",
            tags=name_tag(name, "scheduler"),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-scheduler",
            role=role.id,
            policy=scheduler_policy_document(args, dead_letter.arn),
            opts=child,
        )
        schedule = aws.scheduler.Schedule(
            f"{name}",
            description=f"Runs the {name} task",
            schedule_expression=args.schedule.expression,
            schedule_expression_timezone=args.schedule.timezone,
            # Run at the time given, not somewhere in a window after it.
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=args.cluster_arn,
                role_arn=role.arn,
                ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
                    task_definition_arn=args.task_definition_arn,
                    launch_type="FARGATE",
                    platform_version="LATEST",
                    task_count=1,
                    network_configuration=aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                        subnets=args.subnet_ids,
                        security_groups=args.security_group_ids,
                        assign_public_ip=args.assign_public_ip,
                    ),
                    propagate_tags="TASK_DEFINITION",
                    enable_ecs_managed_tags=True,
                ),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=args.schedule.maximum_retry_attempts,
                    maximum_event_age_in_seconds=args.schedule.maximum_event_age_seconds,
                ),
                dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=dead_letter.arn),
            ),
            # The first run must find the role able to run the task.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]),
        )
        self.schedule_arn = schedule.arn
        self.role_arn = role.arn
        self.dead_letter_queue_arn = dead_letter.arn
        self.register_outputs({"scheduleArn": self.schedule_arn, "roleArn": self.role_arn})


def scheduler_policy_document(args: ScheduledJobArgs, dead_letter_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The scheduler role's one inline policy, each statement on exactly its resources.

    - ``RunJobTask``: ``ecs:RunTask`` on the job's task family (any revision), only in
      its cluster (``ecs:cluster``).
    - ``PassJobRoles``: ``iam:PassRole`` on exactly the task's execution and task roles,
      only to ECS tasks.
    - ``SendToDeadLetterQueue``: ``sqs:SendMessage`` on the job's dead-letter queue.
    """
    return pulumi.Output.json_dumps(
        policy(
            statement(
                sid="RunJobTask",
                actions="ecs:RunTask",
                resources=pulumi.Output.concat(args.task_definition_arn_without_revision, ":*"),
                condition={"ArnEquals": {"ecs:cluster": args.cluster_arn}},
            ),
            statement(
                sid="PassJobRoles",
                actions="iam:PassRole",
                resources=[args.execution_role_arn, args.task_role_arn],
                condition={"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            ),
            statement(sid="SendToDeadLetterQueue", actions="sqs:SendMessage", resources=dead_letter_arn),
        )
    )
