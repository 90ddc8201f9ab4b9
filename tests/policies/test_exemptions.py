"""fargate_policies/_exemptions.py: resources exempt from named rules by policy config or by their own
tag, each excused finding reported with its reason (never dropped), through the real pack."""

import json

import pytest

from policies.fargate_policies import _exemptions
from policies.fargate_policies._exemptions import Exemption, Gate, Target
from preflight import ProgramError, report
from preflight.analyzer import EXEMPTION_LINE

from .conftest import MODES, flagged, messages, short

RETENTION_EXEMPT = {
    "cloudwatch-log-retention": {
        "exemptions": [{"name": "forever", "type": "aws:cloudwatch/*", "reason": "audit trail kept by law"}]
    }
}


def excused(result):
    return sorted((e.policy, short(e.urn), e.source, e.reason) for e in result.exemptions)


@pytest.mark.parametrize("preview", MODES)
def test_a_tag_with_its_reason_exempts_from_resource_and_stack_rules(judge, preview):
    result = judge("exemptions", "test", preview=preview)
    assert excused(result) == [
        (
            "alb-access-logs",
            "LoadBalancer:audited",
            "tag fargate-alb:exempt",
            "internal load test target, rebuilt daily",
        ),
        (
            "alb-deletion-protection",
            "LoadBalancer:audited",
            "tag fargate-alb:exempt",
            "internal load test target, rebuilt daily",
        ),
        ("vpc-flow-logs", "Vpc:lab", "tag fargate-alb:exempt", "short-lived lab network"),
    ]
    # What each exemption excused is kept, word for word.
    flow = next(e for e in result.exemptions if e.policy == "vpc-flow-logs")
    assert flow.message.startswith("VPC 'lab' has no flow log")
    assert flagged(result, "vpc-flow-logs") == set()
    assert flagged(result, "alb-access-logs") == {"LoadBalancer:unexplained", "LoadBalancer:misspelt"}


@pytest.mark.parametrize("preview", MODES)
def test_a_tag_without_a_reason_exempts_nothing_and_the_finding_says_so(judge, preview):
    result = judge("exemptions", "test", preview=preview)
    (message,) = messages(result, "alb-access-logs")["LoadBalancer:unexplained"]
    assert message.endswith(
        "(its fargate-alb:exempt tag names alb-access-logs but it has no fargate-alb:exempt-reason tag, "
        "so it is not exempt)"
    )
    # A rule the tag does not name is judged as ever.
    assert flagged(result, "alb-deletion-protection") == {"LoadBalancer:unexplained"}


@pytest.mark.parametrize("preview", MODES)
def test_a_tag_naming_a_rule_the_pack_does_not_have_is_said_on_the_finding_it_missed(judge, preview):
    result = judge("exemptions", "test", preview=preview)
    (message,) = messages(result, "alb-access-logs")["LoadBalancer:misspelt"]
    assert message.endswith("(its fargate-alb:exempt tag names alb-acess-logs, which the pack does not have)")
    assert [e for e in result.exemptions if short(e.urn) == "LoadBalancer:misspelt"] == []


def test_policy_config_exempts_by_name_and_type_and_reports_each_finding(judge):
    result = judge("exemptions", "test", preview=False, config=RETENTION_EXEMPT)
    assert ("cloudwatch-log-retention", "LogGroup:forever", 'config name "forever" type "aws:cloudwatch/*"',
            "audit trail kept by law") in excused(result)  # fmt: skip
    assert flagged(result, "cloudwatch-log-retention") == set()
    without = judge("exemptions", "test", preview=False)
    assert flagged(without, "cloudwatch-log-retention") == {"LogGroup:forever"}


def test_a_pattern_that_matches_another_type_exempts_nothing(judge):
    config = {"cloudwatch-log-retention": {"exemptions": [{"type": "aws:lb/*", "reason": "load balancers only"}]}}
    result = judge("exemptions", "test", preview=False, config=config)
    assert flagged(result, "cloudwatch-log-retention") == {"LogGroup:forever"}
    assert [e for e in result.exemptions if e.policy == "cloudwatch-log-retention"] == []


def test_the_report_and_json_list_each_exemption(judge):
    result = judge("exemptions", "test", preview=False, config=RETENTION_EXEMPT)
    text = report.text(result)
    assert "Exemptions (4): findings not reported, with the reason" in text
    assert (
        '  cloudwatch-log-retention  aws:cloudwatch/logGroup:LogGroup  forever: exempt by config name "forever" '
        'type "aws:cloudwatch/*": audit trail kept by law\n'
        "      would report: Set retentionInDays (0 or unset keeps logs forever)."
    ) in text
    document = json.loads(json.dumps(report.document(result)))
    assert document["summary"]["exempted"] == 4
    entry = next(e for e in document["exemptions"] if e["policy"] == "cloudwatch-log-retention")
    assert entry["reason"] == "audit trail kept by law" and entry["urn"].endswith("::forever")
    assert document["notApplicable"] == [n for n in document["notApplicable"] if "exempt" not in n["reason"]]


@pytest.mark.parametrize(
    ("exemptions", "problem"),
    [
        ([{"name": "forever"}], "'reason' is a required property"),
        ([{"reason": "why"}], "is not valid under any of the given schemas"),
        ([{"name": "forever", "reason": "why", "owner": "me"}], "Additional properties are not allowed ('owner'"),
        ([{"name": "forever", "reason": ""}], "should be non-empty"),
    ],
)
def test_an_exemption_without_a_reason_or_a_resource_is_refused(judge, exemptions, problem):
    with pytest.raises(ProgramError) as error:
        judge("exemptions", "test", preview=False, config={"cloudwatch-log-retention": {"exemptions": exemptions}})
    assert "cloudwatch-log-retention: exemptions.0" in str(error.value) and problem in str(error.value)


def test_an_exemption_from_a_rule_the_pack_does_not_have_is_an_error_naming_it(judge):
    config = {"alb-acess-logs": {"exemptions": [{"name": "audited", "reason": "typo"}]}}
    with pytest.raises(ProgramError, match="does not have: alb-acess-logs"):
        judge("exemptions", "test", preview=False, config=config)


def test_the_preflight_reads_the_line_the_pack_writes():
    line = _exemptions.line(
        "urn:pulumi:s::p::aws:lb/loadBalancer:LoadBalancer::a b", Exemption("tag x", "why: now"), "it\nbroke"
    )
    assert line.endswith("would report: it broke")
    fields = EXEMPTION_LINE.match(_exemptions.line("urn:x", Exemption('config name "a*"', "why: now"), "it broke"))
    assert fields is not None
    assert fields.groupdict() == {
        "urn": "urn:x",
        "source": 'config name "a*"',
        "reason": "why: now",
        "message": "it broke",
    }
    assert _exemptions.LINE.pattern == EXEMPTION_LINE.pattern


def test_tags_that_are_unknown_or_not_a_map_exempt_nothing():
    reported = []
    for props in (
        {"tags": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"},
        {"tags": ["fargate-alb:exempt"]},
        {"tags": None},
        None,
    ):
        target = Target("urn:x", "x", "aws:ec2/vpc:Vpc", props)

        def target_of(_urn, target=target):
            return target

        gate = Gate("vpc-flow-logs", {}, lambda message, *urn: reported.append(message), target_of)
        gate.report("no flow log")
        gate.close(lambda reason: pytest.fail(reason))
    assert reported == ["no flow log"] * 4
