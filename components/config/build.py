"""Build config (fargate:services.<name>.build): an image built from a Dockerfile.

Instead of ``image``, a service may name a Docker build context; the program
then builds the image, pushes it to an ECR repository of its own and runs the
pushed digest (see ``components/image.py``)::

    fargate:services:
      web:
        build:
          context: app            # required; relative to the project directory
          dockerfile: Dockerfile  # relative to the context
          target: runtime         # optional build stage
          args: {VERSION: "1.2"}  # optional build args
          platform: linux/arm64   # linux/amd64 (default) or linux/arm64

Paths are checked against the working directory of the program, which under
``pulumi up`` is the project directory: the same directory the image build
resolves the same relative paths against, so what passes here is what builds.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Literal, Optional

from pydantic import Field, ValidationInfo, field_validator

from ..aws_limits import CPU_ARCHITECTURE
from .base import ConfigModel

Platform = Literal["linux/amd64", "linux/arm64"]


_STAGE = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S+\s+AS\s+(\S+)", re.IGNORECASE | re.MULTILINE)


def stage_names(dockerfile_text: str) -> list[str]:
    """The named build stages (``FROM <image> AS <name>``) of a Dockerfile."""
    return _STAGE.findall(dockerfile_text)


class BuildConfig(ConfigModel):
    # Required: the only directory-wide default (".") is the project root,
    # which holds venv/ and would be sent to the builder whole.
    context: str = Field(
        min_length=1,
        description="instead of `image`: build the image from this Docker context, push it to the service's own ECR repository (scan on push, untagged images expire after 14 days) and run it by digest",
        json_schema_extra={"yamlType": "directory relative to the project", "yamlDefault": "required with `build`"},
    )
    # Docker's own default name, looked up inside the context.
    dockerfile: str = Field(
        "Dockerfile",
        min_length=1,
        validate_default=True,
        description="must exist",
        json_schema_extra={"yamlType": "path relative to the context"},
    )
    # None builds the Dockerfile's last stage, as `docker build` does.
    target: Optional[str] = Field(
        None,
        min_length=1,
        description="a `FROM … AS <name>` stage of the Dockerfile",
        json_schema_extra={"yamlType": "stage name", "yamlDefault": "the last stage"},
    )
    args: dict[str, str] = Field(
        {}, description="build arguments", json_schema_extra={"yamlType": "map string → string"}
    )
    # Fargate runs X86_64 unless the task asks for ARM64; always naming the
    # platform keeps a build on an arm64 laptop from producing an image that
    # x86 tasks cannot start ("exec format error").
    platform: Platform = Field(
        "linux/amd64",
        description="must match `architecture`",
        json_schema_extra={"yamlDefault": "follows `architecture`"},
    )

    @field_validator("context")
    @classmethod
    def _context_is_a_project_directory(cls, context: str) -> str:
        if os.path.isabs(context):
            raise ValueError("must be a directory relative to the project directory")
        context = posixpath.normpath(context.replace(os.sep, "/"))
        if not (Path.cwd() / context).is_dir():
            raise ValueError(
                f"must be an existing directory relative to the project directory "
                f"({Path.cwd()}); {context}/ does not exist"
            )
        return context

    @field_validator("dockerfile")
    @classmethod
    def _dockerfile_is_in_the_context(cls, dockerfile: str, info: ValidationInfo) -> str:
        if os.path.isabs(dockerfile):
            raise ValueError("must be a file relative to the build context")
        context = info.data.get("context")
        if context is None:  # the context itself is already reported
            return dockerfile
        path = posixpath.normpath(posixpath.join(context, dockerfile.replace(os.sep, "/")))
        if not (Path.cwd() / path).is_file():
            raise ValueError(f"must be a file relative to the build context; {path} does not exist")
        return dockerfile

    @field_validator("target")
    @classmethod
    def _target_is_a_stage(cls, target: Optional[str], info: ValidationInfo) -> Optional[str]:
        # Checked here, not left to the build: a typo would otherwise surface
        # only minutes into `pulumi up`.
        if target is None or "dockerfile" not in info.data:
            return target
        dockerfile = posixpath.join(info.data["context"], info.data["dockerfile"])
        stages = stage_names((Path.cwd() / dockerfile).read_text(errors="replace"))
        if target not in stages:
            raise ValueError(
                f"one of the stages of {posixpath.normpath(dockerfile)}: {', '.join(stages)}"
                if stages
                else f"{posixpath.normpath(dockerfile)} names no stage (FROM <image> AS <name>)"
            )
        return target

    @property
    def cpu_architecture(self) -> str:
        """The ECS runtime platform ``cpuArchitecture`` this image runs on."""
        return CPU_ARCHITECTURE[self.platform]

    @property
    def dockerfile_path(self) -> str:
        """The Dockerfile relative to the project directory, as the builder wants it."""
        return posixpath.normpath(posixpath.join(self.context, self.dockerfile))
