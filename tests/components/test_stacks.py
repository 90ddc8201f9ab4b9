"""The committed stacks: their outputs, their shape, and a clean policy verdict in a preview."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from preflight import UNKNOWN

from .conftest import PROJECT


def test_outputs_name_what_a_user_needs(dev):
    outputs = dev.outputs
    alb = dev.one("aws:lb/loadBalancer:LoadBalancer", "alb")
    assert outputs["loadBalancerDnsName"] == alb.outputs["dnsName"]
    assert outputs["url"] == "http://" + alb.outputs["dnsName"]
    assert outputs["clusterName"] == dev.one("aws:ecs/cluster:Cluster").outputs["name"]
    assert outputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id
    service = dev.one("aws:ecs/service:Service", "web")
    assert outputs["services"] == {
        "web": {
            "serviceName": service.outputs["name"],
            "logGroupName": "/ecs/fargate-dev-web",
            "targetGroupArn": dev.one("aws:lb/targetGroup:TargetGroup", "web").outputs["arn"],
            "image": "public.ecr.aws/nginx/nginx:stable",
            "kind": "web",
            "address": None,
            "queueUrl": None,
        }
    }


def test_prod_exports_every_service(prod):
    assert sorted(prod.outputs["services"]) == ["api", "web"]
    assert {s["logGroupName"] for s in prod.outputs["services"].values()} == {
        "/ecs/fargate-prod-web",
        "/ecs/fargate-prod-api",
    }


def test_dev_is_the_cheap_layout(dev):
    types = Counter(r.type for r in dev.resources)
    assert types["aws:ec2/natGateway:NatGateway"] == 0 and types["aws:ec2/eip:Eip"] == 0
    assert types["aws:ecs/service:Service"] == 1 and types["aws:lb/loadBalancer:LoadBalancer"] == 1
    assert dev.one("aws:ecs/service:Service").inputs["networkConfiguration"]["assignPublicIp"] is True


def test_prod_is_private_with_nat_per_az_and_two_tasks_per_service(prod):
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == 2
    for service in prod.of_type("aws:ecs/service:Service"):
        assert service.inputs["desiredCount"] >= 2 or service.options["ignoreChanges"] == ["desiredCount"]
        assert service.inputs["networkConfiguration"]["assignPublicIp"] is False
    # One ALB, and on it one rule per service, forwarding to that service's target group.
    (load_balancer,) = prod.of_type("aws:lb/loadBalancer:LoadBalancer")
    rules = {r.name: r for r in prod.of_type("aws:lb/listenerRule:ListenerRule")}
    assert sorted(rules) == sorted(prod.outputs["services"])
    for name, rule in rules.items():
        (action,) = rule.inputs["actions"]
        # api deploys as a canary: its rule forwards to both its groups, all weight on its own.
        first = action["forward"]["targetGroups"][0] if name == "api" else {"arn": action["targetGroupArn"]}
        assert first["arn"] == prod.outputs["services"][name]["targetGroupArn"]


def test_components_have_their_type_tokens(prod):
    assert {r.type for r in prod.resources if not r.custom} >= {
        "pulumi:pulumi:Stack",
        "fargate:network:Network",
        "fargate:lb:LoadBalancer",
        "fargate:ecs:Cluster",
        "fargate:ecs:FargateService",
    }


@pytest.mark.parametrize("stack", sorted(p.name.split(".")[1] for p in PROJECT.glob("Pulumi.*.yaml")))
def test_committed_stack_previews_with_no_mandatory_violation(stack, committed_stack):
    result = committed_stack(stack, preview=True)
    assert result.policy_pack, "the policy pack did not run"
    assert result.mandatory == [], [f"{v.policy}: {v.message}" for v in result.mandatory]
    # A preview of a new stack cannot know the ALB's DNS name yet; a domain's url is its own name.
    assert result.outputs["url"] == "https://www.example.com" if stack == "prod" else result.outputs["url"] is UNKNOWN


# What EC2 accepts in a security group's or a rule's description (CreateSecurityGroup
# GroupDescription, IpRange/UserIdGroupPair/PrefixListId Description); anything else,
# an apostrophe say, fails `pulumi up` with InvalidParameterValue. The mocks take any string.
EC2_DESCRIPTION = re.compile(r"^[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}$")
SECURITY_GROUP_TYPES = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)


def test_security_group_and_rule_descriptions_use_only_characters_ec2_accepts(
    dev, prod, features, production, existing, default_vpc
):
    descriptions = {
        (resource.type.rsplit(":", 1)[1], resource.name): resource.inputs["description"]
        for result in (dev, prod, features, production, existing, default_vpc)
        for resource in result.resources
        if resource.type in SECURITY_GROUP_TYPES and resource.inputs.get("description") is not None
    }
    assert len({kind for kind, _ in descriptions}) == 3
    assert {key: text for key, text in descriptions.items() if not EC2_DESCRIPTION.match(text)} == {}
