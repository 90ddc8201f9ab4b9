"""Turning a rule function into a pulumi-policy `Policy`.

A rule is a small function whose docstring is its documentation: the first
paragraph becomes the policy description (the first line of every violation
message), a `Prevents:` paragraph says what failure it keeps from happening and a
`Mirrors:` paragraph names the AWS Config / Security Hub / Checkov rule it ports.

A rule's metadata goes to pulumi-policy with it: a display name made from its name, the
remediation steps (`remediations.STEPS`, or a `Fix:` paragraph), the ids its `Mirrors:`
paragraph names (as tags `mirrors:<id>`), the fix `remediate` applies where it has one
(`remediations.FIXES`), and the `exemptions` config every rule takes (`_exemptions`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Protocol, Union, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from . import _exemptions
from ._exemptions import Gate, Target


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

    def __init__(self, resource_types: Sequence[str], function: Callable, rule: str = "") -> None:
        self.resource_types = frozenset(resource_types)
        self.function = function
        self.rule = rule

    def __call__(self, args: ResourceValidationArgs, report_violation: Callable) -> None:
        if args.resource_type in self.resource_types:
            target = _target(args)
            gate = Gate(self.rule, args.get_config(), report_violation, lambda _urn: target)
            self.function(args, gate.report)
            gate.close(args.not_applicable)


def _target(args: Union[ResourceValidationArgs, PolicyResource]) -> Target:
    return Target(args.urn, args.name, args.resource_type, args.props)


class StackGated:
    """A stack rule's validation, with findings on exempt resources answered as exemptions."""

    def __init__(self, function: Callable, rule: str) -> None:
        self.function = function
        self.rule = rule

    def __call__(self, args: StackValidationArgs, report_violation: Callable) -> None:
        by_urn: dict[str, PolicyResource] = {}

        def target_of(urn: Optional[str]) -> Optional[Target]:
            if not by_urn:
                by_urn.update((resource.urn, resource) for resource in args.resources)
            resource = by_urn.get(urn or "")
            return _target(resource) if resource is not None else None

        gate = Gate(self.rule, args.get_config(), report_violation, target_of)
        self.function(args, gate.report)
        gate.close(args.not_applicable)


class Remediation:
    """A rule's fix as pulumi-policy's `remediate` callback: applied to a resource of the rule's
    types that the rule flags and does not exempt; anything else is left as it is (None)."""

    def __init__(self, rule: Rule, fix: Callable[[ResourceValidationArgs], Optional[Mapping[str, Any]]]) -> None:
        self.rule = rule
        self.fix = fix
        self.resource_types = frozenset(rule.types or ())

    def __call__(self, args: ResourceValidationArgs) -> Optional[Mapping[str, Any]]:
        if args.resource_type not in self.resource_types:
            return None
        if _exemptions.exempt(self.rule.name, args.get_config(), _target(args)):
            return None
        found: list[str] = []
        self.rule.function(args, lambda message, urn=None: found.append(message))
        return self.fix(args) if found else None


# An id a `Mirrors:` paragraph names, and the set it belongs to when the id alone says so.
_MIRRORED = re.compile(
    r"(?P<set>AWS Config|Security Hub|Checkov|cdk-nag|Control Tower|tfsec)"
    r"|(?P<id>CT\.[A-Z0-9]+\.PR\.\d+|CKV2?_AWS_\d+|AwsSolutions-[A-Za-z0-9]+|\b[A-Z][A-Za-z0-9]*\.\d+\b"
    r"|\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b)"
)
_SET_OF_ID = (("CT.", "Control Tower"), ("CKV", "Checkov"), ("AwsSolutions-", "cdk-nag"))
# Words of a rule's name written as their owners write them.
_WORDS = {
    "alb": "ALB", "ecs": "ECS", "ecr": "ECR", "iam": "IAM", "vpc": "VPC", "ec2": "EC2", "waf": "WAF",
    "tls": "TLS", "https": "HTTPS", "sqs": "SQS", "efs": "EFS", "pid": "PID", "cloudwatch": "CloudWatch", "awsvpc": "awsvpc", "ip": "IP",
}  # fmt: skip


def mirrored_ids(paragraph: str) -> list[str]:
    """The ids a `Mirrors:` paragraph names, each with its set (`Security Hub ECS.8`); none when
    it begins with `none` (what follows is the nearest, not a mirror)."""
    if not paragraph or paragraph.lower().startswith("none"):
        return []
    found: list[str] = []
    current = ""
    for match in _MIRRORED.finditer(paragraph):
        if match.group("set"):
            current = match.group("set")
            continue
        ident = match.group("id")
        owner = next((name for prefix, name in _SET_OF_ID if ident.startswith(prefix)), current)
        if owner and f"{owner} {ident}" not in found:
            found.append(f"{owner} {ident}")
    return found


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

    @property
    def display_name(self) -> str:
        """The rule's name as words (`ecs-circuit-breaker`: `ECS circuit breaker`)."""
        words = [_WORDS.get(word, word) for word in self.name.split("-")]
        return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])

    @property
    def mirrors(self) -> list[str]:
        """The ids of other rule sets this rule mirrors, from its `Mirrors:` paragraph."""
        return mirrored_ids(self.docs.get("mirrors", ""))

    @property
    def remediation_steps(self) -> Optional[str]:
        from .remediations import STEPS

        return self.docs.get("fix") or STEPS.get(self.name)

    @property
    def fix(self) -> Optional[Callable[[ResourceValidationArgs], Optional[Mapping[str, Any]]]]:
        """What `remediate` sets, for a resource rule with one right value (None for the others)."""
        from .remediations import FIXES

        return FIXES.get(self.name) if self.types is not None else None

    def schema(self) -> PolicyConfigSchema:
        """The rule's config schema with the `exemptions` property every rule takes."""
        properties = {**(self.config.properties if self.config else {}), _exemptions.PROPERTY: _exemptions.SCHEMA}
        return PolicyConfigSchema(properties=properties, required=self.config.required if self.config else None)

    def policy(self) -> Policy:
        _exemptions.RULE_NAMES.add(self.name)
        metadata: dict[str, Any] = {
            "name": self.name,
            "description": self.docs["summary"],
            "enforcement_level": self.level,
            "config_schema": self.schema(),
            "severity": self.severity,
            "tags": [self.area, *(f"mirrors:{ident}" for ident in self.mirrors)],
            "display_name": self.display_name,
            "remediation_steps": self.remediation_steps,
        }
        if self.types is None:
            return StackValidationPolicy(validate=StackGated(self.function, self.name), **metadata)
        fix = self.fix
        return ResourceValidationPolicy(
            validate=TypeFiltered(self.types, self.function, self.name),
            # The SDK types `remediate` as returning an awaitable; its Remediate takes a mapping too.
            remediate=cast(Any, Remediation(self, fix)) if fix is not None else None,
            **metadata,
        )
