"""The translation's naming rules on hand-written schema blocks (no Terraform, no schema dump)."""

import pytest

from rehearsal.errors import TranslationError
from rehearsal.translate import _block_key, _Context, _convert_block, _element_fields, _References, snake

BLOCK = {
    "attributes": {
        "name": {"type": "string"},
        "ingress": {"type": ["set", ["object", {"from_port": "number"}]]},
        "tags": {"type": ["map", "string"]},
        "container_definitions": {"type": "string"},
    },
    "block_types": {
        "default_action": {"nesting_mode": "list", "block": {"attributes": {"type": {"type": "string"}}}},
        "health_check": {
            "nesting_mode": "list",
            "max_items": 1,
            "block": {"attributes": {"healthy_threshold": {"type": "number"}}},
        },
        "capacity_provider_strategy": {"nesting_mode": "set", "block": {"attributes": {"weight": {"type": "number"}}}},
    },
}


def context(candidates=None):
    return _Context("aws_x.y", _References(candidates or {}), [])


def test_camel_case_becomes_snake_case():
    assert snake("enableDnsHostnames") == "enable_dns_hostnames"
    assert snake("cidrIpv4") == "cidr_ipv4"


def test_the_bridges_plural_list_blocks_map_back_to_the_block_and_ingress_stays():
    assert _block_key("defaultActions", BLOCK) == ("block", "default_action")
    assert _block_key("capacityProviderStrategies", BLOCK) == ("block", "capacity_provider_strategy")
    assert _block_key("ingress", BLOCK) == ("attribute", "ingress")


def test_a_flattened_single_block_becomes_a_list_of_one_and_map_keys_are_kept():
    body = _convert_block({"healthCheck": {"healthyThreshold": 3}, "tags": {"Name": "x"}}, BLOCK, "", context())
    assert body == {"health_check": [{"healthy_threshold": 3}], "tags": {"Name": "x"}}


def test_an_input_without_schema_counterpart_is_an_error_naming_it():
    with pytest.raises(TranslationError, match="'bogusInput'"):
        _convert_block({"bogusInput": 1}, BLOCK, "", context(), top=True)


def test_region_is_left_out_and_listed():
    ctx = context()
    assert _convert_block({"region": "us-east-1", "name": "a"}, BLOCK, "", ctx, top=True) == {"name": "a"}
    assert ctx.left_out == ["aws_x.y.region"]


def test_a_services_deployment_strategy_inputs_are_left_out_by_path_and_listed():
    service = {
        "block_types": {
            "load_balancer": {
                "nesting_mode": "set",
                "block": {"attributes": {"target_group_arn": {"type": "string"}, "container_port": {"type": "number"}}},
            }
        },
        "attributes": {"name": {"type": "string"}},
    }
    ctx = _Context("aws_ecs_service.shop", _References({}), [], "aws_ecs_service")
    inputs = {
        "name": "shop",
        "deploymentConfiguration": {"strategy": "CANARY"},
        "loadBalancers": [{"targetGroupArn": "tg", "containerPort": 80, "advancedConfiguration": {"roleArn": "r"}}],
    }
    body = _convert_block(inputs, service, "", ctx, top=True, tf_type="aws_ecs_service")
    assert body == {"name": "shop", "load_balancer": [{"target_group_arn": "tg", "container_port": 80}]}
    assert ctx.left_out == [
        "aws_ecs_service.shop.deploymentConfiguration",
        "aws_ecs_service.shop.loadBalancers[0].advancedConfiguration",
    ]
    # The same key on another resource type is still an error.
    with pytest.raises(TranslationError, match="'deploymentConfiguration'"):
        _convert_block({"deploymentConfiguration": {}}, BLOCK, "", context(), top=True, tf_type="aws_x")


def test_outputs_inside_json_strings_become_references_and_literal_templates_are_escaped():
    ctx = context({"/ecs/fargate-dev-web": ((0, 1), "aws_cloudwatch_log_group.web.name")})
    body = _convert_block(
        {"containerDefinitions": '{"group": "/ecs/fargate-dev-web", "cmd": "${HOME}"}'}, BLOCK, "", ctx
    )
    assert body["container_definitions"] == '{"group": "${aws_cloudwatch_log_group.web.name}", "cmd": "$${HOME}"}'


def test_a_value_from_an_element_of_a_computed_list_picks_that_element_by_its_domain_name():
    """A validation record's name and value come from the certificate's domain_validation_options,
    a set whose order is AWS's: the reference selects the element, not a position."""
    options = [
        {
            "resourceRecordName": "_a1.example.com.",
            "domainName": "example.com",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": "_b2.acm-validations.aws.",
        }
    ]
    attribute = "aws_acm_certificate.alb.domain_validation_options"
    ctx = context({value: (rank, reference) for value, rank, reference in _element_fields(options, attribute)})
    body = _convert_block({"name": "_a1.example.com.", "tags": {"value": "_b2.acm-validations.aws."}}, BLOCK, "", ctx)
    pick = f'[for o in {attribute} : o.%s if o.domain_name == "example.com"]'
    assert body["name"] == "${one(" + pick % "resource_record_name" + ")}"
    assert body["tags"] == {"value": "${one(" + pick % "resource_record_value" + ")}"}
    assert ctx.references.used == {"aws_acm_certificate.alb"}


def _rehearsal_doc() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[2] / "docs" / "rehearsal.md").read_text()


def test_the_rehearsal_doc_gaps_table_lists_every_gap_of_the_harness():
    from rehearsal.gaps import GAPS

    doc = _rehearsal_doc()
    for gap in GAPS:
        assert f"| `{gap.resource}` | {gap.attribute} | {gap.moto} |" in doc, gap


def test_the_rehearsal_doc_settings_table_lists_every_harness_setting():
    from rehearsal.gaps import SETTINGS

    doc = _rehearsal_doc()
    for setting in SETTINGS:
        assert f"| {setting.setting} | {setting.why} | {setting.unchanged} |" in doc, setting


def test_the_rehearsal_doc_names_every_input_newer_than_the_provider():
    from rehearsal.gaps import NEWER_THAN_PROVIDER

    doc = _rehearsal_doc()
    for name, why in NEWER_THAN_PROVIDER.items():
        assert f"| `{name}` | {why} |" in doc, name
