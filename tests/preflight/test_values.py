"""preflight/values.py: the engine's wire values to and from protobuf Structs."""

import json
import math

import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import given
from hypothesis import strategies as st

from preflight.values import struct_to_wire, wire_to_struct

# What a Struct holds: strings, doubles, booleans, nulls, lists and nested structs.
_scalars = st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
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
