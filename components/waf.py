"""Firewall: a regional WAF web ACL in front of the ALB, or the association of one made elsewhere.

The web ACL allows what no rule blocks. Its first rule blocks a client IP above the rate limit
(cheapest to judge, and it keeps a flood away from the rest); then each AWS managed rule group
in the order given, with its own actions (override none). Every rule and the ACL publish
CloudWatch metrics and sampled requests, so a false positive can be found and the rule named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .edge_limits import DEFAULT_MANAGED_RULES, MANAGED_RULE_GROUPS, RATE_LIMIT_RANGE
from .naming import name_tag, qualified_name
from .validation import check, check_range

_OWNER = "WafArgs"
RATE_LIMIT_RULE = "rate-limit"
# Bot Control's cheaper level (known bots by their signatures); TARGETED costs more per request.
BOT_CONTROL_LEVEL = "COMMON"


@dataclass(kw_only=True)
class WafArgs:
    # AWS's baseline groups and its IP reputation list: 925 of the 1,500 capacity units a web
    # ACL's price covers.
    managed_rules: Sequence[str] = DEFAULT_MANAGED_RULES
    # The WAF console's default: about 7 requests a second from one IP for five minutes, more
    # than a browser sends and less than a scraper or a flood.
    rate_limit_per_5_minutes: int = 2000

    def validate(self) -> None:
        for group in self.managed_rules:
            check(
                f"{_OWNER}.managed_rules",
                group,
                group in MANAGED_RULE_GROUPS,
                "an AWS managed rule group",
                ", ".join(MANAGED_RULE_GROUPS),
            )
        check(
            f"{_OWNER}.managed_rules",
            list(self.managed_rules),
            len(set(self.managed_rules)) == len(self.managed_rules),
            "a set of rule groups",
            "each group once",
        )
        check_range(f"{_OWNER}.rate_limit_per_5_minutes", self.rate_limit_per_5_minutes, *RATE_LIMIT_RANGE)


@dataclass(kw_only=True)
class FirewallArgs:
    # What the web ACL protects: the ALB's ARN.
    resource_arn: pulumi.Input[str]
    # Exactly one of the two: a web ACL made here, or the ARN of one made elsewhere.
    waf: Optional[WafArgs] = None
    web_acl_arn: Optional[pulumi.Input[str]] = None

    def validate(self) -> None:
        check_one_web_acl("FirewallArgs", self.waf, self.web_acl_arn, required=True)


def check_one_web_acl(
    owner: str, waf: Optional[WafArgs], web_acl_arn: Optional[pulumi.Input[str]], *, required: bool
) -> None:
    """At most one web ACL (exactly one when ``required``): one made here, or one made elsewhere."""
    given = (waf is not None) + (web_acl_arn is not None)
    check(
        f"{owner}.waf",
        {0: "none", 1: "one", 2: "both"}[given],
        given == 1 or (given == 0 and not required),
        "a web ACL choice",
        "one of waf (a web ACL made here) and web_acl_arn (one made elsewhere)",
    )
    if waf is not None:
        waf.validate()


class Firewall(pulumi.ComponentResource):
    # The web ACL's ARN: the one made here, or the one given.
    web_acl_arn: pulumi.Output[str]
    web_acl: Optional[aws.wafv2.WebAcl] = None

    def __init__(self, name: str, args: FirewallArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate()
        super().__init__("fargate:lb:Firewall", name, None, opts)
        web_acl_arn = args.web_acl_arn
        if args.waf is not None:
            self.web_acl = self._web_acl(name, args.waf)
            web_acl_arn = self.web_acl.arn
        assert web_acl_arn is not None  # validate(): one of the two
        aws.wafv2.WebAclAssociation(
            f"{name}",
            resource_arn=args.resource_arn,
            web_acl_arn=web_acl_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.web_acl_arn = pulumi.Output.from_input(web_acl_arn)
        self.register_outputs({"webAclArn": self.web_acl_arn})

    def _web_acl(self, name: str, args: WafArgs) -> aws.wafv2.WebAcl:
        rate_limit = aws.wafv2.WebAclRuleArgs(
            name=RATE_LIMIT_RULE,
            priority=0,
            action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                    aggregate_key_type="IP",
                    limit=args.rate_limit_per_5_minutes,
                    evaluation_window_sec=300,
                )
            ),
            visibility_config=_rule_visibility(name, RATE_LIMIT_RULE),
        )
        managed = [
            aws.wafv2.WebAclRuleArgs(
                name=group,
                priority=priority,
                # The group's own actions (block what it matches); `count` would only watch.
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        vendor_name="AWS",
                        name=group,
                        managed_rule_group_configs=_group_configs(group),
                    )
                ),
                visibility_config=_rule_visibility(name, group),
            )
            for priority, group in enumerate(args.managed_rules, start=1)
        ]
        return aws.wafv2.WebAcl(
            f"{name}",
            # Named after the stack (unique in its account and region, found in the console).
            name=_metric(name),
            scope="REGIONAL",
            description="In front of the ALB: a per-IP rate limit, then AWS managed rule groups",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
            rules=[rate_limit, *managed],
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=_metric(name), sampled_requests_enabled=True
            ),
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )


def _rule_visibility(name: str, rule: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=_metric(name, rule), sampled_requests_enabled=True
    )


def _metric(*parts: str) -> str:
    """``<project>-<stack>-<parts>``: a name WAF takes for the ACL and its metrics (letters, digits,
    '-' and '_', at most 128), apart from other stacks' in the account."""
    return qualified_name(*parts)[:128]


def _group_configs(
    group: str,
) -> Optional[list[aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigArgs]]:
    if group != "AWSManagedRulesBotControlRuleSet":
        return None
    return [
        aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigArgs(
            aws_managed_rules_bot_control_rule_set=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigAwsManagedRulesBotControlRuleSetArgs(
                inspection_level=BOT_CONTROL_LEVEL
            )
        )
    ]
