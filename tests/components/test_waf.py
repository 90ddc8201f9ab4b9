"""Firewall: the web ACL in front of the ALB (a rate limit, then AWS managed rule groups) and its
association, or the association of a web ACL made elsewhere."""

from __future__ import annotations

import pytest

from preflight import ProgramError, RunResult

from .conftest import run_stack
from .test_domain import run_edge

WEB_ACL = "aws:wafv2/webAcl:WebAcl"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
ALB = "aws:lb/loadBalancer:LoadBalancer"
GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesBotControlRuleSet"]
WEB = {"web": {"image": "public.ecr.aws/nginx/nginx:stable"}}
SHARED = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


@pytest.fixture(scope="module")
def waf() -> RunResult:
    return run_stack(loadBalancer={"waf": {"managedRules": GROUPS, "rateLimitPer5Minutes": 500}}, services=WEB)


def test_the_association_joins_the_albs_arn_to_the_web_acls(waf):
    association = waf.one(ASSOCIATION, "alb")
    assert association.inputs["resourceArn"] == waf.one(ALB, "alb").outputs["arn"]
    assert association.inputs["webAclArn"] == waf.one(WEB_ACL, "alb").outputs["arn"]
    assert association.parent == waf.one("fargate:lb:Firewall", "alb").urn


def test_the_web_acl_is_regional_allows_by_default_and_publishes_metrics(waf):
    acl = waf.one(WEB_ACL, "alb").inputs
    assert (acl["scope"], acl["defaultAction"]) == ("REGIONAL", {"allow": {}})
    assert acl["name"] == "fargate-dev-alb"
    assert acl["visibilityConfig"] == {
        "cloudwatchMetricsEnabled": True,
        "metricName": "fargate-dev-alb",
        "sampledRequestsEnabled": True,
    }


def test_a_rate_based_rule_blocks_an_ip_above_the_limit_first(waf):
    first, *_ = sorted(waf.one(WEB_ACL, "alb").inputs["rules"], key=lambda rule: rule["priority"])
    assert first["priority"] == 0 and first["action"] == {"block": {}}
    assert first["statement"] == {
        "rateBasedStatement": {"limit": 500, "aggregateKeyType": "IP", "evaluationWindowSec": 300}
    }
    assert first["visibilityConfig"]["metricName"] == "fargate-dev-alb-rate-limit"


def test_each_managed_group_is_a_rule_in_the_given_order_with_its_own_actions(waf):
    _, *managed = sorted(waf.one(WEB_ACL, "alb").inputs["rules"], key=lambda rule: rule["priority"])
    assert [rule["name"] for rule in managed] == GROUPS
    assert [rule["priority"] for rule in managed] == [1, 2, 3]
    for rule in managed:
        statement = rule["statement"]["managedRuleGroupStatement"]
        assert (statement["vendorName"], statement["name"]) == ("AWS", rule["name"])
        assert rule["overrideAction"] == {"none": {}} and "action" not in rule
        assert rule["visibilityConfig"] == {
            "cloudwatchMetricsEnabled": True,
            "metricName": f"fargate-dev-alb-{rule['name']}",
            "sampledRequestsEnabled": True,
        }
    bot_control = managed[2]["statement"]["managedRuleGroupStatement"]
    assert bot_control["managedRuleGroupConfigs"] == [
        {"awsManagedRulesBotControlRuleSet": {"inspectionLevel": "COMMON"}}
    ]
    assert "managedRuleGroupConfigs" not in managed[0]["statement"]["managedRuleGroupStatement"]


def test_a_web_acl_arn_is_associated_without_making_one():
    result = run_stack(loadBalancer={"webAclArn": SHARED}, services=WEB)
    assert not result.of_type(WEB_ACL)
    association = result.one(ASSOCIATION, "alb")
    assert (association.inputs["resourceArn"], association.inputs["webAclArn"]) == (
        result.one(ALB, "alb").outputs["arn"],
        SHARED,
    )


def test_a_web_acl_of_the_programs_own_is_associated_by_its_output():
    result = run_edge("dualstack_domain")
    shared = result.one(WEB_ACL, "shared")
    assert len(result.of_type(WEB_ACL)) == 1
    assert result.one(ASSOCIATION, "alb").inputs["webAclArn"] == shared.outputs["arn"]


def test_an_unknown_rule_group_from_args_is_refused_before_any_resource():
    with pytest.raises(ProgramError) as raised:
        run_edge("unknown_rule_group")
    assert "WafArgs.managed_rules: 'AWSManagedRulesEverything' is not an AWS managed rule group" in str(raised.value)


def test_a_web_acl_made_here_beside_a_given_one_is_refused_from_args_before_any_resource():
    with pytest.raises(ProgramError) as raised:
        run_edge("two_web_acls")
    assert "LoadBalancerArgs.waf: 'both' is not a web ACL choice; allowed: one of waf" in str(raised.value)


def test_stacks_without_waf_register_no_web_acl(dev, production):
    for result in (dev, production):
        assert not result.of_type(WEB_ACL) and not result.of_type(ASSOCIATION)


def test_prod_is_behind_a_web_acl_of_the_default_groups(prod):
    rules = prod.one(WEB_ACL, "alb").inputs["rules"]
    assert [rule["name"] for rule in sorted(rules, key=lambda rule: rule["priority"])] == [
        "rate-limit",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    ]
    assert prod.one(ASSOCIATION, "alb").inputs["resourceArn"] == prod.one(ALB, "alb").outputs["arn"]
