"""Deployment strategies: ECS's deploymentConfiguration, the alternate target group, the
production listener rule and the role ECS shifts traffic with, all wired to each other."""

from __future__ import annotations

import json

import pytest

from components import ArgsError
from components.deployment import DESCRIBE_ACTIONS, DeploymentStrategyArgs

from .conftest import child, run_stack

SERVICE = "fargate:ecs:FargateService"
ECS_SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
NGINX = "public.ecr.aws/nginx/nginx:stable"


def _services(**deployments):
    return {
        name: {"image": NGINX, "routing": {"pathPatterns": [f"/{name}/*"]}, "deployment": deployment}
        for name, deployment in deployments.items()
    }


@pytest.fixture(scope="module")
def strategies():
    return run_stack(
        services=_services(
            rolled={},
            green={"strategy": "blueGreen", "bakeTimeMinutes": 30},
            canary={"strategy": "canary", "canaryPercent": 2.5, "canaryBakeMinutes": 15},
            linear={"strategy": "linear", "stepPercent": 25, "stepBakeMinutes": 3},
        )
    )


def _under(result, service, type_token):
    parent = result.one(SERVICE, service)
    return [r for r in result.children(parent.urn) if r.type == type_token]


def test_rolling_service_has_one_target_group_no_role_and_no_strategy(strategies):
    assert [tg.name for tg in _under(strategies, "rolled", TARGET_GROUP)] == ["rolled"]
    assert [role.name for role in _under(strategies, "rolled", ROLE)] == ["rolled-execution", "rolled-task"]
    service = child(strategies, SERVICE, "rolled", ECS_SERVICE)
    assert "deploymentConfiguration" not in service.inputs
    assert "advancedConfiguration" not in service.inputs["loadBalancers"][0]
    rule = child(strategies, SERVICE, "rolled", LISTENER_RULE)
    assert rule.inputs["actions"][0]["targetGroupArn"] == service.inputs["loadBalancers"][0]["targetGroupArn"]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("green", {"strategy": "BLUE_GREEN", "bakeTimeInMinutes": "30"}),
        (
            "canary",
            {
                "strategy": "CANARY",
                "bakeTimeInMinutes": "10",
                "canaryConfiguration": {"canaryPercent": 2.5, "canaryBakeTimeInMinutes": "15"},
            },
        ),
        (
            "linear",
            {
                "strategy": "LINEAR",
                "bakeTimeInMinutes": "10",
                "linearConfiguration": {"stepPercent": 25, "stepBakeTimeInMinutes": "3"},
            },
        ),
    ],
)
def test_strategy_reaches_the_services_deployment_configuration(strategies, service, expected):
    assert child(strategies, SERVICE, service, ECS_SERVICE).inputs["deploymentConfiguration"] == expected


@pytest.mark.parametrize("service", ["green", "canary", "linear"])
def test_alternate_target_group_and_production_rule_are_the_services_own(strategies, service):
    groups = {tg.name: tg for tg in _under(strategies, service, TARGET_GROUP)}
    assert set(groups) == {service, f"{service}-alt"}
    primary, alternate = groups[service], groups[f"{service}-alt"]
    # The alternate group is the primary's twin: ip targets, same port, health check and drain.
    for key in ("targetType", "port", "protocol", "healthCheck", "deregistrationDelay", "vpcId"):
        assert alternate.inputs[key] == primary.inputs[key], key
    rule = child(strategies, SERVICE, service, LISTENER_RULE)
    balancer = child(strategies, SERVICE, service, ECS_SERVICE).inputs["loadBalancers"][0]
    advanced = balancer["advancedConfiguration"]
    assert balancer["targetGroupArn"] == primary.outputs["arn"]
    assert advanced["alternateTargetGroupArn"] == alternate.outputs["arn"]
    assert advanced["productionListenerRule"] == rule.outputs["arn"]
    role = next(r for r in _under(strategies, service, ROLE) if r.name == f"{service}-deployments")
    assert advanced["roleArn"] == role.outputs["arn"]
    # The rule forwards to both groups, all traffic on the primary; ECS moves the weights afterwards.
    forward = rule.inputs["actions"][0]["forward"]["targetGroups"]
    assert forward == [{"arn": primary.outputs["arn"], "weight": 100}, {"arn": alternate.outputs["arn"], "weight": 0}]
    assert rule.options.get("ignoreChanges") == ["actions"]


@pytest.mark.parametrize("service", ["green", "canary"])
def test_deployment_role_moves_only_this_rule_and_these_target_groups(strategies, service):
    role = next(r for r in _under(strategies, service, ROLE) if r.name == f"{service}-deployments")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "ecs.amazonaws.com"}]
    grant = next(p for p in _under(strategies, service, ROLE_POLICY) if p.name == f"{service}-deployments")
    assert grant.inputs["role"] == role.outputs["id"]
    statements = {s["Sid"]: s for s in json.loads(grant.inputs["policy"])["Statement"]}
    groups = {tg.name: tg.outputs["arn"] for tg in _under(strategies, service, TARGET_GROUP)}
    rule = child(strategies, SERVICE, service, LISTENER_RULE)
    assert statements["ShiftProductionRule"]["Action"] == ["elasticloadbalancing:ModifyRule"]
    assert statements["ShiftProductionRule"]["Resource"] == [rule.outputs["arn"]]
    assert statements["MoveTargets"]["Resource"] == [groups[service], groups[f"{service}-alt"]]
    # Describe calls take no resource in IAM: the only "*", and read-only.
    assert statements["ReadLoadBalancing"] == {
        "Sid": "ReadLoadBalancing",
        "Effect": "Allow",
        "Action": DESCRIBE_ACTIONS,
        "Resource": "*",
    }
    assert all(action.split(":")[1].startswith("Describe") for action in DESCRIBE_ACTIONS)
    # The service waits for the grant: ECS assumes the role at its first deployment.
    service_resource = child(strategies, SERVICE, service, ECS_SERVICE)
    assert grant.urn in service_resource.dependencies


def test_committed_stacks_keep_rolling_and_their_resources(dev):
    services = dev.of_type(ECS_SERVICE)
    assert services and all("deploymentConfiguration" not in s.inputs for s in services)
    assert not [tg for tg in dev.of_type(TARGET_GROUP) if tg.name.endswith("-alt")]


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        (dict(strategy="CANARY", canary_percent=0.05), "canary_percent"),
        (dict(strategy="LINEAR", step_percent=2), "step_percent"),
        (dict(strategy="BLUE_GREEN", bake_time_minutes=1441), "bake_time_minutes"),
        (dict(strategy="ROLLING"), "strategy"),
    ],
)
def test_strategy_args_out_of_ecs_ranges_are_refused(args, arg):
    with pytest.raises(ArgsError, match=f"X.{arg}"):
        DeploymentStrategyArgs(**args).validate("X")


def test_request_tracking_and_long_names_are_refused_with_a_strategy_from_python_too():
    from components import AutoscalingArgs, FargateServiceArgs

    def service(**changes):
        return FargateServiceArgs(
            cluster_arn="c",
            cluster_name="c",
            vpc_id="v",
            subnet_ids=[],
            load_balancer=None,  # validate() reads no load balancer
            image="nginx",
            deployment_strategy=DeploymentStrategyArgs(strategy="CANARY"),
            **changes,
        )

    scaling = AutoscalingArgs(min_count=1, max_count=3, requests_per_target=100)
    with pytest.raises(ArgsError, match=r"FargateServiceArgs.autoscaling.requests_per_target: 100 "):
        service(autoscaling=scaling).validate("web")
    with pytest.raises(ArgsError, match="at most 20 characters with deployment_strategy"):
        service().validate("x" * 21)
    service(autoscaling=AutoscalingArgs(min_count=1, max_count=3, cpu_target=60)).validate("web")
