"""LoadBalancer: the ALB, its security group and the listener services attach to
(HTTP, or HTTPS with HTTP redirecting to it)."""

from __future__ import annotations

from .conftest import CERTIFICATE

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def subnet_ids(result, kind):
    return sorted(r.id for r in result.of_type("aws:ec2/subnet:Subnet") if r.name.startswith(f"network-{kind}-"))


def test_internet_facing_alb_spans_the_public_subnets_with_its_own_group(dev):
    alb = dev.one(ALB, "alb")
    group = dev.one(SECURITY_GROUP, "alb")
    assert alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["internal"] is False
    assert sorted(alb.inputs["subnets"]) == subnet_ids(dev, "public")
    assert alb.inputs["securityGroups"] == [group.id]
    assert group.inputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id


def test_alb_takes_header_dropping_timeouts_protection_and_logs_from_config(dev, prod, features, production):
    for result, drop, timeout, protected in (
        (dev, True, 60, False),
        (prod, True, 60, True),
        (features, True, 120, False),
        (production, False, 60, False),
    ):
        alb = result.one(ALB, "alb")
        assert alb.inputs["dropInvalidHeaderFields"] is drop
        assert alb.inputs["idleTimeout"] == timeout
        assert alb.inputs["enableDeletionProtection"] is protected
        assert ("accessLogs" in alb.inputs) is (result is production)
    assert production.one(ALB, "alb").inputs["accessLogs"] == {
        "bucket": "example-alb-logs",
        "prefix": "fargate/production",
        "enabled": True,
    }


def test_internal_alb_sits_in_the_private_subnets(features):
    alb = features.one(ALB, "alb")
    assert alb.inputs["internal"] is True
    assert sorted(alb.inputs["subnets"]) == subnet_ids(features, "private")


def test_alb_group_admits_the_listener_ports_from_each_ingress_cidr_only(dev, prod, features):
    anywhere = {("cidrIpv4", "0.0.0.0/0"), ("cidrIpv6", "::/0")}
    for result, expected in (
        (dev, {(80, source) for source in anywhere}),
        (prod, {(port, source) for port in (80, 443) for source in anywhere}),
        (features, {(80, ("cidrIpv4", "10.0.0.0/8"))}),
    ):
        group = result.one(SECURITY_GROUP, "alb")
        rules = [r for r in result.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
        assert all(r.inputs["ipProtocol"] == "tcp" and r.inputs["fromPort"] == r.inputs["toPort"] for r in rules)
        admitted = {
            (r.inputs["fromPort"], (key, r.inputs[key]))
            for r in rules
            for key in ("cidrIpv4", "cidrIpv6")
            if key in r.inputs
        }
        assert admitted == expected and len(rules) == len(expected)
        # Inline rules would fight the separate rule resources.
        assert "ingress" not in group.inputs and "egress" not in group.inputs


def test_http_listener_answers_404_unless_a_rule_matches(dev):
    listener = dev.one(LISTENER, "alb-http")
    assert listener.inputs["loadBalancerArn"] == dev.one(ALB, "alb").outputs["arn"]
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    (action,) = listener.inputs["defaultActions"]
    assert action["type"] == "fixed-response"
    assert action["fixedResponse"]["statusCode"] == "404"


def test_with_a_certificate_http_redirects_permanently_to_https(prod):
    listener = prod.one(LISTENER, "alb-http")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    assert listener.inputs["defaultActions"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
    ]
    # Host, path and query are left at #{host}, /#{path}, #{query}: the client lands where it asked.
    assert "sslPolicy" not in listener.inputs and "certificateArn" not in listener.inputs


def test_https_listener_serves_the_certificate_with_tls_1_2_and_up_and_answers_404(prod, production):
    # prod's certificate is its domain's, once validated; production's is given by ARN.
    validated = prod.one("aws:acm/certificateValidation:CertificateValidation", "alb").inputs["certificateArn"]
    for result, certificate, policy in (
        (prod, validated, "ELBSecurityPolicy-TLS13-1-2-2021-06"),
        (production, CERTIFICATE, "ELBSecurityPolicy-TLS13-1-3-2021-06"),
    ):
        listener = result.one(LISTENER, "alb-https")
        assert listener.inputs["loadBalancerArn"] == result.one(ALB, "alb").outputs["arn"]
        assert (listener.inputs["port"], listener.inputs["protocol"]) == (443, "HTTPS")
        assert (listener.inputs["certificateArn"], listener.inputs["sslPolicy"]) == (certificate, policy)
        (action,) = listener.inputs["defaultActions"]
        assert (action["type"], action["fixedResponse"]["statusCode"]) == ("fixed-response", "404")


def test_url_is_https_with_a_certificate(dev, prod, production):
    assert dev.outputs["url"] == "http://" + dev.outputs["loadBalancerDnsName"]
    # With a certificate of one's own, the ALB's name; with a domain, the domain's.
    assert production.outputs["url"] == "https://" + production.outputs["loadBalancerDnsName"]
    assert prod.outputs["url"] == "https://www.example.com"
    assert len(dev.of_type(LISTENER)) == 1 and len(prod.of_type(LISTENER)) == 2


def test_load_balancer_resources_are_children_of_the_component(dev):
    component = dev.one("fargate:lb:LoadBalancer", "alb")
    for type_token in (ALB, LISTENER):
        assert dev.one(type_token).parent == component.urn
    assert dev.one(SECURITY_GROUP, "alb").parent == component.urn
