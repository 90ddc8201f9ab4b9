"""Cluster: the ECS cluster the services run in (walkthrough steps 1-3).

When a service places tasks through capacity providers (Fargate Spot), the
cluster offers FARGATE and FARGATE_SPOT, and ``capacity_providers`` is the
association those services wait for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .naming import name_tag
from .validation import check

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@dataclass(kw_only=True)
class ClusterArgs:
    # On: per-task CPU/memory metrics are what you look at when scaling
    # misbehaves. It costs extra CloudWatch metrics; off for throwaway stacks.
    container_insights: bool = True
    # None associated: the cluster stays as created, and services use launch type FARGATE.
    capacity_providers: Sequence[str] = ()

    def validate(self) -> None:
        for provider in self.capacity_providers:
            check(
                "ClusterArgs.capacity_providers",
                provider,
                provider in FARGATE_PROVIDERS,
                "a Fargate capacity provider",
                ", ".join(FARGATE_PROVIDERS),
            )


class Cluster(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    capacity_providers: Optional[aws.ecs.ClusterCapacityProviders] = None

    def __init__(self, name: str, args: Optional[ClusterArgs] = None, opts: Optional[pulumi.ResourceOptions] = None):
        args = args or ClusterArgs()
        args.validate()
        super().__init__("fargate:ecs:Cluster", name, None, opts)
        cluster = aws.ecs.Cluster(
            f"{name}",
            settings=[
                aws.ecs.ClusterSettingArgs(
                    name="containerInsights",
                    value="enabled" if args.container_insights else "disabled",
                )
            ],
            tags=name_tag(name),
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
