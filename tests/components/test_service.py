"""FargateService: task definition, roles, security group, target group, listener rule, ECS service."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.validate import ParamValidator

from components import RoutingArgs, derived_priority

from .conftest import SECRET, SECRET_KEY, SSM_PARAMETER, child, container_definitions, run_stack

SERVICE = "fargate:ecs:FargateService"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def part(result, service: str, type_token: str):
    return child(result, SERVICE, service, type_token)


def all_services(dev, prod, features):
    return [(dev, "web"), (prod, "web"), (prod, "api"), (features, "app"), (features, "admin")]


# --------------------------------------------------------------------------- task definition


@pytest.fixture(scope="module")
def register_task_definition():
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def as_register_request(task_definition) -> dict:
    """The RegisterTaskDefinition request the provider sends for these inputs."""
    inputs = task_definition.inputs
    request = {"containerDefinitions": container_definitions(task_definition)}
    for key in (
        "family",
        "taskRoleArn",
        "executionRoleArn",
        "networkMode",
        "requiresCompatibilities",
        "cpu",
        "memory",
        "runtimePlatform",
    ):
        request[key] = inputs[key]
    return request


def test_every_container_definition_is_a_valid_register_task_definition_request(
    dev, prod, features, production, register_task_definition
):
    for result, name in all_services(dev, prod, features) + [(production, "app"), (production, "edge")]:
        request = as_register_request(part(result, name, TASK_DEFINITION))
        report = ParamValidator().validate(request, register_task_definition)
        assert not report.has_errors(), report.generate_report()


def test_the_request_check_rejects_a_malformed_container(dev, register_task_definition):
    request = as_register_request(part(dev, "web", TASK_DEFINITION))
    request["containerDefinitions"][0]["portMappings"] = [{"containerPort": "80", "hostPort": 80}]
    request["containerDefinitions"][0]["essentail"] = True
    report = ParamValidator().validate(request, register_task_definition).generate_report()
    assert "containerPort" in report and "essentail" in report


def test_task_definition_is_fargate_awsvpc_with_the_configured_size(dev, features):
    for result, name, cpu, memory in ((dev, "web", "256", "512"), (features, "app", "1024", "4096")):
        task = part(result, name, TASK_DEFINITION)
        assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
        assert task.inputs["networkMode"] == "awsvpc"
        assert (task.inputs["cpu"], task.inputs["memory"]) == (cpu, memory)
        assert task.inputs["family"] == f"fargate-{result.stack}-{name}"


def test_main_container_logs_to_its_log_group_and_exposes_the_container_port(dev):
    task = part(dev, "web", TASK_DEFINITION)
    log_group = part(dev, "web", LOG_GROUP)
    (main,) = container_definitions(task)
    assert main["name"] == "web" and main["essential"] is True
    assert main["image"] == "public.ecr.aws/nginx/nginx:stable"
    assert main["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]
    assert main["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group.outputs["name"],
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "web",
        },
    }


def test_sidecars_environment_and_hardening_reach_the_containers(features):
    main, envoy, xray = container_definitions(part(features, "app", TASK_DEFINITION))
    assert main["environment"] == [{"name": "A_FIRST", "value": "1"}, {"name": "MODE", "value": "production"}]
    assert main["readonlyRootFilesystem"] is True and main["user"] == "1000:1000"
    assert (envoy["name"], envoy["cpu"], envoy["memory"], envoy["essential"]) == ("envoy", 256, 512, True)
    assert envoy["portMappings"] == [
        {"containerPort": 9901, "protocol": "tcp"},
        {"containerPort": 15000, "protocol": "udp"},
    ]
    assert envoy["environment"] == [{"name": "ENVOY_LOG_LEVEL", "value": "info"}]
    assert (xray["name"], xray["essential"], "memory" in xray) == ("xray", False, False)
    assert envoy["logConfiguration"] == main["logConfiguration"] == xray["logConfiguration"]


def test_log_group_keeps_logs_for_the_configured_days(dev, prod, features):
    for result, name, days in ((dev, "web", 7), (prod, "api", 90), (features, "app", 365), (features, "admin", 30)):
        log_group = part(result, name, LOG_GROUP)
        assert log_group.inputs["retentionInDays"] == days
        assert log_group.inputs["name"] == f"/ecs/fargate-{result.stack}-{name}"


# --------------------------------------------------------------------------- IAM


def trust(role) -> dict:
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    return statement


def test_execution_role_has_one_inline_policy_and_no_managed_policy(dev, prod, features, production):
    for result, name in all_services(dev, prod, features) + [(production, "app"), (production, "edge")]:
        execution = role_of(result, part(result, name, TASK_DEFINITION), "executionRoleArn")
        assert list(inline_policies(result, execution)) == [f"{name}-execution"]
        assert not execution.inputs.get("inlinePolicies") and not execution.inputs.get("managedPolicyArns")
        assert trust(execution) == {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    # No role of any stack carries an AWS-managed (or any attached) policy.
    for result in (dev, prod, features, production):
        assert result.of_type(ATTACHMENT) == []
        assert not [r for r in result.of_type(ROLE) if r.inputs.get("managedPolicyArns")]


def test_task_role_grants_nothing_and_only_this_accounts_tasks_assume_it(dev):
    task = part(dev, "web", TASK_DEFINITION)
    task_role = next(r for r in dev.of_type(ROLE) if r.outputs["arn"] == task.inputs["taskRoleArn"])
    assert task_role.outputs["arn"] != task.inputs["executionRoleArn"]
    assert not [a for a in dev.of_type(ATTACHMENT) if a.inputs["role"] == task_role.outputs["name"]]
    assert not task_role.inputs.get("inlinePolicies") and not task_role.inputs.get("managedPolicyArns")
    statement = trust(task_role)
    assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


# --------------------------------------------------------------------------- network path


def test_service_group_admits_only_the_alb_group_on_the_container_port(dev, features):
    for result, name, port in ((dev, "web", 80), (features, "app", 8080)):
        group = part(result, name, SECURITY_GROUP)
        alb_group = result.one(SECURITY_GROUP, "alb")
        (rule,) = [r for r in result.of_type(INGRESS) if r.inputs["securityGroupId"] == group.id]
        assert rule.inputs["referencedSecurityGroupId"] == alb_group.id
        assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", port, port)
        assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs


def test_alb_group_may_reach_each_service_on_its_port_only(features):
    alb_group = features.one(SECURITY_GROUP, "alb")
    egress = {
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"])
        for r in features.of_type(EGRESS)
        if r.inputs["securityGroupId"] == alb_group.id
    }
    assert egress == {
        (part(features, "app", SECURITY_GROUP).id, 8080, 8080),
        (part(features, "admin", SECURITY_GROUP).id, 80, 80),
    }


def test_target_group_registers_task_ips_on_the_container_port_with_the_health_check(dev, features):
    group = part(dev, "web", TARGET_GROUP)
    assert (group.inputs["targetType"], group.inputs["protocol"], group.inputs["port"]) == ("ip", "HTTP", 80)
    assert group.inputs["vpcId"] == dev.one("aws:ec2/vpc:Vpc").id
    check = group.inputs["healthCheck"]
    assert (
        check["path"],
        check["matcher"],
        check["interval"],
        check["timeout"],
        check["healthyThreshold"],
        check["unhealthyThreshold"],
    ) == ("/", "200-399", 30, 5, 3, 3)
    check = part(features, "app", TARGET_GROUP).inputs["healthCheck"]
    assert (check["path"], check["matcher"], check["interval"], check["timeout"]) == ("/healthz", "200", 15, 3)
    assert part(features, "app", TARGET_GROUP).inputs["port"] == 8080


def test_listener_rule_forwards_matching_requests_to_the_target_group(dev, prod, features):
    # With a certificate (prod) the rules sit on the HTTPS listener; HTTP only redirects.
    for result, name, conditions, priority, listener in (
        (dev, "web", [{"pathPattern": {"values": ["/*"]}}], 46258, "alb-http"),
        (prod, "api", [{"pathPattern": {"values": ["/api/*"]}}], 44099, "alb-https"),
        (prod, "web", [{"pathPattern": {"values": ["/*"]}}], 46258, "alb-https"),
        (
            features,
            "app",
            [{"pathPattern": {"values": ["/v1/*", "/v2/*"]}}, {"hostHeader": {"values": ["app.example.com"]}}],
            derived_priority("app", RoutingArgs(path_patterns=["/v1/*", "/v2/*"], host_headers=["app.example.com"])),
            "alb-http",
        ),
        (features, "admin", [{"pathPattern": {"values": ["/admin/*"]}}], 7, "alb-http"),
    ):
        rule = part(result, name, LISTENER_RULE)
        assert rule.inputs["listenerArn"] == result.one("aws:lb/listener:Listener", listener).outputs["arn"]
        assert rule.inputs["priority"] == priority
        assert rule.inputs["conditions"] == conditions
        groups = {
            r.name: r.outputs["arn"] for r in result.children(result.one(SERVICE, name).urn) if r.type == TARGET_GROUP
        }
        # prod's api deploys as a canary: its rule forwards to its group and the alternate one.
        expected = (
            {"type": "forward", "targetGroupArn": groups[name]}
            if len(groups) == 1
            else {
                "type": "forward",
                "forward": {
                    "targetGroups": [{"arn": groups[name], "weight": 100}, {"arn": groups[f"{name}-alt"], "weight": 0}]
                },
            }
        )
        assert rule.inputs["actions"] == [expected]


# --------------------------------------------------------------------------- ECS service


def test_ecs_service_runs_the_task_in_its_subnets_and_group_behind_the_target_group(dev, prod):
    # prod's web: its api has a second target group (test_deployment.py).
    for result, name, kind, public_ip in ((dev, "web", "public", True), (prod, "web", "private", False)):
        service = part(result, name, ECS_SERVICE)
        network = service.inputs["networkConfiguration"]
        assert sorted(network["subnets"]) == sorted(
            r.id for r in result.of_type("aws:ec2/subnet:Subnet") if r.name.startswith(f"network-{kind}-")
        )
        assert network["securityGroups"] == [part(result, name, SECURITY_GROUP).id]
        assert network["assignPublicIp"] is public_ip
        assert service.inputs["cluster"] == result.one("aws:ecs/cluster:Cluster").outputs["arn"]
        assert service.inputs["taskDefinition"] == part(result, name, TASK_DEFINITION).outputs["arn"]
        assert service.inputs["loadBalancers"] == [
            {
                "targetGroupArn": part(result, name, TARGET_GROUP).outputs["arn"],
                "containerName": name,
                "containerPort": 80,
            }
        ]


def test_ecs_service_deploys_safely_by_default(dev, prod):
    for result, name, count in ((dev, "web", 1), (prod, "api", 2)):
        service = part(result, name, ECS_SERVICE)
        assert (service.inputs["launchType"], service.inputs["platformVersion"]) == ("FARGATE", "LATEST")
        assert service.inputs["desiredCount"] == count
        assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
        assert service.inputs["deploymentMinimumHealthyPercent"] == 100
        assert service.inputs["deploymentMaximumPercent"] == 200
        assert service.inputs["healthCheckGracePeriodSeconds"] == 60


def test_ecs_service_waits_for_its_listener_rule_and_execution_policy(dev):
    service = part(dev, "web", ECS_SERVICE)
    assert part(dev, "web", LISTENER_RULE).urn in service.dependencies
    assert dev.one(ROLE_POLICY, "web-execution").urn in service.dependencies


def test_deployment_settings_come_from_config(features):
    service = part(features, "app", ECS_SERVICE)
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": False, "rollback": False}
    assert (service.inputs["deploymentMinimumHealthyPercent"], service.inputs["deploymentMaximumPercent"]) == (50, 150)
    assert service.inputs["healthCheckGracePeriodSeconds"] == 120


def test_autoscaling_owns_the_task_count_once_configured(features):
    service = part(features, "app", ECS_SERVICE)
    # desiredCount 5 clamped into [2, 4]; later `pulumi up` runs leave the scaled count alone.
    assert service.inputs["desiredCount"] == 4
    assert service.options["ignoreChanges"] == ["desiredCount"]
    scaling = features.one("fargate:autoscaling:ServiceAutoscaling", "app")
    assert scaling.parent == features.one(SERVICE, "app").urn
    assert not [r for r in features.of_type("fargate:autoscaling:ServiceAutoscaling") if r.name == "admin"]
    assert part(features, "admin", ECS_SERVICE).options["ignoreChanges"] == []


def test_every_service_resource_is_a_child_of_its_component(prod):
    for name in ("web", "api"):
        component = prod.one(SERVICE, name)
        kids = {r.type for r in prod.children(component.urn)}
        assert {
            TASK_DEFINITION,
            ECS_SERVICE,
            TARGET_GROUP,
            LISTENER_RULE,
            LOG_GROUP,
            ROLE,
            ROLE_POLICY,
            SECURITY_GROUP,
            INGRESS,
            EGRESS,
        } <= kids


def test_container_definitions_stay_secret_when_the_services_config_holds_a_secret(dev):
    from preflight.values import is_secret

    from .conftest import run_stack

    result = run_stack(
        services={
            "web": {
                "image": "public.ecr.aws/nginx/nginx:stable",
                "environment": {"GREETING": {"secure": "AAABAHkE9f0="}},
            }
        }
    )
    assert is_secret(part(result, "web", TASK_DEFINITION).wire_inputs["containerDefinitions"])
    assert not is_secret(part(dev, "web", TASK_DEFINITION).wire_inputs["containerDefinitions"])


# --------------------------------------------------------------------------- image built from source


def test_a_built_image_is_pushed_to_the_services_own_repository_and_runs_by_digest(production):
    image = production.one("awsx:ecr:Image", "app")
    repository = production.one("aws:ecr/repository:Repository", "app")
    component = production.one("fargate:image:ContainerImage", "app")
    assert component.parent == production.one(SERVICE, "app").urn
    assert image.inputs["repositoryUrl"] == repository.outputs["repositoryUrl"]
    assert (image.inputs["context"], image.inputs["dockerfile"]) == ("app", "app/Dockerfile")
    # No platform in the config: the build follows the service's architecture.
    assert image.inputs["platform"] == "linux/arm64"
    (main,) = container_definitions(part(production, "app", TASK_DEFINITION))
    assert main["image"] == image.outputs["imageUri"] == production.outputs["services"]["app"]["image"]
    assert "@sha256:" in main["image"]
    assert [r.name for r in production.of_type("awsx:ecr:Image")] == ["app"]


# --------------------------------------------------------------------------- runtime platform


def test_runtime_platform_follows_the_architecture(dev, prod, production):
    for result, name, cpu in (
        (dev, "web", "X86_64"),
        (prod, "web", "X86_64"),
        (prod, "api", "ARM64"),
        (production, "app", "ARM64"),
        (production, "edge", "X86_64"),
    ):
        assert part(result, name, TASK_DEFINITION).inputs["runtimePlatform"] == {
            "operatingSystemFamily": "LINUX",
            "cpuArchitecture": cpu,
        }


# --------------------------------------------------------------------------- secrets


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def role_of(result, task_definition, key):
    return next(r for r in result.of_type(ROLE) if r.outputs["arn"] == task_definition.inputs[key])


def inline_policies(result, role):
    return {p.name: json.loads(p.inputs["policy"]) for p in result.of_type(ROLE_POLICY) if p.inputs["role"] == role.id}


def test_secrets_reach_the_main_container_by_reference(prod, production):
    main, *_ = container_definitions(part(prod, "api", TASK_DEFINITION))
    assert main["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/fargate/prod/db-password"}
    ]
    assert not any(e["name"] == "DB_PASSWORD" for e in main["environment"])
    (main,) = container_definitions(part(production, "app", TASK_DEFINITION))
    assert main["secrets"] == [
        {"name": "API_TOKEN", "valueFrom": SECRET_KEY},
        {"name": "DB_PASSWORD", "valueFrom": SSM_PARAMETER},
        {"name": "SIGNING_KEY", "valueFrom": SECRET},
    ]
    web, *_ = container_definitions(part(prod, "web", TASK_DEFINITION))
    assert "secrets" not in web


LOGS = {"Sid": "WriteLogs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"]}
ECR_TOKEN = {
    "Sid": "GetEcrAuthorizationToken",
    "Effect": "Allow",
    "Action": "ecr:GetAuthorizationToken",
    "Resource": "*",
}
PULL = {
    "Sid": "PullImages",
    "Effect": "Allow",
    "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
}
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def execution_statements(result, name) -> list:
    execution = role_of(result, part(result, name, TASK_DEFINITION), "executionRoleArn")
    (document,) = inline_policies(result, execution).values()
    assert document["Version"] == "2012-10-17"
    return document["Statement"]


def own_logs(result, name) -> dict:
    """The WriteLogs statement on the service's own log group (``:*``: its streams)."""
    return {**LOGS, "Resource": part(result, name, LOG_GROUP).outputs["arn"] + ":*"}


def test_a_public_image_needs_only_its_own_log_group(dev, prod, features, production):
    # public.ecr.aws and Docker Hub images (sidecars too): no ECR grant, no token.
    for result, name in ((dev, "web"), (prod, "web"), (features, "app"), (features, "admin"), (production, "edge")):
        assert execution_statements(result, name) == [own_logs(result, name)]
    assert own_logs(dev, "web")["Resource"] == "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/fargate-dev-web:*"


def test_a_private_ecr_image_is_pulled_from_exactly_its_repositories():
    result = run_stack(
        services={
            "web": {
                "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/web:1.4",
                "sidecars": {
                    "agent": {"image": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/agents/log@sha256:" + "0" * 64},
                    "proxy": {"image": "public.ecr.aws/nginx/nginx:stable"},
                    "cache": {"image": "redis:7"},
                },
            }
        }
    )
    assert execution_statements(result, "web") == [
        own_logs(result, "web"),
        ECR_TOKEN,
        {
            **PULL,
            "Resource": [
                "arn:aws:ecr:eu-west-1:210987654321:repository/agents/log",
                "arn:aws:ecr:us-east-1:123456789012:repository/team/web",
            ],
        },
    ]


def test_a_built_image_is_pulled_from_the_services_own_repository_and_secrets_are_read_exactly(production):
    repository = production.one("aws:ecr/repository:Repository", "app")
    assert execution_statements(production, "app") == [
        own_logs(production, "app"),
        ECR_TOKEN,
        {**PULL, "Resource": [repository.outputs["arn"]]},
        {"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [SSM_PARAMETER]},
        # The JSON-key selector is ECS's; IAM grants on the secret (both secrets, each once).
        {
            "Sid": "ReadSecretsManagerSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:fargate/api-Zz99Yy", SECRET],
        },
    ]


def test_secrets_are_readable_exactly_and_need_no_kms_grant_with_aws_managed_keys(prod):
    assert execution_statements(prod, "api") == [
        own_logs(prod, "api"),
        {
            "Sid": "ReadSsmParameters",
            "Effect": "Allow",
            "Action": "ssm:GetParameters",
            "Resource": ["arn:aws:ssm:us-east-1:123456789012:parameter/fargate/prod/db-password"],
        },
    ]


def test_a_customer_managed_key_is_decryptable_only_through_the_secrets_services():
    result = run_stack(
        region="eu-west-1",
        services={
            "web": {
                "image": "public.ecr.aws/nginx/nginx:stable",
                "secrets": {"DB_PASSWORD": SSM_PARAMETER, "SIGNING_KEY": SECRET},
                "secretsKmsKeyArn": KMS_KEY,
            }
        },
    )
    assert execution_statements(result, "web") == [
        own_logs(result, "web"),
        {"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [SSM_PARAMETER]},
        {
            "Sid": "ReadSecretsManagerSecrets",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": [SECRET],
        },
        {
            "Sid": "DecryptSecrets",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": KMS_KEY,
            "Condition": {
                "StringEquals": {
                    "kms:ViaService": ["secretsmanager.eu-west-1.amazonaws.com", "ssm.eu-west-1.amazonaws.com"]
                }
            },
        },
    ]


def test_the_execution_policy_is_in_place_before_the_first_task_starts(prod, production):
    for result, name in ((prod, "web"), (prod, "api"), (production, "app")):
        grant = result.one(ROLE_POLICY, f"{name}-execution")
        assert grant.parent == result.one(SERVICE, name).urn
        assert grant.urn in part(result, name, ECS_SERVICE).dependencies
    assert not [p for p in prod.of_type(ROLE_POLICY) if p.name.endswith("-execution-secrets")]


def test_in_a_preview_the_policy_waits_for_the_log_group_and_repository_arns():
    from preflight import UNKNOWN

    from .conftest import PRODUCTION

    result = run_stack("production", preview=True, region="eu-west-1", **PRODUCTION)
    policy = result.one(ROLE_POLICY, "app-execution")
    assert policy.inputs["policy"] is UNKNOWN
    sources = {urn.rsplit("::", 1)[1] for urn in policy.property_dependencies["policy"]}
    assert sources == {"app"} and {
        r.type for r in result.resources if r.urn in policy.property_dependencies["policy"]
    } == {LOG_GROUP, "aws:ecr/repository:Repository"}


# --------------------------------------------------------------------------- ECS Exec


def test_exec_enables_execute_command_and_grants_the_task_role_only_the_ssmmessages_channels(dev, production):
    for result, name in ((dev, "web"), (production, "app")):
        assert part(result, name, ECS_SERVICE).inputs["enableExecuteCommand"] is True
        task_role = role_of(result, part(result, name, TASK_DEFINITION), "taskRoleArn")
        assert inline_policies(result, task_role) == {
            f"{name}-task-exec": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "EcsExecSessions",
                        "Effect": "Allow",
                        "Resource": "*",
                        "Action": [
                            "ssmmessages:CreateControlChannel",
                            "ssmmessages:CreateDataChannel",
                            "ssmmessages:OpenControlChannel",
                            "ssmmessages:OpenDataChannel",
                        ],
                    }
                ],
            }
        }


def test_without_exec_the_task_role_stays_empty(prod, production):
    for result, name in ((prod, "web"), (prod, "api"), (production, "edge")):
        assert part(result, name, ECS_SERVICE).inputs["enableExecuteCommand"] is False
        task_role = role_of(result, part(result, name, TASK_DEFINITION), "taskRoleArn")
        assert inline_policies(result, task_role) == {}


# --------------------------------------------------------------------------- capacity providers


def test_capacity_providers_replace_the_launch_type_with_a_strategy(prod, production, default_vpc):
    for result, name, strategy in (
        (
            prod,
            "web",
            [
                {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1},
            ],
        ),
        (
            production,
            "edge",
            [
                {"capacityProvider": "FARGATE", "base": 1, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 4},
            ],
        ),
        (default_vpc, "web", [{"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}]),
    ):
        service = part(result, name, ECS_SERVICE)
        assert service.inputs["capacityProviderStrategies"] == strategy
        assert "launchType" not in service.inputs
        assert service.inputs["platformVersion"] == "LATEST"
        # pulumi-aws refuses any later change of the strategy (a weight, a base,
        # Spot added) unless the service forces a new deployment (see the SDK's
        # capacity_provider_strategies doc); AWS itself requires it too.
        assert service.inputs["forceNewDeployment"] is True
        # ECS refuses a strategy naming a provider the cluster does not have yet.
        assert result.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").urn in service.dependencies


def test_services_without_capacity_providers_keep_launch_type_fargate(dev, prod, production):
    for result, name in ((dev, "web"), (prod, "api"), (production, "app")):
        service = part(result, name, ECS_SERVICE)
        assert service.inputs["launchType"] == "FARGATE"
        assert "capacityProviderStrategies" not in service.inputs
        # Only a strategy needs it: elsewhere every service update would redeploy.
        assert "forceNewDeployment" not in service.inputs


# --------------------------------------------------------------------------- VPC endpoints


def test_private_tasks_wear_the_endpoint_client_group_and_start_after_the_endpoints(production, existing):
    for result, name in ((production, "app"), (existing, "web")):
        service = part(result, name, ECS_SERVICE)
        clients = result.one(SECURITY_GROUP, "vpce-clients")
        assert service.inputs["networkConfiguration"]["securityGroups"] == [
            part(result, name, SECURITY_GROUP).id,
            clients.id,
        ]
        endpoints = [r.urn for r in result.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")]
        assert endpoints and set(endpoints) <= set(service.dependencies)


def test_public_tasks_neither_wear_the_client_group_nor_wait_for_endpoints(production):
    service = part(production, "edge", ECS_SERVICE)
    assert service.inputs["networkConfiguration"]["securityGroups"] == [part(production, "edge", SECURITY_GROUP).id]
    assert service.inputs["networkConfiguration"]["assignPublicIp"] is True
    endpoints = {r.urn for r in production.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert not endpoints & set(service.dependencies)
