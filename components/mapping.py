"""From the validated stack config to component args: the one place that knows both.

The config models (``fargate:*`` keys, camelCase, validated with key paths) are
the program's API; the args classes are the components' API. Every function
here takes a part of a parsed ``StackConfig`` and returns the args of one
component, with the wiring (ids, ARNs, the load balancer) passed in by
``__main__.py``. It sits beside the components, not in ``config``: the config
package imports no component (nor pulumi), and no component imports the config.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional

import pulumi
import pulumi_aws as aws

from .alarms import AlarmsArgs
from .autoscaling import AutoscalingArgs, ScaleOutStepArgs, ScheduleArgs, StepScalingArgs
from .cluster import ClusterArgs
from .config.workloads import QueueConfig
from .container_args import ContainerHealthCheckArgs, EfsVolumeArgs, VolumeArgs
from .dashboard import DashboardArgs, DashboardServiceArgs
from .deployment import DeploymentStrategyArgs
from .domain import DomainArgs
from .endpoints import VpcEndpoints, VpcEndpointsArgs
from .image import ContainerImageArgs
from .job import JobScheduleArgs
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .naming import qualified_name
from .network import Network, NetworkArgs
from .routing import RoutingArgs
from .service_args import FargateServiceArgs, PermissionArgs, PortMappingArgs, ServiceConnectArgs, SidecarArgs
from .target_group import TargetGroupArgs
from .waf import WafArgs
from .worker import BacklogScalingArgs, WorkerQueueArgs

if TYPE_CHECKING:  # annotations only: the config models are read by attribute
    from .alarms import AlarmTopic
    from .cluster import Cluster
    from .config import (
        AutoscalingConfig,
        BuildConfig,
        HealthCheckConfig,
        NetworkConfig,
        ServiceConfig,
        SidecarConfig,
        StackConfig,
    )
    from .config.container import ContainerHealthCheckConfig, VolumeConfig
    from .service import FargateService


def network_args(network: NetworkConfig) -> NetworkArgs:
    return NetworkArgs(
        vpc=network.vpc,
        cidr_block=network.cidr_block,
        availability_zones=network.availability_zones,
        nat_gateways=network.nat_gateways,
        vpc_id=network.vpc_id,
        public_subnet_ids=list(network.public_subnet_ids),
        private_subnet_ids=list(network.private_subnet_ids),
        private_route_table_ids=list(network.private_route_table_ids),
        flow_logs=network.flow_logs,
        flow_logs_bucket_arn=network.flow_logs_bucket_arn,
        flow_logs_retention_days=network.flow_logs_retention_days,
        # The name this program gave the log group before components took their
        # own names into it: renaming would replace it and lose the logs in it.
        flow_logs_log_group_name=f"/vpc/{qualified_name(allowed='A-Za-z0-9_.-')}/flow-logs",
    )


def endpoints_args(config: StackConfig, network: Network) -> Optional[VpcEndpointsArgs]:
    """The VPC endpoints private tasks pull through, or None without ``network.vpcEndpoints``."""
    if not config.network.vpc_endpoints:
        return None
    return VpcEndpointsArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids,
        route_table_ids=network.private_route_table_ids,
        include_secrets=config.endpoints_for_secrets,
        include_exec=config.endpoints_for_exec,
    )


def load_balancer_args(config: StackConfig, network: Network) -> LoadBalancerArgs:
    lb = config.load_balancer
    return LoadBalancerArgs(
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids if lb.internal else network.public_subnet_ids,
        internal=lb.internal,
        ingress_cidrs=list(lb.ingress_cidrs),
        idle_timeout_seconds=lb.idle_timeout_seconds,
        deletion_protection=lb.deletion_protection,
        certificate_arn=lb.certificate_arn,
        domain=DomainArgs(
            name=lb.domain.name,
            hosted_zone_id=lb.domain.hosted_zone_id,
            alternative_names=list(lb.domain.alternative_names),
        )
        if lb.domain
        else None,
        waf=WafArgs(managed_rules=list(lb.waf.managed_rules), rate_limit_per_5_minutes=lb.waf.rate_limit_per_5_minutes)
        if lb.waf
        else None,
        web_acl_arn=lb.web_acl_arn,
        ssl_policy=lb.ssl_policy,
        drop_invalid_header_fields=lb.drop_invalid_headers,
        access_logs=aws.lb.LoadBalancerAccessLogsArgs(
            bucket=lb.access_logs.bucket,
            prefix=lb.access_logs.prefix,
            enabled=True,
        )
        if lb.access_logs
        else None,
    )


def cluster_args(config: StackConfig) -> ClusterArgs:
    return ClusterArgs(
        container_insights=config.cluster.container_insights, capacity_providers=config.capacity_providers
    )


def service_args(
    service: ServiceConfig,
    *,
    cluster_arn: pulumi.Input[str],
    cluster_name: pulumi.Input[str],
    network: Network,
    load_balancer: LoadBalancer,
    endpoints: Optional[VpcEndpoints] = None,
    secret: bool = False,
    depends_on: Sequence[pulumi.Resource] = (),
    alarm_actions: Sequence[pulumi.Input[str]] = (),
    container_insights: bool = True,
    namespace_arn: Optional[pulumi.Input[str]] = None,
) -> FargateServiceArgs:
    """One service's args. ``secret``: the stack holds ``fargate:services`` as a secret,
    so its environment values are marked secret (and with them the container definitions).
    ``namespace_arn``: the stack's Service Connect namespace, if it has one."""
    private = service.subnets == "private"
    # Private tasks wear the endpoints' client group and start once the endpoints exist.
    uses_endpoints = endpoints is not None and private
    deployment = service.deployment
    return FargateServiceArgs(
        cluster_arn=cluster_arn,
        cluster_name=cluster_name,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids if private else network.public_subnet_ids,
        load_balancer=load_balancer if service.kind == "web" else None,
        image=service.image,
        build=_build_args(service.build) if service.build is not None else None,
        cpu=service.cpu,
        memory=service.memory,
        container_port=service.container_port,
        desired_count=service.desired_count,
        assign_public_ip=service.assign_public_ip,
        health_check=_health_check_args(service.health_check),
        health_check_grace_period_seconds=service.health_check.grace_period_seconds,
        routing=RoutingArgs(
            path_patterns=list(service.routing.path_patterns),
            host_headers=list(service.routing.host_headers),
            priority=service.routing.priority,
        ),
        target_group=TargetGroupArgs(
            deregistration_delay_seconds=service.target_group.deregistration_delay_seconds,
            slow_start_seconds=service.target_group.slow_start_seconds,
            stickiness_seconds=service.target_group.stickiness.duration_seconds
            if service.target_group.stickiness
            else None,
        ),
        environment=_maybe_secret(secret, service.environment),
        secrets=dict(service.secrets),
        secrets_kms_key_arn=service.secrets_kms_key_arn,
        readonly_root_filesystem=service.readonly_root_filesystem,
        user=service.user,
        log_retention_days=service.log_retention_days,
        sidecars={name: _sidecar_args(sidecar, secret) for name, sidecar in service.sidecars.items()},
        deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
            enable=deployment.circuit_breaker, rollback=deployment.circuit_breaker
        ),
        deployment_minimum_healthy_percent=deployment.minimum_healthy_percent,
        deployment_maximum_percent=deployment.maximum_percent,
        deployment_strategy=deployment_strategy_args(service),
        alarms=alarms_args(service, alarm_actions, container_insights) if service.kind != "job" else None,
        autoscaling=autoscaling_args(service.autoscaling)
        if service.autoscaling is not None and service.kind != "worker"
        else None,
        exec_command=service.exec_command,
        cpu_architecture=service.cpu_architecture,  # type: ignore[arg-type]  # X86_64 or ARM64
        capacity_provider_strategies=[
            aws.ecs.ServiceCapacityProviderStrategyArgs(capacity_provider=provider, base=base, weight=weight)
            for provider, base, weight in service.capacity_providers.strategy()
        ]
        if service.capacity_providers
        else [],
        security_group_ids=[endpoints.client_security_group.id] if endpoints is not None and uses_endpoints else [],
        entry_point=service.entry_point,
        command=service.command,
        container_health_check=_container_health_check_args(service.container_health_check),
        stop_timeout_seconds=service.stop_timeout_seconds,
        ephemeral_storage_gib=service.ephemeral_storage_gib,
        container_depends_on=dict(service.depends_on),
        volumes={name: _volume_args(volume) for name, volume in service.volumes.items()},
        depends_on=[*([endpoints] if endpoints is not None and uses_endpoints else []), *depends_on],
        **_workload_args(service, namespace_arn),
    )


def _workload_args(service: ServiceConfig, namespace_arn: Optional[pulumi.Input[str]]) -> dict[str, Any]:
    """What the service's kind adds: Service Connect, its permissions, a worker's queue, a job's schedule."""
    # Every service but a job is a client of the namespace (RunTask cannot join it);
    # web and backend services publish themselves in it.
    connect = (
        ServiceConnectArgs(namespace_arn=namespace_arn, publish=service.kind in ("web", "backend"))
        if namespace_arn is not None and service.kind != "job"
        else None
    )
    queue = service.queue or QueueConfig() if service.kind == "worker" else None
    scaling = service.autoscaling if service.kind == "worker" else None
    return {
        "service_connect": connect,
        "permissions": [
            PermissionArgs(actions=list(p.actions), resources=list(p.resources), conditions=dict(p.conditions))
            for p in service.permissions
        ],
        "queue": WorkerQueueArgs(
            arn=queue.arn,
            visibility_timeout_seconds=queue.visibility_timeout_seconds,
            max_receive_count=queue.dead_letter.max_receive_count,
            scaling=BacklogScalingArgs(
                min_count=scaling.min_count,
                max_count=scaling.max_count,
                backlog_per_task=scaling.backlog_per_task,
                scale_out_cooldown_seconds=scaling.scale_out_cooldown_seconds,
                scale_in_cooldown_seconds=scaling.scale_in_cooldown_seconds,
            )
            if scaling is not None and scaling.backlog_per_task is not None
            else None,
        )
        if queue is not None
        else None,
        "schedule": JobScheduleArgs(
            expression=service.schedule,
            timezone=service.schedule_timezone,
            maximum_retry_attempts=service.retry_policy.maximum_attempts,
            maximum_event_age_seconds=service.retry_policy.maximum_event_age_seconds,
        )
        if service.kind == "job" and service.schedule is not None
        else None,
    }


# The config's strategy names as ECS's deploymentConfiguration.strategy spells them.
_ECS_STRATEGY: dict[str, Literal["BLUE_GREEN", "CANARY", "LINEAR"]] = {
    "blueGreen": "BLUE_GREEN",
    "canary": "CANARY",
    "linear": "LINEAR",
}


def deployment_strategy_args(service: ServiceConfig) -> Optional[DeploymentStrategyArgs]:
    """None for a rolling service (as before strategies existed)."""
    deployment = service.deployment
    if not deployment.shifts_traffic:
        return None
    return DeploymentStrategyArgs(
        strategy=_ECS_STRATEGY[deployment.strategy],
        canary_percent=deployment.canary_percent,
        canary_bake_minutes=deployment.canary_bake_minutes,
        step_percent=deployment.step_percent,
        step_bake_minutes=deployment.step_bake_minutes,
        bake_time_minutes=deployment.bake_time_minutes,
    )


def alarms_args(
    service: ServiceConfig, alarm_actions: Sequence[pulumi.Input[str]] = (), container_insights: bool = True
) -> Optional[AlarmsArgs]:
    """The service's alarms notifying ``alarm_actions`` (the stack's topic), or None when turned off;
    the tasks alarm only where Container Insights publishes the task counts."""
    alarms = service.alarms
    if not alarms.enabled:
        return None
    return AlarmsArgs(
        target_5xx_percent=alarms.target_5xx_percent,
        unhealthy_hosts=alarms.unhealthy_hosts,
        p99_latency_seconds=alarms.p99_latency_seconds,
        evaluation_periods=alarms.evaluation_periods,
        tasks_missing_minutes=alarms.tasks_missing_minutes,
        watch_tasks=container_insights,
        alarm_actions=list(alarm_actions),
        rollback=service.deployment.rollback_on_alarms,
    )


def autoscaling_args(scaling: AutoscalingConfig) -> AutoscalingArgs:
    steps = scaling.steps
    return AutoscalingArgs(
        min_count=scaling.min_count,
        max_count=scaling.max_count,
        cpu_target=scaling.cpu_target,
        memory_target=scaling.memory_target,
        requests_per_target=scaling.requests_per_target,
        scale_out_cooldown_seconds=scaling.scale_out_cooldown_seconds,
        scale_in_cooldown_seconds=scaling.scale_in_cooldown_seconds,
        steps=StepScalingArgs(
            metric=steps.metric,
            scale_out_above=steps.scale_out_above,
            scale_in_below=steps.scale_in_below,
            scale_out_by=steps.scale_out_by,
            scale_in_by=steps.scale_in_by,
            scale_out_steps=[
                ScaleOutStepArgs(above=s.above, scale_out_by=s.scale_out_by) for s in steps.scale_out_steps
            ],
            period_seconds=steps.period_seconds,
            scale_out_evaluation_periods=steps.scale_out_evaluation_periods,
            scale_in_evaluation_periods=steps.scale_in_evaluation_periods,
            scale_out_datapoints_to_alarm=steps.scale_out_datapoints_to_alarm,
            scale_in_datapoints_to_alarm=steps.scale_in_datapoints_to_alarm,
        )
        if steps is not None
        else None,
        schedules=[
            ScheduleArgs(
                name=s.name, schedule=s.schedule, min_count=s.min_count, max_count=s.max_count, timezone=s.timezone
            )
            for s in scaling.schedules
        ],
    )


def _health_check_args(health: HealthCheckConfig) -> aws.lb.TargetGroupHealthCheckArgs:
    return aws.lb.TargetGroupHealthCheckArgs(
        enabled=True,
        protocol="HTTP",
        port="traffic-port",
        path=health.path,
        matcher=health.matcher,
        interval=health.interval_seconds,
        timeout=health.timeout_seconds,
        healthy_threshold=health.healthy_threshold,
        unhealthy_threshold=health.unhealthy_threshold,
    )


def _sidecar_args(sidecar: SidecarConfig, secret: bool) -> SidecarArgs:
    return SidecarArgs(
        image=sidecar.image,
        cpu=sidecar.cpu,
        memory=sidecar.memory,
        essential=sidecar.essential,
        environment=_maybe_secret(secret, sidecar.environment),
        port_mappings=[
            PortMappingArgs(container_port=p.container_port, protocol=p.protocol) for p in sidecar.port_mappings
        ],
        command=sidecar.command,
        secrets=dict(sidecar.secrets),
        container_health_check=_container_health_check_args(sidecar.container_health_check),
    )


def _container_health_check_args(health: Optional[ContainerHealthCheckConfig]) -> Optional[ContainerHealthCheckArgs]:
    if health is None:
        return None
    return ContainerHealthCheckArgs(
        command=list(health.command),
        interval_seconds=health.interval_seconds,
        timeout_seconds=health.timeout_seconds,
        retries=health.retries,
        start_period_seconds=health.start_period_seconds,
    )


def _volume_args(volume: VolumeConfig) -> VolumeArgs:
    efs = volume.efs
    return VolumeArgs(
        efs=EfsVolumeArgs(
            file_system_id=efs.file_system_id, access_point_id=efs.access_point_id, root_directory=efs.root_directory
        ),
        mount_path=volume.mount_path,
        read_only=volume.read_only,
    )


def _build_args(build: BuildConfig) -> ContainerImageArgs:
    return ContainerImageArgs(
        context=build.context,
        dockerfile=build.dockerfile_path,
        target=build.target,
        args=dict(build.args),
        platform=build.platform,
    )


def _maybe_secret(secret: bool, variables: dict[str, str]) -> dict[str, pulumi.Input[str]]:
    return {key: pulumi.Output.secret(value) if secret else value for key, value in variables.items()}


def alarm_actions(config: StackConfig, topic: Optional[AlarmTopic]) -> list[pulumi.Input[str]]:
    """What every alarm notifies: the stack's own topic, the one ``fargate:alarms.snsTopicArn`` names, or nothing."""
    if topic is not None:
        return [topic.topic_arn]
    return [config.alarms.sns_topic_arn] if config.alarms and config.alarms.sns_topic_arn else []


def dashboard_args(
    cluster: Cluster, load_balancer: LoadBalancer, services: Mapping[str, FargateService]
) -> DashboardArgs:
    """The stack's dashboard: a row per ECS service, in the stack file's order (a job runs
    scheduled tasks, no service whose CPU, memory and task count ECS reports)."""
    return DashboardArgs(
        cluster_name=cluster.name,
        load_balancer_arn_suffix=load_balancer.arn_suffix,
        services=[
            DashboardServiceArgs(
                name=name,
                service_name=service.service_name,
                target_group_arn_suffixes=service.target_group_arn_suffixes,
            )
            for name, service in services.items()
            if service.job is None
        ],
    )
