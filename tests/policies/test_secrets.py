"""fargate_policies/_secrets.py: which values reach the rules as Pulumi secrets."""

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy


def test_the_pack_deserializer_marks_secrets_and_keeps_everything_else_as_the_sdk_does():
    from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties

    from policies.fargate_policies import _secrets

    def secret(value):
        return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}

    wire = {
        "plain": "a",
        "known": secret("hunter2"),
        "unknown": secret(UNKNOWN_STRING_VALUE),
        "nested": {"list": [1.0, secret({"k": "v", "n": 2.0})]},
    }
    marking = _secrets._secret_marking(deserialize_properties)(wire)
    assert marking == deserialize_properties(wire)
    props = unknown_checking_proxy(marking)
    assert not _secrets.is_secret(props["plain"]) and _secrets.is_secret(props["known"])
    assert _secrets.is_secret(_secrets.raw(props, "unknown"))
    with pytest.raises(UnknownValueError):
        props["unknown"]
    assert _secrets.contains_secret(props["nested"]) and not _secrets.contains_secret(props["nested"]["list"][0])
    assert json.loads(json.dumps({"v": props["known"]})) == {"v": "hunter2"}


def test_the_marking_is_put_in_place_only_on_a_release_it_was_tested_against(monkeypatch):
    from pulumi_policy import deserialize as sdk_deserialize
    from pulumi_policy import policy as sdk

    from policies.fargate_policies import _secrets

    assert sdk.deserialize_properties is sdk_deserialize.deserialize_properties  # this process runs the SDK as is
    monkeypatch.setattr(_secrets, "installed_release", lambda: "1.22.0")
    assert not _secrets.preserve_secrets()
    assert sdk.deserialize_properties is sdk_deserialize.deserialize_properties
    monkeypatch.setattr(_secrets, "installed_release", lambda: _secrets.TESTED_RELEASES[0])
    monkeypatch.setattr(sdk, "deserialize_properties", sdk.deserialize_properties)  # undone after the test
    assert _secrets.preserve_secrets() and _secrets.preserve_secrets()  # in place once, then left so
    assert sdk.deserialize_properties.marks_secrets  # type: ignore[attr-defined]
