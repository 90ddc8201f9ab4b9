"""Args of a container beyond its image: its Docker health check and the EFS volumes of the task.

Each default is stated next to its field; ``validate`` judges plain values with
one error naming the arg (an Output, e.g. the id of a file system the same
program creates, is AWS's to judge once known).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Optional

import pulumi

from .aws_limits import (
    DEPENDENCY_CONDITIONS,
    EFS_ACCESS_POINT_ID,
    EFS_FILE_SYSTEM_ID,
    EXIT_CONDITIONS,
    HEALTH_CHECK_FORMS,
)
from .validation import check, check_one_of, check_range, is_plain

DependencyCondition = Literal["START", "HEALTHY", "COMPLETE", "SUCCESS"]


@dataclass(kw_only=True)
class ContainerHealthCheckArgs:
    """A Docker health check inside the container (ECS's ``healthCheck``), apart from the target group's."""

    # ["CMD-SHELL", "curl -f http://localhost/ || exit 1"] or ["CMD", executable, args...].
    command: Sequence[str]
    # ECS's defaults: every 30 s, 5 s per check, unhealthy after 3 failures in a row.
    interval_seconds: int = 30
    timeout_seconds: int = 5
    retries: int = 3
    # No grace period: a container that needs time to start sets one.
    start_period_seconds: int = 0

    def validate(self, owner: str) -> None:
        command = list(self.command)
        check(
            f"{owner}.command",
            command,
            len(command) >= 2 and command[0] in HEALTH_CHECK_FORMS and all(command[1:]),
            "a health check command",
            "CMD or CMD-SHELL, then the command",
        )
        check_range(f"{owner}.interval_seconds", self.interval_seconds, 5, 300, "a check interval")
        check_range(f"{owner}.timeout_seconds", self.timeout_seconds, 2, 60, "a check timeout")
        check_range(f"{owner}.retries", self.retries, 1, 10, "a number of retries")
        check_range(f"{owner}.start_period_seconds", self.start_period_seconds, 0, 300, "a start period")

    def definition(self) -> dict[str, object]:
        """The container definition's ``healthCheck``."""
        return {
            "command": list(self.command),
            "interval": self.interval_seconds,
            "timeout": self.timeout_seconds,
            "retries": self.retries,
            "startPeriod": self.start_period_seconds,
        }


@dataclass(kw_only=True)
class EfsVolumeArgs:
    """An EFS file system, always mounted with transit encryption and IAM authorization (the task role's)."""

    # The file system (an id, or the Output of an aws.efs.FileSystem); its mount
    # targets must admit the service's security group on NFS (2049).
    file_system_id: pulumi.Input[str]
    # None: no access point; the task role's grant then holds for any client of the file system.
    access_point_id: Optional[pulumi.Input[str]] = None
    # None: the file system's root, or the access point's path (the only one allowed with it).
    root_directory: Optional[str] = None

    def validate(self, owner: str) -> None:
        check(
            f"{owner}.file_system_id",
            self.file_system_id,
            isinstance(self.file_system_id, str) and bool(EFS_FILE_SYSTEM_ID.match(self.file_system_id)),
            "an EFS file system id",
            "fs-<hex>",
        )
        if self.access_point_id is not None:
            check(
                f"{owner}.access_point_id",
                self.access_point_id,
                isinstance(self.access_point_id, str) and bool(EFS_ACCESS_POINT_ID.match(self.access_point_id)),
                "an EFS access point id",
                "fsap-<hex>",
            )
        if self.root_directory is not None:
            check(
                f"{owner}.root_directory",
                self.root_directory,
                self.root_directory.startswith("/") and (self.access_point_id is None or self.root_directory == "/"),
                "a root directory" + ("" if self.access_point_id is None else " with an access point"),
                "an absolute path; None or '/' with access_point_id (its path is mounted)",
            )


@dataclass(kw_only=True)
class VolumeArgs:
    """A task volume mounted in the main container."""

    efs: EfsVolumeArgs
    # Where the main container sees it.
    mount_path: str
    # Writable; True also leaves elasticfilesystem:ClientWrite out of the task role's grant.
    read_only: bool = False

    def validate(self, owner: str) -> None:
        self.efs.validate(f"{owner}.efs")
        check(
            f"{owner}.mount_path",
            self.mount_path,
            self.mount_path.startswith("/") and self.mount_path != "/",
            "a mount path",
            "an absolute path other than '/'",
        )


def validate_container_order(
    owner: str,
    depends_on: Mapping[str, str],
    health_checks: Mapping[str, Optional[ContainerHealthCheckArgs]],
    essential: Mapping[str, bool],
) -> None:
    """``depends_on`` (sidecar -> condition) names sidecars, and each condition is one ECS can wait for."""
    for name, condition in depends_on.items():
        arg = f"{owner}.{name}"
        check(arg, name, name in health_checks, "a sidecar of the service", ", ".join(health_checks) or "none")
        check_one_of(arg, condition, DEPENDENCY_CONDITIONS, "a start condition")
        check(
            arg,
            condition,
            condition != "HEALTHY" or health_checks[name] is not None,
            f"possible without a container_health_check on {name!r}",
            "START, or give the sidecar a container_health_check",
        )
        check(
            arg,
            condition,
            condition not in EXIT_CONDITIONS or not essential[name],
            f"possible on the essential sidecar {name!r}",
            "START or HEALTHY, or make the sidecar not essential",
        )


def validate_volumes(owner: str, volumes: Mapping[str, VolumeArgs]) -> None:
    paths = [volume.mount_path for volume in volumes.values() if is_plain(volume.mount_path)]
    check(owner, paths, len(paths) == len(set(paths)), "a set of distinct mount paths", "one volume per path")
    for name, volume in volumes.items():
        volume.validate(f"{owner}.{name}")
