"""preflight/aws/components.py: the multi-language components not expanded offline."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from preflight import UNKNOWN
from preflight.aws import remote_component


def test_remote_component_gets_plausible_outputs(nested):
    image = nested.one("awsx:ecr:Image")
    repository = nested.one("aws:ecr/repository:Repository")
    assert image.remote and not image.custom
    assert re.fullmatch(
        re.escape(repository.outputs["repositoryUrl"]) + r"@sha256:[0-9a-f]{64}", image.outputs["imageUri"]
    )


@settings(max_examples=80, deadline=None)
@given(
    type_token=st.sampled_from(["awsx:ecr:Image", "awsx:ecr:Repository", "awsx:lb:ApplicationLoadBalancer"]),
    repository_url=st.one_of(st.none(), st.just(UNKNOWN), st.just("unknown"), st.integers(), st.text(max_size=8)),
)
def test_a_remote_component_answers_any_inputs(type_token, repository_url):
    """Unknown, empty or wrong-typed inputs: outputs of the shapes the component gives, never a crash."""
    outputs = remote_component(
        type_token, f"urn:pulumi:dev::p::{type_token}::app", {"repositoryUrl": repository_url}, "us-east-1"
    )
    assert all(isinstance(value, str) and value for value in outputs.values())
    if repository_url is UNKNOWN:
        assert "imageUri" not in outputs  # never an image URI in a repository made up for it
