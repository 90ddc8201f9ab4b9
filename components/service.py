"""FargateService: one service behind the shared ALB (walkthrough steps 4-8, 12, 14-22).

Reads top to bottom as the resources it makes: the image (when built from
source), log group, execution and task roles with the grants its args ask for
(its secrets, ECS Exec), task definition, the service's security group (open
only to the ALB, on the container port: step 22 done right from the start),
target group, listener rule, ECS service, and, when asked, its autoscaling.

The service's name names its container, task family, log group and target
group, and its listener rule's priority (unless given) is derived from its
routing and name, claimed on the load balancer's listener (see routing.py).
"""

from __future__ import annotations

from typing import NamedTuple, Optional

import pulumi
import pulumi_aws as aws

from .autoscaling import ServiceAutoscaling, ServiceAutoscalingArgs
from .aws_limits import ECS_TASKS_PRINCIPAL
from .iam import trust_policy
from .image import ContainerImage
from .naming import name_tag, qualified_name
from .service_args import FargateServiceArgs, PortMappingArgs, SidecarArgs, default_health_check
from .task_documents import container_definitions, exec_sessions_policy_document, execution_policy_document

__all__ = ["FargateService", "FargateServiceArgs", "PortMappingArgs", "SidecarArgs", "default_health_check"]


class _Roles(NamedTuple):
    execution_role: aws.iam.Role
    # The execution role's grants: the service waits for them before its first task.
    execution_policy: aws.iam.RolePolicy
    task_role: aws.iam.Role


class FargateService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    # The role the application's own AWS calls run as: grant it what the app needs.
    task_role_arn: pulumi.Output[str]
    # The image the main container runs: the given one, or the pushed build.
    image: pulumi.Output[str]
    # The priority its listener rule holds (given, or derived and claimed).
    listener_rule_priority: int
    container_image: Optional[ContainerImage] = None
    autoscaling: Optional[ServiceAutoscaling] = None

    def __init__(self, name: str, args: FargateServiceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate(name)
        # Claimed before anything is registered: a taken priority fails here.
        priority = args.load_balancer.listener_priorities.claim("FargateServiceArgs.routing", name, args.routing)
        super().__init__("fargate:ecs:FargateService", name, None, opts)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region

        image = self._image(name, args)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}",
            name=f"/ecs/{qualified_name(name)}",
            retention_in_days=args.log_retention_days,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        roles = self._roles(name, args, log_group.arn, account_id)
        task_definition = self._task_definition(name, args, roles, image, log_group.name, region)
        security_group = self._network_access(name, args)
        target_group, listener_rule = self._routing(name, args, priority)
        service = self._service(
            name,
            args,
            task_definition,
            security_group,
            target_group,
            # The target group must be attached to the ALB (through the rule)
            # before ECS registers tasks in it, and the execution role must be
            # able to pull, log and read secrets before the first task starts.
            depends_on=[listener_rule, roles.execution_policy, *args.depends_on],
        )
        if args.autoscaling is not None:
            self.autoscaling = ServiceAutoscaling(
                f"{name}",
                ServiceAutoscalingArgs(
                    scaling=args.autoscaling,
                    cluster_name=args.cluster_name,
                    service_name=service.name,
                    load_balancer_arn_suffix=args.load_balancer.arn_suffix,
                    target_group_arn_suffix=target_group.arn_suffix,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.service_name = service.name
        self.log_group_name = log_group.name
        self.target_group_arn = target_group.arn
        self.security_group_id = security_group.id
        self.task_role_arn = roles.task_role.arn
        self.image = image
        self.listener_rule_priority = priority
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "logGroupName": self.log_group_name,
                "targetGroupArn": self.target_group_arn,
                "image": self.image,
            }
        )

    def _image(self, name: str, args: FargateServiceArgs) -> pulumi.Output[str]:
        """The given image, or one built from source and pushed to the service's own repository."""
        if args.build is None:
            assert args.image is not None  # validate(): exactly one of image and build
            return pulumi.Output.from_input(args.image)
        self.container_image = ContainerImage(f"{name}", args.build, opts=pulumi.ResourceOptions(parent=self))
        return self.container_image.image_uri

    def _roles(
        self, name: str, args: FargateServiceArgs, log_group_arn: pulumi.Output[str], account_id: pulumi.Output[str]
    ) -> _Roles:
        """The execution role (what ECS does for the task) and the task role (what the app may do)."""
        child = pulumi.ResourceOptions(parent=self)
        qualified = qualified_name(name)
        # What ECS itself needs to start the task, and nothing else (no AWS-managed
        # policy: AmazonECSTaskExecutionRolePolicy would pull from every repository
        # and write to every log group of the account). AWS documents the confused-
        # deputy conditions for task roles only, so this trust stays unconditioned.
        execution_role = aws.iam.Role(
            f"{name}-execution",
            assume_role_policy=trust_policy(ECS_TASKS_PRINCIPAL),
            description=f"ECS task execution role of {qualified}: image pull, logs, secrets",
            tags=name_tag(name, "execution"),
            opts=child,
        )
        # The image built here pulls from the service's own repository; images
        # given by reference (main and sidecars) from the private ECR ones they name.
        built = [self.container_image.repository.arn] if self.container_image is not None else []
        referenced = [i for i in [args.image, *(s.image for s in args.sidecars.values())] if i is not None]
        execution_policy = aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution_role.id,
            policy=execution_policy_document(
                log_group_arn, built, referenced, list(args.secrets.values()), args.secrets_kms_key_arn
            ),
            opts=child,
        )
        # What the application's own AWS calls may do: nothing until granted.
        # Only tasks of this account may assume it (confused-deputy protection).
        task_role = aws.iam.Role(
            f"{name}-task",
            assume_role_policy=trust_policy(ECS_TASKS_PRINCIPAL, account_id),
            description=f"ECS task role of {qualified}: the application's own AWS permissions",
            tags=name_tag(name, "task"),
            opts=child,
        )
        if args.exec_command:
            aws.iam.RolePolicy(
                f"{name}-task-exec", role=task_role.id, policy=exec_sessions_policy_document(), opts=child
            )
        return _Roles(execution_role, execution_policy, task_role)

    def _task_definition(
        self,
        name: str,
        args: FargateServiceArgs,
        roles: _Roles,
        image: pulumi.Output[str],
        log_group_name: pulumi.Output[str],
        region: pulumi.Output[str],
    ) -> aws.ecs.TaskDefinition:
        return aws.ecs.TaskDefinition(
            f"{name}",
            family=qualified_name(name),
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu),
            memory=str(args.memory),
            execution_role_arn=roles.execution_role.arn,
            task_role_arn=roles.task_role.arn,
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX",
                cpu_architecture=args.cpu_architecture,
            ),
            # Secret environment values keep the whole document secret in the state.
            container_definitions=pulumi.Output.json_dumps(
                container_definitions(name, args, image, log_group_name, region)
            ),
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _network_access(self, name: str, args: FargateServiceArgs) -> aws.ec2.SecurityGroup:
        """The tasks' security group: in from the ALB on the container port, out anywhere."""
        child = pulumi.ResourceOptions(parent=self)
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
            (aws.vpc.SecurityGroupIngressRule, "from-alb", security_group.id, args.load_balancer.security_group_id),
            (aws.vpc.SecurityGroupEgressRule, "alb-to-tasks", args.load_balancer.security_group_id, security_group.id),
        ):
            rule(
                f"{name}-{suffix}",
                security_group_id=group,
                referenced_security_group_id=peer,
                ip_protocol="tcp",
                from_port=args.container_port,
                to_port=args.container_port,
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
        return security_group

    def _routing(
        self, name: str, args: FargateServiceArgs, priority: int
    ) -> tuple[aws.lb.TargetGroup, aws.lb.ListenerRule]:
        """The service's target group, and the listener rule that forwards its requests there."""
        child = pulumi.ResourceOptions(parent=self)
        target_group = aws.lb.TargetGroup(
            f"{name}",
            # awsvpc tasks register by IP address, never by instance.
            target_type="ip",
            port=args.container_port,
            protocol="HTTP",
            vpc_id=args.vpc_id,
            # AWS's 300 s default makes every deploy wait five minutes per task;
            # a minute is enough for in-flight HTTP requests to finish.
            deregistration_delay=60,
            health_check=args.health_check,
            tags=name_tag(name),
            opts=child,
        )
        routing = args.routing
        conditions = []
        if routing.path_patterns:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(routing.path_patterns)),
                )
            )
        if routing.host_headers:
            conditions.append(
                aws.lb.ListenerRuleConditionArgs(
                    host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=list(routing.host_headers)),
                )
            )
        listener_rule = aws.lb.ListenerRule(
            f"{name}",
            listener_arn=args.load_balancer.listener.arn,
            priority=priority,
            conditions=conditions,
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
            tags=name_tag(name),
            opts=child,
        )
        return target_group, listener_rule

    def _service(
        self,
        name: str,
        args: FargateServiceArgs,
        task_definition: aws.ecs.TaskDefinition,
        security_group: aws.ec2.SecurityGroup,
        target_group: aws.lb.TargetGroup,
        depends_on: list[pulumi.Resource],
    ) -> aws.ecs.Service:
        desired_count = args.desired_count
        ignore_changes: list[str] = []
        if args.autoscaling is not None:
            # Scaling owns the task count from here on: a later `pulumi up` must
            # not reset it, and the first count starts inside [minCount, maxCount].
            desired_count = args.autoscaling.clamp(desired_count)
            ignore_changes.append("desiredCount")
        strategies = list(args.capacity_provider_strategies)
        return aws.ecs.Service(
            f"{name}",
            cluster=args.cluster_arn,
            task_definition=task_definition.arn,
            desired_count=desired_count,
            # A capacity provider strategy replaces the launch type (ECS takes one or the other).
            launch_type=None if strategies else "FARGATE",
            capacity_provider_strategies=strategies or None,
            # ECS applies a changed strategy (and a switch from the launch type
            # to one) only with a new deployment, and the provider refuses to
            # plan such a change without this flag. It also redeploys on other
            # updates of the service, so only services with a strategy set it.
            force_new_deployment=True if strategies else None,
            platform_version="LATEST",
            enable_execute_command=args.exec_command,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.subnet_ids,
                security_groups=[security_group.id, *args.security_group_ids],
                assign_public_ip=args.assign_public_ip,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=target_group.arn,
                    container_name=name,
                    container_port=args.container_port,
                )
            ],
            health_check_grace_period_seconds=args.health_check_grace_period_seconds,
            deployment_circuit_breaker=args.deployment_circuit_breaker,
            deployment_minimum_healthy_percent=args.deployment_minimum_healthy_percent,
            deployment_maximum_percent=args.deployment_maximum_percent,
            # `pulumi up` finishes when the tasks are healthy behind the ALB, so
            # the url output works when it is printed.
            wait_for_steady_state=True,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on, ignore_changes=ignore_changes),
        )
