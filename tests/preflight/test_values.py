"""preflight/values.py: the engine's wire values to and from protobuf Structs."""

from __future__ import annotations

import json
import math

import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import given
from hypothesis import strategies as st

from preflight.values import fill_struct, struct_to_wire, wire_to_struct

# What a Struct holds: strings, doubles, booleans, nulls, lists and nested structs.
_scalars = (
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.text(max_size=8)
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=6), _values, max_size=6))
def test_struct_to_wire_is_json_formats_dict(wire):
    struct = wire_to_struct(wire)
    ours, theirs = struct_to_wire(struct), json_format.MessageToDict(struct)
    # The same values of the same types (a double stays a float), in the same order.
    assert json.dumps(ours) == json.dumps(theirs)
    assert list(ours) == list(theirs)


def test_an_empty_value_reads_as_null():
    struct = struct_pb2.Struct()
    struct.fields["unset"].Clear()
    assert struct_to_wire(struct) == json_format.MessageToDict(struct) == {"unset": None}


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_number_that_is_not_finite_fails_as_in_json_format(number):
    struct = struct_pb2.Struct()
    struct.update({"deep": [{"n": number}]})
    with pytest.raises(ValueError, match="Fail to serialize") as theirs:
        json_format.MessageToDict(struct)
    with pytest.raises(ValueError, match="Fail to serialize") as ours:
        struct_to_wire(struct)
    assert str(ours.value) == str(theirs.value)


class _Text(str):
    """A str subclass: not a str by exact type, so `fill_struct` hands it to protobuf's own setter."""


@given(st.dictionaries(st.text(max_size=6), _values | st.tuples(_scalars, _scalars) | st.builds(_Text), max_size=6))
def test_fill_struct_sets_what_protobufs_update_sets(wire):
    theirs = struct_pb2.Struct()
    theirs.update(wire)
    ours = struct_pb2.Struct()
    fill_struct(ours, wire)
    assert ours == theirs
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True)
    assert [value.WhichOneof("kind") for value in ours.fields.values()] == [
        value.WhichOneof("kind") for value in theirs.fields.values()
    ]


def test_empty_containers_are_set_not_left_empty():
    struct = struct_pb2.Struct()
    fill_struct(struct, {"map": {}, "list": [], "nested": [[], {}]})
    assert [struct.fields[key].WhichOneof("kind") for key in ("map", "list", "nested")] == [
        "struct_value",
        "list_value",
        "list_value",
    ]
    assert [value.WhichOneof("kind") for value in struct.fields["nested"].list_value.values] == [
        "list_value",
        "struct_value",
    ]


@pytest.mark.parametrize("value", [object(), b"bytes", {1, 2}])
def test_a_value_no_struct_holds_fails_as_in_protobuf(value):
    with pytest.raises(ValueError, match="Unexpected type") as theirs:
        struct_pb2.Struct().update({"key": value})
    with pytest.raises(ValueError, match="Unexpected type") as ours:
        fill_struct(struct_pb2.Struct(), {"key": [value]})
    assert str(ours.value) == str(theirs.value)
