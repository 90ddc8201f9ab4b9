"""Realistic program shapes beyond the main fixtures: what awsx 3.x creates with its defaults
(fixtures/awsx_shaped) and hand-written variations (fixtures/shapes), judged as AWS would,
with the same verdict in an `up` and in a preview of a new stack."""

import pytest

from .conftest import MODES, flagged, messages


@pytest.mark.parametrize("preview", MODES)
def test_windows_tasks_are_sized_by_the_windows_table_and_not_asked_for_linux_only_settings(judge, preview):
    """Windows containers support neither `user` nor `readonlyRootFilesystem`."""
    result = judge("shapes", "test", preview=preview)
    assert messages(result, "fargate-task-size") == {"TaskDefinition:windows-small": [
        "cpu '512' is not available to Windows tasks on Fargate; use one of 1024, 2048, 4096."]}
    assert flagged(result, "ecs-readonly-root-filesystem") == set()
    assert flagged(result, "ecs-nonroot-user") == set()
