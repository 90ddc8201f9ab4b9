"""FargateService: one configured service behind the shared ALB (walkthrough steps 4-8, 12, 14-22).

Reads top to bottom as the resources it makes: the image (when built from
source), log group, execution and task roles with the grants the config asks
for (its secrets, ECS Exec), task definition, the service's security group
(open only to the ALB, on the container port: step 22 done right from the
start), target group, listener rule, ECS service, and, when configured, its
autoscaling.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import pulumi
import pulumi_aws as aws

from . import name_tag
from .autoscaling import ServiceAutoscaling, ServiceAutoscalingArgs
from .config.stack import ServiceConfig, SidecarConfig
from .image import ContainerImage, ContainerImageArgs

ECS_TASKS = "ecs-tasks.amazonaws.com"
# What the SSM agent that ECS Exec runs in the container needs, and no more;
# these actions take no resource ARNs.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions
ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]


@dataclass
class FargateServiceArgs:
    config: ServiceConfig
    cluster_arn: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    # The network's public or private subnets, as config.subnets says.
    subnet_ids: pulumi.Input[list[str]]
    listener_arn: pulumi.Input[str]
    listener_rule_priority: int
    load_balancer_security_group_id: pulumi.Input[str]
    load_balancer_arn_suffix: pulumi.Input[str]
    # The service's config holds a secret (`secure:` environment values):
    # its container definitions are kept secret in the state.
    secret: bool = False
    # More security groups for the tasks, e.g. the VPC endpoints' client group.
    security_group_ids: Sequence[pulumi.Input[str]] = ()
    # What must exist before the first task starts: VPC endpoints the tasks
    # pull through, the cluster's capacity providers.
    depends_on: Sequence[pulumi.Resource] = ()


class FargateService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    task_role_arn: pulumi.Output[str]
    # The image the main container runs: the configured one, or the pushed build.
    image: pulumi.Output[str]
    container_image: Optional[ContainerImage] = None
    autoscaling: Optional[ServiceAutoscaling] = None

    def __init__(self, name: str, args: FargateServiceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:ecs:FargateService", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        qualified = _qualified_name(name)

        if config.build is not None:
            self.container_image = ContainerImage(f"{name}", ContainerImageArgs(build=config.build), opts=child)
            image = self.container_image.image_uri
        else:
            image = pulumi.Output.from_input(config.image)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}",
            name=f"/ecs/{qualified}",
            retention_in_days=config.log_retention_days,
            tags=name_tag(name),
            opts=child,
        )

        # What ECS itself needs to start the task, and nothing else (no AWS-managed
        # policy: AmazonECSTaskExecutionRolePolicy would pull from every repository
        # and write to every log group of the account). AWS documents the confused-
        # deputy conditions for task roles only, so this trust stays unconditioned.
        execution_role = aws.iam.Role(
            f"{name}-execution",
            assume_role_policy=_ecs_tasks_trust_policy(),
            description=f"ECS task execution role of {qualified}: image pull, logs, secrets",
            tags=name_tag(name, "execution"),
            opts=child,
        )
        repositories: list[pulumi.Input[str]] = list(config.ecr_repository_arns)
        if self.container_image is not None:
            repositories.insert(0, self.container_image.repository.arn)
        execution_policy = aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution_role.id,
            policy=execution_policy_document(config, log_group.arn, repositories),
            opts=child,
        )
        # What the application's own AWS calls may do: nothing until granted.
        # Only tasks of this account may assume it (confused-deputy protection).
        task_role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=_ecs_tasks_trust_policy(account_id),
            description=f"ECS task role of {qualified}: the application's own AWS permissions",
            tags=name_tag(name, "task"),
            opts=child,
        )
        if config.exec_command:
            aws.iam.RolePolicy(
                f"{name}-task-exec",
                role=task_role.id,
                policy=json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Sid": "EcsExecSessions", "Effect": "Allow", "Action": ECS_EXEC_ACTIONS, "Resource": "*"},
                ]}),
                opts=child,
            )

        task_definition = aws.ecs.TaskDefinition(
            f"{name}",
            family=qualified,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(config.cpu),
            memory=str(config.memory),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=config.cpu_architecture,
            ),
            container_definitions=_maybe_secret(args.secret, pulumi.Output.json_dumps(
                container_definitions(name, config, image, log_group.name, region)
            )),
            tags=name_tag(name),
            opts=child,
        )

        security_group = aws.ec2.SecurityGroup(
            f"{name}",
            vpc_id=args.vpc_id,
            description="Fargate tasks: reachable only from the load balancer on the container port",
            tags=name_tag(name, "tasks"),
            opts=child,
        )
        # The ALB-to-task path, opened on both ends and nowhere else: the tasks'
        # group admits the ALB's group, and the ALB's group (which has no egress
        # of its own) may reach this service's tasks, each on the container port.
        for rule, suffix, group, peer in (
            (aws.vpc.SecurityGroupIngressRule, "from-alb", security_group.id, args.load_balancer_security_group_id),
            (aws.vpc.SecurityGroupEgressRule, "alb-to-tasks", args.load_balancer_security_group_id, security_group.id),
        ):
            rule(
                f"{name}-{suffix}",
                security_group_id=group,
                referenced_security_group_id=peer,
                ip_protocol="tcp",
                from_port=config.container_port,
                to_port=config.container_port,
                description=f"Load balancer to the {name} tasks on the container port",
                tags=name_tag(name, suffix),
                opts=child,
            )
        # Tasks call out freely: image registries, CloudWatch Logs and whatever
        # the application talks to. Nothing can call in except the ALB.
        # (EC2 refuses an apostrophe, among others, in rule descriptions.)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-outbound",
            security_group_id=security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Outbound: image pulls, logs, calls of the application",
            tags=name_tag(name, "outbound"),
            opts=child,
        )

        health = config.health_check
        target_group = aws.lb.TargetGroup(
            f"{name}",
            # awsvpc tasks register by IP address, never by instance.
            target_type="ip",
            port=config.container_port,
            protocol="HTTP",
            vpc_id=args.vpc_id,
            # AWS's 300 s default makes every deploy wait five minutes per task;
            # a minute is enough for in-flight HTTP requests to finish.
            deregistration_delay=60,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTP",
                port="traffic-port",
                path=health.path,
                matcher=health.matcher,
                interval=health.interval_seconds,
                timeout=health.timeout_seconds,
                healthy_threshold=health.healthy_threshold,
                unhealthy_threshold=health.unhealthy_threshold,
            ),
            tags=name_tag(name),
            opts=child,
        )

        routing = config.routing
        conditions = [aws.lb.ListenerRuleConditionArgs(
            path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(routing.path_patterns)),
        )] if routing.path_patterns else []
        if routing.host_headers:
            conditions.append(aws.lb.ListenerRuleConditionArgs(
                host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(routing.host_headers)),
            ))
        listener_rule = aws.lb.ListenerRule(
            f"{name}",
            listener_arn=args.listener_arn,
            priority=args.listener_rule_priority,
            conditions=conditions,
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=name_tag(name),
            opts=child,
        )

        desired_count = config.desired_count
        ignore_changes: list[str] = []
        if config.autoscaling is not None:
            # Scaling owns the task count from here on: a later `pulumi up` must
            # not reset it, and the first count starts inside [minCount, maxCount].
            desired_count = config.autoscaling.clamp(desired_count)
            ignore_changes.append("desiredCount")
        deployment = config.deployment
        service = aws.ecs.Service(
            f"{name}",
            cluster=args.cluster_arn,
            task_definition=task_definition.arn,
            desired_count=desired_count,
            # A capacity provider strategy replaces the launch type (ECS takes one or the other).
            launch_type=None if config.capacity_providers else "FARGATE",
            capacity_provider_strategies=[
                aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider=provider, base=base, weight=weight)
                for provider, base, weight in config.capacity_providers.strategy()
            ] if config.capacity_providers else None,
            # ECS applies a changed strategy (and a switch from the launch type
            # to one) only with a new deployment, and the provider refuses to
            # plan such a change without this flag. It also redeploys on other
            # updates of the service, so only services with a strategy set it.
            force_new_deployment=True if config.capacity_providers else None,
            platform_version="LATEST",
            enable_execute_command=config.exec_command,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.subnet_ids,
                security_groups=[security_group.id, *args.security_group_ids],
                assign_public_ip=config.assign_public_ip,
            ),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group.arn,
                container_name=name,
                container_port=config.container_port,
            )],
            health_check_grace_period_seconds=health.grace_period_seconds,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=deployment.circuit_breaker, rollback=deployment.circuit_breaker,
            ),
            deployment_minimum_healthy_percent=deployment.minimum_healthy_percent,
            deployment_maximum_percent=deployment.maximum_percent,
            # `pulumi up` finishes when the tasks are healthy behind the ALB, so
            # the url output works when it is printed.
            wait_for_steady_state=True,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            tags=name_tag(name),
            # The target group must be attached to the ALB (through the rule)
            # before ECS registers tasks in it, and the execution role must be
            # able to pull, log and read secrets before the first task starts.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[listener_rule, execution_policy, *args.depends_on],
                ignore_changes=ignore_changes,
            ),
        )

        if config.autoscaling is not None:
            self.autoscaling = ServiceAutoscaling(
                f"{name}",
                ServiceAutoscalingArgs(
                    config=config.autoscaling,
                    cluster_name=args.cluster_name,
                    service_name=service.name,
                    load_balancer_arn_suffix=args.load_balancer_arn_suffix,
                    target_group_arn_suffix=target_group.arn_suffix,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.service_name = service.name
        self.log_group_name = log_group.name
        self.target_group_arn = target_group.arn
        self.security_group_id = security_group.id
        self.task_role_arn = task_role.arn
        self.image = image
        self.register_outputs({
            "serviceName": self.service_name,
            "logGroupName": self.log_group_name,
            "targetGroupArn": self.target_group_arn,
            "image": self.image,
        })


def _qualified_name(name: str) -> str:
    """``<project>-<stack>-<service>``, in the characters task families allow."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{pulumi.get_project()}-{pulumi.get_stack()}-{name}")


def _maybe_secret(secret: bool, value: pulumi.Output[str]) -> pulumi.Output[str]:
    return pulumi.Output.secret(value) if secret else value


def _ecs_tasks_trust_policy(account_id: Optional[pulumi.Input[str]] = None) -> pulumi.Output[str]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": ECS_TASKS},
        "Action": "sts:AssumeRole",
    }
    if account_id is not None:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [statement]})


def execution_policy_document(
    config: ServiceConfig, log_group_arn: pulumi.Input[str], repositories: Sequence[pulumi.Input[str]],
) -> pulumi.Output[str]:
    """The execution role's one inline policy: what ECS does on the task's behalf before
    and while it runs, each statement on exactly its resources, always in this order.

    - ``WriteLogs``: the awslogs driver creates a stream per container and puts events
      in it (``log-group:<name>:*``, the grant CDK's AwsLogDriver makes).
    - ``PullImages`` and ``GetEcrAuthorizationToken``, only with an image in ECR (built
      here, or a private ECR image by URI): the layers of exactly those repositories,
      and the registry token, which IAM grants on ``*`` only.
    - ``ReadSsmParameters`` / ``ReadSecretsManagerSecrets``: exactly the configured secrets.
    - ``DecryptSecrets``, only with ``secretsKmsKeyArn``: that key, through SSM and
      Secrets Manager only (the AWS managed keys need no grant).
    """
    statements: list[Any] = [{
        "Sid": "WriteLogs", "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": pulumi.Output.concat(log_group_arn, ":*"),
    }]
    if repositories:
        statements.append({"Sid": "GetEcrAuthorizationToken", "Effect": "Allow",
                           "Action": "ecr:GetAuthorizationToken", "Resource": "*"})
        statements.append({"Sid": "PullImages", "Effect": "Allow",
                           "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                                      "ecr:BatchGetImage"],
                           "Resource": list(repositories)})
    if config.ssm_parameter_arns:
        statements.append({"Sid": "ReadSsmParameters", "Effect": "Allow",
                           "Action": "ssm:GetParameters", "Resource": config.ssm_parameter_arns})
    if config.secrets_manager_arns:
        statements.append({"Sid": "ReadSecretsManagerSecrets", "Effect": "Allow",
                           "Action": "secretsmanager:GetSecretValue", "Resource": config.secrets_manager_arns})
    if config.secrets_kms_key_arn is not None:
        statements.append({"Sid": "DecryptSecrets", "Effect": "Allow",
                           "Action": "kms:Decrypt", "Resource": config.secrets_kms_key_arn,
                           "Condition": {"StringEquals": {"kms:ViaService": config.secrets_services}}})
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def container_definitions(
    name: str, config: ServiceConfig, image: pulumi.Input[str],
    log_group_name: pulumi.Input[str], region: pulumi.Input[str],
) -> list[dict[str, Any]]:
    """The task's containers as ECS's RegisterTaskDefinition takes them.

    The main container is named after the service (the target group routes to
    it); sidecars follow. All log to the service's log group, one stream per
    container (ECS appends the container name to the prefix).
    """
    logging = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": name,
        },
    }
    main = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": config.container_port, "protocol": "tcp"}],
        "environment": _environment(config.environment),
        "readonlyRootFilesystem": config.readonly_root_filesystem,
        "logConfiguration": logging,
    }
    if config.secrets:
        main["secrets"] = [{"name": key, "valueFrom": arn} for key, arn in sorted(config.secrets.items())]
    if config.user is not None:
        main["user"] = config.user
    return [main] + [_sidecar(sidecar_name, sidecar, logging) for sidecar_name, sidecar in config.sidecars.items()]


def _sidecar(name: str, sidecar: SidecarConfig, logging: dict[str, Any]) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "image": sidecar.image,
        "essential": sidecar.essential,
        "cpu": sidecar.cpu,
        "portMappings": [{"containerPort": p.container_port, "protocol": p.protocol} for p in sidecar.port_mappings],
        "environment": _environment(sidecar.environment),
        "logConfiguration": logging,
    }
    if sidecar.memory is not None:
        definition["memory"] = sidecar.memory
    return definition


def _environment(variables: dict[str, str]) -> list[dict[str, str]]:
    # Sorted, so reordering keys in YAML is not a new task definition revision.
    return [{"name": key, "value": value} for key, value in sorted(variables.items())]
