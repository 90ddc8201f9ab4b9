"""The Fargate size table exists twice (components/aws_limits.py and the policy pack, which
must run without this package); both must equal AWS's table as the docs state it."""

from components.aws_limits import FARGATE_TASK_SIZES as COMPONENT_SIZES
from policies.fargate_policies.ecs import FARGATE_TASK_SIZES as PACK_SIZES

GIB = 1024

# Typed from the "Task CPU and memory" table of the ECS developer guide, in its
# own words: vCPU -> memory in GB, "in 1-GB increments" and so on.
AWS_DOCUMENTED: dict[float, list[float]] = {
    0.25: [0.5, 1, 2],
    0.5: list(range(1, 4 + 1)),
    1: list(range(2, 8 + 1)),
    2: list(range(4, 16 + 1)),
    4: list(range(8, 30 + 1)),
    8: list(range(16, 60 + 1, 4)),
    16: list(range(32, 120 + 1, 8)),
}
EXPECTED = {int(vcpu * 1024): tuple(int(gb * GIB) for gb in memory) for vcpu, memory in AWS_DOCUMENTED.items()}


def test_component_table_is_aws_table():
    assert COMPONENT_SIZES == EXPECTED


def test_pack_table_is_aws_table():
    assert PACK_SIZES == EXPECTED
