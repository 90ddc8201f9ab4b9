"""What one run of a program found: its resources and outputs, the pack's verdicts, the exit status.

Its own module so that the runner (which makes a `RunResult`), the analyzer (which fills in its
verdicts) and the report (which prints it) all read it without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .recorder import Resource

EXIT_INCOMPLETE = 3


@dataclass(frozen=True)
class Violation:
    policy: str
    enforcement_level: str
    """`advisory` or `mandatory` (a `remediate` policy that still fails counts as mandatory)."""
    urn: str
    message: str
    pack: str = ""
    severity: Optional[str] = None
    """`low`, `medium`, `high` or `critical` when the policy declares one."""


@dataclass(frozen=True)
class NotApplicable:
    policy: str
    urn: str
    reason: str


@dataclass
class RunResult:
    project: str
    stack: str
    preview: bool
    resources: list[Resource]
    outputs: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    policy_pack: Optional[str] = None
    """`name@version` of the pack that judged the stack, or None when no pack ran."""
    wire_outputs: dict[str, Any] = field(default_factory=dict, repr=False)
    notes: list[str] = field(default_factory=list)
    """What the run could not do as Pulumi would (secrets it stood in for), one line each."""
    simulated_data_sources: list[str] = field(default_factory=list)
    """Data sources answered from their result type alone (`aws.ecs.get_task_definition`)."""
    mandatory_not_run: list[str] = field(default_factory=list)
    """Mandatory policies that could not run on some resource: they read values unknown until deployed."""
    strict: bool = False
    """`--strict`: what was not judged (`mandatory_not_run`, `not_expanded`) makes the exit status 3."""

    def of_type(self, type_token: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: Optional[str] = None) -> Resource:
        found = [r for r in self.of_type(type_token) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_token)]
            wanted = f"{type_token} named {name!r}" if name else type_token
            raise LookupError(f"expected exactly one {wanted}, found {len(found)} (names: {names})")
        return found[0]

    def by_urn(self, urn: str) -> Resource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise LookupError(f"no resource with URN {urn}")

    def children(self, parent_urn: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == parent_urn]

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement_level == "mandatory"]

    @property
    def not_expanded(self) -> list[str]:
        """Types of the multi-language components whose children were not built (nor judged) offline."""
        return sorted({r.type for r in self.resources if r.remote})

    @property
    def incomplete(self) -> bool:
        return bool(self.mandatory_not_run or self.not_expanded)

    @property
    def exit_code(self) -> int:
        if self.mandatory:
            return 1
        return EXIT_INCOMPLETE if self.strict and self.incomplete else 0
