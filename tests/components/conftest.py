"""Program runs shared by the component tests: each program runs once per session.

Runs go through the offline preflight (Pulumi's mock runtime with AWS-like
answers) without the policy pack, which `test_stacks.py` covers: the project's
own stacks, and the fixture programs under `fixtures/` that compose the
components from Python args.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from preflight import RunResult, run

PROJECT = Path(__file__).resolve().parents[2]


def run_stack(stack: str = "dev", *, preview: bool = False, region: str = "us-east-1", **config: Any) -> RunResult:
    """Run the program with ``fargate:<key>`` values from ``config`` (and aws:region)."""
    stack_config = {"aws:region": region, **{f"fargate:{key}": value for key, value in config.items()}}
    return run(PROJECT, stack, preview=preview, stack_config=stack_config, policy_pack=None)


@pytest.fixture(scope="session")
def dev(committed_stack) -> RunResult:
    return committed_stack("dev", preview=False)


@pytest.fixture(scope="session")
def prod(committed_stack) -> RunResult:
    return committed_stack("prod", preview=False)


# Everything the committed stacks leave at defaults or off: three AZs with one
# NAT, an internal ALB, host routing, sidecars, autoscaling, a custom health check.
FEATURES: dict[str, Any] = {
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
            "healthCheck": {
                "path": "/healthz",
                "matcher": "200",
                "intervalSeconds": 15,
                "timeoutSeconds": 3,
                "gracePeriodSeconds": 120,
            },
            "routing": {"hostHeaders": ["app.example.com"], "pathPatterns": ["/v1/*", "/v2/*"]},
            "environment": {"MODE": "production", "A_FIRST": "1"},
            "logRetentionDays": 365,
            "sidecars": {
                "envoy": {
                    "image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
                    "cpu": 256,
                    "memory": 512,
                    "essential": True,
                    "portMappings": [{"containerPort": 9901}, {"containerPort": 15000, "protocol": "udp"}],
                    "environment": {"ENVOY_LOG_LEVEL": "info"},
                },
                "xray": {"image": "public.ecr.aws/xray/aws-xray-daemon:3.3.12", "essential": False},
            },
            "deployment": {"circuitBreaker": False, "minimumHealthyPercent": 50, "maximumPercent": 150},
            "autoscaling": {"minCount": 2, "maxCount": 4, "cpuTarget": 60},
        },
        "admin": {
            "image": "public.ecr.aws/nginx/nginx:stable",
            "subnets": "private",
            "routing": {"pathPatterns": ["/admin/*"], "priority": 7},
        },
    },
}


@pytest.fixture(scope="session")
def features() -> RunResult:
    return run_stack(**FEATURES)


@pytest.fixture(scope="session")
def default_vpc(committed_stack) -> RunResult:
    return committed_stack("default-vpc", preview=False)


SSM_PARAMETER = "arn:aws:ssm:eu-west-1:123456789012:parameter/fargate/db/password"
SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:fargate/signing-key-Ab12Cd"
# ECS's selector for one JSON key of a secret; IAM grants on the secret itself.
SECRET_KEY = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:fargate/api-Zz99Yy:token::"
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

# Issue 6's features the committed stacks leave out, in a region other than
# us-east-1: private tasks without NAT through VPC endpoints (secrets and exec
# ones too), an ARM image built from app/, Secrets Manager secrets, HTTPS with
# its own TLS policy and access logs, and a public service on Fargate and Spot.
PRODUCTION: dict[str, Any] = {
    "network": {"availabilityZones": 3, "vpcEndpoints": True},
    "loadBalancer": {
        "certificateArn": CERTIFICATE,
        "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "dropInvalidHeaders": False,
        "accessLogs": {"bucket": "example-alb-logs", "prefix": "fargate/production"},
    },
    "services": {
        "app": {
            "build": {"context": "app"},
            "architecture": "arm64",
            "containerPort": 8080,
            "healthCheck": {"path": "/healthz"},
            "execCommand": True,
            "secrets": {"DB_PASSWORD": SSM_PARAMETER, "SIGNING_KEY": SECRET, "API_TOKEN": SECRET_KEY},
        },
        "edge": {
            "image": "public.ecr.aws/nginx/nginx:stable",
            "subnets": "public",
            "routing": {"pathPatterns": ["/edge/*"]},
            "capacityProviders": {"FARGATE": {"base": 1}, "FARGATE_SPOT": {"weight": 4}},
        },
    },
}


@pytest.fixture(scope="session")
def production() -> RunResult:
    return run_stack("production", region="eu-west-1", **PRODUCTION)


VPC_ID = "vpc-0a1b2c3d4e5f60718"
PUBLIC_SUBNETS = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"]
PRIVATE_SUBNETS = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]
PRIVATE_ROUTE_TABLES = ["rtb-0ccccccccccccccc1", "rtb-0ccccccccccccccc2"]

# An existing VPC whose private subnets have no NAT: tasks there go through endpoints.
EXISTING: dict[str, Any] = {
    "network": {
        "vpc": "existing",
        "vpcId": VPC_ID,
        "publicSubnetIds": PUBLIC_SUBNETS,
        "privateSubnetIds": PRIVATE_SUBNETS,
        "privateRouteTableIds": PRIVATE_ROUTE_TABLES,
        "vpcEndpoints": True,
    },
    "services": {"web": {"image": "public.ecr.aws/nginx/nginx:stable", "secrets": {"DB_PASSWORD": SSM_PARAMETER}}},
}


@pytest.fixture(scope="session")
def existing() -> RunResult:
    return run_stack("existing", **EXISTING)


# ------------------------------------------------------------------ ContainerImage and VpcEndpoints

IMAGE_FIXTURE = Path(__file__).parent / "fixtures" / "image_and_endpoints"
# Build contexts are relative to the project directory, as in a stack file.
APP_CONTEXT = os.path.relpath(PROJECT / "app", IMAGE_FIXTURE)


@pytest.fixture(scope="session")
def applied() -> RunResult:
    """As after `pulumi up` in eu-west-1: the sample app built, every optional endpoint."""
    return run(
        IMAGE_FIXTURE,
        "test",
        policy_pack=None,
        stack_config={
            "aws:region": "eu-west-1",
            "fargate:services": {"web": {"build": {"context": APP_CONTEXT}}},
            "fargate:endpoints": {"includeSecrets": True, "includeExec": True},
        },
    )


@pytest.fixture(scope="session")
def previewed() -> RunResult:
    """As `pulumi preview` of a new stack: a multi-stage ARM build, default endpoints,
    and an explicit region different from the provider's."""
    return run(
        IMAGE_FIXTURE,
        "test",
        preview=True,
        policy_pack=None,
        stack_config={
            "aws:region": "eu-west-1",
            "fargate:services": {
                "api": {
                    "build": {
                        "context": "multistage",
                        "target": "runtime",
                        "platform": "linux/arm64",
                        "args": {"VERSION": "1.2"},
                    }
                }
            },
            "fargate:endpoints": {"region": "ap-southeast-2"},
        },
    )


# ------------------------------------------------------------------ components from args

ARGS_FIXTURE = Path(__file__).parent / "fixtures" / "args"


def run_scenario(scenario: str, *, preview: bool = False) -> RunResult:
    """One scenario of ``fixtures/args`` (a program composing the components from args)."""
    return run(
        ARGS_FIXTURE,
        "test",
        preview=preview,
        policy_pack=None,
        stack_config={"aws:region": "us-east-1", "fixture:scenario": scenario},
    )


def container_definitions(task_definition) -> list[dict[str, Any]]:
    return json.loads(task_definition.inputs["containerDefinitions"])


def child(result: RunResult, parent_type: str, parent_name: str, type_token: str):
    """The one ``type_token`` resource under the ``parent_type`` component named ``parent_name``."""
    parent = result.one(parent_type, parent_name)
    found = [r for r in result.children(parent.urn) if r.type == type_token]
    assert len(found) == 1, f"expected one {type_token} under {parent_name}, found {len(found)}"
    return found[0]
