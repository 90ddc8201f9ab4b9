"""The JSON documents of a service's task: its container definitions and its roles' policies.

Plain functions of the args (and of Outputs where a value is another
resource's), so each document can be read, and tested, apart from the
resources that carry it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional

import pulumi

from .aws_limits import Arn, ecr_repository_arn, secret_kind, secret_resource_arn
from .iam import policy, statement

if TYPE_CHECKING:
    from .container_args import ContainerHealthCheckArgs, VolumeArgs
    from .service_args import FargateServiceArgs, SidecarArgs

# What the SSM agent that ECS Exec runs in the container needs, and no more;
# these actions take no resource ARNs.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions
ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]

# Mount, and write unless the volume is read-only; ClientRootAccess is never granted.
# https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html
EFS_CLIENT_ACTIONS = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]

ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def exec_sessions_policy_document() -> str:
    """The task role's grant for ECS Exec sessions."""
    return json.dumps(policy(statement(sid="EcsExecSessions", actions=ECS_EXEC_ACTIONS, resources="*")))


def execution_policy_document(
    log_group_arn: pulumi.Input[str],
    built_repositories: Sequence[pulumi.Input[str]],
    images: Sequence[pulumi.Input[str]],
    secret_arns: Sequence[pulumi.Input[str]],
    kms_key_arn: Optional[pulumi.Input[str]] = None,
) -> pulumi.Output[str]:
    """The execution role's one inline policy: what ECS does on the task's behalf before
    and while it runs, each statement on exactly its resources, always in this order.

    - ``WriteLogs``: the awslogs driver creates a stream per container and puts events
      in it (``log-group:<name>:*``, the grant CDK's AwsLogDriver makes).
    - ``PullImages`` and ``GetEcrAuthorizationToken``, only with an image in ECR (the
      ``built_repositories``, or a private ECR image among ``images``): the layers of
      exactly those repositories, and the registry token, which IAM grants on ``*`` only.
    - ``ReadSsmParameters`` / ``ReadSecretsManagerSecrets``: exactly ``secret_arns``.
    - ``DecryptSecrets``, only with ``kms_key_arn``: that key, through SSM and
      Secrets Manager only (the AWS managed keys need no grant).

    Any of these may be Outputs (an image URI or secret ARN another resource
    makes); the document is then known once they are.
    """

    def document(values: list[Any]) -> str:
        log_group, built, referenced, secrets, kms_key = values
        repositories = [*built, *sorted({arn for image in referenced if (arn := ecr_repository_arn(image))})]
        parameters = sorted({arn for arn in secrets if secret_kind(arn) == "ssm"})
        secret_resources = sorted({secret_resource_arn(arn) for arn in secrets if secret_kind(arn) == "secretsmanager"})
        statements = [
            statement(
                sid="WriteLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=f"{log_group}:*"
            )
        ]
        if repositories:
            statements += [
                statement(sid="GetEcrAuthorizationToken", actions="ecr:GetAuthorizationToken", resources="*"),
                statement(sid="PullImages", actions=ECR_PULL_ACTIONS, resources=repositories),
            ]
        if parameters:
            statements.append(statement(sid="ReadSsmParameters", actions="ssm:GetParameters", resources=parameters))
        if secret_resources:
            statements.append(
                statement(
                    sid="ReadSecretsManagerSecrets", actions="secretsmanager:GetSecretValue", resources=secret_resources
                )
            )
        if kms_key is not None:
            statements.append(
                statement(
                    sid="DecryptSecrets",
                    actions="kms:Decrypt",
                    resources=kms_key,
                    condition={"StringEquals": {"kms:ViaService": _secrets_services(secrets)}},
                )
            )
        return json.dumps(policy(*statements))

    return pulumi.Output.all(
        log_group_arn,
        pulumi.Output.all(*built_repositories),
        pulumi.Output.all(*images),
        pulumi.Output.all(*secret_arns),
        kms_key_arn,
    ).apply(document)


def efs_policy_document(
    volumes: Mapping[str, VolumeArgs],
    partition: pulumi.Input[str],
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
) -> pulumi.Output[str]:
    """The task role's grant for its EFS volumes: one statement per volume,
    ``elasticfilesystem:ClientMount`` (and ``ClientWrite`` unless read-only) on exactly
    that file system's ARN, and, with an access point, only through that access point
    (``elasticfilesystem:AccessPointArn``). IAM authorization makes EFS check this
    grant on every mount."""

    def document(values: list[Any]) -> str:
        part, region_name, account, ids = values
        prefix = f"arn:{part}:elasticfilesystem:{region_name}:{account}"
        statements: list[dict[str, Any]] = []
        for (volume_name, volume), (file_system_id, access_point_id) in zip(volumes.items(), ids, strict=True):
            condition = (
                {"StringEquals": {"elasticfilesystem:AccessPointArn": f"{prefix}:access-point/{access_point_id}"}}
                if access_point_id is not None
                else None
            )
            # Sids are letters and digits, unique within the policy (volume names also allow - and _).
            sid = "MountEfs" + re.sub("[^A-Za-z0-9]", "", volume_name.title())
            if any(s["Sid"] == sid for s in statements):
                sid += str(len(statements))
            statements.append(
                statement(
                    sid=sid,
                    actions=EFS_CLIENT_ACTIONS[: 1 if volume.read_only else 2],
                    resources=f"{prefix}:file-system/{file_system_id}",
                    condition=condition,
                )
            )
        return json.dumps(policy(*statements))

    file_systems = [pulumi.Output.all(v.efs.file_system_id, v.efs.access_point_id) for v in volumes.values()]
    return pulumi.Output.all(partition, region, account_id, pulumi.Output.all(*file_systems)).apply(document)


def _secrets_services(secrets: Sequence[str]) -> list[str]:
    """The endpoints (``ssm.<region>.amazonaws.com``, ...) through which the secrets are
    read: where KMS sees the execution role's Decrypt calls come from."""
    return sorted({Arn.parse(arn).service_endpoint for arn in secrets})


def container_definitions(
    name: str,
    args: FargateServiceArgs,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    region: pulumi.Input[str],
) -> list[dict[str, Any]]:
    """The task's containers as ECS's RegisterTaskDefinition takes them.

    The main container is named after the service (the target group routes to
    it); sidecars follow. All log to the service's log group, one stream per
    container (ECS appends the container name to the prefix).
    """
    logging = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": name,
        },
    }
    main: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": args.container_port, "protocol": "tcp", **_port_name(name, args)}],
        "environment": _environment(args.environment),
        "readonlyRootFilesystem": args.readonly_root_filesystem,
        "logConfiguration": logging,
    }
    if args.secrets:
        main["secrets"] = _secrets(args.secrets)
    if args.user is not None:
        main["user"] = args.user
    main.update(_process(args.entry_point, args.command, args.container_health_check))
    if args.stop_timeout_seconds is not None:
        main["stopTimeout"] = args.stop_timeout_seconds
    if args.container_depends_on:
        main["dependsOn"] = [
            {"containerName": sidecar, "condition": condition}
            for sidecar, condition in args.container_depends_on.items()
        ]
    if args.volumes:
        main["mountPoints"] = [
            {"sourceVolume": volume_name, "containerPath": volume.mount_path, "readOnly": volume.read_only}
            for volume_name, volume in args.volumes.items()
        ]
    return [main] + [_sidecar(sidecar_name, sidecar, logging) for sidecar_name, sidecar in args.sidecars.items()]


def _process(
    entry_point: Optional[Sequence[str]],
    command: Optional[Sequence[str]],
    health_check: Optional[ContainerHealthCheckArgs],
) -> dict[str, Any]:
    """What a container runs instead of its image's ENTRYPOINT and CMD, and its Docker health check;
    only the keys that are set, so that a container without them is written as before."""
    definition: dict[str, Any] = {}
    if entry_point is not None:
        definition["entryPoint"] = list(entry_point)
    if command is not None:
        definition["command"] = list(command)
    if health_check is not None:
        definition["healthCheck"] = health_check.definition()
    return definition


def _port_name(name: str, args: FargateServiceArgs) -> dict[str, Any]:
    """Service Connect publishes a named port; without it the mapping is written as before."""
    connect = args.service_connect
    return {"name": name, "appProtocol": "http"} if connect is not None and connect.publish else {}


def _secrets(secrets: Mapping[str, pulumi.Input[str]]) -> list[dict[str, Any]]:
    return [{"name": key, "valueFrom": arn} for key, arn in sorted(secrets.items())]


def _sidecar(name: str, sidecar: SidecarArgs, logging: dict[str, Any]) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "image": sidecar.image,
        "essential": sidecar.essential,
        "cpu": sidecar.cpu,
        "portMappings": [{"containerPort": p.container_port, "protocol": p.protocol} for p in sidecar.port_mappings],
        "environment": _environment(sidecar.environment),
        "logConfiguration": logging,
    }
    if sidecar.memory is not None:
        definition["memory"] = sidecar.memory
    if sidecar.secrets:
        definition["secrets"] = _secrets(sidecar.secrets)
    definition.update(_process(None, sidecar.command, sidecar.container_health_check))
    return definition


def _environment(variables: Mapping[str, pulumi.Input[str]]) -> list[dict[str, Any]]:
    # Sorted, so reordering keys is not a new task definition revision.
    return [{"name": key, "value": value} for key, value in sorted(variables.items())]
