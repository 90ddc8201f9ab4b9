"""Run the fixture programs through the preflight and the real policy pack process.

One pack process serves the whole session; each (program, stack, preview, config) runs
once and is shared by every test that asks for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
from pulumi_policy.proxy import unknown_checking_proxy

from preflight import RunResult, run

from ..conftest import MODES  # noqa: F401 - MODES for the tests here
from ..conftest import POLICY_PACK as PACK
from ..conftest import REPOSITORY as ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CANT_RUN = "can't run policy"


@pytest.fixture(scope="session")
def analyzer(policy_pack):
    """The session's one pack process (tests/conftest.py)."""
    return policy_pack


@pytest.fixture(scope="session")
def judge(analyzer, committed_stack):
    """judge(program, stack, preview=..., config=...) -> RunResult, run once per arguments.

    The repository's own program (`"."`) as committed is the suite's shared run of that stack."""
    runs: dict[str, RunResult] = {}

    def judge(program: str, stack: str, *, preview: bool, config: Optional[Mapping[str, Any]] = None) -> RunResult:
        if program == "." and config is None:
            return committed_stack(stack, preview=preview)
        key = json.dumps([program, stack, preview, config], sort_keys=True)
        if key not in runs:
            project = ROOT if program == "." else FIXTURES / program
            runs[key] = run(
                project, stack, preview=preview, policy_pack=PACK, policy_pack_config=config, analyzer=analyzer
            )
        return runs[key]

    return judge


def short(urn: str) -> str:
    """`Service:web` for a URN of type `aws:ecs/service:Service` and name `web`."""
    qualified_type, name = urn.split("::")[2:4]
    return f"{qualified_type.rsplit('$', 1)[-1].rsplit(':', 1)[-1]}:{name}"


def flagged(result: RunResult, policy: str) -> set[str]:
    """The resources a policy found in violation (not the SDK's "can't run during preview" notes)."""
    return {short(v.urn) for v in result.violations if v.policy == policy and CANT_RUN not in v.message}


def messages(result: RunResult, policy: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for violation in result.violations:
        if violation.policy == policy and CANT_RUN not in violation.message:
            found.setdefault(short(violation.urn), []).append(violation.message.splitlines()[-1])
    return found


def not_applicable(result: RunResult) -> dict[str, str]:
    return {entry.policy: entry.reason for entry in result.not_applicable}


# -- resources as the SDK hands them to rules, for the unit tests of the pack's readers -----------

OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def resource(type_token, name, props, **property_dependencies):
    return PolicyResource(
        type_token,
        unknown_checking_proxy(props),
        f"urn:pulumi:s::p::{type_token}::{name}",
        name,
        OPTIONS,
        None,
        None,
        [],
        dict(property_dependencies),
    )
