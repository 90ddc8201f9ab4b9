"""AutoscalingConfig: what it accepts, what it refuses, and how it says so.

Errors are read the way users see them: through ``format_errors`` with the
config nested where the stack puts it (``fargate:services.<name>.autoscaling``).
"""

from __future__ import annotations

import string
import zoneinfo
from datetime import datetime
from typing import Any, Optional

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config.autoscaling import AutoscalingConfig
from components.config.base import ConfigModel, format_errors

PREFIX = "fargate:services.web.autoscaling"


class _Service(ConfigModel):
    autoscaling: AutoscalingConfig


class _Root(ConfigModel):
    services: dict[str, _Service]


def parse(autoscaling: dict) -> AutoscalingConfig:
    return _Root.model_validate({"services": {"web": {"autoscaling": autoscaling}}}).services["web"].autoscaling


def error(autoscaling: dict) -> str:
    with pytest.raises(pydantic.ValidationError) as caught:
        parse(autoscaling)
    return format_errors(_Root, caught.value)


def error_or_none(autoscaling: dict) -> Optional[str]:
    try:
        parse(autoscaling)
    except pydantic.ValidationError as exc:
        return format_errors(_Root, exc)
    return None


CPU = {"cpuTarget": 60}


# -- bounds and clamp ---------------------------------------------------------


@given(st.integers(-5, 30), st.integers(-5, 30))
def test_bounds_accept_exactly_0_le_min_le_max_and_max_ge_1(min_count, max_count):
    message = error_or_none({"minCount": min_count, "maxCount": max_count, **CPU})
    if 0 <= min_count <= max_count and max_count >= 1:
        assert message is None
    elif min_count < 0:
        assert f"{PREFIX}.minCount: {min_count} is not allowed" in (message or "")
    elif max_count < 1:
        assert f"{PREFIX}.maxCount: {max_count} is not allowed" in (message or "")
    else:
        assert (
            message
            == f"invalid stack config: {PREFIX}.maxCount: {max_count} is not allowed; must be at least minCount ({min_count})"
        )


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 50))
def test_clamp_puts_the_initial_count_inside_the_bounds(a, b, desired):
    low, high = sorted((a, max(b, 1)))
    config = parse({"minCount": low, "maxCount": high, **CPU})
    clamped = config.clamp(desired)
    assert low <= clamped <= high
    if low <= desired <= high:
        assert clamped == desired


def test_defaults_are_one_task_minimum_and_60s_out_300s_in_cooldowns():
    config = parse({"maxCount": 3, **CPU})
    assert (config.min_count, config.scale_out_cooldown_seconds, config.scale_in_cooldown_seconds) == (1, 60, 300)


def test_max_count_is_required():
    assert error(CPU) == f"invalid stack config: {PREFIX}.maxCount: required key is missing"


def test_something_must_scale():
    message = error({"minCount": 1, "maxCount": 3})
    assert message.startswith(f"invalid stack config: {PREFIX}: ")
    assert "set at least one of cpuTarget, memoryTarget, requestsPerTarget, steps or schedules" in message


@pytest.mark.parametrize(
    "only",
    [
        {"cpuTarget": 50},
        {"memoryTarget": 50},
        {"requestsPerTarget": 500},
        {"steps": {"metric": "memory", "scaleOutAbove": 80, "scaleInBelow": 40}},
        {"schedules": [{"name": "night", "schedule": "cron(0 22 * * ? *)", "maxCount": 1}]},
    ],
)
def test_any_one_policy_or_schedule_is_enough(only):
    assert parse({"maxCount": 2, **only})


def test_unknown_key_suggests_the_known_one():
    assert error({"maxCount": 2, "cpuTarge": 50}) == (
        f"invalid stack config: {PREFIX}.cpuTarge: unknown key; did you mean 'cpuTarget'?"
    )


# -- targets and cooldowns ----------------------------------------------------


@pytest.mark.parametrize("key", ["cpuTarget", "memoryTarget"])
@given(value=st.floats(-1000, 1000, allow_nan=False))
def test_utilization_targets_are_percentages_above_0_up_to_100(key, value):
    message = error_or_none({"maxCount": 2, key: value})
    if 0 < value <= 100:
        assert message is None
    else:
        assert message.startswith(f"invalid stack config: {PREFIX}.{key}: {value!r} is not allowed")


@given(st.floats(-100, 1e6, allow_nan=False))
def test_requests_per_target_is_positive(value):
    message = error_or_none({"maxCount": 2, "requestsPerTarget": value})
    assert (message is None) == (value > 0)


@pytest.mark.parametrize("key", ["scaleOutCooldownSeconds", "scaleInCooldownSeconds"])
@given(seconds=st.integers(-3600, 3600))
def test_cooldowns_are_non_negative(key, seconds):
    message = error_or_none({"maxCount": 2, **CPU, key: seconds})
    if seconds >= 0:
        assert message is None
    else:
        assert f"{PREFIX}.{key}: {seconds} is not allowed" in (message or "")


# -- step scaling -------------------------------------------------------------


def steps(**overrides) -> dict:
    return {"maxCount": 4, "steps": {"metric": "cpu", "scaleOutAbove": 70, "scaleInBelow": 30, **overrides}}


def test_step_defaults_mirror_target_tracking_alarms():
    step = parse(steps()).steps
    assert (step.period_seconds, step.scale_out_evaluation_periods, step.scale_in_evaluation_periods) == (60, 3, 15)
    assert (step.scale_out_by, step.scale_in_by, step.scale_out_steps) == (1, 1, [])


@given(st.floats(0.5, 100), st.floats(0.5, 100))
def test_scale_in_threshold_must_be_below_scale_out_threshold(out_above, in_below):
    message = error_or_none(steps(scaleOutAbove=out_above, scaleInBelow=in_below))
    if in_below < out_above:
        assert message is None
    else:
        assert f"{PREFIX}.steps.scaleInBelow: {in_below!r} is not allowed; must be below scaleOutAbove" in (
            message or ""
        )


@given(st.lists(st.floats(1, 100), min_size=1, max_size=4))
def test_extra_scale_out_bands_must_rise_above_the_threshold(aboves):
    bands = [{"above": above, "scaleOutBy": 2} for above in aboves]
    message = error_or_none(steps(scaleOutAbove=50, scaleOutSteps=bands))
    rising = all(b > a for a, b in zip([50, *aboves], aboves, strict=False))
    if rising:
        assert message is None
    else:
        assert f"{PREFIX}.steps.scaleOutSteps:" in (message or "")


def test_datapoints_cannot_exceed_evaluation_periods():
    assert error(steps(scaleOutEvaluationPeriods=3, scaleOutDatapointsToAlarm=4)).endswith(
        f"{PREFIX}.steps.scaleOutDatapointsToAlarm: 4 is not allowed; must be at most scaleOutEvaluationPeriods (3)"
    )
    assert parse(steps(scaleInEvaluationPeriods=10, scaleInDatapointsToAlarm=8)).steps.scale_in_datapoints_to_alarm == 8


@pytest.mark.parametrize(
    "override, key",
    [
        ({"metric": "disk"}, "metric"),
        ({"periodSeconds": 30}, "periodSeconds"),
        ({"periodSeconds": 90}, "periodSeconds"),
        ({"scaleOutBy": 0}, "scaleOutBy"),
        ({"scaleInBy": 0}, "scaleInBy"),
        ({"scaleOutAbove": 120}, "scaleOutAbove"),
    ],
)
def test_bad_step_values_name_their_key(override, key):
    assert f"{PREFIX}.steps.{key}: " in error(steps(**override))


# -- schedules ----------------------------------------------------------------


def schedule(**fields) -> dict:
    return {"maxCount": 4, "schedules": [{"name": "s", "minCount": 1, **fields}]}


_MINUTE = st.integers(0, 59).map(str) | st.just("*") | st.integers(0, 59).map(lambda m: f"0/{max(m, 1)}")
_HOUR = (
    st.integers(0, 23).map(str)
    | st.just("*")
    | st.tuples(st.integers(0, 11), st.integers(12, 23)).map(lambda r: f"{r[0]}-{r[1]}")
)
_DAY_OF_MONTH = st.integers(1, 31).map(str) | st.just("*") | st.just("L")
_MONTH = st.integers(1, 12).map(str) | st.just("*") | st.sampled_from(["JAN", "JUN-AUG", "DEC"])
_DAY_OF_WEEK = st.sampled_from(["MON-FRI", "SAT,SUN", "1", "7", "*", "2#1"])
_YEAR = st.just("*") | st.integers(2025, 2199).map(str)


@st.composite
def aws_crons(draw) -> str:
    # AWS wants '?' in exactly one of day-of-month and day-of-week.
    if draw(st.booleans()):
        days = (draw(_DAY_OF_MONTH), "?")
    else:
        days = ("?", draw(_DAY_OF_WEEK))
    fields = (draw(_MINUTE), draw(_HOUR), days[0], draw(_MONTH), days[1], draw(_YEAR))
    return "cron({} {} {} {} {} {})".format(*fields)


@given(aws_crons())
def test_well_formed_cron_is_accepted(expression):
    assert parse(schedule(schedule=expression)).schedules[0].schedule == expression


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 8 * * MON-FRI)",  # five fields: Unix cron, not AWS
        "cron(0 8 * * MON-FRI *)",  # both day fields set
        "cron(60 8 ? * MON-FRI *)",  # minute out of range
        "cron(0 24 ? * * *)",  # hour out of range
        "cron(0 8 ? * FUNDAY *)",
        "0 8 ? * MON-FRI *",  # missing the cron(...) wrapper
    ],
)
def test_malformed_cron_is_refused(expression):
    message = error(schedule(schedule=expression))
    assert f"{PREFIX}.schedules[0].schedule: {expression!r} is not allowed" in message


@given(st.integers(1, 500), st.sampled_from(["minute", "hour", "day"]), st.booleans())
def test_rate_takes_a_singular_unit_for_one_and_plural_otherwise(value, unit, plural):
    expression = f"rate({value} {unit}{'s' if plural else ''})"
    message = error_or_none(schedule(schedule=expression))
    assert (message is None) == (plural == (value != 1)), message


@pytest.mark.parametrize(
    "expression", ["rate(0 minutes)", "rate(5 weeks)", "rate(-1 days)", "rate(1.5 hours)", "rate(hour)"]
)
def test_malformed_rate_is_refused(expression):
    assert "rate(...) takes" in error(schedule(schedule=expression))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2199, 12, 31)))
def test_at_takes_an_iso_date_and_time(moment):
    expression = f"at({moment:%Y-%m-%dT%H:%M:%S})"
    assert parse(schedule(schedule=expression)).schedules[0].schedule == expression


@pytest.mark.parametrize(
    "expression", ["at(2030-02-30T10:00:00)", "at(2030-01-01 10:00:00)", "at(2030-01-01)", "at(tomorrow)"]
)
def test_malformed_at_is_refused(expression):
    assert "at(...) takes a date and time" in error(schedule(schedule=expression))


@given(
    st.text(alphabet=string.printable, max_size=30).filter(
        lambda s: not s.strip().startswith(("at(", "rate(", "cron("))
    )
)
def test_anything_else_is_refused_with_the_three_forms(text):
    assert "must be at(yyyy-mm-ddThh:mm:ss), rate(" in error(schedule(schedule=text))


_ZONES = sorted(zoneinfo.available_timezones())


@settings(max_examples=30)
@given(st.sampled_from(_ZONES))
def test_iana_time_zones_are_accepted(zone):
    assert parse(schedule(schedule="cron(0 8 ? * MON-FRI *)", timezone=zone)).schedules[0].timezone == zone


@given(st.from_regex(r"[A-Z][a-z]{2,8}/[A-Z][a-z]{2,8}", fullmatch=True).filter(lambda z: z not in _ZONES))
def test_unknown_time_zones_are_refused(zone):
    message = error(schedule(schedule="cron(0 8 ? * MON-FRI *)", timezone=zone))
    assert message.endswith(
        f"{PREFIX}.schedules[0].timezone: {zone!r} is not allowed; must be an IANA time zone name, e.g. UTC, Europe/Berlin, America/New_York"
    )


def test_a_schedule_sets_at_least_one_bound_and_min_not_above_max():
    assert "set minCount, maxCount or both" in error(
        {"maxCount": 4, "schedules": [{"name": "s", "schedule": "rate(1 day)"}]}
    )
    assert error(schedule(schedule="rate(1 day)", minCount=5, maxCount=3)).endswith(
        f"{PREFIX}.schedules[0].maxCount: 3 is not allowed; must be at least this schedule's minCount (5)"
    )


def test_schedule_names_are_unique_and_safe():
    twice = {"maxCount": 4, "schedules": [{"name": "n", "schedule": "rate(1 day)", "minCount": 1}] * 2}
    assert "schedule names must be unique; repeated: n" in error(twice)
    assert f"{PREFIX}.schedules[0].name: 'a/b' is not allowed" in error(schedule(name="a/b", schedule="rate(1 day)"))


def test_a_schedule_setting_one_bound_must_fit_the_other_bound_in_force():
    # AWS keeps the bound a schedule leaves out; a minimum above the maximum in
    # force (or a maximum below the minimum) fails the action when it runs.
    lone_min: dict[str, Any] = {
        "minCount": 1,
        "maxCount": 4,
        "schedules": [{"name": "surge", "schedule": "rate(1 day)", "minCount": 6}],
    }
    assert error(lone_min).startswith(f"invalid stack config: {PREFIX}.schedules: ")
    assert (
        "schedule 'surge' sets only minCount (6), above every maxCount in force (at most 4); set its maxCount too"
        in error(lone_min)
    )
    lone_max: dict[str, Any] = {
        "minCount": 3,
        "maxCount": 8,
        "schedules": [{"name": "night", "schedule": "rate(1 day)", "maxCount": 2}],
    }
    assert (
        "schedule 'night' sets only maxCount (2), below every minCount in force (at least 3); set its minCount too"
        in error(lone_max)
    )
    # Fits once the schedule names both bounds, or another schedule can have raised the maximum.
    assert parse({**lone_min, "schedules": [{**lone_min["schedules"][0], "maxCount": 6}]})
    assert parse(
        {
            **lone_min,
            "schedules": lone_min["schedules"]
            + [{"name": "open-up", "schedule": "rate(1 day)", "minCount": 1, "maxCount": 10}],
        }
    )
    assert parse({**lone_max, "schedules": [{**lone_max["schedules"][0], "minCount": 1}]})
