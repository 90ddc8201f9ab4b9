"""LoadBalancerConfig: HTTPS, the TLS policy and access logs."""

from __future__ import annotations

import pytest

from preflight import ProgramError, run

from ..conftest import PROJECT
from .conftest import CERTIFICATE, NGINX, error, parse


def test_https_takes_an_acm_certificate_of_the_stacks_region():
    balancer = parse(
        loadBalancer={"certificateArn": CERTIFICATE, "accessLogs": {"bucket": "my.alb-logs"}}
    ).load_balancer
    assert balancer.https and balancer.access_logs.bucket == "my.alb-logs" and balancer.access_logs.prefix is None
    assert parse(region=None, loadBalancer={"certificateArn": CERTIFICATE.replace("us-east-1", "eu-west-1")})
    assert parse(
        region="us-gov-west-1",
        loadBalancer={"certificateArn": CERTIFICATE.replace("aws:acm:us-east-1", "aws-us-gov:acm:us-gov-west-1")},
    )


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123456789012:server-certificate/site",
        "arn:aws:acm:us-east-1:123456789012:certificate/not-a-uuid",
        "arn:aws:acm:us-east-1:12345:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
    ],
)
def test_anything_but_an_acm_certificate_arn_is_refused(arn):
    assert error(loadBalancer={"certificateArn": arn}) == (
        f"invalid stack config: fargate:loadBalancer.certificateArn: {arn!r} is not allowed; an ACM certificate "
        "ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>"
    )


def test_a_certificate_of_another_region_is_refused_by_the_real_program_before_any_resource():
    foreign = CERTIFICATE.replace("us-east-1", "eu-west-1")
    with pytest.raises(ProgramError) as raised:
        run(
            PROJECT,
            "dev",
            policy_pack=None,
            stack_config={
                "aws:region": "us-east-1",
                "fargate:loadBalancer": {"certificateArn": foreign},
                "fargate:services": {"web": {"image": NGINX}},
            },
        )
    assert str(raised.value) == (
        f"invalid stack config: fargate:loadBalancer.certificateArn: {foreign!r} is not allowed; "
        "a certificate in the stack's region us-east-1 (an ALB uses certificates of its own region)"
    )


def test_tls_policy_needs_https_and_an_elb_policy_name():
    assert error(loadBalancer={"sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}) == (
        "invalid stack config: fargate:loadBalancer.sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' is not "
        "allowed; only with certificateArn or domain (it applies to the HTTPS listener)"
    )
    assert "fargate:loadBalancer.sslPolicy: 'TLSv1.2' is not allowed; an ELB security policy name" in error(
        loadBalancer={"certificateArn": CERTIFICATE, "sslPolicy": "TLSv1.2"}
    )


@pytest.mark.parametrize(
    "logs, key, rule",
    [
        ({"bucket": "My_Logs"}, "bucket", "an S3 bucket name"),
        ({"bucket": "logs", "prefix": "/alb"}, "prefix", "a key prefix such as alb/prod"),
        ({"bucket": "logs", "prefix": "alb/"}, "prefix", "a key prefix such as alb/prod"),
        ({"bucket": "logs", "prefix": "x/AWSLogs"}, "prefix", "not containing 'AWSLogs'"),
    ],
)
def test_access_logs_need_a_bucket_name_and_a_clean_prefix(logs, key, rule):
    message = error(loadBalancer={"accessLogs": logs})
    assert message.startswith(
        f"invalid stack config: fargate:loadBalancer.accessLogs.{key}: {logs[key]!r} is not allowed; "
    )
    assert rule in message
    assert error(loadBalancer={"accessLogs": {"prefix": "alb"}}) == (
        "invalid stack config: fargate:loadBalancer.accessLogs.bucket: required key is missing"
    )


# ------------------------------------------------------------------ domain

ZONE = "Z0123456789ABCDEFGHIJ"
WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
DNS_RULE = "a DNS name such as app.example.com or *.example.com"


def test_a_domain_turns_on_https_with_its_names():
    domain = {"name": "app.example.com", "hostedZoneId": ZONE, "alternativeNames": ["*.example.com", "example.com"]}
    balancer = parse(loadBalancer={"domain": domain, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}).load_balancer
    assert balancer.https and balancer.certificate_arn is None
    assert balancer.domain.names == ("app.example.com", "*.example.com", "example.com")
    assert balancer.domain.hosted_zone_id == ZONE


def test_a_domain_without_a_hosted_zone_is_refused():
    assert error(loadBalancer={"domain": {"name": "app.example.com"}}) == (
        "invalid stack config: fargate:loadBalancer.domain.hostedZoneId: required key is missing"
    )


def test_a_domain_and_a_certificate_arn_are_refused_together_naming_both():
    assert error(
        loadBalancer={"certificateArn": CERTIFICATE, "domain": {"name": "app.example.com", "hostedZoneId": ZONE}}
    ) == (
        f"invalid stack config: fargate:loadBalancer.certificateArn: {CERTIFICATE!r} is not allowed; only without "
        "domain (the domain's certificate is made for it; set one of the two)"
    )


@pytest.mark.parametrize(
    "name",
    [
        "example",  # one label
        "App.example.com",  # upper case
        "-app.example.com",
        "app-.example.com",
        "app..example.com",
        "api.*.example.com",  # wildcard not first
        "**.example.com",
        "app_1.example.com",
        "a" * 64 + ".example.com",  # a label over 63
        ("a" * 60 + ".") * 5 + "com",  # over 253
    ],
)
def test_names_that_are_not_dns_names_are_refused(name):
    message = error(
        loadBalancer={"domain": {"name": "app.example.com", "hostedZoneId": ZONE, "alternativeNames": [name]}}
    )
    assert message.startswith(
        f"invalid stack config: fargate:loadBalancer.domain.alternativeNames[0]: {name!r} is not allowed; {DNS_RULE}"
    )


def test_every_problem_of_a_domain_is_one_line_at_once():
    message = error(
        loadBalancer={
            "domain": {
                "name": "a" * 60 + ".example.com",  # a name, but over the certificate subject's 64
                "hostedZoneId": "zone-1",
                "alternativeNames": ["www.example.com", "www.example.com", "bad name"],
            }
        }
    )
    lines = message.splitlines()[1:]
    assert [line.split(": ", 1)[0].strip() for line in lines] == [
        "fargate:loadBalancer.domain.name",
        "fargate:loadBalancer.domain.hostedZoneId",
        "fargate:loadBalancer.domain.alternativeNames[1]",
        "fargate:loadBalancer.domain.alternativeNames[2]",
    ]
    assert "(the certificate's first name: at most 64)" in lines[0]
    assert "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" in lines[1]
    assert lines[2].endswith("'www.example.com' is not allowed; a name listed once")
    assert DNS_RULE in lines[3]


def test_the_name_is_not_repeated_among_the_alternative_names():
    assert error(
        loadBalancer={"domain": {"name": "example.com", "hostedZoneId": ZONE, "alternativeNames": ["example.com"]}}
    ) == (
        "invalid stack config: fargate:loadBalancer.domain.alternativeNames[0]: 'example.com' is not allowed; "
        "a name other than `name`"
    )


def test_host_routing_takes_the_domains_names():
    domain = {"name": "app.example.com", "hostedZoneId": ZONE, "alternativeNames": ["*.example.com"]}
    config = parse(
        web={"routing": {"hostHeaders": ["app.example.com", "*.example.com"]}}, loadBalancer={"domain": domain}
    )
    assert config.services["web"].routing.host_headers == tuple(config.load_balancer.domain.names)


# ------------------------------------------------------------------ WAF


def test_waf_defaults_to_aws_baseline_groups_and_a_rate_limit_of_2000():
    waf = parse(loadBalancer={"waf": {}}).load_balancer.waf
    assert waf.managed_rules == (
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    )
    assert waf.rate_limit_per_5_minutes == 2000
    assert parse(loadBalancer={"webAclArn": WEB_ACL}).load_balancer.web_acl_arn == WEB_ACL


def test_waf_refuses_unknown_repeated_and_login_configured_groups_and_rates_outside_aws_range():
    message = error(
        loadBalancer={
            "waf": {
                "managedRules": [
                    "AWSManagedRulesSQLiRuleSet",
                    "AWSManagedRulesSQLiRuleset",
                    "AWSManagedRulesSQLiRuleSet",
                    "AWSManagedRulesATPRuleSet",
                ],
                "rateLimitPer5Minutes": 2_000_000_001,
            }
        }
    )
    lines = message.splitlines()[1:]
    assert (
        lines[0]
        .strip()
        .startswith(
            "fargate:loadBalancer.waf.managedRules[1]: 'AWSManagedRulesSQLiRuleset' is not allowed; an AWS managed "
            "rule group: one of AWSManagedRulesCommonRuleSet, "
        )
    )
    assert lines[1].strip() == (
        "fargate:loadBalancer.waf.managedRules[2]: 'AWSManagedRulesSQLiRuleSet' is not allowed; a group listed once"
    )
    assert (
        lines[2]
        .strip()
        .startswith(
            "fargate:loadBalancer.waf.managedRules[3]: 'AWSManagedRulesATPRuleSet' is not allowed; a group that needs "
            "no login page configuration"
        )
    )
    assert lines[3].strip() == (
        "fargate:loadBalancer.waf.rateLimitPer5Minutes: 2000000001 is not allowed; an integer at most 2000000000"
    )
    assert len(lines) == 4


def test_waf_and_a_web_acl_arn_are_refused_together_naming_both():
    assert error(loadBalancer={"waf": {}, "webAclArn": WEB_ACL}) == (
        f"invalid stack config: fargate:loadBalancer.webAclArn: {WEB_ACL!r} is not allowed; only without waf "
        "(an ALB takes one web ACL; set one of the two)"
    )


@pytest.mark.parametrize(
    "arn, rule",
    [
        (WEB_ACL.replace("regional", "global"), "a regional WAFv2 web ACL ARN"),
        (WEB_ACL.replace("wafv2", "waf-regional"), "a regional WAFv2 web ACL ARN"),
        (WEB_ACL.replace("us-east-1", "eu-west-1"), "a web ACL in the stack's region us-east-1"),
    ],
)
def test_a_web_acl_arn_must_be_regional_wafv2_in_the_stacks_region(arn, rule):
    assert error(loadBalancer={"webAclArn": arn}).startswith(
        f"invalid stack config: fargate:loadBalancer.webAclArn: {arn!r} is not allowed; {rule}"
    )
