"""tests/preflight/corpus/: small programs written for this suite in the styles third-party Pulumi
programs use (EC2 and Fargate launch types, helpers across modules, Output.all-built container
definitions, data sources, StackReferences, secrets parsed inside apply, SSM parameters, other
providers, a Docker build, awsx, scheduled tasks, a worker without a load balancer, deliberate
mistakes), each judged by the repository's pack in a simulated update and in a preview.

The expectations are an AWS engineer's verdicts: a mandatory violation only where AWS would
reject the program or the program is unsafe (the two `mistakes` programs), advisories for what a
reviewer would raise, and "not judged" where the value a rule needs exists only in the account or
another stack. A mandatory verdict on a program that works would be a defect of the pack or the
simulation, never an expectation written down here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from preflight import RunResult, run
from preflight.report import unjudged_text

from ..conftest import MODES, POLICY_PACK

CORPUS = Path(__file__).resolve().parent / "corpus"
CANT_RUN = "can't run policy"

# The three mandatory rules that read a task definition's containerDefinitions: in a preview of a
# new stack a definition built from an output (a log group's ARN, a queue's URL) is unknown, as
# under `pulumi preview`, and the pack says it could not run them.
CONTAINER_RULES = frozenset({"ecs-no-plaintext-secrets", "ecs-nonprivileged", "fargate-task-size"})
ALB_DEFAULTS = frozenset({"alb-access-logs", "alb-deletion-protection", "alb-https-redirect", "alb-waf"})


@dataclass(frozen=True)
class Verdicts:
    """What one run of a corpus program must come to."""

    mandatory: frozenset[str] = frozenset()
    advisory: frozenset[str] = frozenset()
    # Mandatory policies that could not run (values unknown in this mode).
    not_run: frozenset[str] = frozenset()
    # What only the account or another stack holds, by the data source or reference that reads it.
    not_known_offline: tuple[str, ...] = ()
    not_expanded: tuple[str, ...] = ()
    outputs: frozenset[str] = frozenset()


def same(**verdicts) -> dict[bool, Verdicts]:
    """The same verdicts in a simulated update (False) and a preview (True)."""
    return {False: Verdicts(**verdicts), True: Verdicts(**verdicts)}


def modes(up: Verdicts, preview: Verdicts) -> dict[bool, Verdicts]:
    return {False: up, True: preview}


def names(*items: str) -> frozenset[str]:
    return frozenset(items)


EXPECTED: dict[str, dict[bool, Verdicts]] = {
    # Bridge mode with dynamic host ports is right on EC2; nothing Fargate-only applies.
    "ec2_capacity_provider": same(outputs=names("ami", "cluster")),
    "fargate_modules": modes(
        up=Verdicts(advisory=ALB_DEFAULTS, outputs=names("url")),
        preview=Verdicts(advisory=ALB_DEFAULTS, outputs=names("url")),
    ),
    "queue_worker": modes(
        up=Verdicts(outputs=names("queue_url")),
        preview=Verdicts(not_run=CONTAINER_RULES, outputs=names("queue_url")),
    ),
    # The execution role carries AmazonECSTaskExecutionRolePolicy, looked up by name: the rule
    # must see AWS's own ARN (arn:aws:iam::aws:policy/service-role/...).
    "default_vpc_lookups": same(
        advisory=names("iam-no-managed-policy-on-task-roles"), outputs=names("executionPolicy", "account")
    ),
    "stack_reference": same(not_known_offline=("pulumi.StackReference",), outputs=names("targetGroup")),
    # The host and port come out of the secret's JSON inside apply: unknown offline, in both modes,
    # so the container rules could not run and the program's apply never saw a made-up string.
    "secret_json": same(not_run=CONTAINER_RULES, not_known_offline=("aws.secretsmanager.get_secret_version",)),
    "ssm_parameters": modes(
        up=Verdicts(not_known_offline=("aws.ssm.get_parameter", "aws.ssm.get_parameter"), outputs=names("image")),
        preview=Verdicts(
            not_run=CONTAINER_RULES,
            not_known_offline=("aws.ssm.get_parameter", "aws.ssm.get_parameter"),
            outputs=names("image"),
        ),
    ),
    "replica_region_random": modes(
        up=Verdicts(outputs=names("replicaArn")),
        preview=Verdicts(not_run=CONTAINER_RULES, outputs=names("replicaArn")),
    ),
    # The Dockerfile says USER 1000, but the task definition names no user: Security Hub ECS.20
    # reads the task definition, and so does the advisory.
    "docker_ecr": modes(
        up=Verdicts(advisory=names("ecs-nonroot-user"), outputs=names("image")),
        preview=Verdicts(not_run=CONTAINER_RULES, outputs=names("image")),
    ),
    "awsx_service": same(
        not_expanded=("awsx:ec2:Vpc", "awsx:ecs:FargateService", "awsx:lb:ApplicationLoadBalancer"),
        outputs=names("url"),
    ),
    "eventbridge_task": modes(
        up=Verdicts(outputs=names("rule")),
        preview=Verdicts(outputs=names("rule")),
    ),
    "scheduler_task": same(),
    "open_ingress_plaintext": same(
        mandatory=names("ecs-no-public-task-ingress", "ecs-no-plaintext-secrets"),
        advisory=ALB_DEFAULTS,
        outputs=names("url"),
    ),
    "bridge_on_fargate": same(mandatory=names("fargate-awsvpc-network-mode", "fargate-task-size")),
    # Grafana's GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer and ACCESS_TOKEN_EXPIRE_MINUTES=60 are settings,
    # not secrets; Grafana writes to its root filesystem, which the advisory rightly notes.
    "https_dashboard": same(advisory=names("ecs-readonly-root-filesystem"), outputs=names("url")),
    "awslogs_create_group": same(advisory=names("cloudwatch-log-retention")),
    # An existing cluster looked up by name; definitions from Output.json_dumps, known in a preview
    # too, since a bucket's and a log group's auto-names are known before deployment.
    "existing_cluster_json_dumps": same(outputs=names("cluster")),
}

# A case that fails only because of a known defect of the simulation: (program, preview) -> reason.
KNOWN_DEFECTS: dict[tuple[str, bool], str] = {}


def cases():
    for program in EXPECTED:
        for preview in (False, True):
            marks = []
            if (program, preview) in KNOWN_DEFECTS:
                marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[program, preview]))
            yield pytest.param(program, preview, id=f"{program}-{'preview' if preview else 'up'}", marks=marks)


def verdicts(result: RunResult) -> Verdicts:
    judged = [v for v in result.violations if CANT_RUN not in v.message]
    return Verdicts(
        mandatory=frozenset(v.policy for v in judged if v.enforcement_level == "mandatory"),
        advisory=frozenset(v.policy for v in judged if v.enforcement_level == "advisory"),
        not_run=frozenset(result.mandatory_not_run),
        not_known_offline=tuple(
            sorted(next((s for s in KNOWN_SOURCES if s in entry), entry) for entry in result.unknown_offline)
        ),
        not_expanded=tuple(sorted(result.not_expanded)),
        outputs=frozenset(result.outputs),
    )


# How the summary names what it could not know: by the data source or reference that reads it.
KNOWN_SOURCES = ("pulumi.StackReference", "aws.secretsmanager.get_secret_version", "aws.ssm.get_parameter")


@pytest.mark.parametrize("program, preview", list(cases()))
def test_each_corpus_program_gets_an_aws_engineers_verdicts(policy_pack, program, preview):
    result = run(CORPUS / program, "dev", preview=preview, policy_pack=POLICY_PACK, analyzer=policy_pack)
    expected = EXPECTED[program][preview]
    assert verdicts(result) == expected
    assert result.exit_code == (1 if expected.mandatory else 0)
    unjudged = expected.not_run or expected.not_known_offline or expected.not_expanded
    result.strict = True  # `--strict`: what was not judged fails a run that nothing else failed
    assert result.exit_code == (1 if expected.mandatory else 3 if unjudged else 0)
    # What was not judged is said in sentences above the summary line, naming it.
    said = "\n".join(unjudged_text(result))
    assert all(policy in said for policy in expected.not_run)
    assert all(source in said for source in expected.not_known_offline)
    assert all(component in said for component in expected.not_expanded)
    if not unjudged:
        assert said == ""


def test_the_corpus_is_at_least_fifteen_programs_each_a_project_with_a_dev_stack():
    programs = sorted(path.name for path in CORPUS.iterdir() if (path / "Pulumi.yaml").is_file())
    assert programs == sorted(EXPECTED) and len(programs) >= 15
    assert all((CORPUS / name / "Pulumi.dev.yaml").is_file() for name in programs)


@pytest.mark.parametrize("preview", MODES)
def test_a_mistakes_verdicts_name_the_resources_an_engineer_would_fix(policy_pack, preview):
    """The mandatory findings land on the task security group and the task definition, with the
    variable and the rule named, not on the ALB's own (public by design) group."""
    result = run(
        CORPUS / "open_ingress_plaintext", "dev", preview=preview, policy_pack=POLICY_PACK, analyzer=policy_pack
    )
    found = {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in result.mandatory}
    assert found == {("ecs-no-public-task-ingress", "tasks"), ("ecs-no-plaintext-secrets", "app")}
    plaintext = next(v for v in result.mandatory if v.policy == "ecs-no-plaintext-secrets")
    assert "DB_PASSWORD" in plaintext.message and "DB_HOST" not in plaintext.message
