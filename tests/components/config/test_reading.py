"""Reading the stack's config from Pulumi, and failing before any resource is created."""

from __future__ import annotations

import contextvars
import json

import pulumi
import pytest

from components.config import (
    stack_config_values,
)
from preflight import ProgramError

from ..conftest import run_stack
from .conftest import WEB


def test_config_is_read_from_both_places_pulumi_puts_it(monkeypatch):
    # The CLI's language host passes config as the PULUMI_CONFIG JSON bag;
    # inline programs and mocks go through set_all_config. Keys from both count.
    monkeypatch.setenv(
        "PULUMI_CONFIG", json.dumps({"fargate:cluster": '{"containerInsights": false}', "aws:region": "eu-west-1"})
    )

    def read():
        pulumi.runtime.set_all_config({"fargate:services": json.dumps({"web": WEB}), "fargate:typo": "1"})
        return stack_config_values()

    assert contextvars.Context().run(read) == {
        "cluster": {"containerInsights": False},
        "services": {"web": WEB},
        "typo": 1,
    }


def test_an_invalid_stack_fails_with_one_message_before_any_resource_is_created(monkeypatch):
    created: list[str] = []
    original = pulumi.Resource.__init__

    def spy(self, t, name, *args, **kwargs):
        if t != "pulumi:pulumi:Stack":
            created.append(t)
        return original(self, t, name, *args, **kwargs)

    monkeypatch.setattr(pulumi.Resource, "__init__", spy)
    with pytest.raises(ProgramError) as raised:
        run_stack(services={"web": {**WEB, "cpu": 300}}, clustr={})
    assert str(raised.value) == (
        "invalid stack config:\n"
        "  fargate:services.web.cpu: 300 is not allowed; one of 256, 512, 1024, 2048, 4096, 8192, 16384 "
        "(Fargate task CPU units)\n"
        "  fargate:clustr: unknown key; did you mean 'cluster'?"
    )
    assert created == []
    # The spy does see resources when the config is valid.
    run_stack(services={"web": WEB})
    assert "fargate:network:Network" in created and "aws:ecs/service:Service" in created


def test_one_problem_is_one_line():
    with pytest.raises(ProgramError) as raised:
        run_stack(services={"web": {**WEB, "cpu": 300}})
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("invalid stack config: fargate:services.web.cpu: 300 is not allowed;")
