"""preflight/analyzer.py: the policy pack runs in its own process and is driven over the Analyzer
gRPC interface, with its config reconciled as the CLI does."""

import json

import pytest

from preflight import PolicyAnalyzer, ProgramError, run

from .conftest import BROKEN, FARGATE, FIXTURE_PACK, FIXTURES, NESTED, TASK_SECRETS


@pytest.fixture(scope="module")
def analyzer():
    with PolicyAnalyzer(FIXTURE_PACK) as started:
        yield started


def verdicts(result):
    return {(v.policy, v.enforcement_level, v.urn.rsplit("::", 1)[-1]) for v in result.violations}


def test_resource_policy_reports_on_the_resource_urn(analyzer):
    result = run(FARGATE, "bridge", analyzer=analyzer)
    task = result.one("aws:ecs/taskDefinition:TaskDefinition")
    [violation] = [v for v in result.violations if v.policy == "fixture-awsvpc"]
    assert violation.urn == task.urn and violation.enforcement_level == "mandatory"
    assert violation.message == "Fargate task definitions use awsvpc.\nnetworkMode is 'bridge'"
    assert result.exit_code == 1 and result.policy_pack == "preflight-fixture@v0.3.0"


def test_stack_policy_follows_property_dependencies_and_parents(analyzer):
    result = run(FARGATE, "example", analyzer=analyzer)
    service = result.one("aws:ecs/service:Service")
    [violation] = [v for v in result.violations if v.policy == "fixture-service-groups"]
    assert violation.urn == service.urn
    # The pack resolved the service's parent URN to the stack resource it was sent.
    assert violation.message.endswith("web-secgrp admits 0.0.0.0/0 (parent pulumi:pulumi:Stack)")
    assert not any(v.policy == "fixture-service-groups" for v in run(FARGATE, "secure", analyzer=analyzer).violations)


def test_preview_unknowns_reach_the_pack_as_unknowns(analyzer):
    preview = run(FARGATE, "example", preview=True, analyzer=analyzer)
    [skipped] = [v for v in preview.violations if v.policy == "fixture-lb-groups"]
    assert skipped.enforcement_level == "advisory"
    assert "string value at .securityGroups.0 can't be known during preview" in skipped.message
    assert skipped.urn == preview.one("aws:lb/loadBalancer:LoadBalancer").urn
    after_up = run(FARGATE, "example", analyzer=analyzer)
    assert not any(v.policy == "fixture-lb-groups" for v in after_up.violations)  # known ids start with sg-


@pytest.mark.parametrize("preview", [False, True])
def test_a_secret_without_its_passphrase_reaches_the_pack_as_a_known_stand_in(analyzer, preview):
    result = run(NESTED, "dev", preview=preview, analyzer=analyzer)
    # The fixture policy reports a SecureString parameter whose value is not a string.
    assert not any(v.policy == "fixture-secure-parameter" for v in result.violations)
    assert not any("can't run" in v.message for v in result.violations)
    assert result.notes == [
        "config secrets not decrypted (the stack's secrets are kept by the Pulumi Cloud backend, which is "
        "not reachable offline); a stand-in secret value is used for: nested:apiToken"
    ]


def test_policy_config_defaults_come_from_the_schema(analyzer):
    assert not any(v.policy == "fixture-log-retention" for v in run(NESTED, "dev", analyzer=analyzer).violations)


def test_policy_config_sets_properties_and_levels(analyzer):
    stricter = run(
        NESTED,
        "dev",
        analyzer=analyzer,
        policy_pack_config={"fixture-log-retention": {"enforcementLevel": "mandatory", "minimumDays": 30}},
    )
    assert ("fixture-log-retention", "mandatory", "logs") in verdicts(stricter)
    assert stricter.exit_code == 1


def test_policy_config_file_and_all(tmp_path, analyzer):
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"all": "disabled", "fixture-awsvpc": "advisory"}))
    result = run(FARGATE, "bridge", analyzer=analyzer, policy_pack_config=config)
    assert verdicts(result) == {("fixture-awsvpc", "advisory", "app-task")}
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "config, message",
    [
        (
            {"fixture-log-retention": {"minimumDays": "thirty"}},
            "validating policy config: preflight-fixture: fixture-log-retention: minimumDays: "
            "'thirty' is not of type 'integer'",
        ),
        (
            {"fixture-awsvpc-typo": "mandatory"},
            "names policies the pack 'preflight-fixture' does not have: fixture-awsvpc-typo",
        ),
        ({"fixture-awsvpc": "blocking"}, "'blocking' is not a valid enforcement level"),
    ],
)
def test_bad_policy_config_is_a_program_error(analyzer, config, message):
    with pytest.raises(ProgramError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(FARGATE, "secure", analyzer=analyzer, policy_pack_config=config)


def test_a_pack_that_cannot_start_is_reported_with_its_error():
    missing = "No module named 'pulumi_policy_rules_that_do_not_exist'"
    with pytest.raises(ProgramError, match=f"failed to start .*{missing}"):
        run(FARGATE, "secure", policy_pack=FIXTURES / "broken_pack")


def test_a_missing_pack_is_a_program_error():
    with pytest.raises(ProgramError, match="PulumiPolicy.yaml not found"):
        run(FARGATE, "secure", policy_pack=FIXTURES / "nested")


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_repository_pack_judges_a_plain_pulumi_aws_program(pack, preview):
    """pulumi/examples' aws-py-fargate, its secure variant and a bridge-mode variant."""
    example = run(FARGATE, "example", preview=preview, analyzer=pack)
    service = example.one("aws:ecs/service:Service").urn
    mandatory = {(v.policy, v.urn) for v in example.mandatory}
    # The published example works on AWS (the ALB reaches its tasks through 0.0.0.0/0): its one
    # mandatory finding is that the tasks are open to the world.
    assert ("fargate-ingress-from-load-balancer", service) not in mandatory
    assert {policy for policy, _ in mandatory} == {"ecs-no-public-task-ingress"}
    assert example.exit_code == 1

    secure = run(FARGATE, "secure", preview=preview, analyzer=pack)
    assert secure.mandatory == [] and secure.exit_code == 0

    bridge = run(FARGATE, "bridge", preview=preview, analyzer=pack)
    task = bridge.one("aws:ecs/taskDefinition:TaskDefinition").urn
    assert {(v.policy, v.urn) for v in bridge.mandatory} == {("fargate-awsvpc-network-mode", task)}


def test_mandatory_policies_that_could_not_run_are_counted(pack):
    result = run(
        TASK_SECRETS,
        "dev",
        preview=True,
        analyzer=pack,
        stack_config={"placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}},
    )
    # The task definitions wait for the database and the secrets' ARNs: unknown in a preview.
    assert "ecs-no-plaintext-secrets" in result.mandatory_not_run
    assert result.mandatory == [] and result.exit_code == 0
    result.strict = True
    assert result.exit_code == 3
    from preflight import report

    count = len(result.mandatory_not_run)
    assert report.summary_line(result).endswith(
        f"; {count} mandatory policies could not run (values unknown until deployed); exit 3"
    )


def _engine_requests(result, providers):
    """`Analyze` and `AnalyzeStack` as the engine's messages, built field by field from the
    recorded resources (what `Session` sends as bytes must parse to these)."""
    from pulumi.runtime.proto import analyzer_pb2

    from preflight.analyzer import _engine_view, _options, _provider
    from preflight.values import wire_to_struct

    def described(resource, wire):
        return {
            "type": resource.type,
            "urn": resource.urn,
            "name": resource.name,
            "properties": wire_to_struct(_engine_view(wire)),
            "options": _options(resource),
            "provider": _provider(resource, providers),
        }

    analyze = {r.urn: analyzer_pb2.AnalyzeRequest(**described(r, r.wire_inputs)) for r in result.resources}
    stack = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                **described(r, r.wire_outputs),
                parent=r.parent or "",
                dependencies=r.dependencies,
                propertyDependencies={
                    key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                    for key, urns in r.property_dependencies.items()
                    if urns
                },
            )
            for r in result.resources
        ]
    )
    return analyze, stack


@pytest.mark.parametrize(
    ("project", "stack", "preview", "config"),
    [
        (FARGATE, "example", True, None),
        (FARGATE, "example", False, None),
        (NESTED, "dev", False, None),
        (TASK_SECRETS, "dev", True, {"placement": "secrets", "task-secrets:apiKey": {"secure": "v1:AAAA:AAAA"}}),
        (FIXTURES / "own_components", "dev", False, None),
        (FIXTURES / "lookups", "dev", True, None),
    ],
)
def test_the_requests_the_pack_receives_are_the_engines_messages(
    monkeypatch, analyzer, project, stack, preview, config
):
    """What the pack receives for every resource and the stack parses as the engine's messages,
    built field by field from the result."""
    from pulumi.runtime.proto import analyzer_pb2

    from preflight import analyzer as module

    sent: list[bytes] = []
    stack_sent: list[bytes] = []
    sessions: list[module.Session] = []
    analyze, call_serialized, begin = (
        module.PolicyAnalyzer.send_analyze,
        module.PolicyAnalyzer.call_serialized,
        module.PolicyAnalyzer.begin,
    )

    def recording_analyze(self, request):
        sent.append(request)
        return analyze(self, request)

    def recording_call(self, method, request, response_type):
        stack_sent.append(request)
        return call_serialized(self, method, request, response_type)

    def recording_begin(self, *args, **kwargs):
        sessions.append(begin(self, *args, **kwargs))
        return sessions[-1]

    monkeypatch.setattr(module.PolicyAnalyzer, "send_analyze", recording_analyze)
    monkeypatch.setattr(module.PolicyAnalyzer, "call_serialized", recording_call)
    monkeypatch.setattr(module.PolicyAnalyzer, "begin", recording_begin)
    result = run(project, stack, preview=preview, analyzer=analyzer, stack_config=config)
    expected_analyze, expected_stack = _engine_requests(result, sessions[0].providers)
    received = [analyzer_pb2.AnalyzeRequest.FromString(b) for b in sent]
    assert len(received) == len(expected_analyze) == len(result.resources)
    for request in received:
        assert request == expected_analyze[request.urn], request.urn
    [stack_bytes] = stack_sent
    assert analyzer_pb2.AnalyzeStackRequest.FromString(stack_bytes) == expected_stack
    # Every request names its provider, and AnalyzeStack reused the recorder's outputs Structs.
    assert all(r.HasField("provider") for r in received if r.type.startswith("aws:"))
    assert any(r.outputs_struct is not None for r in result.resources)


def test_a_run_that_fails_midway_leaves_a_shared_pack_ready_for_the_next():
    with PolicyAnalyzer(FIXTURE_PACK) as fresh:
        expected = run(NESTED, "dev", preview=True, analyzer=fresh)
    with PolicyAnalyzer(FIXTURE_PACK) as shared:
        # The broken program registers a topic (its Analyze goes out), then raises.
        with pytest.raises(ProgramError, match="KeyError"):
            run(BROKEN, "raise", analyzer=shared)
        after = run(NESTED, "dev", preview=True, analyzer=shared)
    assert sorted(after.violations, key=repr) == sorted(expected.violations, key=repr)
    assert after.not_applicable == expected.not_applicable


def test_a_pack_that_dies_during_analyze_is_named_with_its_last_words(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text((FIXTURE_PACK / "PulumiPolicy.yaml").read_text())
    (tmp_path / "__main__.py").write_text(
        "import os, sys\n"
        "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
        "def give_up(args, report):\n"
        "    if args.resource_type == 'aws:sns/topic:Topic':\n"
        "        sys.stderr.write('the pack gave up on a topic\\n')\n"
        "        sys.stderr.flush()\n"
        "        os._exit(3)\n"
        "PolicyPack('dies', enforcement_level=EnforcementLevel.MANDATORY, policies=[\n"
        "    ResourceValidationPolicy(name='give-up', description='Exits on a topic.', validate=give_up)])\n"
    )
    with pytest.raises(ProgramError, match=r"stopped during Analyze: the pack gave up on a topic"):
        run(BROKEN, "none", preview=True, policy_pack=tmp_path)
