"""A worker's queue and its scaling: what ``kind: worker`` adds to a FargateService.

``WorkerQueue`` is the SQS queue the worker consumes, encrypted (SSE-SQS), with
a dead-letter queue that failed messages move to, or an existing queue named by
its ARN (then nothing is created). ``QueueBacklogScaling`` scales the worker's
service on the queue's backlog per running task (target tracking on a
metric-math expression, as AWS documents for SQS workers), down to zero tasks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from .autoscaling import service_scalable_target
from .iam import statement
from .naming import name_tag
from .validation import check, check_range, check_task_ceiling

# What a consumer needs, and no more: take messages, delete the done ones, and
# hold on to a slow one longer.
CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
# SQS's longest retention: a message on the dead-letter queue waits for a person.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(kw_only=True)
class BacklogScalingArgs:
    """Target tracking on visible messages per running task (0 tasks count as 1)."""

    # No default: the ceiling bounds the bill.
    max_count: int
    # Zero: an idle worker costs nothing; the first message brings a task back.
    min_count: int = 0
    # Messages one task should have waiting: how long a task takes per message
    # times the latency you accept. 10 is a start; measure and adjust.
    backlog_per_task: float = 10
    # As ServiceAutoscaling: out fast, in slowly.
    scale_out_cooldown_seconds: int = 60
    scale_in_cooldown_seconds: int = 300

    def validate(self, owner: str) -> None:
        check_range(f"{owner}.min_count", self.min_count, 0, 2**31 - 1, "a task count")
        check_task_ceiling(owner, self.min_count, self.max_count)
        check(f"{owner}.backlog_per_task", self.backlog_per_task, self.backlog_per_task > 0, "a backlog", "above 0")


@dataclass(kw_only=True)
class WorkerQueueArgs:
    # None: a queue of the worker's own; an ARN: that existing queue, nothing created.
    arn: Optional[str] = None
    # SQS's default: a message a task took is hidden 30 s before another may take it.
    visibility_timeout_seconds: int = 30
    # Five tries, then the message moves to the dead-letter queue.
    max_receive_count: int = 5
    # None: the worker runs its desired count, unscaled.
    scaling: Optional[BacklogScalingArgs] = None

    def validate(self, owner: str) -> None:
        check_range(f"{owner}.visibility_timeout_seconds", self.visibility_timeout_seconds, 0, 43200, "a timeout")
        check_range(f"{owner}.max_receive_count", self.max_receive_count, 1, 1000, "a receive count")
        if self.arn is not None:
            check(
                f"{owner}.arn",
                self.arn,
                self.arn.startswith("arn:") and ":sqs:" in self.arn,
                "a queue",
                "an SQS queue ARN",
            )
        if self.scaling is not None:
            self.scaling.validate(f"{owner}.scaling")


def queue_url(arn: str) -> str:
    """``arn:aws:sqs:<region>:<account>:<name>`` -> the queue's URL."""
    _, partition, _, region, account, queue_name = arn.split(":", 5)
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{queue_name}"


def consume_statement(queue_arn: pulumi.Input[str]) -> dict[str, Any]:
    """The worker's grant on exactly its queue."""
    return statement(sid="ConsumeQueue", actions=CONSUME_ACTIONS, resources=queue_arn)


class WorkerQueue(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    url: pulumi.Output[str]
    queue_name: pulumi.Output[str]
    queue: Optional[aws.sqs.Queue] = None
    dead_letter_queue: Optional[aws.sqs.Queue] = None

    def __init__(self, name: str, args: WorkerQueueArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate("WorkerQueueArgs")
        super().__init__("fargate:sqs:WorkerQueue", name, None, opts)
        if args.arn is not None:
            self.arn = pulumi.Output.from_input(args.arn)
            self.url = pulumi.Output.from_input(queue_url(args.arn))
            self.queue_name = pulumi.Output.from_input(args.arn.rsplit(":", 1)[1])
        else:
            child = pulumi.ResourceOptions(parent=self)
            self.dead_letter_queue = aws.sqs.Queue(
                f"{name}-dead-letter",
                sqs_managed_sse_enabled=True,
                message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
                tags=name_tag(name, "dead-letter"),
                opts=child,
            )
            self.queue = aws.sqs.Queue(
                f"{name}",
                sqs_managed_sse_enabled=True,
                visibility_timeout_seconds=args.visibility_timeout_seconds,
                redrive_policy=self.dead_letter_queue.arn.apply(
                    # Compact, as SQS returns it, so a refresh finds nothing to change.
                    lambda arn: json.dumps(
                        {"deadLetterTargetArn": arn, "maxReceiveCount": args.max_receive_count}, separators=(",", ":")
                    )
                ),
                tags=name_tag(name),
                opts=child,
            )
            self.arn, self.url, self.queue_name = self.queue.arn, self.queue.url, self.queue.name
        self.register_outputs({"arn": self.arn, "url": self.url})


@dataclass(kw_only=True)
class QueueBacklogScalingArgs:
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    queue_name: pulumi.Input[str]
    scaling: BacklogScalingArgs


def backlog_metrics(
    queue_name: pulumi.Input[str], cluster_name: pulumi.Input[str], service_name: pulumi.Input[str]
) -> list[aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs]:
    """Visible messages / running tasks. With no task running the backlog counts whole, so
    that the first message scales a worker up from zero (a division by 0 has no value)."""
    spec = aws.appautoscaling

    def metric(
        metric_id: str, namespace: str, metric_name: str, stat: str, dimensions: dict[str, pulumi.Input[str]]
    ) -> Any:
        return spec.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs(
            id=metric_id,
            return_data=False,
            metric_stat=spec.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs(
                stat=stat,
                metric=spec.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs(
                    namespace=namespace,
                    metric_name=metric_name,
                    dimensions=[
                        spec.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs(
                            name=key, value=value
                        )
                        for key, value in dimensions.items()
                    ],
                ),
            ),
        )

    return [
        metric("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Sum", {"QueueName": queue_name}),
        # Container Insights publishes the running count (the cluster must have it on).
        metric(
            "running",
            "ECS/ContainerInsights",
            "RunningTaskCount",
            "Average",
            {"ClusterName": cluster_name, "ServiceName": service_name},
        ),
        spec.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs(
            id="backlog_per_task",
            expression="IF(running > 0, visible / running, visible)",
            label="Visible messages per running task",
            return_data=True,
        ),
    ]


class QueueBacklogScaling(pulumi.ComponentResource):
    """The worker service's scalable target and its one target-tracking policy on the backlog."""

    scalable_target: aws.appautoscaling.Target
    policy: aws.appautoscaling.Policy

    def __init__(self, name: str, args: QueueBacklogScalingArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.scaling.validate("QueueBacklogScalingArgs.scaling")
        super().__init__("fargate:autoscaling:QueueBacklogScaling", name, None, opts)
        scaling = args.scaling
        self.scalable_target = service_scalable_target(
            f"{name}-target", args.cluster_name, args.service_name, scaling.min_count, scaling.max_count, parent=self
        )
        self.policy = aws.appautoscaling.Policy(
            f"{name}-backlog",
            policy_type="TargetTrackingScaling",
            service_namespace=self.scalable_target.service_namespace,
            scalable_dimension=self.scalable_target.scalable_dimension,
            resource_id=self.scalable_target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=scaling.backlog_per_task,
                customized_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs(
                    metrics=backlog_metrics(args.queue_name, args.cluster_name, args.service_name)
                ),
                scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"resourceId": self.scalable_target.resource_id, "policyArn": self.policy.arn})
