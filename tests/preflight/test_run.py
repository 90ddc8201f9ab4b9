"""The recorded stack: URNs, parents, dependencies, config, provider answers, preview unknowns."""

import json
import re
from pathlib import Path

import pytest

from preflight import UNKNOWN, ProgramError, run
from preflight.secrets import stand_in

FIXTURES = Path(__file__).parent / "fixtures"
NESTED = FIXTURES / "nested"
FARGATE = FIXTURES / "aws_py_fargate"
BROKEN = FIXTURES / "broken"

STACK_URN = "urn:pulumi:dev::nested::pulumi:pulumi:Stack::nested-dev"


@pytest.fixture(scope="module")
def nested():
    return run(NESTED, "dev", policy_pack=None)


@pytest.fixture(scope="module")
def nested_preview():
    return run(NESTED, "dev", preview=True, policy_pack=None)


def test_urns_carry_the_parent_type_chain_without_the_root_stack(nested):
    rule = nested.one("aws:ec2/securityGroupRule:SecurityGroupRule", "edge-rules-80")
    assert rule.urn == (
        "urn:pulumi:dev::nested::acme:network:Edge$acme:network:Rules"
        "$aws:ec2/securityGroupRule:SecurityGroupRule::edge-rules-80"
    )
    assert nested.one("aws:ec2/vpc:Vpc").urn == "urn:pulumi:dev::nested::aws:ec2/vpc:Vpc::vpc"


def test_parents_form_the_component_tree(nested):
    edge = nested.one("acme:network:Edge")
    rules = nested.one("acme:network:Rules")
    assert edge.parent == STACK_URN and not edge.custom
    assert rules.parent == edge.urn
    assert {r.name for r in nested.children(rules.urn)} == {"edge-rules-80", "edge-rules-443"}
    assert nested.one("pulumi:pulumi:Stack").parent is None


def test_dependencies_and_property_dependencies_come_from_the_registration(nested):
    group = nested.one("aws:ec2/securityGroup:SecurityGroup")
    vpc = nested.one("aws:ec2/vpc:Vpc")
    assert group.property_dependencies["vpcId"] == [vpc.urn]
    assert vpc.urn in group.dependencies
    rule = nested.one("aws:ec2/securityGroupRule:SecurityGroupRule", "edge-rules-443")
    assert rule.property_dependencies["securityGroupId"] == [group.urn]
    assert rule.property_dependencies.get("cidrBlocks", []) == []


def test_component_outputs_come_from_register_outputs(nested):
    assert nested.one("acme:network:Rules").outputs == {"count": 2}
    group = nested.one("aws:ec2/securityGroup:SecurityGroup")
    assert nested.one("acme:network:Edge").outputs == {"groupId": group.id}


def test_config_objects_project_defaults_and_stack_values(nested):
    assert nested.outputs["owner"] == "platform"  # an object value read with require_object
    assert nested.outputs["replicas"] == 3  # the stack overrides the project default of 2
    assert nested.one("aws:ec2/vpc:Vpc").inputs["tags"] == {"Name": "hello"}  # project default
    assert nested.outputs["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]  # aws:region in Pulumi.yaml


def test_secure_config_reaches_resources_as_a_secret(nested):
    parameter = nested.one("aws:ssm/parameter:Parameter")
    wire_value = parameter.wire_inputs["value"]
    assert wire_value["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert parameter.inputs["value"] == stand_in("nested:apiToken")


def test_stack_config_argument_replaces_the_stack_file():
    result = run(NESTED, "other", policy_pack=None, stack_config={
        "nested:settings": {"ports": [8080], "owner": {"team": "data"}},
        "replicas": 5,
        "nested:apiToken": "plain",
    })
    assert result.outputs["owner"] == "data" and result.outputs["replicas"] == 5
    assert [r.name for r in result.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")] == ["edge-rules-8080"]
    assert result.one("pulumi:pulumi:Stack").urn == "urn:pulumi:other::nested::pulumi:pulumi:Stack::nested-other"


def test_default_provider_is_configured_from_the_aws_namespace(nested):
    provider = nested.one("pulumi:providers:aws")
    assert provider.name == "default_7_51_1"
    assert provider.inputs == {"region": "eu-west-1", "version": "7.51.1"}
    assert nested.one("aws:ec2/vpc:Vpc").provider == provider.urn


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


def test_autonames_are_stable_across_runs_and_modes(nested, nested_preview):
    assert nested.one("aws:iam/role:Role").inputs["name"] == nested_preview.one("aws:iam/role:Role").inputs["name"]
    # Pulumi's suffix is random: the report marks the made-up one as simulated.
    assert "name" in nested.one("aws:iam/role:Role").simulated


def test_preview_leaves_what_only_aws_knows_unknown(nested_preview):
    vpc = nested_preview.one("aws:ec2/vpc:Vpc")
    assert vpc.id is UNKNOWN and vpc.outputs["arn"] is UNKNOWN and vpc.outputs["id"] is UNKNOWN
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    group = nested_preview.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["vpcId"] is UNKNOWN  # an input taken from another resource's id
    assert "arn" in group.simulated and "vpcId" not in group.simulated
    # Left out by the program, computed by the provider (its SDK getter is not Optional): unknown.
    assert "ingress" not in group.inputs and group.outputs["ingress"] is UNKNOWN
    assert group.outputs["description"] == "Managed by Pulumi"  # a schema default is known
    assert nested_preview.outputs["groupId"] is UNKNOWN
    assert nested_preview.outputs["imageUri"] is UNKNOWN  # the remote awsx component's output
    assert nested_preview.outputs["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]  # data sources run


def test_policy_document_invoke_renders_iam_json(nested):
    document = json.loads(nested.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert document == {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        }],
    }


def test_remote_component_gets_plausible_outputs(nested):
    image = nested.one("awsx:ecr:Image")
    repository = nested.one("aws:ecr/repository:Repository")
    assert image.remote and not image.custom
    assert re.fullmatch(re.escape(repository.outputs["repositoryUrl"]) + r"@sha256:[0-9a-f]{64}",
                        image.outputs["imageUri"])


@pytest.mark.parametrize("stack, message", [
    ("raise", r"the program raised KeyError: 'missing' \(at __main__\.py:12\)"),
    ("runerror", r"broken:failure: 'runerror' is not allowed"),
    ("invoke", r"the data source acme:index/getThing:getThing has no offline answer"),
    ("nameclash", r"Duplicate resource URN 'urn:pulumi:nameclash::broken::aws:sns/topic:Topic::logs'"),
    ("missing", r"no stack file for stack 'missing'"),
])
def test_failures_become_one_line_program_errors(stack, message):
    with pytest.raises(ProgramError) as caught:
        run(BROKEN, stack, policy_pack=None)
    assert re.search(message, str(caught.value))
    assert "\n" not in str(caught.value)


def test_runs_in_one_process_do_not_leak_into_each_other():
    first = run(BROKEN, "none", policy_pack=None)
    second = run(NESTED, "dev", policy_pack=None)
    third = run(BROKEN, "none", policy_pack=None)
    assert [r.name for r in first.resources] == [r.name for r in third.resources]
    assert not second.of_type("aws:sns/topic:Topic")


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_transforms_run_as_the_engine_runs_them(preview):
    result = run(FIXTURES / "transforms", "dev", preview=preview, policy_pack=None)
    plain = result.one("aws:sqs/queue:Queue", "plain")
    child = result.one("aws:sqs/queue:Queue", "jobs-queue")
    assert plain.inputs["tags"] == {"team": "web", "owner": "platform"}  # the stack's transform
    assert plain.inputs["delaySeconds"] == 5
    assert child.inputs["delaySeconds"] == 30  # the parent component's transform reaches its child
    assert child.inputs["tags"] == {"owner": "platform"}  # ... and then the stack's
    assert result.outputs["delay"] == 30  # the program sees the transformed value


def write_project(directory, manifest, stack_file, program):
    (directory / "Pulumi.yaml").write_text(manifest)
    (directory / "Pulumi.ci.yaml").write_text(stack_file)
    (directory / "infra.py").write_text(program)
    return directory


def test_main_may_name_a_file_and_project_types_are_checked(tmp_path):
    program = (
        "import pulumi, pulumi_aws as aws\n"
        "size = pulumi.Config().require_int('size')\n"
        "aws.sqs.Queue('jobs', delay_seconds=size)\n"
        "pulumi.export('size', size)\n"
    )
    manifest = "name: queue\nruntime: python\nmain: infra.py\nconfig:\n  size:\n    type: integer\n"
    result = run(write_project(tmp_path, manifest, "config:\n  queue:size: 5\n", program), "ci", policy_pack=None)
    assert result.outputs == {"size": 5}
    assert result.one("aws:sqs/queue:Queue").inputs["delaySeconds"] == 5
    (tmp_path / "Pulumi.ci.yaml").write_text("config:\n  queue:size: five\n")
    with pytest.raises(ProgramError, match="configuration key 'queue:size' must be of type 'integer', got 'five'"):
        run(tmp_path, "ci", policy_pack=None)


def test_only_python_programs_are_run(tmp_path):
    write_project(tmp_path, "name: web\nruntime: nodejs\n", "config: {}\n", "")
    with pytest.raises(ProgramError, match="runtime is 'nodejs'; preflight runs Python programs only"):
        run(tmp_path, "ci", policy_pack=None)


def test_resources_come_parents_first_then_what_is_used_before_its_users(committed_stack):
    result = committed_stack("prod", preview=False)
    position = {r.urn: index for index, r in enumerate(result.resources)}
    for resource in result.resources:
        if resource.parent:
            assert position[resource.parent] < position[resource.urn]
        for dependency in resource.dependencies:
            # Among siblings, the one used comes first (components count as using what their children use).
            if result.by_urn(dependency).parent == resource.parent:
                assert position[dependency] < position[resource.urn], (dependency, resource.urn)
    top_level = [r.name for r in result.resources if r.parent and r.parent.endswith("::fargate-prod")
                 and r.type.startswith("fargate:")]
    assert top_level.index("network") < top_level.index("alb") < top_level.index("web")
