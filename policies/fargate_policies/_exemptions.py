"""Exemptions: a resource excused from a named rule, with a reason, and reported as such.

Two ways to exempt, both per rule:

- the rule's policy config, `exemptions`: a list of entries, each a resource `name` pattern
  and/or a resource `type` pattern (`fnmatch`: `*`, `?`, `[...]`) and a `reason`, validated
  against the schema below like the rest of the policy config (a rule name the pack does not
  have is an error that names it, as for any policy config);
- the resource's own tags: `fargate-alb:exempt` lists rule names (`alb-waf,alb-access-logs`) and
  `fargate-alb:exempt-reason` says why. A tag without its reason exempts nothing: the finding
  is reported, and says the reason tag is missing; a finding on a resource whose tag names a rule
  the pack does not have says that too.

An exemption never hides a finding silently: the rule still runs, and each finding it would have
reported on an exempt resource comes back as the rule's *not applicable* answer (pulumi-policy's
`args.not_applicable`), one line per finding, `LINE`'s form, which the preflight parses
(`preflight/analyzer.py`) into its report and `--json`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional

from ._props import peek

TAG = "fargate-alb:exempt"
REASON_TAG = "fargate-alb:exempt-reason"
PROPERTY = "exemptions"

# The `exemptions` property every rule's config schema carries.
SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": "Resources this rule does not judge: each entry a resource `name` and/or `type` "
    "pattern (fnmatch) and the `reason`, reported with every finding it excuses.",
    "items": {
        "type": "object",
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "type": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
        },
        "required": ["reason"],
        "anyOf": [{"required": ["name"]}, {"required": ["type"]}],
        "additionalProperties": False,
    },
}

# The names of the pack's rules, as `Rule.policy()` builds them (a tag naming another is reported).
RULE_NAMES: set[str] = set()

# One excused finding, as the rule's not-applicable reason (one line each).
LINE = re.compile(r"^exempt (?P<urn>\S+) by (?P<source>.+?), reason: (?P<reason>.*?); would report: (?P<message>.*)$")


@dataclass(frozen=True)
class Exemption:
    source: str
    """What exempts the resource: `config name "web-*"`, `config type "aws:ecr/*"`, `tag fargate-alb:exempt`."""
    reason: str


class Target(NamedTuple):
    """The resource a finding is about."""

    urn: str
    name: str
    type: str
    props: Any


def line(urn: str, exemption: Exemption, message: str) -> str:
    return f"exempt {urn} by {exemption.source}, reason: {exemption.reason}; would report: {' '.join(message.split())}"


def _tags(props: Any) -> Mapping[str, Any]:
    """The resource's tags (its inputs' `tags`, or its outputs' `tagsAll`), or none when they are
    unknown or not a map."""
    for key in ("tags", "tagsAll"):
        tags = peek(props, key)
        if isinstance(tags, Mapping):
            return tags
    return {}


def _tag(tags: Mapping[str, Any], key: str) -> Optional[str]:
    value = peek(tags, key)
    return value.strip() if isinstance(value, str) else None


def tag_names(value: str) -> list[str]:
    """The rule names a `fargate-alb:exempt` tag lists (comma or space separated)."""
    return [name for name in re.split(r"[,\s]+", value) if name]


def _by_config(entries: Any, target: Target) -> Optional[Exemption]:
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("reason"), str):
            continue
        name, kind = entry.get("name"), entry.get("type")
        if name is None and kind is None:
            continue
        if name is not None and not fnmatch.fnmatchcase(target.name, str(name)):
            continue
        if kind is not None and not fnmatch.fnmatchcase(target.type, str(kind)):
            continue
        source = " ".join(f'{key} "{value}"' for key, value in (("name", name), ("type", kind)) if value is not None)
        return Exemption(f"config {source}", entry["reason"])
    return None


class Gate:
    """A rule's `report_violation`, with findings on exempt resources held back; `close` answers
    them as the rule's not-applicable reason (so they are reported, as exemptions)."""

    def __init__(
        self,
        rule: str,
        config: Mapping[str, Any],
        report_violation: Callable[..., None],
        target_of: Callable[[Optional[str]], Optional[Target]],
    ) -> None:
        self.rule = rule
        self.entries = config.get(PROPERTY) or []
        self.report_violation = report_violation
        self.target_of = target_of
        self.excused: list[str] = []

    def exemption(self, target: Target) -> tuple[Optional[Exemption], str]:
        """The exemption that holds for the target, and a note for the finding when a tag names
        the rule without a reason."""
        by_config = _by_config(self.entries, target)
        if by_config is not None:
            return by_config, ""
        tags = _tags(target.props)
        named = _tag(tags, TAG)
        if named is None:
            return None, ""
        if self.rule not in tag_names(named):
            unknown = [name for name in tag_names(named) if RULE_NAMES and name not in RULE_NAMES]
            # A misspelt exemption shows where it matters: on the finding it did not excuse.
            return None, f" (its {TAG} tag names {', '.join(unknown)}, which the pack does not have)" if unknown else ""
        reason = _tag(tags, REASON_TAG)
        if not reason:
            return None, f" (its {TAG} tag names {self.rule} but it has no {REASON_TAG} tag, so it is not exempt)"
        return Exemption(f"tag {TAG}", reason), ""

    def report(self, message: str, urn: Optional[str] = None) -> None:
        target = self.target_of(urn)
        exemption, note = self.exemption(target) if target is not None else (None, "")
        if exemption is not None and target is not None:
            self.excused.append(line(target.urn, exemption, message))
        elif urn is None:
            self.report_violation(message + note)
        else:
            self.report_violation(message + note, urn)

    def close(self, not_applicable: Callable[[str], None]) -> None:
        if self.excused:
            not_applicable("\n".join(self.excused))


def exempt(rule: str, config: Mapping[str, Any], target: Target) -> bool:
    """Whether `target` is exempt from `rule` (a remediation leaves an exempt resource alone)."""
    exemption, _ = Gate(rule, config, lambda *_: None, lambda _: target).exemption(target)
    return exemption is not None
