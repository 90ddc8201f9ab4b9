"""Helpers of the config tests: a stack with one service ``web``, parsed as the program does."""

from __future__ import annotations

import pulumi
import pytest

from components.config import StackConfig, parse_stack_config

from ..conftest import PROJECT

NGINX = WEB_IMAGE = "public.ecr.aws/nginx/nginx:stable"
WEB = {"image": NGINX}
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/db/password"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key-a1B2c3"
VPC = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
PRIVATE = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
TABLES = ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]


@pytest.fixture(autouse=True)
def in_the_project(monkeypatch):
    monkeypatch.chdir(PROJECT)  # build contexts are relative to the project directory


def parse(web: dict | None = None, region: str | None = "us-east-1", **values) -> StackConfig:
    """``values`` as the stack's ``fargate:*`` keys, with service ``web`` (nginx plus ``web``)."""
    return parse_stack_config({"services": {"web": {**WEB, **(web or {})}}, **values}, region=region)


def error(web: dict | None = None, region: str | None = "us-east-1", **values) -> str:
    """The one message a config that must be refused is refused with."""
    with pytest.raises(pulumi.RunError) as raised:
        parse(web, region, **values)
    return str(raised.value)


def web(**fields) -> dict:
    """``services`` with service ``web`` having ``fields``: ``parse(**web(cpu=512))``."""
    return {"services": {"web": {**WEB, **fields}}}


def build(**fields) -> dict:
    """Service fields that build the image from app/ instead of running nginx."""
    return {"image": None, "build": {"context": "app", **fields}}


def existing(**fields) -> dict:
    """``network`` for an existing VPC."""
    return {"vpc": "existing", "vpcId": VPC, **fields}
