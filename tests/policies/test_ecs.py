"""fargate_policies/ecs.py: what each ECS rule reads in task definitions, services and clusters,
and its readers of task sizes and secret names and values."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.fargate_policies.ecs import (
    FARGATE_TASK_SIZES,
    SECRETS_CONFIG,
    _size,
    could_be_secret,
    name_words,
    plainly_not_secret,
    secret_name,
    secret_value,
)

from .conftest import CANT_RUN, MODES, flagged, messages

CONTAINER_RULES = [
    "fargate-task-size",
    "ecs-no-plaintext-secrets",
    "ecs-nonprivileged",
    "ecs-readonly-root-filesystem",
    "ecs-nonroot-user",
    "ecs-log-configuration",
    "cloudwatch-log-retention",  # reads awslogs-create-group
]


@pytest.mark.parametrize("preview", MODES)
def test_task_definition_findings_name_the_container_and_the_fix(judge, preview):
    result = judge("violating", "test", preview=preview)
    assert messages(result, "fargate-task-size")["TaskDefinition:broken"] == [
        "cpu '300' is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384.",
        "11 container definitions; a task definition holds at most 10.",
    ]
    # DB_PASSWORD is flagged; DB_SECRET_ARN names a secret and is not.
    assert messages(result, "ecs-no-plaintext-secrets")["TaskDefinition:broken"] == [
        "Container 'app' sets environment variable 'DB_PASSWORD' (named like a secret: PASSWORD) to a literal value; "
        "pass it through "
        "`secrets` (valueFrom a Secrets Manager secret or SSM parameter)."
    ]
    assert messages(result, "ecs-nonprivileged")["TaskDefinition:broken"] == ["Container 'app' is privileged."]
    assert messages(result, "ecs-nonroot-user")["TaskDefinition:broken"] == ["Container 'app' runs as 'root'."]
    # The ten sidecars are read-only, non-root and log: only 'app' is named.
    for policy in ("ecs-readonly-root-filesystem", "ecs-log-configuration"):
        assert len(messages(result, policy)["TaskDefinition:broken"]) == 1


def test_task_sizes_in_vcpu_and_gb_units_are_understood(judge):
    """existing_vpc: cpu "0.25 vCPU", memory "0.5 GB"; compliant: memory "1 GB"."""
    assert flagged(judge("existing_vpc", "all", preview=False), "fargate-task-size") == set()
    assert flagged(judge("compliant", "nat", preview=False), "fargate-task-size") == set()


def test_unknown_container_definitions_are_noted_not_judged_in_a_preview(judge):
    """existing_vpc builds its container definitions from an ECR repository URL: unknown in a
    preview, so the SDK notes (advisory) that the container rules could not run; the `up` judges them."""
    preview = judge("existing_vpc", "all", preview=True)
    notes = {v.policy for v in preview.violations if CANT_RUN in v.message}
    assert notes == set(CONTAINER_RULES)
    assert {v.enforcement_level for v in preview.violations if CANT_RUN in v.message} == {"advisory"}
    assert all(flagged(preview, policy) == set() for policy in CONTAINER_RULES)
    up = judge("existing_vpc", "all", preview=False)
    assert flagged(up, "ecs-nonroot-user") == {"TaskDefinition:web"}
    assert not [v for v in up.violations if CANT_RUN in v.message]


@pytest.mark.parametrize("preview", MODES)
def test_fargate_through_a_capacity_provider_counts_as_fargate(judge, preview):
    """'no-network' names no launch type, only the FARGATE capacity provider."""
    found = messages(judge("violating", "test", preview=preview), "fargate-awsvpc-network-mode")
    assert found["Service:no-network"] == [
        "Fargate service has no networkConfiguration; give it subnets and security groups."
    ]
    assert found["TaskDefinition:broken"] == [
        "Task definition requires FARGATE but its networkMode is 'bridge'; set networkMode to 'awsvpc'."
    ]


@pytest.mark.parametrize("preview", MODES)
def test_service_settings(judge, preview):
    result = judge("violating", "test", preview=preview)
    assert messages(result, "ecs-latest-platform-version")["Service:inline"] == [
        "platformVersion '1.3.0' is not LATEST (1.0.0, 1.4.0, LATEST)."
    ]
    assert messages(result, "ecs-circuit-breaker")["Service:inline"] == [
        "Service does not set deploymentCircuitBreaker {enable: true, rollback: true}."
    ]


# -- ecs-no-plaintext-secrets: names, values and Pulumi secrets ---------------------------------

USE_SECRETS = "pass it through `secrets` (valueFrom a Secrets Manager secret or SSM parameter)"
IN_PLAIN_TEXT = (
    "containerDefinitions is a Pulumi secret: a value the program marked secret is written into the "
    "task definition, which ECS stores and shows in plain text (DescribeTaskDefinition, every revision)"
)
NOT_LOCATED = (
    "which setting carries it cannot be located from the stack (no variable holds another resource's secret or "
    "a credential-shaped value, or is named like a secret with a value that could be one)"
)


@pytest.mark.parametrize("preview", MODES)
def test_secrets_are_judged_by_name_and_by_value_never_quoting_the_value(judge, preview):
    found = messages(judge("secret_styles", "test", preview=preview), "ecs-no-plaintext-secrets")
    api, worker = "Container 'api' sets environment variable", "Container 'worker' sets environment variable"
    assert found["TaskDefinition:written-out"] == [
        f"{api} 'REDIS_PWD' (named like a secret: PWD) to a literal value; {USE_SECRETS}.",
        f"{api} 'dbPassword' (named like a secret: PASSWORD) to a literal value; {USE_SECRETS}.",
        f"{api} 'API-KEY' (named like a secret: API KEY) to a literal value; {USE_SECRETS}.",
        # The _URL ending no longer exempts a URL that carries a password; a ${VAR} template is no password.
        f"{api} 'DATABASE_URL' to a URL with a password in it; {USE_SECRETS}.",
        f"{worker} 'UPLOADS_ID' to an AWS access key id; {USE_SECRETS}.",
        f"{worker} 'CI_BOT' to a GitHub token; {USE_SECRETS}.",
        f"{worker} 'SESSION' to a JSON Web Token; {USE_SECRETS}.",
        f"{worker} 'CHAT_HOOK' to a Slack token; {USE_SECRETS}.",
        f"{worker} 'PAYMENTS' to a Stripe live secret key; {USE_SECRETS}.",
        f"{worker} 'SIGNING' to a PEM private key; {USE_SECRETS}.",
    ]
    for message in found["TaskDefinition:written-out"]:
        for value in ("hunter2", "password@", "AKIA", "ghp_", "eyJ", "xoxb", "sk_live", "BEGIN RSA"):
            assert value not in message


@pytest.mark.parametrize("preview", MODES)
def test_token_lifetimes_and_references_are_not_secrets(judge, preview):
    """ACCESS_TOKEN_EXPIRE_MINUTES, REFRESH_TOKEN_EXPIRE_DAYS, JWT_ALGORITHM, AUTH_HEADER, DB_SECRET_ARN,
    a password-less DATABASE_URL, words that only contain a secret word (PASSENGER, BYPASS), and
    names that look sensitive with values no credential takes (a role, a short word, durations)."""
    result = judge("secret_styles", "test", preview=preview)
    assert "TaskDefinition:settings" not in flagged(result, "ecs-no-plaintext-secrets")
    assert result.one("aws:ecs/taskDefinition:TaskDefinition", "settings")


@pytest.mark.parametrize("preview", MODES)
def test_a_pulumi_secret_in_the_environment_is_reported_whatever_its_name(judge, preview):
    """STRIPE_KEY carries no secret word and no known token format: only its Pulumi secret-ness tells."""
    found = messages(judge("secret_styles", "test", preview=preview), "ecs-no-plaintext-secrets")
    assert found["TaskDefinition:marked-secret"] == [
        f"{IN_PLAIN_TEXT}: container 'api' carries it in 'STRIPE_KEY' (the secret `value` of Parameter "
        f"'stripe-key'); {USE_SECRETS} instead."
    ]


def test_a_generated_password_in_a_wholly_secret_definition_is_located_by_its_value(judge):
    """SESSION_SIGNER is named like nothing secret; its value is the RandomPassword's secret result.
    In a preview the password, so the whole definition, is unknown until deployed."""
    up = messages(judge("secret_styles", "test", preview=False), "ecs-no-plaintext-secrets")
    assert up["TaskDefinition:marked-generated"] == [
        f"{IN_PLAIN_TEXT}: container 'api' carries it in 'SESSION_SIGNER' (the secret `result` of RandomPassword "
        f"'session-signing'); {USE_SECRETS} instead."
    ]
    preview = messages(judge("secret_styles", "test", preview=True), "ecs-no-plaintext-secrets")
    assert preview["TaskDefinition:marked-generated"] == [
        f"{IN_PLAIN_TEXT}. Its value is unknown until deployed, so which container and variable carry it "
        f"cannot be told yet; {USE_SECRETS} instead."
    ]


@pytest.mark.parametrize("preview", MODES)
def test_a_wholly_secret_definition_names_only_the_variables_that_carry_a_secret(judge, preview):
    """ACCESS_TOKEN_EXPIRE_MINUTES=60 and LOG_LEVEL=info are no suspects; DB_PASSWORD is."""
    found = messages(judge("secret_styles", "test", preview=preview), "ecs-no-plaintext-secrets")
    assert found["TaskDefinition:marked-located"] == [
        f"{IN_PLAIN_TEXT}: container 'api' carries it in 'DB_PASSWORD'; {USE_SECRETS} instead.",
        "Container 'api' sets environment variable 'DB_PASSWORD' (named like a secret: PASSWORD) to a literal "
        f"value; {USE_SECRETS}.",
    ]


def test_an_unknown_pulumi_secret_is_reported_before_and_after_deployment(judge):
    """A secret built from an output: unknown in a preview (the rule still knows it is a secret),
    known in an up (the rule names the variable)."""
    preview = messages(judge("secret_styles", "test", preview=True), "ecs-no-plaintext-secrets")
    assert preview["TaskDefinition:marked-unknown"] == [
        f"{IN_PLAIN_TEXT}. Its value is unknown until deployed, so which container and variable carry it "
        f"cannot be told yet; {USE_SECRETS} instead."
    ]
    up = messages(judge("secret_styles", "test", preview=False), "ecs-no-plaintext-secrets")
    assert up["TaskDefinition:marked-unknown"] == [f"{IN_PLAIN_TEXT}: {NOT_LOCATED}; {USE_SECRETS} instead."]


@pytest.mark.parametrize("preview", MODES)
def test_the_same_secrets_kept_in_ssm_and_secrets_manager_pass(judge, preview):
    result = judge("secret_styles", "test", preview=preview)
    assert flagged(result, "ecs-no-plaintext-secrets") == {
        "TaskDefinition:written-out",
        "TaskDefinition:marked-secret",
        "TaskDefinition:marked-located",
        "TaskDefinition:marked-generated",
        "TaskDefinition:marked-unknown",
    }
    if not preview:
        assert not [v for v in result.violations if v.policy == "ecs-no-plaintext-secrets" and "in-secrets" in v.urn]


# -- task sizes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cpu, memory", [("256", "512"), ("0.25 vCPU", "0.5 GB"), ("1 vcpu", "8GB"), ("16384", "122880")]
)
def test_valid_fargate_sizes_in_any_unit(cpu, memory):
    units = _size(cpu, "vcpu", 1024)
    assert units is not None
    assert _size(memory, "gb", 1024) in FARGATE_TASK_SIZES[units]


@pytest.mark.parametrize("cpu, memory", [("256", "4096"), ("512", "512"), ("8192", "18432"), ("1024", "1.5 GB")])
def test_invalid_fargate_sizes(cpu, memory):
    units = _size(cpu, "vcpu", 1024)
    assert units is None or _size(memory, "gb", 1024) not in FARGATE_TASK_SIZES.get(units, ())


# -- secret names, values and secret-ness ------------------------------------------------------


WORDS = st.lists(
    st.sampled_from(
        [
            "DB",
            "PASSWORD",
            "TOKEN",
            "ACCESS",
            "EXPIRE",
            "MINUTES",
            "API",
            "KEY",
            "REDIS",
            "PWD",
            "URL",
            "2",
            "PASSENGER",
            "AUTH",
            "HEADER",
        ]
    ),
    min_size=1,
    max_size=5,
)


def camel(words):
    return words[0].lower() + "".join(w.capitalize() for w in words[1:])


@given(WORDS, st.sampled_from(["_", "-", "camel"]))
def test_a_name_splits_into_the_same_words_however_it_is_joined(words, style):
    name = camel(words) if style == "camel" else style.join(words)
    if style == "camel" and any(a.isdigit() and b.isdigit() for a, b in pairwise(words)):
        return  # "22" cannot tell where one number ends
    assert name_words(name) == words


@given(WORDS)
def test_a_name_is_a_secret_by_a_whole_word_unless_a_property_word_clears_it(words):
    secret_words = SECRETS_CONFIG.properties["secretWords"]["default"]
    property_words = SECRETS_CONFIG.properties["propertyWords"]["default"]
    found = secret_name("_".join(words), secret_words, property_words)
    cleared = any(w in ("EXPIRE", "MINUTES", "URL", "HEADER") for w in words)
    named = any(w in ("PASSWORD", "TOKEN", "PWD", "AUTH") for w in words) or any(
        a == "API" and b == "KEY" for a, b in pairwise(words)
    )
    assert (found is not None) == (named and not cleared)


def test_names_real_programs_use():
    secret_words = SECRETS_CONFIG.properties["secretWords"]["default"]
    property_words = SECRETS_CONFIG.properties["propertyWords"]["default"]
    judged = {
        name: secret_name(name, secret_words, property_words)
        for name in [
            "ACCESS_TOKEN_EXPIRE_MINUTES",
            "REFRESH_TOKEN_EXPIRE_DAYS",
            "REDIS_PWD",
            "APIKey",
            "privateKey",
            "AWS_SECRET_ACCESS_KEY",
            "DB_SECRET_ARN",
            "PASSENGER_COUNT",
            "OAUTH_CALLBACK",
            "DB_CREDENTIALS",
            "AUTH_ENABLED",
            "AUTH_MODE",
            "ADMIN_USER_PASSWORD",
        ]
    }
    assert judged == {
        "ACCESS_TOKEN_EXPIRE_MINUTES": None,
        "REFRESH_TOKEN_EXPIRE_DAYS": None,
        "REDIS_PWD": "PWD",
        "APIKey": "API KEY",
        "privateKey": "PRIVATE KEY",
        "AWS_SECRET_ACCESS_KEY": "SECRET",
        "DB_SECRET_ARN": None,
        "PASSENGER_COUNT": None,
        "OAUTH_CALLBACK": None,
        "DB_CREDENTIALS": "CREDENTIALS",
        "AUTH_ENABLED": None,
        "AUTH_MODE": None,
        "ADMIN_USER_PASSWORD": "PASSWORD",
    }


@pytest.mark.parametrize(
    "value, expected",
    [
        ("true", True),
        ("OFF", True),
        ("disabled", True),
        ("/app", True),
        ("/run/secrets/db", True),
        ("hunter2", False),
        ("1234", False),
        ("//host/share", False),
        ("/ has spaces", False),
        ("", False),
    ],
)
def test_switches_and_paths_are_plainly_not_secrets(value, expected):
    assert plainly_not_secret(value) is expected


@pytest.mark.parametrize(
    "value, expected",
    [
        # Values no credential takes: a name that looks sensitive must not turn them into a finding.
        ("60", False),
        ("-1.5", False),
        ("15m", False),
        ("30 seconds", False),
        ("PT12H", False),
        ("P1DT2H", False),
        ("Viewer", False),
        ("read-only", False),
        ("basic", False),
        ("arn:aws:iam::123456789012:role/app", False),
        ("true", False),
        ("/run/secrets/db", False),
        ("", False),
        (None, False),
        # Values that could be one.
        ("hunter2", True),
        ("r3d1s-Pw!", True),
        ("k-123", True),
        ("correcthorsebattery", True),
        ("Pa55", True),
    ],
)
def test_a_value_could_be_a_secret_unless_it_is_a_number_duration_word_role_or_arn(value, expected):
    assert could_be_secret(value) is expected


@given(
    st.sampled_from(["postgresql", "mysql", "redis", "amqp", "mongodb+srv", "https"]),
    st.text(alphabet="abcdefghij_.", max_size=8),
    st.text(alphabet="abcXYZ019!%*", min_size=1, max_size=12),
    st.sampled_from(["db.internal", "10.0.0.5:5432", "host"]),
)
def test_a_url_is_a_credential_exactly_when_it_carries_a_password(scheme, user, password, host):
    assert secret_value(f"{scheme}://{user}:{password}@{host}/app") == "a URL with a password in it"
    assert secret_value(f"{scheme}://{user}@{host}/app") is None
    assert secret_value(f"{scheme}://{host}/app") is None
    assert secret_value(f"{scheme}://{user}:${{DB_PASSWORD}}@{host}/app") is None
