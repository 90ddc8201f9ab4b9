"""The fixture program's runs, shared by the tests (each run costs a program start)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from preflight import run

FIXTURE = Path(__file__).parent / "fixtures" / "production"
# Build contexts are relative to the project directory, as in a stack file.
APP_CONTEXT = os.path.relpath(Path(__file__).resolve().parents[2] / "app", FIXTURE)


@pytest.fixture(scope="session")
def applied():
    """As after `pulumi up` in eu-west-1: the sample app built, every optional endpoint."""
    return run(FIXTURE, "test", policy_pack=None, stack_config={
        "aws:region": "eu-west-1",
        "fargate:services": {"web": {"build": {"context": APP_CONTEXT}}},
        "fargate:endpoints": {"includeSecrets": True, "includeExec": True},
    })


@pytest.fixture(scope="session")
def previewed():
    """As `pulumi preview` of a new stack: a multi-stage ARM build, default endpoints,
    and an explicit region different from the provider's."""
    return run(FIXTURE, "test", preview=True, policy_pack=None, stack_config={
        "aws:region": "eu-west-1",
        "fargate:services": {"api": {"build": {
            "context": "multistage", "target": "runtime", "platform": "linux/arm64",
            "args": {"VERSION": "1.2"},
        }}},
        "fargate:endpoints": {"region": "ap-southeast-2"},
    })
