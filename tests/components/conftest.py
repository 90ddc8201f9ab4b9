"""Program runs shared by the component tests: each stack runs once per session.

Runs go through the offline preflight (Pulumi's mock runtime with AWS-like
answers) without the policy pack, which `test_stacks.py` covers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight import RunResult, run

PROJECT = Path(__file__).resolve().parents[2]


def run_stack(stack: str = "dev", *, preview: bool = False, **config: Any) -> RunResult:
    """Run the program with ``fargate:<key>`` values from ``config`` (and aws:region)."""
    stack_config = {"aws:region": "us-east-1", **{f"fargate:{key}": value for key, value in config.items()}}
    return run(PROJECT, stack, preview=preview, stack_config=stack_config, policy_pack=None)


@pytest.fixture(scope="session")
def dev() -> RunResult:
    return run(PROJECT, "dev", policy_pack=None)


@pytest.fixture(scope="session")
def prod() -> RunResult:
    return run(PROJECT, "prod", policy_pack=None)


# Everything the committed stacks leave at defaults or off: three AZs with one
# NAT, an internal ALB, host routing, sidecars, autoscaling, a custom health check.
FEATURES = {
    "network": {"cidrBlock": "10.30.0.0/20", "availabilityZones": 3, "natGateways": "single"},
    "loadBalancer": {"internal": True, "ingressCidrs": ["10.0.0.0/8"], "idleTimeoutSeconds": 120},
    "services": {
        "app": {
            "image": "public.ecr.aws/docker/library/python:3.12-slim",
            "cpu": 1024,
            "memory": 4096,
            "containerPort": 8080,
            "desiredCount": 5,
            "readonlyRootFilesystem": True,
            "user": "1000:1000",
            "healthCheck": {"path": "/healthz", "matcher": "200", "intervalSeconds": 15,
                            "timeoutSeconds": 3, "gracePeriodSeconds": 120},
            "routing": {"hostHeaders": ["app.example.com"], "pathPatterns": ["/v1/*", "/v2/*"]},
            "environment": {"MODE": "production", "A_FIRST": "1"},
            "logRetentionDays": 365,
            "sidecars": {
                "envoy": {"image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
                          "cpu": 256, "memory": 512, "essential": True,
                          "portMappings": [{"containerPort": 9901}, {"containerPort": 15000, "protocol": "udp"}],
                          "environment": {"ENVOY_LOG_LEVEL": "info"}},
                "xray": {"image": "public.ecr.aws/xray/aws-xray-daemon:3.3.12", "essential": False},
            },
            "deployment": {"circuitBreaker": False, "minimumHealthyPercent": 50, "maximumPercent": 150},
            "autoscaling": {"minCount": 2, "maxCount": 4, "cpuTarget": 60},
        },
        "admin": {"image": "public.ecr.aws/nginx/nginx:stable", "subnets": "private",
                  "routing": {"pathPatterns": ["/admin/*"], "priority": 7}},
    },
}


@pytest.fixture(scope="session")
def features() -> RunResult:
    return run_stack(**FEATURES)


def container_definitions(task_definition) -> list[dict[str, Any]]:
    return json.loads(task_definition.inputs["containerDefinitions"])


def child(result: RunResult, parent_type: str, parent_name: str, type_token: str):
    """The one ``type_token`` resource under the ``parent_type`` component named ``parent_name``."""
    parent = result.one(parent_type, parent_name)
    found = [r for r in result.children(parent.urn) if r.type == type_token]
    assert len(found) == 1, f"expected one {type_token} under {parent_name}, found {len(found)}"
    return found[0]
