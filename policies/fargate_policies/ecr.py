"""ECR rules: the repositories a stack keeps its images in."""

from __future__ import annotations

from pulumi_policy import ResourceValidationArgs, StackValidationArgs

from . import _types as T
from ._policy import ADVISORY, LOW, MEDIUM, ReportViolation, Rule
from ._props import UNKNOWN, as_bool, elements, get, peek
from ._stack import Stack


def ecr_image_scanning(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """ECR repositories scan images on push (imageScanningConfiguration.scanOnPush), unless the stack sets registry
    scanning (an ecr.RegistryScanningConfiguration with a rule), which covers every repository.

    Prevents: images with known vulnerabilities (in the base image or a library) deployed
    with no finding anywhere to say so.

    Mirrors: Security Hub ECR.1; AWS Config ecr-private-image-scanning-enabled; Checkov
    CKV_AWS_163; cdk-nag's NIST/PCI packs (ECRImageScanOnPush is not in AwsSolutions).
    """
    stack = Stack.of(args.resources)
    repositories = stack.of_type(T.ECR_REPOSITORY)
    if not repositories:
        args.not_applicable("the stack has no ECR repository")
        return
    for registry in stack.of_type(T.ECR_REGISTRY_SCANNING):
        rules = elements(peek(registry.props, "rules"))
        if rules is UNKNOWN or rules:
            return  # registry scanning replaces each repository's scan on push
    for repository in repositories:
        # Unset, the provider computes it (unknown in a preview): scan on push is then off.
        configuration = Stack.given(repository, "imageScanningConfiguration")
        scan = UNKNOWN if configuration is UNKNOWN else as_bool(peek(configuration, "scanOnPush"))
        if scan is UNKNOWN:
            continue
        if scan is not True:
            report_violation(
                f"Repository {repository.name!r} does not scan on push; set "
                "imageScanningConfiguration.scanOnPush: true (or registry scanning).",
                repository.urn,
            )


def ecr_immutable_tags(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """ECR repositories make image tags immutable (imageTagMutability IMMUTABLE; MUTABLE is the default).

    Prevents: a tag (`:1.4`, `:prod`) silently pointing at another image after a push, so
    that a task started tomorrow runs different code from one started today.

    Mirrors: Security Hub ECR.2; AWS Config ecr-private-tag-immutability-enabled; Checkov
    CKV_AWS_51.
    """
    mutability = str(get(args.props, "imageTagMutability", default="MUTABLE")).upper()
    if mutability.startswith("MUTABLE"):
        report_violation(f"imageTagMutability is {mutability}; set IMMUTABLE and deploy by a new tag or digest.")


RULES = [
    Rule("ecr-image-scanning", ADVISORY, ecr_image_scanning, severity=MEDIUM),
    Rule("ecr-immutable-tags", ADVISORY, ecr_immutable_tags, T.ECR_REPOSITORY, severity=LOW),
]
