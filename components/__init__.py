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
    from .domain import Domain, DomainArgs
    from .endpoints import VpcEndpoints, VpcEndpointsArgs
    from .image import ContainerImage, ContainerImageArgs
    from .load_balancer import LoadBalancer, LoadBalancerArgs
    from .naming import name_tag
    from .network import Network, NetworkArgs
    from .routing import RoutingArgs, derived_priority
    from .service import FargateService
    from .service_args import FargateServiceArgs, PortMappingArgs, SidecarArgs
    from .target_group import TargetGroupArgs
    from .validation import ArgsError
    from .waf import Firewall, FirewallArgs, WafArgs

# Public name -> the module that defines it.
_MODULES = {
    "ArgsError": "validation",
    "AutoscalingArgs": "autoscaling",
    "Cluster": "cluster",
    "ClusterArgs": "cluster",
    "ContainerImage": "image",
    "ContainerImageArgs": "image",
    "Domain": "domain",
    "DomainArgs": "domain",
    "ContainerHealthCheckArgs": "container_args",
    "EfsVolumeArgs": "container_args",
    "FargateService": "service",
    "FargateServiceArgs": "service_args",
    "Firewall": "waf",
    "FirewallArgs": "waf",
    "LoadBalancer": "load_balancer",
    "LoadBalancerArgs": "load_balancer",
    "Network": "network",
    "NetworkArgs": "network",
    "PortMappingArgs": "service_args",
    "RoutingArgs": "routing",
    "ScaleOutStepArgs": "autoscaling",
    "ScheduleArgs": "autoscaling",
    "ServiceAutoscaling": "autoscaling",
    "ServiceAutoscalingArgs": "autoscaling",
    "SidecarArgs": "service_args",
    "StepScalingArgs": "autoscaling",
    "TargetGroupArgs": "target_group",
    "VolumeArgs": "container_args",
    "VpcEndpoints": "endpoints",
    "VpcEndpointsArgs": "endpoints",
    "WafArgs": "waf",
    "derived_priority": "routing",
    "name_tag": "naming",
}

__all__ = [
    "ArgsError",
    "AutoscalingArgs",
    "Cluster",
    "ClusterArgs",
    "ContainerImage",
    "ContainerImageArgs",
    "Domain",
    "DomainArgs",
    "ContainerHealthCheckArgs",
    "EfsVolumeArgs",
    "FargateService",
    "FargateServiceArgs",
    "Firewall",
    "FirewallArgs",
    "LoadBalancer",
    "LoadBalancerArgs",
    "Network",
    "NetworkArgs",
    "PortMappingArgs",
    "RoutingArgs",
    "ScaleOutStepArgs",
    "ScheduleArgs",
    "ServiceAutoscaling",
    "ServiceAutoscalingArgs",
    "SidecarArgs",
    "StepScalingArgs",
    "TargetGroupArgs",
    "VolumeArgs",
    "VpcEndpoints",
    "VpcEndpointsArgs",
    "WafArgs",
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
