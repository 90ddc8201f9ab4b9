"""fargate-image-pull-path on private tasks without NAT: the policy pack passes them with
the stack's VPC endpoints and fails them, naming what is missing, without.

Both runs go through the real policy pack. The committed `endpoints` stack is
judged too, since the verdict that matters is the one on the stack users deploy.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from preflight import run

PROJECT = Path(__file__).resolve().parents[2]
POLICIES = PROJECT / "policies"
FIXTURE = Path(__file__).parent / "fixtures" / "private_tasks"
RULE = "fargate-image-pull-path"


def verdicts(result):
    return ([v for v in result.violations if v.policy == RULE], [n for n in result.not_applicable if n.policy == RULE])


def test_the_endpoints_stack_passes_and_is_judged_even_in_a_preview_of_a_new_stack(committed_stack):
    result = committed_stack("endpoints", preview=True)
    assert result.policy_pack and result.mandatory == []
    assert verdicts(result) == ([], [])


def test_private_tasks_with_the_fixtures_endpoints_pass():
    assert verdicts(run(FIXTURE, "test", policy_pack=POLICIES)) == ([], [])


def test_the_same_private_tasks_without_endpoints_cannot_pull_their_image():
    stack_file = yaml.safe_load((FIXTURE / "Pulumi.test.yaml").read_text())["config"]
    result = run(FIXTURE, "test", policy_pack=POLICIES, stack_config={**stack_file, "fixture:withoutEndpoints": True})
    (violation,), not_applicable = verdicts(result)
    assert not_applicable == [] and violation.enforcement_level == "mandatory"
    assert violation.urn == result.one("aws:ecs/service:Service", "web").urn
    for subnet in ("network-private-0", "network-private-1"):
        assert (
            f"subnet {subnet!r} has no route to the internet (0.0.0.0/0) and its VPC has no "
            "ecr.api, ecr.dkr, s3 endpoint(s) serving it"
        ) in violation.message
