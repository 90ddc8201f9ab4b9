"""Application Auto Scaling rules for ECS services."""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs

from . import _types as T
from ._policy import HIGH, MANDATORY, ReportViolation, Rule
from ._props import as_number, get

ECS_DESIRED_COUNT = "ecs:service:DesiredCount"
# Predefined metrics measured in percent; the others (ALBRequestCountPerTarget) are counts.
UTILIZATION_METRICS = ("ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization")


def autoscaling_bounds(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """ECS scalable targets have 1 <= maxCapacity and minCapacity <= maxCapacity; target-tracking utilization targets
    are in (0, 100].

    Prevents: RegisterScalableTarget failing (min above max), a service scaled to zero
    tasks for good (max 0), and a target-tracking policy that can never be met (a
    utilization target above 100% never scales out; 0 never scales in).

    Mirrors: none (no AWS Config, Security Hub or Checkov rule covers ECS service
    auto scaling).
    """
    if get(args.props, "serviceNamespace") != "ecs":
        return
    if args.resource_type in T.SCALABLE_TARGET:
        low, high = as_number(get(args.props, "minCapacity")), as_number(get(args.props, "maxCapacity"))
        if high is not None and high < 1:
            report_violation(f"maxCapacity is {high}; it must be at least 1.")
        if low is not None and high is not None and low > high:
            report_violation(f"minCapacity {low} is above maxCapacity {high}.")
        if low is not None and low < 0:
            report_violation(f"minCapacity is {low}; it must be at least 0.")
        return
    if get(args.props, "policyType", default="StepScaling") != "TargetTrackingScaling":
        return
    configuration = get(args.props, "targetTrackingScalingPolicyConfiguration", default={})
    target = as_number(get(configuration, "targetValue"))
    metric = get(configuration, "predefinedMetricSpecification", "predefinedMetricType")
    if target is None:
        return
    if metric in UTILIZATION_METRICS and not 0 < target <= 100:
        report_violation(f"{metric} target {target} is not a percentage in (0, 100].")
    elif target <= 0:
        report_violation(f"Target value {target} must be above 0.")


RULES = [
    Rule("autoscaling-bounds", MANDATORY, autoscaling_bounds, T.SCALABLE_TARGET + T.SCALING_POLICY, severity=HIGH),
]
