"""preflight/aws/components.py: the multi-language components not expanded offline."""

import re


def test_remote_component_gets_plausible_outputs(nested):
    image = nested.one("awsx:ecr:Image")
    repository = nested.one("aws:ecr/repository:Repository")
    assert image.remote and not image.custom
    assert re.fullmatch(
        re.escape(repository.outputs["repositoryUrl"]) + r"@sha256:[0-9a-f]{64}", image.outputs["imageUri"]
    )
