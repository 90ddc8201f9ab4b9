"""config/container.py: command and entry point, container health checks, sidecar secrets,
start order (dependsOn) and EFS volumes, each refused at its key with what ECS allows."""

from __future__ import annotations

import pytest

from .conftest import SSM, error, parse

FS = "fs-0123456789abcdef0"
ACCESS_POINT = "fsap-0123456789abcdef0"
CHECK = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}


def lines(message: str) -> list[str]:
    """The problems of a refused config, one a line (a single one follows the heading on its line)."""
    found = message.splitlines()
    return found[1:] if len(found) > 1 else ["  " + message.removeprefix("invalid stack config: ")]


def test_defaults_leave_the_container_as_the_image_says():
    service = parse().services["web"]
    assert (service.command, service.entry_point, service.container_health_check) == (None, None, None)
    assert (service.stop_timeout_seconds, service.ephemeral_storage_gib) == (None, None)
    assert (service.depends_on, service.volumes) == ({}, {})


def test_a_health_check_takes_ecs_defaults():
    check = parse({"containerHealthCheck": CHECK}).services["web"].container_health_check
    assert check is not None
    assert (check.interval_seconds, check.timeout_seconds, check.retries, check.start_period_seconds) == (30, 5, 3, 0)


def test_every_out_of_range_container_setting_is_named_at_once():
    message = error(
        {
            "command": [],
            "entryPoint": ["sh", ""],
            "containerHealthCheck": {
                "command": ["curl", "-f", "http://localhost/"],
                "intervalSeconds": 4,
                "timeoutSeconds": 61,
                "retries": 11,
                "startPeriodSeconds": 301,
            },
            "stopTimeoutSeconds": 121,
            "ephemeralStorageGiB": 201,
        }
    )
    assert lines(message) == [
        "  fargate:services.web.entryPoint: [sh, ''] is not allowed; a list of one or more non-empty strings, e.g. [gunicorn, app:app]",
        "  fargate:services.web.command: [] is not allowed; a list of one or more non-empty strings, e.g. [gunicorn, app:app]",
        "  fargate:services.web.containerHealthCheck.command: [curl, -f, 'http://localhost/'] is not allowed; CMD or CMD-SHELL, then the command (e.g. [CMD-SHELL, curl -f http://localhost/ || exit 1])",
        "  fargate:services.web.containerHealthCheck.intervalSeconds: 4 is not allowed; an integer at least 5",
        "  fargate:services.web.containerHealthCheck.timeoutSeconds: 61 is not allowed; an integer at most 60",
        "  fargate:services.web.containerHealthCheck.retries: 11 is not allowed; an integer at most 10",
        "  fargate:services.web.containerHealthCheck.startPeriodSeconds: 301 is not allowed; an integer at most 300",
        "  fargate:services.web.stopTimeoutSeconds: 121 is not allowed; an integer at most 120",
        "  fargate:services.web.ephemeralStorageGiB: 201 is not allowed; an integer at most 200",
    ]


@pytest.mark.parametrize("key, low, high", [("stopTimeoutSeconds", 2, 120), ("ephemeralStorageGiB", 21, 200)])
def test_the_ends_of_ecs_ranges_are_accepted(key, low, high):
    for value in (low, high):
        assert (
            getattr(
                parse({key: value}).services["web"],
                "stop_timeout_seconds" if key[0] == "s" else "ephemeral_storage_gib",
            )
            == value
        )
    assert f"fargate:services.web.{key}: {low - 1} is not allowed" in error({key: low - 1})


def test_depends_on_names_a_sidecar_that_can_meet_the_condition():
    message = error(
        {
            "sidecars": {"envoy": {"image": "envoy:1"}, "migrate": {"image": "migrate:1"}},
            "dependsOn": {"proxy": "START", "envoy": "HEALTHY", "migrate": "SUCCESS"},
        }
    )
    assert lines(message) == [
        "  fargate:services.web.dependsOn.proxy: 'proxy' is not allowed; a sidecar of this service (envoy, migrate)",
        "  fargate:services.web.dependsOn.envoy: 'HEALTHY' is not allowed; START, or give sidecars.envoy a "
        "containerHealthCheck (HEALTHY waits for it)",
        "  fargate:services.web.dependsOn.migrate: 'SUCCESS' is not allowed; START or HEALTHY, or set "
        "sidecars.migrate.essential to false (ECS waits for an exit only on a container that is not essential)",
    ]


def test_depends_on_takes_ecs_conditions_only():
    message = error({"sidecars": {"envoy": {"image": "envoy:1"}}, "dependsOn": {"envoy": "READY"}})
    assert (
        "fargate:services.web.dependsOn.envoy: 'READY' is not allowed; one of 'START', 'HEALTHY', 'COMPLETE', 'SUCCESS'"
        in message
    )


def test_a_healthy_or_finished_sidecar_can_be_waited_for():
    service = parse(
        {
            "sidecars": {
                "envoy": {"image": "envoy:1", "containerHealthCheck": CHECK},
                "migrate": {"image": "migrate:1", "essential": False, "command": ["migrate", "up"]},
            },
            "dependsOn": {"envoy": "HEALTHY", "migrate": "SUCCESS"},
        }
    ).services["web"]
    assert service.depends_on == {"envoy": "HEALTHY", "migrate": "SUCCESS"}
    assert service.sidecars["migrate"].command == ("migrate", "up")


def test_sidecar_secrets_follow_the_main_container_s_rules():
    def sidecar(**fields):
        return {"sidecars": {"envoy": {"image": "envoy:1", **fields}}}

    assert lines(error(sidecar(secrets={"1BAD": SSM}))) == [
        "  fargate:services.web.sidecars.envoy.secrets.1BAD: '1BAD' is not allowed; a variable name: letters, digits "
        "and underscores, not starting with a digit",
    ]
    assert lines(error(sidecar(secrets={"KEY": "arn:aws:secretsmanager:us-east-1:1:secret:k", "OK": SSM}))) == [
        "  fargate:services.web.sidecars.envoy.secrets.KEY: 'arn:aws:secretsmanager:us-east-1:1:secret:k' is not "
        "allowed; the ARN of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>) or the full ARN of a "
        "Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
    ]
    assert lines(error(sidecar(environment={"TOKEN": "x"}, secrets={"TOKEN": SSM}))) == [
        "  fargate:services.web.sidecars.envoy.secrets.TOKEN: 'TOKEN' is not allowed; a name not also in environment "
        "(the container would get it twice)",
    ]


def test_a_kms_key_may_come_with_sidecar_secrets_alone():
    key = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    service = parse({"secretsKmsKeyArn": key, "sidecars": {"envoy": {"image": "envoy:1", "secrets": {"T": SSM}}}})
    assert service.services["web"].secret_arns == [SSM]


def test_efs_volumes_are_refused_at_each_bad_key():
    message = error(
        {
            "volumes": {
                "data": {"efs": {"fileSystemId": "fs-12"}, "mountPath": "data"},
                "by-ap": {
                    "efs": {"fileSystemId": FS, "accessPointId": "ap-1", "rootDirectory": "srv"},
                    "mountPath": "/",
                },
                "bad name": {"efs": {"fileSystemId": FS}, "mountPath": "/b"},
            }
        }
    )
    assert lines(message) == [
        "  fargate:services.web.volumes.data.efs.fileSystemId: 'fs-12' is not allowed; an EFS file system id such as "
        "fs-0123456789abcdef0",
        "  fargate:services.web.volumes.data.mountPath: 'data' is not allowed; an absolute path other than / such as "
        "/mnt/data (no spaces)",
        "  fargate:services.web.volumes.by-ap.efs.accessPointId: 'ap-1' is not allowed; an EFS access point id such as "
        "fsap-0123456789abcdef0",
        "  fargate:services.web.volumes.by-ap.efs.rootDirectory: 'srv' is not allowed; an absolute path such as /data "
        "(no spaces)",
        "  fargate:services.web.volumes.by-ap.mountPath: '/' is not allowed; an absolute path other than / such as "
        "/mnt/data (no spaces)",
        "  fargate:services.web.volumes.bad name: 'bad name' is not allowed; a volume name: up to 255 letters, digits, "
        "'_' and '-'",
    ]


def test_an_access_point_mounts_its_own_path_and_two_volumes_need_two_paths():
    message = error(
        {
            "volumes": {
                "a": {
                    "efs": {"fileSystemId": FS, "accessPointId": ACCESS_POINT, "rootDirectory": "/srv"},
                    "mountPath": "/a",
                },
                "b": {"efs": {"fileSystemId": FS}, "mountPath": "/data"},
                "c": {"efs": {"fileSystemId": FS}, "mountPath": "/data"},
            }
        }
    )
    assert lines(message) == [
        "  fargate:services.web.volumes.a.efs.rootDirectory: '/srv' is not allowed; unset (or '/') with accessPointId: "
        "the access point's path is mounted (ECS's rule)",
        "  fargate:services.web.volumes.c.mountPath: '/data' is not allowed; a path not also used by volumes.b",
    ]


def test_a_volume_is_writable_unless_read_only():
    volumes = (
        parse(
            {
                "volumes": {
                    "data": {
                        "efs": {"fileSystemId": FS, "accessPointId": ACCESS_POINT, "rootDirectory": "/"},
                        "mountPath": "/data",
                    },
                    "conf": {
                        "efs": {"fileSystemId": FS, "rootDirectory": "/conf"},
                        "mountPath": "/etc/app",
                        "readOnly": True,
                    },
                }
            }
        )
        .services["web"]
        .volumes
    )
    assert (volumes["data"].read_only, volumes["conf"].read_only) == (False, True)
    assert volumes["conf"].efs.root_directory == "/conf"
