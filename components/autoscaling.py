"""Service autoscaling: the walkthrough's "service metrics in CloudWatch ->
CloudWatch alarms -> scaling policy -> ECS changes the desired count".

One ``ServiceAutoscaling`` per service given ``autoscaling`` args. It
registers the service's desired count as a scalable target and attaches, as
asked: target tracking on CPU, memory and ALB requests per task; step
scaling with its two CloudWatch alarms; scheduled changes of the bounds. The
service itself must ignore changes to ``desiredCount`` (see FargateService),
or every ``pulumi up`` would reset what scaling chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Optional

import pulumi
import pulumi_aws as aws

from .validation import check, check_task_ceiling

# The metric names ECS publishes per service in AWS/ECS, and the predefined
# metric types target tracking knows them by.
_ECS_METRIC = {"cpu": "CPUUtilization", "memory": "MemoryUtilization"}
_TRACKED_METRIC = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}


@dataclass(kw_only=True)
class ScheduleArgs:
    """One scheduled change of the task-count bounds (a ScheduledAction)."""

    # 1-128 letters, digits, '.', '_' or '-'; also part of the child's name.
    name: str
    # at(yyyy-mm-ddThh:mm:ss), rate(<n> <unit>) or cron(<6 fields>).
    schedule: str
    # Either bound may be left out (None) to keep its current value; AWS needs one.
    min_count: Optional[int] = None
    max_count: Optional[int] = None
    # None: UTC, as AWS; an IANA zone name makes cron follow daylight saving.
    timezone: Optional[str] = None


@dataclass(kw_only=True)
class ScaleOutStepArgs:
    """A further band above ``scale_out_above`` that adds more tasks at once."""

    above: float
    scale_out_by: int


@dataclass(kw_only=True)
class StepScalingArgs:
    """Two CloudWatch alarms on the service's CPU or memory, each invoking a step policy."""

    metric: Literal["cpu", "memory"]
    scale_out_above: float
    scale_in_below: float
    # One task at a time: a small, predictable step; add bands for bigger jumps.
    scale_out_by: int = 1
    scale_in_by: int = 1
    # No further bands.
    scale_out_steps: Sequence[ScaleOutStepArgs] = ()
    # ECS publishes service CPU and memory once a minute: a shorter period has
    # no data, a longer one only slows the alarm down.
    period_seconds: int = 60
    # 3 and 15 one-minute periods: the alarms target tracking creates for
    # itself, so both kinds of policy react alike (quick out, slow in).
    scale_out_evaluation_periods: int = 3
    scale_in_evaluation_periods: int = 15
    # None: every period in the window must breach ("N out of N").
    scale_out_datapoints_to_alarm: Optional[int] = None
    scale_in_datapoints_to_alarm: Optional[int] = None


@dataclass(kw_only=True)
class AutoscalingArgs:
    """How a service's task count scales: bounds, policies and schedules."""

    # No default: the ceiling bounds the bill, so it is the caller's to choose.
    max_count: int
    # One task always serving, as the walkthrough's "minimum number of tasks".
    min_count: int = 1
    # Target tracking, each None (off) unless given: AWS adds or removes tasks to
    # hold the metric near the target. Requests are per task per minute.
    cpu_target: Optional[float] = None
    memory_target: Optional[float] = None
    requests_per_target: Optional[float] = None
    # Scale out fast (60 s) so a burst is met, scale in slowly (300 s) so a lull
    # does not drop tasks that are needed a minute later; as terraform-aws-ecs does.
    scale_out_cooldown_seconds: int = 60
    scale_in_cooldown_seconds: int = 300
    # None: no step scaling.
    steps: Optional[StepScalingArgs] = None
    # No scheduled changes.
    schedules: Sequence[ScheduleArgs] = ()

    def validate(self, owner: str = "AutoscalingArgs") -> None:
        check(
            f"{owner}.min_count",
            self.min_count,
            isinstance(self.min_count, int) and self.min_count >= 0,
            "a task count",
            "0 or more",
        )
        check_task_ceiling(owner, self.min_count, self.max_count)
        for key in ("cpu_target", "memory_target"):
            value = getattr(self, key)
            if value is not None:
                check(f"{owner}.{key}", value, 0 < value <= 100, "a utilization percentage", "above 0, at most 100")
        check(
            f"{owner}",
            "no policy",
            bool(
                self.steps
                or self.schedules
                or any(v is not None for v in (self.cpu_target, self.memory_target, self.requests_per_target))
            ),
            "enough to scale",
            "at least one of cpu_target, memory_target, requests_per_target, steps "
            "or schedules: without one nothing ever changes the task count",
        )
        if self.steps is not None:
            check(
                f"{owner}.steps.scale_in_below",
                self.steps.scale_in_below,
                self.steps.scale_in_below < self.steps.scale_out_above,
                "below scale_out_above",
                f"less than {self.steps.scale_out_above:g}, or the two alarms fight each other",
            )

    def clamp(self, desired_count: int) -> int:
        """The initial desired count, clamped into [min_count, max_count]."""
        return max(self.min_count, min(self.max_count, desired_count))


def service_scalable_target(
    resource_name: str,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    min_count: int,
    max_count: int,
    parent: pulumi.Resource,
) -> aws.appautoscaling.Target:
    """An ECS service's desired count as Application Auto Scaling's scalable target."""
    return aws.appautoscaling.Target(
        resource_name,
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster_name, "/", service_name),
        min_capacity=min_count,
        max_capacity=max_count,
        opts=pulumi.ResourceOptions(parent=parent),
    )


@dataclass(kw_only=True)
class ServiceAutoscalingArgs:
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    scaling: AutoscalingArgs
    # For requests_per_target only: the ALBRequestCountPerTarget resource label
    # is "<load_balancer_arn_suffix>/<target_group_arn_suffix>".
    load_balancer_arn_suffix: Optional[pulumi.Input[str]] = None
    target_group_arn_suffix: Optional[pulumi.Input[str]] = None

    def validate(self) -> None:
        self.scaling.validate("ServiceAutoscalingArgs.scaling")
        if self.scaling.requests_per_target is not None:
            check(
                "ServiceAutoscalingArgs.target_group_arn_suffix",
                None,
                self.load_balancer_arn_suffix is not None and self.target_group_arn_suffix is not None,
                "enough for requests_per_target",
                "the load balancer's and target group's ARN suffixes",
            )


class ServiceAutoscaling(pulumi.ComponentResource):
    """Scalable target, scaling policies, their alarms and schedules for one ECS service."""

    scalable_target: aws.appautoscaling.Target
    policies: dict[str, aws.appautoscaling.Policy]
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    scheduled_actions: dict[str, aws.appautoscaling.ScheduledAction]

    def __init__(self, name: str, args: ServiceAutoscalingArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate()
        super().__init__("fargate:autoscaling:ServiceAutoscaling", name, None, opts)
        scaling = args.scaling
        self._name = name
        self._scaling = scaling
        self.policies = {}
        self.alarms = {}
        self.scheduled_actions = {}
        # Application Auto Scaling refuses concurrent changes to one scalable
        # target (ConcurrentUpdateException, hashicorp/terraform-provider-aws#17915),
        # so each policy and schedule waits for the one before it.
        self._last: pulumi.Resource

        self.scalable_target = service_scalable_target(
            f"{name}-target", args.cluster_name, args.service_name, scaling.min_count, scaling.max_count, parent=self
        )
        self._last = self.scalable_target

        if scaling.cpu_target is not None:
            self._track("cpu", scaling.cpu_target)
        if scaling.memory_target is not None:
            self._track("memory", scaling.memory_target)
        if scaling.requests_per_target is not None:
            # validate() refused requests_per_target without both suffixes.
            assert args.load_balancer_arn_suffix is not None and args.target_group_arn_suffix is not None
            label = pulumi.Output.concat(args.load_balancer_arn_suffix, "/", args.target_group_arn_suffix)
            self._track("requests", scaling.requests_per_target, resource_label=label)
        if scaling.steps is not None:
            self._step_scaling(scaling.steps, args.cluster_name, args.service_name)
        for schedule in scaling.schedules:
            self.scheduled_actions[schedule.name] = self._chained(
                aws.appautoscaling.ScheduledAction,
                f"{name}-schedule-{schedule.name}",
                name=schedule.name,
                schedule=schedule.schedule,
                timezone=schedule.timezone,
                scalable_target_action=aws.appautoscaling.ScheduledActionScalableTargetActionArgs(
                    min_capacity=schedule.min_count,
                    max_capacity=schedule.max_count,
                ),
            )

        self.resource_id = self.scalable_target.resource_id
        self.register_outputs(
            {
                "resourceId": self.resource_id,
                "policyArns": {key: policy.arn for key, policy in self.policies.items()},
                "alarmArns": {key: alarm.arn for key, alarm in self.alarms.items()},
            }
        )

    def _chained(self, resource_type, resource_name: str, **props):
        """A child on the scalable target, created after the previous one.

        Its target properties come from the target's outputs, so the engine
        creates the target first and replaces children when it is replaced.
        """
        resource = resource_type(
            resource_name,
            service_namespace=self.scalable_target.service_namespace,
            scalable_dimension=self.scalable_target.scalable_dimension,
            resource_id=self.scalable_target.resource_id,
            **props,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._last]),
        )
        self._last = resource
        return resource

    def _track(self, key: str, target_value: float, resource_label: Optional[pulumi.Input[str]] = None) -> None:
        scaling = self._scaling
        self.policies[key] = self._chained(
            aws.appautoscaling.Policy,
            f"{self._name}-{key}",
            policy_type="TargetTrackingScaling",
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=target_value,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=_TRACKED_METRIC[key],
                    resource_label=resource_label,
                ),
                scale_out_cooldown=scaling.scale_out_cooldown_seconds,
                scale_in_cooldown=scaling.scale_in_cooldown_seconds,
            ),
        )

    def _step_scaling(
        self, steps: StepScalingArgs, cluster_name: pulumi.Input[str], service_name: pulumi.Input[str]
    ) -> None:
        """Two step policies (out, in), each invoked by its own alarm.

        Step bounds are offsets from the alarm threshold: the out policy's
        first band starts at 0 (the threshold) and its last band is open
        upwards; the in policy has one band from the threshold downwards.
        """
        scaling = self._scaling
        metric = _ECS_METRIC[steps.metric]
        bands = [(steps.scale_out_above, steps.scale_out_by)]
        bands += [(s.above, s.scale_out_by) for s in steps.scale_out_steps]
        out_adjustments = []
        for index, (above, add) in enumerate(bands):
            upper = bands[index + 1][0] if index + 1 < len(bands) else None
            out_adjustments.append(
                aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                    scaling_adjustment=add,
                    metric_interval_lower_bound=_bound(above - steps.scale_out_above),
                    metric_interval_upper_bound=None if upper is None else _bound(upper - steps.scale_out_above),
                )
            )
        scale_out = self._step_policy("step-out", scaling.scale_out_cooldown_seconds, out_adjustments)
        scale_in = self._step_policy(
            "step-in",
            scaling.scale_in_cooldown_seconds,
            [
                aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                    scaling_adjustment=-steps.scale_in_by,
                    metric_interval_upper_bound=_bound(0),
                ),
            ],
        )

        def alarm(
            key: str,
            policy: aws.appautoscaling.Policy,
            operator: str,
            threshold: float,
            periods: int,
            datapoints: Optional[int],
            description: str,
        ) -> None:
            self.alarms[key] = aws.cloudwatch.MetricAlarm(
                f"{self._name}-{key}-alarm",
                alarm_description=description,
                namespace="AWS/ECS",
                metric_name=metric,
                dimensions={"ClusterName": cluster_name, "ServiceName": service_name},
                statistic="Average",
                period=steps.period_seconds,
                evaluation_periods=periods,
                datapoints_to_alarm=datapoints or periods,
                comparison_operator=operator,
                threshold=threshold,
                alarm_actions=[policy.arn],
                opts=pulumi.ResourceOptions(parent=self),
            )

        alarm(
            "step-out",
            scale_out,
            "GreaterThanThreshold",
            steps.scale_out_above,
            steps.scale_out_evaluation_periods,
            steps.scale_out_datapoints_to_alarm,
            f"Average {metric} above {steps.scale_out_above:g}%: add tasks",
        )
        alarm(
            "step-in",
            scale_in,
            "LessThanThreshold",
            steps.scale_in_below,
            steps.scale_in_evaluation_periods,
            steps.scale_in_datapoints_to_alarm,
            f"Average {metric} below {steps.scale_in_below:g}%: remove tasks",
        )

    def _step_policy(self, key: str, cooldown: int, adjustments: list) -> aws.appautoscaling.Policy:
        policy = self._chained(
            aws.appautoscaling.Policy,
            f"{self._name}-{key}",
            policy_type="StepScaling",
            step_scaling_policy_configuration=aws.appautoscaling.PolicyStepScalingPolicyConfigurationArgs(
                adjustment_type="ChangeInCapacity",
                cooldown=cooldown,
                # The same statistic the alarm evaluates.
                metric_aggregation_type="Average",
                step_adjustments=adjustments,
            ),
        )
        self.policies[key] = policy
        return policy


def _bound(value: float) -> str:
    """Step bounds are strings in the provider schema; '10' rather than '10.0'."""
    return f"{value:g}"
