"""The typed stack config, the one place it is validated.

Every public name of the package's modules is importable from here, e.g.
``from components.config import StackConfig, load_stack_config``.
"""

from .autoscaling import SCHEDULE_FORMS, ScaleOutStep, ScheduleConfig, StepScalingConfig, check_schedule
from .build import Platform, stage_names
from .errors import describe_error, key_path
from .reading import parse_config
from .stack import *  # noqa: F403 - the names of every module, listed once in stack.__all__
from .stack import __all__ as _STACK_NAMES

__all__ = [
    *_STACK_NAMES,
    "SCHEDULE_FORMS",
    "Platform",
    "ScaleOutStep",
    "ScheduleConfig",
    "StepScalingConfig",
    "check_schedule",
    "describe_error",
    "key_path",
    "parse_config",
    "stage_names",
]
