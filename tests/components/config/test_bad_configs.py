"""Generated bad configs: whatever is wrong, and however much, the user gets the config error.

Wrong types at random key paths, unknown keys, out-of-range numbers and bad
combinations of keys are laid over a valid stack. Each run must end in one
``pulumi.RunError`` with one line per problem, every line starting with its
full key path, no Python in it, and each wrong key among the lines. Most
examples run in-process against the validation; a few run the real
``python -m preflight`` CLI on a stack file, to prove exit 2 and no traceback
end to end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import annotated_types
import pulumi
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from components.config import StackConfig, parse_stack_config

from ..conftest import PROJECT
from .conftest import WEB

# --------------------------------------------------------------------------- the keys, from the models


def _plain_type(annotation: Any) -> Any:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, __import__("types").UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _leaves(model: type[BaseModel], path: tuple = ()) -> list[tuple[tuple, Any, Any]]:
    """(key path, type, field) of every key; map entries as ``services.web``."""
    found = []
    for name, field in model.model_fields.items():
        key = path + (field.alias or name,)
        kind = _plain_type(field.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found.append((key, kind, field))
            found += _leaves(kind, key)
        elif key == ("services",):
            found.append((key, kind, field))
            found += _leaves(typing.get_args(kind)[1], key + ("web",))
        else:
            found.append((key, kind, field))
    return found


LEAVES = _leaves(StackConfig)
MODELS = [()] + [path for path, kind, _ in LEAVES if isinstance(kind, type) and issubclass(kind, BaseModel)]


def _wrong_values(kind: Any) -> list[Any]:
    origin = typing.get_origin(kind)
    if kind is bool:
        return ["maybe", [True], {"a": 1}]
    if kind in (int, float):
        return ["many", [1], {"n": 1}]
    if kind is str:
        return [[1, 2], {"a": "b"}, 12]
    if origin is typing.Literal:
        return ["not-one-of-them", 7, ["x"]]
    if origin in (list, tuple):
        return ["just-a-string", {"a": 1}, 3]
    if origin is dict or (isinstance(kind, type) and issubclass(kind, BaseModel)):
        return ["just-a-string", [1, 2], 3]
    return []


def _out_of_range(field: Any) -> list[int]:
    values: list[Any] = []
    for bound in field.metadata:
        limit: Any = getattr(bound, type(bound).__name__.lower(), None)
        if isinstance(bound, annotated_types.Ge):
            values.append(limit - 1)
        elif isinstance(bound, annotated_types.Gt | annotated_types.Lt):
            values.append(limit)
        elif isinstance(bound, annotated_types.Le):
            values.append(limit + 1)
    return values


# (key path, bad value) pairs: each must be blamed at that path, or at a key under it.
WRONG = [(path, value) for path, kind, _ in LEAVES for value in _wrong_values(kind)]
RANGE = [(path, value) for path, kind, field in LEAVES if kind is int for value in _out_of_range(field)]
# Combinations valid key by key that no stack can have: (keys to set, a key path blamed).
COMBINATIONS = [
    ({("network", "vpc"): "existing"}, ("network", "vpcId")),
    ({("network", "vpc"): "default", ("network", "natGateways"): "single"}, ("network", "natGateways")),
    ({("services", "web", "cpu"): 256, ("services", "web", "memory"): 4096}, ("services", "web", "memory")),
    ({("services", "web", "healthCheck", "intervalSeconds"): 5}, ("services", "web", "healthCheck", "intervalSeconds")),
    ({("services", "web", "subnets"): "private"}, ("services", "web", "subnets")),
    (
        {("services", "web", "execCommand"): True, ("services", "web", "readonlyRootFilesystem"): True},
        ("services", "web", "execCommand"),
    ),
    ({("loadBalancer", "sslPolicy"): "ELBSecurityPolicy-TLS13-1-3-2021-06"}, ("loadBalancer", "sslPolicy")),
    ({("services", "web", "deployment", "maximumPercent"): 100}, ("services", "web", "deployment", "maximumPercent")),
]


def _is_prefix(a: tuple, b: tuple) -> bool:
    return a == b[: len(a)] or b == a[: len(b)]


@st.composite
def bad_configs(draw) -> tuple[dict, list[tuple]]:
    """A stack config with 1-4 problems, and the key paths that must be blamed.

    A bad combination is sure to be blamed only alone: its rule waits while a key
    it reads is itself wrong (it would judge a value that is not there).
    """
    changes: dict[tuple, Any] = {}
    blamed: list[tuple[tuple, str]] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["wrong", "range", "unknown", "combination"]))
        if kind == "unknown":
            parent = draw(st.sampled_from(MODELS))
            key = "zz" + draw(st.text("qxjvkw", min_size=2, max_size=6))
            change, blame = {parent + (key,): 1}, parent + (key,)
        elif kind == "combination":
            change, blame = draw(st.sampled_from(COMBINATIONS))
        else:
            path, value = draw(st.sampled_from(WRONG if kind == "wrong" else RANGE))
            change, blame = {path: value}, path
        if any(_is_prefix(new, old) for new in change for old in changes):
            continue  # one problem must not reshape another's key
        changes.update(change)
        blamed.append((blame, kind))
    config: dict = {"services": {"web": dict(WEB)}}
    for path, value in changes.items():
        at = config
        for key in path[:-1]:
            at = at.setdefault(key, {})
        at[path[-1]] = value
    return config, [path for path, kind in blamed if kind != "combination" or len(blamed) == 1]


def key(path: tuple) -> str:
    return "fargate:" + ".".join(path)


def assert_one_config_error(message: str, blamed: list[tuple]) -> None:
    lines = message.splitlines()
    assert lines[0].startswith("invalid stack config:"), message
    problems = [lines[0].removeprefix("invalid stack config: ")] if len(lines) == 1 else lines[1:]
    assert len(lines) == 1 or lines[0] == "invalid stack config:"
    for line in problems:
        assert line.lstrip().startswith("fargate:") and ": " in line, line
        assert len(lines) == 1 or line.startswith("  fargate:"), line
    for python in ("Traceback", "Input should", "unable to parse", "{'", "('", "True is", "None is", "Error:"):
        assert python not in message, (python, message)
    for path in blamed:
        assert any(
            line.lstrip().startswith((key(path) + ":", key(path) + ".", key(path) + "[")) for line in problems
        ), (key(path), message)
    assert len(set(problems)) == len(problems), message


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad_configs())
def test_any_bad_config_is_one_config_error_with_a_key_path_on_every_line(case):
    config, blamed = case
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config(config, region="us-east-1")
    assert_one_config_error(str(raised.value), blamed)


# --------------------------------------------------------------------------- end to end, through the CLI


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project (links to its program and components) with stack files of our own."""
    directory = tmp_path_factory.mktemp("project")
    for name in ("Pulumi.yaml", "__main__.py", "components", "app", "venv"):
        (directory / name).symlink_to(PROJECT / name)
    return directory


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=bad_configs())
def test_the_cli_exits_2_with_the_config_error_and_no_traceback(project, case):
    config, blamed = case
    stack = {"config": {"aws:region": "us-east-1", **{f"fargate:{k}": v for k, v in config.items()}}}
    (project / "Pulumi.bad.yaml").write_text(yaml.safe_dump(stack))
    done = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", "bad", "--project-dir", str(project)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    message = done.stderr.removeprefix("preflight: error: ").rstrip("\n")
    assert_one_config_error(message, blamed)
