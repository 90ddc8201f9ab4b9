"""The project's own stacks pass the pack: no mandatory violation, in an up and in a preview,
with every cross-resource rule actually judging them."""

import pytest

from .conftest import MODES, not_applicable

CROSS_RESOURCE_RULES = ["fargate-min-two-subnets", "fargate-ingress-from-load-balancer",
                        "fargate-image-pull-path", "fargate-target-group-ip", "iam-no-admin-task-role",
                        "ecs-no-public-task-ingress"]


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_committed_stack_has_no_mandatory_violation(judge, stack, preview):
    result = judge(".", stack, preview=preview)
    assert [(v.policy, v.urn, v.message) for v in result.mandatory] == []
    assert set(CROSS_RESOURCE_RULES).isdisjoint(not_applicable(result))
