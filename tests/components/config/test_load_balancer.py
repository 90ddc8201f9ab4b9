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
        "allowed; only with certificateArn (it applies to the HTTPS listener)"
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
