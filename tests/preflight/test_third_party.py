"""Programs in the styles third-party projects use (tests/preflight/fixtures/third_party, one style
per stack), each judged in both modes: no crash, what cannot be known offline left unknown and
named, and the verdicts an AWS engineer would give."""

import json

import pytest

from preflight import UNKNOWN, ProgramError, report, run
from preflight.values import UNKNOWN_WIRE

from .conftest import FIXTURES

THIRD_PARTY = FIXTURES / "third_party"
BOTH_MODES = pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])


def judged(pack, style, preview):
    result = run(THIRD_PARTY, style, preview=preview, analyzer=pack)
    assert result.mandatory == []  # each program works: nothing mandatory fails
    return result


@BOTH_MODES
def test_an_ami_looked_up_with_most_recent_gets_a_typed_answer(pack, preview):
    result = judged(pack, "ami", preview)
    assert result.outputs["mostRecent"] is True  # echoed back as the bool it was
    assert result.outputs["ami"].startswith("ami-") and len(result.outputs["ami"]) == 21
    assert result.outputs["amiName"] == "amzn2-ami-ecs-hvm-2026.01.01-x86_64-ebs"
    template = result.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["imageId"] == result.outputs["ami"]
    assert result.simulated_data_sources == [] and result.exit_code == 0


@BOTH_MODES
def test_aws_managed_policies_looked_up_by_name_are_aws_s_and_the_rule_sees_them(pack, preview):
    result = judged(pack, "managed", preview)
    assert result.outputs == {
        "executionPolicy": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        "executionPolicyPath": "/service-role/",
        "readOnly": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }
    attachment = result.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "task")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    flagged = {
        v.urn.rsplit("::", 1)[1]: v.message
        for v in result.violations
        if v.policy == "iam-no-managed-policy-on-task-roles"
    }
    assert "arn:aws:iam::aws:policy/ReadOnlyAccess" in flagged["task"]


@BOTH_MODES
def test_a_secret_parsed_as_json_in_an_apply_is_unknown_and_named_not_judged(pack, preview):
    result = judged(pack, "secret", preview)
    assert result.unknown_offline == [
        "the value of parameter '/prod/db/host' (aws.ssm.get_parameter)",
        "the value of secret 'prod/api' (aws.secretsmanager.get_secret_version)",
        "the value of secret 'prod/db' (aws.secretsmanager.get_secret_version)",
    ]
    # The Output form: unknown, so json.loads never ran on a made-up string.
    assert result.outputs["user"] is UNKNOWN and result.outputs["secretArn"] is UNKNOWN
    # The plain form cannot carry an unknown: the content is absent, not invented.
    assert result.outputs["apiKeyKnown"] is False
    task = result.one("aws:ecs/taskDefinition:TaskDefinition")
    assert task.wire_inputs["containerDefinitions"] == UNKNOWN_WIRE
    assert "ecs-no-plaintext-secrets" in result.mandatory_not_run
    text = report.text(result)
    assert "Not judged: what the program builds from the value of parameter '/prod/db/host'" in text
    assert "because those values are not known offline" in text
    assert result.exit_code == 0
    result.strict = True
    assert result.exit_code == 3


@BOTH_MODES
def test_another_stack_s_outputs_are_unknown_in_both_modes(pack, preview):
    result = judged(pack, "stackref", preview)
    assert result.outputs == {"firstSubnet": UNKNOWN, "outputs": UNKNOWN}
    assert result.unknown_offline == ["the outputs of stack 'acme/network/prod' (pulumi.StackReference)"]
    group = result.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.wire_inputs["vpcId"] == UNKNOWN_WIRE
    service = result.one("aws:ecs/service:Service")
    assert service.wire_inputs["networkConfiguration"]["subnets"] == UNKNOWN_WIRE
    summary = report.summary(result)
    assert summary["unknownOffline"] == result.unknown_offline
    assert "because that value is not known offline (only the account or the other stack holds it)" in report.text(
        result
    )
    result.strict = True
    assert result.exit_code == 3


@BOTH_MODES
def test_awsx_components_outputs_are_unknown_and_the_components_named(pack, preview):
    result = judged(pack, "awsx", preview)
    assert result.outputs == {"url": UNKNOWN, "subnets": UNKNOWN, "service": UNKNOWN}
    expanded = ["awsx:ec2:Vpc", "awsx:ecs:FargateService", "awsx:lb:ApplicationLoadBalancer"]
    assert result.not_expanded == expanded
    assert report.summary_line(result).endswith(f"; not expanded offline: {', '.join(expanded)}; exit 0")
    result.strict = True
    assert result.exit_code == 3


@BOTH_MODES
def test_a_docker_image_with_an_unknown_registry_is_simulated(pack, preview):
    result = judged(pack, "docker", preview)
    image = result.one("docker:index/image:Image")
    repository = result.one("aws:ecr/repository:Repository")
    assert result.not_simulated == []
    if preview:
        assert image.wire_inputs["registry"] == UNKNOWN_WIRE
        assert result.outputs == {"image": UNKNOWN, "server": UNKNOWN}
    else:
        url = repository.outputs["repositoryUrl"]
        assert result.outputs["image"].startswith(f"{url}@sha256:")
        assert result.outputs["server"] == "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"
        assert json.dumps(image.wire_inputs["registry"])  # the login's password stays a secret value
    assert result.exit_code == 0


@BOTH_MODES
def test_a_secret_parsed_from_the_plain_form_fails_naming_what_was_not_known(pack, preview):
    """The plain form gets None, not a made-up string; the program's failure names why."""
    with pytest.raises(ProgramError) as raised:
        run(THIRD_PARTY, "plain_secret", preview=preview, analyzer=pack)
    message = str(raised.value)
    assert message.startswith("the program raised TypeError: the JSON object must be str")
    assert message.endswith(
        "; note: the program was given None for the value of secret 'prod/db' "
        "(aws.secretsmanager.get_secret_version), which an offline run cannot know (the data "
        "source's Output form leaves it unknown instead)"
    )
