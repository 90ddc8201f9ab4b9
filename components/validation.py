"""Checks of component args: one clear error naming the arg, its value and what is allowed.

Only plain values are judged. An ``Output`` (an id or ARN another resource
computes) is never waited for here: its value is AWS's to judge when it is known.

``ArgsError`` is a ``pulumi.RunError``, which ``pulumi up`` and ``pulumi preview``
print as the message alone, without a Python traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pulumi

from .aws_limits import FARGATE_TASK_SIZES, LOG_RETENTION_DAYS, memory_ranges


class ArgsError(pulumi.RunError):
    """A component arg that AWS (or the component) cannot work with."""

    def __init__(self, arg: str, value: Any, what: str, allowed: str):
        self.arg, self.value = arg, value
        super().__init__(f"{arg}: {_shown(value)} is not {what}; allowed: {allowed}")


def _shown(value: Any) -> str:
    return repr(list(value)) if isinstance(value, tuple) else repr(value)


def is_plain(value: Any) -> bool:
    """Whether ``value`` is known now: not an Output, nor an awaitable that becomes one."""
    return not isinstance(value, pulumi.Output) and not hasattr(value, "__await__")


def check(arg: str, value: Any, ok: bool, what: str, allowed: str) -> None:
    """Raise ArgsError unless ``ok``; a value not known yet always passes."""
    if is_plain(value) and not ok:
        raise ArgsError(arg, value, what, allowed)


def check_one_of(arg: str, value: Any, allowed: Iterable[Any], what: str) -> None:
    choices = tuple(allowed)
    check(arg, value, value in choices, what, ", ".join(map(str, choices)))


def check_range(arg: str, value: Any, low: int, high: int, what: str = "in range") -> None:
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    check(arg, value, number and low <= value <= high, what, f"{low} to {high}")


def check_task_ceiling(owner: str, min_count: Any, max_count: Any) -> None:
    """A scaling range's `max_count`: a whole number of tasks, at least 1 and at least `min_count`."""
    check(
        f"{owner}.max_count",
        max_count,
        isinstance(max_count, int) and max_count >= max(1, min_count),
        "a task ceiling",
        f"at least 1 and at least min_count ({min_count})",
    )


def check_task_size(owner: str, cpu: Any, memory: Any) -> None:
    """The task's cpu and memory against the Fargate sizes (components/aws_limits.py)."""
    if not is_plain(cpu):
        return
    check_one_of(f"{owner}.cpu", cpu, FARGATE_TASK_SIZES, "a Fargate task cpu")
    allowed = FARGATE_TASK_SIZES[cpu]
    check(
        f"{owner}.memory",
        memory,
        memory in allowed,
        f"a Fargate task memory with cpu {cpu}",
        f"{memory_ranges(allowed)} (MiB)",
    )


def check_log_retention(arg: str, value: Any) -> None:
    check_one_of(arg, value, LOG_RETENTION_DAYS, "a CloudWatch Logs retention")
