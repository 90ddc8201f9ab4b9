"""Load balancer, IAM, scaling and log rules: what each verdict says."""

import pytest

from .conftest import MODES, flagged, messages


@pytest.mark.parametrize("preview", MODES)
def test_listener_findings(judge, preview):
    result = judge("violating", "test", preview=preview)
    assert messages(result, "alb-https-redirect")["Listener:http"] == [
        "HTTP listener on port 80 forwards instead of redirecting to HTTPS."]
    assert messages(result, "alb-tls-policy")["Listener:https"][0].startswith(
        "sslPolicy ELBSecurityPolicy-2016-08 is not allowed; use one of ELBSecurityPolicy-TLS13-1-2-2021-06,")


@pytest.mark.parametrize("preview", MODES)
def test_alb_module_tokens_are_judged_like_lb_ones(judge, preview):
    """existing_vpc writes its ALB with aws.alb (aws:alb/...): the same rules apply."""
    result = judge("existing_vpc", "all", preview=preview)
    assert flagged(result, "alb-https-redirect") == {"Listener:web"}
    assert flagged(result, "alb-deletion-protection") == {"LoadBalancer:alb"}


@pytest.mark.parametrize("preview", MODES)
def test_admin_task_roles_are_found_three_ways(judge, preview):
    """In a preview the managed policy's ARN is unknown: the attachment's dependency finds it."""
    found = messages(judge("violating", "test", preview=preview), "iam-no-admin-task-role")
    assert found == {
        "Role:task": ["Role 'task', which ECS tasks run with: attachment 'task-admin' attaches AdministratorAccess."],
        "Role:execution": ["Role 'execution', which ECS tasks run with: role policy 'execution-everything' "
                           "allows * on *."],
        "Role:worker": ["Role 'worker', which ECS tasks run with: attachment 'worker-everything' attaches "
                        "policy 'everything', which allows * on *."],
    }


@pytest.mark.parametrize("preview", MODES)
def test_scaling_bounds_and_targets(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "autoscaling-bounds")
    assert found == {
        "Target:inline": ["minCapacity 5 is above maxCapacity 2."],
        "Policy:inline-cpu": ["ECSServiceAverageCPUUtilization target 150 is not a percentage in (0, 100]."],
    }


def test_log_group_without_retention(judge):
    assert messages(judge("violating", "test", preview=False), "cloudwatch-log-retention") == {
        "LogGroup:app": ["Set retentionInDays (0 or unset keeps logs forever)."]}
