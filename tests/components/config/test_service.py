"""ServiceConfig: task sizes, containers, image or build, capacity, secrets, exec and deployments."""

from __future__ import annotations

import pulumi
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws_limits import ecr_repository_arn, secret_kind, secret_resource_arn
from components.config import (
    LOG_RETENTION_DAYS,
    parse_stack_config,
)

from ...test_task_sizes import (
    EXPECTED,  # AWS's documented table, not the one under test
)
from .conftest import SECRET, SSM, WEB, build, error, parse, web


def test_bad_cpu_names_the_key_the_value_and_what_is_allowed():
    assert error(**web(cpu=300)) == (
        "invalid stack config: fargate:services.web.cpu: 300 is not allowed; "
        "one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate task CPU units)"
    )


def test_memory_must_fit_the_cpu():
    assert error(**web(cpu=256, memory=4096)) == (
        "invalid stack config: fargate:services.web.memory: 4096 is not allowed; with cpu 256: 512, 1024, 2048 (MiB)"
    )
    assert error(**web(cpu=8192, memory=18432)) == (
        "invalid stack config: fargate:services.web.memory: 18432 is not allowed; "
        "with cpu 8192: 16384 to 61440 in steps of 4096 (MiB)"
    )


@given(cpu=st.sampled_from(sorted(EXPECTED)), data=st.data())
def test_every_documented_fargate_size_is_accepted(cpu, data):
    memory = data.draw(st.sampled_from(EXPECTED[cpu]))
    service = parse(**web(cpu=cpu, memory=memory)).services["web"]
    assert (service.cpu, service.memory) == (cpu, memory)


@given(cpu=st.sampled_from(sorted(EXPECTED)), memory=st.integers(1, 200_000))
def test_any_other_memory_is_refused_naming_the_memory_key(cpu, memory):
    if memory in EXPECTED[cpu]:
        return
    message = error(**web(cpu=cpu, memory=memory))
    assert message.startswith(
        f"invalid stack config: fargate:services.web.memory: {memory} is not allowed; with cpu {cpu}: "
    )


@given(cpu=st.integers(-10, 40_000).filter(lambda c: c not in EXPECTED))
def test_any_other_cpu_is_refused(cpu):
    assert f"fargate:services.web.cpu: {cpu} is not allowed; one of 256, 512" in error(**web(cpu=cpu))


@given(days=st.integers(-5, 4000))
def test_log_retention_only_takes_cloudwatch_values(days):
    if days in LOG_RETENTION_DAYS:
        assert parse(**web(logRetentionDays=days)).services["web"].log_retention_days == days
    else:
        assert f"fargate:services.web.logRetentionDays: {days} is not allowed; one of 1, 3, 5" in error(
            **web(logRetentionDays=days)
        )


@given(port=st.integers(-100, 70_000))
def test_container_port_range(port):
    if 1 <= port <= 65535:
        assert parse(**web(containerPort=port)).services["web"].container_port == port
    else:
        assert error(**web(containerPort=port)).startswith(
            f"invalid stack config: fargate:services.web.containerPort: {port} is not allowed; "
        )


def test_public_ip_must_match_the_subnets():
    assert "fargate:services.web.assignPublicIp: false is not allowed; true in public subnets" in error(
        **web(assignPublicIp=False)
    )
    assert "fargate:services.web.assignPublicIp: true is not allowed; false in private subnets" in error(
        network={"natGateways": "single"}, **web(assignPublicIp=True)
    )


def test_sidecars_are_limited_to_nine_and_must_not_share_ports():
    too_many = {f"s{i}": {"image": "busybox"} for i in range(10)}
    assert error(**web(sidecars=too_many)).startswith("invalid stack config: fargate:services.web.sidecars: ")
    clash = {"proxy": {"image": "envoy", "portMappings": [{"containerPort": 80}]}}
    assert error(**web(sidecars=clash)) == (
        "invalid stack config: fargate:services.web.sidecars.proxy.portMappings[0].containerPort: 80 is not "
        "allowed; a port no other container uses (taken by the main container; containers share the task's network)"
    )
    assert "a name other than the service's own" in error(**web(sidecars={"web": {"image": "busybox"}}))
    assert "sidecar memory totalling at most the task's 512 MiB" in error(
        **web(sidecars={"a": {"image": "x", "memory": 300}, "b": {"image": "y", "memory": 300}})
    )


def test_environment_values_must_be_strings():
    assert error(**web(environment={"PORT": 8080})) == (
        "invalid stack config: fargate:services.web.environment.PORT: 8080 is not allowed; "
        "a string; quote numbers and booleans in YAML"
    )


def test_deployments_that_could_never_proceed_are_refused():
    assert "room for one extra task (at least 200)" in error(**web(deployment={"maximumPercent": 150}))
    # Two tasks at 150 % may start one extra: fine.
    assert parse(**web(desiredCount=2, deployment={"maximumPercent": 150}))


def test_the_deployment_check_uses_the_count_autoscaling_starts_with():
    # desiredCount 1 starts at minCount 2, where 150 % leaves room for a third task.
    scaled = {
        "desiredCount": 1,
        "deployment": {"maximumPercent": 150},
        "autoscaling": {"minCount": 2, "maxCount": 4, "cpuTarget": 60},
    }
    assert parse(scaled).services["web"].deployment.maximum_percent == 150
    assert "room for one extra task" in error(
        {**scaled, "autoscaling": {"minCount": 1, "maxCount": 4, "cpuTarget": 60}}
    )


def test_health_check_timeout_below_interval_and_matcher_in_range():
    assert error(**web(healthCheck={"timeoutSeconds": 30})) == (
        "invalid stack config: fargate:services.web.healthCheck.timeoutSeconds: 30 is not allowed; "
        "less than intervalSeconds (30)"
    )
    assert "fargate:services.web.healthCheck.matcher: '500' is not allowed" in error(
        **web(healthCheck={"matcher": "500"})
    )
    assert "fargate:services.web.healthCheck.path: 'health' is not allowed" in error(
        **web(healthCheck={"path": "health"})
    )


def test_a_build_follows_the_architecture_unless_it_names_a_matching_platform():
    assert parse(build()).services["web"].build.platform == "linux/amd64"
    service = parse({**build(), "architecture": "arm64"}).services["web"]
    assert (service.build.platform, service.cpu_architecture) == ("linux/arm64", "ARM64")
    assert parse({**build(platform="linux/arm64"), "architecture": "arm64"}).services["web"].image is None


def test_image_and_build_are_exactly_one_of_two():
    assert error({"image": None}) == "invalid stack config: fargate:services.web.image: required key is missing"
    assert error({"build": {"context": "app"}}) == (
        "invalid stack config: fargate:services.web.build: {context: app} is not allowed; "
        "not together with image: run a given image or build one, not both"
    )


def test_a_build_for_another_cpu_than_the_tasks_is_refused():
    assert error({**build(platform="linux/arm64")}) == (
        "invalid stack config: fargate:services.web.build.platform: 'linux/arm64' is not allowed; linux/amd64 "
        "to match architecture 'x86_64' (or leave platform out): tasks cannot run an image built for another CPU"
    )
    assert "'linux/amd64' is not allowed; linux/arm64 to match architecture 'arm64'" in error(
        {**build(platform="linux/amd64"), "architecture": "arm64"}
    )


def test_architecture_is_x86_64_or_arm64():
    assert error({"architecture": "amd64"}) == (
        "invalid stack config: fargate:services.web.architecture: 'amd64' is not allowed; one of 'x86_64', 'arm64'"
    )


def test_capacity_providers_default_a_listed_provider_to_weight_1():
    config = parse({"capacityProviders": {"FARGATE": {"base": 2}, "FARGATE_SPOT": {"weight": 3}}})
    assert config.services["web"].capacity_providers.strategy() == [("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 3)]
    assert config.capacity_providers == ["FARGATE", "FARGATE_SPOT"]
    assert parse({"capacityProviders": {"FARGATE_SPOT": {}}}).services["web"].capacity_providers.strategy() == [
        ("FARGATE_SPOT", 0, 1)
    ]


@pytest.mark.parametrize(
    "providers, expected",
    [
        ({}, "fargate:services.web.capacityProviders: {} is not allowed; FARGATE, FARGATE_SPOT or both"),
        (
            {"FARGATE": {"base": 1}, "FARGATE_SPOT": {"base": 1}},
            "fargate:services.web.capacityProviders.FARGATE_SPOT.base: 1 is not allowed; "
            "0 while FARGATE has a base (ECS allows a base on one provider only)",
        ),
        (
            {"FARGATE": {"base": 2, "weight": 0}},
            "fargate:services.web.capacityProviders.FARGATE.weight: 0 is not allowed; "
            "above 0 on at least one provider (weights place every task beyond the base)",
        ),
        (
            {"FARGATE_SPOTS": {"weight": 1}},
            "fargate:services.web.capacityProviders.FARGATE_SPOTS: unknown key; did you mean 'FARGATE_SPOT'?",
        ),
        ({"FARGATE": {"weight": 1001}}, "fargate:services.web.capacityProviders.FARGATE.weight: 1001 is not allowed; "),
    ],
)
def test_invalid_capacity_provider_strategies_are_refused(providers, expected):
    assert error({"capacityProviders": providers}).startswith(f"invalid stack config: {expected}")


def test_fargate_spot_runs_arm_tasks_as_aws_now_allows():
    """FARGATE_SPOT takes ARM64 Linux tasks on platform 1.4.0+ (the services run LATEST); it used
    not to, and the issue asked for a refusal "as AWS does": AWS no longer does."""
    service = parse(
        {"architecture": "arm64", "capacityProviders": {"FARGATE": {"base": 1}, "FARGATE_SPOT": {}}}
    ).services["web"]
    assert service.cpu_architecture == "ARM64"
    assert service.capacity_providers.strategy() == [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 1)]


@pytest.mark.parametrize(
    "arn",
    [
        SSM,
        SECRET,
        SECRET + ":password::",
        SECRET + ":password:AWSCURRENT:",
        "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/db",
        "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-Ab12Cd",
    ],
)
def test_secrets_take_ssm_parameter_and_full_secrets_manager_arns(arn):
    service = parse({"secrets": {"DB_PASSWORD": arn}}).services["web"]
    assert service.secrets == {"DB_PASSWORD": arn}
    # What the execution role is granted on: the secret itself, without ECS's selector.
    assert secret_kind(arn) is not None
    assert secret_resource_arn(arn) == arn.split(":password")[0]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key",  # partial: matches no secret in IAM
        "arn:aws:s3:::bucket/key",
        "arn:aws:ssm:us-east-1:123456789012:document/run",
        "/app/db/password",
        SECRET + ":password",
    ],
)
def test_other_secret_references_are_refused(arn):
    assert error({"secrets": {"API_KEY": arn}}).startswith(
        f"invalid stack config: fargate:services.web.secrets.API_KEY: {arn!r} is not allowed; the ARN of an SSM "
        "parameter (arn:aws:ssm:<region>:<account>:parameter/<name>) or the full ARN of a Secrets Manager secret"
    )


def test_secret_names_are_variable_names_not_also_in_the_environment():
    assert error({"secrets": {"DB-PASSWORD": SSM}}) == (
        "invalid stack config: fargate:services.web.secrets.DB-PASSWORD: 'DB-PASSWORD' is not allowed; "
        "a variable name: letters, digits and underscores, not starting with a digit"
    )
    assert error({"secrets": {"TOKEN": SSM}, "environment": {"TOKEN": "x"}}) == (
        "invalid stack config: fargate:services.web.secrets.TOKEN: 'TOKEN' is not allowed; "
        "a name not also in environment (the container would get it twice)"
    )
    assert "fargate:services.web.secrets.PORT: 5 is not allowed; a string" in error({"secrets": {"PORT": 5}})


def test_exec_cannot_run_in_a_read_only_container():
    assert parse({"execCommand": True}).services["web"].exec_command
    assert error({"execCommand": True, "readonlyRootFilesystem": True}) == (
        "invalid stack config: fargate:services.web.execCommand: true is not allowed; false while "
        "readonlyRootFilesystem is true: the ECS Exec agent must write to the container's filesystem"
    )


KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"


MULTI_REGION_KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"


def test_a_secrets_kms_key_is_a_key_arn_and_comes_with_secrets():
    with_secrets = {**WEB, "secrets": {"DB": SSM}}
    for key in (KEY, MULTI_REGION_KEY):
        assert (
            parse_stack_config({"services": {"web": {**with_secrets, "secretsKmsKeyArn": key}}})
            .services["web"]
            .secrets_kms_key_arn
            == key
        )
    with pytest.raises(pulumi.RunError) as alias:
        parse_stack_config(
            {"services": {"web": {**with_secrets, "secretsKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/app"}}}
        )
    assert str(alias.value) == (
        "invalid stack config: fargate:services.web.secretsKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/app' "
        "is not allowed; a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<uuid> (the key's ARN, not an alias)"
    )
    with pytest.raises(pulumi.RunError) as alone:
        parse_stack_config({"services": {"web": {**WEB, "secretsKmsKeyArn": KEY}}})
    assert str(alone.value) == (
        f"invalid stack config: fargate:services.web.secretsKmsKeyArn: '{KEY}' is not allowed; "
        "only with secrets (the key decrypts them; there are none)"
    )


@pytest.mark.parametrize(
    "image, repository",
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app", "arn:aws:ecr:us-east-1:123456789012:repository/app"),
        (
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2.3",
            "arn:aws:ecr:eu-west-1:123456789012:repository/team/app",
        ),
        (
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app@sha256:" + "a" * 64,
            "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v1",
            "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app",
        ),
        ("public.ecr.aws/nginx/nginx:stable", None),
        ("nginx:1.27", None),
        ("docker.io/library/redis:7", None),
        ("ghcr.io/org/app:1", None),
    ],
)
def test_private_ecr_images_name_their_repository_and_other_registries_none(image, repository):
    assert ecr_repository_arn(image) == repository
    assert parse_stack_config({"services": {"web": {"image": image}}}).services["web"].image == image


def test_an_ecr_image_iam_could_not_be_granted_on_is_refused():
    assert error(
        services={
            "web": {
                "image": "nginx",
                "sidecars": {"agent": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/Agent:1"}},
            }
        }
    ) == (
        "invalid stack config: fargate:services.web.sidecars.agent.image: "
        "'123456789012.dkr.ecr.us-east-1.amazonaws.com/Agent:1' is not allowed; a private ECR image such as "
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0 (lowercase repository, a tag or @sha256: digest)"
    )
