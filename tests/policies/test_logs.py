"""fargate_policies/logs.py: log groups keep their logs for a while, not forever."""

import pytest

from .conftest import MODES, messages


def test_log_group_without_retention(judge):
    assert messages(judge("violating", "test", preview=False), "cloudwatch-log-retention") == {
        "LogGroup:app": ["Set retentionInDays (0 or unset keeps logs forever)."]
    }


@pytest.mark.parametrize("preview", MODES)
def test_a_group_the_awslogs_driver_creates_is_judged_like_one_without_retention(judge, preview):
    """`awslogs-create-group` makes ECS create the group on the first task, with no retention;
    a task that logs to a group the stack manages with retention is not named."""
    found = messages(judge("log_styles", "test", preview=preview), "cloudwatch-log-retention")
    fix = "manage it in the stack with retentionInDays and drop awslogs-create-group."
    assert found == {
        "TaskDefinition:driver-created": [
            "Container 'app' sets awslogs-create-group: ECS creates log group '/ecs/orders' on the first task "
            f"with no retention (logs kept forever); {fix}"
        ],
        "TaskDefinition:driver-created-bool": [
            "Container 'app' sets awslogs-create-group: ECS creates log group '/ecs/reports' on the first task "
            f"with no retention (logs kept forever); {fix}"
        ],
    }
