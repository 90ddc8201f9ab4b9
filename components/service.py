"""FargateService: one service behind the shared ALB (walkthrough steps 4-8, 12, 14-22).

Reads top to bottom as the resources it makes: the image (when built from
source), log group, execution and task roles with the grants its args ask for
(its secrets, ECS Exec), task definition, the service's security group (open
only to the ALB, on the container port: step 22 done right from the start),
target group (with a blue/green, canary or linear strategy, its twin and the
role ECS shifts the listener rule's traffic with: deployment.py), listener
rule, ECS service, its alarms (alarms.py), and, when asked, its autoscaling.

The service's name names its container, task family, log group and target
group, and its listener rule's priority (unless given) is derived from its
routing and name, claimed on the load balancer's listener (see routing.py).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple, Optional

import pulumi
import pulumi_aws as aws

from .alarms import ServiceAlarms, ServiceAlarmsArgs
from .autoscaling import ServiceAutoscaling, ServiceAutoscalingArgs
from .aws_limits import ECS_TASKS_PRINCIPAL
from .container_args import ContainerHealthCheckArgs, EfsVolumeArgs, VolumeArgs
from .deployment import ECS_PRINCIPAL, deployment_role_policy
from .iam import policy, trust_policy
from .image import ContainerImage
from .job import ScheduledJob, ScheduledJobArgs
from .naming import name_tag, qualified_name
from .service_args import FargateServiceArgs, PortMappingArgs, SidecarArgs, default_health_check
from .task_documents import (
    container_definitions,
    efs_policy_document,
    exec_sessions_policy_document,
    execution_policy_document,
)
from .worker import QueueBacklogScaling, QueueBacklogScalingArgs, WorkerQueue, consume_statement

__all__ = [
    "ContainerHealthCheckArgs",
    "EfsVolumeArgs",
    "FargateService",
    "FargateServiceArgs",
    "PortMappingArgs",
    "SidecarArgs",
    "VolumeArgs",
    "default_health_check",
]


class _TrafficShift(NamedTuple):
    """What a blue/green, canary or linear deployment adds: the second target group, and the
    role (with its grant) ECS shifts the production rule's traffic with."""

    alternate_target_group: aws.lb.TargetGroup
    production_rule: aws.lb.ListenerRule
    role: aws.iam.Role
    role_policy: aws.iam.RolePolicy


class _Routing(NamedTuple):
    """What puts a service behind the ALB; all None for a backend, worker or job."""

    target_group: Optional[aws.lb.TargetGroup]
    listener_rule: Optional[aws.lb.ListenerRule]
    alternate: Optional[aws.lb.TargetGroup]
    shift: Optional[_TrafficShift]


class _Roles(NamedTuple):
    execution_role: aws.iam.Role
    # The execution role's grants: the service waits for them before its first task.
    execution_policy: aws.iam.RolePolicy
    task_role: aws.iam.Role


class FargateService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    # None when not behind the load balancer (a backend, worker or job).
    target_group_arn: Optional[pulumi.Output[str]]
    security_group_id: pulumi.Output[str]
    # The role the application's own AWS calls run as: grant it what the app needs.
    task_role_arn: pulumi.Output[str]
    # The image the main container runs: the given one, or the pushed build.
    image: pulumi.Output[str]
    # The priority its listener rule holds (given, or derived and claimed); 0 without a load balancer.
    listener_rule_priority: int
    # The ALB dimension of the service's target groups (one; two with a traffic-shifting strategy).
    target_group_arn_suffixes: list[pulumi.Output[str]]
    # The second target group of a blue/green, canary or linear service.
    alternate_target_group_arn: Optional[pulumi.Output[str]] = None
    # The names of its CloudWatch alarms (empty without alarms args).
    alarm_names: list[str]
    container_image: Optional[ContainerImage] = None
    autoscaling: Optional[ServiceAutoscaling] = None
    alarms: Optional[ServiceAlarms] = None
    # A worker's queue and backlog scaling; a job's schedule.
    queue: Optional[WorkerQueue] = None
    backlog_scaling: Optional[QueueBacklogScaling] = None
    job: Optional[ScheduledJob] = None

    def __init__(self, name: str, args: FargateServiceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate(name)
        # Claimed before anything is registered: a taken priority fails here.
        priority = (
            args.load_balancer.listener_priorities.claim("FargateServiceArgs.routing", name, args.routing)
            if args.load_balancer is not None
            else 0
        )
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
        volume_grant = self._volume_grant(name, args, roles.task_role, region, account_id)
        args, grants = self._workload_grants(name, args, roles.task_role)
        task_definition = self._task_definition(name, args, roles, image, log_group.name, region)
        security_group = self._network_access(name, args)
        routing = self._load_balancing(name, args, priority)
        target_group, shift = routing.target_group, routing.shift
        service_name = self._run(
            name,
            args,
            task_definition,
            security_group,
            roles,
            routing,
            # The target group must be attached to the ALB (through the rule)
            # before ECS registers tasks in it, and the execution role must be
            # able to pull, log and read secrets before the first task starts.
            # So must the task role be allowed to mount its volumes and use its grants.
            depends_on=[
                *([routing.listener_rule] if routing.listener_rule is not None else []),
                roles.execution_policy,
                *volume_grant,
                *grants,
                *([shift.role_policy] if shift else []),
                *args.depends_on,
            ],
            account_id=account_id,
        )
        target_groups = [group for group in (target_group, routing.alternate) if group is not None]
        self.alarms = self._alarms(name, args, service_name, target_groups)
        self._scaling(name, args, service_name, target_group)

        self.service_name = service_name
        self.log_group_name = log_group.name
        self.target_group_arn = target_group.arn if target_group is not None else None
        self.security_group_id = security_group.id
        self._name, self._container_port = name, args.container_port
        self.task_role_arn = roles.task_role.arn
        self.image = image
        self.listener_rule_priority = priority
        self.target_group_arn_suffixes = [group.arn_suffix for group in target_groups]
        self.alternate_target_group_arn = routing.alternate.arn if routing.alternate is not None else None
        self.alarm_names = args.alarms.names(name, args.load_balancer is not None) if args.alarms is not None else []
        self.register_outputs(
            {
                "serviceName": self.service_name,
                "logGroupName": self.log_group_name,
                "targetGroupArn": self.target_group_arn,
                "image": self.image,
            }
        )

    def _alarms(
        self,
        name: str,
        args: FargateServiceArgs,
        service_name: pulumi.Input[str],
        target_groups: list[aws.lb.TargetGroup],
    ) -> Optional[ServiceAlarms]:
        """The service's alarms, if asked: on its target groups (behind the ALB) and its running tasks."""
        if args.alarms is None or not args.alarms.names(name, args.load_balancer is not None):
            return None
        return ServiceAlarms(
            f"{name}",
            ServiceAlarmsArgs(
                alarms=args.alarms,
                cluster_name=args.cluster_name,
                service_name=service_name,
                load_balancer_arn_suffix=args.load_balancer.arn_suffix if args.load_balancer else None,
                target_group_arn_suffixes=[group.arn_suffix for group in target_groups],
            ),
            opts=pulumi.ResourceOptions(parent=self),
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
                log_group_arn, built, referenced, args.secret_arns, args.secrets_kms_key_arn
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

    def _volume_grant(
        self,
        name: str,
        args: FargateServiceArgs,
        task_role: aws.iam.Role,
        region: pulumi.Output[str],
        account_id: pulumi.Output[str],
    ) -> list[aws.iam.RolePolicy]:
        """The task role's grant to mount its EFS volumes (IAM authorization checks it), if it has any."""
        if not args.volumes:
            return []
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        return [
            aws.iam.RolePolicy(
                f"{name}-task-efs",
                role=task_role.id,
                policy=efs_policy_document(args.volumes, partition, region, account_id),
                opts=pulumi.ResourceOptions(parent=self),
            )
        ]

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
            ephemeral_storage=aws.ecs.TaskDefinitionEphemeralStorageArgs(size_in_gib=args.ephemeral_storage_gib)
            if args.ephemeral_storage_gib is not None
            else None,
            volumes=[_efs_volume(volume_name, volume) for volume_name, volume in args.volumes.items()] or None,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _network_access(self, name: str, args: FargateServiceArgs) -> aws.ec2.SecurityGroup:
        """The tasks' security group: in from the ALB on the container port, out anywhere."""
        child = pulumi.ResourceOptions(parent=self)
        security_group = aws.ec2.SecurityGroup(
            f"{name}",
            vpc_id=args.vpc_id,
            description=_INBOUND[_reached_by(args)],
            tags=name_tag(name, "tasks"),
            opts=child,
        )
        # The ALB-to-task path, opened on both ends and nowhere else: the tasks'
        # group admits the ALB's group, and the ALB's group (which has no egress
        # of its own) may reach this service's tasks, each on the container port.
        # A backend is opened to the stack's services by admit(); the others to no one.
        balancer_groups = [args.load_balancer.security_group_id] if args.load_balancer is not None else []
        for rule, suffix, group, peer in (
            *((aws.vpc.SecurityGroupIngressRule, "from-alb", security_group.id, g) for g in balancer_groups),
            *((aws.vpc.SecurityGroupEgressRule, "alb-to-tasks", g, security_group.id) for g in balancer_groups),
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

    def admit(self, callers: dict[str, pulumi.Input[str]]) -> None:
        """Open the tasks' container port to each caller's security group (a backend's
        callers: the stack's other services), one ingress rule per caller."""
        assert self._container_port is not None
        for caller, group_id in callers.items():
            aws.vpc.SecurityGroupIngressRule(
                f"{self._name}-from-{caller}",
                security_group_id=self.security_group_id,
                referenced_security_group_id=group_id,
                ip_protocol="tcp",
                from_port=self._container_port,
                to_port=self._container_port,
                description=f"The {caller} tasks to the {self._name} tasks on the container port",
                tags=name_tag(self._name, f"from-{caller}"),
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _load_balancing(self, name: str, args: FargateServiceArgs, priority: int) -> _Routing:
        """Behind the ALB: the target group (two with a traffic-shifting strategy), the listener
        rule and the role that shifts it; nothing for a backend, worker or job."""
        if args.load_balancer is None:
            return _Routing(None, None, None, None)
        alternate = self._target_group(f"{name}-alt", args) if args.deployment_strategy is not None else None
        target_group, listener_rule = self._routing(name, args, priority, alternate)
        shift = self._traffic_shift(name, listener_rule, target_group, alternate) if alternate is not None else None
        return _Routing(target_group, listener_rule, alternate, shift)

    def _run(
        self,
        name: str,
        args: FargateServiceArgs,
        task_definition: aws.ecs.TaskDefinition,
        security_group: aws.ec2.SecurityGroup,
        roles: _Roles,
        routing: _Routing,
        depends_on: list[pulumi.Resource],
        account_id: pulumi.Output[str],
    ) -> pulumi.Output[str]:
        """The ECS service that keeps the tasks running, or a job's schedule; the name it goes by
        (a job's is its task family)."""
        if args.schedule is not None:
            self.job = self._job(name, args, task_definition, security_group, roles, account_id, depends_on)
            return task_definition.family
        service = self._service(
            name, args, task_definition, security_group, routing.target_group, routing.shift, depends_on=depends_on
        )
        return service.name

    def _scaling(
        self,
        name: str,
        args: FargateServiceArgs,
        service_name: pulumi.Output[str],
        target_group: Optional[aws.lb.TargetGroup],
    ) -> None:
        """Autoscaling as asked, or a worker's scaling on its queue's backlog."""
        child = pulumi.ResourceOptions(parent=self)
        if args.autoscaling is not None:
            self.autoscaling = ServiceAutoscaling(
                f"{name}",
                ServiceAutoscalingArgs(
                    scaling=args.autoscaling,
                    cluster_name=args.cluster_name,
                    service_name=service_name,
                    load_balancer_arn_suffix=args.load_balancer.arn_suffix if args.load_balancer else None,
                    target_group_arn_suffix=target_group.arn_suffix if target_group else None,
                ),
                opts=child,
            )
        if args.queue is not None and args.queue.scaling is not None and self.queue is not None:
            self.backlog_scaling = QueueBacklogScaling(
                f"{name}",
                QueueBacklogScalingArgs(
                    cluster_name=args.cluster_name,
                    service_name=service_name,
                    queue_name=self.queue.queue_name,
                    scaling=args.queue.scaling,
                ),
                opts=child,
            )

    def _workload_grants(
        self, name: str, args: FargateServiceArgs, task_role: aws.iam.Role
    ) -> tuple[FargateServiceArgs, list[aws.iam.RolePolicy]]:
        """A worker's queue (its URL in QUEUE_URL), and the task role's permissions: the
        configured statements and the worker's grant on exactly its queue, one inline policy."""
        statements = [
            {
                "Effect": "Allow",
                "Action": list(p.actions),
                "Resource": list(p.resources),
                **({"Condition": {op: dict(keys) for op, keys in p.conditions.items()}} if p.conditions else {}),
            }
            for p in args.permissions
        ]
        if args.queue is not None:
            self.queue = WorkerQueue(f"{name}", args.queue, opts=pulumi.ResourceOptions(parent=self))
            statements.append(consume_statement(self.queue.arn))
            args = dataclasses.replace(args, environment={**args.environment, "QUEUE_URL": self.queue.url})
        if not statements:
            return args, []
        grant = aws.iam.RolePolicy(
            f"{name}-task-permissions",
            role=task_role.id,
            policy=pulumi.Output.json_dumps(policy(*statements)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return args, [grant]

    def _job(
        self,
        name: str,
        args: FargateServiceArgs,
        task_definition: aws.ecs.TaskDefinition,
        security_group: aws.ec2.SecurityGroup,
        roles: _Roles,
        account_id: pulumi.Output[str],
        depends_on: list[pulumi.Resource],
    ) -> ScheduledJob:
        """The schedule runs its first task once the roles may do what the task needs (as a service waits)."""
        assert args.schedule is not None
        return ScheduledJob(
            f"{name}",
            ScheduledJobArgs(
                schedule=args.schedule,
                cluster_arn=args.cluster_arn,
                task_definition_arn=task_definition.arn,
                task_definition_arn_without_revision=task_definition.arn_without_revision,
                execution_role_arn=roles.execution_role.arn,
                task_role_arn=roles.task_role.arn,
                subnet_ids=args.subnet_ids,
                security_group_ids=[security_group.id, *args.security_group_ids],
                assign_public_ip=args.assign_public_ip,
                account_id=account_id,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
        )

    def _target_group(self, resource_name: str, args: FargateServiceArgs) -> aws.lb.TargetGroup:
        """A target group of the service's tasks (a traffic-shifting service has two alike)."""
        return aws.lb.TargetGroup(
            resource_name,
            # awsvpc tasks register by IP address, never by instance.
            target_type="ip",
            port=args.container_port,
            protocol="HTTP",
            vpc_id=args.vpc_id,
            # See TargetGroupArgs: 60 s unless configured; slow start and stickiness
            # left out (the provider's off) unless asked for.
            deregistration_delay=args.target_group.deregistration_delay_seconds,
            slow_start=args.target_group.slow_start_seconds or None,
            stickiness=args.target_group.stickiness,
            health_check=args.health_check,
            tags=name_tag(resource_name),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _routing(
        self, name: str, args: FargateServiceArgs, priority: int, alternate: Optional[aws.lb.TargetGroup]
    ) -> tuple[aws.lb.TargetGroup, aws.lb.ListenerRule]:
        """The service's target group, and the listener rule that forwards its requests there.

        With an alternate target group the rule forwards to both, all weight on the first:
        ECS moves the weights during deployments, so the program leaves them to it after."""
        target_group = self._target_group(f"{name}", args)
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
        assert args.load_balancer is not None  # only services behind it are routed
        listener_rule = aws.lb.ListenerRule(
            f"{name}",
            listener_arn=args.load_balancer.listener.arn,
            priority=priority,
            conditions=conditions,
            actions=[
                aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)
                if alternate is None
                else aws.lb.ListenerRuleActionArgs(
                    type="forward",
                    forward=aws.lb.ListenerRuleActionForwardArgs(
                        target_groups=[
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=target_group.arn, weight=100),
                            aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=alternate.arn, weight=0),
                        ]
                    ),
                )
            ],
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["actions"] if alternate is not None else None),
        )
        return target_group, listener_rule

    def _traffic_shift(
        self,
        name: str,
        listener_rule: aws.lb.ListenerRule,
        target_group: aws.lb.TargetGroup,
        alternate: aws.lb.TargetGroup,
    ) -> _TrafficShift:
        """The role ECS assumes to shift the production rule's traffic between the two target groups."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-deployments",
            assume_role_policy=trust_policy(ECS_PRINCIPAL),
            description=f"ECS deployments of {qualified_name(name)}: shift its listener rule between its target groups",
            tags=name_tag(name, "deployments"),
            opts=child,
        )
        role_policy = aws.iam.RolePolicy(
            f"{name}-deployments",
            role=role.id,
            policy=deployment_role_policy(listener_rule.arn, [target_group.arn, alternate.arn]),
            opts=child,
        )
        return _TrafficShift(alternate, listener_rule, role, role_policy)

    def _service(
        self,
        name: str,
        args: FargateServiceArgs,
        task_definition: aws.ecs.TaskDefinition,
        security_group: aws.ec2.SecurityGroup,
        target_group: Optional[aws.lb.TargetGroup],
        shift: Optional[_TrafficShift],
        depends_on: list[pulumi.Resource],
    ) -> aws.ecs.Service:
        desired_count = args.desired_count
        ignore_changes: list[str] = []
        if args.queue is not None and args.queue.scaling is not None:
            # The queue's backlog owns the task count, as autoscaling below.
            desired_count = max(args.queue.scaling.min_count, min(args.queue.scaling.max_count, desired_count))
            ignore_changes.append("desiredCount")
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
            service_connect_configuration=_service_connect(name, args),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=group.arn,
                    container_name=name,
                    container_port=args.container_port,
                    advanced_configuration=aws.ecs.ServiceLoadBalancerAdvancedConfigurationArgs(
                        alternate_target_group_arn=shift.alternate_target_group.arn,
                        production_listener_rule=shift.production_rule.arn,
                        role_arn=shift.role.arn,
                    )
                    if shift is not None
                    else None,
                )
                for group in ([target_group] if target_group is not None else [])
            ]
            or None,
            deployment_configuration=args.deployment_strategy.configuration() if args.deployment_strategy else None,
            # The service's alarms, by the names ServiceAlarms gives them: a
            # deployment during which one fires is rolled back.
            alarms=aws.ecs.ServiceAlarmsArgs(
                alarm_names=args.alarms.names(name, args.load_balancer is not None), enable=True, rollback=True
            )
            if args.alarms is not None
            and args.alarms.rollback
            and args.alarms.names(name, args.load_balancer is not None)
            else None,
            # ECS takes a grace period only for a service behind a load balancer.
            health_check_grace_period_seconds=args.health_check_grace_period_seconds if target_group else None,
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


_INBOUND = {
    "load balancer": "Fargate tasks: reachable only from the load balancer on the container port",
    "services": "Fargate tasks: reachable only from the stack services on the container port",
    "nobody": "Fargate tasks: no inbound traffic",
}


def _reached_by(args: FargateServiceArgs) -> str:
    if args.load_balancer is not None:
        return "load balancer"
    published = args.service_connect is not None and args.service_connect.publish
    return "services" if published else "nobody"


def _service_connect(name: str, args: FargateServiceArgs) -> Optional[aws.ecs.ServiceServiceConnectConfigurationArgs]:
    """A client of the stack's namespace; published at http://<name>:<container_port> unless a client only."""
    connect = args.service_connect
    if connect is None:
        return None
    return aws.ecs.ServiceServiceConnectConfigurationArgs(
        enabled=True,
        namespace=connect.namespace_arn,
        services=[
            aws.ecs.ServiceServiceConnectConfigurationServiceArgs(
                port_name=name,
                discovery_name=name,
                client_alias=[
                    aws.ecs.ServiceServiceConnectConfigurationServiceClientAliasArgs(
                        port=args.container_port, dns_name=name
                    )
                ],
            )
        ]
        if connect.publish
        else None,
    )


def _efs_volume(name: str, volume: VolumeArgs) -> aws.ecs.TaskDefinitionVolumeArgs:
    """An EFS volume as the task definition holds it: encrypted in transit, mounted as the task role."""
    return aws.ecs.TaskDefinitionVolumeArgs(
        name=name,
        efs_volume_configuration=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationArgs(
            file_system_id=volume.efs.file_system_id,
            root_directory=volume.efs.root_directory,
            transit_encryption="ENABLED",
            authorization_config=aws.ecs.TaskDefinitionVolumeEfsVolumeConfigurationAuthorizationConfigArgs(
                access_point_id=volume.efs.access_point_id, iam="ENABLED"
            ),
        ),
    )
