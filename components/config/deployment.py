"""How a service's new release takes traffic (``fargate:services.<name>.deployment``): ECS's own strategies.

``rolling`` (the default) replaces tasks in place, as every service did before;
``blueGreen``, ``canary`` and ``linear`` start the new release beside the old one
behind a second target group and move the production listener rule's traffic to
it (all at once, a share first, or in steps), keeping the old tasks for
``bakeTimeMinutes`` so that a rollback is a switch back, not a redeploy.
The ranges are ECS's (``DeploymentConfiguration``, ``CanaryConfiguration``,
``LinearConfiguration``).
"""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import Field, model_validator

from .base import ConfigModel, errors_at, usable

Strategy = Literal["rolling", "blueGreen", "canary", "linear"]

# ECS's limit on every bake time.
MAX_BAKE_MINUTES = 1440
# The keys only one strategy reads.
_STRATEGY_KEYS = {
    "canary_percent": ("canaryPercent", "canary"),
    "canary_bake_minutes": ("canaryBakeMinutes", "canary"),
    "step_percent": ("stepPercent", "linear"),
    "step_bake_minutes": ("stepBakeMinutes", "linear"),
}


class StrategyConfig(ConfigModel):
    """The strategy fields of ``deployment`` (``DeploymentConfig`` adds the rolling ones)."""

    # Rolling: today's behaviour, no second target group, no role for ECS.
    strategy: Strategy = Field(
        "rolling",
        description="`rolling` replaces tasks in place; `blueGreen`, `canary` and `linear` start the new release beside the old one behind a second target group and shift the listener rule's traffic to it ([deployments](#deployment-strategies))",
    )
    # A tenth of the requests meet the new release first: enough to trip the 5xx
    # alarm, few enough to spare most users.
    canary_percent: float = Field(
        10.0,
        ge=0.1,
        le=100,
        description="with `canary`: the share of traffic the new release gets first (ECS: 0.1-100)",
    )
    # Long enough for the alarms (3 one-minute periods by default) to judge the canary.
    canary_bake_minutes: int = Field(
        10,
        ge=0,
        le=MAX_BAKE_MINUTES,
        description="with `canary`: minutes the canary share runs before all traffic moves",
    )
    # Ten steps of a tenth: the shift takes stepBakeMinutes x 10.
    step_percent: float = Field(
        10.0, ge=3, le=100, description="with `linear`: the share of traffic moved at each step (ECS: 3-100)"
    )
    # Enough for the alarms to judge each step.
    step_bake_minutes: int = Field(5, ge=0, le=MAX_BAKE_MINUTES, description="with `linear`: minutes between two steps")
    # The old tasks stay ten minutes after the shift: a rollback in that time is
    # a switch of the listener rule back, without starting tasks.
    bake_time_minutes: int = Field(
        10,
        ge=0,
        le=MAX_BAKE_MINUTES,
        description="with `blueGreen`, `canary` or `linear`: minutes the old release keeps running after all traffic moved, ready to take it back (its tasks are billed meanwhile)",
    )
    # On: a release whose alarms fire is rolled back, whatever the strategy.
    rollback_on_alarms: bool = Field(
        True,
        description="hand the service's alarms to ECS's deployment alarms: a release during which one fires is rolled back ([alarms](#alarms-and-rollback))",
    )

    @model_validator(mode="after")
    def _keys_of_the_strategy(self) -> StrategyConfig:
        """A key of another strategy is a mistake (`canaryPercent` with `linear`), not a setting."""
        if not usable("strategy"):
            return self
        problems: list[tuple[tuple, Any, Optional[str]]] = [
            ((key,), getattr(self, field), f"only with strategy '{owner}' (the strategy is '{self.strategy}')")
            for field, (key, owner) in _STRATEGY_KEYS.items()
            if field in self.model_fields_set and self.strategy != owner
        ]
        if "bake_time_minutes" in self.model_fields_set and self.strategy == "rolling":
            problems.append(
                (
                    ("bakeTimeMinutes",),
                    self.bake_time_minutes,
                    "only with strategy 'blueGreen', 'canary' or 'linear' (a rolling deployment keeps no old release)",
                )
            )
        errors_at("deployment", problems)
        return self

    @property
    def shifts_traffic(self) -> bool:
        """Whether the strategy runs two releases behind two target groups."""
        return self.strategy != "rolling"


def strategy_problems(
    kind: str, deployment: StrategyConfig, alarms_enabled: bool
) -> list[tuple[tuple, Any, Optional[str]]]:
    """The service's rules on its deployment: a strategy only where there is traffic to shift,
    and rollback on alarms only with alarms to roll back on."""
    problems: list[tuple[tuple, Any, Optional[str]]] = []
    if kind != "web" and deployment.shifts_traffic:
        problems.append(
            (
                ("deployment", "strategy"),
                deployment.strategy,
                f"'rolling' for a {kind} (blueGreen, canary and linear shift a load balancer's traffic; a {kind} has none)",
            )
        )
    if "rollback_on_alarms" in deployment.model_fields_set and deployment.rollback_on_alarms and not alarms_enabled:
        problems.append(
            (
                ("deployment", "rollbackOnAlarms"),
                True,
                "false while alarms.enabled is false (there are no alarms to roll back on)",
            )
        )
    return problems


def traffic_tracking_problems(
    deployment: StrategyConfig, requests_per_target: float
) -> list[tuple[tuple, Any, Optional[str]]]:
    """Target tracking on ALB requests per target reads one target group; a traffic-shifting
    strategy moves the traffic to the other group at every deployment, where it would read 0."""
    if not deployment.shifts_traffic:
        return []
    return [
        (
            ("autoscaling", "requestsPerTarget"),
            requests_per_target,
            f"left out with deployment.strategy '{deployment.strategy}': it tracks one target group, and every "
            "deployment moves the traffic to the other (scale on cpuTarget or memoryTarget instead)",
        )
    ]
