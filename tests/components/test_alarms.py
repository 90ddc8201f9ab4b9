"""Alarms, their topic and the stack's dashboard: what each alarm watches, where it goes, and
that the service's deployment alarms are these very alarms."""

from __future__ import annotations

import json

import pytest

from components import ArgsError
from components.alarms import AlarmsArgs

from .conftest import run_stack

SERVICE = "fargate:ecs:FargateService"
ALARMS = "fargate:cloudwatch:ServiceAlarms"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ECS_SERVICE = "aws:ecs/service:Service"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
NGINX = "public.ecr.aws/nginx/nginx:stable"
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:team-pager"


@pytest.fixture(scope="module")
def alarmed():
    return run_stack(
        alarms={"email": "ops@example.com"},
        services={
            "web": {
                "image": NGINX,
                "alarms": {"target5xxPercent": 2, "p99LatencySeconds": 0.5, "evaluationPeriods": 2},
            },
            "shop": {
                "image": NGINX,
                "routing": {"pathPatterns": ["/shop/*"]},
                "deployment": {"strategy": "canary"},
            },
            "quiet": {
                "image": NGINX,
                "routing": {"pathPatterns": ["/quiet/*"]},
                "alarms": {"enabled": False},
                "deployment": {"rollbackOnAlarms": False},
            },
            "noroll": {
                "image": NGINX,
                "routing": {"pathPatterns": ["/noroll/*"]},
                "deployment": {"rollbackOnAlarms": False},
            },
        },
    )


def alarms_of(result, service):
    component = result.one(ALARMS, service)
    return {a.name.removeprefix(f"{service}-"): a for a in result.children(component.urn) if a.type == ALARM}


def ecs_service(result, service):
    parent = result.one(SERVICE, service)
    return next(r for r in result.children(parent.urn) if r.type == ECS_SERVICE)


def target_groups(result, service):
    parent = result.one(SERVICE, service)
    return {r.name: r for r in result.children(parent.urn) if r.type == TARGET_GROUP}


def metrics(alarm):
    return {q["id"]: q for q in alarm.inputs["metricQueries"]}


def test_deployment_alarms_are_the_services_own_alarms(alarmed):
    for service in ("web", "shop"):
        alarms = alarms_of(alarmed, service)
        assert set(alarms) == {"target-5xx", "unhealthy-hosts", "p99-latency", "tasks-missing"}
        deployment_alarms = ecs_service(alarmed, service).inputs["alarms"]
        assert deployment_alarms["enable"] is True and deployment_alarms["rollback"] is True
        assert sorted(deployment_alarms["alarmNames"]) == sorted(a.outputs["name"] for a in alarms.values())


def test_rollback_off_keeps_the_alarms_but_not_the_deployment_alarms(alarmed):
    assert len(alarms_of(alarmed, "noroll")) == 4
    assert "alarms" not in ecs_service(alarmed, "noroll").inputs


def test_alarms_off_make_no_alarms(alarmed):
    assert not [r for r in alarmed.of_type(ALARMS) if r.name == "quiet"]
    assert "alarms" not in ecs_service(alarmed, "quiet").inputs


def test_every_alarm_notifies_the_stacks_topic_and_the_topic_mails_the_address(alarmed):
    topic = alarmed.one(TOPIC)
    for service in ("web", "shop", "noroll"):
        for alarm in alarms_of(alarmed, service).values():
            assert alarm.inputs["alarmActions"] == [topic.outputs["arn"]]
            assert alarm.inputs["okActions"] == [topic.outputs["arn"]]
    subscription = alarmed.one(SUBSCRIPTION)
    assert subscription.inputs["topic"] == topic.outputs["arn"]
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("email", "ops@example.com")


def test_topic_is_encrypted_with_a_key_cloudwatch_may_use(alarmed):
    topic, key = alarmed.one(TOPIC), alarmed.one(KEY)
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    publish = statements["CloudWatchAlarmsPublish"]
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert key.inputs["enableKeyRotation"] is True


def test_5xx_rate_is_errors_over_requests_of_the_services_target_group(alarmed):
    alarm = alarms_of(alarmed, "web")["target-5xx"]
    group = target_groups(alarmed, "web")["web"]
    queries = metrics(alarm)
    assert queries["e0"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["r0"]["metric"]["metricName"] == "RequestCount"
    for query in ("e0", "r0"):
        assert queries[query]["metric"]["dimensions"]["TargetGroup"] == group.outputs["arnSuffix"]
    assert queries["rate"]["expression"] == "IF((FILL(r0, 0)) > 0, 100 * (FILL(e0, 0)) / (FILL(r0, 0)), 0)"
    assert (alarm.inputs["threshold"], alarm.inputs["evaluationPeriods"]) == (2, 2)
    assert alarm.inputs["treatMissingData"] == "notBreaching"
    latency = alarms_of(alarmed, "web")["p99-latency"]
    assert metrics(latency)["l0"]["metric"]["stat"] == "p99"
    assert latency.inputs["threshold"] == 0.5


def test_a_canary_services_alarms_read_both_target_groups(alarmed):
    groups = target_groups(alarmed, "shop")
    alarms = alarms_of(alarmed, "shop")
    suffixes = {
        q["metric"]["dimensions"]["TargetGroup"] for q in alarms["target-5xx"].inputs["metricQueries"] if "metric" in q
    }
    assert suffixes == {groups["shop"].outputs["arnSuffix"], groups["shop-alt"].outputs["arnSuffix"]}
    assert metrics(alarms["unhealthy-hosts"])["hosts"]["expression"] == "FILL(u0, 0) + FILL(u1, 0)"
    assert metrics(alarms["p99-latency"])["latency"]["expression"] == "MAX([l0, l1])"


def test_tasks_alarm_compares_running_with_desired_tasks_of_this_service(alarmed):
    alarm = alarms_of(alarmed, "web")["tasks-missing"]
    service = ecs_service(alarmed, "web")
    queries = metrics(alarm)
    for query, metric in (("running", "RunningTaskCount"), ("desired", "DesiredTaskCount")):
        assert queries[query]["metric"]["namespace"] == "ECS/ContainerInsights"
        assert queries[query]["metric"]["metricName"] == metric
        assert queries[query]["metric"]["dimensions"]["ServiceName"] == service.outputs["name"]
    assert queries["missing"]["expression"] == "desired - running"
    assert alarm.inputs["evaluationPeriods"] == 5


def test_an_existing_topic_receives_the_alarms_and_no_topic_is_made():
    result = run_stack(alarms={"snsTopicArn": TOPIC_ARN}, services={"web": {"image": NGINX}})
    assert not result.of_type(TOPIC)
    for alarm in result.of_type(ALARM):
        assert alarm.inputs["alarmActions"] == [TOPIC_ARN]


def test_dashboard_names_each_service_and_the_cluster_and_is_the_stack_output(alarmed):
    dashboard = alarmed.one(DASHBOARD)
    body = json.loads(dashboard.inputs["dashboardBody"])
    titles = [w["properties"]["title"] for w in body["widgets"]]
    for service in ("web", "shop", "quiet", "noroll"):
        assert [t.split(": ")[1] for t in titles if t.startswith(f"{service}: ")] == [
            "requests",
            "target 5xx",
            "response time (s)",
            "CPU %",
            "memory %",
            "tasks",
        ]
    cluster = alarmed.one("aws:ecs/cluster:Cluster")
    cpu = next(w for w in body["widgets"] if w["properties"]["title"] == "web: CPU %")
    assert cpu["properties"]["metrics"] == [
        [
            "AWS/ECS",
            "CPUUtilization",
            "ClusterName",
            cluster.outputs["name"],
            "ServiceName",
            ecs_service(alarmed, "web").outputs["name"],
        ]
    ]
    requests = next(w for w in body["widgets"] if w["properties"]["title"] == "shop: requests")
    assert [m[3] for m in requests["properties"]["metrics"]] == [
        g.outputs["arnSuffix"] for g in target_groups(alarmed, "shop").values()
    ]
    assert alarmed.outputs["dashboardUrl"] == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        f"#dashboards/dashboard/{dashboard.outputs['dashboardName']}"
    )


@pytest.mark.parametrize(
    ("args", "arg"),
    [
        (dict(target_5xx_percent=0), "target_5xx_percent"),
        (dict(unhealthy_hosts=0), "unhealthy_hosts"),
        (dict(p99_latency_seconds=-1), "p99_latency_seconds"),
        (dict(evaluation_periods=0), "evaluation_periods"),
    ],
)
def test_alarm_args_out_of_range_are_refused(args, arg):
    with pytest.raises(ArgsError, match=f"X.{arg}"):
        AlarmsArgs(**args).validate("X")


def test_a_job_has_no_alarms_and_no_dashboard_row_and_a_worker_watches_its_tasks():
    result = run_stack(
        services={
            "web": {"image": NGINX},
            "mailer": {"image": NGINX, "kind": "worker"},
            "nightly": {"image": NGINX, "kind": "job", "schedule": "rate(1 day)"},
        }
    )
    assert sorted(alarms_of(result, "mailer")) == ["tasks-missing"]
    assert not [r for r in result.of_type(ALARMS) if r.name == "nightly"]
    body = json.loads(result.one(DASHBOARD).inputs["dashboardBody"])
    rows = {w["properties"]["title"].split(": ")[0] for w in body["widgets"]}
    assert rows == {"web", "mailer"}


def test_without_container_insights_there_is_no_tasks_alarm_to_hand_to_ecs():
    result = run_stack(
        cluster={"containerInsights": False},
        services={"web": {"image": NGINX}, "mailer": {"image": NGINX, "kind": "worker"}},
    )
    assert sorted(alarms_of(result, "web")) == ["p99-latency", "target-5xx", "unhealthy-hosts"]
    assert sorted(ecs_service(result, "web").inputs["alarms"]["alarmNames"]) == sorted(
        a.outputs["name"] for a in alarms_of(result, "web").values()
    )
    # A worker's only alarm would be the tasks one: it gets none, and no empty deployment alarms.
    assert not [r for r in result.of_type(ALARMS) if r.name == "mailer"]
    assert "alarms" not in ecs_service(result, "mailer").inputs
