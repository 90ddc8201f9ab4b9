"""ContainerImage under the offline preflight: the ECR repository, its lifecycle
rule, the awsx build and push, and the image URI that a task definition uses."""

from __future__ import annotations

import json

from preflight.values import UNKNOWN

from .conftest import APP_CONTEXT

REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
IMAGE = "awsx:ecr:Image"


def test_every_child_belongs_to_the_container_image_component(applied):
    component = applied.one("fargate:image:ContainerImage", "web")
    for type_token in (REPOSITORY, LIFECYCLE_POLICY, IMAGE):
        assert applied.one(type_token, "web").parent == component.urn


def test_repository_scans_on_push_and_tears_down_with_the_stack(applied):
    inputs = applied.one(REPOSITORY, "web").inputs
    assert inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    # awsx reuses its input-derived tag for new content, which IMMUTABLE refuses.
    assert inputs["imageTagMutability"] == "MUTABLE"
    assert inputs["forceDelete"] is True


def test_lifecycle_policy_expires_only_untagged_images_of_this_repository(applied):
    repository = applied.one(REPOSITORY, "web")
    policy = applied.one(LIFECYCLE_POLICY, "web")
    assert policy.inputs["repository"] == repository.outputs["name"]
    assert json.loads(policy.inputs["policy"]) == {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images 14 days after push",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 14,
                },
                "action": {"type": "expire"},
            }
        ]
    }


def test_image_is_built_from_the_configured_context_and_pushed_to_the_repository(applied):
    repository = applied.one(REPOSITORY, "web")
    image = applied.one(IMAGE, "web")
    assert image.inputs == {
        "repositoryUrl": repository.outputs["repositoryUrl"],
        "context": APP_CONTEXT,
        "dockerfile": f"{APP_CONTEXT}/Dockerfile",
        "platform": "linux/amd64",
    }
    assert repository.urn in image.property_dependencies["repositoryUrl"]


def test_image_uri_is_the_pushed_image_in_this_repository(applied):
    repository_url = applied.one(REPOSITORY, "web").outputs["repositoryUrl"]
    image_uri = applied.outputs["imageUris"]["web"]
    assert image_uri == applied.one(IMAGE, "web").outputs["imageUri"]
    assert image_uri.startswith(repository_url)


def test_target_args_and_platform_reach_the_build_and_the_uri_is_unknown_in_preview(previewed):
    image = previewed.one(IMAGE, "api")
    assert image.inputs["context"] == "multistage"
    assert image.inputs["dockerfile"] == "multistage/Dockerfile"
    assert image.inputs["target"] == "runtime"
    assert image.inputs["args"] == {"VERSION": "1.2"}
    assert image.inputs["platform"] == "linux/arm64"
    # Nothing is built during a preview: the URI exists only after the push.
    assert previewed.outputs["imageUris"]["api"] is UNKNOWN
