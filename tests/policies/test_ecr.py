"""fargate_policies/ecr.py: image scanning (per repository or by the registry) and immutable tags."""

import pytest

from .conftest import MODES, flagged, messages, not_applicable


@pytest.mark.parametrize("preview", MODES)
def test_repositories_without_scan_on_push_or_with_mutable_tags_are_flagged(judge, preview):
    """`mutable` says MUTABLE and scanOnPush false, `defaults` says nothing (MUTABLE, no scan);
    `scanned` sets both."""
    result = judge("deploy_checks", "violating", preview=preview)
    assert messages(result, "ecr-image-scanning")["Repository:defaults"] == [
        "Repository 'defaults' does not scan on push; set imageScanningConfiguration.scanOnPush: true "
        "(or registry scanning)."
    ]
    assert messages(result, "ecr-immutable-tags")["Repository:mutable"] == [
        "imageTagMutability is MUTABLE; set IMMUTABLE and deploy by a new tag or digest."
    ]
    assert "Repository:scanned" not in flagged(result, "ecr-image-scanning") | flagged(result, "ecr-immutable-tags")


@pytest.mark.parametrize("preview", MODES)
def test_registry_scanning_covers_a_repository_that_does_not_scan_on_push(judge, preview):
    """The compliant variant's `base` repository sets no scan on push; its registry scans continuously."""
    result = judge("deploy_checks", "compliant", preview=preview)
    one = result.one("aws:ecr/repository:Repository", "base")
    assert "imageScanningConfiguration" not in one.inputs or not one.inputs["imageScanningConfiguration"]
    assert flagged(result, "ecr-image-scanning") == set()
    assert "ecr-image-scanning" not in not_applicable(result)


@pytest.mark.parametrize("preview", MODES)
def test_a_stack_without_repositories_is_not_judged_for_scanning(judge, preview):
    result = judge("express_mode", "compliant", preview=preview)
    assert not_applicable(result)["ecr-image-scanning"] == "the stack has no ECR repository"
