"""Workloads without a load balancer (backend, worker, job): no load-balancer rule judges them,
the subnet and image-pull rules judge a schedule's Fargate tasks, and the queue and scheduler-role
rules judge what a worker and a job add."""

import pytest

from .conftest import MODES, flagged, messages, not_applicable

WORKLOAD_RULES = [
    "sqs-encryption",
    "scheduler-role-least-privilege",
    "fargate-image-pull-path",
    "fargate-min-two-subnets",
    "ecs-no-public-task-ingress",
]
LOAD_BALANCER_RULES = [
    "fargate-ingress-from-load-balancer",
    "fargate-ingress-by-security-group",
    "fargate-target-group-ip",
]


@pytest.mark.parametrize("preview", MODES)
def test_each_fault_of_a_queue_or_a_schedule_is_found_by_the_rule_that_owns_it(judge, preview):
    result = judge("workloads", "violating", preview=preview)
    assert {rule: messages(result, rule) for rule in WORKLOAD_RULES} == {
        "sqs-encryption": {
            "Queue:plain": ["Queue is not encrypted: set sqsManagedSseEnabled: true (or kmsMasterKeyId)."]
        },
        "scheduler-role-least-privilege": {
            "Role:wide-scheduler": [
                "Role 'wide-scheduler', which schedule(s) 'wide' run tasks with: role policy 'wide-scheduler' allows "
                "ecs:RunTask and iam:PassRole on *. Grant ecs:RunTask on the task family "
                "(arn:...:task-definition/<family>:*) and iam:PassRole on the task's execution and task roles."
            ],
            "Role:managed-scheduler": [
                "Role 'managed-scheduler', which schedule(s) 'managed' run tasks with: attachment 'managed-scheduler' "
                "policy 'managed-scheduler' allows ecs:RunTask on *. Grant ecs:RunTask on the task family "
                "(arn:...:task-definition/<family>:*) and iam:PassRole on the task's execution and task roles."
            ],
        },
        "fargate-image-pull-path": {
            "Schedule:stranded": [
                "Tasks of scheduled task 'stranded' cannot pull their image: subnet 'isolated' has no route to the "
                "internet (0.0.0.0/0) and its VPC has no ecr.api, ecr.dkr, s3 endpoint(s) serving it (route it to a "
                "NAT gateway, or add VPC endpoints for ecr.api, ecr.dkr and an S3 gateway endpoint on its route table)."
            ]
        },
        "fargate-min-two-subnets": {
            "Schedule:stranded": [
                "Scheduled task 'stranded' uses 1 subnet(s); use at least 2, in different availability zones."
            ]
        },
        "ecs-no-public-task-ingress": {
            "SecurityGroup:exposed": [
                "Security group 'exposed' of service(s) 'open' admits the internet (0.0.0.0/0) through "
                "'exposed-from-anywhere'; admit the load balancer's security group instead."
            ]
        },
    }
    levels = {v.policy: v.enforcement_level for v in result.violations if v.policy in WORKLOAD_RULES}
    # Turning a queue's encryption off is a choice SQS accepts: advisory; the rest break or open access.
    assert levels == {rule: "advisory" if rule == "sqs-encryption" else "mandatory" for rule in levels}


@pytest.mark.parametrize("preview", MODES)
def test_services_without_a_load_balancer_and_an_exact_scheduler_role_pass(judge, preview):
    result = judge("workloads", "compliant", preview=preview)
    assert not result.mandatory
    for rule in WORKLOAD_RULES + LOAD_BALANCER_RULES:
        assert not flagged(result, rule), rule
    # The scheduled task was judged, not skipped; the load-balancer rules had nothing to judge.
    skipped = not_applicable(result)
    assert "fargate-image-pull-path" not in skipped
    assert "scheduler-role-least-privilege" not in skipped
    for rule in ("fargate-ingress-from-load-balancer", "fargate-target-group-ip"):
        assert rule in skipped


@pytest.mark.parametrize("preview", MODES)
def test_the_platform_stack_of_every_kind_has_no_mandatory_violation(judge, preview):
    result = judge(".", "platform", preview=preview)
    assert not result.mandatory
    # The job's schedule is judged by the subnet and pull-path rules like the services.
    assert not flagged(result, "fargate-image-pull-path") and not flagged(result, "fargate-min-two-subnets")
    if not preview:
        assert "scheduler-role-least-privilege" not in not_applicable(result)
