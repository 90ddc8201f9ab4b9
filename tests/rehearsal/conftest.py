"""Rehearsals need Terraform, the AWS provider and moto, and minutes: `make rehearse` runs them
(REHEARSE=1); `make test` deselects them and runs only the translation's unit tests."""

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "rehearsal: applies a stack with Terraform against moto (make rehearse)")
    config.addinivalue_line("markers", "rehearses(*names): the rehearsals (test_rehearse.JOBS) a test reads")


def pytest_sessionstart(session):
    """With REHEARSE=1 a missing tool ends the session at once, exit 2, naming what to install
    (not eight errors minutes later)."""
    if os.environ.get("REHEARSE") != "1":
        return
    from rehearsal.emulator import require_moto
    from rehearsal.errors import RehearsalInputError
    from rehearsal.terraform import find_toolchain

    try:
        find_toolchain(os.environ.get("REHEARSAL_PLUGIN_DIR") or None)
        require_moto()
    except RehearsalInputError as error:
        pytest.exit(f"rehearsal: error: {error}", returncode=2)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """One line per rehearsal: the resources, the re-plan and the seconds of each phase."""
    outcomes = getattr(config, "rehearsal_outcomes", None)
    if not outcomes:
        return
    terminalreporter.section("rehearsals")
    for name, outcome in outcomes.items():
        replan = (
            "clean"
            if outcome.replan["clean"]
            else (
                f"{len(outcome.replan['changes'])} unexplained, {len(outcome.replan['explainedByEmulator'])} explained"
            )
        )
        update = f", update {len(outcome.update['actions'])} changed" if outcome.update else ""
        phases = ", ".join(f"{phase} {seconds:.0f}" for phase, seconds in outcome.phases.items())
        terminalreporter.write_line(
            f"{name:<24} applied {outcome.applied}/{outcome.expected}, re-plan {replan}{update}, "
            f"destroyed {outcome.destroyed}, leftover {len(outcome.leftover)}, exit {outcome.exit_code}: "
            f"{outcome.seconds:.0f} s ({phases})"
        )
        for item in outcome.leftover:
            terminalreporter.write_line(f"    leftover {item['kind']} {item['id']}")
        for failure in outcome.failures:
            terminalreporter.write_line(f"    failed {failure.address} {failure.resource}: {failure.message[:300]}")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REHEARSE") == "1":
        return
    deselected = [item for item in items if item.get_closest_marker("rehearsal")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("rehearsal")]
