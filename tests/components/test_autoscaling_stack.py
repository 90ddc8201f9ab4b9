"""Autoscaling in the real stack: the committed dev and prod stack files run
through the offline preflight with the policy pack (one run each), plus one
run with a broken autoscaling block.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from preflight import ProgramError, run

from .tokens import ALARM, COMPONENT, LOAD_BALANCER, POLICY, SERVICE, TARGET, TARGET_GROUP

ROOT = Path(__file__).resolve().parents[2]
FARGATE_SERVICE = "fargate:ecs:FargateService"


@pytest.fixture(scope="module")
def dev(committed_stack):
    return committed_stack("dev", preview=False)


@pytest.fixture(scope="module")
def prod(committed_stack):
    return committed_stack("prod", preview=False)


def scaling(result, service):
    """The ServiceAutoscaling of one service, and its children by name."""
    component = result.one(COMPONENT, service)
    return component, {r.name: r for r in result.children(component.urn)}


def tracked(policy):
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    return tracking["predefinedMetricSpecification"]["predefinedMetricType"], tracking["targetValue"]


def test_dev_scales_web_between_one_and_three_tasks_on_cpu(dev):
    component, children = scaling(dev, "web")
    assert sorted(children) == ["web-cpu", "web-target"]
    target = children["web-target"].inputs
    assert target["resourceId"] == f"service/{dev.outputs['clusterName']}/{dev.one(SERVICE, 'web').outputs['name']}"
    assert (target["minCapacity"], target["maxCapacity"]) == (1, 3)
    assert tracked(children["web-cpu"]) == ("ECSServiceAverageCPUUtilization", 70)


@pytest.mark.parametrize("stack, services", [("dev", ["web"]), ("prod", ["web", "api"])])
def test_scaling_belongs_to_its_service_and_owns_the_task_count(request, stack, services):
    result = request.getfixturevalue(stack)
    for service_name in services:
        component, children = scaling(result, service_name)
        assert result.by_urn(component.parent).type == FARGATE_SERVICE
        service = result.one(SERVICE, service_name)
        assert service.parent == component.parent
        assert service.options["ignoreChanges"] == ["desiredCount"]
        target = children[f"{service_name}-target"].inputs
        assert target["resourceId"] == f"service/{result.outputs['clusterName']}/{service.outputs['name']}"
        # The stack files' desiredCount is inside the bounds, so it is kept.
        assert target["minCapacity"] <= service.inputs["desiredCount"] <= target["maxCapacity"]


def test_prod_web_tracks_cpu_memory_and_requests_per_task(prod):
    _, children = scaling(prod, "web")
    assert (children["web-target"].inputs["minCapacity"], children["web-target"].inputs["maxCapacity"]) == (2, 10)
    assert tracked(children["web-cpu"]) == ("ECSServiceAverageCPUUtilization", 60)
    assert tracked(children["web-memory"]) == ("ECSServiceAverageMemoryUtilization", 75)
    assert tracked(children["web-requests"]) == ("ALBRequestCountPerTarget", 1000)
    for key in ("cpu", "memory", "requests"):
        tracking = children[f"web-{key}"].inputs["targetTrackingScalingPolicyConfiguration"]
        assert (tracking["scaleOutCooldown"], tracking["scaleInCooldown"]) == (60, 300)


def test_prod_request_count_label_is_the_albs_and_web_target_groups_suffixes(prod):
    _, children = scaling(prod, "web")
    tracking = children["web-requests"].inputs["targetTrackingScalingPolicyConfiguration"]
    label = tracking["predefinedMetricSpecification"]["resourceLabel"]
    load_balancer = prod.one(LOAD_BALANCER)
    web_group = prod.one(TARGET_GROUP, "web")
    assert label == f"{load_balancer.outputs['arnSuffix']}/{web_group.outputs['arnSuffix']}"
    assert label.startswith("app/") and "/targetgroup/web-" in label


def test_prod_web_raises_its_floor_on_weekday_mornings(prod):
    _, children = scaling(prod, "web")
    morning = children["web-schedule-weekday-morning"].inputs
    evening = children["web-schedule-weekday-evening"].inputs
    assert (morning["schedule"], morning["timezone"], morning["scalableTargetAction"]) == (
        "cron(0 7 ? * MON-FRI *)",
        "America/New_York",
        {"minCapacity": 4},
    )
    assert (evening["schedule"], evening["scalableTargetAction"]) == ("cron(0 20 ? * MON-FRI *)", {"minCapacity": 2})
    for action in (morning, evening):
        assert action["resourceId"] == children["web-target"].inputs["resourceId"]
    assert all(r.type != ALARM for r in children.values())


def test_prod_api_scales_on_cpu_through_step_alarms(prod):
    _, children = scaling(prod, "api")
    assert tracked(children["api-memory"]) == ("ECSServiceAverageMemoryUtilization", 75)
    out, scale_in = children["api-step-out"].inputs, children["api-step-in"].inputs
    assert out["policyType"] == scale_in["policyType"] == "StepScaling"
    assert out["stepScalingPolicyConfiguration"]["stepAdjustments"] == [
        {"metricIntervalLowerBound": "0", "metricIntervalUpperBound": "20", "scalingAdjustment": 1},
        {"metricIntervalLowerBound": "20", "scalingAdjustment": 3},
    ]
    assert scale_in["stepScalingPolicyConfiguration"]["stepAdjustments"] == [
        {"metricIntervalUpperBound": "0", "scalingAdjustment": -1}
    ]

    dimensions = {"ClusterName": prod.outputs["clusterName"], "ServiceName": prod.one(SERVICE, "api").outputs["name"]}
    for key, operator, threshold, periods in (
        ("step-out", "GreaterThanThreshold", 70, 3),
        ("step-in", "LessThanThreshold", 30, 15),
    ):
        alarm = children[f"api-{key}-alarm"].inputs
        assert alarm["alarmActions"] == [children[f"api-{key}"].outputs["arn"]]
        assert (alarm["namespace"], alarm["metricName"], alarm["dimensions"]) == (
            "AWS/ECS",
            "CPUUtilization",
            dimensions,
        )
        assert (alarm["comparisonOperator"], alarm["threshold"]) == (operator, threshold)
        assert (alarm["period"], alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (60, periods, periods)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_autoscaling_bounds_policy_judges_and_passes_both_stacks(request, stack):
    result = request.getfixturevalue(stack)
    assert result.policy_pack is not None
    assert not [v for v in result.violations if v.policy == "autoscaling-bounds"]
    judged = {r.urn for r in result.of_type(TARGET) + result.of_type(POLICY)}
    assert not [n for n in result.not_applicable if n.policy == "autoscaling-bounds" and n.urn in judged]


def test_a_broken_autoscaling_block_stops_the_real_stack_with_its_key_path():
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    config["fargate:services"]["web"]["autoscaling"] = {"minCount": 2, "maxCount": 3, "cpuTarget": 150}
    with pytest.raises(ProgramError) as caught:
        run(ROOT, "dev", stack_config=config, policy_pack=None)
    assert "fargate:services.web.autoscaling.cpuTarget: 150 is not allowed" in str(caught.value)
