"""The config reference (docs/configuration.md, and the autoscaling table of docs/scaling.md)
against the models it is generated from."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from components.config import (
    AutoscalingConfig,
    StackConfig,
)
from components.config.reference import default_words, rows, table, type_words

from ..conftest import PROJECT

DOCS = Path(PROJECT) / "docs"


def _generated(page: str) -> str:
    """The generated table of a docs page, between its `generated` markers."""
    text = (DOCS / page).read_text()
    return text.split("<!-- generated: ", 1)[1].split(" -->\n", 1)[1].split("<!-- /generated -->", 1)[0]


def test_the_config_reference_lists_every_key():
    section = _generated("configuration.md")
    missing = [key for key in _keys(StackConfig) if f"`{key}`" not in section]
    assert not missing, f"docs/configuration.md lacks {missing}"


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
        if (
            typing.get_origin(annotation) in (tuple,)
            and args
            and isinstance(args[0], type)
            and issubclass(args[0], BaseModel)
        ):
            nested, key = args[0], key + "[]"
        if nested is None:
            keys.append(key)
        elif typing.get_origin(annotation) is dict:
            keys += _keys(nested, key + ".<name>.")
        else:
            keys += _keys(nested, key + ".")
    return keys


def test_the_config_reference_is_the_table_generated_from_the_models():
    assert _generated("configuration.md") == table() + "\n", (
        "docs/configuration.md is stale: python -m components.config.reference"
    )


def test_the_scaling_keys_are_the_table_generated_from_the_autoscaling_model():
    assert _generated("scaling.md") == table(AutoscalingConfig, "") + "\n", (
        "docs/scaling.md is stale: python -m components.config.reference autoscaling"
    )


def test_every_documented_key_has_a_description_type_and_default():
    for key, field in rows():
        assert field.description, f"{key} has no Field(description=...)"
        assert type_words(field) != "a value" and default_words(field), key


def test_the_generated_table_states_the_models_own_defaults_and_bounds():
    by_key = {key: (type_words(field), default_words(field)) for key, field in rows()}
    assert by_key["fargate:loadBalancer.idleTimeoutSeconds"] == ("an integer from 1 to 4000", "`60`")
    assert by_key["fargate:services.<name>.desiredCount"] == ("an integer of at least 0", "`1`")
    assert by_key["fargate:network.vpc"] == ("one of 'new', 'default', 'existing'", "`new`")
    assert by_key["fargate:services.<name>.sidecars.<name>.image"][1] == "required"
    assert by_key["fargate:cluster.containerInsights"] == ("true or false", "`true`")


def test_every_autoscaling_key_has_a_description_too():
    # Its table lives in docs/scaling.md: python -m components.config.reference autoscaling
    keys = dict(rows(AutoscalingConfig, ""))
    assert {"minCount", "maxCount", "steps.metric", "schedules[].timezone"} <= keys.keys()
    assert all(field.description for field in keys.values()), [k for k, f in keys.items() if not f.description]
    assert (type_words(keys["maxCount"]), default_words(keys["maxCount"])) == ("an integer of at least 1", "required")
