"""Routing config (``fargate:services.<name>.routing``) and the listener-rule priorities it derives.

A listener evaluates its rules lowest priority first; a service's priority is
its own ``priority`` or ``derived_priority`` of its routing and name alone.
"""

from __future__ import annotations

import hashlib
import re
from typing import Mapping, Optional

from pydantic import Field, field_validator, model_validator

from .base import ConfigModel, errors_at, usable

# Characters an ALB path-pattern condition accepts (plus the * and ? wildcards).
PATH_PATTERN = re.compile(r"^[A-Za-z0-9_\-.$/~\"'@:+&*?]{1,128}$")
HOST_HEADER = re.compile(r"^[A-Za-z0-9\-.*?]{1,128}$")


class RoutingConfig(ConfigModel):
    # Everything by default: a single service takes all traffic.
    path_patterns: tuple[str, ...] = Field(("/*",), description='requests whose path matches go to this service', json_schema_extra={'yamlType': 'list of ALB path patterns', 'yamlDefault': '`["/*"]`'})
    host_headers: tuple[str, ...] = Field((), description='... and whose host matches; at most 5 patterns and hosts together', json_schema_extra={'yamlType': 'list of host names (`*` allowed)', 'yamlDefault': 'none'})
    # None: derived from this service's own routing and name (see derived_priority),
    # so adding or removing a service never renumbers the others.
    priority: Optional[int] = Field(None, ge=1, le=50000, description="listener rule priority (lowest first). A derived one depends only on the service's own routing and name, so adding or removing a service never renumbers the others (which would fail on AWS with `PriorityInUse`): exact hosts, then wildcard hosts, then paths with the longest literal start first (`/api/v2/*` before `/api/*`), then `/*`", json_schema_extra={'yamlDefault': 'derived'})

    @field_validator("path_patterns")
    @classmethod
    def _paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at("pathPatterns", [((i,), p, "an ALB path pattern: up to 128 characters of "
                                    "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & and the wildcards * ?")
                                   for i, p in enumerate(value) if not PATH_PATTERN.match(p)])
        return value

    @field_validator("host_headers")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at("hostHeaders", [((i,), h, "a host name such as api.example.com or *.example.com")
                                  for i, h in enumerate(value) if not HOST_HEADER.match(h)])
        return value

    @model_validator(mode="after")
    def _condition_count(self) -> "RoutingConfig":
        if not usable("path_patterns", "host_headers"):
            return self
        values = len(self.path_patterns) + len(self.host_headers)
        if values == 0:
            errors_at("routing", [(("pathPatterns",), [], "at least one path pattern or host header")])
        if values > 5:  # ALB limit: five condition values per rule
            errors_at("routing", [(("pathPatterns",), list(self.path_patterns),
                                   "at most 5 path patterns and host headers together (an ALB rule limit)")])
        return self

    @property
    def is_catch_all(self) -> bool:
        return not self.host_headers and set(self.path_patterns) <= {"/*", "*"}


# A listener evaluates its rules lowest priority first, so a rule must come before any
# broader rule it overlaps. Derived priorities fall in bands by kind of rule, and within
# a band by how specific the paths are.
MAX_PRIORITY = 50000
PRIORITY_BANDS = {
    "host": (1, 12499),               # exact host names
    "host-wildcard": (12500, 24999),  # *.example.com after exact names
    "path": (25000, 44999),           # path patterns, no host
    "catch-all": (45000, MAX_PRIORITY),  # /* with no host: last
}
MAX_PATH_LITERAL = 128  # an ALB path pattern has at most 128 characters


def derived_priority(name: str, routing: RoutingConfig) -> int:
    """The priority a service's rule gets from its own routing and name alone.

    It never depends on the other services: adding or removing one must not renumber
    the rest, since Pulumi updates rules in parallel and AWS refuses a priority still
    held by another rule (PriorityInUse). Within the band of its kind, the longer the
    literal start of its broadest path pattern (``/api/v2/`` in ``/api/v2/*``), the
    lower the number, so ``/api/v2/*`` comes before ``/api/*``; the exact number
    within that level comes from a hash of the service name.
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


def listener_rule_priorities(routings: Mapping[str, RoutingConfig]) -> dict[str, int]:
    """Each service's listener-rule priority: its own, or ``derived_priority``.

    A derived priority that is already taken (an explicit one, or two
    services of the same kind landing on one number) moves up to the next
    free number, services taken in name order.
    """
    priorities = {name: r.priority for name, r in routings.items() if r.priority}
    taken = set(priorities.values())
    for name in sorted(n for n, r in routings.items() if r.priority is None):
        candidate = derived_priority(name, routings[name])
        while candidate in taken:
            candidate = candidate % MAX_PRIORITY + 1
        priorities[name] = candidate
        taken.add(candidate)
    return priorities
