"""What the whole suite shares: the repository's policy pack, running once, and one judged run of
each committed stack (`Pulumi.<stack>.yaml`) per mode, so each is judged once per test run.

A test that needs a committed stack as committed asks for `committed_stack(stack, preview=...)`;
the `RunResult` is shared, so a test must not change it. Runs with other config (`stack_config=`)
or without a pack are the test's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from preflight import PolicyAnalyzer, RunResult, run

REPOSITORY = Path(__file__).resolve().parents[1]
POLICY_PACK = REPOSITORY / "policies"
COMMITTED_STACKS = sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in REPOSITORY.glob("Pulumi.*.yaml"))
MODES = [pytest.param(False, id="up"), pytest.param(True, id="preview")]


@pytest.fixture(scope="session")
def policy_pack() -> Iterator[PolicyAnalyzer]:
    """The repository's pack in one process for the session (a missing pack fails, never skips)."""
    assert (POLICY_PACK / "PulumiPolicy.yaml").is_file(), f"no policy pack at {POLICY_PACK}"
    with PolicyAnalyzer(POLICY_PACK) as running:
        yield running


@pytest.fixture(scope="session")
def committed_stack(policy_pack):
    """committed_stack(stack, preview=...) -> the stack's run, judged by the pack, once per session."""
    runs: dict[tuple[str, bool], RunResult] = {}

    def committed_stack(stack: str, *, preview: bool) -> RunResult:
        if stack not in COMMITTED_STACKS:
            raise LookupError(f"{stack!r} is not a committed stack: {COMMITTED_STACKS}")
        if (stack, preview) not in runs:
            runs[stack, preview] = run(REPOSITORY, stack, preview=preview, analyzer=policy_pack)
        return runs[stack, preview]

    return committed_stack
