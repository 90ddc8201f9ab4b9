"""The README's "Reusing the components" example is a program that works: it previews
through the preflight with the policy pack, with no mandatory violation, in both modes,
and makes what the text says (two services on one ALB, the api's image and secret from
other resources' Outputs)."""

from __future__ import annotations

import json
import re

import pytest

from preflight import run

from .conftest import PROJECT

EXAMPLE = re.compile(r"<!-- example: reuse -->\n```python\n(.*?)```", re.DOTALL)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    directory = tmp_path_factory.mktemp("reuse")
    (match,) = EXAMPLE.findall((PROJECT / "README.md").read_text())
    # The components are not an installable package yet: the repository goes on sys.path.
    (directory / "__main__.py").write_text(f"import sys\nsys.path.insert(0, {str(PROJECT)!r})\n\n" + match)
    (directory / "Pulumi.yaml").write_text("name: reuse\nruntime: python\n")
    (directory / "Pulumi.test.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  reuse:dbPassword: not-a-real-one\n"
    )
    return directory


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_the_readme_example_passes_the_policy_pack(project, preview):
    result = run(project, "test", preview=preview, policy_pack=PROJECT / "policies")
    assert result.policy_pack, "the policy pack did not run"
    assert result.mandatory == [], [f"{v.policy}: {v.message}" for v in result.mandatory]
    if preview:
        return
    rules = {r.name: r.inputs for r in result.of_type("aws:lb/listenerRule:ListenerRule")}
    assert sorted(rules) == ["api", "web"]
    assert rules["api"]["conditions"] == [{"pathPattern": {"values": ["/api/*"]}}]
    # The more specific path comes first.
    assert rules["api"]["priority"] < rules["web"]["priority"]
    (container,) = json.loads(result.one("aws:ecs/taskDefinition:TaskDefinition", "api").inputs["containerDefinitions"])
    assert container["image"] == result.one("aws:ecr/repository:Repository").outputs["repositoryUrl"] + ":1.0"
    assert container["secrets"] == [
        {"name": "DB_PASSWORD", "valueFrom": result.one("aws:ssm/parameter:Parameter").outputs["arn"]}
    ]
    assert result.one("aws:ec2/vpc:Vpc").inputs["tags"]["Name"] == "reuse-test-shop-vpc"
