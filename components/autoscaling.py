"""Service autoscaling: the walkthrough's "service metrics in CloudWatch ->
CloudWatch alarms -> scaling policy -> ECS changes the desired count".

One ``ServiceAutoscaling`` per service whose config has ``autoscaling``. It
registers the service's desired count as a scalable target and attaches, as
configured: target tracking on CPU, memory and ALB requests per task; step
scaling with its two CloudWatch alarms; scheduled changes of the bounds. The
service itself must ignore changes to ``desiredCount`` (see FargateService),
or every ``pulumi up`` would reset what scaling chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .config.autoscaling import AutoscalingConfig, StepScalingConfig

# The metric names ECS publishes per service in AWS/ECS, and the predefined
# metric types target tracking knows them by.
_ECS_METRIC = {"cpu": "CPUUtilization", "memory": "MemoryUtilization"}
_TRACKED_METRIC = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "requests": "ALBRequestCountPerTarget",
}


@dataclass
class ServiceAutoscalingArgs:
    config: AutoscalingConfig
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    # For ALBRequestCountPerTarget: the resource label is
    # "<load_balancer_arn_suffix>/<target_group_arn_suffix>".
    load_balancer_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]


class ServiceAutoscaling(pulumi.ComponentResource):
    """Scalable target, scaling policies, their alarms and schedules for one ECS service."""

    scalable_target: aws.appautoscaling.Target
    policies: dict[str, aws.appautoscaling.Policy]
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    scheduled_actions: dict[str, aws.appautoscaling.ScheduledAction]

    def __init__(self, name: str, args: ServiceAutoscalingArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:autoscaling:ServiceAutoscaling", name, None, opts)
        config = args.config
        self._name = name
        self._config = config
        self.policies = {}
        self.alarms = {}
        self.scheduled_actions = {}
        # Application Auto Scaling refuses concurrent changes to one scalable
        # target (ConcurrentUpdateException, hashicorp/terraform-provider-aws#17915),
        # so each policy and schedule waits for the one before it.
        self._last: pulumi.Resource

        self.scalable_target = aws.appautoscaling.Target(
            f"{name}-target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", args.cluster_name, "/", args.service_name),
            min_capacity=config.min_count,
            max_capacity=config.max_count,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._last = self.scalable_target

        if config.cpu_target is not None:
            self._track("cpu", config.cpu_target)
        if config.memory_target is not None:
            self._track("memory", config.memory_target)
        if config.requests_per_target is not None:
            label = pulumi.Output.concat(args.load_balancer_arn_suffix, "/", args.target_group_arn_suffix)
            self._track("requests", config.requests_per_target, resource_label=label)
        if config.steps is not None:
            self._step_scaling(config.steps, args.cluster_name, args.service_name)
        for schedule in config.schedules:
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
        self.register_outputs({
            "resourceId": self.resource_id,
            "policyArns": {key: policy.arn for key, policy in self.policies.items()},
            "alarmArns": {key: alarm.arn for key, alarm in self.alarms.items()},
        })

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
        config = self._config
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
                scale_out_cooldown=config.scale_out_cooldown_seconds,
                scale_in_cooldown=config.scale_in_cooldown_seconds,
            ),
        )

    def _step_scaling(self, steps: StepScalingConfig, cluster_name: pulumi.Input[str], service_name: pulumi.Input[str]) -> None:
        """Two step policies (out, in), each invoked by its own alarm.

        Step bounds are offsets from the alarm threshold: the out policy's
        first band starts at 0 (the threshold) and its last band is open
        upwards; the in policy has one band from the threshold downwards.
        """
        config = self._config
        metric = _ECS_METRIC[steps.metric]
        bands = [(steps.scale_out_above, steps.scale_out_by)] + [(s.above, s.scale_out_by) for s in steps.scale_out_steps]
        out_adjustments = []
        for index, (above, add) in enumerate(bands):
            upper = bands[index + 1][0] if index + 1 < len(bands) else None
            out_adjustments.append(aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                scaling_adjustment=add,
                metric_interval_lower_bound=_bound(above - steps.scale_out_above),
                metric_interval_upper_bound=None if upper is None else _bound(upper - steps.scale_out_above),
            ))
        scale_out = self._step_policy("step-out", config.scale_out_cooldown_seconds, out_adjustments)
        scale_in = self._step_policy("step-in", config.scale_in_cooldown_seconds, [
            aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgs(
                scaling_adjustment=-steps.scale_in_by,
                metric_interval_upper_bound=_bound(0),
            ),
        ])

        def alarm(key: str, policy: aws.appautoscaling.Policy, operator: str, threshold: float,
                  periods: int, datapoints: Optional[int], description: str) -> None:
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

        alarm("step-out", scale_out, "GreaterThanThreshold", steps.scale_out_above,
              steps.scale_out_evaluation_periods, steps.scale_out_datapoints_to_alarm,
              f"Average {metric} above {steps.scale_out_above:g}%: add tasks")
        alarm("step-in", scale_in, "LessThanThreshold", steps.scale_in_below,
              steps.scale_in_evaluation_periods, steps.scale_in_datapoints_to_alarm,
              f"Average {metric} below {steps.scale_in_below:g}%: remove tasks")

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
