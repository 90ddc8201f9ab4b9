"""One CloudWatch dashboard per stack: each service's requests, 5xx, latency, CPU, memory and tasks.

A row of six graphs per service, in the order of ``DashboardArgs.services``:
the load balancer's view of its target groups (requests, target 5xx, p50/p99
response time; a blue/green service's two groups side by side) and ECS's view
of its tasks (CPU and memory utilisation, running against desired tasks from
Container Insights). ``url`` opens it in the console.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from .naming import qualified_name

_ALB = "AWS/ApplicationELB"
# Six graphs of 4 x 6 units fill the dashboard's 24-unit width.
_WIDTH, _HEIGHT = 4, 6


@dataclass(kw_only=True)
class DashboardServiceArgs:
    # The name the stack knows it by: the row's title.
    name: str
    service_name: pulumi.Input[str]
    # Empty for a service without a load balancer: its row shows the tasks only.
    target_group_arn_suffixes: Sequence[pulumi.Input[str]] = ()


@dataclass(kw_only=True)
class DashboardArgs:
    cluster_name: pulumi.Input[str]
    load_balancer_arn_suffix: pulumi.Input[str]
    services: Sequence[DashboardServiceArgs] = field(default_factory=list)


def _graph(title: str, metrics: list[list[Any]], region: pulumi.Input[str], y: int, x: int, stat: str) -> dict:
    return {
        "type": "metric",
        "x": x * _WIDTH,
        "y": y,
        "width": _WIDTH,
        "height": _HEIGHT,
        "properties": {
            "title": title,
            "view": "timeSeries",
            "region": region,
            "stat": stat,
            "period": 60,
            "metrics": metrics,
        },
    }


def service_widgets(
    service: DashboardServiceArgs,
    cluster_name: pulumi.Input[str],
    load_balancer: pulumi.Input[str],
    region: pulumi.Input[str],
    row: int,
) -> list[dict]:
    """The six graphs of one service, at the dashboard's ``row`` (in grid units)."""
    y = row * _HEIGHT

    def by_target_group(metric: str, **options: Any) -> list[list[Any]]:
        return [
            [_ALB, metric, "TargetGroup", group, "LoadBalancer", load_balancer, options]
            for group in service.target_group_arn_suffixes
        ]

    tasks = ["ClusterName", cluster_name, "ServiceName", service.service_name]
    widgets = [
        _graph(f"{service.name}: CPU %", [["AWS/ECS", "CPUUtilization", *tasks]], region, y, 3, "Average"),
        _graph(f"{service.name}: memory %", [["AWS/ECS", "MemoryUtilization", *tasks]], region, y, 4, "Average"),
        _graph(
            f"{service.name}: tasks",
            [
                ["ECS/ContainerInsights", "RunningTaskCount", *tasks, {"label": "running"}],
                ["ECS/ContainerInsights", "DesiredTaskCount", *tasks, {"label": "desired"}],
            ],
            region,
            y,
            5,
            "Maximum",
        ),
    ]
    if service.target_group_arn_suffixes:
        widgets[:0] = [
            _graph(f"{service.name}: requests", by_target_group("RequestCount"), region, y, 0, "Sum"),
            _graph(f"{service.name}: target 5xx", by_target_group("HTTPCode_Target_5XX_Count"), region, y, 1, "Sum"),
            _graph(
                f"{service.name}: response time (s)",
                [
                    *by_target_group("TargetResponseTime", stat="p50", label="p50"),
                    *by_target_group("TargetResponseTime", stat="p99", label="p99"),
                ],
                region,
                y,
                2,
                "p99",
            ),
        ]
    return widgets


class StackDashboard(pulumi.ComponentResource):
    dashboard_name: pulumi.Output[str]
    # The dashboard in the CloudWatch console.
    url: pulumi.Output[str]

    def __init__(self, name: str, args: DashboardArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:cloudwatch:StackDashboard", name, None, opts)
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        widgets = [
            widget
            for row, service in enumerate(args.services)
            for widget in service_widgets(service, args.cluster_name, args.load_balancer_arn_suffix, region, row)
        ]
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}",
            # <project>-<stack>: one per stack, found by the stack's name in the console.
            dashboard_name=qualified_name(name),
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.url = pulumi.Output.concat(
            "https://",
            region,
            ".console.aws.amazon.com/cloudwatch/home?region=",
            region,
            "#dashboards/dashboard/",
            dashboard.dashboard_name,
        )
        self.register_outputs({"dashboardName": self.dashboard_name, "url": self.url})
