"""The rule table of policies/README.md, generated from the rules themselves:
``python -m policies.fargate_policies.reference``.

Each row comes from one `Rule`: its name, default level, severity and display name; the first
paragraph of its docstring (what it checks, also the policy's description), its `Prevents:` and
`Mirrors:` paragraphs; its remediation steps (and whether `remediate` fixes it); and each config
property with its default and description (`exemptions`, which every rule takes, is described
once, in the README).
"""

from __future__ import annotations

from typing import Any

from . import all_rules
from ._policy import Rule

HEADER = (
    "| Rule | Default | Severity | Name | What it checks | What it prevents | Mirrors | How to fix | Config (default) |",
    "|---|---|---|---|---|---|---|---|---|",
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(f"`{item}`" for item in value) if value else "none"
    return f"`{value}`"


def config_words(rule: Rule) -> str:
    """Each config property of the rule: its name, default and description; `—` without config."""
    if rule.config is None:
        return "—"
    return "; ".join(
        f"`{name}` ({_value(prop['default'])}): {prop.get('description', '')}".rstrip(": ")
        for name, prop in rule.config.properties.items()
    )


def row(rule: Rule) -> str:
    docs = rule.docs
    scope = "*(stack)* " if rule.types is None else ""
    severity = rule.severity.value if rule.severity is not None else "—"
    cells = [
        f"`{rule.name}`",
        rule.level.value,
        severity,
        rule.display_name,
        scope + docs["summary"],
        docs.get("prevents", ""),
        docs.get("mirrors", ""),
        rule.remediation_steps or "—",
        config_words(rule),
    ]
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def table() -> str:
    """The markdown table of every rule of the pack, in the pack's order."""
    return "\n".join([*HEADER, *(row(rule) for rule in all_rules())])


if __name__ == "__main__":
    print(table())
