"""Offline preflight: preview a Pulumi Python program and judge it by a policy pack, without the
Pulumi CLI or cloud credentials.

    from preflight import run
    result = run("path/to/project", "dev", preview=True, policy_pack="policies")
    result.one("aws:ecs/service:Service").inputs["launchType"]
    result.violations        # each: policy, enforcement_level, urn, message
"""

from .analyzer import PolicyAnalyzer
from .errors import ProgramError
from .recorder import Resource
from .result import NotApplicable, RunResult, Violation
from .runner import run
from .values import UNKNOWN

__all__ = [
    "NotApplicable",
    "PolicyAnalyzer",
    "ProgramError",
    "Resource",
    "RunResult",
    "UNKNOWN",
    "Violation",
    "run",
]
