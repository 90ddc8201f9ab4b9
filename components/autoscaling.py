"""Service autoscaling (issue 5). IN PROGRESS: interface fixed, body to come."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from .config.autoscaling import AutoscalingConfig


@dataclass
class ServiceAutoscalingArgs:
    config: AutoscalingConfig
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    # For ALBRequestCountPerTarget: the resource label is
    # "<load_balancer_arn_suffix>/<target_group_arn_suffix>".
    load_balancer_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]


class ServiceAutoscaling(pulumi.ComponentResource):
    def __init__(self, name: str, args: ServiceAutoscalingArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:autoscaling:ServiceAutoscaling", name, None, opts)
        self.register_outputs({})
