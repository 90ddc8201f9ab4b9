"""The committed stacks: their outputs, their shape, and a clean policy verdict in a preview."""

from __future__ import annotations

from collections import Counter

import pytest

from preflight import UNKNOWN, run

from .conftest import PROJECT


def test_outputs_name_what_a_user_needs(dev):
    outputs = dev.outputs
    alb = dev.one("aws:lb/loadBalancer:LoadBalancer", "alb")
    assert outputs["loadBalancerDnsName"] == alb.outputs["dnsName"]
    assert outputs["url"] == "http://" + alb.outputs["dnsName"]
    assert outputs["clusterName"] == dev.one("aws:ecs/cluster:Cluster").outputs["name"]
    assert outputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id
    service = dev.one("aws:ecs/service:Service", "web")
    assert outputs["services"] == {"web": {
        "serviceName": service.outputs["name"],
        "logGroupName": "/ecs/fargate-dev-web",
        "targetGroupArn": dev.one("aws:lb/targetGroup:TargetGroup", "web").outputs["arn"],
        "image": "public.ecr.aws/nginx/nginx:stable",
    }}


def test_prod_exports_every_service(prod):
    assert sorted(prod.outputs["services"]) == ["api", "web"]
    assert {s["logGroupName"] for s in prod.outputs["services"].values()} == {
        "/ecs/fargate-prod-web", "/ecs/fargate-prod-api"}


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
    assert len(prod.of_type("aws:lb/loadBalancer:LoadBalancer")) == 1
    assert len(prod.of_type("aws:lb/listenerRule:ListenerRule")) == 2


def test_components_have_their_type_tokens(prod):
    assert {r.type for r in prod.resources if not r.custom} >= {
        "pulumi:pulumi:Stack", "fargate:network:Network", "fargate:lb:LoadBalancer",
        "fargate:ecs:Cluster", "fargate:ecs:FargateService"}


@pytest.mark.parametrize("stack", sorted(p.name.split(".")[1] for p in PROJECT.glob("Pulumi.*.yaml")))
def test_committed_stack_previews_with_no_mandatory_violation(stack):
    result = run(PROJECT, stack, preview=True)
    assert result.policy_pack, "the policy pack did not run"
    assert result.mandatory == [], [f"{v.policy}: {v.message}" for v in result.mandatory]
    # A preview of a new stack cannot know the ALB's DNS name yet.
    assert result.outputs["url"] is UNKNOWN
