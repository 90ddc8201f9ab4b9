"""One rehearsal: the program's simulated `up`, applied by the AWS provider to the emulator,
re-planned, optionally updated to another stack config, destroyed, and checked for leftovers."""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import yaml

import preflight
from preflight import aws as preflight_aws
from preflight.project import load_project

from . import terraform
from .emulator import Emulator
from .errors import RehearsalInputError
from .gaps import REPLAN_EXPLAINED
from .translate import Schema, Translation, translate

# The preflight runs the program in this process (its own event loop, sys.path, working
# directory): one at a time, while the Terraform parts of several rehearsals run side by side.
_PROGRAM_LOCK = threading.Lock()
_TIMEOUT_HINT = terraform.TIMEOUT_HINT
_ACTION_NAMES = {
    ("no-op",): "same",
    ("create",): "create",
    ("read",): "read",
    ("update",): "update",
    ("delete",): "delete",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}


@dataclass
class Failure:
    address: str
    """The Terraform address, or the phase when no resource is named."""
    resource: str
    """The Pulumi type and name, when the address is one of ours."""
    message: str


@dataclass
class Outcome:
    stack: str
    update_to: Optional[str] = None
    applied: int = 0
    expected: int = 0
    """The stack's pulumi-aws resources in the preflight, less those not rehearsed."""
    replan: dict[str, Any] = field(default_factory=lambda: {"clean": False, "changes": [], "explainedByEmulator": []})
    update: Optional[dict[str, Any]] = None
    destroyed: int = 0
    leftover: list[dict[str, str]] = field(default_factory=list)
    not_rehearsed: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    fixtures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per phase, in the order run: translate, init, apply, re-plan, update, update re-plan,
    destroy, leftover check."""

    def record(self, failures: list[Failure]) -> None:
        """Keep each failure once: Terraform refuses an invalid input again at every command
        (apply's plan, then destroy's)."""
        self.failures.extend(failure for failure in failures if failure not in self.failures)

    @property
    def exit_code(self) -> int:
        replan_ok = self.replan["clean"] or not self.replan["changes"]
        update_ok = self.update is None or (
            self.update.get("replan", {}).get("clean", True) or not self.update.get("replan", {}).get("changes")
        )
        return (
            0
            if not self.failures and replan_ok and update_ok and not self.leftover and self.applied == self.expected
            else 1
        )

    def document(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "updateTo": self.update_to,
            "applied": self.applied,
            "expected": self.expected,
            "replan": self.replan,
            "update": self.update,
            "destroyed": self.destroyed,
            "leftover": self.leftover,
            "notRehearsed": self.not_rehearsed,
            "leftOutInputs": self.left_out,
            "emulatorFixtures": self.fixtures,
            "failures": [{"address": f.address, "resource": f.resource, "message": f.message} for f in self.failures],
            "seconds": round(self.seconds, 1),
            "phases": {k: round(v, 1) for k, v in self.phases.items()},
            "exitCode": self.exit_code,
        }


def load_stack_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """A stack's `config:`, from `Pulumi.<stack>.yaml` in the project, or from a stack file's path."""
    candidate = Path(stack)
    path = candidate if candidate.suffix in (".yaml", ".yml") else project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise RehearsalInputError(f"no stack file for {stack!r}: {path} does not exist")
    document = yaml.safe_load(path.read_text()) or {}
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise RehearsalInputError(f"{path}: expected a mapping with a `config:` mapping")
    return config


def stack_name(stack: str) -> str:
    """`dev` for `dev`, and for a stack file's path `Pulumi.dev-two.yaml` the name `dev-two`."""
    candidate = Path(stack)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate.stem.removeprefix("Pulumi.")
    return stack


def rehearse(
    project_dir: Union[str, Path],
    stack: str,
    *,
    update_to: Optional[str] = None,
    plugin_dir: Optional[str] = None,
    keep: Optional[Path] = None,
) -> Outcome:
    """Rehearse one stack (and an update to another stack's config). Raises RehearsalInputError
    on bad input or a missing tool; everything the provider or the emulator says is in the Outcome."""
    started = time.monotonic()
    project = Path(project_dir).resolve()
    toolchain = terraform.find_toolchain(plugin_dir)
    schema = Schema(terraform.provider_schema(toolchain))
    name = stack_name(stack)
    config = load_stack_config(project, stack)
    update_config = load_stack_config(project, update_to) if update_to else None
    region = str(config.get("aws:region") or preflight_aws.DEFAULT_REGION)
    outcome = Outcome(stack=name, update_to=stack_name(update_to) if update_to else None)
    with Emulator(region) as emulator, tempfile.TemporaryDirectory(prefix=f"rehearsal-{name}-") as scratch:
        workdir = keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        env = {**toolchain.environment(toolchain.cli_config(workdir)), **emulator.environment()}
        clock = _Clock(outcome)
        with clock("translate"):
            translation = _translate(emulator, schema, project, name, config)
            _record_translation(outcome, translation)
            outcome.expected = len(translation.resources)
            baseline = emulator.inventory()
            _write(workdir, translation, emulator)
        with clock("init"):
            terraform.run(toolchain, workdir, env, "init", "-no-color", "-backend=false")
        with clock("apply"):
            ok, outcome.applied = _apply(toolchain, workdir, env, translation, outcome, "apply")
        if ok:
            with clock("re-plan"):
                outcome.replan = _replan(toolchain, workdir, env, translation, outcome)
        if ok and update_config is not None and not _timed_out(outcome):
            with clock("update"):
                updated = _translate(emulator, schema, project, name, update_config)
                _record_translation(outcome, updated)
                _write(workdir, updated, emulator)
                outcome.update = _update(toolchain, workdir, env, updated, outcome)
            translation = updated
            if outcome.update["applied"]:
                with clock("update re-plan"):
                    outcome.update["replan"] = _replan(toolchain, workdir, env, translation, outcome)
        with clock("destroy"):
            outcome.destroyed = _destroy(toolchain, workdir, env, translation, outcome)
        with clock("leftover check"):
            fixtures = emulator.fixtures
            outcome.fixtures = [{"kind": kind, "id": ident} for kind, ident in sorted(fixtures)]
            after = emulator.inventory()
            outcome.leftover = [{"kind": kind, "id": ident} for kind, ident in sorted(after - baseline - fixtures)]
    outcome.seconds = time.monotonic() - started
    return outcome


class _Clock:
    """Times each phase into Outcome.phases; a phase timed twice adds up."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome

    @contextlib.contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.outcome.phases[phase] = self.outcome.phases.get(phase, 0.0) + time.monotonic() - started


def _timed_out(outcome: Outcome) -> bool:
    return any(failure.message.endswith(_TIMEOUT_HINT) for failure in outcome.failures)


def _translate(emulator: Emulator, schema: Schema, project: Path, stack: str, config: dict[str, Any]) -> Translation:
    placeholders = emulator.make_placeholders(config)
    config = _replace(config, placeholders)
    with _PROGRAM_LOCK:
        try:
            load_project(project, stack, config)  # the project's own errors, before the program runs
            result = preflight.run(project, stack, preview=False, stack_config=config, policy_pack=None)
        except preflight.ProgramError as error:
            raise RehearsalInputError(f"the program cannot run offline: {error}") from None
    translation = translate(result, schema)
    region = str(config.get("aws:region") or preflight_aws.DEFAULT_REGION)
    facts = emulator.account_facts(
        preflight_aws.default_vpc_id(region),
        {s["availabilityZone"]: s["id"] for s in preflight_aws.default_subnets(region)},
    )
    for item in translation.resources:
        item.body = _replace(item.body, facts)
    return translation


def _record_translation(outcome: Outcome, translation: Translation) -> None:
    for item in translation.not_rehearsed:
        entry = {"urn": item.urn, "type": item.type, "reason": item.reason, "standIns": item.stand_ins}
        if entry not in outcome.not_rehearsed:
            outcome.not_rehearsed.append(entry)
    for left in translation.left_out:
        if left not in outcome.left_out:
            outcome.left_out.append(left)


def _replace(value: Any, mapping: dict[str, str]) -> Any:
    if not mapping:
        return value
    if isinstance(value, str):
        for old, new in mapping.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _replace(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, mapping) for v in value]
    return value


def _write(workdir: Path, translation: Translation, emulator: Emulator) -> None:
    document = translation.document(emulator.provider_settings(), terraform.required_providers())
    (workdir / "main.tf.json").write_text(json.dumps(document, indent=2))


def _describe(address: str, translation: Translation) -> str:
    item = translation.by_address().get(address)
    return f"{item.resource.type} {item.resource.name!r}" if item else ""


def _events(stdout: str) -> list[dict[str, Any]]:
    events = []
    for line in stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events


def _diagnostics(process, translation: Translation, phase: str) -> list[Failure]:
    failures = []
    for event in _events(process.stdout):
        if event.get("type") != "diagnostic":
            continue
        diagnostic = event.get("diagnostic", {})
        if diagnostic.get("severity") != "error":
            continue
        address = diagnostic.get("address") or phase
        message = " ".join(part for part in (diagnostic.get("summary"), diagnostic.get("detail")) if part)
        failures.append(Failure(address, _describe(address, translation), " ".join(message.split())))
    if process.returncode == terraform.TIMED_OUT:
        failures.append(Failure(phase, "", process.stderr.strip().splitlines()[-1].removeprefix("rehearsal: ")))
    elif process.returncode != 0 and not failures:
        failures.append(Failure(phase, "", " ".join((process.stderr or process.stdout).split())[-2000:]))
    return failures


def _apply(
    toolchain, workdir: Path, env, translation: Translation, outcome: Outcome, phase: str, *extra: str
) -> tuple[bool, int]:
    """Apply; (succeeded, resources created)."""
    process = terraform.run(
        toolchain, workdir, env, "apply", "-auto-approve", "-json", "-no-color", *extra, check=False
    )
    (workdir / f"{phase}.log").write_text(process.stdout + process.stderr)
    outcome.record(_diagnostics(process, translation, phase))
    created = sum(
        1
        for event in _events(process.stdout)
        if event.get("type") == "apply_complete" and event.get("hook", {}).get("action") == "create"
    )
    return process.returncode == 0, created


def _plan(
    toolchain, workdir: Path, env, translation: Translation, outcome: Outcome, phase: str
) -> Optional[list[dict]]:
    """The plan's resource changes (none when the plan is empty), or None when planning failed."""
    process = terraform.run(
        toolchain, workdir, env, "plan", "-detailed-exitcode", "-out=plan.bin", "-json", "-no-color", check=False
    )
    (workdir / f"{phase.replace(' ', '-')}.log").write_text(process.stdout + process.stderr)
    if process.returncode == 0:
        return []
    if process.returncode != 2:
        outcome.record(_diagnostics(process, translation, phase))
        return None
    shown = json.loads(terraform.run(toolchain, workdir, env, "show", "-json", "plan.bin").stdout)
    return shown.get("resource_changes", [])


def _changed_paths(before: Any, after: Any, unknown: Any, path: str = "") -> list[str]:
    if unknown is True:
        return [path or "(whole)"]
    if isinstance(before, dict) and isinstance(after, dict):
        paths = []
        for key in sorted(set(before) | set(after)):
            inner_unknown = unknown.get(key) if isinstance(unknown, dict) else None
            paths += _changed_paths(before.get(key), after.get(key), inner_unknown, f"{path}.{key}" if path else key)
        return paths
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        paths = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            inner_unknown = unknown[index] if isinstance(unknown, list) and index < len(unknown) else None
            paths += _changed_paths(old, new, inner_unknown, f"{path}[{index}]")
        return paths
    if before != after and not (before in (None, [], {}, "") and after in (None, [], {}, "")):
        return [path or "(whole)"]
    return []


def _replan(toolchain, workdir: Path, env, translation: Translation, outcome: Outcome) -> dict[str, Any]:
    changes = _plan(toolchain, workdir, env, translation, outcome, "re-plan")
    if changes is None:
        return {"clean": False, "changes": [{"address": "re-plan", "action": "failed"}], "explainedByEmulator": []}
    unexplained, explained = [], []
    for change in changes:
        action = _ACTION_NAMES.get(tuple(change["change"]["actions"]), "/".join(change["change"]["actions"]))
        if action == "same":
            continue
        detail = change["change"]
        paths = _changed_paths(detail.get("before"), detail.get("after"), detail.get("after_unknown"))
        entry = {
            "address": change["address"],
            "resource": _describe(change["address"], translation),
            "action": action,
            "attributes": paths,
            "values": {p: [_at(detail.get("before"), p), _at(detail.get("after"), p)] for p in paths},
        }
        reasons: list[Optional[str]] = []
        for path in paths:
            top = path.split("[")[0].split(".")[0]
            known = REPLAN_EXPLAINED.get((change["type"], top))
            before_state = detail.get("before") or {}
            if known and known.when(before_state, before_state.get(top), (detail.get("after") or {}).get(top)):
                reasons.append(known.gap)
            else:
                reasons.append(None)
        if paths and all(reasons) and action == "update":
            explained.append({**entry, "gaps": sorted(set(filter(None, reasons)))})
        else:
            unexplained.append(entry)
    return {"clean": not unexplained and not explained, "changes": unexplained, "explainedByEmulator": explained}


def _update(toolchain, workdir: Path, env, translation: Translation, outcome: Outcome) -> dict[str, Any]:
    changes = _plan(toolchain, workdir, env, translation, outcome, "update plan")
    if changes is None:
        return {"actions": [], "applied": False}
    actions = []
    for change in changes:
        action = _ACTION_NAMES.get(tuple(change["change"]["actions"]), "/".join(change["change"]["actions"]))
        if action == "same":
            continue
        detail = change["change"]
        actions.append(
            {
                "address": change["address"],
                "resource": _describe(change["address"], translation),
                "action": action,
                "attributes": _changed_paths(detail.get("before"), detail.get("after"), detail.get("after_unknown")),
            }
        )
    applied, _ = _apply(toolchain, workdir, env, translation, outcome, "update", "plan.bin")
    return {"actions": actions, "applied": applied}


def _destroy(toolchain, workdir: Path, env, translation: Translation, outcome: Outcome) -> int:
    process = terraform.run(toolchain, workdir, env, "destroy", "-auto-approve", "-json", "-no-color", check=False)
    (workdir / "destroy.log").write_text(process.stdout + process.stderr)
    outcome.record(_diagnostics(process, translation, "destroy"))
    return sum(
        1
        for event in _events(process.stdout)
        if event.get("type") == "apply_complete" and event.get("hook", {}).get("action") == "delete"
    )


def _at(value: Any, path: str) -> Any:
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value
