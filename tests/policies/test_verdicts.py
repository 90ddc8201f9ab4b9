"""Every rule, on a program that breaks it and on programs that keep it, in an `up` and in a
preview of a new stack (ids and ARNs unknown): the same verdict on the same resources."""

import pytest

from preflight import UNKNOWN

from .conftest import FIXTURES, MODES, flagged, not_applicable

# Rule -> (default level, the resources of fixtures/violating it must flag, as Type:name).
VIOLATING = {
    "fargate-awsvpc-network-mode": ("mandatory", {"TaskDefinition:broken", "Service:no-network"}),
    "fargate-min-two-subnets": (
        "mandatory",
        {
            "LoadBalancer:alb",
            "Service:inline",
            "Service:rule",
            "Service:vpc-rule",
            "Service:cidr",
            "Service:no-network",
        },
    ),
    "fargate-ingress-from-load-balancer": ("mandatory", {"Service:inline", "Service:rule", "Service:vpc-rule"}),
    "fargate-ingress-by-security-group": ("advisory", {"Service:cidr"}),
    "fargate-target-group-ip": ("mandatory", {"TargetGroup:vpc-rule"}),
    "fargate-task-size": ("mandatory", {"TaskDefinition:broken"}),
    "fargate-image-pull-path": ("mandatory", {"Service:inline", "Service:rule"}),
    "ecs-no-public-task-ingress": ("mandatory", {"SecurityGroup:tasks-rule", "SecurityGroup:tasks-vpc-rule"}),
    "ecs-no-plaintext-secrets": ("mandatory", {"TaskDefinition:broken"}),
    "ecs-nonprivileged": ("mandatory", {"TaskDefinition:broken"}),
    "ecs-readonly-root-filesystem": ("advisory", {"TaskDefinition:broken"}),
    "ecs-nonroot-user": ("advisory", {"TaskDefinition:broken"}),
    "ecs-log-configuration": ("advisory", {"TaskDefinition:broken"}),
    "ecs-efs-transit-encryption": ("mandatory", {"TaskDefinition:efs"}),
    "ecs-efs-iam-authorization": ("advisory", {"TaskDefinition:efs"}),
    "ecs-container-insights": ("advisory", {"Cluster:cluster"}),
    "ecs-circuit-breaker": ("advisory", {"Service:inline"}),
    "ecs-latest-platform-version": ("advisory", {"Service:inline"}),
    "alb-https-redirect": ("advisory", {"Listener:http"}),
    "alb-tls-policy": ("mandatory", {"Listener:https"}),
    "alb-drop-invalid-headers": ("advisory", {"LoadBalancer:alb"}),
    "alb-access-logs": ("advisory", {"LoadBalancer:alb"}),
    "alb-deletion-protection": ("advisory", {"LoadBalancer:alb"}),
    "iam-no-admin-task-role": ("mandatory", {"Role:task", "Role:execution", "Role:worker"}),
    "autoscaling-bounds": ("mandatory", {"Target:inline", "Policy:inline-cpu"}),
    "cloudwatch-log-retention": ("advisory", {"LogGroup:app"}),
    # AdministratorAccess is AWS-managed too; test_least_privilege.py covers both rules in full.
    "iam-no-managed-policy-on-task-roles": ("advisory", {"Role:task"}),
    "vpc-flow-logs": ("advisory", {"Vpc:vpc"}),
    "alb-waf": ("advisory", {"LoadBalancer:alb"}),
    "ec2-no-open-admin-ports": ("mandatory", {"SecurityGroupRule:tasks-rule-open-ssh"}),
}

# Rules fixtures/violating gives nothing to break -> (fixture, its violating stack, level, the resources
# it must flag); each fixture's `compliant` stack passes them (test_compliant_variants_pass_their_rules).
VIOLATING_ELSEWHERE = {
    "ecs-no-host-pid-mode": ("deploy_checks", "violating", "mandatory", {"TaskDefinition:pid-host"}),
    "ecs-load-balancer-container-port": (
        "deploy_checks",
        "violating",
        "mandatory",
        {"Service:wrong-container", "Service:wrong-port"},
    ),
    "ecs-target-group-attached": ("deploy_checks", "violating", "mandatory", {"TargetGroup:orphan"}),
    "alb-listener-rule-priority-unique": ("deploy_checks", "violating", "mandatory", {"ListenerRule:dup-b"}),
    "alb-desync-mitigation": ("deploy_checks", "violating", "advisory", {"LoadBalancer:alb"}),
    "ecr-image-scanning": ("deploy_checks", "violating", "advisory", {"Repository:mutable", "Repository:defaults"}),
    "ecr-immutable-tags": ("deploy_checks", "violating", "advisory", {"Repository:mutable", "Repository:defaults"}),
    "iam-no-wildcard-actions": ("deploy_checks", "violating", "advisory", {"Role:task", "Role:scheduler"}),
    "sqs-encryption": ("workloads", "violating", "advisory", {"Queue:plain"}),
    "ecs-deployment-rollback": ("deployments", "test", "advisory", {"Service:bare", "Service:muted"}),
    "scheduler-role-least-privilege": (
        "workloads",
        "violating",
        "mandatory",
        {"Role:wide-scheduler", "Role:managed-scheduler"},
    ),
}


def test_the_table_covers_every_rule_of_the_pack(analyzer):
    assert set(VIOLATING) | set(VIOLATING_ELSEWHERE) == set(analyzer.policies())
    assert not set(VIOLATING) & set(VIOLATING_ELSEWHERE)


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("policy", sorted(VIOLATING))
def test_rule_flags_exactly_the_resources_that_break_it(judge, policy, preview):
    result = judge("violating", "test", preview=preview)
    level, expected = VIOLATING[policy]
    assert flagged(result, policy) == expected
    assert {v.enforcement_level for v in result.violations if v.policy == policy} == {level}


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("policy", sorted(VIOLATING_ELSEWHERE))
def test_rule_flags_exactly_the_resources_that_break_it_in_its_own_fixture(judge, policy, preview):
    program, stack, level, expected = VIOLATING_ELSEWHERE[policy]
    result = judge(program, stack, preview=preview)
    assert flagged(result, policy) == expected
    assert {v.enforcement_level for v in result.violations if v.policy == policy} == {level}


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize(
    "program",
    # A fixture that shows each way to comply and to break a rule in one stack (deployments) is
    # held to its verdicts by its own tests; the compliant program above passes its rule too.
    sorted(
        {
            program
            for program, *_ in VIOLATING_ELSEWHERE.values()
            if (FIXTURES / program / "Pulumi.compliant.yaml").exists()
        }
    ),
)
def test_compliant_variants_pass_their_rules(judge, program, preview):
    rules = {policy for policy, (owner, *_) in VIOLATING_ELSEWHERE.items() if owner == program}
    result = judge(program, "compliant", preview=preview)
    assert [
        (v.policy, v.urn) for v in result.violations if v.policy in rules or v.enforcement_level == "mandatory"
    ] == []
    assert set(not_applicable(result)) & rules == set()


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", ["nat", "endpoints"])
def test_compliant_program_passes_every_rule(judge, stack, preview):
    result = judge("compliant", stack, preview=preview)
    assert [(v.policy, v.urn, v.message) for v in result.violations] == []
    # Every stack rule found something to judge, and judged it.
    assert not_applicable(result) == {}


def test_preview_runs_really_have_unknown_ids(judge):
    """The preview verdicts above come from property dependencies, not from values."""
    service = judge("violating", "test", preview=True).one("aws:ecs/service:Service", "rule")
    assert service.inputs["networkConfiguration"]["subnets"] == [UNKNOWN, UNKNOWN]
    assert service.inputs["loadBalancers"][0]["targetGroupArn"] is UNKNOWN
    assert service.property_dependencies["networkConfiguration"]
