"""Reading an ECS Express Mode service (`aws.ecs.ExpressGatewayService`, pulumi-aws 7).

ECS builds the task definition, service, load balancer and security groups of an Express
service itself, so none of them is a resource of the stack: the rules that judge those
(task size, secrets in the environment, the task and execution roles, subnets, ingress)
read the Express service's own inputs instead, in the shapes these helpers give them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._props import get_list

# CreateExpressGatewayService: cpu is a power of 2 from 256 to 4096 (default 1024) and
# memory 2048 by default; a pair must be one Fargate offers.
EXPRESS_TASK_CPU = (256, 512, 1024, 2048, 4096)
EXPRESS_DEFAULT_CPU = "1024"
EXPRESS_DEFAULT_MEMORY = "2048"
# The engine's property paths of its network configuration (a list of one block).
NETWORK_CONFIGURATION = "networkConfigurations"


def express_container(props: Any) -> Mapping[str, Any]:
    """The primary container as a container definition: its name and `environment` entries.

    The Express service's `primaryContainer.environments` are `{name, value}` like a
    definition's `environment`; values the program marked secret stay marked."""
    entries = [entry for entry in get_list(props, "primaryContainer", "environments") if isinstance(entry, Mapping)]
    return {"name": "primaryContainer", "environment": entries}
