"""ServiceAutoscaling's resources and their wiring, through the fixture project
(a hand-written cluster, load balancer, target group and service, the args in
Python) run by the offline preflight. Two program runs for the whole module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight import ProgramError, run

from .tokens import ALARM, CLUSTER, COMPONENT, LOAD_BALANCER, POLICY, SCHEDULE, SERVICE, TARGET, TARGET_GROUP

FIXTURE = Path(__file__).parent / "fixtures" / "autoscaling"


@pytest.fixture(scope="module")
def full():
    return run(FIXTURE, "full", policy_pack=None)


@pytest.fixture(scope="module")
def minimal():
    return run(FIXTURE, "minimal", policy_pack=None)


def names(result):
    cluster = result.one(CLUSTER)
    service = result.one(SERVICE)
    return cluster.outputs["name"], service.outputs["name"]


def policy(result, name):
    return result.one(POLICY, f"web-{name}")


def test_scalable_target_is_the_services_desired_count(full):
    cluster_name, service_name = names(full)
    target = full.one(TARGET)
    assert target.inputs["serviceNamespace"] == "ecs"
    assert target.inputs["scalableDimension"] == "ecs:service:DesiredCount"
    assert target.inputs["resourceId"] == f"service/{cluster_name}/{service_name}"
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 10)
    assert full.outputs["resourceId"] == f"service/{cluster_name}/{service_name}"


@pytest.mark.parametrize(
    "key, metric, value",
    [
        ("cpu", "ECSServiceAverageCPUUtilization", 60),
        ("memory", "ECSServiceAverageMemoryUtilization", 75),
        ("requests", "ALBRequestCountPerTarget", 1000),
    ],
)
def test_target_tracking_policies_track_their_metric_with_the_configured_cooldowns(full, key, metric, value):
    inputs = policy(full, key).inputs
    assert inputs["policyType"] == "TargetTrackingScaling"
    tracking = inputs["targetTrackingScalingPolicyConfiguration"]
    assert tracking["predefinedMetricSpecification"]["predefinedMetricType"] == metric
    assert tracking["targetValue"] == value
    assert (tracking["scaleOutCooldown"], tracking["scaleInCooldown"]) == (45, 600)
    assert inputs["resourceId"] == full.one(TARGET).inputs["resourceId"]
    assert inputs["scalableDimension"] == "ecs:service:DesiredCount"
    assert inputs["serviceNamespace"] == "ecs"


def test_request_count_label_names_the_load_balancer_and_target_group(full):
    load_balancer = full.one(LOAD_BALANCER)
    target_group = full.one(TARGET_GROUP)
    spec = policy(full, "requests").inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]
    assert spec["resourceLabel"] == f"{load_balancer.outputs['arnSuffix']}/{target_group.outputs['arnSuffix']}"
    assert spec["resourceLabel"].startswith("app/") and "/targetgroup/" in spec["resourceLabel"]
    # The utilization metrics are the service's own: no label.
    for key in ("cpu", "memory"):
        tracking = policy(full, key).inputs["targetTrackingScalingPolicyConfiguration"]
        assert "resourceLabel" not in tracking["predefinedMetricSpecification"]


def test_step_policies_add_in_bands_and_remove_below_the_threshold(full):
    out = policy(full, "step-out").inputs
    assert out["policyType"] == "StepScaling"
    out_config = out["stepScalingPolicyConfiguration"]
    assert (out_config["adjustmentType"], out_config["metricAggregationType"], out_config["cooldown"]) == (
        "ChangeInCapacity",
        "Average",
        45,
    )
    # Offsets from the 80 % threshold: 80-90 % adds 1 task, 90 % and up adds 3.
    assert out_config["stepAdjustments"] == [
        {"metricIntervalLowerBound": "0", "metricIntervalUpperBound": "10", "scalingAdjustment": 1},
        {"metricIntervalLowerBound": "10", "scalingAdjustment": 3},
    ]
    in_config = policy(full, "step-in").inputs["stepScalingPolicyConfiguration"]
    assert in_config["cooldown"] == 600
    assert in_config["stepAdjustments"] == [{"metricIntervalUpperBound": "0", "scalingAdjustment": -2}]


@pytest.mark.parametrize(
    "key, operator, threshold, periods, datapoints",
    [
        ("step-out", "GreaterThanThreshold", 80, 2, 2),
        ("step-in", "LessThanThreshold", 25, 10, 8),
    ],
)
def test_each_alarm_watches_the_services_metric_and_invokes_its_policy(
    full, key, operator, threshold, periods, datapoints
):
    cluster_name, service_name = names(full)
    alarm = full.one(ALARM, f"web-{key}-alarm").inputs
    assert alarm["alarmActions"] == [policy(full, key).outputs["arn"]]
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == ("AWS/ECS", "MemoryUtilization", "Average")
    assert alarm["dimensions"] == {"ClusterName": cluster_name, "ServiceName": service_name}
    assert (alarm["comparisonOperator"], alarm["threshold"]) == (operator, threshold)
    assert (alarm["period"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (60, periods, datapoints)


def test_scheduled_actions_change_the_bounds_on_their_schedule(full):
    target = full.one(TARGET).inputs
    business = full.one(SCHEDULE, "web-schedule-business-hours").inputs
    nights = full.one(SCHEDULE, "web-schedule-nights").inputs
    assert (business["name"], business["schedule"], business["timezone"]) == (
        "business-hours",
        "cron(0 8 ? * MON-FRI *)",
        "Europe/Berlin",
    )
    assert business["scalableTargetAction"] == {"minCapacity": 4}
    assert nights["scalableTargetAction"] == {"minCapacity": 2, "maxCapacity": 6}
    for action in (business, nights):
        assert (action["resourceId"], action["scalableDimension"], action["serviceNamespace"]) == (
            target["resourceId"],
            "ecs:service:DesiredCount",
            "ecs",
        )


def test_each_scaling_feature_asked_for_is_one_child_of_the_component_and_nothing_else(full):
    component = full.one(COMPONENT)
    children = {r.name: r.type for r in full.resources if r.parent == component.urn}
    assert children == {
        "web-target": TARGET,
        **{f"web-{key}": POLICY for key in ("cpu", "memory", "requests", "step-out", "step-in")},
        "web-step-out-alarm": ALARM,
        "web-step-in-alarm": ALARM,
        "web-schedule-business-hours": SCHEDULE,
        "web-schedule-nights": SCHEDULE,
    }


def test_policies_and_schedules_wait_for_the_target_and_for_each_other(full):
    target = full.one(TARGET)
    chain = [policy(full, k) for k in ("cpu", "memory", "requests", "step-out", "step-in")]
    chain += [full.one(SCHEDULE, "web-schedule-business-hours"), full.one(SCHEDULE, "web-schedule-nights")]
    for previous, resource in zip([target] + chain[:-1], chain, strict=True):
        # The target's outputs feed the scalable-target properties ...
        assert target.urn in resource.property_dependencies["resourceId"]
        # ... and the one before must exist first (no concurrent updates).
        assert previous.urn in resource.dependencies


def test_alarms_depend_on_their_policies(full):
    for key in ("step-out", "step-in"):
        alarm = full.one(ALARM, f"web-{key}-alarm")
        assert policy(full, key).urn in alarm.property_dependencies["alarmActions"]


def test_minimal_config_makes_one_cpu_policy_with_the_default_cooldowns(minimal):
    component = minimal.one(COMPONENT)
    children = [r for r in minimal.resources if r.parent == component.urn]
    assert sorted(r.type for r in children) == [POLICY, TARGET]
    tracking = policy(minimal, "cpu").inputs["targetTrackingScalingPolicyConfiguration"]
    assert (tracking["targetValue"], tracking["scaleOutCooldown"], tracking["scaleInCooldown"]) == (70, 60, 300)


def test_a_ceiling_below_the_floor_stops_the_program_naming_the_arg():
    with pytest.raises(ProgramError) as caught:
        run(FIXTURE, "minimal", policy_pack=None, stack_config={"autoscaling-fixture:minCount": 4})
    assert str(caught.value) == (
        "ServiceAutoscalingArgs.scaling.max_count: 3 is not a task ceiling; "
        "allowed: at least 1 and at least min_count (4)"
    )
