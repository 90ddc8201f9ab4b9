"""The config of deployments and alarms: defaults, and bad input named key by key, all at once."""

from __future__ import annotations

import pulumi
import pytest

from components.config.stack import ServiceConfig, parse_stack_config

NGINX = "public.ecr.aws/nginx/nginx:stable"


def parse(service: dict, **stack):
    return parse_stack_config({"services": {"web": {"image": NGINX, **service}}, **stack})


def problems(service: dict, **stack) -> list[str]:
    with pytest.raises(pulumi.RunError) as raised:
        parse(service, **stack)
    text = str(raised.value).removeprefix("invalid stack config:")
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_defaults_are_rolling_with_alarms_and_rollback():
    config = parse({})
    deployment, alarms = config.services["web"].deployment, config.services["web"].alarms
    assert (deployment.strategy, deployment.rollback_on_alarms, deployment.circuit_breaker) == ("rolling", True, True)
    assert (alarms.enabled, alarms.target_5xx_percent, alarms.unhealthy_hosts, alarms.p99_latency_seconds) == (
        True,
        5.0,
        1,
        2.0,
    )
    assert config.alarms is None


def test_every_bad_deployment_key_is_one_line():
    found = problems(
        {"deployment": {"strategy": "bigBang"}, "alarms": {"target5xxPercent": 0}},
        alarms={"email": "not-an-address"},
    )
    assert len(found) == 3
    assert any(line.startswith("fargate:alarms.email: 'not-an-address'") for line in found)
    assert any(line.startswith("fargate:services.web.deployment.strategy: 'bigBang'") for line in found)
    assert any(line.startswith("fargate:services.web.alarms.target5xxPercent: 0") for line in found)


@pytest.mark.parametrize(
    ("deployment", "key", "value", "allowed"),
    [
        ({"strategy": "canary", "canaryPercent": 0.05}, "canaryPercent", "0.05", "at least 0.1"),
        ({"strategy": "canary", "canaryPercent": 101}, "canaryPercent", "101", "at most 100"),
        ({"strategy": "linear", "stepPercent": 2}, "stepPercent", "2", "at least 3"),
        ({"strategy": "blueGreen", "bakeTimeMinutes": 1441}, "bakeTimeMinutes", "1441", "at most 1440"),
        ({"strategy": "canary", "canaryBakeMinutes": 2000}, "canaryBakeMinutes", "2000", "at most 1440"),
        ({"strategy": "linear", "stepBakeMinutes": 1500}, "stepBakeMinutes", "1500", "at most 1440"),
        ({"strategy": "linear", "canaryPercent": 5}, "canaryPercent", "5.0", "only with strategy 'canary'"),
        ({"bakeTimeMinutes": 5}, "bakeTimeMinutes", "5", "only with strategy 'blueGreen', 'canary' or 'linear'"),
    ],
)
def test_out_of_range_or_misplaced_strategy_keys_name_the_key(deployment, key, value, allowed):
    [line] = problems({"deployment": deployment})
    assert line.startswith(f"fargate:services.web.deployment.{key}: {value} is not allowed;")
    assert allowed in line


def test_email_and_topic_together_or_neither_are_refused():
    [both] = problems({}, alarms={"email": "ops@example.com", "snsTopicArn": "arn:aws:sns:us-east-1:123456789012:t"})
    assert both.startswith("fargate:alarms.snsTopicArn: ") and "not together with email" in both
    [neither] = problems({}, alarms={})
    assert neither == "fargate:alarms: {} is not allowed; email or snsTopicArn (where the alarms go)"
    [fifo] = problems({}, alarms={"snsTopicArn": "arn:aws:sns:us-east-1:123456789012:t.fifo"})
    assert fifo.startswith("fargate:alarms.snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:t.fifo'")


def test_rollback_on_alarms_without_alarms_is_refused():
    [line] = problems({"alarms": {"enabled": False}, "deployment": {"rollbackOnAlarms": True}})
    assert line.startswith("fargate:services.web.deployment.rollbackOnAlarms: true is not allowed;")
    # Left at its default, it simply has nothing to hand over.
    assert parse({"alarms": {"enabled": False}}).services["web"].deployment.rollback_on_alarms is True


@pytest.mark.parametrize("kind", ["worker", "job", "backend"])
def test_a_strategy_on_a_service_without_load_balancer_traffic_is_refused(kind):
    if "kind" not in ServiceConfig.model_fields:  # the workloads change adds it; the rule applies from then on
        pytest.skip("services have no kind yet")
    extra = {"schedule": "rate(1 hour)"} if kind == "job" else {}
    with pytest.raises(pulumi.RunError) as raised:
        parse({"kind": kind, "deployment": {"strategy": "canary"}, **extra})
    lines = [line.strip() for line in str(raised.value).removeprefix("invalid stack config:").splitlines()]
    assert (
        f"fargate:services.web.deployment.strategy: 'canary' is not allowed; 'rolling' for a {kind} "
        f"(blueGreen, canary and linear shift a load balancer's traffic; a {kind} has none)"
    ) in lines


def test_requests_per_target_scaling_is_refused_with_a_traffic_shifting_strategy():
    scaling = {"minCount": 1, "maxCount": 3, "requestsPerTarget": 100}
    [line] = problems({"deployment": {"strategy": "blueGreen"}, "autoscaling": scaling})
    assert line.startswith("fargate:services.web.autoscaling.requestsPerTarget: 100.0 is not allowed; left out with")
    # Rolling keeps one target group: the same scaling is fine there, and CPU tracking with any strategy.
    assert parse({"autoscaling": scaling}).services["web"].autoscaling.requests_per_target == 100
    cpu = {"minCount": 1, "maxCount": 3, "cpuTarget": 60}
    assert (
        parse({"deployment": {"strategy": "canary"}, "autoscaling": cpu}).services["web"].deployment.strategy
        == "canary"
    )
