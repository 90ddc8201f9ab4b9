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

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Optional

import pulumi
import pulumi_aws as aws

from .autoscaling import AutoscalingArgs, ServiceAutoscaling, ServiceAutoscalingArgs
from .image import CPU_ARCHITECTURE, ContainerImage, ContainerImageArgs
from .naming import name_tag, qualified_name
from .routing import RoutingArgs
from .validation import check, check_log_retention, check_one_of, check_range, check_task_size

if TYPE_CHECKING:
    from .load_balancer import LoadBalancer

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
# ARNs in any partition (aws, aws-cn, aws-us-gov) and region.
_ARN = r"arn:aws(?:-[a-z]+)*:{service}:[a-z]{{2}}(?:-[a-z]+)+-\d:\d{{12}}:"
SSM_PARAMETER_ARN = re.compile("^" + _ARN.format(service="ssm") + r"parameter/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")
# The secret's full ARN, optionally followed by ECS's `:json-key:version-stage:version-id`
# selector. Group 1 is the secret itself, what IAM grants on.
SECRETS_MANAGER_ARN = re.compile(
    "^(" + _ARN.format(service="secretsmanager") + r"secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})"
    r"(?::[^:]*:[^:]*:[^:]*)?$"
)
# A private ECR image: <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>(:<tag>|@<digest>).
ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(\.cn)?/"
    r"([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$"
)
# A task holds at most 10 containers: the main one and up to 9 sidecars.
MAX_SIDECARS = 9
# The container, family and target group are named after the service; the target
# group's physical name is <name>-<7 random characters>, and ELBv2 allows 32.
SERVICE_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?$")


def default_health_check() -> aws.lb.TargetGroupHealthCheckArgs:
    """HTTP on the traffic port: `/` answering any 2xx/3xx (a redirect to a login page
    still means "up"), every 30 s with a 5 s timeout, 3 checks either way."""
    return aws.lb.TargetGroupHealthCheckArgs(
        enabled=True,
        protocol="HTTP",
        port="traffic-port",
        path="/",
        matcher="200-399",
        interval=30,
        timeout=5,
        healthy_threshold=3,
        unhealthy_threshold=3,
    )


@dataclass(kw_only=True)
class PortMappingArgs:
    container_port: int
    # TCP, as ECS's default.
    protocol: Literal["tcp", "udp"] = "tcp"


@dataclass(kw_only=True)
class SidecarArgs:
    """A container next to the main one in each task, logging to the service's log group."""

    image: pulumi.Input[str]
    # Container-level CPU units; 0 lets the sidecar share the task's CPU.
    cpu: int = 0
    # None: no hard limit, the sidecar shares the task's memory (MiB otherwise).
    memory: Optional[int] = None
    # ECS's default: if a sidecar the app relies on dies, the task is replaced.
    essential: bool = True
    # No variables.
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # No ports: most sidecars only call out.
    port_mappings: Sequence[PortMappingArgs] = ()


@dataclass(kw_only=True)
class FargateServiceArgs:
    cluster_arn: pulumi.Input[str]
    # For autoscaling's resource id and the alarms' dimensions.
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    # At least one, in the VPC; private ones need NAT or VPC endpoints to pull images.
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # The ALB whose listener routes to the service; its security group is the only
    # one that may reach the tasks.
    load_balancer: LoadBalancer
    # Exactly one of the two: an image to run, or a build of one pushed to an ECR
    # repository of the service's own.
    image: Optional[pulumi.Input[str]] = None
    build: Optional[ContainerImageArgs] = None
    # The smallest Fargate size (0.25 vCPU / 0.5 GiB); raise it per service.
    cpu: int = 256
    memory: int = 512
    # nginx's port, as in the walkthrough.
    container_port: int = 80
    # One task; with autoscaling, the first count (clamped into its bounds).
    desired_count: int = 1
    # No public IP: right in private subnets. Tasks in public subnets without NAT
    # need one to reach their image registry.
    assign_public_ip: bool = False
    # See default_health_check; a given one is used as is (provider defaults for the rest).
    health_check: aws.lb.TargetGroupHealthCheckArgs = field(default_factory=default_health_check)
    # Time a new task gets to start before failed health checks count against it.
    health_check_grace_period_seconds: int = 60
    # Every path, priority derived (see RoutingArgs).
    routing: RoutingArgs = field(default_factory=RoutingArgs)
    # No variables. Values may be Outputs, secret ones too: the container
    # definitions are then kept secret in the state.
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # NAME -> ARN of an SSM parameter or a Secrets Manager secret, handed to the
    # main container as NAME; the execution role may read exactly these.
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # None: the secrets are encrypted with the AWS managed keys, which need no
    # grant. A customer managed key's ARN gets kms:Decrypt through SSM and
    # Secrets Manager only.
    secrets_kms_key_arn: Optional[pulumi.Input[str]] = None
    # Off: most public images (nginx among them) write to their own filesystem.
    readonly_root_filesystem: bool = False
    # None runs as the image's USER; "uid", "uid:gid" or a user name the image knows.
    user: Optional[str] = None
    # A month of logs: enough to debug last week's incident, cheap to keep.
    log_retention_days: int = 30
    # None.
    sidecars: Mapping[str, SidecarArgs] = field(default_factory=dict)
    # A deployment whose tasks never become healthy is stopped and rolled back.
    deployment_circuit_breaker: aws.ecs.ServiceDeploymentCircuitBreakerArgs = field(
        default_factory=lambda: aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True)
    )
    # 100/200: start new tasks before stopping old ones, so a deploy never lowers
    # capacity (ECS's default).
    deployment_minimum_healthy_percent: int = 100
    deployment_maximum_percent: int = 200
    # None keeps desired_count fixed.
    autoscaling: Optional[AutoscalingArgs] = None
    # ECS Exec off: a shell into a running task is access most services never need.
    exec_command: bool = False
    # x86: what most images are built for. ARM64 (Graviton) costs about 20 % less.
    cpu_architecture: Literal["X86_64", "ARM64"] = "X86_64"
    # None: every task on regular Fargate (launch type FARGATE). A strategy needs
    # the cluster to offer its providers (ClusterArgs.capacity_providers).
    capacity_provider_strategies: Sequence[aws.ecs.ServiceCapacityProviderStrategyArgs] = ()
    # None besides the service's own, e.g. the VPC endpoints' client group.
    security_group_ids: Sequence[pulumi.Input[str]] = ()
    # Nothing: what must exist before the first task starts, e.g. VPC endpoints
    # the tasks pull through, the cluster's capacity providers.
    depends_on: Sequence[pulumi.Resource] = ()

    def validate(self, name: str) -> None:
        owner = "FargateServiceArgs"
        check(
            "FargateService name",
            name,
            bool(SERVICE_NAME.match(name)),
            "a service name",
            "1-24 letters, digits and '-', not starting or ending with '-' "
            "(it names the target group, whose name allows 32 characters with an 8-character suffix)",
        )
        check(
            f"{owner}.image",
            self.image,
            (self.image is None) != (self.build is None),
            "one image source",
            "exactly one of image and build",
        )
        check_task_size(owner, self.cpu, self.memory)
        check_range(f"{owner}.container_port", self.container_port, 1, 65535, "a port")
        check(
            f"{owner}.desired_count",
            self.desired_count,
            isinstance(self.desired_count, int) and self.desired_count >= 0,
            "a task count",
            "0 or more",
        )
        check_log_retention(f"{owner}.log_retention_days", self.log_retention_days)
        check_one_of(f"{owner}.cpu_architecture", self.cpu_architecture, ("X86_64", "ARM64"), "a Fargate CPU")
        check_range(
            f"{owner}.deployment_minimum_healthy_percent",
            self.deployment_minimum_healthy_percent,
            0,
            100,
            "a deployment floor",
        )
        check_range(
            f"{owner}.deployment_maximum_percent", self.deployment_maximum_percent, 100, 200, "a deployment ceiling"
        )
        self.routing.validate(f"{owner}.routing")
        if self.build is not None:
            self.build.validate(f"{owner}.build")
            check(
                f"{owner}.build.platform",
                self.build.platform,
                CPU_ARCHITECTURE[self.build.platform] == self.cpu_architecture,
                f"a platform for cpu_architecture {self.cpu_architecture}",
                next(p for p, cpu in CPU_ARCHITECTURE.items() if cpu == self.cpu_architecture),
            )
        if self.autoscaling is not None:
            self.autoscaling.validate(f"{owner}.autoscaling")
        check(
            f"{owner}.sidecars",
            list(self.sidecars),
            len(self.sidecars) <= MAX_SIDECARS,
            "a number of sidecars a task holds",
            f"at most {MAX_SIDECARS} (10 containers per task)",
        )
        check(
            f"{owner}.sidecars",
            list(self.sidecars),
            name not in self.sidecars,
            "a set of sidecar names",
            f"names other than the service's own, {name!r} (its main container)",
        )
        ports = [self.container_port, *(m.container_port for s in self.sidecars.values() for m in s.port_mappings)]
        check(
            f"{owner}.sidecars",
            ports,
            len(ports) == len(set(ports)),
            "a set of distinct container ports",
            "each port on one container only (containers share the task's network)",
        )
        for key, arn in self.secrets.items():
            check(
                f"{owner}.secrets.{key}",
                arn,
                _secret_kind(arn) is not None,
                "a secret reference",
                "the ARN of an SSM parameter or the full ARN of a Secrets Manager secret",
            )
        check(
            f"{owner}.secrets_kms_key_arn",
            self.secrets_kms_key_arn,
            self.secrets_kms_key_arn is None or bool(self.secrets),
            "needed without secrets",
            "None",
        )
        check(
            f"{owner}.exec_command",
            self.exec_command,
            not (self.exec_command and self.readonly_root_filesystem),
            "possible with readonly_root_filesystem",
            "False (the ECS Exec agent writes to the filesystem)",
        )


class FargateService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
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
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        qualified = qualified_name(name)

        image: pulumi.Output[str]
        if args.build is not None:
            self.container_image = ContainerImage(f"{name}", args.build, opts=child)
            image = self.container_image.image_uri
        else:
            assert args.image is not None  # validate(): exactly one of image and build
            image = pulumi.Output.from_input(args.image)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}",
            name=f"/ecs/{qualified}",
            retention_in_days=args.log_retention_days,
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
        # The image built here pulls from the service's own repository; images
        # given by reference (main and sidecars) from the private ECR ones they name.
        built = [self.container_image.repository.arn] if self.container_image is not None else []
        referenced = [i for i in [args.image, *(s.image for s in args.sidecars.values())] if i is not None]
        execution_policy = aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution_role.id,
            policy=execution_policy_document(
                log_group.arn, built, referenced, list(args.secrets.values()), args.secrets_kms_key_arn
            ),
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
        if args.exec_command:
            aws.iam.RolePolicy(
                f"{name}-task-exec",
                role=task_role.id,
                policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Sid": "EcsExecSessions", "Effect": "Allow", "Action": ECS_EXEC_ACTIONS, "Resource": "*"},
                        ],
                    }
                ),
                opts=child,
            )

        task_definition = aws.ecs.TaskDefinition(
            f"{name}",
            family=qualified,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu),
            memory=str(args.memory),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX",
                cpu_architecture=args.cpu_architecture,
            ),
            # Secret environment values keep the whole document secret in the state.
            container_definitions=pulumi.Output.json_dumps(
                container_definitions(name, args, image, log_group.name, region)
            ),
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
        conditions = (
            [
                aws.lb.ListenerRuleConditionArgs(
                    path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=list(routing.path_patterns)),
                )
            ]
            if routing.path_patterns
            else []
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

        desired_count = args.desired_count
        ignore_changes: list[str] = []
        if args.autoscaling is not None:
            # Scaling owns the task count from here on: a later `pulumi up` must
            # not reset it, and the first count starts inside [minCount, maxCount].
            desired_count = args.autoscaling.clamp(desired_count)
            ignore_changes.append("desiredCount")
        service = aws.ecs.Service(
            f"{name}",
            cluster=args.cluster_arn,
            task_definition=task_definition.arn,
            desired_count=desired_count,
            # A capacity provider strategy replaces the launch type (ECS takes one or the other).
            launch_type=None if args.capacity_provider_strategies else "FARGATE",
            capacity_provider_strategies=list(args.capacity_provider_strategies) or None,
            # ECS applies a changed strategy (and a switch from the launch type
            # to one) only with a new deployment, and the provider refuses to
            # plan such a change without this flag. It also redeploys on other
            # updates of the service, so only services with a strategy set it.
            force_new_deployment=True if args.capacity_provider_strategies else None,
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
            # The target group must be attached to the ALB (through the rule)
            # before ECS registers tasks in it, and the execution role must be
            # able to pull, log and read secrets before the first task starts.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[listener_rule, execution_policy, *args.depends_on],
                ignore_changes=ignore_changes,
            ),
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
        self.task_role_arn = task_role.arn
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
    log_group_arn: pulumi.Input[str],
    built_repositories: Sequence[pulumi.Input[str]],
    images: Sequence[pulumi.Input[str]],
    secret_arns: Sequence[pulumi.Input[str]],
    kms_key_arn: Optional[pulumi.Input[str]] = None,
) -> pulumi.Output[str]:
    """The execution role's one inline policy: what ECS does on the task's behalf before
    and while it runs, each statement on exactly its resources, always in this order.

    - ``WriteLogs``: the awslogs driver creates a stream per container and puts events
      in it (``log-group:<name>:*``, the grant CDK's AwsLogDriver makes).
    - ``PullImages`` and ``GetEcrAuthorizationToken``, only with an image in ECR (the
      ``built_repositories``, or a private ECR image among ``images``): the layers of
      exactly those repositories, and the registry token, which IAM grants on ``*`` only.
    - ``ReadSsmParameters`` / ``ReadSecretsManagerSecrets``: exactly ``secret_arns``.
    - ``DecryptSecrets``, only with ``kms_key_arn``: that key, through SSM and
      Secrets Manager only (the AWS managed keys need no grant).

    Any of these may be Outputs (an image URI or secret ARN another resource
    makes); the document is then known once they are.
    """

    def document(values: list[Any]) -> str:
        log_group, built, referenced, secrets, kms_key = values
        repositories = [*built, *sorted({arn for image in referenced if (arn := ecr_repository_arn(image))})]
        statements: list[Any] = [
            {
                "Sid": "WriteLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group}:*",
            }
        ]
        if repositories:
            statements.append(
                {
                    "Sid": "GetEcrAuthorizationToken",
                    "Effect": "Allow",
                    "Action": "ecr:GetAuthorizationToken",
                    "Resource": "*",
                }
            )
            statements.append(
                {
                    "Sid": "PullImages",
                    "Effect": "Allow",
                    "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                    "Resource": repositories,
                }
            )
        parameters = sorted({arn for arn in secrets if _secret_kind(arn) == "ssm"})
        if parameters:
            statements.append(
                {"Sid": "ReadSsmParameters", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": parameters}
            )
        secret_resources = sorted(
            {_secret_resource_arn(arn) for arn in secrets if _secret_kind(arn) == "secretsmanager"}
        )
        if secret_resources:
            statements.append(
                {
                    "Sid": "ReadSecretsManagerSecrets",
                    "Effect": "Allow",
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": secret_resources,
                }
            )
        if kms_key is not None:
            statements.append(
                {
                    "Sid": "DecryptSecrets",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": kms_key,
                    "Condition": {"StringEquals": {"kms:ViaService": _secrets_services(secrets)}},
                }
            )
        return json.dumps({"Version": "2012-10-17", "Statement": statements})

    return pulumi.Output.all(
        log_group_arn,
        pulumi.Output.all(*built_repositories),
        pulumi.Output.all(*images),
        pulumi.Output.all(*secret_arns),
        kms_key_arn,
    ).apply(document)


def ecr_repository_arn(image: Optional[str]) -> Optional[str]:
    """The ARN of the private ECR repository an image reference names, or None for any other registry."""
    match = ECR_IMAGE.match(image or "")
    if match is None:
        return None
    account, region, china, repository = match.groups()
    partition = "aws-cn" if china else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"


def _secret_kind(arn: Any) -> Optional[str]:
    """``ssm`` or ``secretsmanager`` for a container secret's ``valueFrom``, else None."""
    if not isinstance(arn, str):
        return None
    if SSM_PARAMETER_ARN.match(arn):
        return "ssm"
    return "secretsmanager" if SECRETS_MANAGER_ARN.match(arn) else None


def _secret_resource_arn(value_from: str) -> str:
    """The ARN IAM grants on: a Secrets Manager ARN without ECS's ``:json-key:stage:version`` selector."""
    match = SECRETS_MANAGER_ARN.match(value_from)
    return match.group(1) if match else value_from


def _secrets_services(secrets: Sequence[str]) -> list[str]:
    """The endpoints (``ssm.<region>.amazonaws.com``, ...) through which the secrets are
    read: where KMS sees the execution role's Decrypt calls come from."""
    return sorted(
        {
            f"{arn.split(':')[2]}.{arn.split(':')[3]}.amazonaws.com" + (".cn" if arn.split(":")[1] == "aws-cn" else "")
            for arn in secrets
        }
    )


def container_definitions(
    name: str,
    args: FargateServiceArgs,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    region: pulumi.Input[str],
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
    main: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": args.container_port, "protocol": "tcp"}],
        "environment": _environment(args.environment),
        "readonlyRootFilesystem": args.readonly_root_filesystem,
        "logConfiguration": logging,
    }
    if args.secrets:
        main["secrets"] = [{"name": key, "valueFrom": arn} for key, arn in sorted(args.secrets.items())]
    if args.user is not None:
        main["user"] = args.user
    return [main] + [_sidecar(sidecar_name, sidecar, logging) for sidecar_name, sidecar in args.sidecars.items()]


def _sidecar(name: str, sidecar: SidecarArgs, logging: dict[str, Any]) -> dict[str, Any]:
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


def _environment(variables: Mapping[str, pulumi.Input[str]]) -> list[dict[str, Any]]:
    # Sorted, so reordering keys is not a new task definition revision.
    return [{"name": key, "value": value} for key, value in sorted(variables.items())]
