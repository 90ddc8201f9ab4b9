"""Listener-rule routing: which requests reach a service, and its rule's priority.

A listener evaluates its rules lowest priority first, so a rule must come
before any broader rule it overlaps. A priority not given is derived from the
service's own routing and name alone (``derived_priority``): adding or removing
another service never renumbers the rest, which matters because Pulumi updates
rules in parallel and AWS refuses a priority still held by another rule
(PriorityInUse). ``ListenerPriorities`` hands them out per listener and moves
a derived one that is already taken to the next free number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from .validation import ArgsError, check, check_range

MAX_PRIORITY = 50000
# Derived priorities fall in bands by kind of rule, and within a band by how
# specific the paths are.
PRIORITY_BANDS = {
    "host": (1, 12499),  # exact host names
    "host-wildcard": (12500, 24999),  # *.example.com after exact names
    "path": (25000, 44999),  # path patterns, no host
    "catch-all": (45000, MAX_PRIORITY),  # /* with no host: last
}
MAX_PATH_LITERAL = 128  # an ALB path pattern has at most 128 characters
# ALB limit: five condition values per rule.
MAX_CONDITION_VALUES = 5


@dataclass(kw_only=True)
class RoutingArgs:
    """Which requests the load balancer forwards to a service."""

    # Everything: a single service takes all traffic.
    path_patterns: Sequence[str] = ("/*",)
    # No host condition: any host name.
    host_headers: Sequence[str] = ()
    # None: derived from the routing and the service's name (derived_priority),
    # so adding or removing a service never renumbers the others.
    priority: Optional[int] = None

    def validate(self, owner: str) -> None:
        values = len(self.path_patterns) + len(self.host_headers)
        check(
            f"{owner}.path_patterns",
            list(self.path_patterns),
            values > 0,
            "a routing condition",
            "at least one path pattern or host header",
        )
        check(
            f"{owner}.path_patterns",
            list(self.path_patterns),
            values <= MAX_CONDITION_VALUES,
            "within the ALB's rule limit",
            f"at most {MAX_CONDITION_VALUES} path patterns and host headers together",
        )
        if self.priority is not None:
            check_range(f"{owner}.priority", self.priority, 1, MAX_PRIORITY, "a listener-rule priority")

    @property
    def is_catch_all(self) -> bool:
        return not self.host_headers and set(self.path_patterns) <= {"/*", "*"}


def derived_priority(name: str, routing: RoutingArgs) -> int:
    """The priority a service's rule gets from its own routing and name alone.

    Within the band of its kind, the longer the literal start of its broadest
    path pattern (``/api/v2/`` in ``/api/v2/*``), the lower the number, so
    ``/api/v2/*`` comes before ``/api/*``; the exact number within that level
    comes from a hash of the service name.
    """
    if routing.host_headers:
        kind = "host-wildcard" if any(c in h for h in routing.host_headers for c in "*?") else "host"
    else:
        kind = "catch-all" if routing.is_catch_all else "path"
    first, last = PRIORITY_BANDS[kind]
    slot = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    if kind == "catch-all":
        return first + slot % (last - first + 1)
    literal = min(len(re.split(r"[*?]", pattern, maxsplit=1)[0]) for pattern in routing.path_patterns)
    width = (last - first + 1) // (MAX_PATH_LITERAL + 1)
    level = MAX_PATH_LITERAL - min(literal, MAX_PATH_LITERAL)
    return first + level * width + slot % width


class ListenerPriorities:
    """The priorities taken on one listener, by the service that holds each."""

    def __init__(self) -> None:
        self.holders: dict[int, str] = {}

    def claim(self, owner: str, name: str, routing: RoutingArgs) -> int:
        """``routing.priority`` if given and free, else the derived one moved up to the
        next free number. A given priority that is taken is an error: the rule
        holding it already exists, and AWS would refuse the second (PriorityInUse)."""
        if routing.priority is not None:
            holder = self.holders.get(routing.priority)
            if holder is not None:
                raise ArgsError(
                    f"{owner}.priority",
                    routing.priority,
                    "free on this listener",
                    f"a priority no other rule holds (service {holder!r} has it; "
                    "create services with explicit priorities first, or pick another)",
                )
            priority = routing.priority
        else:
            priority = derived_priority(name, routing)
            while priority in self.holders:
                priority = priority % MAX_PRIORITY + 1
        self.holders[priority] = name
        return priority
