"""What `python -m preflight` prints: the readable report, the `--json` document, the Mermaid graph."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Optional

from .errors import ProgramError
from .recorder import PROVIDER_PREFIX, STACK_TYPE, Resource
from .result import RunResult
from .values import UNKNOWN, display

UNKNOWN_TEXT = "[unknown until deployed]"
SIMULATED_MARK = "(simulated)"


# -- --json ---------------------------------------------------------------------------------------


def document(result: RunResult) -> dict[str, Any]:
    """The `--json` document (its schema is part of the interface, see docs/preflight.md)."""
    return {
        "project": result.project,
        "stack": result.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent,
                "inputs": display(r.wire_inputs),
                "dependencies": sorted(r.dependencies),
                "propertyDependencies": {k: sorted(v) for k, v in sorted(r.property_dependencies.items())},
            }
            for r in result.resources
        ],
        "outputs": display(result.wire_outputs),
        "violations": [
            {
                "policy": v.policy,
                "enforcementLevel": v.enforcement_level,
                "severity": v.severity,
                "urn": v.urn,
                "message": v.message,
            }
            for v in result.violations
        ],
        "notApplicable": [{"policy": n.policy, "urn": n.urn, "reason": n.reason} for n in result.not_applicable],
        "exemptions": [
            {"policy": e.policy, "urn": e.urn, "source": e.source, "reason": e.reason, "message": e.message}
            for e in result.exemptions
        ],
        "remediations": [
            {
                "policy": r.policy,
                "urn": r.urn,
                "changes": [{"property": path, "old": old, "new": new} for path, old, new in r.changes],
                "diagnostic": r.diagnostic,
            }
            for r in result.remediations
        ],
        "policies": {
            name: {"displayName": m.display_name, "remediationSteps": m.remediation_steps, "mirrors": list(m.mirrors)}
            for name, m in sorted(result.policies.items())
        },
        "summary": summary(result),
    }


def summary(result: RunResult) -> dict[str, Any]:
    return {
        "preview": result.preview,
        "resources": len(result.resources),
        "mandatory": len(result.mandatory),
        "advisory": len(result.violations) - len(result.mandatory),
        "notApplicable": len(result.not_applicable),
        "exempted": len(result.exemptions),
        "remediated": sum(1 for r in result.remediations if r.changes),
        "policyPack": result.policy_pack,
        "mandatoryNotRun": list(result.mandatory_not_run),
        "notExpanded": result.not_expanded,
        "unknownOffline": list(result.unknown_offline),
        "notSimulated": list(result.not_simulated),
        "simulatedDataSources": list(result.simulated_data_sources),
        "notes": list(result.notes),
        "strict": result.strict,
        "exitCode": result.exit_code,
    }


def summary_line(result: RunResult) -> str:
    counts = summary(result)
    mode = "preview" if result.preview else "simulated update"
    judged = (
        f"{counts['mandatory']} mandatory and {counts['advisory']} advisory violations from {result.policy_pack}"
        if result.policy_pack
        else "no policy pack run"
    )
    verdict = "FAILED" if result.mandatory else "INCOMPLETE" if result.incomplete else "ok"
    unjudged = ""
    if result.mandatory_not_run:
        count = len(result.mandatory_not_run)
        unjudged += (
            f"; {count} mandatory {'policy' if count == 1 else 'policies'} could not run "
            f"(values {'unknown until deployed' if result.preview else 'not known offline'})"
        )
    if result.not_expanded:
        unjudged += f"; not expanded offline: {', '.join(result.not_expanded)}"
    if result.unknown_offline:
        unjudged += f"; not known offline: {len(result.unknown_offline)}"
    if result.not_simulated:
        unjudged += f"; not simulated: {len(result.not_simulated)}"
    return (
        f"{verdict}: {result.project}/{result.stack} ({mode}): {counts['resources']} resources, "
        f"{judged}{unjudged}; exit {result.exit_code}"
    )


def unjudged_text(result: RunResult) -> list[str]:
    """What the summary line's counts mean, in sentences (nothing when everything was judged)."""
    lines = []
    if result.mandatory_not_run:
        why = "unknown until deployed" if result.preview else "not known offline"
        lines.append(
            f"Not judged: the mandatory {', '.join(result.mandatory_not_run)} could not run on some "
            f"resources, because the values they read are {why}; a real "
            "`pulumi up` runs them on the known values and may still fail."
        )
    if result.unknown_offline:
        one = len(result.unknown_offline) == 1
        lines.append(
            f"Not judged: what the program builds from {'; '.join(result.unknown_offline)}, because "
            f"{'that value is' if one else 'those values are'} not known offline (only the account "
            f"or the other stack holds {'it' if one else 'them'}); left unknown in both modes "
            "(absent where the program calls a data source's plain form, which cannot carry an "
            "unknown), never made up."
        )
    if result.not_simulated:
        lines.append(f"Not simulated (outputs left unknown): {'; '.join(result.not_simulated)}.")
    if result.not_expanded:
        lines.append(
            f"Not judged: {', '.join(result.not_expanded)} are multi-language components whose "
            "provider builds their resources (services, task definitions, security groups, ...) "
            "at deployment; offline they are not built, so no policy saw them."
        )
    if lines:
        lines.append("`--strict` makes this exit 3.")
    return lines


# -- the readable report --------------------------------------------------------------------------


def text(result: RunResult) -> str:
    lines: list[str] = []
    mode = "Preview" if result.preview else "Simulated update"
    lines.append(f"{mode} of stack {result.stack!r} of project {result.project!r}, offline.")
    lines.append(
        f"Values marked {SIMULATED_MARK} are invented offline where AWS would assign them; "
        f"{UNKNOWN_TEXT} is what a preview cannot know yet."
    )
    lines.append("")
    lines.append(f"Resources ({len(result.resources)}):")
    lines.extend(_tree(result))
    lines.append("")
    lines.extend(_violations(result))
    lines.extend(_excused_and_fixed(result))
    lines.append("Outputs:")
    lines.extend(_outputs(result))
    lines.append("")
    if result.simulated_data_sources:
        lines.append(
            "Data sources answered from their result type only (simulated): " + ", ".join(result.simulated_data_sources)
        )
    lines.extend(result.notes)
    lines.extend(unjudged_text(result))
    lines.append(summary_line(result))
    return "\n".join(lines)


def _tree(result: RunResult) -> list[str]:
    children: dict[Optional[str], list[Resource]] = defaultdict(list)
    stack = next((r for r in result.resources if r.type == STACK_TYPE), None)
    for resource in result.resources:
        if resource is stack:
            continue
        parent = resource.parent if resource.parent else (stack.urn if stack else None)
        children[parent].append(resource)
    lines: list[str] = []

    def walk(resource: Resource, prefix: str, last: bool, root: bool) -> None:
        branch = "" if root else ("└─ " if last else "├─ ")
        lines.append(f"  {prefix}{branch}{_describe(resource)}")
        kids = children.get(resource.urn, [])
        extension = "" if root else ("   " if last else "│  ")
        for index, kid in enumerate(kids):
            walk(kid, prefix + extension, index == len(kids) - 1, False)

    if stack is not None:
        walk(stack, "", True, True)
    for orphan in children.get(None, []):
        walk(orphan, "", True, True)
    return lines


def _describe(resource: Resource) -> str:
    label = f"{resource.type}  {resource.name}"
    if resource.type == STACK_TYPE:
        return label
    if resource.remote:
        return f"{label}  (multi-language component: its children are not built offline)"
    if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
        return label
    if resource.id is UNKNOWN:
        return f"{label}  id {UNKNOWN_TEXT}"
    return f"{label}  id {resource.id} {SIMULATED_MARK}"


def _violations(result: RunResult) -> list[str]:
    if result.policy_pack is None:
        return ["Policies: none run.", ""]
    by_urn = {r.urn: r for r in result.resources}
    lines = [
        f"Policy violations ({result.policy_pack}):"
        if result.violations
        else f"Policy violations ({result.policy_pack}): none"
    ]
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for violation in result.violations:
        grouped[(violation.enforcement_level, violation.policy)].append(violation)
    order = sorted(grouped, key=lambda key: (key[0] != "mandatory", key[1]))
    for level, policy in order:
        found = grouped[(level, policy)]
        description = found[0].message.split("\n", 1)[0]
        severity = f", {found[0].severity}" if found[0].severity else ""
        metadata = result.policies.get(policy)
        named = f" ({metadata.display_name})" if metadata and metadata.display_name else ""
        lines.append(f"  [{level}{severity}] {policy}{named}: {description}")
        for violation in found:
            resource = by_urn.get(violation.urn)
            where = f"{resource.type}  {resource.name}" if resource else (violation.urn or "the stack")
            detail = violation.message.split("\n", 1)[1] if "\n" in violation.message else ""
            lines.append(f"      {where}" + (f": {' '.join(detail.split())}" if detail else ""))
        lines.extend(_metadata_lines(result, policy))
    if result.not_applicable:
        per_policy: dict[str, int] = defaultdict(int)
        for entry in result.not_applicable:
            per_policy[entry.policy] += 1
        listed = ", ".join(f"{name} ({count})" for name, count in sorted(per_policy.items()))
        lines.append(f"  Not applicable: {listed}")
    lines.append("")
    return lines


def _metadata_lines(result: RunResult, policy: str) -> list[str]:
    """How to fix what a policy found, and the rules of other sets it mirrors."""
    metadata = result.policies.get(policy)
    lines = []
    if metadata and metadata.remediation_steps:
        lines.append(f"      fix: {metadata.remediation_steps}")
    if metadata and metadata.mirrors:
        lines.append(f"      mirrors: {', '.join(metadata.mirrors)}")
    return lines


def _where(result: RunResult, urn: str) -> str:
    resource = next((r for r in result.resources if r.urn == urn), None)
    return f"{resource.type}  {resource.name}" if resource else urn


def _excused_and_fixed(result: RunResult) -> list[str]:
    """Each finding an exemption excused, and each property a `remediate` policy changed, as
    `pulumi preview` shows a remediation: property: old -> new."""
    lines = []
    if result.exemptions:
        lines.append(f"Exemptions ({len(result.exemptions)}): findings not reported, with the reason")
        for e in result.exemptions:
            lines.append(f"  {e.policy}  {_where(result, e.urn)}: exempt by {e.source}: {e.reason}")
            lines.append(f"      would report: {e.message}")
        lines.append("")
    if result.remediations:
        lines.append(f"Remediations ({len(result.remediations)}): inputs changed by a policy at `remediate`")
        for r in result.remediations:
            lines.append(f"  {r.policy}  {_where(result, r.urn)}" + (f": {r.diagnostic}" if r.diagnostic else ""))
            lines.extend(
                f"      ~ {path}: {json.dumps(old, sort_keys=True)} -> {json.dumps(new, sort_keys=True)}"
                for path, old, new in r.changes
            )
        lines.append("")
    return lines


def _outputs(result: RunResult) -> list[str]:
    if not result.wire_outputs:
        return ["  (none)"]
    simulated = _simulated_strings(result.resources)
    lines = []
    # Where to reach the stack first (what a user reads the outputs for): `url`, then the other
    # addresses (a dashboard's), then by name.
    for key in sorted(result.wire_outputs, key=lambda k: (k.lower() != "url", not k.lower().endswith("url"), k)):
        shown = display(result.wire_outputs[key])
        rendered = shown if isinstance(shown, str) else json.dumps(shown, sort_keys=True)
        rendered = rendered.replace("[unknown]", UNKNOWN_TEXT)
        mark = f" {SIMULATED_MARK}" if _mentions(shown, simulated) else ""
        lines.append(f"  {key}: {rendered}{mark}")
    return lines


def _simulated_strings(resources: Iterable[Resource]) -> set[str]:
    found: set[str] = set()
    for resource in resources:
        for key in resource.simulated:
            value = resource.id if key == "id" else resource.outputs.get(key)
            if isinstance(value, str) and len(value) >= 8:
                found.add(value)
    return found


def _mentions(value: Any, simulated: set[str]) -> bool:
    if isinstance(value, str):
        return any(s in value for s in simulated)
    if isinstance(value, dict):
        return any(_mentions(v, simulated) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, simulated) for v in value)
    return False


# -- --graph mermaid ------------------------------------------------------------------------------


def mermaid(result: RunResult) -> str:
    """The architecture: components as subgraphs, resources as nodes, an arrow from what a
    resource uses to the resource (so traffic reads left to right: ALB, listener, service)."""
    drawn = [r for r in result.resources if r.type != STACK_TYPE and not r.type.startswith(PROVIDER_PREFIX)]
    ids = {r.urn: f"r{index}" for index, r in enumerate(drawn)}
    children: dict[Optional[str], list[Resource]] = defaultdict(list)
    for resource in drawn:
        children[resource.parent if resource.parent in ids else None].append(resource)
    lines = ["flowchart LR"]

    def emit(resource: Resource, indent: str) -> None:
        label = _mermaid_label(resource)
        if children.get(resource.urn):
            lines.append(f'{indent}subgraph {ids[resource.urn]}["{label}"]')
            for kid in children[resource.urn]:
                emit(kid, indent + "  ")
            lines.append(f"{indent}end")
        else:
            lines.append(f'{indent}{ids[resource.urn]}["{label}"]')

    for top in children.get(None, []):
        emit(top, "  ")
    by_urn = {r.urn: r for r in result.resources}
    edges: list[str] = []
    seen = set()
    for resource in drawn:
        used = set(resource.dependencies)
        for urns in resource.property_dependencies.values():
            used.update(urns)
        for urn in sorted(used):
            source = by_urn.get(urn)
            if source is None or urn not in ids or not source.custom or not resource.custom:
                continue
            edge = (ids[urn], ids[resource.urn])
            if edge not in seen:
                seen.add(edge)
                edges.append(f"  {edge[0]} --> {edge[1]}")
    return "\n".join(lines + edges)


def _mermaid_label(resource: Resource) -> str:
    module, _, kind = resource.type.partition(":")[2].partition("/")
    short = kind.split(":")[-1] if kind else module.split(":")[-1]
    package = resource.type.split(":")[0]
    kind_label = f"{module}.{short}" if kind else f"{package}:{resource.type.split(':', 1)[1]}"
    return re.sub(r'["<>]', "", f"{kind_label}: {resource.name}")


# -- a program error (exit 2) ---------------------------------------------------------------------


def error_text(error: ProgramError) -> str:
    """The error block on stderr: the one-line message, then, when the program raised, where in
    the program and the chain of exceptions that wrapped the cause (outermost first)."""
    lines = [f"preflight: error: {error}"]
    cause = error.cause
    if cause is not None and cause.location is not None and cause.location.code:
        lines.append(f"  {cause.location} in {cause.location.function}: {cause.location.code}")
    if cause is not None and cause.chain:
        lines.append("  wrapped by (outermost first):")
        lines.extend(f"    {kind}: {message}".rstrip(": ") for kind, message in cause.chain)
    if cause is not None:
        lines.append("  (--debug shows the full traceback)")
    return "\n".join(lines)


def error_document(error: ProgramError) -> dict[str, Any]:
    """The `--json` document of a run that ended in an error: the same fields as `error_text`."""
    return {
        "error": {"message": str(error), "cause": error.cause.as_dict() if error.cause is not None else None},
        "summary": {"exitCode": 2},
    }
