"""What one run of a program found: its resources (in an order that reads like the program) and
outputs, the pack's verdicts, the exit status.

Its own module so that the runner (which makes a `RunResult`), the analyzer (which fills in its
verdicts) and the report (which prints it) all read it without importing one another.
"""

from __future__ import annotations

import heapq
import re
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


@dataclass(frozen=True)
class Exemption:
    """A finding the policy did not report because the resource is exempt from it."""

    policy: str
    urn: str
    source: str
    """What exempts it: a policy config entry (`config name "web-*"`) or the resource's tag."""
    reason: str
    message: str
    """What the policy would have reported."""


@dataclass(frozen=True)
class Remediation:
    """What a policy at the `remediate` level changed in a resource's inputs before it was judged."""

    policy: str
    urn: str
    changes: tuple[tuple[str, Any, Any], ...]
    """(property path, old value, new value), values as `values.display` shows them."""
    diagnostic: str = ""
    """Why the remediation could not run (a value unknown during preview), when it could not."""


@dataclass(frozen=True)
class PolicyMetadata:
    """What the pack says of one of its policies besides its verdicts."""

    display_name: str = ""
    remediation_steps: str = ""
    mirrors: tuple[str, ...] = ()
    """Ids of other rule sets the policy mirrors (`Security Hub ECS.8`), from its `mirrors:` tags."""


@dataclass
class RunResult:
    project: str
    stack: str
    preview: bool
    resources: list[Resource]
    outputs: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    exemptions: list[Exemption] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    policies: dict[str, PolicyMetadata] = field(default_factory=dict)
    """Each policy of the pack that ran, by name."""
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
    unknown_offline: list[str] = field(default_factory=list)
    """Values an offline run cannot know and left unknown in both modes (`the value of secret
    'prod/db' (aws.secretsmanager.get_secret_version)`): what the program built from them was
    not judged."""
    not_simulated: list[str] = field(default_factory=list)
    """Resources whose provider's outputs could not be simulated from their inputs (left unknown)."""
    strict: bool = False
    """`--strict`: what was not judged (`mandatory_not_run`, `not_expanded`, `unknown_offline`,
    `not_simulated`) makes the exit status 3."""

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
        return bool(self.mandatory_not_run or self.not_expanded or self.unknown_offline or self.not_simulated)

    @property
    def exit_code(self) -> int:
        if self.mandatory:
            return 1
        return EXIT_INCOMPLETE if self.strict and self.incomplete else 0


def dependency_order(resources: list[Resource]) -> list[Resource]:
    """The resources in a stable order that reads like the program: a parent before its
    children, children together, and among siblings what is used before what uses it
    (a component counts as using what its descendants use), ties broken by URN.

    The SDK registers resources from a thread pool as their inputs resolve, so the order
    of registration changes from run to run; reports, diagrams and JSON must not."""
    by_urn = {r.urn: r for r in resources}
    children: dict[Optional[str], list[str]] = {}
    for resource in resources:
        parent = resource.parent if resource.parent in by_urn else None
        children.setdefault(parent, []).append(resource.urn)

    chains: dict[str, tuple[str, ...]] = {}

    def chain(urn: str) -> tuple[str, ...]:
        """The URNs from the root down to `urn`."""
        if urn not in chains:
            parent = by_urn[urn].parent
            chains[urn] = (chain(parent) if parent in by_urn else ()) + (urn,)
        return chains[urn]

    # A dependency between two resources orders the siblings under their common ancestor.
    before: dict[str, set[str]] = {urn: set() for urn in by_urn}
    for resource in resources:
        used = set(resource.dependencies) | ({resource.provider} if resource.provider else set())
        for dependency in used & by_urn.keys():
            user_chain, used_chain = chain(resource.urn), chain(dependency)
            depth = 0
            while depth < min(len(user_chain), len(used_chain)) and user_chain[depth] == used_chain[depth]:
                depth += 1
            if depth < len(user_chain) and depth < len(used_chain):
                before[user_chain[depth]].add(used_chain[depth])

    ordered: list[Resource] = []

    def place(siblings: list[str]) -> None:
        members = set(siblings)
        waiting = {urn: len(before[urn] & members) for urn in siblings}
        users: dict[str, list[str]] = {urn: [] for urn in siblings}
        for urn in siblings:
            for used in before[urn] & members:
                users[used].append(urn)
        ready = [(_natural(urn), urn) for urn, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        placed: list[str] = []
        while ready:
            _, urn = heapq.heappop(ready)
            placed.append(urn)
            for user in users[urn]:
                waiting[user] -= 1
                if waiting[user] == 0:
                    heapq.heappush(ready, (_natural(user), user))
        # A cycle among siblings (possible between components): the rest by URN.
        placed += sorted(set(siblings) - set(placed), key=_natural)
        for urn in placed:
            ordered.append(by_urn[urn])
            place(children.get(urn, []))

    place(children.get(None, []))
    return ordered


def _natural(text: str) -> tuple:
    """Sort key that puts `web-2` before `web-10` and port `80` before `443`."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))
