"""Workload kinds and permissions in the stack config: what each kind takes, what it refuses
(naming the key), and every problem reported at once."""

from __future__ import annotations

import pytest

from preflight import ProgramError

from ..conftest import run_stack
from .conftest import error, parse

IMAGE = "public.ecr.aws/docker/library/busybox:stable"


def services(**entries: dict) -> dict:
    return {
        "services": {
            "web": {"image": "nginx"},
            **{name: {"image": IMAGE, **fields} for name, fields in entries.items()},
        }
    }


def problems(**entries: dict) -> list[str]:
    return error(None, **services(**entries)).splitlines()[1:]


def test_every_service_is_web_unless_told_and_each_kind_parses_with_its_defaults():
    config = parse(
        None,
        **services(
            api={"kind": "backend", "containerPort": 8080},
            mailer={"kind": "worker"},
            nightly={"kind": "job", "schedule": "rate(1 day)"},
        ),
    )
    kinds = {name: service.kind for name, service in config.services.items()}
    assert kinds == {"web": "web", "api": "backend", "mailer": "worker", "nightly": "job"}
    nightly = config.services["nightly"]
    assert (nightly.schedule_timezone, nightly.retry_policy.maximum_attempts) == (None, 2)
    assert nightly.retry_policy.maximum_event_age_seconds == 3600
    assert config.services["mailer"].queue is None  # the program gives it a queue of its own
    assert config.services["web"].permissions == ()


def test_keys_a_kind_has_no_use_for_are_refused_naming_each_key_all_at_once():
    assert problems(
        api={"kind": "backend", "routing": {"pathPatterns": ["/api/*"]}},
        mailer={
            "kind": "worker",
            "healthCheck": {"path": "/up"},
            "schedule": "rate(1 hour)",
            "targetGroup": {"deregistrationDelaySeconds": 10},
        },
        nightly={
            "kind": "job",
            "schedule": "rate(1 hour)",
            "desiredCount": 2,
            "autoscaling": {"maxCount": 2, "cpuTarget": 50},
        },
        lone={"kind": "job"},
        web2={"queue": {"visibilityTimeoutSeconds": 60}},
    ) == [
        "  fargate:services.api.routing: {pathPatterns: [/api/*]} is not allowed; only on a web service: a backend is not behind the load balancer",
        "  fargate:services.mailer.healthCheck: {path: /up} is not allowed; only on a web service: a worker is not behind the load balancer",
        "  fargate:services.mailer.targetGroup: {deregistrationDelaySeconds: 10} is not allowed; only on a web service: a worker is not behind the load balancer",
        "  fargate:services.mailer.schedule: 'rate(1 hour)' is not allowed; only on a job (kind: job)",
        "  fargate:services.nightly.desiredCount: 2 is not allowed; not on a job: it is run on its schedule, not kept running as a service",
        "  fargate:services.nightly.autoscaling: {maxCount: 2, cpuTarget: 50.0} is not allowed; not on a job: it is run on its schedule, not kept running as a service",
        "  fargate:services.lone.schedule: required key is missing",
        "  fargate:services.web2.queue: {visibilityTimeoutSeconds: 60} is not allowed; only on a worker (kind: worker)",
    ]


def test_an_unknown_kind_a_five_field_cron_and_a_bad_time_zone_are_refused():
    found = problems(
        odd={"kind": "cron"},
        nightly={"kind": "job", "schedule": "cron(0 3 * * *)", "scheduleTimezone": "Mars/Olympus"},
    )
    assert found[0] == "  fargate:services.odd.kind: 'cron' is not allowed; one of 'web', 'backend', 'worker', 'job'"
    assert found[1].startswith(
        "  fargate:services.nightly.schedule: 'cron(0 3 * * *)' is not allowed; cron(...) takes 6 fields"
    )
    assert found[2] == (
        "  fargate:services.nightly.scheduleTimezone: 'Mars/Olympus' is not allowed; "
        "must be an IANA time zone name, e.g. UTC, Europe/Berlin, America/New_York"
    )
    assert len(found) == 3


def test_a_worker_scales_on_its_backlog_only():
    assert problems(
        mailer={"kind": "worker", "autoscaling": {"maxCount": 3, "cpuTarget": 60}},
        api={"kind": "backend", "autoscaling": {"maxCount": 3, "backlogPerTask": 5}},
    ) == [
        "  fargate:services.mailer.autoscaling.cpuTarget: 60.0 is not allowed; not on a worker: it scales on its queue's backlog (minCount, maxCount, backlogPerTask)",
        "  fargate:services.mailer.autoscaling.backlogPerTask: required key is missing",
        "  fargate:services.api.autoscaling.backlogPerTask: 5.0 is not allowed; only on a worker (kind: worker)",
    ]
    config = parse(
        None, **services(mailer={"kind": "worker", "autoscaling": {"minCount": 0, "maxCount": 3, "backlogPerTask": 5}})
    )
    assert config.services["mailer"].autoscaling.min_count == 0


def test_backlog_scaling_needs_container_insights():
    message = error(
        None,
        cluster={"containerInsights": False},
        **services(mailer={"kind": "worker", "autoscaling": {"maxCount": 3, "backlogPerTask": 5}}),
    )
    assert message.endswith(
        "fargate:services.mailer.autoscaling.backlogPerTask: 5.0 is not allowed; set only with "
        "cluster.containerInsights true: the backlog per task divides by its RunningTaskCount"
    )


def test_an_existing_queue_is_named_by_its_arn_alone():
    assert problems(
        a={
            "kind": "worker",
            "queue": {"arn": "arn:aws:sqs:us-east-1:123456789012:orders", "visibilityTimeoutSeconds": 60},
        },
        b={"kind": "worker", "queue": {"arn": "orders"}},
    ) == [
        "  fargate:services.a.queue.visibilityTimeoutSeconds: 60 is not allowed; not with arn: an existing queue keeps its own settings",
        "  fargate:services.b.queue.arn: 'orders' is not allowed; an SQS queue ARN such as arn:aws:sqs:us-east-1:123456789012:orders",
    ]


def test_permissions_are_validated_and_star_on_star_is_refused():
    assert problems(
        app={
            "kind": "backend",
            "permissions": [
                {"actions": ["*"], "resources": ["*"]},
                {"actions": ["s3:*"], "resources": ["*"]},
                {"actions": ["s3 GetObject"], "resources": ["my-bucket"]},
                {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"], "conditions": {"Str Eq": {"k": "v"}}},
            ],
        }
    ) == [
        "  fargate:services.app.permissions[0].actions[0]: '*' is not allowed; an IAM action 'service:Action' ('*' only inside the name, e.g. s3:Get*)",
        "  fargate:services.app.permissions[1].resources: ['*'] is not allowed; ARNs, not '*', with s3:*: every action of a service on every resource is an administrator of it",
        "  fargate:services.app.permissions[2].actions[0]: 's3 GetObject' is not allowed; an IAM action 'service:Action' ('*' only inside the name, e.g. s3:Get*)",
        "  fargate:services.app.permissions[2].resources[0]: 'my-bucket' is not allowed; an ARN (arn:aws:<service>:<region>:<account>:<resource>) or '*'",
        "  fargate:services.app.permissions[3].conditions.Str Eq: 'Str Eq' is not allowed; an IAM condition operator such as StringEquals or ArnLike",
    ]
    config = parse(
        None,
        **services(
            app={
                "kind": "backend",
                "permissions": [
                    {"actions": ["s3:Get*", "s3:ListBucket"], "resources": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]},
                    {
                        "actions": ["cloudwatch:PutMetricData"],
                        "resources": ["*"],
                        "conditions": {"StringEquals": {"cloudwatch:namespace": "app"}},
                    },
                ],
            }
        ),
    )
    assert len(config.services["app"].permissions) == 2


def test_a_bad_kind_config_stops_the_program_before_anything_is_registered():
    with pytest.raises(ProgramError) as caught:
        run_stack(
            "platform",
            services={
                "web": {"image": "nginx"},
                "mailer": {"kind": "worker", "image": IMAGE, "routing": {"priority": 5}},
            },
        )
    assert "fargate:services.mailer.routing: {priority: 5} is not allowed" in str(caught.value)
