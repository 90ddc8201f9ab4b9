"""fargate_policies/_props.py: reading properties that may be unknown in a preview."""

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policies.fargate_policies._props import UNKNOWN, peek


def test_peek_turns_an_unknown_into_a_marker_instead_of_an_error():
    props = unknown_checking_proxy({"a": {"b": UNKNOWN_STRING_VALUE}, "c": [1, UNKNOWN_STRING_VALUE], "d": None})
    assert peek(props, "a", "b") is UNKNOWN
    assert peek(props, "c", 1) is UNKNOWN
    assert peek(props, "c", 0) == 1
    assert peek(props, "missing", default="x") == "x"
    assert peek(props, "d", default="x") == "x"  # a null is as good as missing
    assert peek(props) is props
