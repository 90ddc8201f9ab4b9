"""components/aws_limits.py is the one home of AWS's limits for the config and the components;
the policy pack installs on its own and keeps copies, held equal here."""

from __future__ import annotations

import pytest

from components import aws_limits
from components.aws_limits import Arn, exec_possible, secret_kind, secret_resource_arn, subnet_cidrs
from policies.fargate_policies import ecs as pack_ecs
from policies.fargate_policies import iam as pack_iam

SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/db"
SECRET = "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:db-Ab12Cd"


@pytest.mark.parametrize(
    ("shared", "pack"),
    [
        (aws_limits.FARGATE_TASK_SIZES, pack_ecs.FARGATE_TASK_SIZES),
        (aws_limits.MAX_CONTAINERS_PER_TASK, pack_ecs.MAX_CONTAINERS_PER_TASK),
        (aws_limits.ECS_TASKS_PRINCIPAL, pack_iam.ECS_TASKS_PRINCIPAL),
    ],
    ids=["task sizes", "containers per task", "ecs tasks principal"],
)
def test_the_packs_copies_equal_the_shared_limits(shared, pack):
    assert pack == shared


def test_a_task_holds_the_main_container_and_at_most_nine_sidecars():
    assert aws_limits.MAX_SIDECARS + 1 == aws_limits.MAX_CONTAINERS_PER_TASK == 10


def test_ecs_exec_needs_a_writable_root_filesystem():
    assert exec_possible(exec_command=True, readonly_root_filesystem=False)
    assert exec_possible(exec_command=False, readonly_root_filesystem=True)
    assert not exec_possible(exec_command=True, readonly_root_filesystem=True)


def test_secret_references_are_told_apart_and_granted_on_the_secret_itself():
    assert secret_kind(SSM) == "ssm"
    assert secret_kind(SECRET + ":password:AWSCURRENT:") == "secretsmanager"
    assert secret_kind("/app/db/password") is None
    assert secret_resource_arn(SECRET + ":password::") == SECRET


def test_an_arn_names_the_endpoint_its_service_is_called_through():
    assert Arn.parse(SSM).service_endpoint == "ssm.us-east-1.amazonaws.com"
    assert Arn.parse(SECRET + ":password::").service_endpoint == "secretsmanager.cn-north-1.amazonaws.com.cn"
    with pytest.raises(ValueError, match="not an ARN"):
        Arn.parse("/app/db/password")


def test_a_new_vpcs_subnets_keep_their_blocks_when_an_az_is_added():
    public2, private2 = subnet_cidrs("10.0.0.0/16", 2)
    public3, private3 = subnet_cidrs("10.0.0.0/16", 3)
    assert (public2, private2) == (["10.0.0.0/20", "10.0.16.0/20"], ["10.0.128.0/20", "10.0.144.0/20"])
    assert public3[:2] == public2 and private3[:2] == private2


def test_the_endpoints_the_pack_asks_of_private_tasks_are_ones_vpc_endpoints_always_builds():
    from components.endpoints import interface_services
    from policies.fargate_policies.network import IMAGE_PULL_ENDPOINTS

    always_built = {"s3", *interface_services(include_secrets=False, include_exec=False)}
    assert set(IMAGE_PULL_ENDPOINTS) <= always_built
