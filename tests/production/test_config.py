"""Issue 6's config: HTTPS, builds, default and existing VPCs, endpoints, secrets, exec,
capacity providers and architecture. Valid combinations parse to what the components
read; every invalid one is refused with the key path, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from components.config.stack import StackConfig, parse_stack_config
from preflight import ProgramError, run

PROJECT = Path(__file__).resolve().parents[2]
NGINX = "public.ecr.aws/nginx/nginx:stable"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/db/password"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key-a1B2c3"
VPC = "vpc-0123456789abcdef0"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
PRIVATE = ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"]
TABLES = ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]


@pytest.fixture(autouse=True)
def in_the_project(monkeypatch):
    monkeypatch.chdir(PROJECT)  # build contexts are relative to the project directory


def parse(web: dict | None = None, region: str | None = "us-east-1", **values) -> StackConfig:
    return parse_stack_config({"services": {"web": {"image": NGINX, **(web or {})}}, **values}, region=region)


def error(web: dict | None = None, region: str | None = "us-east-1", **values) -> str:
    with pytest.raises(pulumi.RunError) as raised:
        parse(web, region, **values)
    return str(raised.value)


def build(**fields) -> dict:
    return {"image": None, "build": {"context": "app", **fields}}


def existing(**fields) -> dict:
    return {"vpc": "existing", "vpcId": VPC, **fields}


# --------------------------------------------------------------------------- defaults


def test_production_features_are_off_by_default_and_the_safe_ones_on():
    config = parse()
    balancer, service = config.load_balancer, config.services["web"]
    assert (balancer.certificate_arn, balancer.https, balancer.access_logs) == (None, False, None)
    assert (balancer.ssl_policy, balancer.drop_invalid_headers) == ("ELBSecurityPolicy-TLS13-1-2-2021-06", True)
    assert (config.network.vpc_endpoints, config.capacity_providers) == (False, [])
    assert (service.secrets, service.exec_command, service.capacity_providers) == ({}, False, None)
    assert (service.architecture, service.cpu_architecture, service.build) == ("x86_64", "X86_64", None)


# --------------------------------------------------------------------------- HTTPS


def test_https_takes_an_acm_certificate_of_the_stacks_region():
    balancer = parse(loadBalancer={"certificateArn": CERTIFICATE, "accessLogs": {"bucket": "my.alb-logs"}}).load_balancer
    assert balancer.https and balancer.access_logs.bucket == "my.alb-logs" and balancer.access_logs.prefix is None
    assert parse(region=None, loadBalancer={"certificateArn": CERTIFICATE.replace("us-east-1", "eu-west-1")})
    assert parse(region="us-gov-west-1", loadBalancer={
        "certificateArn": CERTIFICATE.replace("aws:acm:us-east-1", "aws-us-gov:acm:us-gov-west-1")})


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::123456789012:server-certificate/site",
    "arn:aws:acm:us-east-1:123456789012:certificate/not-a-uuid",
    "arn:aws:acm:us-east-1:12345:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
])
def test_anything_but_an_acm_certificate_arn_is_refused(arn):
    assert error(loadBalancer={"certificateArn": arn}) == (
        f"invalid stack config: fargate:loadBalancer.certificateArn: {arn!r} is not allowed; an ACM certificate "
        "ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>")


def test_a_certificate_of_another_region_is_refused_by_the_real_program_before_any_resource():
    foreign = CERTIFICATE.replace("us-east-1", "eu-west-1")
    with pytest.raises(ProgramError) as raised:
        run(PROJECT, "dev", policy_pack=None, stack_config={
            "aws:region": "us-east-1", "fargate:loadBalancer": {"certificateArn": foreign},
            "fargate:services": {"web": {"image": NGINX}}})
    assert str(raised.value) == (
        f"invalid stack config: fargate:loadBalancer.certificateArn: {foreign!r} is not allowed; "
        "a certificate in the stack's region us-east-1 (an ALB uses certificates of its own region)")


def test_tls_policy_needs_https_and_an_elb_policy_name():
    assert error(loadBalancer={"sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}) == (
        "invalid stack config: fargate:loadBalancer.sslPolicy: 'ELBSecurityPolicy-TLS13-1-3-2021-06' is not "
        "allowed; only with certificateArn (it applies to the HTTPS listener)")
    assert "fargate:loadBalancer.sslPolicy: 'TLSv1.2' is not allowed; an ELB security policy name" in error(
        loadBalancer={"certificateArn": CERTIFICATE, "sslPolicy": "TLSv1.2"})


@pytest.mark.parametrize("logs, key, rule", [
    ({"bucket": "My_Logs"}, "bucket", "an S3 bucket name"),
    ({"bucket": "logs", "prefix": "/alb"}, "prefix", "a key prefix such as alb/prod"),
    ({"bucket": "logs", "prefix": "alb/"}, "prefix", "a key prefix such as alb/prod"),
    ({"bucket": "logs", "prefix": "x/AWSLogs"}, "prefix", "not containing 'AWSLogs'"),
])
def test_access_logs_need_a_bucket_name_and_a_clean_prefix(logs, key, rule):
    message = error(loadBalancer={"accessLogs": logs})
    assert message.startswith(f"invalid stack config: fargate:loadBalancer.accessLogs.{key}: {logs[key]!r} is not allowed; ")
    assert rule in message
    assert error(loadBalancer={"accessLogs": {"prefix": "alb"}}) == (
        "invalid stack config: fargate:loadBalancer.accessLogs.bucket: required key is missing")


# --------------------------------------------------------------------------- image or build, architecture


def test_a_build_follows_the_architecture_unless_it_names_a_matching_platform():
    assert parse(build()).services["web"].build.platform == "linux/amd64"
    service = parse({**build(), "architecture": "arm64"}).services["web"]
    assert (service.build.platform, service.cpu_architecture) == ("linux/arm64", "ARM64")
    assert parse({**build(platform="linux/arm64"), "architecture": "arm64"}).services["web"].image is None


def test_image_and_build_are_exactly_one_of_two():
    assert error({"image": None}) == "invalid stack config: fargate:services.web.image: required key is missing"
    assert error({"build": {"context": "app"}}) == (
        "invalid stack config: fargate:services.web.build: {'context': 'app'} is not allowed; "
        "not together with image: run a given image or build one, not both")


def test_a_build_for_another_cpu_than_the_tasks_is_refused():
    assert error({**build(platform="linux/arm64")}) == (
        "invalid stack config: fargate:services.web.build.platform: 'linux/arm64' is not allowed; linux/amd64 "
        "to match architecture 'x86_64' (or leave platform out): tasks cannot run an image built for another CPU")
    assert "'linux/amd64' is not allowed; linux/arm64 to match architecture 'arm64'" in error(
        {**build(platform="linux/amd64"), "architecture": "arm64"})


def test_architecture_is_x86_64_or_arm64():
    assert error({"architecture": "amd64"}) == (
        "invalid stack config: fargate:services.web.architecture: 'amd64' is not allowed; "
        "Input should be 'x86_64' or 'arm64'")


# --------------------------------------------------------------------------- capacity providers


def test_capacity_providers_default_a_listed_provider_to_weight_1():
    config = parse({"capacityProviders": {"FARGATE": {"base": 2}, "FARGATE_SPOT": {"weight": 3}}})
    assert config.services["web"].capacity_providers.strategy() == [("FARGATE", 2, 1), ("FARGATE_SPOT", 0, 3)]
    assert config.capacity_providers == ["FARGATE", "FARGATE_SPOT"]
    assert parse({"capacityProviders": {"FARGATE_SPOT": {}}}).services["web"].capacity_providers.strategy() == [
        ("FARGATE_SPOT", 0, 1)]


@pytest.mark.parametrize("providers, expected", [
    ({}, "fargate:services.web.capacityProviders: {} is not allowed; FARGATE, FARGATE_SPOT or both"),
    ({"FARGATE": {"base": 1}, "FARGATE_SPOT": {"base": 1}},
     "fargate:services.web.capacityProviders.FARGATE_SPOT.base: 1 is not allowed; "
     "0 while FARGATE has a base (ECS allows a base on one provider only)"),
    ({"FARGATE": {"base": 2, "weight": 0}},
     "fargate:services.web.capacityProviders.FARGATE.weight: 0 is not allowed; "
     "above 0 on at least one provider (weights place every task beyond the base)"),
    ({"FARGATE_SPOTS": {"weight": 1}},
     "fargate:services.web.capacityProviders.FARGATE_SPOTS: unknown key; did you mean 'FARGATE_SPOT'?"),
    ({"FARGATE": {"weight": 1001}}, "fargate:services.web.capacityProviders.FARGATE.weight: 1001 is not allowed; "),
])
def test_invalid_capacity_provider_strategies_are_refused(providers, expected):
    assert error({"capacityProviders": providers}).startswith(f"invalid stack config: {expected}")


def test_fargate_spot_runs_arm_tasks_as_aws_now_allows():
    """FARGATE_SPOT takes ARM64 Linux tasks on platform 1.4.0+ (the services run LATEST); it used
    not to, and the issue asked for a refusal "as AWS does": AWS no longer does."""
    service = parse({"architecture": "arm64",
                     "capacityProviders": {"FARGATE": {"base": 1}, "FARGATE_SPOT": {}}}).services["web"]
    assert service.cpu_architecture == "ARM64"
    assert service.capacity_providers.strategy() == [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 1)]


# --------------------------------------------------------------------------- secrets and exec


@pytest.mark.parametrize("arn", [
    SSM, SECRET, SECRET + ":password::", SECRET + ":password:AWSCURRENT:",
    "arn:aws-cn:ssm:cn-north-1:123456789012:parameter/db",
    "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:db-Ab12Cd",
])
def test_secrets_take_ssm_parameter_and_full_secrets_manager_arns(arn):
    service = parse({"secrets": {"DB_PASSWORD": arn}}).services["web"]
    assert service.secrets == {"DB_PASSWORD": arn}
    assert service.ssm_parameter_arns + service.secrets_manager_arns == [arn.split(":password")[0]]


@pytest.mark.parametrize("arn", [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/api-key",  # partial: matches no secret in IAM
    "arn:aws:s3:::bucket/key",
    "arn:aws:ssm:us-east-1:123456789012:document/run",
    "/app/db/password",
    SECRET + ":password",
])
def test_other_secret_references_are_refused(arn):
    assert error({"secrets": {"API_KEY": arn}}).startswith(
        f"invalid stack config: fargate:services.web.secrets.API_KEY: {arn!r} is not allowed; the ARN of an SSM "
        "parameter (arn:aws:ssm:<region>:<account>:parameter/<name>) or the full ARN of a Secrets Manager secret")


def test_secret_names_are_variable_names_not_also_in_the_environment():
    assert error({"secrets": {"DB-PASSWORD": SSM}}) == (
        "invalid stack config: fargate:services.web.secrets.DB-PASSWORD: 'DB-PASSWORD' is not allowed; "
        "a variable name: letters, digits and underscores, not starting with a digit")
    assert error({"secrets": {"TOKEN": SSM}, "environment": {"TOKEN": "x"}}) == (
        "invalid stack config: fargate:services.web.secrets.TOKEN: 'TOKEN' is not allowed; "
        "a name not also in environment (the container would get it twice)")
    assert "fargate:services.web.secrets.PORT: 5 is not allowed; a string" in error({"secrets": {"PORT": 5}})


def test_exec_cannot_run_in_a_read_only_container():
    assert parse({"execCommand": True}).services["web"].exec_command
    assert error({"execCommand": True, "readonlyRootFilesystem": True}) == (
        "invalid stack config: fargate:services.web.execCommand: True is not allowed; false while "
        "readonlyRootFilesystem is true: the ECS Exec agent must write to the container's filesystem")


# --------------------------------------------------------------------------- VPC sources and endpoints


def test_where_tasks_go_by_default_follows_the_vpc_source():
    for network, subnets in (
        ({"vpc": "default"}, "public"),
        ({"vpcEndpoints": True}, "private"),
        (existing(publicSubnetIds=SUBNETS), "public"),
        (existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE), "private"),
    ):
        service = parse(network=network).services["web"]
        assert (service.subnets, service.assign_public_ip) == (subnets, subnets == "public"), network


def test_endpoints_include_secrets_and_exec_only_for_private_services_that_use_them():
    services = {"a": {"image": NGINX, "secrets": {"X": SSM}, "routing": {"pathPatterns": ["/a/*"]}},
                "b": {"image": NGINX, "execCommand": True, "subnets": "public"}}
    config = parse_stack_config({"network": {"vpcEndpoints": True}, "services": services})
    assert (config.endpoints_for_secrets, config.endpoints_for_exec) == (True, False)


def test_the_default_vpc_takes_no_shape_and_has_no_private_placement():
    message = error({"subnets": "private"}, network={"vpc": "default", "natGateways": "single", "vpcEndpoints": True,
                                                    "vpcId": VPC}, loadBalancer={"internal": True})
    assert message.splitlines()[1:] == [
        "  fargate:network.natGateways: 'single' is not allowed; only with vpc 'new' "
        "(it shapes the VPC this stack builds; vpc is 'default')",
        f"  fargate:network.vpcId: {VPC!r} is not allowed; only with vpc 'existing' (vpc is 'default')",
        "  fargate:network.vpcEndpoints: True is not allowed; false with vpc 'default': its subnets are all "
        "public, and tasks there reach AWS through their public IPs",
    ]
    message = error({"subnets": "private"}, network={"vpc": "default"}, loadBalancer={"internal": True})
    no_private = ("the default VPC's subnets are all public "
                  "(for private placement use network.vpc 'existing' with privateSubnetIds)")
    assert message.splitlines()[1:] == [
        f"  fargate:loadBalancer.internal: True is not allowed; false with network.vpc 'default': {no_private}",
        f"  fargate:services.web.subnets: 'private' is not allowed; 'public' with network.vpc 'default': {no_private}",
    ]


def test_an_existing_vpc_needs_its_id_and_well_formed_ids_each_once():
    assert error(network={"vpc": "existing", "publicSubnetIds": SUBNETS}) == (
        "invalid stack config: fargate:network.vpcId: required key is missing")
    message = error(network=existing(vpcId="vpc-xyz", publicSubnetIds=[SUBNETS[0], "subnet-1", SUBNETS[0]],
                                     privateRouteTableIds=["rtb-zz"]))
    assert message.splitlines()[1:] == [
        "  fargate:network.vpcId: 'vpc-xyz' is not allowed; a VPC id such as vpc-0123456789abcdef0",
        "  fargate:network.publicSubnetIds[1]: 'subnet-1' is not allowed; an id such as subnet-0123456789abcdef0",
        f"  fargate:network.publicSubnetIds[2]: {SUBNETS[0]!r} is not allowed; each id once",
        "  fargate:network.privateRouteTableIds[0]: 'rtb-zz' is not allowed; an id such as rtb-0123456789abcdef0",
    ]
    assert f"subnets other than the public ones ({SUBNETS[0]} is in both)" in error(
        network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=[SUBNETS[0], PRIVATE[0]]))


def test_an_existing_vpc_needs_two_subnets_of_each_role_in_use():
    assert error(network=existing(publicSubnetIds=SUBNETS[:1])) == (
        f"invalid stack config: fargate:network.publicSubnetIds: [{SUBNETS[0]!r}] is not allowed; at least two "
        "subnets, in different AZs, for the internet-facing load balancer and services.web")
    assert error({"subnets": "public"}, network=existing(privateSubnetIds=PRIVATE), loadBalancer={"internal": True}) == (
        "invalid stack config: fargate:network.publicSubnetIds: [] is not allowed; at least two "
        "subnets, in different AZs, for services.web")
    assert error(network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE[:1])) == (
        f"invalid stack config: fargate:network.privateSubnetIds: [{PRIVATE[0]!r}] is not allowed; at least two "
        "subnets, in different AZs, for services.web")
    # An internal ALB and private tasks need no public subnets at all.
    assert parse(network=existing(privateSubnetIds=PRIVATE), loadBalancer={"internal": True})


def test_existing_vpc_keys_belong_to_vpc_existing_and_endpoints_there_need_route_tables():
    assert error(network={"privateSubnetIds": PRIVATE}) == (
        f"invalid stack config: fargate:network.privateSubnetIds: {PRIVATE!r} is not allowed; "
        "only with vpc 'existing' (vpc is 'new')")
    assert error(network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE, vpcEndpoints=True)) == (
        "invalid stack config: fargate:network.privateRouteTableIds: [] is not allowed; the private subnets' "
        "route tables, with vpcEndpoints on (the S3 gateway endpoint for image layers is added to them)")
    assert parse(network=existing(publicSubnetIds=SUBNETS, privateSubnetIds=PRIVATE, privateRouteTableIds=TABLES,
                                  vpcEndpoints=True)).network.private_route_table_ids == tuple(TABLES)


def test_endpoints_without_a_private_service_are_refused():
    assert error({"subnets": "public"}, network={"vpcEndpoints": True}) == (
        "invalid stack config: fargate:network.vpcEndpoints: True is not allowed; true only when a service "
        "runs in private subnets (the endpoints serve no one else, and bill per AZ-hour)")


def test_unknown_vpc_source_is_named():
    assert error(network={"vpc": "shared"}) == (
        "invalid stack config: fargate:network.vpc: 'shared' is not allowed; "
        "Input should be 'new', 'default' or 'existing'")


# --------------------------------------------------------------------------- deployments with autoscaling


def test_the_deployment_check_uses_the_count_autoscaling_starts_with():
    # desiredCount 1 starts at minCount 2, where 150 % leaves room for a third task.
    scaled = {"desiredCount": 1, "deployment": {"maximumPercent": 150},
              "autoscaling": {"minCount": 2, "maxCount": 4, "cpuTarget": 60}}
    assert parse(scaled).services["web"].deployment.maximum_percent == 150
    assert "room for one extra task" in error({**scaled, "autoscaling": {"minCount": 1, "maxCount": 4, "cpuTarget": 60}})
