"""fargate_policies/_policy.py: policy config, as `pulumi preview --policy-pack-config`: levels and rule
parameters, checked against each rule's schema."""

import pytest

from policies.fargate_policies import all_rules
from policies.fargate_policies._policy import mirrored_ids
from preflight import ProgramError, report

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
        "Schedule:nightly",  # a scheduled Fargate task is placed like a service's
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


# -- metadata: display name, remediation steps, mirrored ids -------------------------------------


def test_mirrored_ids_are_read_with_the_set_each_belongs_to():
    paragraph = (
        "AWS Config ecs-containers-nonprivileged; Security Hub ECS.4; Checkov CKV_AWS_334 / CKV2_AWS_5; "
        "Control Tower CT.ECS.PR.11; cdk-nag AwsSolutions-IAM5 (which misses capacity-provider services)."
    )
    assert mirrored_ids(paragraph) == [
        "AWS Config ecs-containers-nonprivileged",
        "Security Hub ECS.4",
        "Checkov CKV_AWS_334",
        "Checkov CKV2_AWS_5",
        "Control Tower CT.ECS.PR.11",
        "cdk-nag AwsSolutions-IAM5",
    ]
    # What follows `none` is the nearest rule of another set, not one this rule mirrors.
    assert mirrored_ids("none (AWS Config ecs-task-definition-memory-hard-limit is the nearest).") == []


def test_each_rule_s_metadata_reaches_the_report_and_json(judge):
    result = judge("violating", "test", preview=False)
    rule = next(r for r in all_rules() if r.name == "ecs-nonprivileged")
    metadata = result.policies["ecs-nonprivileged"]
    assert (metadata.display_name, metadata.remediation_steps, list(metadata.mirrors)) == (
        "ECS nonprivileged",
        rule.remediation_steps,
        rule.mirrors,
    )
    assert "Security Hub ECS.4" in metadata.mirrors
    text = report.text(result)
    assert "] ecs-nonprivileged (ECS nonprivileged): Containers do not run privileged." in text
    assert f"      fix: {rule.remediation_steps}\n      mirrors: {', '.join(rule.mirrors)}" in text
    document = report.document(result)
    assert document["policies"]["ecs-nonprivileged"] == {
        "displayName": "ECS nonprivileged",
        "remediationSteps": rule.remediation_steps,
        "mirrors": rule.mirrors,
    }
    assert set(document["policies"]) == {r.name for r in all_rules()}
