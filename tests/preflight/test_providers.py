"""preflight/providers.py: other providers' resources get outputs of their SDK's types, and what the
SDK asks to keep secret stays secret on its way to the pack."""

import json

import pytest

from preflight import UNKNOWN, run
from preflight.values import SECRET_SIG, SIG_KEY

from .conftest import TASK_SECRETS


@pytest.mark.parametrize("preview", [False, True])
def test_a_generated_password_is_a_secret_and_the_database_has_its_port(pack, preview):
    result = run(
        TASK_SECRETS,
        "dev",
        preview=preview,
        analyzer=pack,
        stack_config={"placement": "environment", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}},
    )
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
    verdicts = sorted(
        (v.enforcement_level, v.urn.rsplit("::", 1)[1], v.message.split("\n", 1)[1].split(":")[0])
        for v in result.violations
        if v.policy == "ecs-no-plaintext-secrets"
    )
    # The secret reaches the pack as a secret in both modes, so the pack names it in both; the
    # name rule sees DB_PASSWORD's literal only after `up` (its task waits for the database).
    secret_written = "containerDefinitions is a Pulumi secret"
    expected = [
        ("mandatory", "api", "Container 'api' sets environment variable 'API_KEY' (named like a secret"),
        ("mandatory", "api", secret_written),
        ("mandatory", "app", secret_written),
    ]
    if not preview:
        expected.append(
            ("mandatory", "app", "Container 'app' sets environment variable 'DB_PASSWORD' (named like a secret")
        )
    assert verdicts == sorted(expected)


def test_secrets_handed_over_by_reference_pass(pack):
    result = run(
        TASK_SECRETS,
        "dev",
        analyzer=pack,
        stack_config={"placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}},
    )
    version = result.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.wire_inputs["secretString"][SIG_KEY] == SECRET_SIG
    for name in ("app", "api"):
        sent = result.one("aws:ecs/taskDefinition:TaskDefinition", name).wire_inputs["containerDefinitions"]
        assert not (isinstance(sent, dict) and sent.get(SIG_KEY) == SECRET_SIG)
    assert not any(v.policy == "ecs-no-plaintext-secrets" for v in result.violations)
