"""How config problems are reported: one line each, with the key path, the value and the rule."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.config.errors import yaml_value

from .conftest import WEB, error, web


def test_unknown_keys_suggest_the_closest_known_key():
    assert error(**web(contanerPort=8080)) == (
        "invalid stack config: fargate:services.web.contanerPort: unknown key; did you mean 'containerPort'?"
    )
    assert error(netwrk={}) == "invalid stack config: fargate:netwrk: unknown key; did you mean 'network'?"
    assert error(loadBalancer={"ingressCidr": ["10.0.0.0/8"]}) == (
        "invalid stack config: fargate:loadBalancer.ingressCidr: unknown key; did you mean 'ingressCidrs'?"
    )


def test_every_problem_is_reported_at_once():
    message = error(network={"availabilityZones": 1}, **web(cpu=100, logRetentionDays=10))
    lines = message.splitlines()
    assert lines[0] == "invalid stack config:"
    assert {line.split(":")[1].strip() for line in lines[1:]} == {
        "network.availabilityZones",
        "services.web.cpu",
        "services.web.logRetentionDays",
    }


def problems(message: str) -> list[str]:
    """The problem lines of a message, without the heading and indentation."""
    lines = message.splitlines()
    return (
        [lines[0].removeprefix("invalid stack config: ")] if len(lines) == 1 else [line.strip() for line in lines[1:]]
    )


# --------------------------------------------------------------------------- values as YAML


def test_values_are_shown_as_yaml_not_python():
    services = {"web": WEB, "www": {**WEB, "routing": {"pathPatterns": ["/*"]}}}
    assert problems(error(services=services)) == [
        "fargate:services.www.routing: {pathPatterns: [/*], hostHeaders: [], priority: null} is not allowed; "
        "routes different from services.web's, or one of them never receives traffic"
    ]
    assert problems(error(**web(assignPublicIp=False)))[0].startswith(
        "fargate:services.web.assignPublicIp: false is not allowed; "
    )
    assert problems(error(**web(environment=["A=1"]))) == [
        "fargate:services.web.environment: [A=1] is not allowed; a mapping of names to strings"
    ]


@pytest.mark.parametrize(
    "value, shown",
    [
        ("private", "'private'"),
        ("it's", "'it''s'"),
        (True, "true"),
        (None, "null"),
        (5, "5"),
        (1.5, "1.5"),
        (("/*",), "[/*]"),
        (["subnet-1", "off", "123"], "[subnet-1, 'off', '123']"),
        ({"a": (1, False)}, "{a: [1, false]}"),
    ],
)
def test_yaml_value_reads_back_as_what_was_written(value, shown):
    assert yaml_value(value) == shown
    if not isinstance(value, float):
        plain = list(value) if isinstance(value, tuple) else value
        assert yaml.safe_load(shown) == (plain if not isinstance(value, dict) else {"a": [1, False]})


# --------------------------------------------------------------------------- types in YAML words


@pytest.mark.parametrize(
    "fields, line",
    [
        ({"cpu": "abc"}, "fargate:services.web.cpu: 'abc' is not allowed; an integer"),
        ({"desiredCount": 1.5}, "fargate:services.web.desiredCount: 1.5 is not allowed; an integer"),
        (
            {"routing": {"pathPatterns": "/api/*"}},
            "fargate:services.web.routing.pathPatterns: '/api/*' is not allowed; a list of strings",
        ),
        (
            {"routing": {"pathPatterns": [1]}},
            "fargate:services.web.routing.pathPatterns[0]: 1 is not allowed; a string",
        ),
        (
            {"readonlyRootFilesystem": "maybe"},
            "fargate:services.web.readonlyRootFilesystem: 'maybe' is not allowed; true or false",
        ),
        ({"healthCheck": "x"}, "fargate:services.web.healthCheck: 'x' is not allowed; a mapping"),
        (
            {"architecture": "amd64"},
            "fargate:services.web.architecture: 'amd64' is not allowed; one of 'x86_64', 'arm64'",
        ),
        ({"image": ""}, "fargate:services.web.image: '' is not allowed; a non-empty string"),
        (
            {"autoscaling": {"maxCount": 2, "cpuTarget": 0}},
            "fargate:services.web.autoscaling.cpuTarget: 0 is not allowed; a number above 0",
        ),
    ],
)
def test_type_and_range_errors_say_what_is_expected_in_yaml_words(fields, line):
    message = error(**web(**fields))
    assert problems(message) == [line]
    assert "Input should" not in message and "unable to parse" not in message


# --------------------------------------------------------------------------- the key that is wrong


def test_the_key_that_was_set_is_the_one_blamed():
    assert problems(error(**web(healthCheck={"intervalSeconds": 5}))) == [
        "fargate:services.web.healthCheck.intervalSeconds: 5 is not allowed; more than timeoutSeconds (5)"
    ]
    assert problems(error(**web(healthCheck={"intervalSeconds": 5, "timeoutSeconds": 5}))) == [
        "fargate:services.web.healthCheck.timeoutSeconds: 5 is not allowed; less than intervalSeconds (5)"
    ]
    assert problems(error(**web(cpu=1024))) == [
        "fargate:services.web.cpu: 1024 is not allowed; with memory 512 (the default): 256; "
        "or set memory too, which with cpu 1024 is 2048 to 8192 in steps of 1024 (MiB)"
    ]
    assert problems(error(**web(deployment={"minimumHealthyPercent": 100, "maximumPercent": 100})))[0].startswith(
        "fargate:services.web.deployment.maximumPercent: 100 is not allowed; "
    )
    assert problems(error(**web(deployment={"minimumHealthyPercent": 100, "maximumPercent": 150}))) == [
        "fargate:services.web.deployment.maximumPercent: 150 is not allowed; with desiredCount 1 and "
        "minimumHealthyPercent 100, room for one extra task (at least 200) or deployments cannot proceed"
    ]


# --------------------------------------------------------------------------- all at once


def test_field_and_cross_field_problems_are_reported_together():
    assert problems(error(network={"vpc": "existing", "publicSubnetIds": ["subnet-1", "subnet-2"]})) == [
        "fargate:network.publicSubnetIds[0]: 'subnet-1' is not allowed; an id such as subnet-0123456789abcdef0",
        "fargate:network.publicSubnetIds[1]: 'subnet-2' is not allowed; an id such as subnet-0123456789abcdef0",
        "fargate:network.vpcId: required key is missing",
    ]
    assert problems(error(services={"web": {"cpu": 300}})) == [
        "fargate:services.web.cpu: 300 is not allowed; one of 256, 512, 1024, 2048, 4096, 8192, 16384 "
        "(Fargate task CPU units)",
        "fargate:services.web.image: required key is missing",
    ]
    # One service's field error does not hide another service's placement problem.
    assert problems(error(services={"web": {**WEB, "cpu": "x"}, "api": {**WEB, "subnets": "private"}})) == [
        "fargate:services.web.cpu: 'x' is not allowed; an integer",
        "fargate:services.api.subnets: 'private' is not allowed; 'public' while network.natGateways is 'none' "
        "and network.vpcEndpoints is off: tasks in private subnets need NAT or VPC endpoints to pull images",
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"autoscaling": {"maxCount": 2, "cpuTarge": 50}},  # a misspelt key is taken for the meant one
        {"autoscaling": {"maxCount": 2, "cpuTarget": 0}},  # an invalid value is not taken for no value
        {"cpu": 300, "memory": 4096},  # memory is not judged against a default cpu
        {"containerPort": 0, "sidecars": {"proxy": {"image": "envoy", "portMappings": [{"containerPort": 80}]}}},
        {"secrets": {"DB": "nope"}, "secretsKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/mrk-" + "0" * 32},
    ],
)
def test_a_rule_never_judges_a_value_that_failed(fields):
    assert len(problems(error(**web(**fields)))) == 1


# --------------------------------------------------------------------------- flat keys


def test_a_flat_key_set_without_path_gets_the_command_that_sets_it():
    flat: dict[str, Any] = {"services.web.cpu": 512}
    assert problems(error(**flat)) == [
        "fargate:services.web.cpu: 512 is not allowed; a key of its own named 'services.web.cpu', not a path: "
        "set it with `pulumi config rm 'fargate:services.web.cpu' && "
        "pulumi config set --path 'fargate:services.web.cpu' 512`"
    ]
    indexed: dict[str, Any] = {"network.publicSubnetIds[0]": "subnet-0123456789abcdef0"}
    assert problems(error(**indexed))[0].endswith(
        "pulumi config set --path 'fargate:network.publicSubnetIds[0]' subnet-0123456789abcdef0`"
    )
