"""fargate:services.<name>.build parses into BuildConfig; bad paths and
platforms are refused with the key path, the value and what is allowed."""

from __future__ import annotations

import pydantic
import pytest

from components.config.base import ConfigModel, format_errors
from components.config.build import BuildConfig


class Service(ConfigModel):
    build: BuildConfig


class Root(ConfigModel):
    """The shape ServiceConfig will give ``build``: fargate:services.<name>.build."""

    services: dict[str, Service]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project directory (the program's working directory) with app/Dockerfile."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "app" / "Dockerfile.arm").write_text(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN true\nfrom scratch as runtime\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def error_of(build: dict) -> str:
    with pytest.raises(pydantic.ValidationError) as caught:
        Root.model_validate({"services": {"web": {"build": build}}})
    return format_errors(Root, caught.value)


def test_defaults_build_the_contexts_dockerfile_for_x86(project):
    build = BuildConfig.model_validate({"context": "./app/"})
    assert build.context == "app"
    assert build.dockerfile_path == "app/Dockerfile"
    assert (build.target, build.args, build.platform) == (None, {}, "linux/amd64")
    assert build.cpu_architecture == "X86_64"


def test_every_field_is_read_from_its_camel_case_key(project):
    build = BuildConfig.model_validate(
        {
            "context": "app",
            "dockerfile": "Dockerfile.arm",
            "target": "runtime",
            "args": {"VERSION": "1.2"},
            "platform": "linux/arm64",
        }
    )
    assert build.dockerfile_path == "app/Dockerfile.arm"
    assert build.target == "runtime"
    assert build.args == {"VERSION": "1.2"}
    assert build.cpu_architecture == "ARM64"


def test_missing_context_directory_names_the_key_and_the_project_directory(project):
    message = error_of({"context": "web-app"})
    assert message.startswith("invalid stack config: fargate:services.web.build.context: 'web-app' is not allowed;")
    assert f"relative to the project directory ({project})" in message
    assert "web-app/ does not exist" in message


def test_missing_dockerfile_names_the_key_and_the_path_it_looked_for(project):
    message = error_of({"context": "app", "dockerfile": "Dockerfile.prod"})
    assert message == (
        "invalid stack config: fargate:services.web.build.dockerfile: 'Dockerfile.prod' is not allowed; "
        "must be a file relative to the build context; app/Dockerfile.prod does not exist"
    )


def test_context_without_a_dockerfile_is_refused(project):
    (project / "empty").mkdir()
    assert "fargate:services.web.build.dockerfile: 'Dockerfile' is not allowed" in error_of({"context": "empty"})


@pytest.mark.parametrize("field,value", [("context", "/srv/app"), ("dockerfile", "/srv/app/Dockerfile")])
def test_absolute_paths_are_refused(project, field, value):
    build = {"context": "app", field: value}
    assert f"fargate:services.web.build.{field}: '{value}' is not allowed; must be a" in error_of(build)


def test_unknown_platform_and_unknown_key_are_both_reported(project):
    message = error_of({"context": "app", "platform": "linux/386", "dockerFile": "Dockerfile"})
    assert (
        "fargate:services.web.build.platform: 'linux/386' is not allowed; one of 'linux/amd64', 'linux/arm64'"
        in message
    )
    assert "fargate:services.web.build.dockerFile: unknown key; did you mean 'dockerfile'?" in message


def test_context_is_required(project):
    assert error_of({"dockerfile": "Dockerfile"}) == (
        "invalid stack config: fargate:services.web.build.context: required key is missing"
    )


def test_target_must_be_a_stage_of_the_dockerfile(project):
    assert error_of({"context": "app", "dockerfile": "Dockerfile.arm", "target": "runtme"}) == (
        "invalid stack config: fargate:services.web.build.target: 'runtme' is not allowed; "
        "one of the stages of app/Dockerfile.arm: build, runtime"
    )
    assert error_of({"context": "app", "target": "runtime"}).endswith(
        "'runtime' is not allowed; app/Dockerfile names no stage (FROM <image> AS <name>)"
    )
