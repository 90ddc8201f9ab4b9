"""Container config beyond the image (``fargate:services.<name>`` and its sidecars): the command,
the container health check, secrets, start order and EFS volumes.

ECS's ranges are stated once, on the fields; the rules that span fields (a
``dependsOn`` naming a sidecar, an access point with a root directory) report the
key they are about, e.g. ``fargate:services.web.dependsOn.envoy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Optional

from pydantic import Field, field_validator, model_validator

from ..aws_limits import (
    EFS_ACCESS_POINT_ID,
    EFS_FILE_SYSTEM_ID,
    EXIT_CONDITIONS,
    HEALTH_CHECK_FORMS,
    VOLUME_NAME,
    secret_kind,
)
from .base import ConfigModel, errors_at, usable

if TYPE_CHECKING:
    from .service import ServiceConfig

# The conditions as YAML takes them (aws_limits.DEPENDENCY_CONDITIONS).
DependencyCondition = Literal["START", "HEALTHY", "COMPLETE", "SUCCESS"]
Problems = list[tuple[tuple, Any, Optional[str]]]


def check_secret_arns(cls: Any, value: dict[str, str]) -> dict[str, str]:
    """``secrets`` values (of the main container or a sidecar): SSM parameter or Secrets Manager ARNs."""
    errors_at(
        "secrets",
        [
            (
                (name,),
                arn,
                "the ARN of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>) "
                "or the full ARN of a Secrets Manager secret "
                "(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>)",
            )
            for name, arn in value.items()
            if secret_kind(arn) is None
        ],
    )
    return value


def check_command(cls: Any, value: Optional[tuple[str, ...]]) -> Optional[tuple[str, ...]]:
    """``command`` and ``entryPoint``: the arguments Docker runs, none empty."""
    if value is not None and (not value or not all(value)):
        raise ValueError("a list of one or more non-empty strings, e.g. [gunicorn, app:app]")
    return value


class ContainerHealthCheckConfig(ConfigModel):
    # ECS's own check inside the container (Docker HEALTHCHECK), apart from the
    # target group's: what `dependsOn: HEALTHY` waits for.
    command: tuple[str, ...] = Field(
        min_length=2,
        description="the check Docker runs in the container: `[CMD-SHELL, curl -f http://localhost/ || exit 1]` or `[CMD, <executable>, <args>…]`; exit 0 is healthy",
        json_schema_extra={"yamlType": "list of strings starting with `CMD` or `CMD-SHELL`"},
    )
    interval_seconds: int = Field(30, ge=5, le=300, description="seconds between checks (ECS's default)")
    timeout_seconds: int = Field(5, ge=2, le=60, description="seconds a check may take before it fails (ECS's default)")
    retries: int = Field(
        3, ge=1, le=10, description="failures in a row before the container is unhealthy (ECS's default)"
    )
    # No grace: a container that needs time to start sets it.
    start_period_seconds: int = Field(
        0, ge=0, le=300, description="seconds after start during which failed checks do not count"
    )

    @field_validator("command")
    @classmethod
    def _command(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if value[0] not in HEALTH_CHECK_FORMS or not all(value[1:]):
            raise ValueError(
                "CMD or CMD-SHELL, then the command (e.g. [CMD-SHELL, curl -f http://localhost/ || exit 1])"
            )
        return value


class EfsConfig(ConfigModel):
    file_system_id: str = Field(
        description="the EFS file system; its mount targets must admit the service's security group on NFS (2049)",
        json_schema_extra={"yamlType": "`fs-…`"},
    )
    # None: the task mounts the file system as its root directory allows.
    access_point_id: Optional[str] = Field(
        None,
        description="an access point of that file system: its path and POSIX user; the task role may mount through it only",
        json_schema_extra={"yamlType": "`fsap-…`"},
    )
    # None: the file system's root ("/"), or the access point's path.
    root_directory: Optional[str] = Field(
        None,
        description="the directory mounted; not with `accessPointId`, whose path applies (ECS's rule)",
        json_schema_extra={"yamlType": "absolute path", "yamlDefault": "`/`"},
    )

    @field_validator("file_system_id")
    @classmethod
    def _file_system_id(cls, value: str) -> str:
        if not EFS_FILE_SYSTEM_ID.match(value):
            raise ValueError("an EFS file system id such as fs-0123456789abcdef0")
        return value

    @field_validator("access_point_id")
    @classmethod
    def _access_point_id(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not EFS_ACCESS_POINT_ID.match(value):
            raise ValueError("an EFS access point id such as fsap-0123456789abcdef0")
        return value

    @field_validator("root_directory")
    @classmethod
    def _root_directory(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and (not value.startswith("/") or any(c.isspace() for c in value)):
            raise ValueError("an absolute path such as /data (no spaces)")
        return value

    @model_validator(mode="after")
    def _root_directory_or_access_point(self) -> EfsConfig:
        if self.access_point_id is not None and self.root_directory not in (None, "/"):
            errors_at(
                "efs",
                [
                    (
                        ("rootDirectory",),
                        self.root_directory,
                        "unset (or '/') with accessPointId: the access point's path is mounted (ECS's rule)",
                    )
                ],
            )
        return self


class VolumeConfig(ConfigModel):
    efs: EfsConfig
    mount_path: str = Field(
        description="where the main container sees the volume", json_schema_extra={"yamlType": "absolute path"}
    )
    # Writable: a shared volume is most often there to be written. `true` also
    # leaves elasticfilesystem:ClientWrite out of the task role's grant.
    read_only: bool = Field(
        False, description="mount read-only; the task role then may mount but not write (no `ClientWrite`)"
    )

    @field_validator("mount_path")
    @classmethod
    def _mount_path(cls, value: str) -> str:
        if not value.startswith("/") or value == "/" or any(c.isspace() for c in value):
            raise ValueError("an absolute path other than / such as /mnt/data (no spaces)")
        return value


def container_problems(service: ServiceConfig) -> Problems:
    """The rules between the main container and its sidecars and volumes."""
    problems: Problems = []
    for sidecar_name, condition in service.depends_on.items() if usable("sidecars", "depends_on") else ():
        sidecar = service.sidecars.get(sidecar_name)
        if sidecar is None:
            known = ", ".join(service.sidecars) or "none"
            problems.append((("dependsOn", sidecar_name), sidecar_name, f"a sidecar of this service ({known})"))
        elif condition == "HEALTHY" and sidecar.container_health_check is None:
            problems.append(
                (
                    ("dependsOn", sidecar_name),
                    condition,
                    f"START, or give sidecars.{sidecar_name} a containerHealthCheck (HEALTHY waits for it)",
                )
            )
        elif condition in EXIT_CONDITIONS and sidecar.essential:
            problems.append(
                (
                    ("dependsOn", sidecar_name),
                    condition,
                    f"START or HEALTHY, or set sidecars.{sidecar_name}.essential to false "
                    "(ECS waits for an exit only on a container that is not essential)",
                )
            )
    seen: dict[str, str] = {}
    for volume_name, volume in service.volumes.items():
        if not VOLUME_NAME.match(volume_name):
            problems.append(
                (("volumes", volume_name), volume_name, "a volume name: up to 255 letters, digits, '_' and '-'")
            )
        owner = seen.setdefault(volume.mount_path, volume_name)
        if owner != volume_name:
            problems.append(
                (("volumes", volume_name, "mountPath"), volume.mount_path, f"a path not also used by volumes.{owner}")
            )
    for sidecar_name, sidecar in service.sidecars.items():
        problems += [
            (
                ("sidecars", sidecar_name, "secrets", key),
                key,
                "a name not also in environment (the container would get it twice)",
            )
            for key in sorted(sidecar.secrets.keys() & sidecar.environment.keys())
        ]
    return problems
