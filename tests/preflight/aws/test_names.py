"""preflight/aws/names.py: ids and names shaped like AWS's, the default VPC, auto-names."""

import ipaddress
import re

import pytest

from preflight.aws import DEFAULT_VPC_CIDR, alb_zone_id, check, default_subnets, default_vpc_id, zone_id, zones
from preflight.errors import OfflineGap


def test_autonames_are_stable_across_runs_and_modes(nested, nested_preview):
    assert nested.one("aws:iam/role:Role").inputs["name"] == nested_preview.one("aws:iam/role:Role").inputs["name"]
    # Pulumi's suffix is random: the report marks the made-up one as simulated.
    assert "name" in nested.one("aws:iam/role:Role").simulated


def test_the_default_vpc_has_one_subnet_per_zone_inside_its_cidr():
    for region in ("us-east-1", "eu-west-1", "ap-northeast-1"):
        subnets = default_subnets(region)
        assert [s["availabilityZone"] for s in subnets] == zones(region)
        assert {s["vpcId"] for s in subnets} == {default_vpc_id(region)}
        blocks = [ipaddress.IPv4Network(s["cidrBlock"]) for s in subnets]
        assert all(block.subnet_of(ipaddress.IPv4Network(DEFAULT_VPC_CIDR)) for block in blocks)
        assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])
        assert all(s["availabilityZoneId"] == zone_id(region, s["availabilityZone"]) for s in subnets)
        assert all(re.fullmatch(r"subnet-[0-9a-f]{17}", s["id"]) for s in subnets)
    # Regions are accounts' own: no two share a default VPC or a subnet id.
    assert default_vpc_id("us-east-1") != default_vpc_id("eu-west-1")
    assert not {s["id"] for s in default_subnets("us-east-1")} & {s["id"] for s in default_subnets("eu-west-1")}


def test_albs_report_their_regions_route53_zone():
    # AWS's published hosted zone ids of the ALBs of two regions.
    assert (alb_zone_id("us-east-1"), alb_zone_id("eu-west-1")) == ("Z35SXDOTRQ7X7K", "Z32O12XQLNTSW2")


def test_check_adds_an_auto_name_only_where_the_program_gave_none():
    urn = "urn:pulumi:dev::p::aws:iam/role:Role::web-task"
    added = check("aws:iam/role:Role", "web-task", urn, {})
    assert re.fullmatch(r"web-task-[0-9a-f]{7}", added["name"]) and added["path"] == "/"
    assert "name" not in check("aws:iam/role:Role", "web-task", urn, {"name": "mine"})
    assert "name" not in check("aws:iam/role:Role", "web-task", urn, {"namePrefix": "web-"})
    # S3 bucket names are lower case: the auto-name is too.
    assert check("aws:s3/bucketV2:BucketV2", "Logs", urn, {})["bucket"].startswith("logs-")


def test_an_auto_name_longer_than_the_resources_limit_fails_naming_the_fix():
    with pytest.raises(OfflineGap, match=r"longer than maximum length 32; give it a shorter name or set `name`"):
        check("aws:lb/targetGroup:TargetGroup", "a-target-group-name-of-30-chars", "urn:x", {})
