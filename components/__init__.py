"""Our ComponentResources, one module per concern, each taking ``(name, args, opts)``.

``__main__.py`` composes them from the stack config (through
``components/mapping.py``); another program can compose them from Python
directly (docs/components.md). The components never read the
stack config.

The names below load on first use (PEP 562): ``from components import
FargateService`` imports the component layer, and pulumi_aws with it, while
``import components.config`` (the stack-config schema, a sub-package) loads
neither pulumi nor pulumi_aws.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .alarms import AlarmsArgs, AlarmTopic, AlarmTopicArgs, ServiceAlarms, ServiceAlarmsArgs
    from .autoscaling import (
        AutoscalingArgs,
        ScaleOutStepArgs,
        ScheduleArgs,
        ServiceAutoscaling,
        ServiceAutoscalingArgs,
        StepScalingArgs,
    )
    from .cluster import Cluster, ClusterArgs
    from .container_args import ContainerHealthCheckArgs, EfsVolumeArgs, VolumeArgs
    from .dashboard import DashboardArgs, DashboardServiceArgs, StackDashboard
    from .deployment import DeploymentStrategyArgs
    from .domain import Domain, DomainArgs
    from .endpoints import VpcEndpoints, VpcEndpointsArgs
    from .image import ContainerImage, ContainerImageArgs
    from .job import JobScheduleArgs, ScheduledJob, ScheduledJobArgs
    from .load_balancer import LoadBalancer, LoadBalancerArgs
    from .naming import name_tag
    from .network import Network, NetworkArgs
    from .routing import RoutingArgs, derived_priority
    from .service import FargateService
    from .service_args import FargateServiceArgs, PermissionArgs, PortMappingArgs, ServiceConnectArgs, SidecarArgs
    from .service_connect import ServiceConnectNamespace, ServiceConnectNamespaceArgs
    from .target_group import TargetGroupArgs
    from .validation import ArgsError
    from .waf import Firewall, FirewallArgs, WafArgs
    from .worker import BacklogScalingArgs, QueueBacklogScaling, QueueBacklogScalingArgs, WorkerQueue, WorkerQueueArgs

# Public name -> the module that defines it.
_MODULES = {
    "AlarmTopic": "alarms",
    "AlarmTopicArgs": "alarms",
    "AlarmsArgs": "alarms",
    "ArgsError": "validation",
    "AutoscalingArgs": "autoscaling",
    "BacklogScalingArgs": "worker",
    "Cluster": "cluster",
    "ClusterArgs": "cluster",
    "ContainerHealthCheckArgs": "container_args",
    "ContainerImage": "image",
    "ContainerImageArgs": "image",
    "DashboardArgs": "dashboard",
    "DashboardServiceArgs": "dashboard",
    "DeploymentStrategyArgs": "deployment",
    "Domain": "domain",
    "DomainArgs": "domain",
    "EfsVolumeArgs": "container_args",
    "FargateService": "service",
    "FargateServiceArgs": "service_args",
    "Firewall": "waf",
    "FirewallArgs": "waf",
    "JobScheduleArgs": "job",
    "LoadBalancer": "load_balancer",
    "LoadBalancerArgs": "load_balancer",
    "Network": "network",
    "NetworkArgs": "network",
    "PermissionArgs": "service_args",
    "PortMappingArgs": "service_args",
    "QueueBacklogScaling": "worker",
    "QueueBacklogScalingArgs": "worker",
    "RoutingArgs": "routing",
    "ScaleOutStepArgs": "autoscaling",
    "ScheduleArgs": "autoscaling",
    "ScheduledJob": "job",
    "ScheduledJobArgs": "job",
    "ServiceAlarms": "alarms",
    "ServiceAlarmsArgs": "alarms",
    "ServiceAutoscaling": "autoscaling",
    "ServiceAutoscalingArgs": "autoscaling",
    "ServiceConnectArgs": "service_args",
    "ServiceConnectNamespace": "service_connect",
    "ServiceConnectNamespaceArgs": "service_connect",
    "SidecarArgs": "service_args",
    "StackDashboard": "dashboard",
    "StepScalingArgs": "autoscaling",
    "TargetGroupArgs": "target_group",
    "VolumeArgs": "container_args",
    "VpcEndpoints": "endpoints",
    "VpcEndpointsArgs": "endpoints",
    "WafArgs": "waf",
    "WorkerQueue": "worker",
    "WorkerQueueArgs": "worker",
    "derived_priority": "routing",
    "name_tag": "naming",
}

__all__ = [
    "AlarmTopic",
    "AlarmTopicArgs",
    "AlarmsArgs",
    "ArgsError",
    "AutoscalingArgs",
    "BacklogScalingArgs",
    "Cluster",
    "ClusterArgs",
    "ContainerHealthCheckArgs",
    "ContainerImage",
    "ContainerImageArgs",
    "DashboardArgs",
    "DashboardServiceArgs",
    "DeploymentStrategyArgs",
    "Domain",
    "DomainArgs",
    "EfsVolumeArgs",
    "FargateService",
    "FargateServiceArgs",
    "Firewall",
    "FirewallArgs",
    "JobScheduleArgs",
    "LoadBalancer",
    "LoadBalancerArgs",
    "Network",
    "NetworkArgs",
    "PermissionArgs",
    "PortMappingArgs",
    "QueueBacklogScaling",
    "QueueBacklogScalingArgs",
    "RoutingArgs",
    "ScaleOutStepArgs",
    "ScheduleArgs",
    "ScheduledJob",
    "ScheduledJobArgs",
    "ServiceAlarms",
    "ServiceAlarmsArgs",
    "ServiceAutoscaling",
    "ServiceAutoscalingArgs",
    "ServiceConnectArgs",
    "ServiceConnectNamespace",
    "ServiceConnectNamespaceArgs",
    "SidecarArgs",
    "StackDashboard",
    "StepScalingArgs",
    "TargetGroupArgs",
    "VolumeArgs",
    "VpcEndpoints",
    "VpcEndpointsArgs",
    "WafArgs",
    "WorkerQueue",
    "WorkerQueueArgs",
    "derived_priority",
    "name_tag",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Not cached here: a run of the preflight forgets the program's modules when it
    # ends, and the next run must get the classes of the modules it imports again.
    return getattr(importlib.import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
