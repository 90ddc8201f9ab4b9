"""NetworkConfig: the VPC's source and shape, existing VPC ids, flow logs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.aws_limits import subnet_cidrs

from .conftest import PRIVATE, SUBNETS, TABLES, error, existing, parse


def test_subnet_blocks_leave_room_for_every_az():
    # The smallest VPC and the most AZs the config takes, cut as a new VPC's subnets are.
    network = parse(network={"cidrBlock": "10.1.0.0/22", "availabilityZones": 6}).network
    public, private = subnet_cidrs(network.cidr_block, network.availability_zones)
    assert public == [f"10.1.{i // 4}.{i % 4 * 64}/26" for i in range(6)]
    assert private[0] == "10.1.2.0/26" and len(set(public + private)) == 12


@given(zones=st.integers(-3, 12))
def test_availability_zone_count_range(zones):
    if 2 <= zones <= 6:
        assert parse(network={"availabilityZones": zones}).network.availability_zones == zones
    else:
        assert error(network={"availabilityZones": zones}).startswith(
            f"invalid stack config: fargate:network.availabilityZones: {zones} is not allowed; "
        )


EXISTING = {
    "vpc": "existing",
    "vpcId": "vpc-0123456789abcdef0",
    "publicSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
}


def test_flow_logs_default_to_rejected_for_a_new_vpc_and_off_for_vpcs_that_are_not_ours():
    assert parse().network.flow_logs == "rejected"
    assert parse().network.flow_logs_retention_days == 30 and parse().network.flow_logs_bucket_arn is None
    assert parse(network={"vpc": "default"}).network.flow_logs == "off"
    assert parse(network=EXISTING).network.flow_logs == "off"
    assert parse(network={**EXISTING, "flowLogs": "all"}).network.flow_logs == "all"


def test_flow_log_keys_name_themselves_when_wrong():
    assert error(network={"flowLogs": "accepted"}) == (
        "invalid stack config: fargate:network.flowLogs: 'accepted' is not allowed; one of 'off', 'rejected', 'all'"
    )
    assert error(network={"flowLogsBucketArn": "my-bucket"}) == (
        "invalid stack config: fargate:network.flowLogsBucketArn: 'my-bucket' is not allowed; an S3 bucket ARN "
        "such as arn:aws:s3:::my-flow-logs or arn:aws:s3:::my-flow-logs/vpc (a folder not named AWSLogs)"
    )
    assert "flowLogsBucketArn" in error(network={"flowLogsBucketArn": "arn:aws:s3:::bucket/AWSLogs"})
    assert error(network={"flowLogsRetentionDays": 10}).startswith(
        "invalid stack config: fargate:network.flowLogsRetentionDays: 10 is not allowed; one of 1, 3, 5"
    )
    assert error(network={"vpc": "default", "flowLogsBucketArn": "arn:aws:s3:::bucket"}) == (
        "invalid stack config: fargate:network.flowLogsBucketArn: 'arn:aws:s3:::bucket' is not allowed; "
        "only with flowLogs 'rejected' or 'all' (flowLogs is 'off')"
    )
    assert error(network={"flowLogsBucketArn": "arn:aws:s3:::bucket", "flowLogsRetentionDays": 7}) == (
        "invalid stack config: fargate:network.flowLogsRetentionDays: 7 is not allowed; only without "
        "flowLogsBucketArn (the bucket's lifecycle rules keep S3 objects)"
    )
    assert parse(network={"flowLogsBucketArn": "arn:aws-us-gov:s3:::my.bucket-1/flow/"}).network.flow_logs == "rejected"


def test_an_existing_vpc_needs_its_id_and_well_formed_ids_each_once():
    assert error(network={"vpc": "existing", "publicSubnetIds": SUBNETS}) == (
        "invalid stack config: fargate:network.vpcId: required key is missing"
    )
    message = error(
        network=existing(
            vpcId="vpc-xyz", publicSubnetIds=[SUBNETS[0], "subnet-1", SUBNETS[0]], privateRouteTableIds=["rtb-zz"]
        )
    )
    assert message.splitlines()[1:] == [
        "  fargate:network.vpcId: 'vpc-xyz' is not allowed; a VPC id such as vpc-0123456789abcdef0",
        "  fargate:network.publicSubnetIds[1]: 'subnet-1' is not allowed; an id such as subnet-0123456789abcdef0",
        f"  fargate:network.publicSubnetIds[2]: {SUBNETS[0]!r} is not allowed; each id once",
        "  fargate:network.privateRouteTableIds[0]: 'rtb-zz' is not allowed; an id such as rtb-0123456789abcdef0",
    ]
    assert f"subnets other than the public ones ({SUBNETS[0]} is in both)" in error(
        network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=[SUBNETS[0], PRIVATE[0]])
    )


def test_existing_vpc_keys_belong_to_vpc_existing_and_endpoints_there_need_route_tables():
    assert error(network={"privateSubnetIds": PRIVATE}) == (
        f"invalid stack config: fargate:network.privateSubnetIds: [{PRIVATE[0]}, {PRIVATE[1]}] is not allowed; "
        "only with vpc 'existing' (vpc is 'new')"
    )
    assert error(network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE, vpcEndpoints=True)) == (
        "invalid stack config: fargate:network.privateRouteTableIds: [] is not allowed; the private subnets' "
        "route tables, with vpcEndpoints on (the S3 gateway endpoint for image layers is added to them)"
    )
    assert parse(
        network=existing(
            publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE, privateRouteTableIds=TABLES, vpcEndpoints=True
        )
    ).network.private_route_table_ids == tuple(TABLES)


def test_unknown_vpc_source_is_named():
    assert error(network={"vpc": "shared"}) == (
        "invalid stack config: fargate:network.vpc: 'shared' is not allowed; one of 'new', 'default', 'existing'"
    )
