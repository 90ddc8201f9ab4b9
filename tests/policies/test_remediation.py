"""fargate_policies/remediations.py: the one-value fixes pulumi-policy applies at the `remediate` level,
driven as the engine drives them (`Remediate` before `Analyze`), and shown by the preflight as
`pulumi preview` shows them (property: old -> new)."""

import json

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from policies.fargate_policies import all_rules
from policies.fargate_policies.remediations import FIXES
from preflight import report

from .conftest import MODES, flagged, short

RULES = {rule.name for rule in all_rules()}
REMEDIATE = {
    name: level
    for name, level in {
        "alb-drop-invalid-headers": "remediate",
        "ecs-container-insights": "remediate",
        "ecs-circuit-breaker": "remediate",
        "alb-desync-mitigation": "remediate",
        "cloudwatch-log-retention": {"enforcementLevel": "remediate", "minimumRetentionDays": 30},
    }.items()
    if name in RULES
}


def changes(result):
    return {(r.policy, short(r.urn)): {path: (old, new) for path, old, new in r.changes} for r in result.remediations}


@pytest.mark.parametrize("preview", MODES)
def test_remediate_sets_each_one_value_fix_before_the_resource_is_judged(judge, preview):
    result = judge("violating", "test", preview=preview, config=REMEDIATE)
    assert changes(result) == {
        ("alb-drop-invalid-headers", "LoadBalancer:alb"): {"dropInvalidHeaderFields": (False, True)},
        # The configured minimum, not a number of the pack's own.
        ("cloudwatch-log-retention", "LogGroup:app"): {"retentionInDays": (0, 30)},
        ("ecs-circuit-breaker", "Service:inline"): {
            "deploymentCircuitBreaker": (None, {"enable": True, "rollback": True})
        },
        ("ecs-container-insights", "Cluster:cluster"): {
            "settings": (None, [{"name": "containerInsights", "value": "enabled"}])
        },
    }
    # Judged after the fix, the resources pass; the rules the config left alone still report.
    for policy in REMEDIATE:
        assert flagged(result, policy) == set(), policy
    assert flagged(result, "alb-access-logs") == {"LoadBalancer:alb"}
    assert report.summary(result)["remediated"] == 4


def test_the_default_levels_change_nothing(judge):
    result = judge("violating", "test", preview=False)
    assert result.remediations == []
    assert flagged(result, "alb-drop-invalid-headers") == {"LoadBalancer:alb"}
    assert flagged(result, "ecs-container-insights") == {"Cluster:cluster"}


def test_what_the_fix_cannot_set_is_left_to_a_person_and_still_reported(judge):
    # cloudwatch-log-retention also judges task definitions that let the awslogs driver create
    # their group; retentionInDays is no property of theirs.
    result = judge("log_styles", "test", preview=False, config={"cloudwatch-log-retention": "remediate"})
    assert result.remediations == []
    assert flagged(result, "cloudwatch-log-retention") == {
        "TaskDefinition:driver-created",
        "TaskDefinition:driver-created-bool",
    }
    assert {v.enforcement_level for v in result.violations if v.policy == "cloudwatch-log-retention"} == {"mandatory"}


def test_a_resource_the_rule_passes_is_left_as_it_is(judge):
    result = judge("compliant", "nat", preview=False, config=REMEDIATE)
    assert result.remediations == []


def test_an_exempt_resource_is_not_remediated_and_the_exemption_is_reported(judge):
    config = {
        **REMEDIATE,
        "alb-drop-invalid-headers": {
            "enforcementLevel": "remediate",
            "exemptions": [{"name": "alb", "reason": "a header-parsing test endpoint"}],
        },
    }
    result = judge("violating", "test", preview=False, config=config)
    assert ("alb-drop-invalid-headers", "LoadBalancer:alb") not in changes(result)
    assert [(e.policy, short(e.urn), e.reason) for e in result.exemptions] == [
        ("alb-drop-invalid-headers", "LoadBalancer:alb", "a header-parsing test endpoint")
    ]


def test_the_report_shows_each_change_as_preview_does_and_json_lists_it(judge):
    result = judge("violating", "test", preview=False, config=REMEDIATE)
    text = report.text(result)
    assert "Remediations (4): inputs changed by a policy at `remediate`" in text
    assert (
        "  alb-drop-invalid-headers  aws:lb/loadBalancer:LoadBalancer  alb\n      ~ dropInvalidHeaderFields: false -> true"
        in text
    )
    assert "      ~ retentionInDays: 0 -> 30" in text
    document = json.loads(json.dumps(report.document(result)))
    entry = next(r for r in document["remediations"] if r["policy"] == "cloudwatch-log-retention")
    assert entry["changes"] == [{"property": "retentionInDays", "old": 0, "new": 30}]
    assert entry["urn"].endswith("::app") and entry["diagnostic"] == ""


def _remediate(analyzer, type_token, properties, config):
    analyzer.configure(config)
    struct = struct_pb2.Struct()
    json_format.ParseDict(properties, struct)
    request = analyzer_pb2.AnalyzeRequest(
        type=type_token, urn=f"urn:pulumi:s::p::{type_token}::x", name="x", properties=struct
    )
    return analyzer.remediated(request)


def test_desync_mitigation_monitor_becomes_defensive(analyzer):
    if "alb-desync-mitigation" not in RULES:
        pytest.skip("alb-desync-mitigation is not in the pack yet")
    lb = {"loadBalancerType": "application", "desyncMitigationMode": "monitor", "dropInvalidHeaderFields": True}
    request, applied = _remediate(
        analyzer, "aws:lb/loadBalancer:LoadBalancer", lb, {"alb-desync-mitigation": "remediate"}
    )
    assert [(r.policy, r.changes) for r in applied] == [
        ("alb-desync-mitigation", (("desyncMitigationMode", "monitor", "defensive"),))
    ]
    assert json_format.MessageToDict(request.properties)["desyncMitigationMode"] == "defensive"
    # A network load balancer has no desync mode to set: left alone.
    _, applied = _remediate(
        analyzer,
        "aws:lb/loadBalancer:LoadBalancer",
        {**lb, "loadBalancerType": "network"},
        {"alb-desync-mitigation": "remediate"},
    )
    assert applied == []


def test_container_insights_keeps_the_cluster_s_other_settings(analyzer):
    cluster = {"settings": [{"name": "containerInsights", "value": "disabled"}, {"name": "other", "value": "x"}]}
    request, applied = _remediate(analyzer, "aws:ecs/cluster:Cluster", cluster, {"ecs-container-insights": "remediate"})
    assert json_format.MessageToDict(request.properties)["settings"] == [
        {"name": "other", "value": "x"},
        {"name": "containerInsights", "value": "enabled"},
    ]
    assert [r.policy for r in applied] == ["ecs-container-insights"]


def test_a_remediation_keeps_a_secret_input_secret(analyzer):
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "app-logs"}
    request, _ = _remediate(
        analyzer, "aws:cloudwatch/logGroup:LogGroup", {"name": secret}, {"cloudwatch-log-retention": "remediate"}
    )
    assert json_format.MessageToDict(request.properties) == {"name": secret, "retentionInDays": 1}


def test_every_fix_belongs_to_a_resource_rule_and_every_rule_says_how_to_fix_it():
    rules = {rule.name: rule for rule in all_rules()}
    for name in FIXES:
        if name in rules:
            assert rules[name].types is not None and rules[name].fix is FIXES[name], name
    assert {name for name, rule in rules.items() if rule.fix is not None} >= set(FIXES) & set(rules)
    assert [name for name, rule in rules.items() if not rule.remediation_steps] == []
