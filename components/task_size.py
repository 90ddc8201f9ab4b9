"""Fargate task sizes: the cpu/memory pairs AWS accepts for a Fargate task.

One table for the components and the stack config; the policy pack keeps its
own copy (it must run on programs that do not install this package), and
``tests/test_task_sizes.py`` holds both equal to AWS's documented table.
"""

from __future__ import annotations

# Task cpu units -> the task memory values (MiB) AWS accepts with it.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),  # needs platform 1.4.0+ (LATEST is)
    16384: tuple(range(32768, 122880 + 1, 8192)),  # needs platform 1.4.0+ (LATEST is)
}
