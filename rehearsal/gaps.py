"""Every place where the rehearsal is not a plain `terraform apply` of the program, in one file.

Three tables, each entry with its reason; docs/rehearsal.md's tables are held to them by a test.
Nothing here ever reaches the program: `pulumi up` against AWS is not affected by any of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MOTO_VERSION_SEEN = "5.2.5"


@dataclass(frozen=True)
class Gap:
    """Something the emulator does not do as AWS does, and what the harness does about it."""

    resource: str
    """The Terraform resource type (or `*`) and attribute or API call concerned."""
    attribute: str
    moto: str
    """What moto does."""
    harness: str
    """What the rehearsal does about it."""
    moto_version: str = MOTO_VERSION_SEEN


# The emulator's gaps met by the rehearsal. `replan_attributes` gaps explain a re-plan difference;
# the others are handled before it could show (an added API call, an override, a created fixture).
GAPS: tuple[Gap, ...] = (
    Gap(
        "aws_appautoscaling_target, aws_appautoscaling_policy",
        "ListTagsForResource, TagResource, UntagResource; RegisterScalableTarget Tags",
        "Application Auto Scaling has no tagging calls (they answer 500, which the provider retries for minutes) and drops the Tags of RegisterScalableTarget",
        "the emulator process adds the three calls and keeps RegisterScalableTarget's Tags (where the default tags go), per ARN in memory",
    ),
    Gap(
        "aws_ecs_service",
        "wait_for_steady_state",
        "ECS tasks never run, so a service never reaches a steady state",
        "the rehearsal sets wait_for_steady_state = false (the program sets true)",
    ),
    Gap(
        "aws_ecs_service",
        "enable_ecs_managed_tags, enable_execute_command, health_check_grace_period_seconds, "
        "availability_zone_rebalancing",
        "CreateService keeps none of the four; DescribeServices returns false, false, nothing and nothing",
        "a re-plan difference on these four attributes of a service is explained by this gap",
    ),
    Gap(
        "aws_vpc_security_group_ingress_rule, aws_vpc_security_group_egress_rule",
        "description",
        "a rule that references a security group or a prefix list loses its description (kept only on CIDR rules)",
        "a re-plan difference on the description of such a rule is explained by this gap",
    ),
    Gap(
        "aws_ecs_service",
        "capacity_provider_strategy",
        "CreateService keeps no capacity provider strategy and reports launch type EC2",
        "the emulator process keeps CreateService's strategy and reports no launch type, as AWS does",
    ),
    Gap(
        "aws_iam_role_policy_attachment",
        "policy_arn (AWS-managed policies)",
        "AWS-managed policies exist only when MOTO_IAM_LOAD_MANAGED_POLICIES=true",
        "the emulator starts with MOTO_IAM_LOAD_MANAGED_POLICIES=true",
    ),
    Gap(
        "stack config",
        "placeholder ARNs (prod's ACM certificate, SSM parameter)",
        "an ARN must name something that exists in the emulator's account",
        "created in the emulator before the program runs (a self-signed certificate imported into ACM, "
        "a SecureString parameter) and the stack config's ARNs replaced by theirs; left out of the leftover check",
    ),
    Gap(
        "*",
        "concurrent requests",
        "its server answers each request in a thread of its own, over backends that are not thread-safe; in "
        "full runs under load one rehearsal's destroy met DeregisterScalableTarget answered \"No scalable target "
        'found" (and stopped, leaving 23 resources), another left one resource over; neither ever alone',
        "the emulator process answers one request at a time (each takes milliseconds)",
    ),
    Gap(
        "aws_appautoscaling_target, aws_appautoscaling_policy",
        "DeregisterScalableTarget, DeleteScalingPolicy of what is gone",
        "answers ValidationException where AWS answers ObjectNotFoundException (which the provider takes as deleted); "
        "a full CI run under load met one DeleteScalingPolicy that found nothing (the destroy stopped, 29 resources "
        "left over), never alone, as a repeated request would",
        "the emulator process answers those two with ObjectNotFoundException, as AWS does; the leftover check still "
        "proves the emulator empty",
    ),
    Gap(
        "data sources",
        "aws:ec2/getVpc, aws:ec2/getSubnets (the default VPC)",
        "the emulator's default VPC and subnets have their own random ids, not the preflight's",
        "the preflight's default VPC and subnet ids are replaced by the emulator's, zone by zone",
    ),
    Gap(
        "aws_acm_certificate_validation",
        "certificate status (DNS validation)",
        "issues a DNS-validated certificate MOTO_ACM_VALIDATION_WAIT seconds (60 by default) after the request, "
        "without looking for the validation records",
        "the emulator starts with MOTO_ACM_VALIDATION_WAIT=0; the validation still checks that its record names "
        "are the certificate's",
    ),
    Gap(
        "stack config",
        "placeholder hosted zone id (prod's domain: Z and zeros)",
        "a zone id must name a zone that exists in the emulator's account",
        "a public zone for the domain's last two labels is created before the program runs and the id replaced "
        "by its id; left out of the leftover check",
    ),
    Gap(
        "aws_sqs_queue",
        "redrive_policy",
        "GetQueueAttributes returns the RedrivePolicy re-serialized with spaces after ',' and ':'; the program "
        "sets it compact",
        "a re-plan difference on a queue's redrive_policy that is the same JSON document is explained by this gap",
    ),
)


# Inputs pulumi-aws 7 sends that provider 5.100 does not have: pulumi-aws 7 embeds the provider's
# 6.x line. Each is left out of the Terraform configuration, and the report lists every one left out.
NEWER_THAN_PROVIDER: dict[str, str] = {
    "region": "6.0 added a per-resource region; the rehearsal's provider is configured with the stack's region",
    # By Terraform type and the input's path (list indexes left out): inputs of one resource type.
    "aws_ecs_service.deploymentConfiguration": "6.x added ECS's deployment strategies (blue/green, canary, "
    "linear, bake time); the service is rehearsed rolling",
    "aws_ecs_service.loadBalancers.advancedConfiguration": "6.x added blue/green's alternate target group, "
    "production listener rule and role; the service is rehearsed on its first target group, the second one, the "
    "rule forwarding to both and the role are applied",
}

# Attributes set by the rehearsal over what the program sets, (type, attribute) -> (value, gap).
OVERRIDES: dict[tuple[str, str], tuple[Any, str]] = {
    ("aws_ecs_service", "wait_for_steady_state"): (False, "wait_for_steady_state"),
}


# Re-plan differences the emulator causes: (Terraform type, top-level attribute) -> the gap, and
# the condition under which it explains the difference (the state as the emulator left it, and
# the value the configuration wants). Every other difference fails the rehearsal.
@dataclass(frozen=True)
class Explained:
    gap: str
    when: Callable[[dict[str, Any], Any, Any], bool]
    """(state before the re-plan, value in the state, value planned) -> the gap explains it."""


def _emulator_forgot(state: dict[str, Any], before: Any, after: Any) -> bool:
    return before in (None, "", False, 0) and after not in (None, "", False, 0)


def _rule_to_group_lost_description(state: dict[str, Any], before: Any, after: Any) -> bool:
    return before is None and bool(state.get("referenced_security_group_id") or state.get("prefix_list_id"))


def _same_json(state: dict[str, Any], before: Any, after: Any) -> bool:
    try:
        return isinstance(before, str) and isinstance(after, str) and json.loads(before) == json.loads(after)
    except ValueError:
        return False


_ECS_SERVICE_GAP = "aws_ecs_service: managed tags, exec, grace period, AZ rebalancing"
REPLAN_EXPLAINED: dict[tuple[str, str], Explained] = {
    **{
        ("aws_ecs_service", attribute): Explained(_ECS_SERVICE_GAP, _emulator_forgot)
        for attribute in (
            "enable_ecs_managed_tags",
            "enable_execute_command",
            "health_check_grace_period_seconds",
            "availability_zone_rebalancing",
        )
    },
    **{
        (rule, "description"): Explained("security group rule description", _rule_to_group_lost_description)
        for rule in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")
    },
    ("aws_sqs_queue", "redrive_policy"): Explained("SQS redrive policy JSON spacing", _same_json),
}


@dataclass(frozen=True)
class Setting:
    """A harness-side setting for speed or for CI: how the rehearsal runs Terraform, never what it applies."""

    setting: str
    why: str
    unchanged: str
    """What stays exactly as `pulumi up` would do it."""


# docs/rehearsal.md's table of harness settings is held to this one by a test.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "AWS_ENDPOINT_URL in the provider's environment, no `endpoints` block",
        "the provider spends about 5 s of CPU on an `endpoints` block each time it validates its configuration "
        "(several times per command): `terraform apply` of a log group and a role took 24.6 s of CPU with it, "
        "7.4 s without",
        "every service still goes to the emulator and nowhere else; the provider block is otherwise the same",
    ),
    Setting(
        "REHEARSAL_WORKERS=4 rehearsals side by side, each with its own moto and working directory",
        "most of a rehearsal is the provider waiting (about 60 s for each `aws_lb` to become active), not CPU",
        "each rehearsal starts from an empty emulator; the program runs one at a time (it is not thread-safe)",
    ),
    Setting(
        "REHEARSAL_PHASE_TIMEOUT=600 s per Terraform command",
        "a hung provider or emulator must fail the rehearsal, never hang CI; the slowest command measured "
        "takes about 2 minutes",
        "Terraform's own timeouts and the provider's waiters and retries are untouched",
    ),
)
