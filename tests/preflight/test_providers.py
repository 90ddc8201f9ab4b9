"""preflight/providers.py: other providers' resources get outputs of their SDK's types, and what the
SDK asks to keep secret stays secret on its way to the pack."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from preflight import UNKNOWN, providers, run, schema
from preflight.values import SECRET_SIG, SIG_KEY, UNKNOWN_WIRE, secret, wire_to_struct

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


# Each simulated provider's resources, and a few answered from their SDK's types alone.
SIMULATED_TYPES = sorted(
    providers.SIMULATED
    | {"tls:index/privateKey:PrivateKey", "tls:index/selfSignedCert:SelfSignedCert", "command:local:Command"}
)
_SCALARS = st.one_of(
    st.none(),
    st.just(UNKNOWN),
    st.just("unknown"),  # what a preview's placeholder for an unknown input reads
    st.just(""),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["server", "username", "password", "value", "x"]), inner, max_size=3),
        inner.map(secret),
    ),
    max_leaves=6,
)


@st.composite
def _inputs(draw, type_token):
    """Inputs of the type's own names (and a stray one), each unknown, secret, empty or of a wrong type."""
    names = sorted(schema.input_names(type_token) | {"length", "registry", "tags", "imageName", "stray"})
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=8))
    return {name: draw(_VALUES) for name in chosen}


@pytest.mark.parametrize("type_token", SIMULATED_TYPES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_simulated_provider_answers_any_inputs_or_says_it_could_not(type_token, data):
    """Unknowns, secrets, empty and wrong-typed inputs: the handler answers with outputs the
    engine can carry, or leaves them unknown and says why; it never raises."""
    inputs = data.draw(_inputs(type_token))
    providers.check(type_token, inputs)
    made = providers.create(type_token, f"urn:pulumi:dev::p::{type_token}::r", "r", inputs, "us-east-1")
    assert isinstance(made.id, str) and made.id
    wire_to_struct(made.outputs)  # every output is a value the engine's wire form holds
    if made.not_simulated:
        assert made.not_simulated.startswith("not simulated, its inputs could not be read (")
        assert all(made.outputs[key] == UNKNOWN_WIRE for key in made.outputs if key in schema.output_types(type_token))


def test_a_docker_image_whose_registry_is_unknown_is_simulated():
    """The preview's placeholder for a registry given as one unknown Output: the image is still
    pushed to the repository its name names (the bug: 'str' object has no attribute 'get')."""
    made = providers.create(
        "docker:index/image:Image",
        "urn:pulumi:dev::p::docker:index/image:Image::app",
        "app",
        {"imageName": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "registry": "unknown"},
        "us-east-1",
    )
    assert not made.not_simulated
    assert made.outputs["registryServer"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert made.outputs["repoDigest"].startswith("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:")
