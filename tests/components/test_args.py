"""The components as a library: built from Python args (fixtures/args), never from the
stack config; Outputs of other resources as inputs; the defaults each field states;
two instances side by side; and one clear error naming the arg for what cannot work."""

from __future__ import annotations

import ast
import asyncio
import json
from collections import Counter

import pulumi
import pulumi_aws as aws
import pytest

from components import (
    ArgsError,
    AutoscalingArgs,
    ClusterArgs,
    ContainerImageArgs,
    FargateServiceArgs,
    LoadBalancerArgs,
    NetworkArgs,
    RoutingArgs,
    ServiceAutoscalingArgs,
    SidecarArgs,
    derived_priority,
)
from components.routing import ListenerPriorities
from preflight import ProgramError, run

from .conftest import ARGS_FIXTURE, PROJECT, run_scenario

COMPONENTS = PROJECT / "components"
SERVICE = "aws:ecs/service:Service"
TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def defaults():
    return run_scenario("defaults")


@pytest.fixture(scope="module")
def two_of_each():
    return run_scenario("two_of_each")


@pytest.fixture(scope="module")
def outputs():
    return run_scenario("outputs")


@pytest.mark.parametrize(
    "module", sorted(p for p in COMPONENTS.glob("*.py") if p.name != "mapping.py"), ids=lambda p: p.name
)
def test_no_component_imports_the_stack_config(module):
    """Only the composition layer (components/mapping.py) knows both the config and the components."""
    imported = []
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom):
            imported.append(("." * node.level) + (node.module or ""))
            imported += [("." * node.level) + alias.name for alias in node.names if not node.module]
        elif isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
    assert [
        name
        for name in imported
        if name in (".config", "components.config") or name.startswith((".config.", "components.config."))
    ] == []


# --------------------------------------------------------------------------- defaults


def test_a_service_left_at_its_defaults_is_the_smallest_safe_one(defaults):
    service = defaults.one(SERVICE, "web").inputs
    task = defaults.one(TASK_DEFINITION, "web").inputs
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}
    assert (service["desiredCount"], service["launchType"]) == (1, "FARGATE")
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert (service["deploymentMinimumHealthyPercent"], service["deploymentMaximumPercent"]) == (100, 200)
    assert service["enableExecuteCommand"] is False
    assert service["healthCheckGracePeriodSeconds"] == 60
    (container,) = json.loads(task["containerDefinitions"])
    assert container["portMappings"] == [{"containerPort": 80, "protocol": "tcp"}]
    assert container["readonlyRootFilesystem"] is False and "user" not in container
    log_group = defaults.one("aws:cloudwatch/logGroup:LogGroup", "web").inputs
    assert log_group["retentionInDays"] == 30
    health = defaults.one(TARGET_GROUP, "web").inputs["healthCheck"]
    assert health == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/",
        "matcher": "200-399",
        "interval": 30,
        "timeout": 5,
        "healthyThreshold": 3,
        "unhealthyThreshold": 3,
    }


def test_defaults_route_everything_to_the_service_with_its_derived_priority(defaults):
    rule = defaults.one(LISTENER_RULE, "web").inputs
    assert rule["conditions"] == [{"pathPattern": {"values": ["/*"]}}]
    assert rule["priority"] == defaults.outputs["priority"] == derived_priority("web", RoutingArgs())


def test_defaults_keep_tasks_reachable_only_from_the_alb_on_the_container_port(defaults):
    tasks = defaults.one(SECURITY_GROUP, "web")
    alb = defaults.one(SECURITY_GROUP, "alb")
    (ingress,) = [
        r.inputs
        for r in defaults.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == tasks.id
    ]
    assert (ingress["referencedSecurityGroupId"], ingress["fromPort"], ingress["toPort"]) == (alb.id, 80, 80)


def test_defaults_of_the_network_load_balancer_and_cluster(defaults):
    vpc = defaults.one("aws:ec2/vpc:Vpc").inputs
    assert vpc["cidrBlock"] == "10.0.0.0/16"
    assert len(defaults.of_type("aws:ec2/subnet:Subnet")) == 2 * NetworkArgs().availability_zones
    assert defaults.of_type("aws:ec2/natGateway:NatGateway") == []
    assert defaults.one("aws:ec2/flowLog:FlowLog").inputs["trafficType"] == "REJECT"
    alb = defaults.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert (alb["internal"], alb["enableDeletionProtection"], alb["dropInvalidHeaderFields"]) == (False, False, True)
    assert "accessLogs" not in alb
    (listener,) = defaults.of_type("aws:lb/listener:Listener")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    cluster = defaults.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]


def test_args_defaults_are_the_safe_ones_each_field_states():
    service = FargateServiceArgs(
        cluster_arn="c",
        cluster_name="c",
        vpc_id="v",
        subnet_ids=[],
        load_balancer=None,
        image="nginx",
    )
    assert service.assign_public_ip is False and service.exec_command is False
    assert service.capacity_provider_strategies == () and service.autoscaling is None
    assert LoadBalancerArgs(vpc_id="v", subnet_ids=[]).ingress_cidrs == ("0.0.0.0/0", "::/0")
    assert ClusterArgs().capacity_providers == ()
    assert NetworkArgs().flow_log_traffic == "rejected" and NetworkArgs(vpc="default").flow_log_traffic == "off"
    assert ContainerImageArgs(context="app").platform == "linux/amd64"
    assert AutoscalingArgs(max_count=3).clamp(7) == 3


# --------------------------------------------------------------------------- two of each


def test_two_networks_load_balancers_and_clusters_coexist_with_their_own_names(two_of_each):
    urns = [r.urn for r in two_of_each.resources]
    assert len(urns) == len(set(urns))
    tags = Counter(
        r.inputs["tags"]["Name"]
        for r in two_of_each.resources
        if r.custom
        and isinstance(r.inputs.get("tags"), dict)
        and "Name" in r.inputs["tags"]
        and r.type
        in (
            "aws:ec2/vpc:Vpc",
            "aws:ec2/subnet:Subnet",
            "aws:lb/loadBalancer:LoadBalancer",
            "aws:ecs/cluster:Cluster",
            "aws:ec2/internetGateway:InternetGateway",
        )
    )
    assert [name for name, count in tags.items() if count > 1] == []
    assert {
        "args-fixture-test-net-a-vpc",
        "args-fixture-test-net-b-vpc",
        "args-fixture-test-alb-a",
        "args-fixture-test-alb-b",
    } <= set(tags)
    # Each ALB's physical name is its own and within ELBv2's 32 characters.
    names = [r.outputs["name"] for r in two_of_each.of_type("aws:lb/loadBalancer:LoadBalancer")]
    names += [r.outputs["name"] for r in two_of_each.of_type(TARGET_GROUP)]
    assert len(set(names)) == len(names) == 4 and max(map(len, names)) <= 32


def test_each_service_is_wired_to_its_own_network_and_load_balancer(two_of_each):
    for suffix in ("a", "b"):
        vpc = next(r for r in two_of_each.of_type("aws:ec2/vpc:Vpc") if r.name == f"net-{suffix}-vpc")
        assert two_of_each.one(TARGET_GROUP, f"web-{suffix}").inputs["vpcId"] == vpc.id
        listener = two_of_each.one("aws:lb/listener:Listener", f"alb-{suffix}-http")
        assert two_of_each.one(LISTENER_RULE, f"web-{suffix}").inputs["listenerArn"] == listener.outputs["arn"]
        cluster = two_of_each.one("aws:ecs/cluster:Cluster", f"cluster-{suffix}")
        assert two_of_each.one(SERVICE, f"web-{suffix}").inputs["cluster"] == cluster.outputs["arn"]


# --------------------------------------------------------------------------- Outputs as inputs


def test_ids_made_by_other_resources_reach_every_child(outputs):
    vpc_id = outputs.outputs["vpcId"]
    for type_token, name in ((SECURITY_GROUP, "alb"), (SECURITY_GROUP, "api"), (TARGET_GROUP, "api")):
        assert outputs.one(type_token, name).inputs["vpcId"] == vpc_id
    subnets = sorted(r.id for r in outputs.of_type("aws:ec2/subnet:Subnet"))
    assert sorted(outputs.one("aws:lb/loadBalancer:LoadBalancer").inputs["subnets"]) == subnets
    assert sorted(outputs.one(SERVICE, "api").inputs["networkConfiguration"]["subnets"]) == subnets
    vpc = outputs.one("aws:ec2/vpc:Vpc")
    assert vpc.urn in outputs.one(TARGET_GROUP, "api").property_dependencies["vpcId"]


def test_an_output_certificate_turns_on_https(outputs):
    certificate = outputs.one("aws:acm/certificate:Certificate")
    https = outputs.one("aws:lb/listener:Listener", "alb-https").inputs
    assert (https["port"], https["certificateArn"]) == (443, certificate.outputs["arn"])
    assert (
        outputs.one(LISTENER_RULE, "api").inputs["listenerArn"]
        == outputs.one("aws:lb/listener:Listener", "alb-https").outputs["arn"]
    )


def test_an_output_image_and_secret_are_granted_exactly(outputs):
    repository = outputs.one("aws:ecr/repository:Repository", "app")
    parameter = outputs.one("aws:ssm/parameter:Parameter", "db-password")
    main, envoy = json.loads(outputs.one(TASK_DEFINITION, "api").inputs["containerDefinitions"])
    assert main["image"] == repository.outputs["repositoryUrl"] + ":1.0"
    assert main["secrets"] == [{"name": "DB_PASSWORD", "valueFrom": parameter.outputs["arn"]}]
    assert envoy["name"] == "envoy"
    policy = json.loads(outputs.one(ROLE_POLICY, "api-execution").inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["PullImages"]["Resource"] == [repository.outputs["arn"]]
    assert statements["ReadSsmParameters"]["Resource"] == [parameter.outputs["arn"]]
    assert "ReadSecretsManagerSecrets" not in statements


def test_an_outputs_program_previews_with_its_outputs_unknown(outputs):
    previewed = run_scenario("outputs", preview=True)
    assert [r.urn for r in previewed.resources] == [r.urn for r in outputs.resources]


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
@pytest.mark.parametrize("scenario", ["defaults", "two_of_each", "outputs"])
def test_programs_composed_from_args_pass_the_policy_pack(scenario, preview):
    result = run(
        ARGS_FIXTURE,
        "test",
        preview=preview,
        policy_pack=PROJECT / "policies",
        stack_config={"aws:region": "us-east-1", "fixture:scenario": scenario},
    )
    assert result.policy_pack, "the policy pack did not run"
    assert result.mandatory == [], [f"{v.policy}: {v.message}" for v in result.mandatory]


def test_requests_scaling_labels_with_the_load_balancers_and_target_groups_suffixes(outputs):
    alb = outputs.one("aws:lb/loadBalancer:LoadBalancer")
    group = outputs.one(TARGET_GROUP, "api")
    policy = outputs.one("aws:appautoscaling/policy:Policy", "api-requests").inputs
    label = policy["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"]["resourceLabel"]
    assert label == f"{alb.outputs['arnSuffix']}/{group.outputs['arnSuffix']}"


# --------------------------------------------------------------------------- invalid args


def service_args(**changes) -> FargateServiceArgs:
    return FargateServiceArgs(
        **{
            "cluster_arn": "c",
            "cluster_name": "c",
            "vpc_id": "v",
            "subnet_ids": [],
            "load_balancer": None,
            "image": "nginx",
            **changes,
        }
    )


@pytest.mark.parametrize(
    "check, message",
    [
        (
            lambda: service_args(cpu=300).validate("web"),
            "FargateServiceArgs.cpu: 300 is not a Fargate task cpu; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384",
        ),
        (
            lambda: service_args(cpu=256, memory=4096).validate("web"),
            "FargateServiceArgs.memory: 4096 is not a Fargate task memory with cpu 256; allowed: 512, 1024, 2048 (MiB)",
        ),
        (
            lambda: service_args(image=None).validate("web"),
            "FargateServiceArgs.image: None is not one image source; allowed: exactly one of image and build",
        ),
        (
            lambda: service_args(log_retention_days=10).validate("web"),
            "FargateServiceArgs.log_retention_days: 10 is not a CloudWatch Logs retention; allowed: 1, 3, 5, 7, 14, 30, "
            "60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ),
        (
            lambda: service_args(routing=RoutingArgs(path_patterns=[])).validate("web"),
            "FargateServiceArgs.routing.path_patterns: [] is not a routing condition; "
            "allowed: at least one path pattern or host header",
        ),
        (
            lambda: service_args(routing=RoutingArgs(priority=0)).validate("web"),
            "FargateServiceArgs.routing.priority: 0 is not a listener-rule priority; allowed: 1 to 50000",
        ),
        (
            lambda: service_args(secrets={"DB": "arn:aws:s3:::bucket/key"}).validate("web"),
            "FargateServiceArgs.secrets.DB: 'arn:aws:s3:::bucket/key' is not a secret reference; "
            "allowed: the ARN of an SSM parameter or the full ARN of a Secrets Manager secret",
        ),
        (
            lambda: service_args(sidecars={"envoy": SidecarArgs(image="e")}, container_port=0).validate("web"),
            "FargateServiceArgs.container_port: 0 is not a port; allowed: 1 to 65535",
        ),
        (
            lambda: service_args(build=ContainerImageArgs(context="app", platform="linux/arm64"), image=None).validate(
                "web"
            ),
            "FargateServiceArgs.build.platform: 'linux/arm64' is not a platform for cpu_architecture X86_64; "
            "allowed: linux/amd64",
        ),
        (
            lambda: service_args().validate("a-name-longer-than-twenty-four"),
            "FargateService name: 'a-name-longer-than-twenty-four' is not a service name; allowed: 1-24 letters, digits "
            "and '-', not starting or ending with '-' (it names the target group, whose name allows 32 characters "
            "with an 8-character suffix)",
        ),
        (
            lambda: NetworkArgs(availability_zones=1).validate(),
            "NetworkArgs.availability_zones: 1 is not a number of availability zones; allowed: 2 to 6",
        ),
        (
            lambda: NetworkArgs(cidr_block="10.0.0.0/8").validate(),
            "NetworkArgs.cidr_block: '10.0.0.0/8' is not an IPv4 network from /16 to /22; allowed: e.g. 10.0.0.0/16 "
            "(no host bits set)",
        ),
        (
            lambda: NetworkArgs(vpc="existing").validate(),
            "NetworkArgs.vpc_id: None is not a VPC id; allowed: the existing VPC's id, with vpc 'existing'",
        ),
        (
            lambda: LoadBalancerArgs(vpc_id="v", subnet_ids=[], ingress_cidrs=["everyone"]).validate(),
            "LoadBalancerArgs.ingress_cidrs: 'everyone' is not a CIDR; allowed: IPv4 or IPv6 networks such as "
            "203.0.113.0/24 or ::/0",
        ),
        (
            lambda: ClusterArgs(capacity_providers=["EC2"]).validate(),
            "ClusterArgs.capacity_providers: 'EC2' is not a Fargate capacity provider; allowed: FARGATE, FARGATE_SPOT",
        ),
        (
            lambda: ServiceAutoscalingArgs(
                cluster_name="c", service_name="s", scaling=AutoscalingArgs(max_count=3, requests_per_target=100)
            ).validate(),
            "ServiceAutoscalingArgs.target_group_arn_suffix: None is not enough for requests_per_target; "
            "allowed: the load balancer's and target group's ARN suffixes",
        ),
        (
            lambda: AutoscalingArgs(max_count=3).validate(),
            "AutoscalingArgs: 'no policy' is not enough to scale; allowed: at least one of cpu_target, memory_target, "
            "requests_per_target, steps or schedules: without one nothing ever changes the task count",
        ),
    ],
)
def test_an_invalid_arg_is_one_error_naming_it_its_value_and_what_is_allowed(check, message):
    with pytest.raises(ArgsError) as caught:
        check()
    assert str(caught.value) == message


def test_outputs_are_never_judged_or_waited_for():
    """Values that would be refused as plain ones pass as Outputs: AWS judges them once known."""
    loop = asyncio.new_event_loop()  # Outputs hold futures of a loop
    asyncio.set_event_loop(loop)
    try:

        def unknown(value):
            return pulumi.Output.from_input(value)

        NetworkArgs(vpc="existing", vpc_id=unknown(None)).validate()
        service_args(secrets={"DB": unknown("arn:aws:s3:::bucket/key")}, cpu=unknown(300)).validate("web")
        LoadBalancerArgs(vpc_id=unknown("v"), subnet_ids=unknown([]), idle_timeout_seconds=unknown(0)).validate()
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def test_args_errors_are_run_errors_which_pulumi_prints_without_a_traceback():
    # pulumi.RunError: "a clean exit rather than the usual verbose unhandled error logic
    # which emits the source program text and complete stack trace" (pulumi/errors.py).
    assert issubclass(ArgsError, pulumi.RunError)


def test_an_invalid_arg_stops_the_program_before_its_component_registers():
    with pytest.raises(ProgramError) as caught:
        run_scenario("invalid_cpu")
    assert str(caught.value) == (
        "FargateServiceArgs.cpu: 300 is not a Fargate task cpu; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384"
    )


def test_a_listener_refuses_nothing_it_has_not_given_out():
    listener = ListenerPriorities()
    assert listener.claim("r", "web", RoutingArgs(priority=5)) == 5
    assert listener.claim("r", "api", RoutingArgs(path_patterns=["/api/*"])) == derived_priority(
        "api", RoutingArgs(path_patterns=["/api/*"])
    )


def test_pulumi_aws_args_types_pass_through_as_given():
    """Reused provider types (health check, circuit breaker, access logs) reach the
    resources unchanged: the component adds nothing of its own to them."""
    args = service_args(
        health_check=aws.lb.TargetGroupHealthCheckArgs(path="/healthz"),
        deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=False, rollback=False),
    )
    assert args.health_check.path == "/healthz" and args.deployment_circuit_breaker.enable is False
    default = FargateServiceArgs.__dataclass_fields__["health_check"].default_factory
    assert callable(default) and isinstance(default(), aws.lb.TargetGroupHealthCheckArgs)
