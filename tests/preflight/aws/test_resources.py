"""preflight/aws/resources.py: the ids and outputs AWS computes for created resources."""

import re

import pytest

from preflight import UNKNOWN, run

from ..conftest import FARGATE


def test_ids_and_arns_look_like_aws(nested):
    vpc = nested.one("aws:ec2/vpc:Vpc")
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc.id)
    assert vpc.outputs["arn"] == f"arn:aws:ec2:eu-west-1:123456789012:vpc/{vpc.id}"
    role = nested.one("aws:iam/role:Role")
    assert re.fullmatch(r"task-[0-9a-f]{7}", role.inputs["name"])
    assert role.outputs["arn"] == f"arn:aws:iam::123456789012:role/{role.inputs['name']}"
    repository = nested.one("aws:ecr/repository:Repository")
    assert repository.outputs["repositoryUrl"].startswith("123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo-")
    assert nested.outputs["account"] == "123456789012"
    # As a bridged provider's state does: stack policies match resources by these ids.
    assert vpc.outputs["id"] == vpc.id


def test_gateway_endpoints_name_the_region_s_prefix_list(nested, nested_preview):
    endpoint = nested.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert re.fullmatch(r"vpce-[0-9a-f]{17}", endpoint.id)
    assert re.fullmatch(r"pl-[0-9a-f]{8}", endpoint.outputs["prefixListId"])
    assert nested_preview.one("aws:ec2/vpcEndpoint:VpcEndpoint").outputs["prefixListId"] is UNKNOWN


def test_fargate_example_outputs_look_like_aws():
    result = run(FARGATE, "example", policy_pack=None)
    lb = result.one("aws:lb/loadBalancer:LoadBalancer")
    name = lb.inputs["name"]
    assert re.fullmatch(r"app-lb-[0-9a-f]{7}", name)
    assert re.fullmatch(rf"{name}-\d{{10}}\.us-west-2\.elb\.amazonaws\.com", lb.outputs["dnsName"])
    assert lb.outputs["arnSuffix"] == lb.outputs["arn"].split(":loadbalancer/")[1]
    assert result.outputs["url"] == "http://" + lb.outputs["dnsName"]
    target_group = result.one("aws:lb/targetGroup:TargetGroup")
    assert target_group.outputs["arnSuffix"].startswith("targetgroup/app-tg-")
    listener = result.one("aws:lb/listener:Listener")
    assert listener.outputs["arn"].startswith(lb.outputs["arn"].replace(":loadbalancer/", ":listener/"))
    cluster = result.one("aws:ecs/cluster:Cluster")
    service = result.one("aws:ecs/service:Service")
    assert service.id == f"arn:aws:ecs:us-west-2:123456789012:service/{cluster.inputs['name']}/{service.inputs['name']}"
    subnets = service.inputs["networkConfiguration"]["subnets"]
    assert len(subnets) == 4 and all(s.startswith("subnet-") for s in subnets)  # us-west-2 has 4 zones


def test_an_auto_scaling_group_s_tag_list_leaves_tags_all_to_the_default_tags():
    """An Auto Scaling group's `tags` are a list of {key, value, propagateAtLaunch}, not a map."""
    from preflight.aws import create

    created = create(
        "aws:autoscaling/group:Group",
        "urn:pulumi:dev::p::aws:autoscaling/group:Group::hosts",
        {"maxSize": 2, "minSize": 1, "tags": [{"key": "AmazonECSManaged", "value": "true", "propagateAtLaunch": True}]},
        "us-east-1",
        {"tags": {"team": "web"}},
    )
    assert created.outputs["tagsAll"] == {"team": "web"}


def test_a_dns_validated_certificate_asks_one_record_per_name_a_wildcard_sharing_its_apexs():
    from preflight.aws import create

    created = create(
        "aws:acm/certificate:Certificate",
        "urn:pulumi:dev::p::aws:acm/certificate:Certificate::c",
        {"domainName": "example.com", "subjectAlternativeNames": ["*.example.com", "www.example.com"]},
        "us-east-1",
    )
    assert re.fullmatch(r"arn:aws:acm:us-east-1:123456789012:certificate/[0-9a-f-]{36}", created.id)
    options = {o["domainName"]: o for o in created.outputs["domainValidationOptions"]}
    assert list(options) == ["example.com", "*.example.com", "www.example.com"]
    record = {k: v for k, v in options["example.com"].items() if k != "domainName"}
    assert {k: v for k, v in options["*.example.com"].items() if k != "domainName"} == record
    assert record["resourceRecordType"] == "CNAME" and record["resourceRecordName"].endswith(".example.com.")
    assert options["www.example.com"]["resourceRecordName"].endswith(".www.example.com.")
    assert options["www.example.com"]["resourceRecordName"] != record["resourceRecordName"]


@pytest.mark.parametrize("placeholder", ["unknown", "preflight-unknown-4f1d"])
def test_every_aws_stand_in_takes_unknown_inputs(placeholder):
    """Every input an unknown (the placeholder the recorder passes for it, in a preview and after
    an update): each stand-in answers, and what it computed from a placeholder carries it, so the
    recorder can leave it unknown."""
    from preflight import schema
    from preflight.aws import create
    from preflight.aws.resources import handled

    for type_token in sorted(handled()):
        inputs = {name: placeholder for name in schema.input_names(type_token)}
        created = create(type_token, f"urn:pulumi:dev::p::{type_token}::r", inputs, "us-east-1")
        assert created.id, type_token


def test_an_efs_file_system_and_access_point_have_the_ids_and_arns_efs_gives():
    """fs-/fsap- ids, ARNs of the elasticfilesystem service, an access point naming its file system."""
    from preflight.aws import create

    file_system = create(
        "aws:efs/fileSystem:FileSystem", "urn:pulumi:dev::p::aws:efs/fileSystem:FileSystem::data", {}, "eu-west-1"
    )
    assert re.fullmatch(r"fs-[0-9a-f]{17}", file_system.id)
    assert (
        file_system.outputs["arn"] == f"arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/{file_system.id}"
    )
    access_point = create(
        "aws:efs/accessPoint:AccessPoint",
        "urn:pulumi:dev::p::aws:efs/accessPoint:AccessPoint::data",
        {"fileSystemId": file_system.id},
        "eu-west-1",
    )
    assert re.fullmatch(r"fsap-[0-9a-f]{17}", access_point.id)
    assert access_point.outputs["arn"].endswith(f":access-point/{access_point.id}")
    assert access_point.outputs["fileSystemArn"] == file_system.outputs["arn"]
