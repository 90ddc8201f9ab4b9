"""Real programs' shapes: data sources, other providers' outputs, a program's own modules."""

import ipaddress
import re
import json
import sys
from pathlib import Path

import pytest

import components
from preflight import UNKNOWN, run
from preflight.values import SECRET_SIG, SIG_KEY

FIXTURES = Path(__file__).parent / "fixtures"
TASK_SECRETS = FIXTURES / "task_secrets"


@pytest.fixture(scope="module")
def pack(policy_pack):
    """The repository's pack, the session's one process (tests/conftest.py)."""
    return policy_pack


@pytest.mark.parametrize("preview", [False, True])
def test_data_sources_answer_consistently_and_the_unlisted_one_is_named_simulated(pack, preview):
    result = run(FIXTURES / "lookups", "dev", preview=preview, analyzer=pack)
    out = result.outputs
    default = out["vpc"]
    assert default["cidr"] == "172.31.0.0/16" and len(default["subnets"]) == 6  # us-east-1's six zones
    assert default["first"]["vpcId"] == default["id"]
    assert ipaddress.ip_network(default["first"]["cidr"]).subnet_of(ipaddress.ip_network(default["cidr"]))
    shared = out["shared"]
    assert shared["id"] != default["id"] and shared["cidr"].startswith("10.")
    assert len(shared["private"]) == 3 and set(shared["privateVpcs"]) == {shared["id"]}
    assert shared["group"]["vpcId"] == shared["id"] and shared["group"]["id"].startswith("sg-")
    assert out["ecr"] == {"user": "AWS", "endpoint": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
                          "credentials": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"}
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
def test_a_generated_password_is_a_secret_and_the_database_has_its_port(pack, preview):
    result = run(TASK_SECRETS, "dev", preview=preview, analyzer=pack, stack_config={
        "placement": "environment", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}})
    password = result.one("random:index/randomPassword:RandomPassword")
    assert password.wire_outputs["result"][SIG_KEY] == SECRET_SIG
    database = result.one("aws:rds/instance:Instance")
    app = result.one("aws:ecs/taskDefinition:TaskDefinition", "app")
    sent = app.wire_inputs["containerDefinitions"]
    assert sent[SIG_KEY] == SECRET_SIG  # what the pack receives: the definition, marked secret
    if preview:
        assert password.outputs["result"] is UNKNOWN and database.outputs["port"] is UNKNOWN
        assert result.outputs == {"databasePort": UNKNOWN, "databaseEndpoint": UNKNOWN}
    else:
        value = password.outputs["result"]
        assert len(value) == 24 and value.isalnum()  # length=24, special=False
        assert database.outputs["port"] == 5432 and result.outputs["databasePort"] == 5432
        assert result.outputs["databaseEndpoint"].endswith(".us-east-1.rds.amazonaws.com:5432")
        [container] = json.loads(sent["value"])
        assert {"name": "DB_PASSWORD", "value": value} in container["environment"]
    verdicts = sorted((v.enforcement_level, v.urn.rsplit("::", 1)[1], v.message.split("\n", 1)[1].split(":")[0])
                      for v in result.violations if v.policy == "ecs-no-plaintext-secrets")
    # The secret reaches the pack as a secret in both modes, so the pack names it in both; the
    # name rule sees DB_PASSWORD's literal only after `up` (its task waits for the database).
    secret_written = "containerDefinitions is a Pulumi secret"
    expected = [("mandatory", "api", "Container 'api' sets environment variable 'API_KEY' (named like a secret"),
                ("mandatory", "api", secret_written), ("mandatory", "app", secret_written)]
    if not preview:
        expected.append(("mandatory", "app", "Container 'app' sets environment variable 'DB_PASSWORD' "
                                             "(named like a secret"))
    assert verdicts == sorted(expected)


def test_secrets_handed_over_by_reference_pass(pack):
    result = run(TASK_SECRETS, "dev", analyzer=pack, stack_config={
        "placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}})
    version = result.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.wire_inputs["secretString"][SIG_KEY] == SECRET_SIG
    for name in ("app", "api"):
        sent = result.one("aws:ecs/taskDefinition:TaskDefinition", name).wire_inputs["containerDefinitions"]
        assert not (isinstance(sent, dict) and sent.get(SIG_KEY) == SECRET_SIG)
    assert not any(v.policy == "ecs-no-plaintext-secrets" for v in result.violations)


@pytest.mark.parametrize("preview", [False, True])
def test_a_programs_own_components_package_wins_over_this_repositorys(preview):
    ours = sys.modules["components"]
    result = run(FIXTURES / "own_components", "dev", preview=preview, policy_pack=None)
    assert result.outputs == {"builtBy": "own-components"}
    assert result.one("aws:ec2/securityGroup:SecurityGroup").inputs["tags"] == {"BuiltBy": "own-components"}
    # The caller's modules are back as they were.
    assert sys.modules["components"] is ours is components


def test_after_a_program_with_its_own_components_this_repositorys_program_gets_ours():
    # A fresh run on purpose (not the suite's shared one): it must come after the other program's.
    # Which components package a program imports does not depend on the mode, so one mode.
    run(FIXTURES / "own_components", "dev", policy_pack=None)
    assert run(".", "dev", policy_pack=None).of_type("fargate:ecs:FargateService")


IMAGE_BUILD = FIXTURES / "image_build"


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("builder", ["docker", "awsx"])
def test_an_image_built_with_the_ecr_login_runs_and_the_awsx_service_is_named_unjudged(pack, preview, builder):
    result = run(IMAGE_BUILD, "dev", preview=preview, analyzer=pack, stack_config={
        "aws:region": "us-west-2", "image-build:builder": builder})
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


def test_the_cli_says_what_was_not_judged_and_strict_exits_3(capsys):
    from preflight.__main__ import main

    args = ["--stack", "dev", "--project-dir", str(IMAGE_BUILD), "--preview"]
    assert main(args) == 0
    lines = capsys.readouterr().out.rstrip().splitlines()
    assert lines[-1].startswith("INCOMPLETE: image-build/dev (preview): 7 resources, 0 mandatory")
    assert lines[-1].endswith("; not expanded offline: awsx:ecs:FargateService; exit 0")
    assert lines[-3].startswith("Not judged: awsx:ecs:FargateService are multi-language components whose provider")
    assert lines[-2] == "`--strict` makes this exit 3."
    assert main(args + ["--strict", "--json"]) == 3
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["notExpanded"], summary["strict"], summary["exitCode"]) == (["awsx:ecs:FargateService"], True, 3)


def test_mandatory_policies_that_could_not_run_are_counted(pack):
    result = run(TASK_SECRETS, "dev", preview=True, analyzer=pack, stack_config={
        "placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}})
    # The task definitions wait for the database and the secrets' ARNs: unknown in a preview.
    assert "ecs-no-plaintext-secrets" in result.mandatory_not_run
    assert result.mandatory == [] and result.exit_code == 0
    result.strict = True
    assert result.exit_code == 3
    from preflight import report

    count = len(result.mandatory_not_run)
    assert report.summary_line(result).endswith(
        f"; {count} mandatory policies could not run (values unknown until deployed); exit 3")


def test_a_policy_document_with_values_of_mixed_kinds_renders_instead_of_crashing():
    from preflight import aws

    document = aws.policy_document({"statements": [{
        "actions": ["s3:GetObject", UNKNOWN], "resources": ["arn:aws:s3:::b/*", UNKNOWN],
        "principals": [{"type": "AWS", "identifiers": [UNKNOWN, "arn:aws:iam::123456789012:root"]}]}]})
    assert document["Statement"][0]["Action"][0] == "s3:GetObject"


def test_a_failure_inside_preflight_is_named_a_preflight_bug_not_the_programs(monkeypatch):
    from preflight import ProgramError, providers

    def broken(*args, **kwargs):
        raise TypeError("'<' not supported between instances of '_Unknown' and 'str'")

    monkeypatch.setattr(providers, "create", broken)
    with pytest.raises(ProgramError) as caught:
        run(TASK_SECRETS, "dev", policy_pack=None, stack_config={
            "placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}})
    assert str(caught.value).startswith(
        "preflight failed on this program (a bug in preflight, please report it): TypeError: '<' not supported")
    assert "answering random:index/randomPassword:RandomPassword" in str(caught.value)
