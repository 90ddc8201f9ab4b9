"""preflight/values.py: the engine's wire values to and from protobuf Structs."""

from __future__ import annotations

import math

import pytest
from google.protobuf import struct_pb2
from hypothesis import given
from hypothesis import strategies as st

from preflight.values import struct_to_wire, wire_to_struct

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
def test_a_wire_dict_reads_back_as_written_with_every_number_a_double(wire):
    back = struct_to_wire(wire_to_struct(wire))
    assert back == wire
    assert all(type(back[key]) is float for key, value in wire.items() if type(value) in (int, float))


def test_an_empty_value_reads_as_null():
    struct = struct_pb2.Struct()
    struct.fields["unset"].Clear()
    assert struct_to_wire(struct) == {"unset": None}


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_number_that_is_not_finite_fails(number):
    struct = wire_to_struct({"deep": [{"n": number}]})
    with pytest.raises(ValueError, match="Fail to serialize"):
        struct_to_wire(struct)


def test_empty_containers_are_set_not_left_empty():
    struct = wire_to_struct({"map": {}, "list": [], "nested": [[], {}]})
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
def test_a_value_no_struct_holds_fails(value):
    with pytest.raises(ValueError, match="Unexpected type"):
        wire_to_struct({"key": [value]})
