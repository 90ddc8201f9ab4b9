"""Cluster: the ECS cluster the services run in (walkthrough steps 1-3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from . import name_tag
from .config.stack import ClusterConfig


@dataclass
class ClusterArgs:
    config: ClusterConfig


class Cluster(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

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
        self.arn = cluster.arn
        self.name = cluster.name
        self.register_outputs({"arn": self.arn, "name": self.name})
