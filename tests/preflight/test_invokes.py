"""preflight/invokes.py: data sources answered consistently within a run, the ECR login an image
build needs, and the ones answered from their result type only, named as simulated."""

import ipaddress
import json
import re

import pytest

from preflight import UNKNOWN, run
from preflight.values import SECRET_SIG, SIG_KEY

from .conftest import FIXTURES, IMAGE_BUILD


@pytest.mark.parametrize("preview", [False, True])
def test_data_sources_answer_consistently_and_the_unlisted_one_is_named_simulated(pack, preview):
    result = run(FIXTURES / "lookups", "dev", preview=preview, analyzer=pack)
    out = result.outputs
    default = out["vpc"]
    assert default["cidr"] == "172.31.0.0/16" and len(default["subnets"]) == 6  # us-east-1's six zones
    assert default["first"]["vpcId"] == default["id"]
    assert ipaddress.IPv4Network(default["first"]["cidr"]).subnet_of(ipaddress.IPv4Network(default["cidr"]))
    shared = out["shared"]
    assert shared["id"] != default["id"] and shared["cidr"].startswith("10.")
    assert len(shared["private"]) == 3 and set(shared["privateVpcs"]) == {shared["id"]}
    assert shared["group"]["vpcId"] == shared["id"] and shared["group"]["id"].startswith("sg-")
    assert out["ecr"] == {
        "user": "AWS",
        "endpoint": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "credentials": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
    }
    assert "ecr:GetAuthorizationToken" in json.loads(out["iam"]["policy"])["Statement"][0]["Action"]
    assert out["iam"]["role"] == "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    assert out["edge"]["certificate"].startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    assert out["edge"]["balancer"] == {"vpcId": default["id"], "subnets": default["subnets"]}
    assert out["values"]["secretArn"] is True and out["values"]["cluster"].endswith(":cluster/main")
    assert out["task"]["arn"].startswith("arn:aws:ecs:us-east-1:123456789012:")
    assert result.simulated_data_sources == ["aws.ecs.get_task_definition"]
    # Built from an unknown ARN in a preview, the policy document is unknown, not a crash.
    assert (out["document"] is UNKNOWN) == preview
    assert result.exit_code == 0


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("builder", ["docker", "awsx"])
def test_an_image_built_with_the_ecr_login_runs_and_the_awsx_service_is_named_unjudged(pack, preview, builder):
    result = run(
        IMAGE_BUILD,
        "dev",
        preview=preview,
        analyzer=pack,
        stack_config={"aws:region": "us-west-2", "image-build:builder": builder},
    )
    repository = result.one("aws:ecr/repository:Repository")
    if builder == "docker":
        image = result.one("docker:index/image:Image")
        registry = image.wire_inputs["registry"]
        assert registry["password"][SIG_KEY] == SECRET_SIG  # the ECR login's password stays secret
        if not preview:
            assert registry["username"] == {SIG_KEY: SECRET_SIG, "value": "AWS"}
            url = repository.outputs["repositoryUrl"]
            assert result.outputs["image"] == f"{url}@{image.outputs['repoDigest'].split('@')[1]}"
            assert re.fullmatch(re.escape(url) + r"@sha256:[0-9a-f]{64}", result.outputs["image"])
    if preview:
        assert result.outputs == {"image": UNKNOWN, "registry": UNKNOWN}
    else:
        assert result.outputs["registry"] == "https://123456789012.dkr.ecr.us-west-2.amazonaws.com"
        assert result.outputs["image"].startswith("123456789012.dkr.ecr.us-west-2.amazonaws.com/app-")
    expected = ["awsx:ecs:FargateService"] if builder == "docker" else ["awsx:ecr:Image", "awsx:ecs:FargateService"]
    assert result.not_expanded == expected
    assert result.mandatory == [] and result.exit_code == 0
    result.strict = True
    assert result.exit_code == 3
