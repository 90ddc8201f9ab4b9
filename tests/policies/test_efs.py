"""fargate_policies/efs.py: how task definitions mount EFS, judged in an `up` and in a preview
(where the file system's id is not known yet), and the components' own volumes keep both rules."""

import pytest

from preflight import run

from .conftest import MODES, PACK, ROOT, messages


@pytest.mark.parametrize("preview", MODES)
def test_each_volume_is_named_with_what_it_lacks(judge, preview):
    result = judge("violating", "test", preview=preview)
    file_system = (
        "known once created" if preview else result.one("aws:efs/fileSystem:FileSystem", "shared").outputs["id"]
    )
    assert messages(result, "ecs-efs-transit-encryption")["TaskDefinition:efs"] == [
        f"Volume 'plain' (EFS {file_system}) does not set transitEncryption: ENABLED; "
        "its NFS traffic crosses the VPC unencrypted."
    ]
    assert messages(result, "ecs-efs-iam-authorization")["TaskDefinition:efs"] == [
        f"Volume {volume!r} (EFS {file_system}) does not set authorizationConfig.iam: ENABLED; "
        "EFS cannot check who mounts it."
        for volume in ("plain", "anonymous")
    ]


@pytest.mark.parametrize("preview", MODES)
def test_task_definitions_without_efs_volumes_are_not_judged(judge, preview):
    result = judge("violating", "test", preview=preview)
    for policy in ("ecs-efs-transit-encryption", "ecs-efs-iam-authorization"):
        assert set(messages(result, policy)) == {"TaskDefinition:efs"}


@pytest.mark.parametrize("preview", MODES)
def test_the_components_volumes_keep_both_rules(analyzer, preview):
    volumes = {
        "data": {
            "efs": {"fileSystemId": "fs-0123456789abcdef0", "accessPointId": "fsap-0123456789abcdef0"},
            "mountPath": "/data",
        },
        "config": {"efs": {"fileSystemId": "fs-0fedcba9876543210"}, "mountPath": "/etc/app", "readOnly": True},
    }
    result = run(
        ROOT,
        "efs",
        preview=preview,
        policy_pack=PACK,
        analyzer=analyzer,
        stack_config={
            "aws:region": "us-east-1",
            "fargate:services": {"web": {"image": "public.ecr.aws/nginx/nginx:stable", "volumes": volumes}},
        },
    )
    assert len(result.one("aws:ecs/taskDefinition:TaskDefinition", "web").inputs["volumes"]) == 2
    assert [v for v in result.violations if v.policy.startswith("ecs-efs-")] == []
    assert not [v for v in result.violations if v.enforcement_level == "mandatory"]
