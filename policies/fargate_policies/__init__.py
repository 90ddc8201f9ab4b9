"""The Fargate/ALB policy rules, importable without starting a policy pack server.

`policies/__main__.py` builds the `PolicyPack` from `all_policies()`; the engine runs
it with the pack directory on `sys.path` (`import fargate_policies`), tests import
`policies.fargate_policies` from the repository root. Everything inside this package
uses relative imports so both work.
"""

from __future__ import annotations

from pulumi_policy import Policy

from . import alb, deployments, ec2, ecr, ecs, efs, iam, logs, network, scaling, workloads
from ._policy import Rule

PACK_NAME = "fargate-alb"


def all_rules() -> list[Rule]:
    """Every rule of the pack, with its default level and documentation."""
    return [
        *ecs.RULES,
        *deployments.RULES,
        *network.RULES,
        *alb.RULES,
        *iam.RULES,
        *scaling.RULES,
        *logs.RULES,
        iam.NO_MANAGED_POLICY_ON_TASK_ROLES,
        network.VPC_FLOW_LOGS,
        *ec2.RULES,
        *ecr.RULES,
        *workloads.RULES,
        *efs.RULES,
    ]


def all_policies() -> list[Policy]:
    """Every rule as a pulumi-policy `Policy`, for the `PolicyPack`."""
    return [rule.policy() for rule in all_rules()]
