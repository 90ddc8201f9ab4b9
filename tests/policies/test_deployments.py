"""fargate_policies/deployments.py: ecs-deployment-rollback on each way a service can (not) roll
back, and the existing rules on blue/green services with two target groups, in both modes."""

from __future__ import annotations

import pytest

from .conftest import MODES, flagged, messages

FIXTURE = ("deployments", "test")


@pytest.mark.parametrize("preview", MODES)
def test_only_internet_facing_services_without_any_rollback_are_flagged(judge, preview):
    result = judge(*FIXTURE, preview=preview)
    assert flagged(result, "ecs-deployment-rollback") == {"Service:bare", "Service:muted"}
    [message] = messages(result, "ecs-deployment-rollback")["Service:bare"]
    assert message == (
        "Service 'bare' takes internet traffic and nothing rolls a failed deployment back: set "
        "alarms {alarmNames: [...], enable: true, rollback: true} or "
        "deploymentCircuitBreaker {enable: true, rollback: true}."
    )
    # The circuit breaker's own rule still names every service without it, the internal one too.
    assert {"Service:bare", "Service:inside", "Service:alarmed", "Service:muted"} <= flagged(
        result, "ecs-circuit-breaker"
    )


@pytest.mark.parametrize("preview", MODES)
def test_blue_green_services_alternate_target_group_is_judged_like_the_first(judge, preview):
    result = judge(*FIXTURE, preview=preview)
    # Only the alternate group left at targetType instance; the ip twins pass.
    assert flagged(result, "fargate-target-group-ip") == {"TargetGroup:green-instance-alt"}
    for rule in ("fargate-ingress-from-load-balancer", "ecs-target-group-attached", "ecs-load-balancer-container-port"):
        assert not flagged(result, rule), rule
    assert not {"Service:green", "Service:green-instance"} & flagged(result, "ecs-circuit-breaker")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_projects_own_stacks_roll_back_on_alarms_and_the_breaker(judge, stack):
    result = judge(".", stack, preview=False)
    assert not flagged(result, "ecs-deployment-rollback")
