"""The workload kinds composed from Python args (`fixtures/workloads`), without the stack config:
what each registers and how the pack judges a task role granted everything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight import RunResult, run

from ..conftest import POLICY_PACK

FIXTURE = Path(__file__).parent / "fixtures" / "workloads"


def scenario(name: str, **kwargs) -> RunResult:
    return run(FIXTURE, "test", stack_config={"aws:region": "us-east-1", "fixture:scenario": name}, **kwargs)


@pytest.fixture(scope="module")
def kinds() -> RunResult:
    return scenario("kinds", policy_pack=None)


def test_components_from_args_make_each_kind_without_the_load_balancer(kinds):
    assert not kinds.of_type("aws:lb/targetGroup:TargetGroup") and not kinds.of_type("aws:lb/loadBalancer:LoadBalancer")
    services = {r.name for r in kinds.of_type("aws:ecs/service:Service")}
    assert services == {"api", "orders"}  # the job runs on its schedule
    schedule = kinds.one("aws:scheduler/schedule:Schedule", "report")
    assert schedule.inputs["scheduleExpression"] == "rate(6 hours)"
    assert "scheduleExpressionTimezone" not in schedule.inputs  # UTC


def test_an_existing_queue_is_granted_by_its_arn_and_its_backlog_scales_the_worker(kinds):
    assert [r.name for r in kinds.of_type("aws:sqs/queue:Queue")] == ["report-dead-letter"]  # the job's only
    grant = json.loads(kinds.one("aws:iam/rolePolicy:RolePolicy", "orders-task-permissions").inputs["policy"])
    assert grant["Statement"][0]["Resource"] == "arn:aws:sqs:us-east-1:123456789012:orders"
    metrics = kinds.one("aws:appautoscaling/policy:Policy", "orders-backlog").inputs[
        "targetTrackingScalingPolicyConfiguration"
    ]["customizedMetricSpecification"]["metrics"]
    visible = next(m for m in metrics if m["id"] == "visible")["metricStat"]["metric"]
    assert visible["dimensions"] == [{"name": "QueueName", "value": "orders"}]
    target = kinds.one("aws:appautoscaling/target:Target", "orders-target")
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (0, 5)


def test_admit_opens_the_backend_to_exactly_the_callers_given(kinds):
    groups = {r.name: r for r in kinds.of_type("aws:ec2/securityGroup:SecurityGroup")}
    rule = kinds.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "api-from-orders")
    assert rule.inputs["securityGroupId"] == groups["api"].id
    assert rule.inputs["referencedSecurityGroupId"] == groups["orders"].id
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (8080, 8080)
    ingress = [r.name for r in kinds.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")]
    assert ingress == ["api-from-orders"]


def test_a_task_role_granted_every_action_on_everything_is_refused_by_the_pack():
    result = scenario("admin", policy_pack=POLICY_PACK)
    found = [v for v in result.mandatory if v.policy == "iam-no-admin-task-role"]
    assert [v.urn.rsplit("::", 1)[-1] for v in found] == ["api-task"]
    assert "role policy 'api-task-permissions' allows * on *" in found[0].message


def test_a_job_refuses_what_only_a_service_has_naming_the_arg():
    from components import ArgsError, AutoscalingArgs, FargateServiceArgs, JobScheduleArgs

    args = FargateServiceArgs(
        cluster_arn="c",
        cluster_name="c",
        vpc_id="v",
        subnet_ids=["s"],
        image="busybox",
        schedule=JobScheduleArgs(expression="rate(1 day)"),
        autoscaling=AutoscalingArgs(max_count=2, cpu_target=50),
    )
    with pytest.raises(ArgsError) as caught:
        args.validate("report")
    assert str(caught.value).startswith("FargateServiceArgs.autoscaling: ")
    assert "None with a schedule (a job is no service)" in str(caught.value)
