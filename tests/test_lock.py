"""The lock is what CI tests: it satisfies every range, and the venv holds exactly it."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENT_FILES = ("requirements.txt", "requirements-dev.txt", "policies/requirements.txt")


def _requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def _lock() -> dict[str, tuple[str, Marker | None]]:
    pins: dict[str, tuple[str, Marker | None]] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if not spec:
            continue
        requirement = Requirement(spec)
        (pin,) = requirement.specifier
        assert pin.operator == "==", f"requirements.lock: {line!r} is not a pin"
        pins[canonicalize_name(requirement.name)] = (pin.version, requirement.marker)
    return pins


LOCK = _lock()
RANGES = [(file, req) for file in REQUIREMENT_FILES for req in _requirements(ROOT / file)]


@pytest.mark.parametrize(("file", "requirement"), RANGES, ids=[f"{f}:{r.name}" for f, r in RANGES])
def test_lock_pins_every_range_within_it(file, requirement):
    version, _ = LOCK[canonicalize_name(requirement.name)]
    assert requirement.specifier.contains(version, prereleases=True), (
        f"{file}: {requirement} but requirements.lock pins {version}: run `make lock`"
    )


def test_every_requirement_file_is_constrained_by_the_lock():
    for file in ("requirements.txt", "policies/requirements.txt"):
        lines = (ROOT / file).read_text().splitlines()
        assert any(re.fullmatch(r"-c (\.\./)?requirements\.lock", line) for line in lines), file


def test_venv_holds_the_locked_versions():
    wrong = {}
    for name, (version, marker) in LOCK.items():
        if marker is not None and not marker.evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"locked vs installed: {wrong}; run `make` after `make lock`"


def test_distribution_ranges_are_the_programs():
    """pyproject's ranges are what a user's resolver sees; they must say what requirements.txt says."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        canonicalize_name(Requirement(r).name): str(Requirement(r).specifier)
        for r in project["dependencies"] + project["optional-dependencies"]["policies"]
    }
    program = {
        canonicalize_name(r.name): str(r.specifier)
        for file in ("requirements.txt", "policies/requirements.txt")
        for r in _requirements(ROOT / file)
    }
    assert declared == program
