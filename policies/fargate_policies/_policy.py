"""Turning a rule function into a pulumi-policy `Policy`.

A rule is a small function whose docstring is its documentation: the first
paragraph becomes the policy description (the first line of every violation
message), a `Prevents:` paragraph says what failure it keeps from happening and a
`Mirrors:` paragraph names the AWS Config / Security Hub / Checkov rule it ports.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Union

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

ADVISORY = EnforcementLevel.ADVISORY
MANDATORY = EnforcementLevel.MANDATORY


def docstring_sections(rule: Callable) -> Dict[str, str]:
    """The rule docstring's paragraphs: `summary`, and each `Name:` paragraph by name."""
    paragraphs = [" ".join(p.split()) for p in inspect.getdoc(rule).split("\n\n")]
    sections = {"summary": paragraphs[0]}
    for paragraph in paragraphs[1:]:
        name, _, text = paragraph.partition(":")
        sections[name.strip().lower()] = text.strip()
    return sections


def config_schema(**properties: Dict[str, Any]) -> PolicyConfigSchema:
    """A schema whose properties each carry their `default`.

    The SDK does not apply schema defaults (it only forwards the schema), so
    `settings` does; the default is stated once, here."""
    for name, prop in properties.items():
        assert "default" in prop, f"config property {name} needs a default"
    return PolicyConfigSchema(properties=properties)


def settings(args: Union[ResourceValidationArgs, StackValidationArgs],
             schema: PolicyConfigSchema) -> Mapping[str, Any]:
    """The rule's configuration: the schema defaults overlaid with the policy config."""
    merged = {name: prop["default"] for name, prop in schema.properties.items()}
    merged.update(args.get_config())
    return merged


def resource_policy(name: str, level: EnforcementLevel, types: Sequence[str],
                    rule: Callable[[ResourceValidationArgs, Callable], None],
                    config: Optional[PolicyConfigSchema] = None) -> ResourceValidationPolicy:
    """A resource policy that runs `rule` on resources of the given type tokens."""

    def validate(args: ResourceValidationArgs, report_violation: Callable) -> None:
        if args.resource_type in types:
            rule(args, report_violation)

    return ResourceValidationPolicy(
        name=name,
        description=docstring_sections(rule)["summary"],
        validate=validate,
        enforcement_level=level,
        config_schema=config,
    )


def stack_policy(name: str, level: EnforcementLevel,
                 rule: Callable[[StackValidationArgs, Callable], None],
                 config: Optional[PolicyConfigSchema] = None) -> StackValidationPolicy:
    """A stack policy: `rule` sees every resource of the stack at once."""
    return StackValidationPolicy(
        name=name,
        description=docstring_sections(rule)["summary"],
        validate=rule,
        enforcement_level=level,
        config_schema=config,
    )
