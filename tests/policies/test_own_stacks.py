"""The project's own stacks pass the pack: no mandatory violation, in an up and in a preview,
with every cross-resource rule actually judging them. Each stack's run is the suite's one
judged run of it in that mode (`committed_stack` in tests/conftest.py)."""

import re

import pytest

from ..conftest import COMMITTED_STACKS, MODES, REPOSITORY
from .conftest import CANT_RUN, flagged, not_applicable

CROSS_RESOURCE_RULES = [
    "fargate-min-two-subnets",
    "fargate-ingress-from-load-balancer",
    "fargate-image-pull-path",
    "fargate-target-group-ip",
    "iam-no-admin-task-role",
    "ecs-no-public-task-ingress",
    "ecs-target-group-attached",
    "alb-listener-rule-priority-unique",
    "alb-waf",
    "ec2-no-open-admin-ports",
    "iam-no-wildcard-actions",
]
IAM_RULE = "iam-no-managed-policy-on-task-roles"
VPC_RULE = "vpc-flow-logs"


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", COMMITTED_STACKS)
def test_committed_stack_has_no_mandatory_violation(committed_stack, stack, preview):
    result = committed_stack(stack, preview=preview)
    assert [(v.policy, v.urn, v.message) for v in result.mandatory] == []
    # The default VPC's route tables are AWS's, not the stack's: the image path can't be judged there.
    not_judged = {"fargate-image-pull-path"} if stack == "default-vpc" else set()
    assert set(not_applicable(result)) & set(CROSS_RESOURCE_RULES) == not_judged


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", COMMITTED_STACKS)
def test_committed_stacks_keep_least_privilege_and_flow_logs(committed_stack, stack, preview):
    result = committed_stack(stack, preview=preview)
    assert flagged(result, IAM_RULE) == set() and flagged(result, VPC_RULE) == set()
    # Every stack's roles are judged; only default-vpc creates no VPC to judge.
    expected = {VPC_RULE: "the stack creates no VPC"} if stack == "default-vpc" else {}
    assert {p: r for p, r in not_applicable(result).items() if p in (IAM_RULE, VPC_RULE)} == expected


def documented_advisories() -> dict:
    """The pack README's table of the advisory findings each committed stack keeps on purpose."""
    readme = (REPOSITORY / "policies" / "README.md").read_text()
    table = {}
    for stacks, policies in re.findall(
        r"^\| ((?:`[a-z0-9-]+`(?:, )?)+) \| ((?:`[a-z0-9-]+`(?:, )?)+) \|", readme, re.MULTILINE
    ):
        for stack in re.findall(r"`([a-z0-9-]+)`", stacks):
            table[stack] = set(re.findall(r"`([a-z0-9-]+)`", policies))
    return table


@pytest.mark.parametrize("stack", COMMITTED_STACKS)
def test_advisory_findings_of_committed_stacks_are_the_documented_ones(committed_stack, stack):
    result = committed_stack(stack, preview=False)
    found = {v.policy for v in result.violations if v.enforcement_level == "advisory" and CANT_RUN not in v.message}
    assert found == documented_advisories()[stack]
