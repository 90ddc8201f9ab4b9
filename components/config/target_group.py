"""Target group config (``fargate:services.<name>.targetGroup``): how the ALB lets go of a task,
warms up a new one, and keeps a client on one task."""

from __future__ import annotations

from typing import Optional

from pydantic import Field, field_validator

from ..edge_limits import DEREGISTRATION_DELAY_RANGE, SLOW_START_RANGE, STICKINESS_DURATION_RANGE
from .base import ConfigModel


class StickinessConfig(ConfigModel):
    # A day: a client's session outlives a visit, and a task replaced by a deploy ends it anyway.
    duration_seconds: int = Field(
        86400,
        ge=STICKINESS_DURATION_RANGE[0],
        le=STICKINESS_DURATION_RANGE[1],
        description="how long the ALB's cookie (`AWSALB`) keeps a client on one task (a day: longer than a "
        "visit; a deploy ends it anyway)",
    )


class TargetGroupConfig(ConfigModel):
    # ELB's default of 300 s makes every deploy wait five minutes per task; a minute is
    # enough for in-flight HTTP requests to finish (what this project has always set).
    deregistration_delay_seconds: int = Field(
        60,
        ge=DEREGISTRATION_DELAY_RANGE[0],
        le=DEREGISTRATION_DELAY_RANGE[1],
        description="how long a stopping task keeps its in-flight requests before the ALB drops it (ELB's "
        "300 s default makes each deploy wait five minutes; a minute is enough for HTTP requests; "
        "[target groups](#target-groups-draining-slow-start-stickiness))",
    )
    # Off: a new task gets its full share at once, as most apps that passed their health check can take.
    slow_start_seconds: int = Field(
        0,
        description="ramp a new task's share of requests up over this time (JIT-compiled or cache-warming apps); "
        "0 is off",
        json_schema_extra={"yamlType": "0, or 30-900 seconds"},
    )
    # None: no stickiness; any task takes any request, which spreads load evenly.
    stickiness: Optional[StickinessConfig] = Field(
        None,
        description="keep each client on one task with the ALB's cookie (apps with in-memory sessions); "
        "off: requests spread evenly",
        json_schema_extra={"yamlDefault": "none (off)"},
    )

    @field_validator("slow_start_seconds")
    @classmethod
    def _slow_start(cls, value: int) -> int:
        first, last = SLOW_START_RANGE
        if value != 0 and not first <= value <= last:
            raise ValueError(f"0 (off) or {first}-{last} seconds (the ALB's range)")
        return value
