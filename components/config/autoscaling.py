"""Autoscaling config: ``fargate:services.<name>.autoscaling``.

Every key, its default and the reason for the default is stated once, here.
What each policy does and how fast it reacts is in docs/scaling.md.

    autoscaling:
      minCount: 2
      maxCount: 10
      cpuTarget: 60            # target tracking on the service's average CPU %
      memoryTarget: 75         # ... on average memory %
      requestsPerTarget: 1000  # ... on ALB requests per task per minute
      steps:                   # step scaling through two CloudWatch alarms
        metric: cpu
        scaleOutAbove: 85
        scaleInBelow: 20
      schedules:
        - name: business-hours
          schedule: cron(0 8 ? * MON-FRI *)
          minCount: 4
          timezone: Europe/Berlin
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime
from typing import Annotated, Literal, Optional

from aws_cron_expression_validator.validator import AWSCronExpressionValidator
from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import ConfigModel, usable

# A utilization target or threshold is a percentage of the task's reserved
# CPU or memory: above 0 (0 % would never be reached) and at most 100.
Percent = Annotated[float, Field(gt=0, le=100)]
Seconds = Annotated[int, Field(ge=0)]
TaskCount = Annotated[int, Field(ge=0)]

# Application Auto Scaling's three schedule forms (PutScheduledAction):
# at(yyyy-mm-ddThh:mm:ss), rate(value unit), cron(6 EventBridge fields).
_SCHEDULE = re.compile(r"^(at|rate|cron)\((.*)\)$")
_RATE = re.compile(r"^([1-9][0-9]*) (minute|minutes|hour|hours|day|days)$")
# Scheduled action names: AWS refuses ':', '/', '|' and control characters;
# we also keep them usable in Pulumi resource names.
_ACTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

SCHEDULE_FORMS = "at(yyyy-mm-ddThh:mm:ss), rate(<n> <minute(s)|hour(s)|day(s)>) or cron(<min> <hour> <day-of-month> <month> <day-of-week> <year>)"


def check_schedule(expression: str) -> str:
    """Raise ValueError unless ``expression`` is a schedule AWS accepts."""
    match = _SCHEDULE.match(expression)
    if not match:
        raise ValueError(f"must be {SCHEDULE_FORMS}")
    form, body = match.groups()
    if form == "at":
        try:
            datetime.strptime(body, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise ValueError(
                "at(...) takes a date and time yyyy-mm-ddThh:mm:ss, e.g. at(2030-01-31T18:00:00)"
            ) from None
    elif form == "rate":
        rate = _RATE.match(body)
        if not rate:
            raise ValueError(
                "rate(...) takes a positive whole number and minute(s), hour(s) or day(s), e.g. rate(6 hours)"
            )
        value, unit = int(rate.group(1)), rate.group(2)
        if (value == 1) != (not unit.endswith("s")):
            raise ValueError(
                "rate(...) takes a singular unit for 1 and a plural one otherwise, e.g. rate(1 hour), rate(2 hours)"
            )
    else:
        try:
            AWSCronExpressionValidator.validate(body)
        except ValueError as error:
            raise ValueError(
                f"cron(...) takes 6 fields: minutes hours day-of-month month day-of-week year, "
                f"with '?' in one of the day fields, e.g. cron(0 8 ? * MON-FRI *) ({error})"
            ) from None
    return expression


def check_timezone(value: Optional[str]) -> Optional[str]:
    """Raise ValueError unless ``value`` (if given) is an IANA time zone name."""
    if value is None:
        return value
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("must be an IANA time zone name, e.g. UTC, Europe/Berlin, America/New_York") from None
    return value


class ScheduleConfig(ConfigModel):
    """One scheduled change of the task-count bounds (a ScheduledAction)."""

    name: str = Field(description="unique per service; letters, digits, `.`, `_`, `-`")
    schedule: str = Field(
        description="`cron(min hour day-of-month month day-of-week year)` with `?` in one day field, `rate(6 hours)` / `rate(1 day)`, or `at(2030-01-31T18:00:00)`"
    )
    # Either bound may be left out to keep its current value; AWS needs one.
    min_count: Optional[TaskCount] = Field(
        None,
        description="the new lower bound from that time on; set it, `maxCount` or both. Alone it must not be above every possible `maxCount` (AWS fails the action when it runs otherwise)",
        json_schema_extra={"yamlDefault": "unchanged"},
    )
    max_count: Optional[TaskCount] = Field(
        None,
        description="the new upper bound from that time on. Alone it must not be below every possible `minCount`",
        json_schema_extra={"yamlDefault": "unchanged"},
    )
    # Default UTC, as AWS; an IANA zone name makes cron follow daylight saving.
    timezone: Optional[str] = Field(
        None,
        description="an IANA name such as `Europe/Berlin`; cron then follows daylight saving",
        json_schema_extra={"yamlDefault": "UTC, as AWS"},
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _ACTION_NAME.match(value):
            raise ValueError("must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        return check_schedule(value)

    @field_validator("max_count")
    @classmethod
    def _max_count(cls, value: Optional[int], info: ValidationInfo) -> Optional[int]:
        min_count = info.data.get("min_count")
        if value is not None and min_count is not None and value < min_count:
            raise ValueError(f"must be at least this schedule's minCount ({min_count})")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: Optional[str]) -> Optional[str]:
        return check_timezone(value)

    @model_validator(mode="after")
    def _one_bound(self) -> ScheduleConfig:
        if self.min_count is None and self.max_count is None and usable("min_count", "max_count"):
            raise ValueError("set minCount, maxCount or both: a schedule changes the task-count bounds")
        return self


class ScaleOutStep(ConfigModel):
    """A further band above ``scaleOutAbove`` that adds more tasks at once."""

    above: Percent = Field(description="percent from which this band applies; each band higher than the last")
    scale_out_by: Annotated[int, Field(ge=1)] = Field(description="tasks added at once in this band")


class StepScalingConfig(ConfigModel):
    """Step scaling: two CloudWatch alarms on the service's CPU or memory, each
    invoking a step policy (the walkthrough's metric -> alarm -> policy chain)."""

    metric: Literal["cpu", "memory"] = Field(
        description="`cpu` or `memory`: the service's `AWS/ECS` `CPUUtilization` / `MemoryUtilization`"
    )
    scale_out_above: Percent = Field(description="scale-out alarm threshold, percent")
    scale_in_below: Percent = Field(description="scale-in alarm threshold, percent, below `scaleOutAbove`")
    # One task at a time: a small, predictable step; add bands for bigger jumps.
    scale_out_by: Annotated[int, Field(ge=1)] = Field(
        1,
        description="tasks added above the threshold; one at a time is a small, predictable step (add bands for bigger jumps)",
    )
    scale_in_by: Annotated[int, Field(ge=1)] = Field(1, description="tasks removed below the threshold")
    # Bands further above scaleOutAbove, e.g. [{above: 90, scaleOutBy: 3}].
    scale_out_steps: list[ScaleOutStep] = Field(
        [], description="further bands: `[{above: 95, scaleOutBy: 3}]`, each higher than the last"
    )
    # ECS publishes service CPU and memory once a minute: a shorter period has
    # no data, a longer one only slows the alarm down.
    period_seconds: Annotated[int, Field(ge=60, multiple_of=60)] = Field(
        60,
        description="alarm period; ECS publishes once a minute, so 60 is the fastest useful and longer only slows the alarm",
    )
    # 3 and 15 one-minute periods: the alarms target tracking creates for
    # itself, so both kinds of policy react alike (quick out, slow in).
    scale_out_evaluation_periods: Annotated[int, Field(ge=1)] = Field(
        3, description="periods the scale-out alarm looks at: the 3 target tracking uses (quick out)"
    )
    scale_in_evaluation_periods: Annotated[int, Field(ge=1)] = Field(
        15, description="periods the scale-in alarm looks at: the 15 target tracking uses (slow in)"
    )
    # Default: every period in the window must breach ("N out of N").
    scale_out_datapoints_to_alarm: Optional[Annotated[int, Field(ge=1)]] = Field(
        None, description='breaching periods needed ("M out of N")', json_schema_extra={"yamlDefault": "all of them"}
    )
    scale_in_datapoints_to_alarm: Optional[Annotated[int, Field(ge=1)]] = Field(
        None, description='breaching periods needed ("M out of N")', json_schema_extra={"yamlDefault": "all of them"}
    )

    @field_validator("scale_in_below")
    @classmethod
    def _below_out(cls, value: float, info: ValidationInfo) -> float:
        above = info.data.get("scale_out_above")
        if above is not None and value >= above:
            raise ValueError(f"must be below scaleOutAbove ({above:g}), or the two alarms fight each other")
        return value

    @field_validator("scale_out_steps")
    @classmethod
    def _steps_rise(cls, steps: list[ScaleOutStep], info: ValidationInfo) -> list[ScaleOutStep]:
        previous = info.data.get("scale_out_above")
        for step in steps:
            if previous is not None and step.above <= previous:
                raise ValueError(
                    f"each step's 'above' must be higher than the one before it (scaleOutAbove first), got {step.above:g} after {previous:g}"
                )
            previous = step.above
        return steps

    @field_validator("scale_out_datapoints_to_alarm")
    @classmethod
    def _out_datapoints(cls, value: Optional[int], info: ValidationInfo) -> Optional[int]:
        return _at_most_periods(value, info.data.get("scale_out_evaluation_periods"), "scaleOutEvaluationPeriods")

    @field_validator("scale_in_datapoints_to_alarm")
    @classmethod
    def _in_datapoints(cls, value: Optional[int], info: ValidationInfo) -> Optional[int]:
        return _at_most_periods(value, info.data.get("scale_in_evaluation_periods"), "scaleInEvaluationPeriods")


def _at_most_periods(value: Optional[int], periods: Optional[int], key: str) -> Optional[int]:
    if value is not None and periods is not None and value > periods:
        raise ValueError(f"must be at most {key} ({periods})")
    return value


class AutoscalingConfig(ConfigModel):
    # One task always serving, as the walkthrough's "minimum number of tasks".
    min_count: TaskCount = Field(
        1, description="fewest tasks; one always serving, as the walkthrough's minimum; `0 ≤ minCount ≤ maxCount`"
    )
    # No default: the ceiling bounds the bill, so it is the user's to choose.
    max_count: Annotated[int, Field(ge=1)] = Field(description="most tasks; it bounds the bill, so there is no default")
    # Target tracking (each optional): AWS adds or removes tasks to hold the
    # metric near the target. Requests are per task per minute.
    cpu_target: Optional[Percent] = Field(
        None,
        description="target tracking on `ECSServiceAverageCPUUtilization`, percent in (0, 100]",
        json_schema_extra={"yamlDefault": "off"},
    )
    memory_target: Optional[Percent] = Field(
        None,
        description="target tracking on `ECSServiceAverageMemoryUtilization`, percent in (0, 100]",
        json_schema_extra={"yamlDefault": "off"},
    )
    requests_per_target: Optional[Annotated[float, Field(gt=0)]] = Field(
        None,
        description="target tracking on `ALBRequestCountPerTarget` (requests per task per minute)",
        json_schema_extra={"yamlDefault": "off"},
    )
    # Workers only: target tracking on the queue's visible messages per running task.
    backlog_per_task: Optional[Annotated[float, Field(gt=0)]] = Field(
        None,
        description="workers only: target tracking on the queue's visible messages per running task ([workloads](workloads.md#what-each-kind-makes)); with `minCount: 0` the worker scales to zero",
        json_schema_extra={"yamlDefault": "off"},
    )
    # Scale out fast (60 s) so a burst is met, scale in slowly (300 s) so a
    # lull does not drop tasks that are needed a minute later; as
    # terraform-aws-ecs does. Applies to target tracking and step policies.
    scale_out_cooldown_seconds: Seconds = Field(
        60,
        description="wait after a scale-out before the next one counts; scale out fast so a burst is met (terraform-aws-ecs uses the same 60/300)",
    )
    scale_in_cooldown_seconds: Seconds = Field(
        300,
        description="wait after a scale-in before the next one; scale in slowly so a lull does not drop tasks needed a minute later",
    )
    steps: Optional[StepScalingConfig] = Field(
        None, description="step scaling through two CloudWatch alarms", json_schema_extra={"yamlDefault": "off"}
    )
    schedules: list[ScheduleConfig] = Field([], description="scheduled changes of the task-count bounds")

    @field_validator("max_count")
    @classmethod
    def _max_count(cls, value: int, info: ValidationInfo) -> int:
        min_count = info.data.get("min_count")
        if min_count is not None and value < min_count:
            raise ValueError(f"must be at least minCount ({min_count})")
        return value

    @field_validator("schedules")
    @classmethod
    def _unique_names(cls, schedules: list[ScheduleConfig]) -> list[ScheduleConfig]:
        names = [schedule.name for schedule in schedules]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"schedule names must be unique; repeated: {', '.join(repeated)}")
        return schedules

    @field_validator("schedules")
    @classmethod
    def _lone_bounds_fit(cls, schedules: list[ScheduleConfig], info: ValidationInfo) -> list[ScheduleConfig]:
        # A schedule that sets one bound keeps the other as it is when it runs:
        # the configured one or another schedule's. AWS fails the action then
        # (not at `pulumi up`) if the new minimum is above the maximum in force,
        # or the new maximum below the minimum; refuse what can never fit.
        min_count, max_count = info.data.get("min_count"), info.data.get("max_count")
        if min_count is None or max_count is None:
            return schedules
        highest_max = max([max_count] + [s.max_count for s in schedules if s.max_count is not None])
        lowest_min = min([min_count] + [s.min_count for s in schedules if s.min_count is not None])
        for schedule in schedules:
            if schedule.max_count is None and schedule.min_count > highest_max:
                raise ValueError(
                    f"schedule '{schedule.name}' sets only minCount ({schedule.min_count}), above every maxCount "
                    f"in force (at most {highest_max}); set its maxCount too, or AWS fails the action when it runs"
                )
            if schedule.min_count is None and schedule.max_count < lowest_min:
                raise ValueError(
                    f"schedule '{schedule.name}' sets only maxCount ({schedule.max_count}), below every minCount "
                    f"in force (at least {lowest_min}); set its minCount too, or AWS fails the action when it runs"
                )
        return schedules

    @model_validator(mode="after")
    def _something_scales(self) -> AutoscalingConfig:
        if (
            not self.has_policy
            and not self.schedules
            and usable("cpu_target", "memory_target", "requests_per_target", "steps", "schedules")
        ):
            raise ValueError(
                "set at least one of cpuTarget, memoryTarget, requestsPerTarget, steps or schedules: without one nothing ever changes the task count"
            )
        return self

    @property
    def has_policy(self) -> bool:
        return any(
            v is not None
            for v in (self.cpu_target, self.memory_target, self.requests_per_target, self.steps, self.backlog_per_task)
        )

    def clamp(self, desired_count: int) -> int:
        """The initial desired count, clamped into [minCount, maxCount]."""
        return max(self.min_count, min(self.max_count, desired_count))
