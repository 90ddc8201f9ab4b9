"""The config reference of docs/configuration.md (and the autoscaling table of docs/scaling.md),
generated from the models: ``python -m components.config.reference [autoscaling]``.

Each key's row comes from its field: the type in YAML words (from its
annotation and bounds, or the field's ``yamlType`` where a pattern says more),
its default (or ``yamlDefault`` where the default is derived from other keys)
and its description. A description links a section by its anchor alone
(``[HTTPS](#https)``); the table points the link at the page that holds it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .autoscaling import AutoscalingConfig
from .errors import _strip_annotated, _strip_optional, yaml_type, yaml_value
from .stack import StackConfig

# Keys with a section of their own in the docs: one row, not their sub-keys.
OWN_SECTION = {"autoscaling"}

# The docs/ page of each section a description links, by the section's anchor.
SECTION_PAGES = {
    "https": "production.md",
    "your-domain": "production.md",
    "waf": "production.md",
    "target-groups-draining-slow-start-stickiness": "production.md",
    "vpcs-default-and-existing": "production.md",
    "private-tasks-without-nat-vpc-endpoints": "production.md",
    "secrets": "production.md",
    "iam-what-each-role-may-do": "production.md",
    "vpc-flow-logs": "production.md",
    "ecs-exec": "production.md",
    "capacity-fargate-spot-and-arm": "production.md",
    "deployment-strategies": "production.md",
    "alarms-and-rollback": "production.md",
    "scaling": "scaling.md",
}
_SECTION_LINK = re.compile(r"\]\(#([a-z0-9-]+)\)")


def rows(model: type[BaseModel] = StackConfig, prefix: str = "fargate:") -> Iterator[tuple[str, FieldInfo]]:
    """(key path, field) for every documented key, depth first in field order."""
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        kind = _strip_annotated(_strip_optional(field.annotation))
        origin, args = typing.get_origin(kind), typing.get_args(kind)
        if name in OWN_SECTION:
            yield key, field
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from rows(kind, key + ".")
        elif origin is dict and isinstance(args[1], type) and issubclass(args[1], BaseModel):
            yield key, field
            yield from rows(args[1], key + ".<name>.")
        elif origin in (tuple, list) and args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            yield from rows(args[0], key + "[].")
        else:
            yield key, field


def _extra(field: FieldInfo, key: str) -> Any:
    extra = field.json_schema_extra
    return extra.get(key) if isinstance(extra, dict) else None


def type_words(field: FieldInfo) -> str:
    """The key's type in YAML words, with its bounds: "an integer from 1 to 4000"."""
    if _extra(field, "yamlType"):
        return str(_extra(field, "yamlType"))
    words = yaml_type(field.annotation)
    low = high = None
    for bound in field.metadata:
        if isinstance(bound, annotated_types.Ge):
            low = bound.ge
        elif isinstance(bound, annotated_types.Le):
            high = bound.le
        elif isinstance(bound, annotated_types.MaxLen):
            words += f", at most {bound.max_length}"
    if low is not None and high is not None:
        words += f" from {low} to {high}"
    elif low is not None:
        words += f" of at least {low}"
    return words


def default_words(field: FieldInfo) -> str:
    if _extra(field, "yamlDefault"):
        return str(_extra(field, "yamlDefault"))
    if field.is_required():
        return "required"
    default = field.get_default(call_default_factory=True)
    if default is None:
        return "none"
    if isinstance(default, BaseModel):
        return "{}"
    shown = yaml_value(default)
    return f"`{shown.strip(chr(39))}`" if isinstance(default, str) else f"`{shown}`"


def table(model: type[BaseModel] = StackConfig, prefix: str = "fargate:") -> str:
    """The markdown table of ``model``'s keys (the stack's, or ``AutoscalingConfig``'s relative ones)."""
    lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    for key, field in rows(model, prefix):
        meaning = _SECTION_LINK.sub(_to_page, field.description or "")
        lines.append(f"| `{key}` | {type_words(field)} | {default_words(field)} | {meaning} |")
    return "\n".join(lines)


def _to_page(link: re.Match[str]) -> str:
    anchor = link.group(1)
    return f"]({SECTION_PAGES.get(anchor, '')}#{anchor})"


if __name__ == "__main__":
    import sys

    # `autoscaling`: the keys under fargate:services.<name>.autoscaling, relative to it.
    print(table(AutoscalingConfig, "") if sys.argv[1:] == ["autoscaling"] else table())
