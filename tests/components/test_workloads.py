"""The workload kinds on the committed platform stack: what each kind registers, and its wiring
(the ARN one resource names is that other resource's)."""

from __future__ import annotations

import json

import pytest

from preflight import RunResult

from .conftest import run_stack


@pytest.fixture(scope="session")
def platform(committed_stack) -> RunResult:
    return committed_stack("platform", preview=False)


def _document(resource) -> dict:
    return json.loads(resource.inputs["policy"])


def test_only_the_web_service_gets_a_target_group_and_a_listener_rule(platform):
    assert [r.name for r in platform.of_type("aws:lb/targetGroup:TargetGroup")] == ["web"]
    assert [r.name for r in platform.of_type("aws:lb/listenerRule:ListenerRule")] == ["web"]
    services = {r.name: r for r in platform.of_type("aws:ecs/service:Service")}
    assert set(services) == {"web", "api", "mailer"}  # the job has no service
    for name in ("api", "mailer"):
        assert services[name].inputs.get("loadBalancers") in (None, [])
        assert "healthCheckGracePeriodSeconds" not in services[name].inputs
    alb_rules = [r.name for r in platform.resources if r.name.endswith(("-from-alb", "-alb-to-tasks"))]
    assert sorted(alb_rules) == ["web-alb-to-tasks", "web-from-alb"]


def test_service_connect_names_the_stacks_one_namespace(platform):
    namespace = platform.one("aws:servicediscovery/httpNamespace:HttpNamespace")
    assert namespace.inputs["name"] == "fargate-platform"
    services = {r.name: r for r in platform.of_type("aws:ecs/service:Service")}
    for name in ("web", "api", "mailer"):
        connect = services[name].inputs["serviceConnectConfiguration"]
        assert connect["enabled"] is True and connect["namespace"] == namespace.outputs["arn"]
    # Web and backend publish themselves by name on their port; the worker is a client only.
    api = services["api"].inputs["serviceConnectConfiguration"]["services"]
    assert api == [{"portName": "api", "discoveryName": "api", "clientAlias": [{"port": 8080, "dnsName": "api"}]}]
    assert services["web"].inputs["serviceConnectConfiguration"]["services"][0]["discoveryName"] == "web"
    assert not services["mailer"].inputs["serviceConnectConfiguration"].get("services")
    definition = json.loads(platform.one("aws:ecs/taskDefinition:TaskDefinition", "api").inputs["containerDefinitions"])
    assert definition[0]["portMappings"] == [
        {"containerPort": 8080, "protocol": "tcp", "name": "api", "appProtocol": "http"}
    ]


def test_the_backend_admits_exactly_the_stacks_service_groups_on_its_port(platform):
    groups = {r.name: r for r in platform.of_type("aws:ec2/securityGroup:SecurityGroup")}
    into_api = [
        r
        for r in platform.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == groups["api"].id
    ]
    assert sorted(r.inputs["referencedSecurityGroupId"] for r in into_api) == sorted(
        [groups["web"].id, groups["mailer"].id]  # not the job's, nor any CIDR
    )
    assert {(r.inputs["fromPort"], r.inputs["toPort"], r.inputs["ipProtocol"]) for r in into_api} == {
        (8080, 8080, "tcp")
    }
    # The worker and the job admit no one.
    for name in ("mailer", "nightly"):
        assert not [
            r
            for r in platform.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            if r.inputs["securityGroupId"] == groups[name].id
        ]


def test_the_workers_grants_name_its_queues_arn_and_its_url_is_queue_url(platform):
    queue = platform.one("aws:sqs/queue:Queue", "mailer")
    dead_letter = platform.one("aws:sqs/queue:Queue", "mailer-dead-letter")
    assert queue.inputs["sqsManagedSseEnabled"] is True and dead_letter.inputs["sqsManagedSseEnabled"] is True
    assert queue.inputs["visibilityTimeoutSeconds"] == 120
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dead_letter.outputs["arn"],
        "maxReceiveCount": 3,
    }
    task_role = platform.one("aws:iam/role:Role", "mailer-task")
    grant = platform.one("aws:iam/rolePolicy:RolePolicy", "mailer-task-permissions")
    assert grant.inputs["role"] == task_role.id
    assert _document(grant)["Statement"] == [
        {
            "Sid": "ConsumeQueue",
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
            "Resource": queue.outputs["arn"],
        }
    ]
    container = json.loads(
        platform.one("aws:ecs/taskDefinition:TaskDefinition", "mailer").inputs["containerDefinitions"]
    )[0]
    assert {"name": "QUEUE_URL", "value": queue.outputs["url"]} in container["environment"]


def test_the_worker_scales_on_backlog_per_task_down_to_zero(platform):
    service = platform.one("aws:ecs/service:Service", "mailer")
    cluster = platform.one("aws:ecs/cluster:Cluster")
    target = platform.one("aws:appautoscaling/target:Target", "mailer-target")
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (0, 4)
    assert target.inputs["resourceId"] == f"service/{cluster.outputs['name']}/{service.outputs['name']}"
    policy = platform.one("aws:appautoscaling/policy:Policy", "mailer-backlog")
    tracking = policy.inputs["targetTrackingScalingPolicyConfiguration"]
    assert tracking["targetValue"] == 20
    metrics = {m["id"]: m for m in tracking["customizedMetricSpecification"]["metrics"]}
    queue = platform.one("aws:sqs/queue:Queue", "mailer")
    visible = metrics["visible"]["metricStat"]["metric"]
    assert (visible["namespace"], visible["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert visible["dimensions"] == [{"name": "QueueName", "value": queue.outputs["name"]}]
    running = metrics["running"]["metricStat"]["metric"]
    assert {d["name"]: d["value"] for d in running["dimensions"]} == {
        "ClusterName": cluster.outputs["name"],
        "ServiceName": service.outputs["name"],
    }
    assert metrics["backlog_per_task"]["returnData"] is True
    assert "visible / running" in metrics["backlog_per_task"]["expression"]
    # Scaling owns the count: `pulumi up` must not reset it.
    assert "desiredCount" in service.options.get("ignoreChanges", [])


def test_the_schedules_target_names_the_cluster_and_the_task_definition(platform):
    schedule = platform.one("aws:scheduler/schedule:Schedule", "nightly")
    cluster = platform.one("aws:ecs/cluster:Cluster")
    task_definition = platform.one("aws:ecs/taskDefinition:TaskDefinition", "nightly")
    inputs = schedule.inputs
    assert (inputs["scheduleExpression"], inputs["scheduleExpressionTimezone"]) == (
        "cron(0 3 * * ? *)",
        "Europe/Berlin",
    )
    target = inputs["target"]
    assert target["arn"] == cluster.outputs["arn"]
    ecs = target["ecsParameters"]
    assert ecs["taskDefinitionArn"] == task_definition.outputs["arn"]
    assert (ecs["launchType"], ecs["taskCount"]) == ("FARGATE", 1)
    groups = {r.name: r for r in platform.of_type("aws:ec2/securityGroup:SecurityGroup")}
    assert ecs["networkConfiguration"]["securityGroups"] == [groups["nightly"].id]
    assert ecs["networkConfiguration"]["assignPublicIp"] is True
    assert target["retryPolicy"] == {"maximumRetryAttempts": 1, "maximumEventAgeInSeconds": 3600}
    assert (
        target["deadLetterConfig"]["arn"] == platform.one("aws:sqs/queue:Queue", "nightly-dead-letter").outputs["arn"]
    )
    assert target["roleArn"] == platform.one("aws:iam/role:Role", "nightly-scheduler").outputs["arn"]


def test_the_scheduler_role_runs_exactly_the_jobs_family_and_passes_exactly_its_two_roles(platform):
    task_definition = platform.one("aws:ecs/taskDefinition:TaskDefinition", "nightly")
    cluster = platform.one("aws:ecs/cluster:Cluster")
    role = platform.one("aws:iam/role:Role", "nightly-scheduler")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    statements = {
        s["Sid"]: s for s in _document(platform.one("aws:iam/rolePolicy:RolePolicy", "nightly-scheduler"))["Statement"]
    }
    assert statements["RunJobTask"]["Action"] == "ecs:RunTask"
    assert statements["RunJobTask"]["Resource"] == task_definition.outputs["arnWithoutRevision"] + ":*"
    assert statements["RunJobTask"]["Resource"].endswith(":task-definition/fargate-platform-nightly:*")
    assert statements["RunJobTask"]["Condition"] == {"ArnEquals": {"ecs:cluster": cluster.outputs["arn"]}}
    assert statements["PassJobRoles"]["Resource"] == [
        platform.one("aws:iam/role:Role", "nightly-execution").outputs["arn"],
        platform.one("aws:iam/role:Role", "nightly-task").outputs["arn"],
    ]
    assert (
        statements["SendToDeadLetterQueue"]["Resource"]
        == platform.one("aws:sqs/queue:Queue", "nightly-dead-letter").outputs["arn"]
    )


def test_permissions_are_one_inline_policy_on_the_task_role(platform):
    grant = platform.one("aws:iam/rolePolicy:RolePolicy", "web-task-permissions")
    assert grant.inputs["role"] == platform.one("aws:iam/role:Role", "web-task").id
    assert _document(grant)["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::platform-assets-123456789012/static/*"],
        }
    ]
    # A service without permissions (nor queue) gets no such policy.
    assert not [r for r in platform.of_type("aws:iam/rolePolicy:RolePolicy") if r.name == "api-task-permissions"]


def test_a_stack_without_a_backend_makes_no_namespace_and_no_service_connect(dev):
    assert not dev.of_type("aws:servicediscovery/httpNamespace:HttpNamespace")
    service = dev.one("aws:ecs/service:Service", "web")
    assert "serviceConnectConfiguration" not in service.inputs
    definition = json.loads(dev.one("aws:ecs/taskDefinition:TaskDefinition", "web").inputs["containerDefinitions"])
    assert definition[0]["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]


def test_an_existing_queue_is_consumed_by_its_arn_and_nothing_is_created():
    arn = "arn:aws:sqs:us-east-1:123456789012:orders"
    result = run_stack(
        "platform",
        services={"web": {"image": "nginx"}, "orders": {"kind": "worker", "image": "busybox", "queue": {"arn": arn}}},
    )
    assert not result.of_type("aws:sqs/queue:Queue")
    statement = _document(result.one("aws:iam/rolePolicy:RolePolicy", "orders-task-permissions"))["Statement"][0]
    assert statement["Resource"] == arn
    container = json.loads(
        result.one("aws:ecs/taskDefinition:TaskDefinition", "orders").inputs["containerDefinitions"]
    )[0]
    assert {"name": "QUEUE_URL", "value": "https://sqs.us-east-1.amazonaws.com/123456789012/orders"} in container[
        "environment"
    ]
    assert not result.of_type("aws:appautoscaling/target:Target")  # no backlogPerTask: a fixed count


def test_the_services_output_says_each_kind_and_how_to_reach_it(platform):
    """A backend's and a web service's Service Connect address, a worker's queue URL."""
    services = platform.outputs["services"]
    assert {name: entry["kind"] for name, entry in services.items()} == {
        "web": "web",
        "api": "backend",
        "mailer": "worker",
        "nightly": "job",
    }
    api = json.loads(platform.one("aws:ecs/taskDefinition:TaskDefinition", "api").inputs["containerDefinitions"])[0]
    assert services["api"]["address"] == f"http://api:{api['portMappings'][0]['containerPort']}"
    assert services["web"]["address"].startswith("http://web:")
    assert services["mailer"]["address"] is None and services["nightly"]["address"] is None
    assert services["mailer"]["queueUrl"] == platform.one("aws:sqs/queue:Queue", "mailer").outputs["url"]
    assert services["api"]["queueUrl"] is None


def test_the_job_is_scheduled_once_its_roles_may_do_what_its_task_needs(platform):
    """Like a service's first task, a job's first run waits for the execution role's grants and the
    task role's permissions."""
    job = platform.one("fargate:scheduler:ScheduledJob", "nightly")
    assert platform.one("aws:iam/rolePolicy:RolePolicy", "nightly-task-permissions").urn in job.dependencies
    assert platform.one("aws:iam/rolePolicy:RolePolicy", "nightly-execution").urn in job.dependencies
