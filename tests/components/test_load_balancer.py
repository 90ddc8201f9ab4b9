"""LoadBalancer: the ALB, its security group and the HTTP listener services attach to."""

from __future__ import annotations

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


def test_alb_drops_invalid_headers_and_takes_timeouts_and_protection_from_config(dev, prod, features):
    for result, timeout, protected in ((dev, 60, False), (prod, 60, True), (features, 120, False)):
        alb = result.one(ALB, "alb")
        assert alb.inputs["dropInvalidHeaderFields"] is True
        assert alb.inputs["idleTimeout"] == timeout
        assert alb.inputs["enableDeletionProtection"] is protected


def test_internal_alb_sits_in_the_private_subnets(features):
    alb = features.one(ALB, "alb")
    assert alb.inputs["internal"] is True
    assert sorted(alb.inputs["subnets"]) == subnet_ids(features, "private")


def test_alb_group_admits_http_from_each_ingress_cidr_only(dev, features):
    for result, expected in ((dev, {("cidrIpv4", "0.0.0.0/0"), ("cidrIpv6", "::/0")}),
                             (features, {("cidrIpv4", "10.0.0.0/8")})):
        group = result.one(SECURITY_GROUP, "alb")
        rules = [r for r in result.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
        assert {(r.inputs["ipProtocol"], r.inputs["fromPort"], r.inputs["toPort"]) for r in rules} == {("tcp", 80, 80)}
        sources = {(key, r.inputs[key]) for r in rules for key in ("cidrIpv4", "cidrIpv6") if key in r.inputs}
        assert sources == expected
        # Inline rules would fight the separate rule resources.
        assert "ingress" not in group.inputs and "egress" not in group.inputs


def test_http_listener_answers_404_unless_a_rule_matches(dev):
    listener = dev.one(LISTENER, "alb-http")
    assert listener.inputs["loadBalancerArn"] == dev.one(ALB, "alb").outputs["arn"]
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    (action,) = listener.inputs["defaultActions"]
    assert action["type"] == "fixed-response"
    assert action["fixedResponse"]["statusCode"] == "404"


def test_load_balancer_resources_are_children_of_the_component(dev):
    component = dev.one("fargate:lb:LoadBalancer", "alb")
    for type_token in (ALB, LISTENER):
        assert dev.one(type_token).parent == component.urn
    assert dev.one(SECURITY_GROUP, "alb").parent == component.urn
