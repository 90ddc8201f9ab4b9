"""The example of docs/components.md ("Reusing the components from Python"), as a user runs it:
a program outside this repository that installs the built distribution and imports
`fargate_components`. It previews through the preflight's command line and the policy pack with
no mandatory violation, in both modes, and makes what the text says (two services on one ALB,
the api's image and secret from other resources' Outputs).

The distribution is built from a copy of the files it is made of, so the build's `build/` and
`*.egg-info` land in a temporary directory, never in the checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT

EXAMPLE = re.compile(r"<!-- example: reuse -->\n```python\n(.*?)```", re.DOTALL)
DOC = PROJECT / "docs" / "components.md"
# What pyproject.toml builds the distribution from.
SOURCES = ("pyproject.toml", "README.md", "components", "policies/fargate_policies")
# What a build leaves beside its sources.
ARTEFACTS = ("build", "dist", "*.egg-info", "policies/*.egg-info", "components/*.egg-info")


def _pip(*args: str, cwd=PROJECT) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args], cwd=cwd, check=True)


def _artefacts() -> set[Path]:
    return {path for pattern in ARTEFACTS for path in PROJECT.glob(pattern)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The distribution built from a copy of this checkout's sources and installed into a
    directory of its own."""
    root = tmp_path_factory.mktemp("dist")
    before = _artefacts()
    (root / "src").mkdir()
    for source in SOURCES:
        if (PROJECT / source).is_dir():
            shutil.copytree(PROJECT / source, root / "src" / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT / source, root / "src" / source)
    _pip("wheel", ".", "--no-deps", "--no-build-isolation", "-w", str(root / "wheels"), cwd=root / "src")
    (wheel,) = (root / "wheels").glob("fargate_alb_components-*.whl")
    _pip("install", "--no-deps", "--target", str(root / "site"), str(wheel))
    assert _artefacts() == before, "building the distribution left files in the checkout"
    return root / "site"


def test_the_distribution_holds_every_module_of_the_components_and_the_pack(installed):
    for source, name in (
        (PROJECT / "components", "fargate_components"),
        (PROJECT / "policies" / "fargate_policies", "fargate_policies"),
    ):
        expected = {p.relative_to(source).as_posix() for p in source.rglob("*.py")} | {"py.typed"}
        found = {
            p.relative_to(installed / name).as_posix()
            for p in (installed / name).rglob("*")
            if p.suffix == ".py" or p.name == "py.typed"
        }
        assert found == expected, name


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    directory = tmp_path_factory.mktemp("reuse")
    (match,) = EXAMPLE.findall(DOC.read_text())
    # Appended by the test only: where the program found the components.
    where = '\nimport fargate_components\npulumi.export("componentsFrom", fargate_components.__file__)\n'
    (directory / "__main__.py").write_text(match + where)
    (directory / "Pulumi.yaml").write_text("name: reuse\nruntime: python\n")
    (directory / "Pulumi.test.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  reuse:dbPassword: not-a-real-one\n"
    )
    return directory


def preflight(project, installed, *args: str) -> dict:
    # Run from the program's directory, as `pulumi preview` would. The repository is on the
    # path for the preflight tool only: it sets this repository's modules aside while the
    # program runs, and `componentsFrom` shows where the components came from.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), str(PROJECT)])}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "--stack",
            "test",
            "--json",
            "--policy-pack",
            str(PROJECT / "policies"),
            *args,
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_the_documented_example_installed_outside_the_repository_passes_the_policy_pack(project, installed, preview):
    document = preflight(project, installed, *(["--preview"] if preview else []))
    assert document["summary"]["policyPack"], "the policy pack did not run"
    assert document["summary"]["mandatory"] == 0, [
        v for v in document["violations"] if v["enforcementLevel"] == "mandatory"
    ]
    if preview:
        return
    assert document["outputs"]["componentsFrom"].startswith(str(installed))
    resources = document["resources"]
    rules = {r["name"]: r["inputs"] for r in resources if r["type"] == "aws:lb/listenerRule:ListenerRule"}
    assert sorted(rules) == ["api", "web"]
    assert rules["api"]["conditions"] == [{"pathPattern": {"values": ["/api/*"]}}]
    # The more specific path comes first.
    assert rules["api"]["priority"] < rules["web"]["priority"]
    (task,) = [r for r in resources if r["type"] == "aws:ecs/taskDefinition:TaskDefinition" and r["name"] == "api"]
    (container,) = json.loads(task["inputs"]["containerDefinitions"])
    # The image and the secret are other resources' outputs, resolved into the definition.
    assert re.fullmatch(r"\d{12}\.dkr\.ecr\.us-east-1\.amazonaws\.com/api-[0-9a-f]+:1\.0", container["image"]), (
        container
    )
    (secret,) = container["secrets"]
    assert secret["name"] == "DB_PASSWORD" and secret["valueFrom"].startswith("arn:aws:ssm:us-east-1:")
    (vpc,) = [r for r in resources if r["type"] == "aws:ec2/vpc:Vpc"]
    assert vpc["inputs"]["tags"]["Name"] == "reuse-test-shop-vpc"
