"""EFS rules: how a task definition mounts an EFS file system."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from . import _types as T
from ._policy import ADVISORY, MANDATORY, MEDIUM, ReportViolation, Rule
from ._props import get, get_list


def _efs_volumes(args: ResourceValidationArgs) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(a name for the volume, its efsVolumeConfiguration) for each EFS volume of the task definition."""
    for index, volume in enumerate(get_list(args.props, "volumes")):
        config = get(volume, "efsVolumeConfiguration")
        if isinstance(config, Mapping):
            yield f"{get(volume, 'name', default=f'#{index}')!r} (EFS {_file_system(config)})", config


def _file_system(config: Mapping[str, Any]) -> str:
    """The file system's id, which a preview may not know yet (it is made in the same program)."""
    try:
        return str(get(config, "fileSystemId", default="?"))
    except UnknownValueError:
        return "known once created"


def ecs_efs_transit_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """EFS volumes of task definitions are mounted with transit encryption (`transitEncryption: ENABLED`).

    Prevents: the task's file reads and writes crossing the VPC to the file system's mount
    targets as plain NFS, readable by anything on the path; and the IAM authorization that
    needs it being impossible.

    Mirrors: AWS Config ecs-task-definition-efs-encryption-enabled; Checkov CKV_AWS_97.

    Fix: set `efsVolumeConfiguration.transitEncryption: ENABLED` on each EFS volume (the
    components always do); the file system's mount targets must admit the tasks on 2049.
    """
    for volume, config in _efs_volumes(args):
        if get(config, "transitEncryption") != "ENABLED":
            report_violation(
                f"Volume {volume} does not set transitEncryption: ENABLED; its NFS traffic crosses the VPC unencrypted."
            )


def ecs_efs_iam_authorization(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """EFS volumes of task definitions are mounted as the task role (`authorizationConfig.iam: ENABLED`).

    Prevents: a mount EFS cannot tell from any other client in the network, so the file
    system's policy and the task role's `elasticfilesystem:Client*` grants cannot decide
    who may mount or write it.

    Mirrors: none (Checkov CKV_AWS_97 and AWS Config ecs-task-definition-efs-encryption-enabled
    judge transit encryption only).

    Fix: set `efsVolumeConfiguration.authorizationConfig.iam: ENABLED` (with transit encryption,
    which it needs) and grant the task role `elasticfilesystem:ClientMount` (and `ClientWrite`)
    on the file system's ARN.
    """
    for volume, config in _efs_volumes(args):
        if get(config, "authorizationConfig", "iam") != "ENABLED":
            report_violation(
                f"Volume {volume} does not set authorizationConfig.iam: ENABLED; EFS cannot check who mounts it."
            )


RULES = [
    Rule("ecs-efs-transit-encryption", MANDATORY, ecs_efs_transit_encryption, T.ECS_TASK_DEFINITION, severity=MEDIUM),
    Rule("ecs-efs-iam-authorization", ADVISORY, ecs_efs_iam_authorization, T.ECS_TASK_DEFINITION, severity=MEDIUM),
]
