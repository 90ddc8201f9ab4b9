"""iam-no-managed-policy-on-task-roles and vpc-flow-logs, through the real Analyzer in an
`up` and in a preview of a new stack (ARNs and ids unknown): the same verdicts."""

import pytest

from .conftest import MODES, flagged, messages, not_applicable

IAM_RULE = "iam-no-managed-policy-on-task-roles"
VPC_RULE = "vpc-flow-logs"


def advice(policy: str) -> str:
    return f"{policy}; grant what the task needs in an inline or customer managed policy, or allow it in " \
           "allowedManagedPolicies."


@pytest.mark.parametrize("preview", MODES)
def test_aws_managed_policies_are_found_every_way_they_attach(judge, preview):
    result = judge("least_privilege_violating", "test", preview=preview)
    assert messages(result, IAM_RULE) == {
        "Role:execution": ["Role 'execution' (execution role of 'app') carries AWS-managed " + advice(
            "policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (attachment 'execution')")],
        "Role:task": ["Role 'task' (task role of 'app') carries AWS-managed " + advice(
            "policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (role 'task' managedPolicyArns)")],
        "Role:worker-execution": ["Role 'worker-execution' (execution role of 'worker') carries AWS-managed " + advice(
            "policy arn:aws-us-gov:iam::aws:policy/CloudWatchLogsFullAccess (attachment 'worker-execution-logs')")],
        # Next to a customer managed policy whose ARN a preview does not know yet.
        "Role:worker-task": ["Role 'worker-task' (task role of 'worker') carries AWS-managed " + advice(
            "policy arn:aws:iam::aws:policy/AmazonSQSFullAccess (attachment 'worker-task')")],
    }
    assert {v.enforcement_level for v in result.violations if v.policy == IAM_RULE} == {"advisory"}
    assert {v.severity for v in result.violations if v.policy == IAM_RULE} == {"medium"}


@pytest.mark.parametrize("preview", MODES)
def test_the_allow_list_takes_arns_in_any_partition_paths_or_names(judge, preview):
    config = {IAM_RULE: {"allowedManagedPolicies": [
        "service-role/AmazonECSTaskExecutionRolePolicy",   # path and name
        "AmazonS3ReadOnlyAccess",                          # the name alone
        "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",  # an ARN; the role's is GovCloud's
    ]}}
    result = judge("least_privilege_violating", "test", preview=preview, config=config)
    assert flagged(result, IAM_RULE) == {"Role:worker-task"}


@pytest.mark.parametrize("preview", MODES)
def test_a_vpc_without_a_vpc_wide_flow_log_is_flagged(judge, preview):
    result = judge("least_privilege_violating", "test", preview=preview)
    hint = "add an aws.ec2.FlowLog with its vpcId (trafficType REJECT is the cheapest useful one)."
    assert messages(result, VPC_RULE) == {
        "Vpc:unlogged": [f"VPC 'unlogged' has no flow log; {hint}"],
        # A flow log on one of its subnets only does not count.
        "Vpc:subnet-only": [f"VPC 'subnet-only' has no flow log; {hint}"],
    }
    assert {(v.enforcement_level, v.severity) for v in result.violations if v.policy == VPC_RULE} == {
        ("advisory", "low")}


@pytest.mark.parametrize("preview", MODES)
def test_scoped_roles_and_logged_vpcs_pass_and_are_judged(judge, preview):
    result = judge("least_privilege_compliant", "test", preview=preview)
    assert [(v.policy, v.urn) for v in result.violations if v.policy in (IAM_RULE, VPC_RULE)] == []
    assert not {IAM_RULE, VPC_RULE} & set(not_applicable(result))


@pytest.mark.parametrize("preview", MODES)
def test_what_awsx_builds_is_flagged_on_both(judge, preview):
    """awsx's FargateService attaches AmazonECSTaskExecutionRolePolicy to the execution role it
    makes, and its Vpc gets no flow log."""
    result = judge("awsx_shaped", "test", preview=preview)
    assert flagged(result, IAM_RULE) == {"Role:service-execution"}
    assert flagged(result, VPC_RULE) == {"Vpc:vpc"}
