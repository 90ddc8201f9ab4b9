"""Turning a rule function into a pulumi-policy `Policy`.

A rule is a small function whose docstring is its documentation: the first
paragraph becomes the policy description (the first line of every violation
message), a `Prevents:` paragraph says what failure it keeps from happening and a
`Mirrors:` paragraph names the AWS Config / Security Hub / Checkov rule it ports.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Protocol, Union

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)


class ReportViolation(Protocol):
    """The callback a rule reports through. The SDK types it `Callable[[str, Optional[str]], None]`,
    but its `urn` has a default: a resource rule passes only the message."""

    def __call__(self, message: str, urn: Optional[str] = None) -> None: ...


ADVISORY = EnforcementLevel.ADVISORY
MANDATORY = EnforcementLevel.MANDATORY
# How bad the failure a rule prevents is, shown with each violation (pulumi-policy 1.20+):
# CRITICAL opens the account or the tasks to others, HIGH breaks a deployment or the
# service, MEDIUM weakens it, LOW costs money or debugging time.
CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW


def docstring_sections(rule: Callable) -> dict[str, str]:
    """The rule docstring's paragraphs: `summary`, and each `Name:` paragraph by name."""
    doc = inspect.getdoc(rule)
    if not doc:
        raise ValueError(f"rule {rule.__name__} has no docstring: it is the policy's description")
    paragraphs = [" ".join(p.split()) for p in doc.split("\n\n")]
    sections = {"summary": paragraphs[0]}
    for paragraph in paragraphs[1:]:
        name, _, text = paragraph.partition(":")
        sections[name.strip().lower()] = text.strip()
    return sections


def config_schema(**properties: dict[str, Any]) -> PolicyConfigSchema:
    """A schema whose properties each carry their `default`.

    The SDK does not apply schema defaults (it only forwards the schema), so
    `settings` does; the default is stated once, here."""
    for name, prop in properties.items():
        assert "default" in prop, f"config property {name} needs a default"
    return PolicyConfigSchema(properties=properties)


def settings(args: Union[ResourceValidationArgs, StackValidationArgs], schema: PolicyConfigSchema) -> Mapping[str, Any]:
    """The rule's configuration: the schema defaults overlaid with the policy config."""
    merged = {name: prop["default"] for name, prop in schema.properties.items()}
    merged.update(args.get_config())
    # Config travels as a protobuf Struct, which carries every number as a float.
    return {
        name: int(value) if isinstance(value, float) and value.is_integer() else value for name, value in merged.items()
    }


class TypeFiltered:
    """A resource rule's validation: the rule's function on the resource types it judges, and
    nothing on any other. `resource_types` says which, so that whoever hands resources to the
    policy may leave out the ones it would do nothing with (the offline preflight does)."""

    def __init__(self, resource_types: Sequence[str], function: Callable) -> None:
        self.resource_types = frozenset(resource_types)
        self.function = function

    def __call__(self, args: ResourceValidationArgs, report_violation: Callable) -> None:
        if args.resource_type in self.resource_types:
            self.function(args, report_violation)


@dataclass(frozen=True)
class Rule:
    """One rule of the pack: its name (part of the pack's interface), default level and function.

    `types` lists the type tokens a resource rule judges; a rule without types is a stack
    rule and sees every resource at once."""

    name: str
    level: EnforcementLevel
    function: Callable[..., None]
    types: Optional[Sequence[str]] = None
    config: Optional[PolicyConfigSchema] = None
    severity: Optional[Severity] = None

    @property
    def area(self) -> str:
        """The module the rule lives in (`ecs`, `alb`, `network`, ...), used as its tag."""
        return self.function.__module__.rsplit(".", 1)[-1]

    @property
    def docs(self) -> dict[str, str]:
        return docstring_sections(self.function)

    def policy(self) -> Policy:
        if self.types is None:
            return StackValidationPolicy(
                name=self.name,
                description=self.docs["summary"],
                validate=self.function,
                enforcement_level=self.level,
                config_schema=self.config,
                severity=self.severity,
                tags=[self.area],
            )
        return ResourceValidationPolicy(
            name=self.name,
            description=self.docs["summary"],
            validate=TypeFiltered(self.types, self.function),
            enforcement_level=self.level,
            config_schema=self.config,
            severity=self.severity,
            tags=[self.area],
        )
