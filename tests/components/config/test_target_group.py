"""TargetGroupConfig: deregistration delay, slow start and stickiness, within ELB's ranges."""

from __future__ import annotations

import pytest

from .conftest import error, parse


def test_defaults_keep_the_minute_of_deregistration_delay_and_leave_slow_start_and_stickiness_off():
    group = parse().services["web"].target_group
    assert (group.deregistration_delay_seconds, group.slow_start_seconds, group.stickiness) == (60, 0, None)


def test_a_tuned_target_group_parses():
    group = (
        parse(web={"targetGroup": {"deregistrationDelaySeconds": 0, "slowStartSeconds": 900, "stickiness": {}}})
        .services["web"]
        .target_group
    )
    assert (group.deregistration_delay_seconds, group.slow_start_seconds) == (0, 900)
    assert group.stickiness.duration_seconds == 86400


@pytest.mark.parametrize(
    "target_group, key, rule",
    [
        ({"deregistrationDelaySeconds": 3601}, "deregistrationDelaySeconds", "an integer at most 3600"),
        ({"deregistrationDelaySeconds": -1}, "deregistrationDelaySeconds", "an integer at least 0"),
        ({"slowStartSeconds": 29}, "slowStartSeconds", "0 (off) or 30-900 seconds (the ALB's range)"),
        ({"slowStartSeconds": 901}, "slowStartSeconds", "0 (off) or 30-900 seconds (the ALB's range)"),
        ({"stickiness": {"durationSeconds": 0}}, "stickiness.durationSeconds", "an integer at least 1"),
        ({"stickiness": {"durationSeconds": 604801}}, "stickiness.durationSeconds", "an integer at most 604800"),
    ],
)
def test_values_outside_elbs_ranges_are_refused_naming_the_key(target_group, key, rule):
    value = target_group[key.split(".")[0]]
    shown = value["durationSeconds"] if isinstance(value, dict) else value
    assert error(web={"targetGroup": target_group}) == (
        f"invalid stack config: fargate:services.web.targetGroup.{key}: {shown} is not allowed; {rule}"
    )


def test_every_target_group_problem_is_reported_at_once():
    message = error(web={"targetGroup": {"deregistrationDelaySeconds": 5000, "slowStartSeconds": 5, "stickness": {}}})
    keys = [line.split(":", 2)[1].split(" ")[0] for line in message.splitlines()[1:]]
    assert keys == [
        "services.web.targetGroup.deregistrationDelaySeconds",
        "services.web.targetGroup.slowStartSeconds",
        "services.web.targetGroup.stickness",
    ]
