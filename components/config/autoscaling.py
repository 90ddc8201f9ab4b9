"""Autoscaling config (fargate:services.<name>.autoscaling).

IN PROGRESS (issue 5): this placeholder fixes the model's name and location so
the service config can refer to it; the autoscaling work fills in the fields.
"""

from __future__ import annotations

from pydantic import Field

from .base import ConfigModel


class AutoscalingConfig(ConfigModel):
    min_count: int = Field(1, ge=0)
    max_count: int = Field(1, ge=1)

    def clamp(self, desired_count: int) -> int:
        """The initial desired count, clamped into [minCount, maxCount]."""
        return max(self.min_count, min(self.max_count, desired_count))
