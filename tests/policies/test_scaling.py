"""fargate_policies/scaling.py: the scalable target's bounds and the policies' targets."""

import pytest

from .conftest import MODES, messages


@pytest.mark.parametrize("preview", MODES)
def test_scaling_bounds_and_targets(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "autoscaling-bounds")
    assert found == {
        "Target:inline": ["minCapacity 5 is above maxCapacity 2."],
        "Policy:inline-cpu": ["ECSServiceAverageCPUUtilization target 150 is not a percentage in (0, 100]."],
    }
