"""AWS's limits and grammars, written once for the stack config and the components.

Pure Python (no pulumi import), so the config package validates YAML against
the same values the components validate their args against. The policy pack
(``policies/fargate_policies``) installs on its own and keeps its own copies;
``tests/test_aws_limits.py`` holds those equal to these.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Optional

# --------------------------------------------------------------------------- tasks

# Task cpu units -> the task memory values (MiB) AWS accepts with it.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),  # needs platform 1.4.0+ (LATEST is)
    16384: tuple(range(32768, 122880 + 1, 8192)),  # needs platform 1.4.0+ (LATEST is)
}


def memory_ranges(memories: tuple[int, ...]) -> str:
    """A cpu's memory values as AWS's table words them: ``512, 1024, 2048`` or ``2048 to 8192 in steps of 1024``."""
    if len(memories) <= 4:
        return ", ".join(map(str, memories))
    return f"{memories[0]} to {memories[-1]} in steps of {memories[1] - memories[0]}"


# Docker platform -> the ECS runtime platform cpuArchitecture that runs it.
CPU_ARCHITECTURE = {"linux/amd64": "X86_64", "linux/arm64": "ARM64"}
# A task holds at most 10 containers: the main one and up to 9 sidecars.
MAX_CONTAINERS_PER_TASK = 10
MAX_SIDECARS = MAX_CONTAINERS_PER_TASK - 1
# The principal ECS tasks (and their execution) assume roles as.
ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"


def exec_possible(exec_command: bool, readonly_root_filesystem: bool) -> bool:
    """ECS Exec needs a writable root filesystem: its agent writes to the container's."""
    return not (exec_command and readonly_root_filesystem)


# What a container's start may wait for in another (dependsOn); COMPLETE and SUCCESS
# wait for it to exit, which ECS allows only on a container that is not essential.
DEPENDENCY_CONDITIONS = ("START", "HEALTHY", "COMPLETE", "SUCCESS")
EXIT_CONDITIONS = ("COMPLETE", "SUCCESS")
# A container health check's command: CMD runs an executable, CMD-SHELL a shell line.
HEALTH_CHECK_FORMS = ("CMD", "CMD-SHELL")
# EFS ids as the EFS API writes them; a task definition volume's name.
EFS_FILE_SYSTEM_ID = re.compile(r"^fs-[0-9a-f]{8,40}$")
EFS_ACCESS_POINT_ID = re.compile(r"^fsap-[0-9a-f]{8,40}$")
VOLUME_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")

# --------------------------------------------------------------------------- logs

# The values CloudWatch Logs' PutRetentionPolicy accepts (service logs and flow logs).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)  # fmt: skip

# --------------------------------------------------------------------------- ARNs

# The start of an ARN in any partition (aws, aws-cn, aws-us-gov) and region;
# ``REGIONAL_ARN.format(service="acm")``.
REGIONAL_ARN = r"arn:aws(?:-[a-z]+)*:{service}:[a-z]{{2}}(?:-[a-z]+)+-\d:\d{{12}}:"
SSM_PARAMETER_ARN = re.compile(
    "^" + REGIONAL_ARN.format(service="ssm") + r"parameter/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$"
)
# The secret's full ARN (name plus the 6 characters Secrets Manager appends), optionally
# followed by ECS's `:json-key:version-stage:version-id` selector. Group 1 is the secret
# itself, what IAM grants on; a partial ARN (without the suffix) would match no secret.
SECRETS_MANAGER_ARN = re.compile(
    "^(" + REGIONAL_ARN.format(service="secretsmanager") + r"secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6})"
    r"(?::[^:]*:[^:]*:[^:]*)?$"
)
# A private ECR image: <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>(:<tag>|@<digest>).
# Group 1 is the account, 2 the region, 3 the China suffix, 4 the repository.
ECR_IMAGE = re.compile(
    r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(\.cn)?/"
    r"([a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$"
)


@dataclass(frozen=True)
class Arn:
    """``arn:<partition>:<service>:<region>:<account>:<resource>``, split once."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, arn: str) -> Arn:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise ValueError(f"not an ARN: {arn!r}")
        return cls(*parts[1:])

    @property
    def service_endpoint(self) -> str:
        """The service's regional endpoint, e.g. ``ssm.us-east-1.amazonaws.com`` (``.cn`` in China)."""
        return f"{self.service}.{self.region}.amazonaws.com" + (".cn" if self.partition == "aws-cn" else "")


def secret_kind(value_from: object) -> Optional[str]:
    """``ssm`` or ``secretsmanager`` for a container secret's ``valueFrom``, else None."""
    if not isinstance(value_from, str):
        return None
    if SSM_PARAMETER_ARN.match(value_from):
        return "ssm"
    return "secretsmanager" if SECRETS_MANAGER_ARN.match(value_from) else None


def secret_resource_arn(value_from: str) -> str:
    """The ARN IAM grants on: a Secrets Manager ARN without ECS's ``:json-key:stage:version`` selector."""
    match = SECRETS_MANAGER_ARN.match(value_from)
    return match.group(1) if match else value_from


def ecr_repository_arn(image: Optional[str]) -> Optional[str]:
    """The ARN of the private ECR repository an image reference names, or None for any other registry."""
    match = ECR_IMAGE.match(image or "")
    if match is None:
        return None
    account, region, china, repository = match.groups()
    partition = "aws-cn" if china else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    return f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"


# --------------------------------------------------------------------------- a new VPC's subnets

# A new VPC is split into 16 equal blocks: public subnets take blocks 0-5, private
# 8-13, so adding an AZ never renumbers existing subnets. /16-/22 keeps every
# subnet at least /26, above the ALB's /27 minimum.
VPC_PREFIX_LENGTHS = range(16, 22 + 1)
AVAILABILITY_ZONES = range(2, 6 + 1)  # two is the ALB's minimum
_SUBNET_SPLIT = 4  # 2**4 = 16 blocks
_FIRST_PRIVATE_BLOCK = 8


def subnet_cidrs(cidr_block: str, availability_zones: int) -> tuple[list[str], list[str]]:
    """(public, private) CIDR blocks of a new VPC, one of each per AZ."""
    blocks = [str(b) for b in ipaddress.IPv4Network(cidr_block).subnets(prefixlen_diff=_SUBNET_SPLIT)]
    return blocks[:availability_zones], blocks[_FIRST_PRIVATE_BLOCK : _FIRST_PRIVATE_BLOCK + availability_zones]
