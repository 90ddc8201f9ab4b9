"""Paths and runs the preflight tests share: the fixture programs, the nested program's run in
each mode (once per session), the CLI run in this process."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight import RunResult, run
from preflight.__main__ import main

from ..conftest import REPOSITORY  # noqa: F401 - for the tests here

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NESTED = FIXTURES / "nested"
FARGATE = FIXTURES / "aws_py_fargate"
BROKEN = FIXTURES / "broken"
TASK_SECRETS = FIXTURES / "task_secrets"
IMAGE_BUILD = FIXTURES / "image_build"
FIXTURE_PACK = FIXTURES / "policy_pack"

STACK_URN = "urn:pulumi:dev::nested::pulumi:pulumi:Stack::nested-dev"


@pytest.fixture(scope="session")
def nested() -> RunResult:
    return run(NESTED, "dev", policy_pack=None)


@pytest.fixture(scope="session")
def nested_preview() -> RunResult:
    return run(NESTED, "dev", preview=True, policy_pack=None)


@pytest.fixture(scope="module")
def pack(policy_pack):
    """The repository's pack, the session's one process (tests/conftest.py)."""
    return policy_pack


def cli(capsys, *args):
    """Run `python -m preflight` in this process; returns (exit status, stdout, stderr)."""
    status: object
    try:
        status = main([str(a) for a in args])
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def tree(report_text: str) -> list[str]:
    """The resource tree of a printed report: the lines under `Resources (N):`, after checking
    that N counts them (one line per resource, components and providers included)."""
    lines = report_text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Resources ("))
    drawn = lines[header + 1 : lines.index("", header)]
    assert lines[header] == f"Resources ({len(drawn)}):"
    return drawn
