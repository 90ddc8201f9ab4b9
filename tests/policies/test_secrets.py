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
