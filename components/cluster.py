"""Cluster: the ECS cluster the services run in (walkthrough steps 1-3).

When a service places tasks through capacity providers (Fargate Spot), the
cluster offers FARGATE and FARGATE_SPOT, and ``capacity_providers`` is the
association those services wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from . import name_tag
from .config.stack import ClusterConfig


@dataclass
class ClusterArgs:
    config: ClusterConfig
    # Capacity providers to associate; none leaves the cluster as created
    # (services then use launch type FARGATE).
    capacity_providers: Sequence[str] = ()


class Cluster(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    capacity_providers: Optional[aws.ecs.ClusterCapacityProviders] = None

    def __init__(self, name: str, args: ClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:ecs:Cluster", name, None, opts)
        cluster = aws.ecs.Cluster(
            f"{name}",
            settings=[aws.ecs.ClusterSettingArgs(
                name="containerInsights",
                value="enabled" if args.config.container_insights else "disabled",
            )],
            tags=name_tag("cluster"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        if args.capacity_providers:
            # No default strategy: each service states its own, and services
            # without one keep launch type FARGATE.
            self.capacity_providers = aws.ecs.ClusterCapacityProviders(
                f"{name}",
                cluster_name=cluster.name,
                capacity_providers=list(args.capacity_providers),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.arn = cluster.arn
        self.name = cluster.name
        self.register_outputs({"arn": self.arn, "name": self.name})
