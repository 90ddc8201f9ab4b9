"""fargate_policies/iam.py: admin task roles and AWS-managed policies on task roles, through the
real Analyzer in an `up` and in a preview of a new stack (ARNs and ids unknown): the same verdicts."""

import pytest

from policies.fargate_policies._props import UNKNOWN
from policies.fargate_policies.iam import grants_admin

from .conftest import MODES, flagged, messages, not_applicable

IAM_RULE = "iam-no-managed-policy-on-task-roles"


def advice(policy: str) -> str:
    return (
        f"{policy}; grant what the task needs in an inline or customer managed policy, or allow it in "
        "allowedManagedPolicies."
    )


@pytest.mark.parametrize("preview", MODES)
def test_admin_task_roles_are_found_three_ways(judge, preview):
    """In a preview the managed policy's ARN is unknown: the attachment's dependency finds it."""
    found = messages(judge("violating", "test", preview=preview), "iam-no-admin-task-role")
    assert found == {
        "Role:task": ["Role 'task', which ECS tasks run with: attachment 'task-admin' attaches AdministratorAccess."],
        "Role:execution": [
            "Role 'execution', which ECS tasks run with: role policy 'execution-everything' allows * on *."
        ],
        "Role:worker": [
            "Role 'worker', which ECS tasks run with: attachment 'worker-everything' attaches "
            "policy 'everything', which allows * on *."
        ],
    }


@pytest.mark.parametrize("preview", MODES)
def test_aws_managed_policies_are_found_every_way_they_attach(judge, preview):
    result = judge("least_privilege_violating", "test", preview=preview)
    assert messages(result, IAM_RULE) == {
        "Role:execution": [
            "Role 'execution' (execution role of 'app') carries AWS-managed "
            + advice(
                "policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (attachment 'execution')"
            )
        ],
        "Role:task": [
            "Role 'task' (task role of 'app') carries AWS-managed "
            + advice("policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (role 'task' managedPolicyArns)")
        ],
        "Role:worker-execution": [
            "Role 'worker-execution' (execution role of 'worker') carries AWS-managed "
            + advice(
                "policy arn:aws-us-gov:iam::aws:policy/CloudWatchLogsFullAccess (attachment 'worker-execution-logs')"
            )
        ],
        # Next to a customer managed policy whose ARN a preview does not know yet.
        "Role:worker-task": [
            "Role 'worker-task' (task role of 'worker') carries AWS-managed "
            + advice("policy arn:aws:iam::aws:policy/AmazonSQSFullAccess (attachment 'worker-task')")
        ],
    }
    assert {v.enforcement_level for v in result.violations if v.policy == IAM_RULE} == {"advisory"}
    assert {v.severity for v in result.violations if v.policy == IAM_RULE} == {"medium"}


@pytest.mark.parametrize("preview", MODES)
def test_the_allow_list_takes_arns_in_any_partition_paths_or_names(judge, preview):
    config = {
        IAM_RULE: {
            "allowedManagedPolicies": [
                "service-role/AmazonECSTaskExecutionRolePolicy",  # path and name
                "AmazonS3ReadOnlyAccess",  # the name alone
                "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",  # an ARN; the role's is GovCloud's
            ]
        }
    }
    result = judge("least_privilege_violating", "test", preview=preview, config=config)
    assert flagged(result, IAM_RULE) == {"Role:worker-task"}


@pytest.mark.parametrize("preview", MODES)
def test_scoped_roles_pass_and_are_judged(judge, preview):
    result = judge("least_privilege_compliant", "test", preview=preview)
    assert [(v.policy, v.urn) for v in result.violations if v.policy == IAM_RULE] == []
    assert IAM_RULE not in not_applicable(result)


@pytest.mark.parametrize("preview", MODES)
def test_the_execution_role_awsx_builds_carries_a_managed_policy(judge, preview):
    """awsx's FargateService attaches AmazonECSTaskExecutionRolePolicy to the execution role it makes."""
    assert flagged(judge("awsx_shaped", "test", preview=preview), IAM_RULE) == {"Role:service-execution"}


# -- the readers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document, expected",
    [
        ('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}', True),
        ('{"Statement": {"Effect": "Allow", "Action": ["s3:GetObject", "*"], "Resource": ["*"]}}', True),
        ('{"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}', False),
        ('{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}', False),
        ('{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/*"}]}', False),
        (UNKNOWN, UNKNOWN),
    ],
)
def test_admin_statements(document, expected):
    assert grants_admin(document) is expected
