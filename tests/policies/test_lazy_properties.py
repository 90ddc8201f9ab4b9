"""policies/one_pass.py's `LazyProperties`: a resource's properties converted one property at a time.

pulumi-policy hands a rule `unknown_checking_proxy(deserialize_properties(MessageToDict(message)))`.
The lazy view must be indistinguishable from it: every read (`[]`, `get`, `in`, `items`, `==`)
returns an equal value of the same types or raises the same `UnknownValueError`, iteration keeps
the message's order, `__target` is the whole converted dict (holding the very values read before),
and writes land where the SDK's land. A message the key-by-key conversion could get wrong (a
secret, an asset, a number JSON cannot hold) is converted whole, as before.
"""

from __future__ import annotations

import math
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy import proxy as sdk_proxy
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY, deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies import one_pass
from policies.fargate_policies import _secrets

UNKNOWNS = [
    sdk_proxy.UNKNOWN_BOOLEAN_VALUE,
    sdk_proxy.UNKNOWN_NUMBER_VALUE,
    sdk_proxy.UNKNOWN_STRING_VALUE,
    sdk_proxy.UNKNOWN_ARRAY_VALUE,
    sdk_proxy.UNKNOWN_OBJECT_VALUE,
]
MARKING = _secrets._secret_marking(deserialize_properties)  # the pack's deserializer, as installed
CONVERSIONS = {
    "sdk": one_pass.KeyByKey(deserialize_properties, unknown_checking_proxy, sdk_proxy._is_unknown),
    "pack": one_pass.KeyByKey(MARKING, unknown_checking_proxy, sdk_proxy._is_unknown),
}

# What the engine sends: JSON values (numbers are doubles), some of them unknown.
values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(UNKNOWNS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)
documents = st.dictionaries(st.sampled_from(["id", "arn", "name", "tags", "ingress", "b", "a", ""]), values)


def struct(document: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(document)
    return message


def eager(message: struct_pb2.Struct, conversion: one_pass.KeyByKey) -> Any:
    """What pulumi-policy builds for a policy."""
    return conversion.proxy(conversion.deserialize(json_format.MessageToDict(message)))


def lazy(message: struct_pb2.Struct, conversion: one_pass.KeyByKey) -> one_pass.LazyProperties:
    return one_pass.LazyProperties(message.fields, conversion)


def plain(value: Any) -> Any:
    """A proxied value with its types, unknowns included, read without the unknown check."""
    if hasattr(value, "keys"):
        return ("dict", type(value).__name__, whole(value))
    if hasattr(value, "__len__") and not isinstance(value, str):
        return ("list", type(value).__name__, [plain(_secrets.raw(value, i)) for i in range(len(value))])
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return (type(value).__name__, sorted((k, v) for k, v in vars(value).items() if isinstance(v, str)))
    return (type(value).__name__, value)


def whole(props: Any) -> list[Any]:
    """The top-level properties as `plain` values, in order (the view's own type aside)."""
    return [(key, plain(_secrets.raw(props, key))) for key in props.keys()]


def outcome(read) -> Any:
    """What a read returns (as `plain`) or raises (type, and for an unknown its message and path)."""
    try:
        return ("value", plain(read()))
    except UnknownValueError as error:
        return ("unknown", error.message, error.props, error.unknown_type_sentinel)
    except Exception as error:  # the exception is what is compared
        return ("raises", type(error).__name__, str(error))


def observe(props: Any, keys: list[Any]) -> list[Any]:
    """Everything a rule can learn from a top-level view, the keys read in the given order."""
    seen: list[Any] = [len(props), list(props)]
    for key in keys:
        seen.append((key, outcome(lambda key=key: props[key])))
        seen.append((key, "get", outcome(lambda key=key: props.get(key, "default"))))
        seen.append((key, "in", outcome(lambda key=key: key in props)))
    seen.append(("items", outcome(lambda: dict(props.items()))))
    seen.append(("keys", list(props.keys())))
    return seen


@pytest.mark.parametrize("conversion", CONVERSIONS.values(), ids=CONVERSIONS.keys())
@given(document=documents, order=st.randoms(use_true_random=False))
def test_every_read_is_the_sdk_proxys(conversion, document, order):
    message = struct(document)
    # Not `assert converts_lazily(message)`: its scan of the bytes may raise a false alarm on a
    # finite document (a 0x11 byte in a string or a length, then two bytes that look like a
    # non-finite double's), which only costs a whole conversion; the view must agree either way.
    keys: list[Any] = [*document, "missing", 0, None, ("id",)]
    order.shuffle(keys)
    expected, view = eager(message, conversion), lazy(message, conversion)
    assert observe(view, keys) == observe(expected, keys)
    # Reading a second time answers the same (and the view's shortcut for known values agrees).
    assert observe(view, keys) == observe(expected, keys)
    assert outcome(lambda: view == expected) == outcome(lambda: expected == eager(message, conversion))


@pytest.mark.parametrize("conversion", CONVERSIONS.values(), ids=CONVERSIONS.keys())
@given(document=documents, read=st.lists(st.sampled_from(["id", "arn", "name", "tags", "ingress", "b", "a", ""])))
def test_the_whole_target_is_the_sdks_around_the_values_already_read(conversion, document, read):
    message = struct(document)
    view, expected = lazy(message, conversion), eager(message, conversion)
    before = {}
    for key in read:
        try:
            before[key] = view[key]
        except (KeyError, UnknownValueError):
            pass
    target = view["__target"]
    assert isinstance(target, dict)
    assert whole(view) == whole(expected)
    assert [(k, plain(v)) for k, v in target.items()] == [(k, plain(v)) for k, v in expected["__target"].items()]
    for key, value in before.items():
        assert target[key] is value and view[key] is value
    assert view["__target"] is target
    assert observe(view, [*document, "missing"]) == observe(expected, [*document, "missing"])


def test_the_view_is_a_read_only_mapping_like_the_sdks():
    message = struct({"id": "vpc-1", "cidrBlock": sdk_proxy.UNKNOWN_STRING_VALUE, "tags": {"Name": "main"}})
    view = lazy(message, CONVERSIONS["pack"])
    assert view.get("id") == "vpc-1" and view.get("nope") is None and "id" in view and "nope" not in view
    with pytest.raises(UnknownValueError) as unknown:
        view["cidrBlock"]
    assert unknown.value.message == "string value at .cidrBlock can't be known during preview"
    with pytest.raises(UnknownValueError):  # Mapping's `in` reads the value, as the SDK proxy's does
        "cidrBlock" in view  # noqa: B015
    with pytest.raises(TypeError):  # an unhashable key, as a dict answers it
        view[["id"]]
    assert view["tags"]["Name"] == "main" and type(view["tags"]) is sdk_proxy._DictProxy
    with pytest.raises(UnknownValueError):
        view == {"id": "vpc-1"}  # noqa: B015 - Mapping's == reads every value, as for the SDK proxy
    assert len(message.fields) == 3  # reading a missing key added none to the message


def test_writes_land_where_the_sdks_land():
    for make in (lazy, eager):
        view = make(struct({"id": "a", "name": "n"}), CONVERSIONS["sdk"])
        assert view["id"] == "a"
        view["id"] = "b"
        view["extra"] = 1.0
        assert view["id"] == "b" and view["__target"]["extra"] == 1.0 and list(view) == ["id", "name", "extra"]
        assert len(view) == 3
        view["__target"]["name"] = "m"
        assert view["name"] == "m"


def test_a_view_read_through_the_target_sees_later_writes_to_it():
    view = lazy(struct({"id": "a"}), CONVERSIONS["sdk"])
    assert view["id"] == "a"
    view["__target"]["id"] = "b"
    assert view["id"] == "b"


def test_iteration_keeps_the_order_json_format_reads_the_message_in():
    message = struct({f"key{i:03d}-{'x' * (i % 7)}": float(i) for i in range(200)})
    assert list(lazy(message, CONVERSIONS["sdk"])) == list(json_format.MessageToDict(message))


def secret(value):
    return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": value}


@pytest.mark.parametrize(
    ("document", "lazily"),
    [
        ({"id": "a", "n": 1.5, "list": [1.0, -2.0, 0.0, 1e308, -1e-308]}, True),
        ({"password": secret("hunter2")}, False),
        ({"environment": [{"value": secret(sdk_proxy.UNKNOWN_STRING_VALUE)}]}, False),
        ({"code": {SPECIAL_SIG_KEY: "c44067f5952c0a294b673a41bacd8c17", "text": "x"}}, False),  # an asset
        ({"note": f"mentions {SPECIAL_SIG_KEY}"}, False),  # costs a whole conversion, changes nothing
    ],
)
def test_what_may_not_convert_key_by_key_is_converted_whole(monkeypatch, document, lazily):
    from pulumi_policy import policy as sdk

    message = struct(document)
    assert one_pass.converts_lazily(message) is lazily
    monkeypatch.setattr(one_pass, "_key_by_key", CONVERSIONS["pack"])
    monkeypatch.setattr(sdk, "deserialize_properties", MARKING)
    props = one_pass._properties(message, sdk)
    assert isinstance(props, one_pass.LazyProperties) is lazily
    assert whole(props) == whole(eager(message, CONVERSIONS["pack"]))
    if "password" in document:
        assert _secrets.is_secret(props["password"])  # marked as before
    if "environment" in document:
        assert _secrets.is_secret(_secrets.raw(props["environment"][0], "value"))


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_number_json_cannot_hold_still_fails_the_whole_conversion(monkeypatch, number):
    from pulumi_policy import policy as sdk

    message = struct({"id": "a", "deep": {"list": ["x", number]}})
    assert not one_pass.converts_lazily(message)
    monkeypatch.setattr(one_pass, "_key_by_key", CONVERSIONS["pack"])
    with pytest.raises(ValueError, match="Fail to serialize"):
        one_pass._properties(message, sdk)


def test_only_conversions_known_to_work_key_by_key_are_split(monkeypatch):
    assert one_pass._works_key_by_key(deserialize_properties, unknown_checking_proxy) is sdk_proxy._is_unknown
    assert one_pass._works_key_by_key(MARKING, unknown_checking_proxy) is sdk_proxy._is_unknown
    assert one_pass._works_key_by_key(lambda props: props, unknown_checking_proxy) is None
    assert one_pass._works_key_by_key(deserialize_properties, lambda props: props) is None
    monkeypatch.delattr(sdk_proxy, "_is_unknown")
    assert one_pass._works_key_by_key(deserialize_properties, unknown_checking_proxy) is None


@pytest.mark.parametrize(
    "value",
    [
        "text",
        sdk_proxy.UNKNOWN_STRING_VALUE,
        2.0,
        False,
        None,
        ["a", sdk_proxy.UNKNOWN_STRING_VALUE, {"k": 1.0}],
        {"k": [sdk_proxy.UNKNOWN_NUMBER_VALUE], "n": None},
    ],
    ids=["string", "unknown", "number", "bool", "null", "list", "struct"],
)
def test_a_property_is_converted_as_the_whole_conversion_converts_it(value):
    message = struct({"v": value})
    for conversion in CONVERSIONS.values():
        converted = conversion.one("v", message.fields["v"])
        assert plain(converted) == plain(eager(message, conversion)["__target"]["v"])


def test_without_share_properties_are_converted_whole():
    from pulumi_policy import policy as sdk

    assert one_pass._key_by_key is None  # this process runs the SDK as is
    props = one_pass._properties(struct({"id": "a"}), sdk)
    assert type(props) is sdk_proxy._DictProxy
