"""preflight/recorder.py: the stack as the engine records it: URNs, parents, dependencies, component
outputs, the default provider, transforms, and what a preview leaves unknown."""

import pytest

from preflight import UNKNOWN, run

from .conftest import FIXTURES, STACK_URN


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


def test_default_provider_is_configured_from_the_aws_namespace(nested):
    provider = nested.one("pulumi:providers:aws")
    assert provider.name == "default_7_51_1"
    assert provider.inputs == {"region": "eu-west-1", "version": "7.51.1"}
    assert nested.one("aws:ec2/vpc:Vpc").provider == provider.urn


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
