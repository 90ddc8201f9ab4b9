"""fargate_policies/logs.py: log groups keep their logs for a while, not forever."""

from .conftest import messages


def test_log_group_without_retention(judge):
    assert messages(judge("violating", "test", preview=False), "cloudwatch-log-retention") == {
        "LogGroup:app": ["Set retentionInDays (0 or unset keeps logs forever)."]
    }
