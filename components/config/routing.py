"""Routing config (``fargate:services.<name>.routing``).

A service's listener-rule priority is its own ``priority`` or, when absent,
derived by the service itself from its routing and name
(``components/routing.py``); the config only checks that explicit ones are unique.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import Field, field_validator, model_validator

from .base import ConfigModel, errors_at, usable

# Characters an ALB path-pattern condition accepts (plus the * and ? wildcards).
PATH_PATTERN = re.compile(r"^[A-Za-z0-9_\-.$/~\"'@:+&*?]{1,128}$")
HOST_HEADER = re.compile(r"^[A-Za-z0-9\-.*?]{1,128}$")


class RoutingConfig(ConfigModel):
    # Everything by default: a single service takes all traffic.
    path_patterns: tuple[str, ...] = Field(
        ("/*",),
        description="requests whose path matches go to this service",
        json_schema_extra={"yamlType": "list of ALB path patterns", "yamlDefault": '`["/*"]`'},
    )
    host_headers: tuple[str, ...] = Field(
        (),
        description="... and whose host matches; at most 5 patterns and hosts together",
        json_schema_extra={"yamlType": "list of host names (`*` allowed)", "yamlDefault": "none"},
    )
    # None: derived from this service's own routing and name (components/routing.py),
    # so adding or removing a service never renumbers the others.
    priority: Optional[int] = Field(
        None,
        ge=1,
        le=50000,
        description="listener rule priority (lowest first). A derived one depends only on the service's own routing and name, so adding or removing a service never renumbers the others (which would fail on AWS with `PriorityInUse`): exact hosts, then wildcard hosts, then paths with the longest literal start first (`/api/v2/*` before `/api/*`), then `/*`",
        json_schema_extra={"yamlDefault": "derived"},
    )

    @field_validator("path_patterns")
    @classmethod
    def _paths(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at(
            "pathPatterns",
            [
                (
                    (i,),
                    p,
                    "an ALB path pattern: up to 128 characters of "
                    "A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & and the wildcards * ?",
                )
                for i, p in enumerate(value)
                if not PATH_PATTERN.match(p)
            ],
        )
        return value

    @field_validator("host_headers")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at(
            "hostHeaders",
            [
                ((i,), h, "a host name such as api.example.com or *.example.com")
                for i, h in enumerate(value)
                if not HOST_HEADER.match(h)
            ],
        )
        return value

    @model_validator(mode="after")
    def _condition_count(self) -> RoutingConfig:
        if not usable("path_patterns", "host_headers"):
            return self
        values = len(self.path_patterns) + len(self.host_headers)
        if values == 0:
            errors_at("routing", [(("pathPatterns",), [], "at least one path pattern or host header")])
        if values > 5:  # ALB limit: five condition values per rule
            errors_at(
                "routing",
                [
                    (
                        ("pathPatterns",),
                        list(self.path_patterns),
                        "at most 5 path patterns and host headers together (an ALB rule limit)",
                    )
                ],
            )
        return self

    @property
    def is_catch_all(self) -> bool:
        return not self.host_headers and set(self.path_patterns) <= {"/*", "*"}
