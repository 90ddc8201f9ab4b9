"""ECS Express Mode (`aws.ecs.ExpressGatewayService`): judged by the rules that read its inputs,
task size, secrets in its environment, its task role, its subnets and its tasks' security groups."""

import pytest

from .conftest import MODES, messages

EXPRESS_RULES = [
    "fargate-task-size",
    "ecs-no-plaintext-secrets",
    "iam-no-admin-task-role",
    "fargate-min-two-subnets",
    "ecs-no-public-task-ingress",
]


@pytest.mark.parametrize("preview", MODES)
def test_each_fault_of_an_express_service_is_found_by_the_rule_that_owns_it(judge, preview):
    result = judge("express_mode", "violating", preview=preview)
    found = {rule: messages(result, rule) for rule in EXPRESS_RULES}
    assert found == {
        "fargate-task-size": {
            "ExpressGatewayService:odd-cpu": [
                "Express service cpu '768' is not offered; use one of 256, 512, 1024, 2048, 4096."
            ],
            "ExpressGatewayService:big-memory": [
                "Express service memory '4096' is not valid with cpu 256; use 512, 1024, 2048 MiB."
            ],
        },
        "ecs-no-plaintext-secrets": {
            "ExpressGatewayService:leaky": [
                "Container 'primaryContainer' sets environment variable 'DB_PASSWORD' (named like a secret: "
                "PASSWORD) to a literal value; pass it through `secrets` (valueFrom a Secrets Manager secret "
                "or SSM parameter)."
            ],
            "ExpressGatewayService:leaky-secret": [
                "Container 'primaryContainer' sets environment variable 'SETTING' to a Pulumi secret, which ECS "
                "stores and shows in plain text; pass it through `secrets` (valueFrom a Secrets Manager secret or "
                "SSM parameter) instead."
            ],
        },
        "iam-no-admin-task-role": {
            "Role:admin": [
                "Role 'admin', which ECS tasks run with: role 'admin' managedPolicyArns attaches AdministratorAccess."
            ]
        },
        "fargate-min-two-subnets": {
            "ExpressGatewayService:one-subnet": [
                "Express service 'one-subnet' uses 1 subnet(s); use at least 2, in different availability zones."
            ]
        },
        "ecs-no-public-task-ingress": {
            "SecurityGroup:open-tasks": [
                "Security group 'open-tasks' of service(s) 'open' admits the internet (0.0.0.0/0) through its "
                "inline ingress; admit the load balancer's security group instead."
            ]
        },
    }
    assert {v.enforcement_level for v in result.violations if v.policy in EXPRESS_RULES} == {"mandatory"}


@pytest.mark.parametrize("preview", MODES)
def test_express_services_sized_and_wired_as_ecs_allows_pass(judge, preview):
    """`shop` (512/1024, a secret from Secrets Manager, a DB_PASSWORD_FILE path, two subnets, tasks
    admitting the VPC) and `defaults` (ECS's 1024/2048, its default network) break no rule."""
    result = judge("express_mode", "compliant", preview=preview)
    assert [(v.policy, v.urn) for v in result.violations if v.enforcement_level == "mandatory"] == []
    express = result.one("aws:ecs/expressGatewayService:ExpressGatewayService", "shop")
    assert express.inputs["primaryContainer"]["environments"][0] == {"name": "LOG_LEVEL", "value": "info"}
