"""Config secrets: decrypted as the Pulumi CLI decrypts them, or a stand-in that stays secret."""

import os
import shutil
from pathlib import Path

import pytest

from preflight import ProgramError, run, secrets
from preflight.values import SECRET_SIG, SIG_KEY

FIXTURES = Path(__file__).parent / "fixtures"
TASK_SECRETS = FIXTURES / "task_secrets"
REPOSITORY_PACK = Path(__file__).resolve().parents[2] / "policies"

# A passphrase stack state from Pulumi's own tests of its passphrase secrets manager
# (pkg/secrets/passphrase): its passphrase is "password", and the check value it carries
# decrypts to "pulumi".
PULUMI_TEST_STATE = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="
PASSPHRASE = "correct horse battery staple"
API_KEY = "k3y-0f-the-api-2f9c"


def test_pulumis_own_passphrase_state_opens_with_its_passphrase_only():
    key = secrets.unlock("password", PULUMI_TEST_STATE)
    assert len(key) == 32
    assert secrets.decrypt(key, PULUMI_TEST_STATE.split(":", 2)[2]) == "pulumi"
    with pytest.raises(ProgramError, match="incorrect passphrase: set PULUMI_CONFIG_PASSPHRASE"):
        secrets.unlock("password123", PULUMI_TEST_STATE)


def test_a_value_encrypted_with_another_key_is_refused():
    key = secrets.unlock("password", PULUMI_TEST_STATE)
    other = secrets.encrypt(bytes(32), "hello")
    with pytest.raises(ValueError, match="another passphrase"):
        secrets.decrypt(key, other)
    with pytest.raises(ValueError, match="v1:<nonce>:<ciphertext>"):
        secrets.decrypt(key, "v2:abc")


@pytest.fixture(scope="module")
def stack_key() -> tuple[bytes, bytes]:
    salt = b"preflight"
    return secrets.derive_key(PASSPHRASE, salt), salt


def encrypted_project(tmp_path: Path, stack_key, placement: str, provider: str = "") -> Path:
    """The task_secrets program with a stack file written as `pulumi config set --secret` would."""
    project = tmp_path / "project"
    shutil.copytree(TASK_SECRETS, project)
    key, salt = stack_key
    header = f"secretsprovider: {provider}\n" if provider else f"encryptionsalt: {secrets.new_salt_state(key, salt)}\n"
    (project / "Pulumi.dev.yaml").write_text(
        header + "config:\n"
        f"  task-secrets:placement: {placement}\n"
        f"  task-secrets:apiKey:\n    secure: {secrets.encrypt(key, API_KEY)}\n"
    )
    return project


def container_definitions(result, name: str):
    [task] = [r for r in result.of_type("aws:ecs/taskDefinition:TaskDefinition") if r.name == name]
    return task.wire_inputs["containerDefinitions"]


@pytest.mark.parametrize("preview", [False, True])
def test_a_passphrase_secret_is_decrypted_and_reaches_the_pack_as_a_secret(tmp_path, monkeypatch, stack_key, preview):
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)
    result = run(
        encrypted_project(tmp_path, stack_key, "environment"), "dev", preview=preview, policy_pack=REPOSITORY_PACK
    )
    sent = container_definitions(result, "api")
    assert sent[SIG_KEY] == SECRET_SIG  # the whole definition is secret, as the engine marshals it
    assert f'{{"name": "API_KEY", "value": "{API_KEY}"}}' in sent["value"]
    assert result.notes == []
    assert ("ecs-no-plaintext-secrets", "mandatory") in {
        (v.policy, v.enforcement_level)
        for v in result.violations
        if v.urn == result.one("aws:ecs/taskDefinition:TaskDefinition", "api").urn
    }


def test_the_passphrase_may_come_from_a_file(tmp_path, monkeypatch, stack_key):
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(passphrase_file))
    result = run(encrypted_project(tmp_path, stack_key, "secrets"), "dev", policy_pack=None)
    parameter = result.one("aws:ssm/parameter:Parameter")
    assert parameter.wire_inputs["value"] == {SIG_KEY: SECRET_SIG, "value": API_KEY}


def test_a_wrong_passphrase_fails_as_pulumi_does(tmp_path, monkeypatch, stack_key):
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not it")
    with pytest.raises(ProgramError, match=r"Pulumi\.dev\.yaml: incorrect passphrase"):
        run(encrypted_project(tmp_path, stack_key, "secrets"), "dev", policy_pack=None)


@pytest.mark.parametrize(
    "provider, reason",
    [
        ("", "neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set"),
        ("awskms://alias/pulumi?region=us-east-1", "the stack's secrets provider (awskms) is not reachable offline"),
    ],
)
def test_without_the_key_a_secret_is_a_stand_in_named_in_one_line(tmp_path, monkeypatch, stack_key, provider, reason):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    result = run(encrypted_project(tmp_path, stack_key, "secrets", provider), "dev", policy_pack=None)
    parameter = result.one("aws:ssm/parameter:Parameter")
    assert parameter.wire_inputs["value"] == {SIG_KEY: SECRET_SIG, "value": secrets.stand_in("task-secrets:apiKey")}
    assert result.notes == [
        f"config secrets not decrypted ({reason}); a stand-in secret value is used for: task-secrets:apiKey"
    ]
    assert "PULUMI_CONFIG_PASSPHRASE" not in os.environ
