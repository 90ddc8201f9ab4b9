"""TargetGroupArgs: how the ALB treats a service's tasks as targets: how long a stopping
task keeps its requests, how a new one warms up, whether a client stays on one task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi_aws as aws

from .edge_limits import DEREGISTRATION_DELAY_RANGE, SLOW_START_RANGE, STICKINESS_DURATION_RANGE
from .validation import check, check_range


@dataclass(kw_only=True)
class TargetGroupArgs:
    # ELB's 300 s default makes every deploy wait five minutes per task; a minute is enough
    # for in-flight HTTP requests to finish.
    deregistration_delay_seconds: int = 60
    # 0: off, a new task gets its full share at once. 30-900 ramps it up over that time.
    slow_start_seconds: int = 0
    # None: no stickiness, requests spread evenly. Seconds the ALB's cookie keeps a client
    # on one task (lb_cookie).
    stickiness_seconds: Optional[int] = None

    def validate(self, owner: str) -> None:
        check_range(
            f"{owner}.deregistration_delay_seconds",
            self.deregistration_delay_seconds,
            *DEREGISTRATION_DELAY_RANGE,
            "a deregistration delay",
        )
        first, last = SLOW_START_RANGE
        check(
            f"{owner}.slow_start_seconds",
            self.slow_start_seconds,
            self.slow_start_seconds == 0 or first <= self.slow_start_seconds <= last,
            "a slow start duration",
            f"0 (off) or {first} to {last}",
        )
        if self.stickiness_seconds is not None:
            check_range(
                f"{owner}.stickiness_seconds", self.stickiness_seconds, *STICKINESS_DURATION_RANGE, "a cookie duration"
            )

    @property
    def stickiness(self) -> Optional[aws.lb.TargetGroupStickinessArgs]:
        """The ALB's own cookie; None leaves the provider's default (off) as earlier stacks had it."""
        if self.stickiness_seconds is None:
            return None
        return aws.lb.TargetGroupStickinessArgs(type="lb_cookie", enabled=True, cookie_duration=self.stickiness_seconds)
