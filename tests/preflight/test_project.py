"""preflight/project.py: the project and its config as the Pulumi CLI hands them to a program."""

import pytest

from preflight import ProgramError, run
from preflight.secrets import stand_in

from .conftest import NESTED


def test_config_objects_project_defaults_and_stack_values(nested):
    assert nested.outputs["owner"] == "platform"  # an object value read with require_object
    assert nested.outputs["replicas"] == 3  # the stack overrides the project default of 2
    assert nested.one("aws:ec2/vpc:Vpc").inputs["tags"] == {"Name": "hello"}  # project default
    assert nested.outputs["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]  # aws:region in Pulumi.yaml


def test_secure_config_reaches_resources_as_a_secret(nested):
    parameter = nested.one("aws:ssm/parameter:Parameter")
    wire_value = parameter.wire_inputs["value"]
    assert wire_value["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert parameter.inputs["value"] == stand_in("nested:apiToken")


def test_stack_config_argument_replaces_the_stack_file():
    result = run(
        NESTED,
        "other",
        policy_pack=None,
        stack_config={
            "nested:settings": {"ports": [8080], "owner": {"team": "data"}},
            "replicas": 5,
            "nested:apiToken": "plain",
        },
    )
    assert result.outputs["owner"] == "data" and result.outputs["replicas"] == 5
    assert [r.name for r in result.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")] == ["edge-rules-8080"]
    assert result.one("pulumi:pulumi:Stack").urn == "urn:pulumi:other::nested::pulumi:pulumi:Stack::nested-other"


def write_project(directory, manifest, stack_file, program):
    (directory / "Pulumi.yaml").write_text(manifest)
    (directory / "Pulumi.ci.yaml").write_text(stack_file)
    (directory / "infra.py").write_text(program)
    return directory


def test_main_may_name_a_file_and_project_types_are_checked(tmp_path):
    program = (
        "import pulumi, pulumi_aws as aws\n"
        "size = pulumi.Config().require_int('size')\n"
        "aws.sqs.Queue('jobs', delay_seconds=size)\n"
        "pulumi.export('size', size)\n"
    )
    manifest = "name: queue\nruntime: python\nmain: infra.py\nconfig:\n  size:\n    type: integer\n"
    result = run(write_project(tmp_path, manifest, "config:\n  queue:size: 5\n", program), "ci", policy_pack=None)
    assert result.outputs == {"size": 5}
    assert result.one("aws:sqs/queue:Queue").inputs["delaySeconds"] == 5
    (tmp_path / "Pulumi.ci.yaml").write_text("config:\n  queue:size: five\n")
    with pytest.raises(ProgramError, match="configuration key 'queue:size' must be of type 'integer', got 'five'"):
        run(tmp_path, "ci", policy_pack=None)


def test_only_python_programs_are_run(tmp_path):
    write_project(tmp_path, "name: web\nruntime: nodejs\n", "config: {}\n", "")
    with pytest.raises(ProgramError, match="runtime is 'nodejs'; preflight runs Python programs only"):
        run(tmp_path, "ci", policy_pack=None)
