"""The project's own stacks pass the pack: no mandatory violation, in an up and in a preview,
with every cross-resource rule actually judging them."""

import re

import pytest

from .conftest import CANT_RUN, MODES, ROOT, not_applicable

STACKS = sorted(path.name[len("Pulumi."):-len(".yaml")] for path in ROOT.glob("Pulumi.*.yaml"))

CROSS_RESOURCE_RULES = ["fargate-min-two-subnets", "fargate-ingress-from-load-balancer",
                        "fargate-image-pull-path", "fargate-target-group-ip", "iam-no-admin-task-role",
                        "ecs-no-public-task-ingress"]


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", STACKS)
def test_committed_stack_has_no_mandatory_violation(judge, stack, preview):
    result = judge(".", stack, preview=preview)
    assert [(v.policy, v.urn, v.message) for v in result.mandatory] == []
    # The default VPC's route tables are AWS's, not the stack's: the image path can't be judged there.
    not_judged = {"fargate-image-pull-path"} if stack == "default-vpc" else set()
    assert set(not_applicable(result)) & set(CROSS_RESOURCE_RULES) == not_judged


def documented_advisories() -> dict:
    """The README's table of the advisory findings each committed stack keeps on purpose."""
    readme = (ROOT / "README.md").read_text()
    table = {}
    for stacks, policies in re.findall(r"^\| ((?:`[a-z0-9-]+`(?:, )?)+) \| ((?:`[a-z0-9-]+`(?:, )?)+) \|",
                                       readme, re.MULTILINE):
        for stack in re.findall(r"`([a-z0-9-]+)`", stacks):
            table[stack] = set(re.findall(r"`([a-z0-9-]+)`", policies))
    return table


@pytest.mark.parametrize("stack", STACKS)
def test_advisory_findings_of_committed_stacks_are_the_documented_ones(judge, stack):
    result = judge(".", stack, preview=False)
    found = {v.policy for v in result.violations if v.enforcement_level == "advisory" and CANT_RUN not in v.message}
    assert found == documented_advisories()[stack]
