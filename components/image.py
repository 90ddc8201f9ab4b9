"""ContainerImage: a service's image built from a Dockerfile and pushed to ECR.

One private ECR repository per built service, scanned on push, with old
untagged images expiring; the image is built and pushed by ``awsx.ecr.Image``
(the docker-build provider underneath). ``image_uri`` is the pushed digest
(``<repository>@sha256:...``), so a task definition that uses it changes
exactly when the image content changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

from .aws_limits import CPU_ARCHITECTURE
from .validation import check, check_one_of

PLATFORMS = ("linux/amd64", "linux/arm64")


@dataclass(kw_only=True)
class ContainerImageArgs:
    # The Docker build context, relative to the project directory (the working
    # directory of `pulumi up`).
    context: pulumi.Input[str]
    # None: <context>/Dockerfile, Docker's own default name.
    dockerfile: Optional[pulumi.Input[str]] = None
    # None builds the Dockerfile's last stage, as `docker build` does.
    target: Optional[pulumi.Input[str]] = None
    # No build args.
    args: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    # Fargate runs X86_64 unless the task asks for ARM64; always naming the
    # platform keeps a build on an arm64 laptop from producing an image that
    # x86 tasks cannot start ("exec format error").
    platform: str = "linux/amd64"
    # Untagged images are earlier builds whose tag moved on; the previous task
    # definition still pins one by digest, so keep them long enough for a
    # circuit-breaker rollback (or a manual one) to pull it.
    untagged_image_expiry_days: int = 14

    def validate(self, owner: str = "ContainerImageArgs") -> None:
        check_one_of(f"{owner}.platform", self.platform, PLATFORMS, "a Fargate image platform")
        check(
            f"{owner}.untagged_image_expiry_days",
            self.untagged_image_expiry_days,
            isinstance(self.untagged_image_expiry_days, int) and self.untagged_image_expiry_days >= 1,
            "a number of days",
            "1 or more",
        )

    @property
    def cpu_architecture(self) -> str:
        """The ECS runtime platform ``cpuArchitecture`` this image runs on."""
        return CPU_ARCHITECTURE[self.platform]


def untagged_expiry_policy(days: int) -> str:
    """The ECR lifecycle policy document expiring untagged images after ``days``."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images {days} days after push",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": days,
                    },
                    "action": {"type": "expire"},
                }
            ],
        }
    )


class ContainerImage(pulumi.ComponentResource):
    repository: aws.ecr.Repository
    image_uri: pulumi.Output[str]

    def __init__(self, name: str, args: ContainerImageArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate()
        super().__init__("fargate:image:ContainerImage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        build = args

        self.repository = aws.ecr.Repository(
            name,
            image_scanning_configuration={"scan_on_push": True},
            # MUTABLE: awsx tags each build with a hash of its build inputs, not
            # of the image, so a code change pushes the same tag again, which an
            # IMMUTABLE repository refuses. Deployments stay immutable anyway:
            # tasks run image_uri, a digest.
            image_tag_mutability="MUTABLE",
            # The repository holds only images this stack builds from source and
            # can rebuild; without this, `pulumi destroy` stops at a non-empty
            # repository.
            force_delete=True,
            opts=child,
        )

        aws.ecr.LifecyclePolicy(
            name,
            repository=self.repository.name,
            policy=untagged_expiry_policy(args.untagged_image_expiry_days),
            opts=child,
        )

        image = awsx.ecr.Image(
            name,
            repository_url=self.repository.repository_url,
            context=build.context,
            dockerfile=build.dockerfile
            if build.dockerfile is not None
            else pulumi.Output.concat(build.context, "/Dockerfile"),
            target=build.target,
            args=dict(build.args) or None,
            platform=build.platform,
            opts=child,
        )
        self.image_uri = image.image_uri

        self.register_outputs(
            {
                "imageUri": self.image_uri,
                "repositoryUrl": self.repository.repository_url,
            }
        )
