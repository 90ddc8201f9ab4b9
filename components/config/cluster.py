"""Cluster config (``fargate:cluster``)."""

from __future__ import annotations

from pydantic import Field

from .base import ConfigModel


class ClusterConfig(ConfigModel):
    # On: per-task CPU/memory metrics are what you look at when scaling misbehaves.
    # It costs extra CloudWatch metrics; set false for throwaway stacks.
    container_insights: bool = Field(True, description="per-task CPU/memory metrics (extra CloudWatch cost)")
