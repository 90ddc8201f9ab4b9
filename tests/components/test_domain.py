"""Domain: the certificate made for the stack's names, validated through Route 53, served by the
HTTPS listener once issued, and the names aliased to the ALB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from preflight import ProgramError, RunResult, run

from .conftest import run_stack

CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
LISTENER = "aws:lb/listener:Listener"
ALB = "aws:lb/loadBalancer:LoadBalancer"
ZONE = "Z0123456789ABCDEFGHIJ"
NAMES = ["app.example.com", "*.example.com", "example.com", "api.example.org"]
EDGE_FIXTURE = Path(__file__).parent / "fixtures" / "edge"


@pytest.fixture(scope="module")
def domain() -> RunResult:
    return run_stack(
        loadBalancer={"domain": {"name": NAMES[0], "hostedZoneId": ZONE, "alternativeNames": NAMES[1:]}},
        services={
            "web": {
                "image": "public.ecr.aws/nginx/nginx:stable",
                "routing": {"hostHeaders": ["api.example.org", "*.example.com"]},
            }
        },
    )


def run_edge(scenario: str) -> RunResult:
    return run(
        EDGE_FIXTURE,
        "test",
        preview=False,
        policy_pack=None,
        stack_config={"aws:region": "us-east-1", "fixture:scenario": scenario},
    )


def records(result: RunResult, kind: str) -> dict[str, Any]:
    return {r.inputs["name"]: r for r in result.of_type(RECORD) if r.inputs["type"] == kind}


def test_the_certificate_names_the_domain_and_its_alternative_names_validated_by_dns(domain):
    certificate = domain.one(CERTIFICATE)
    assert certificate.inputs["domainName"] == "app.example.com"
    assert certificate.inputs["subjectAlternativeNames"] == NAMES[1:]
    assert certificate.inputs["validationMethod"] == "DNS"
    assert certificate.parent == domain.one("fargate:lb:Domain", "alb").urn


def test_one_validation_record_per_distinct_record_acm_asks_for_with_its_name_and_value(domain):
    options = domain.one(CERTIFICATE).outputs["domainValidationOptions"]
    asked = {(o["resourceRecordName"], o["resourceRecordType"], o["resourceRecordValue"]) for o in options}
    # *.example.com and example.com are proved by the same record.
    assert len(options) == 4 and len(asked) == 3
    made = records(domain, "CNAME")
    assert {(r.inputs["name"], r.inputs["type"], r.inputs["records"][0]) for r in made.values()} == asked
    for record in made.values():
        assert record.inputs["zoneId"] == ZONE and record.inputs["allowOverwrite"] is True
        assert record.inputs["ttl"] == 60 and record.inputs["records"] == [record.inputs["records"][0]]
        # Its name and value are read from the certificate: the engine knows they depend on it.
        assert domain.one(CERTIFICATE).urn in record.dependencies


def test_the_validation_awaits_every_validation_record_of_the_certificate(domain):
    validation = domain.one(VALIDATION)
    assert validation.inputs["certificateArn"] == domain.one(CERTIFICATE).outputs["arn"]
    assert sorted(validation.inputs["validationRecordFqdns"]) == sorted(
        r.outputs["fqdn"] for r in records(domain, "CNAME").values()
    )
    assert {r.urn for r in records(domain, "CNAME").values()} <= set(validation.dependencies)


def test_the_https_listener_serves_the_validated_certificate_and_http_redirects(domain):
    https = domain.one(LISTENER, "alb-https")
    validation = domain.one(VALIDATION)
    assert https.inputs["certificateArn"] == validation.inputs["certificateArn"] == domain.one(CERTIFICATE).id
    # Waiting on the validation, not on the bare certificate: the listener takes it once issued.
    assert https.property_dependencies["certificateArn"] == [validation.urn]
    assert https.inputs["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    (redirect,) = domain.one(LISTENER, "alb-http").inputs["defaultActions"]
    assert redirect["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}
    # The service's rule sits on the HTTPS listener, routed by the domain's names.
    rule = domain.one("aws:lb/listenerRule:ListenerRule", "web")
    assert rule.inputs["listenerArn"] == https.outputs["arn"]
    hosts = next(c["hostHeader"]["values"] for c in rule.inputs["conditions"] if "hostHeader" in c)
    assert hosts == ["api.example.org", "*.example.com"]


def test_every_name_has_an_alias_a_record_to_the_alb_evaluating_its_health(domain):
    alb = domain.one(ALB, "alb")
    aliases = records(domain, "A")
    assert sorted(aliases) == sorted(NAMES)
    for record in aliases.values():
        assert record.inputs["zoneId"] == ZONE
        assert record.inputs["aliases"] == [
            {"name": alb.outputs["dnsName"], "zoneId": alb.outputs["zoneId"], "evaluateTargetHealth": True}
        ]
        # A record of that name made by hand stops the update rather than being taken over.
        assert "allowOverwrite" not in record.inputs
    assert not records(domain, "AAAA")  # the ALB is IPv4 only


def test_url_is_https_on_the_domain_name(domain):
    assert domain.outputs["url"] == "https://app.example.com"


def test_a_dualstack_alb_gets_aaaa_records_too_and_a_zone_made_by_the_program_is_wired_in():
    result = run_edge("dualstack_domain")
    alb = result.one(ALB, "alb")
    zone_id = result.one("aws:route53/zone:Zone", "zone").outputs["zoneId"]
    assert alb.inputs["ipAddressType"] == "dualstack"
    for kind in ("A", "AAAA"):
        made = records(result, kind)
        assert sorted(made) == ["*.example.net", "example.net"]
        assert all(r.inputs["zoneId"] == zone_id for r in made.values())
        assert all(r.inputs["aliases"][0]["name"] == alb.outputs["dnsName"] for r in made.values())
    assert len(records(result, "CNAME")) == 1  # the wildcard shares the apex's validation record
    assert result.outputs["url"] == "https://example.net"


def test_a_domain_beside_a_certificate_arn_is_refused_before_any_resource():
    with pytest.raises(ProgramError) as raised:
        run_edge("certificate_and_domain")
    assert "LoadBalancerArgs.domain: 'example.net' is not a certificate source" in str(raised.value)


def test_stacks_without_a_domain_register_no_certificate_or_record(dev, production):
    for result in (dev, production):
        assert not result.of_type(CERTIFICATE) and not result.of_type(RECORD)
        assert "ipAddressType" not in result.one(ALB, "alb").inputs


def test_prods_listener_serves_its_domains_validated_certificate(prod):
    assert prod.one(CERTIFICATE).inputs["domainName"] == "www.example.com"
    validation = prod.one(VALIDATION)
    assert prod.one(LISTENER, "alb-https").property_dependencies["certificateArn"] == [validation.urn]
    assert sorted(records(prod, "A")) == ["example.com", "www.example.com"]


def test_the_packs_https_and_waf_rules_pass_on_a_domain_behind_a_web_acl(prod, dev):
    """alb-https-redirect and alb-tls-policy judge the listeners the domain's certificate sits on,
    alb-waf the association; dev (plain HTTP, no WAF) shows the same pack flags their absence."""
    rules = {"alb-https-redirect", "alb-tls-policy", "alb-waf"}
    assert prod.policy_pack and not {v.policy for v in prod.violations} & rules
    assert {"alb-https-redirect", "alb-waf"} <= {v.policy for v in dev.violations}
