"""preflight/invokes.py: data sources answered consistently within a run, the ECR login an image
build needs, and the ones answered from their result type only, named as simulated."""

import collections.abc
import ipaddress
import json
import re
import types
import typing
from typing import Any

import pytest
from pulumi.runtime import rpc

from preflight import UNKNOWN, invokes, run, schema
from preflight.values import SECRET_SIG, SIG_KEY, UNKNOWN_WIRE, wire_to_struct

from .conftest import FIXTURES, IMAGE_BUILD


@pytest.mark.parametrize("preview", [False, True])
def test_data_sources_answer_consistently_and_the_unlisted_one_is_named_simulated(pack, preview):
    result = run(FIXTURES / "lookups", "dev", preview=preview, analyzer=pack)
    out = result.outputs
    default = out["vpc"]
    assert default["cidr"] == "172.31.0.0/16" and len(default["subnets"]) == 6  # us-east-1's six zones
    assert default["first"]["vpcId"] == default["id"]
    assert ipaddress.IPv4Network(default["first"]["cidr"]).subnet_of(ipaddress.IPv4Network(default["cidr"]))
    shared = out["shared"]
    assert shared["id"] != default["id"] and shared["cidr"].startswith("10.")
    assert len(shared["private"]) == 3 and set(shared["privateVpcs"]) == {shared["id"]}
    assert shared["group"]["vpcId"] == shared["id"] and shared["group"]["id"].startswith("sg-")
    assert out["ecr"] == {
        "user": "AWS",
        "endpoint": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "credentials": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com",
    }
    assert "ecr:GetAuthorizationToken" in json.loads(out["iam"]["policy"])["Statement"][0]["Action"]
    assert out["iam"]["role"] == "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    assert out["edge"]["certificate"].startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    assert out["edge"]["balancer"] == {"vpcId": default["id"], "subnets": default["subnets"]}
    assert out["values"]["secretArn"] is True and out["values"]["cluster"].endswith(":cluster/main")
    assert out["task"]["arn"].startswith("arn:aws:ecs:us-east-1:123456789012:")
    assert result.simulated_data_sources == ["aws.ecs.get_task_definition"]
    # Built from an unknown ARN in a preview, the policy document is unknown, not a crash.
    assert (out["document"] is UNKNOWN) == preview
    assert result.exit_code == 0


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("builder", ["docker", "awsx"])
def test_an_image_built_with_the_ecr_login_runs_and_the_awsx_service_is_named_unjudged(pack, preview, builder):
    result = run(
        IMAGE_BUILD,
        "dev",
        preview=preview,
        analyzer=pack,
        stack_config={"aws:region": "us-west-2", "image-build:builder": builder},
    )
    repository = result.one("aws:ecr/repository:Repository")
    if builder == "docker":
        image = result.one("docker:index/image:Image")
        registry = image.wire_inputs["registry"]
        assert registry["password"][SIG_KEY] == SECRET_SIG  # the ECR login's password stays secret
        if not preview:
            assert registry["username"] == {SIG_KEY: SECRET_SIG, "value": "AWS"}
            url = repository.outputs["repositoryUrl"]
            assert result.outputs["image"] == f"{url}@{image.outputs['repoDigest'].split('@')[1]}"
            assert re.fullmatch(re.escape(url) + r"@sha256:[0-9a-f]{64}", result.outputs["image"])
    if preview:
        assert result.outputs == {"image": UNKNOWN, "registry": UNKNOWN}
    else:
        assert result.outputs["registry"] == "https://123456789012.dkr.ecr.us-west-2.amazonaws.com"
        assert result.outputs["image"].startswith("123456789012.dkr.ecr.us-west-2.amazonaws.com/app-")
    expected = ["awsx:ecs:FargateService"] if builder == "docker" else ["awsx:ecr:Image", "awsx:ecs:FargateService"]
    assert result.not_expanded == expected
    assert result.mandatory == [] and result.exit_code == 0
    result.strict = True
    assert result.exit_code == 3


# Arguments as programs pass them (camelCase, as the SDK sends them), for every data source the
# preflight answers by hand, and a few it answers from the result type alone.
LOOKUPS: dict[str, dict[str, Any]] = {
    "aws:acm/getCertificate:getCertificate": {"domain": "example.org", "statuses": ["ISSUED"], "mostRecent": True},
    "aws:alb/getLoadBalancer:getLoadBalancer": {"name": "web"},
    "aws:lb/getLoadBalancer:getLoadBalancer": {"arn": "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/w/1"},
    "aws:ec2/getSecurityGroup:getSecurityGroup": {"name": "app", "vpcId": "vpc-0123"},
    "aws:ec2/getSubnet:getSubnet": {"defaultForAz": True, "availabilityZone": "us-east-1a"},
    "aws:ec2/getSubnets:getSubnets": {"filters": [{"name": "vpc-id", "values": ["vpc-0123"]}]},
    "aws:ec2/getVpc:getVpc": {"default": True},
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": {"service": "s3", "serviceType": "Gateway"},
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": {},
    "aws:ecr/getCredentials:getCredentials": {"registryId": "123456789012"},
    "aws:ecs/getCluster:getCluster": {"clusterName": "main"},
    "aws:iam/getPolicy:getPolicy": {"name": "AmazonECSTaskExecutionRolePolicy"},
    "aws:iam/getPolicyDocument:getPolicyDocument": {
        "statements": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}]
    },
    "aws:iam/getRole:getRole": {"name": "ecsTaskExecutionRole"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": {"state": "available"},
    "aws:index/getCallerIdentity:getCallerIdentity": {},
    "aws:index/getPartition:getPartition": {},
    "aws:index/getRegion:getRegion": {},
    "aws:kms/getSecrets:getSecrets": {"secrets": [{"name": "db", "payload": "AQICAH"}]},
    "aws:route53/getZone:getZone": {"name": "example.org.", "privateZone": False},
    "aws:secretsmanager/getSecret:getSecret": {"name": "db"},
    "aws:secretsmanager/getSecretVersion:getSecretVersion": {"secretId": "db", "versionStage": "AWSCURRENT"},
    "aws:secretsmanager/getSecretVersions:getSecretVersions": {"secretId": "db", "includeDeprecated": True},
    "aws:ssm/getParameter:getParameter": {"name": "/app/db-host", "withDecryption": True},
    "aws:ssm/getParametersByPath:getParametersByPath": {"path": "/app", "recursive": True},
    # Answered from the result type alone: the arguments still come back in their own types.
    "aws:ec2/getAmi:getAmi": {
        "mostRecent": True,
        "owners": ["amazon"],
        "filters": [{"name": "name", "values": ["amzn2-ami-ecs-hvm-*"]}],
    },
    "aws:ecs/getTaskDefinition:getTaskDefinition": {"taskDefinition": "app:1"},
    "aws:ec2/getInstanceType:getInstanceType": {"instanceType": "t3.small"},
    "aws:cloudwatch/getLogGroup:getLogGroup": {"name": "/ecs/app"},
}


def _declared_base(annotation):
    """The Python type a value of an SDK annotation is (`Optional[Sequence[str]]` -> list)."""
    origin = typing.get_origin(annotation)
    if origin is not None and getattr(origin, "__name__", "") == "Output":
        return _declared_base(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return _declared_base(next(a for a in typing.get_args(annotation) if a is not type(None)))
    if isinstance(origin, type) and issubclass(origin, collections.abc.Mapping):
        return dict
    if isinstance(origin, type) and issubclass(origin, collections.abc.Sequence):
        return list
    return annotation if annotation in (str, int, float, bool) else None


def test_every_data_source_the_preflight_knows_is_in_the_type_test():
    assert invokes.DataSources().known <= LOOKUPS.keys()


# Building a result class reads every field, deprecated ones too: their warnings say nothing here.
@pytest.mark.filterwarnings("ignore:.*(deprecated|will be removed).*:UserWarning")
@pytest.mark.parametrize("token", sorted(LOOKUPS))
def test_every_answer_has_the_types_the_sdk_declares(token):
    """The answer goes through the SDK's own path (deserialize, then the result class, whose
    constructor checks each argument's type), and every field is of its declared type."""
    result_class = schema.invoke_result_class(token)
    assert result_class is not None
    answer = invokes.DataSources().invoke(token, LOOKUPS[token], "us-east-1")
    known = {key: value for key, value in answer.items() if value != UNKNOWN_WIRE}
    deserialized, _ = rpc.deserialize_properties_unwrap_secrets(wire_to_struct(known))
    made = rpc.translate_output_properties(deserialized, lambda name: name, result_class)
    assert isinstance(made, result_class)
    declared = schema.fields(result_class)
    python_names = {
        getattr(attribute.fget, "_pulumi_name", None): name
        for name, attribute in vars(result_class).items()
        if isinstance(attribute, property)
    }
    for key in deserialized:
        value = getattr(made, python_names[key])
        base = _declared_base(declared[key][0])
        if value is not None and base is not None:
            # bool is an int to Python; the SDK's checks tell them apart only one way.
            assert isinstance(value, base) and (base is bool or not isinstance(value, bool)), (key, value, base)
    for key, value in LOOKUPS[token].items():
        if key in deserialized and not isinstance(value, list):
            echoed = getattr(made, python_names[key])
            assert type(echoed) is type(value), key  # in its own type (a name may come back normalized)


@pytest.mark.parametrize(
    ("region", "name", "arn"),
    [
        (
            "us-east-1",
            "AmazonECSTaskExecutionRolePolicy",
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        ),
        (
            "eu-west-1",
            "AmazonECSServiceRolePolicy",
            "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy",
        ),
        ("cn-north-1", "AmazonSSMManagedInstanceCore", "arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore"),
        ("us-east-1", "app-read", "arn:aws:iam::123456789012:policy/app-read"),
    ],
)
def test_aws_managed_policies_are_aws_s_and_others_the_account_s(region, name, arn):
    answer = invokes.DataSources().invoke("aws:iam/getPolicy:getPolicy", {"name": name}, region)
    assert answer["arn"] == arn and answer["name"] == name
    assert answer["path"] == arn.split(":policy", 1)[1].rsplit("/", 1)[0] + "/"


def test_what_only_the_account_holds_is_unknown_and_named():
    sources = invokes.DataSources()
    version = sources.invoke(
        "aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "prod/db"}, "us-east-1"
    )
    parameter = sources.invoke("aws:ssm/getParameter:getParameter", {"name": "/prod/host"}, "us-east-1")
    assert version["secretString"] == version["secretBinary"] == UNKNOWN_WIRE
    assert version["arn"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-")
    assert parameter["value"] == parameter["insecureValue"] == UNKNOWN_WIRE
    assert parameter["arn"] == "arn:aws:ssm:us-east-1:123456789012:parameter/prod/host"
    assert sources.unknown_offline == [
        "the value of secret 'prod/db' (aws.secretsmanager.get_secret_version)",
        "the value of parameter '/prod/host' (aws.ssm.get_parameter)",
    ]


def test_a_managed_policy_s_document_is_aws_s_where_known():
    sources = invokes.DataSources()
    admin = sources.invoke("aws:iam/getPolicy:getPolicy", {"name": "AdministratorAccess"}, "us-east-1")
    assert admin["arn"] == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert json.loads(admin["policy"])["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
