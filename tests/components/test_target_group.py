"""TargetGroupArgs: the service's target group drains, warms up and keeps clients as configured."""

from __future__ import annotations

import pytest

from preflight import ProgramError

from .conftest import run_stack

TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
NGINX_IMAGE = "public.ecr.aws/nginx/nginx:stable"


def test_a_default_target_group_drains_for_a_minute_without_slow_start_or_stickiness(dev):
    group = dev.one(TARGET_GROUP, "web").inputs
    assert group["deregistrationDelay"] == 60
    assert "slowStart" not in group and "stickiness" not in group


def test_the_configured_delay_slow_start_and_lb_cookie_stickiness_reach_the_target_group():
    result = run_stack(
        services={
            "web": {
                "image": NGINX_IMAGE,
                "targetGroup": {
                    "deregistrationDelaySeconds": 5,
                    "slowStartSeconds": 120,
                    "stickiness": {"durationSeconds": 3600},
                },
            },
            "api": {"image": NGINX_IMAGE, "routing": {"pathPatterns": ["/api/*"]}},
        }
    )
    group = result.one(TARGET_GROUP, "web").inputs
    assert (group["deregistrationDelay"], group["slowStart"]) == (5, 120)
    assert group["stickiness"] == {"type": "lb_cookie", "enabled": True, "cookieDuration": 3600}
    # Another service's group keeps the defaults.
    other = result.one(TARGET_GROUP, "api").inputs
    assert other["deregistrationDelay"] == 60 and "stickiness" not in other


def test_a_bad_target_group_is_refused_by_the_program_before_any_resource():
    with pytest.raises(ProgramError) as refused:
        run_stack(services={"web": {"image": NGINX_IMAGE, "targetGroup": {"slowStartSeconds": 10}}})
    assert str(refused.value) == (
        "invalid stack config: fargate:services.web.targetGroup.slowStartSeconds: 10 is not allowed; "
        "0 (off) or 30-900 seconds (the ALB's range)"
    )
