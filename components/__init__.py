"""Our ComponentResources, one module per concern, each taking ``(name, args, opts)``.

``__main__.py`` composes them from the stack config (through
``components/config/mapping.py``); another program can compose them from
Python directly (README: "Reusing the components"). The components never read
the stack config.
"""

from .autoscaling import (
    AutoscalingArgs,
    ScaleOutStepArgs,
    ScheduleArgs,
    ServiceAutoscaling,
    ServiceAutoscalingArgs,
    StepScalingArgs,
)
from .cluster import Cluster, ClusterArgs
from .endpoints import VpcEndpoints, VpcEndpointsArgs
from .image import ContainerImage, ContainerImageArgs
from .load_balancer import LoadBalancer, LoadBalancerArgs
from .naming import name_tag
from .network import Network, NetworkArgs
from .routing import RoutingArgs, derived_priority
from .service import FargateService, FargateServiceArgs, PortMappingArgs, SidecarArgs
from .validation import ArgsError

__all__ = [
    "ArgsError",
    "AutoscalingArgs",
    "Cluster",
    "ClusterArgs",
    "ContainerImage",
    "ContainerImageArgs",
    "FargateService",
    "FargateServiceArgs",
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
    "VpcEndpoints",
    "VpcEndpointsArgs",
    "derived_priority",
    "name_tag",
]
