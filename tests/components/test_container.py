"""A full container on the registered resources: command, entry point, Docker health checks,
stop timeout, start order, sidecar secrets, ephemeral storage and EFS volumes with the task
role's grant on exactly their file systems; and one error naming the arg for what ECS refuses."""

from __future__ import annotations

import json
from typing import Any, cast

import botocore.session
import pytest
from botocore.validate import ParamValidator

from components import (
    ArgsError,
    ContainerHealthCheckArgs,
    EfsVolumeArgs,
    FargateServiceArgs,
    SidecarArgs,
    VolumeArgs,
)
from preflight import UNKNOWN

from .conftest import child, container_definitions, run_scenario, run_stack

SERVICE = "fargate:ecs:FargateService"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"

FS_DATA = "fs-0123456789abcdef0"
FS_CONFIG = "fs-0fedcba9876543210"
ACCESS_POINT = "fsap-0123456789abcdef0"
TOKEN = "arn:aws:ssm:eu-west-1:123456789012:parameter/envoy/token"
CURL = ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]

CONTAINERS = {
    "web": {
        "image": "public.ecr.aws/nginx/nginx:stable",
        "entryPoint": ["/docker-entrypoint.sh"],
        "command": ["nginx", "-g", "daemon off;"],
        "containerHealthCheck": {"command": CURL, "intervalSeconds": 10, "startPeriodSeconds": 20},
        "stopTimeoutSeconds": 60,
        "ephemeralStorageGiB": 50,
        "dependsOn": {"envoy": "HEALTHY", "migrate": "SUCCESS"},
        "sidecars": {
            "envoy": {
                "image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod",
                "command": ["envoy", "-c", "/etc/envoy.yaml"],
                "secrets": {"TOKEN": TOKEN},
                "containerHealthCheck": {"command": ["CMD", "/bin/true"], "retries": 5},
            },
            "migrate": {"image": "public.ecr.aws/docker/library/busybox:1.36", "essential": False},
        },
        "volumes": {
            "shared-data": {"efs": {"fileSystemId": FS_DATA, "accessPointId": ACCESS_POINT}, "mountPath": "/data"},
            "config": {
                "efs": {"fileSystemId": FS_CONFIG, "rootDirectory": "/conf"},
                "mountPath": "/etc/app",
                "readOnly": True,
            },
        },
    },
    "plain": {"image": "public.ecr.aws/nginx/nginx:stable", "routing": {"pathPatterns": ["/plain/*"]}},
}


@pytest.fixture(scope="module")
def containers():
    return run_stack("containers", region="eu-west-1", services=CONTAINERS)


def part(result, service: str, type_token: str, name: str | None = None):
    if name is None:
        return child(result, SERVICE, service, type_token)
    return result.one(type_token, name)


def test_the_main_container_runs_the_given_command_checks_itself_and_waits_for_its_sidecars(containers):
    main, envoy, migrate = container_definitions(part(containers, "web", TASK_DEFINITION))
    assert main["entryPoint"] == ["/docker-entrypoint.sh"]
    assert main["command"] == ["nginx", "-g", "daemon off;"]
    assert main["healthCheck"] == {"command": CURL, "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 20}
    assert main["stopTimeout"] == 60
    assert main["dependsOn"] == [
        {"containerName": "envoy", "condition": "HEALTHY"},
        {"containerName": "migrate", "condition": "SUCCESS"},
    ]
    assert [envoy["name"], migrate["name"]] == ["envoy", "migrate"] and migrate["essential"] is False


def test_sidecars_get_their_command_secrets_and_health_check(containers):
    _, envoy, migrate = container_definitions(part(containers, "web", TASK_DEFINITION))
    assert envoy["command"] == ["envoy", "-c", "/etc/envoy.yaml"]
    assert envoy["secrets"] == [{"name": "TOKEN", "valueFrom": TOKEN}]
    assert envoy["healthCheck"] == {
        "command": ["CMD", "/bin/true"],
        "interval": 30,
        "timeout": 5,
        "retries": 5,
        "startPeriod": 0,
    }
    assert not {"command", "secrets", "healthCheck"} & set(migrate)


def test_the_execution_role_reads_exactly_the_sidecar_s_secret(containers):
    execution = part(containers, "web", ROLE_POLICY, "web-execution")
    statements = {s["Sid"]: s for s in json.loads(execution.inputs["policy"])["Statement"]}
    assert statements["ReadSsmParameters"]["Resource"] == [TOKEN]


def test_the_task_definition_has_its_storage_and_encrypted_iam_authorized_efs_volumes(containers):
    task = part(containers, "web", TASK_DEFINITION)
    assert task.inputs["ephemeralStorage"] == {"sizeInGib": 50}
    assert task.inputs["volumes"] == [
        {
            "name": "shared-data",
            "efsVolumeConfiguration": {
                "fileSystemId": FS_DATA,
                "transitEncryption": "ENABLED",
                "authorizationConfig": {"accessPointId": ACCESS_POINT, "iam": "ENABLED"},
            },
        },
        {
            "name": "config",
            "efsVolumeConfiguration": {
                "fileSystemId": FS_CONFIG,
                "rootDirectory": "/conf",
                "transitEncryption": "ENABLED",
                "authorizationConfig": {"iam": "ENABLED"},
            },
        },
    ]
    (main, *_) = container_definitions(task)
    assert main["mountPoints"] == [
        {"sourceVolume": "shared-data", "containerPath": "/data", "readOnly": False},
        {"sourceVolume": "config", "containerPath": "/etc/app", "readOnly": True},
    ]


def test_the_task_role_may_mount_exactly_those_file_systems(containers):
    grant = part(containers, "web", ROLE_POLICY, "web-task-efs")
    task_role = part(containers, "web", ROLE, "web-task")
    task = part(containers, "web", TASK_DEFINITION)
    assert grant.inputs["role"] == task_role.outputs["id"]
    assert task.inputs["taskRoleArn"] == task_role.outputs["arn"]
    prefix = "arn:aws:elasticfilesystem:eu-west-1:123456789012"
    assert json.loads(grant.inputs["policy"])["Statement"] == [
        {
            "Sid": "MountEfsSharedData",
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": f"{prefix}:file-system/{FS_DATA}",
            "Condition": {
                "StringEquals": {"elasticfilesystem:AccessPointArn": f"{prefix}:access-point/{ACCESS_POINT}"}
            },
        },
        {
            "Sid": "MountEfsConfig",
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount"],
            "Resource": f"{prefix}:file-system/{FS_CONFIG}",
        },
    ]


def test_the_service_starts_its_tasks_once_the_mount_grant_is_in_place(containers):
    service = part(containers, "web", ECS_SERVICE)
    assert part(containers, "web", ROLE_POLICY, "web-task-efs").urn in service.dependencies


def test_a_service_without_these_settings_is_written_as_before(containers):
    (main,) = container_definitions(part(containers, "plain", TASK_DEFINITION))
    assert not {"command", "entryPoint", "healthCheck", "stopTimeout", "dependsOn", "mountPoints"} & set(main)
    task = part(containers, "plain", TASK_DEFINITION)
    assert "ephemeralStorage" not in task.inputs and "volumes" not in task.inputs
    assert not [r for r in containers.children(containers.one(SERVICE, "plain").urn) if r.name == "plain-task-efs"]


# --------------------------------------------------------------------------- args refused


def args(**fields: Any) -> FargateServiceArgs:
    """Args judged before anything is registered: no load balancer is needed to refuse them."""
    return FargateServiceArgs(
        cluster_arn="arn",
        cluster_name="c",
        vpc_id="vpc",
        subnet_ids=[],
        load_balancer=cast(Any, None),
        image="nginx",
        **fields,
    )


def efs(file_system_id: str = FS_DATA, **fields) -> VolumeArgs:
    return VolumeArgs(
        efs=EfsVolumeArgs(file_system_id=file_system_id, **{k: v for k, v in fields.items() if k != "mount_path"}),
        mount_path=fields.get("mount_path", "/data"),
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            {"stop_timeout_seconds": 121},
            "FargateServiceArgs.stop_timeout_seconds: 121 is not a stop timeout; allowed: 2 to 120",
        ),
        (
            {"ephemeral_storage_gib": 20},
            "FargateServiceArgs.ephemeral_storage_gib: 20 is not a Fargate storage size; allowed: 21 to 200",
        ),
        ({"command": []}, "FargateServiceArgs.command: [] is not a command; allowed: non-empty strings"),
        (
            {"container_health_check": ContainerHealthCheckArgs(command=CURL, timeout_seconds=61)},
            "FargateServiceArgs.container_health_check.timeout_seconds: 61 is not a check timeout; allowed: 2 to 60",
        ),
        (
            {"container_health_check": ContainerHealthCheckArgs(command=["curl", "localhost"])},
            "FargateServiceArgs.container_health_check.command: ['curl', 'localhost'] is not a health check command; "
            "allowed: CMD or CMD-SHELL, then the command",
        ),
        (
            {"container_depends_on": {"envoy": "START"}},
            "FargateServiceArgs.container_depends_on.envoy: 'envoy' is not a sidecar of the service; allowed: none",
        ),
        (
            {"sidecars": {"envoy": SidecarArgs(image="envoy")}, "container_depends_on": {"envoy": "HEALTHY"}},
            "FargateServiceArgs.container_depends_on.envoy: 'HEALTHY' is not possible without a container_health_check "
            "on 'envoy'; allowed: START, or give the sidecar a container_health_check",
        ),
        (
            {"sidecars": {"envoy": SidecarArgs(image="envoy")}, "container_depends_on": {"envoy": "COMPLETE"}},
            "FargateServiceArgs.container_depends_on.envoy: 'COMPLETE' is not possible on the essential sidecar "
            "'envoy'; allowed: START or HEALTHY, or make the sidecar not essential",
        ),
        (
            {"sidecars": {"envoy": SidecarArgs(image="envoy", secrets={"T": "token"})}},
            "FargateServiceArgs.sidecars.envoy.secrets.T: 'token' is not a secret reference; "
            "allowed: the ARN of an SSM parameter or the full ARN of a Secrets Manager secret",
        ),
        (
            {"volumes": {"data": efs("fs-1")}},
            "FargateServiceArgs.volumes.data.efs.file_system_id: 'fs-1' is not an EFS file system id; allowed: fs-<hex>",
        ),
        (
            {"volumes": {"data": efs(access_point_id=ACCESS_POINT, root_directory="/srv")}},
            "FargateServiceArgs.volumes.data.efs.root_directory: '/srv' is not a root directory with an access point; "
            "allowed: an absolute path; None or '/' with access_point_id (its path is mounted)",
        ),
        (
            {"volumes": {"data": efs(mount_path="data")}},
            "FargateServiceArgs.volumes.data.mount_path: 'data' is not a mount path; allowed: an absolute path other than '/'",
        ),
        (
            {"volumes": {"a": efs(), "b": efs(FS_CONFIG)}},
            "FargateServiceArgs.volumes: ['/data', '/data'] is not a set of distinct mount paths; allowed: one volume per path",
        ),
    ],
)
def test_what_ecs_would_refuse_is_refused_naming_the_arg(fields, message):
    with pytest.raises(ArgsError) as refused:
        args(**fields).validate("web")
    assert str(refused.value) == message


# --------------------------------------------------------------------------- ids as Outputs


@pytest.fixture(scope="module", params=[False, True], ids=["up", "preview"])
def efs_outputs(request):
    return run_scenario("efs_volumes", preview=request.param)


def test_the_grant_and_the_volumes_name_the_file_system_and_access_point_the_program_made(efs_outputs):
    file_system = efs_outputs.one("aws:efs/fileSystem:FileSystem", "shared")
    access_point = efs_outputs.one("aws:efs/accessPoint:AccessPoint", "uploads")
    grant = efs_outputs.one(ROLE_POLICY, "web-task-efs")
    task = efs_outputs.one(TASK_DEFINITION, "web")
    for resource, key in ((grant, "policy"), (task, "volumes")):
        assert set(resource.property_dependencies[key]) == {file_system.urn, access_point.urn}
    if efs_outputs.preview:  # ids unknown until created: so are the grant and the volumes' ids
        assert grant.inputs["policy"] is UNKNOWN
        return
    prefix = "arn:aws:elasticfilesystem:us-east-1:123456789012"
    uploads, shared = json.loads(grant.inputs["policy"])["Statement"]
    assert uploads["Resource"] == shared["Resource"] == f"{prefix}:file-system/{file_system.outputs['id']}"
    assert uploads["Condition"] == {
        "StringEquals": {"elasticfilesystem:AccessPointArn": f"{prefix}:access-point/{access_point.outputs['id']}"}
    }
    assert shared["Action"] == ["elasticfilesystem:ClientMount"]
    assert [v["efsVolumeConfiguration"]["fileSystemId"] for v in task.inputs["volumes"]] == [
        file_system.outputs["id"]
    ] * 2
    assert (
        task.inputs["volumes"][0]["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"]
        == (access_point.outputs["id"])
    )


def test_a_sidecar_given_as_args_is_waited_for_until_healthy(efs_outputs):
    main, agent = container_definitions(efs_outputs.one(TASK_DEFINITION, "web"))
    assert main["dependsOn"] == [{"containerName": "agent", "condition": "HEALTHY"}]
    assert agent["healthCheck"]["command"] == ["CMD-SHELL", "true"]
    assert agent["command"] == ["sh", "-c", "while true; do sleep 60; done"]


# --------------------------------------------------------------------------- the committed platform stack


def test_the_platform_stack_serves_its_efs_uploads_read_only_and_starts_the_api_after_its_migration(committed_stack):
    platform = committed_stack("platform", preview=False)
    web = part(platform, "web", TASK_DEFINITION)
    assert web.inputs["volumes"][0]["efsVolumeConfiguration"] == {
        "fileSystemId": "fs-0123456789abcdef0",
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "ENABLED"},
    }
    (statement,) = json.loads(part(platform, "web", ROLE_POLICY, "web-task-efs").inputs["policy"])["Statement"]
    assert statement["Action"] == ["elasticfilesystem:ClientMount"]
    assert statement["Resource"] == "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0"
    api, migrate = container_definitions(part(platform, "api", TASK_DEFINITION))
    assert api["dependsOn"] == [{"containerName": "migrate", "condition": "SUCCESS"}]
    assert (migrate["essential"], migrate["command"]) == (False, ["sh", "-c", "echo schema up to date"])


def test_the_task_definition_is_a_request_ecs_accepts(containers):
    """Containers, volumes and storage as RegisterTaskDefinition takes them (botocore's ECS model)."""
    task = part(containers, "web", TASK_DEFINITION)
    request = {
        "family": task.inputs["family"],
        "containerDefinitions": container_definitions(task),
        "volumes": task.inputs["volumes"],
        "ephemeralStorage": {"sizeInGiB": task.inputs["ephemeralStorage"]["sizeInGib"]},
    }
    shape = botocore.session.get_session().get_service_model("ecs").operation_model("RegisterTaskDefinition")
    report = ParamValidator().validate(request, shape.input_shape)
    assert not report.has_errors(), report.generate_report()
