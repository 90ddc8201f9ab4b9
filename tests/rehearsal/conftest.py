"""Rehearsals need Terraform, the AWS provider and moto, and minutes: `make rehearse` runs them
(REHEARSE=1); `make test` deselects them and runs only the translation's unit tests."""

import os

import pytest


def pytest_configure(config):
    config.addinivalue_line("markers", "rehearsal: applies a stack with Terraform against moto (make rehearse)")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REHEARSE") == "1":
        return
    deselected = [item for item in items if item.get_closest_marker("rehearsal")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("rehearsal")]
