"""fargate_policies/_policy.py: policy config, as `pulumi preview --policy-pack-config`: levels and rule
parameters, checked against each rule's schema."""

import pytest

from preflight import ProgramError

from .conftest import flagged, messages


def test_levels_can_be_raised_lowered_and_disabled(judge):
    result = judge(
        "violating",
        "test",
        preview=False,
        config={
            "ecs-container-insights": "mandatory",
            "alb-tls-policy": {"enforcementLevel": "advisory"},
            "alb-deletion-protection": "disabled",
        },
    )
    levels = {v.policy: v.enforcement_level for v in result.violations}
    assert levels["ecs-container-insights"] == "mandatory"
    assert levels["alb-tls-policy"] == "advisory"
    assert "alb-deletion-protection" not in levels


def test_parameters_tighten_the_compliant_program(judge):
    result = judge(
        "compliant",
        "nat",
        preview=False,
        config={
            "fargate-min-two-subnets": {"minSubnets": 3},
            "alb-tls-policy": {"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]},
            "cloudwatch-log-retention": {"minimumRetentionDays": 365},
            "ecs-no-plaintext-secrets": {"propertyWords": []},
            "ecs-latest-platform-version": {"latestLinuxVersion": "1.5.0"},
        },
    )
    assert flagged(result, "fargate-min-two-subnets") == {
        "Service:inline",
        "Service:rule",
        "Service:vpc-rule",
        "LoadBalancer:alb",
    }
    assert messages(result, "fargate-min-two-subnets")["Service:inline"] == [
        "Fargate service 'inline' uses 2 subnet(s); use at least 3, in different availability zones."
    ]
    assert flagged(result, "alb-tls-policy") == {"Listener:https"}
    assert messages(result, "cloudwatch-log-retention") == {
        "LogGroup:app": ["retentionInDays 30 is below the minimum of 365."]
    }
    # Without property words, TOKEN_URL is judged by its word TOKEN.
    assert "'TOKEN_URL'" in messages(result, "ecs-no-plaintext-secrets")["TaskDefinition:app"][0]
    # LATEST stays acceptable whatever the configured latest version is.
    assert flagged(result, "ecs-latest-platform-version") == set()


def test_parameters_loosen_the_violating_program(judge):
    result = judge(
        "violating",
        "test",
        preview=False,
        config={
            "ecs-no-plaintext-secrets": {"allowedNames": ["DB_PASSWORD"]},
            "ecs-latest-platform-version": {"latestLinuxVersion": "1.3.0"},
            "fargate-min-two-subnets": {"minSubnets": 1, "minAvailabilityZones": 1},
        },
    )
    assert flagged(result, "ecs-no-plaintext-secrets") == set()
    assert flagged(result, "ecs-latest-platform-version") == set()
    assert flagged(result, "fargate-min-two-subnets") == {"Service:no-network"}


def test_config_outside_a_rule_schema_is_refused(judge):
    with pytest.raises(ProgramError, match="minSubnets"):
        judge("existing_vpc", "all", preview=False, config={"fargate-min-two-subnets": {"minSubnets": 0}})
