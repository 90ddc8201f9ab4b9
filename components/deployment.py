"""ECS's own blue/green, canary and linear deployments: the args, and the role ECS moves traffic with.

A service deployed with one of them runs its new release beside the old one
behind a second ("alternate") target group; ECS shifts the production listener
rule's weights from one group to the other (at once, a share first, or in
steps), waits ``bake_time_minutes`` and stops the old tasks. To do it, ECS
assumes a role of the service's own that may change that one rule and
(de)register targets of those two groups only (``deployment_role_policy``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from .iam import policy, statement
from .validation import check, check_one_of, check_range

# ECS's principal for the infrastructure roles it assumes (not ecs-tasks).
ECS_PRINCIPAL = "ecs.amazonaws.com"
# The ELB calls of AWS's AmazonECSInfrastructureRolePolicyForLoadBalancers that a
# listener-rule blue/green deployment makes. The Describe calls take no resource
# (IAM: "*" only); the others are granted on this service's rule and target groups.
DESCRIBE_ACTIONS = [
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
]
RULE_ACTIONS = ["elasticloadbalancing:ModifyRule"]
TARGET_GROUP_ACTIONS = ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]


@dataclass(kw_only=True)
class DeploymentStrategyArgs:
    """A deployment strategy other than rolling, each default with its reason."""

    strategy: Literal["BLUE_GREEN", "CANARY", "LINEAR"]
    # CANARY: a tenth of the requests meet the new release first, for ten minutes
    # (long enough for three-period alarms to judge it).
    canary_percent: float = 10.0
    canary_bake_minutes: int = 10
    # LINEAR: ten steps of a tenth, five minutes apart.
    step_percent: float = 10.0
    step_bake_minutes: int = 5
    # The old release keeps running ten minutes after the shift: a rollback in
    # that time is a switch of the rule back, without starting tasks.
    bake_time_minutes: int = 10

    def validate(self, owner: str) -> None:
        check_one_of(f"{owner}.strategy", self.strategy, ("BLUE_GREEN", "CANARY", "LINEAR"), "an ECS strategy")
        check(
            f"{owner}.canary_percent",
            self.canary_percent,
            0.1 <= self.canary_percent <= 100,
            "a canary share",
            "0.1 to 100 (ECS's range)",
        )
        check(
            f"{owner}.step_percent",
            self.step_percent,
            3 <= self.step_percent <= 100,
            "a linear step",
            "3 to 100 (ECS's range)",
        )
        for field in ("canary_bake_minutes", "step_bake_minutes", "bake_time_minutes"):
            check_range(f"{owner}.{field}", getattr(self, field), 0, 1440, "a bake time in minutes")

    def configuration(self) -> aws.ecs.ServiceDeploymentConfigurationArgs:
        """The service's deploymentConfiguration (ECS takes the minutes as strings)."""
        return aws.ecs.ServiceDeploymentConfigurationArgs(
            strategy=self.strategy,
            bake_time_in_minutes=str(self.bake_time_minutes),
            canary_configuration=aws.ecs.ServiceDeploymentConfigurationCanaryConfigurationArgs(
                canary_percent=self.canary_percent, canary_bake_time_in_minutes=str(self.canary_bake_minutes)
            )
            if self.strategy == "CANARY"
            else None,
            linear_configuration=aws.ecs.ServiceDeploymentConfigurationLinearConfigurationArgs(
                step_percent=self.step_percent, step_bake_time_in_minutes=str(self.step_bake_minutes)
            )
            if self.strategy == "LINEAR"
            else None,
        )


def deployment_role_policy(
    listener_rule_arn: pulumi.Input[str], target_group_arns: list[pulumi.Input[str]]
) -> pulumi.Output[str]:
    """What ECS may do with the load balancer during this service's deployments, and nothing else."""
    return pulumi.Output.json_dumps(
        policy(
            statement(sid="ReadLoadBalancing", actions=DESCRIBE_ACTIONS, resources="*"),
            statement(sid="ShiftProductionRule", actions=RULE_ACTIONS, resources=[listener_rule_arn]),
            statement(sid="MoveTargets", actions=TARGET_GROUP_ACTIONS, resources=list(target_group_arns)),
        )
    )
