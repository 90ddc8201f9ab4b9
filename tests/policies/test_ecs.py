"""ECS rules: what each one reads in task definitions, services and clusters."""

import pytest

from .conftest import CANT_RUN, MODES, flagged, messages

CONTAINER_RULES = ["fargate-task-size", "ecs-no-plaintext-secrets", "ecs-nonprivileged",
                   "ecs-readonly-root-filesystem", "ecs-nonroot-user", "ecs-log-configuration"]


@pytest.mark.parametrize("preview", MODES)
def test_task_definition_findings_name_the_container_and_the_fix(judge, preview):
    result = judge("violating", "test", preview=preview)
    assert messages(result, "fargate-task-size")["TaskDefinition:broken"] == [
        "cpu '300' is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384.",
        "11 container definitions; a task definition holds at most 10."]
    # DB_PASSWORD is flagged; DB_SECRET_ARN names a secret and is not.
    assert messages(result, "ecs-no-plaintext-secrets")["TaskDefinition:broken"] == [
        "Container 'app' sets environment variable 'DB_PASSWORD' to a literal value; pass it through "
        "`secrets` (valueFrom a Secrets Manager secret or SSM parameter)."]
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
        "Fargate service has no networkConfiguration; give it subnets and security groups."]
    assert found["TaskDefinition:broken"] == [
        "Task definition requires FARGATE but its networkMode is 'bridge'; set networkMode to 'awsvpc'."]


@pytest.mark.parametrize("preview", MODES)
def test_service_settings(judge, preview):
    result = judge("violating", "test", preview=preview)
    assert messages(result, "ecs-latest-platform-version")["Service:inline"] == [
        "platformVersion '1.3.0' is not LATEST (1.0.0, 1.4.0, LATEST)."]
    assert messages(result, "ecs-circuit-breaker")["Service:inline"] == [
        "Service does not set deploymentCircuitBreaker {enable: true, rollback: true}."]
