"""Stack config: defaults, derived values, cross-field rules and the one-line errors users see."""

from __future__ import annotations

import contextvars
import json
import typing
from pathlib import Path

import pulumi
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from components.config.stack import (
    FARGATE_TASK_SIZES,
    LOG_RETENTION_DAYS,
    RoutingConfig,
    StackConfig,
    derived_priority,
    parse_stack_config,
    stack_config_values,
)
from preflight import ProgramError

from .conftest import PROJECT, run_stack

WEB = {"image": "public.ecr.aws/nginx/nginx:stable"}


def parse(**values) -> StackConfig:
    return parse_stack_config({"services": {"web": WEB}, **values})


def error(**values) -> str:
    with pytest.raises(pulumi.RunError) as raised:
        parse(**values)
    return str(raised.value)


def web(**fields) -> dict:
    return {"services": {"web": {**WEB, **fields}}}


# --------------------------------------------------------------------------- valid config


@pytest.mark.parametrize("stack_file", sorted(p.name for p in PROJECT.glob("Pulumi.*.yaml")))
def test_committed_stack_files_parse(stack_file, monkeypatch):
    monkeypatch.chdir(PROJECT)  # build contexts are relative to the project directory
    document = yaml.safe_load((PROJECT / stack_file).read_text())
    values = {key.split(":", 1)[1]: value for key, value in document["config"].items() if key.startswith("fargate:")}
    config = parse_stack_config(values, region=document["config"]["aws:region"])
    assert config.services


def test_defaults_are_the_documented_cheap_and_safe_ones():
    config = parse()
    assert (config.network.vpc, config.network.cidr_block, config.network.availability_zones,
            config.network.nat_gateways) == ("new", "10.0.0.0/16", 2, "none")
    assert (config.load_balancer.internal, config.load_balancer.ingress_cidrs,
            config.load_balancer.idle_timeout_seconds, config.load_balancer.deletion_protection) == (
        False, ("0.0.0.0/0", "::/0"), 60, False)
    assert config.cluster.container_insights is True
    service = config.services["web"]
    assert (service.cpu, service.memory, service.container_port, service.desired_count) == (256, 512, 80, 1)
    assert (service.subnets, service.assign_public_ip, service.log_retention_days) == ("public", True, 30)
    assert service.health_check.model_dump(by_alias=True) == {
        "path": "/", "matcher": "200-399", "intervalSeconds": 30, "timeoutSeconds": 5,
        "healthyThreshold": 3, "unhealthyThreshold": 3, "gracePeriodSeconds": 60}
    assert service.routing.model_dump(by_alias=True) == {"pathPatterns": ("/*",), "hostHeaders": (), "priority": None}
    assert service.deployment.model_dump(by_alias=True) == {
        "circuitBreaker": True, "minimumHealthyPercent": 100, "maximumPercent": 200}
    assert (service.environment, service.sidecars, service.autoscaling) == ({}, {}, None)


def test_with_nat_services_default_to_private_subnets_without_public_ips():
    service = parse(network={"natGateways": "single"}).services["web"]
    assert (service.subnets, service.assign_public_ip) == ("private", False)
    service = parse(network={"natGateways": "per-az"}, **web(subnets="public")).services["web"]
    assert (service.subnets, service.assign_public_ip) == ("public", True)


def test_config_is_frozen():
    config = parse()
    with pytest.raises(Exception):
        config.services["web"].cpu = 512  # type: ignore[misc]


def test_subnet_blocks_leave_room_for_every_az():
    public, private = parse(network={"cidrBlock": "10.1.0.0/22", "availabilityZones": 6}).network.subnet_cidrs()
    assert public == [f"10.1.{i // 4}.{i % 4 * 64}/26" for i in range(6)]
    assert private[0] == "10.1.2.0/26" and len(set(public + private)) == 12


# --------------------------------------------------------------------------- errors


def test_bad_cpu_names_the_key_the_value_and_what_is_allowed():
    assert error(**web(cpu=300)) == (
        "invalid stack config: fargate:services.web.cpu: 300 is not allowed; "
        "one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate task CPU units)")


def test_memory_must_fit_the_cpu():
    assert error(**web(cpu=256, memory=4096)) == (
        "invalid stack config: fargate:services.web.memory: 4096 is not allowed; with cpu 256: 512, 1024, 2048 (MiB)")
    assert error(**web(cpu=8192, memory=18432)) == (
        "invalid stack config: fargate:services.web.memory: 18432 is not allowed; "
        "with cpu 8192: 16384 to 61440 in steps of 4096 (MiB)")


def test_unknown_keys_suggest_the_closest_known_key():
    assert error(**web(contanerPort=8080)) == (
        "invalid stack config: fargate:services.web.contanerPort: unknown key; did you mean 'containerPort'?")
    assert error(netwrk={}) == "invalid stack config: fargate:netwrk: unknown key; did you mean 'network'?"
    assert error(loadBalancer={"ingressCidr": ["10.0.0.0/8"]}) == (
        "invalid stack config: fargate:loadBalancer.ingressCidr: unknown key; did you mean 'ingressCidrs'?")


def test_private_subnets_need_nat_or_endpoints():
    assert error(**web(subnets="private")) == (
        "invalid stack config: fargate:services.web.subnets: 'private' is not allowed; 'public' while "
        "network.natGateways is 'none' and network.vpcEndpoints is off: "
        "tasks in private subnets need NAT or VPC endpoints to pull images")
    assert parse(network={"vpcEndpoints": True}, **web(subnets="private")).services["web"].subnets == "private"


def test_public_ip_must_match_the_subnets():
    assert "fargate:services.web.assignPublicIp: False is not allowed; true in public subnets" in error(
        **web(assignPublicIp=False))
    assert "fargate:services.web.assignPublicIp: True is not allowed; false in private subnets" in error(
        network={"natGateways": "single"}, **web(assignPublicIp=True))


def test_listener_rule_priorities_and_routes_are_unique():
    services = {"web": {**WEB, "routing": {"priority": 5}},
                "api": {**WEB, "routing": {"priority": 5, "pathPatterns": ["/api/*"]}},
                "www": {**WEB, "routing": {"pathPatterns": ["/*"]}}}
    message = error(services=services)
    assert ("fargate:services.api.routing.priority: 5 is not allowed; "
            "a priority no other service uses (services.web has it)") in message
    assert "fargate:services.www.routing: " in message and "routes different from services.web's" in message


def test_sidecars_are_limited_to_nine_and_must_not_share_ports():
    too_many = {f"s{i}": {"image": "busybox"} for i in range(10)}
    assert error(**web(sidecars=too_many)).startswith("invalid stack config: fargate:services.web.sidecars: ")
    clash = {"proxy": {"image": "envoy", "portMappings": [{"containerPort": 80}]}}
    assert error(**web(sidecars=clash)) == (
        "invalid stack config: fargate:services.web.sidecars.proxy.portMappings[0].containerPort: 80 is not "
        "allowed; a port no other container uses (taken by the main container; containers share the task's network)")
    assert "a name other than the service's own" in error(**web(sidecars={"web": {"image": "busybox"}}))
    assert "sidecar memory totalling at most the task's 512 MiB" in error(
        **web(sidecars={"a": {"image": "x", "memory": 300}, "b": {"image": "y", "memory": 300}}))


def test_environment_values_must_be_strings():
    assert error(**web(environment={"PORT": 8080})) == (
        "invalid stack config: fargate:services.web.environment.PORT: 8080 is not allowed; "
        "a string; quote numbers and booleans in YAML")


def test_deployments_that_could_never_proceed_are_refused():
    assert "room for one extra task (at least 200)" in error(**web(deployment={"maximumPercent": 150}))
    # Two tasks at 150 % may start one extra: fine.
    assert parse(**web(desiredCount=2, deployment={"maximumPercent": 150}))


def test_health_check_timeout_below_interval_and_matcher_in_range():
    assert error(**web(healthCheck={"timeoutSeconds": 30})) == (
        "invalid stack config: fargate:services.web.healthCheck.timeoutSeconds: 30 is not allowed; "
        "less than intervalSeconds (30)")
    assert "fargate:services.web.healthCheck.matcher: '500' is not allowed" in error(**web(healthCheck={"matcher": "500"}))
    assert "fargate:services.web.healthCheck.path: 'health' is not allowed" in error(**web(healthCheck={"path": "health"}))


def test_missing_image_and_services_are_named():
    assert error(services={"web": {}}) == "invalid stack config: fargate:services.web.image: required key is missing"
    with pytest.raises(pulumi.RunError, match="^invalid stack config: fargate:services: required key is missing$"):
        parse_stack_config({})


def test_every_problem_is_reported_at_once():
    message = error(network={"availabilityZones": 1}, **web(cpu=100, logRetentionDays=10))
    lines = message.splitlines()
    assert lines[0] == "invalid stack config:"
    assert {line.split(":")[1].strip() for line in lines[1:]} == {
        "network.availabilityZones", "services.web.cpu", "services.web.logRetentionDays"}


# --------------------------------------------------------------------------- properties


@given(cpu=st.sampled_from(sorted(FARGATE_TASK_SIZES)), data=st.data())
def test_every_documented_fargate_size_is_accepted(cpu, data):
    memory = data.draw(st.sampled_from(FARGATE_TASK_SIZES[cpu]))
    service = parse(**web(cpu=cpu, memory=memory)).services["web"]
    assert (service.cpu, service.memory) == (cpu, memory)


@given(cpu=st.sampled_from(sorted(FARGATE_TASK_SIZES)), memory=st.integers(1, 200_000))
def test_any_other_memory_is_refused_naming_the_memory_key(cpu, memory):
    if memory in FARGATE_TASK_SIZES[cpu]:
        return
    message = error(**web(cpu=cpu, memory=memory))
    assert message.startswith(f"invalid stack config: fargate:services.web.memory: {memory} is not allowed; "
                              f"with cpu {cpu}: ")


@given(cpu=st.integers(-10, 40_000).filter(lambda c: c not in FARGATE_TASK_SIZES))
def test_any_other_cpu_is_refused(cpu):
    assert f"fargate:services.web.cpu: {cpu} is not allowed; one of 256, 512" in error(**web(cpu=cpu))


@given(days=st.integers(-5, 4000))
def test_log_retention_only_takes_cloudwatch_values(days):
    if days in LOG_RETENTION_DAYS:
        assert parse(**web(logRetentionDays=days)).services["web"].log_retention_days == days
    else:
        assert f"fargate:services.web.logRetentionDays: {days} is not allowed; one of 1, 3, 5" in error(
            **web(logRetentionDays=days))


@given(port=st.integers(-100, 70_000))
def test_container_port_range(port):
    if 1 <= port <= 65535:
        assert parse(**web(containerPort=port)).services["web"].container_port == port
    else:
        assert error(**web(containerPort=port)).startswith(
            f"invalid stack config: fargate:services.web.containerPort: {port} is not allowed; ")


@given(zones=st.integers(-3, 12))
def test_availability_zone_count_range(zones):
    if 2 <= zones <= 6:
        assert parse(network={"availabilityZones": zones}).network.availability_zones == zones
    else:
        assert error(network={"availabilityZones": zones}).startswith(
            f"invalid stack config: fargate:network.availabilityZones: {zones} is not allowed; ")


@given(name=st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z").filter(lambda n: not n.startswith("sg-")))
def test_valid_service_names_are_accepted(name):
    assert list(parse_stack_config({"services": {name: WEB}}).services) == [name]


@given(name=st.text(min_size=1, max_size=30).filter(
    lambda n: not (n[0].isascii() and n[0].islower() and len(n) <= 20 and not n.startswith("sg-") and all(
        c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in n))))
def test_other_service_names_are_refused(name):
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config({"services": {name: WEB}})
    assert "a service name: lowercase letters, digits and '-', starting with a letter" in str(raised.value)


def test_service_names_that_would_name_a_security_group_sg_dash_are_refused():
    # The service's security group is autonamed "<service>-<suffix>"; EC2 refuses
    # group names starting with "sg-" (InvalidParameterValue).
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config({"services": {"sg-web": WEB}})
    assert str(raised.value) == ("invalid stack config: fargate:services.sg-web: 'sg-web' is not allowed; a service name: "
                                 "lowercase letters, digits and '-', starting with a letter, at most 20 characters, "
                                 "not starting with 'sg-'")
    assert list(parse_stack_config({"services": {"sgweb": WEB}}).services) == ["sgweb"]


routes = st.fixed_dictionaries({}, optional={
    "pathPatterns": st.lists(st.sampled_from(["/*", "/api/*", "/v1/*", "/static/*", "/admin"]),
                             min_size=1, max_size=2, unique=True),
    "hostHeaders": st.lists(st.sampled_from(["a.example.com", "*.example.org"]), min_size=1, max_size=1),
    "priority": st.integers(1, 60),
})


@settings(max_examples=60)
@given(st.dictionaries(st.from_regex(r"\A[a-z][a-z0-9]{0,6}\Z"), routes, min_size=1, max_size=6))
def test_derived_priorities_are_unique_and_put_catch_alls_last(service_routes):
    services = {name: {**WEB, "routing": route} for name, route in service_routes.items()}
    try:
        config = parse_stack_config({"services": services})
    except pulumi.RunError as refused:  # duplicate priorities or routes: refused, by key
        assert "fargate:services." in str(refused)
        return
    priorities = config.listener_rule_priorities()
    assert sorted(priorities) == sorted(services)
    assert len(set(priorities.values())) == len(priorities)
    assert all(1 <= p <= 50000 for p in priorities.values())
    derived = {n: p for n, p in priorities.items() if config.services[n].routing.priority is None}
    for name, priority in derived.items():
        if config.services[name].routing.is_catch_all:
            assert all(p < priority for n, p in derived.items() if not config.services[n].routing.is_catch_all)
    # Adding a service leaves every other rule where it was (unless it lands on one's number).
    extra = {**services, "zzadded": {**WEB, "routing": {"pathPatterns": ["/added/*"]}}}
    try:
        grown = parse_stack_config({"services": extra}).listener_rule_priorities()
    except pulumi.RunError:  # a duplicate route with an existing service
        return
    if derived_priority("zzadded", RoutingConfig(path_patterns=("/added/*",))) not in priorities.values():
        assert {n: grown[n] for n in priorities} == priorities


def path_rule(*patterns: str) -> RoutingConfig:
    return RoutingConfig(path_patterns=patterns)


@given(st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z"), st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z"))
def test_a_rule_comes_before_the_broader_rules_it_overlaps(first, second):
    """Whatever the names: exact hosts, then wildcard hosts, then longer path prefixes, then /*."""
    order = [derived_priority(first, RoutingConfig(host_headers=("api.example.com",))),
             derived_priority(second, RoutingConfig(host_headers=("*.example.com",))),
             derived_priority(first, path_rule("/api/v2/*")),
             derived_priority(second, path_rule("/api/*", "/static/images/*")),  # its broadest pattern counts
             derived_priority(first, path_rule("/a*")),
             derived_priority(second, path_rule("/*"))]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert all(1 <= p <= 50000 for p in order)


def test_derived_priorities_stay_what_they_were():
    """Deployed rules keep their numbers across releases: changing these renumbers every stack."""
    assert derived_priority("web", path_rule("/*")) == 46258
    assert derived_priority("api", path_rule("/api/*")) == 44099
    assert derived_priority("admin", path_rule("/admin/*")) == 43782


# --------------------------------------------------------------------------- reading the stack's config


def test_config_is_read_from_both_places_pulumi_puts_it(monkeypatch):
    # The CLI's language host passes config as the PULUMI_CONFIG JSON bag;
    # inline programs and mocks go through set_all_config. Keys from both count.
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"fargate:cluster": '{"containerInsights": false}',
                                                    "aws:region": "eu-west-1"}))

    def read():
        pulumi.runtime.set_all_config({"fargate:services": json.dumps({"web": WEB}), "fargate:typo": "1"})
        return stack_config_values()

    assert contextvars.Context().run(read) == {
        "cluster": {"containerInsights": False}, "services": {"web": WEB}, "typo": 1}


def test_an_invalid_stack_fails_with_one_message_before_any_resource_is_created(monkeypatch):
    created: list[str] = []
    original = pulumi.Resource.__init__

    def spy(self, t, name, *args, **kwargs):
        if t != "pulumi:pulumi:Stack":
            created.append(t)
        return original(self, t, name, *args, **kwargs)

    monkeypatch.setattr(pulumi.Resource, "__init__", spy)
    with pytest.raises(ProgramError) as raised:
        run_stack(services={"web": {**WEB, "cpu": 300}}, clustr={})
    assert str(raised.value) == (
        "invalid stack config:\n"
        "  fargate:services.web.cpu: 300 is not allowed; one of 256, 512, 1024, 2048, 4096, 8192, 16384 "
        "(Fargate task CPU units)\n"
        "  fargate:clustr: unknown key; did you mean 'cluster'?")
    assert created == []
    # The spy does see resources when the config is valid.
    run_stack(services={"web": WEB})
    assert "fargate:network:Network" in created and "aws:ecs/service:Service" in created


def test_one_problem_is_one_line():
    with pytest.raises(ProgramError) as raised:
        run_stack(services={"web": {**WEB, "cpu": 300}})
    assert "\n" not in str(raised.value)
    assert str(raised.value).startswith("invalid stack config: fargate:services.web.cpu: 300 is not allowed;")


def test_readme_config_reference_lists_every_key():
    readme = (Path(PROJECT) / "README.md").read_text()
    section = readme.split("<!-- section: config (owner: stack) -->")[1].split("<!-- /section: config -->")[0]
    missing = [key for key in _keys(StackConfig) if f"`{key}`" not in section]
    assert not missing, f"README config section lacks {missing}"


def _keys(model, prefix="fargate:") -> list[str]:
    """Every key path of the config, with `<name>` for map entries (autoscaling has its own section)."""
    keys = []
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        if name == "autoscaling":
            keys.append(key)
            continue
        annotation = field.annotation
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner = args[-1] if typing.get_origin(annotation) is dict else (args[0] if args else annotation)
        nested = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
        if typing.get_origin(annotation) in (tuple,) and args and isinstance(args[0], type) \
                and issubclass(args[0], BaseModel):
            nested, key = args[0], key + "[]"
        if nested is None:
            keys.append(key)
        elif typing.get_origin(annotation) is dict:
            keys += _keys(nested, key + ".<name>.")
        else:
            keys += _keys(nested, key + ".")
    return keys


def test_at_most_fifty_services_fit_the_load_balancer_s_security_group():
    fifty = {f"s{i}": {**WEB, "routing": {"pathPatterns": [f"/s{i}/*"]}} for i in range(50)}
    assert len(parse_stack_config({"services": fifty}).services) == 50
    with pytest.raises(pulumi.RunError) as raised:
        parse_stack_config({"services": {**fifty, "one-more": {**WEB, "routing": {"pathPatterns": ["/x/*"]}}}})
    assert str(raised.value).startswith("invalid stack config: fargate:services: ")
    assert "from 1 to 50 services (each adds a rule to the ALB's security group" in str(raised.value)


# --------------------------------------------------------------------------- flow logs and IAM inputs

KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
MULTI_REGION_KEY = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"
SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/app/db"
EXISTING = {"vpc": "existing", "vpcId": "vpc-0123456789abcdef0",
            "publicSubnetIds": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]}


def test_flow_logs_default_to_rejected_for_a_new_vpc_and_off_for_vpcs_that_are_not_ours():
    assert parse().network.flow_logs == "rejected"
    assert parse().network.flow_logs_retention_days == 30 and parse().network.flow_logs_bucket_arn is None
    assert parse(network={"vpc": "default"}).network.flow_logs == "off"
    assert parse(network=EXISTING).network.flow_logs == "off"
    assert parse(network={**EXISTING, "flowLogs": "all"}).network.flow_logs == "all"


def test_flow_log_keys_name_themselves_when_wrong():
    assert error(network={"flowLogs": "accepted"}) == (
        "invalid stack config: fargate:network.flowLogs: 'accepted' is not allowed; "
        "Input should be 'off', 'rejected' or 'all'")
    assert error(network={"flowLogsBucketArn": "my-bucket"}) == (
        "invalid stack config: fargate:network.flowLogsBucketArn: 'my-bucket' is not allowed; an S3 bucket ARN "
        "such as arn:aws:s3:::my-flow-logs or arn:aws:s3:::my-flow-logs/vpc (a folder not named AWSLogs)")
    assert "flowLogsBucketArn" in error(network={"flowLogsBucketArn": "arn:aws:s3:::bucket/AWSLogs"})
    assert error(network={"flowLogsRetentionDays": 10}).startswith(
        "invalid stack config: fargate:network.flowLogsRetentionDays: 10 is not allowed; one of 1, 3, 5")
    assert error(network={"vpc": "default", "flowLogsBucketArn": "arn:aws:s3:::bucket"}) == (
        "invalid stack config: fargate:network.flowLogsBucketArn: 'arn:aws:s3:::bucket' is not allowed; "
        "only with flowLogs 'rejected' or 'all' (flowLogs is 'off')")
    assert error(network={"flowLogsBucketArn": "arn:aws:s3:::bucket", "flowLogsRetentionDays": 7}) == (
        "invalid stack config: fargate:network.flowLogsRetentionDays: 7 is not allowed; only without "
        "flowLogsBucketArn (the bucket's lifecycle rules keep S3 objects)")
    assert parse(network={"flowLogsBucketArn": "arn:aws-us-gov:s3:::my.bucket-1/flow/"}).network.flow_logs == "rejected"


def test_a_secrets_kms_key_is_a_key_arn_and_comes_with_secrets():
    with_secrets = {**WEB, "secrets": {"DB": SSM}}
    for key in (KEY, MULTI_REGION_KEY):
        assert parse_stack_config({"services": {"web": {**with_secrets, "secretsKmsKeyArn": key}}}) \
            .services["web"].secrets_kms_key_arn == key
    with pytest.raises(pulumi.RunError) as alias:
        parse_stack_config({"services": {"web": {
            **with_secrets, "secretsKmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/app"}}})
    assert str(alias.value) == (
        "invalid stack config: fargate:services.web.secretsKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:alias/app' "
        "is not allowed; a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<uuid> (the key's ARN, not an alias)")
    with pytest.raises(pulumi.RunError) as alone:
        parse_stack_config({"services": {"web": {**WEB, "secretsKmsKeyArn": KEY}}})
    assert str(alone.value) == (
        f"invalid stack config: fargate:services.web.secretsKmsKeyArn: '{KEY}' is not allowed; "
        "only with secrets (the key decrypts them; there are none)")


@pytest.mark.parametrize("image, repository", [
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app", "arn:aws:ecr:us-east-1:123456789012:repository/app"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2.3",
     "arn:aws:ecr:eu-west-1:123456789012:repository/team/app"),
    ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app@sha256:" + "a" * 64,
     "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/app"),
    ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:v1", "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app"),
    ("public.ecr.aws/nginx/nginx:stable", None),
    ("nginx:1.27", None),
    ("docker.io/library/redis:7", None),
    ("ghcr.io/org/app:1", None),
])
def test_private_ecr_images_name_their_repository_and_other_registries_none(image, repository):
    from components.config.stack import ecr_repository_arn

    assert ecr_repository_arn(image) == repository
    service = parse_stack_config({"services": {"web": {"image": image}}}).services["web"]
    assert service.ecr_repository_arns == ([repository] if repository else [])


def test_an_ecr_image_iam_could_not_be_granted_on_is_refused():
    assert error(services={"web": {"image": "nginx", "sidecars": {"agent": {
        "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/Agent:1"}}}}) == (
        "invalid stack config: fargate:services.web.sidecars.agent.image: "
        "'123456789012.dkr.ecr.us-east-1.amazonaws.com/Agent:1' is not allowed; a private ECR image such as "
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0 (lowercase repository, a tag or @sha256: digest)")
