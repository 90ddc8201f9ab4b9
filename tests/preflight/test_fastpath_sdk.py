"""preflight/fastpath/sdk.py: each fast path over the Pulumi SDK gives the SDK's own answer, is in
place only while a program runs, and is taken only with the switch on and a tested pulumi."""

import enum
import typing

import pulumi
import pytest
from google.protobuf import struct_pb2
from pulumi.output import UNKNOWN, Unknown
from pulumi.runtime import rpc, settings

from preflight import fastpath
from preflight.fastpath import sdk

pytestmark = pytest.mark.sdk_internals


def _replacement(piece, attribute):
    """The piece's replacement for `attribute`, made over the SDK's function as it is now."""
    return next(new for _, name, new in sdk.PIECES[piece]() if name == attribute)


def _sdk_attributes():
    return {(id(owner), name): getattr(owner, name) for piece in sdk.PIECES.values() for owner, name, _ in piece()}


def test_every_piece_is_in_place_while_the_program_runs_and_put_back_after():
    before = _sdk_attributes()
    with sdk.in_place():
        during = _sdk_attributes()
        assert all(during[key] is not before[key] for key in before)
    assert _sdk_attributes() == before


def test_with_the_switch_off_no_piece_is_taken(monkeypatch):
    monkeypatch.setenv(fastpath.SWITCH, "0")
    assert sdk.swaps() == []


def test_on_an_untested_pulumi_each_piece_is_off_and_says_so_once(monkeypatch, capsys):
    monkeypatch.setattr(fastpath, "installed", lambda distribution: "3.999.0")
    monkeypatch.setattr(fastpath, "_announced", set())
    assert sdk.swaps() == [] and sdk.swaps() == []
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == len(sdk.PIECES)
    assert lines[0].startswith("preflight: fast path 'sdk.no_stack_trace' is off: pulumi 3.999.0 is not a tested")


def test_the_locked_pulumi_is_a_tested_release():
    assert fastpath.installed("pulumi") in sdk.PULUMI_RELEASES


@pytest.mark.parametrize("value", ["s", 1, 1.5, True, None, {"a": ["b"]}, [1, {"x": None}], ("t",)])
def test_the_unknowns_fast_path_answers_as_the_sdk(value):
    ours = _replacement("sdk.scalar_translate", "contains_unknowns")
    assert ours(value) is rpc.contains_unknowns(value) is False
    for holding in (UNKNOWN, {"a": [UNKNOWN]}, [value, UNKNOWN]):
        assert ours(holding) is rpc.contains_unknowns(holding) is True


class _Color(enum.StrEnum):
    RED = "red"


class _Size(enum.IntEnum):
    ONE = 1


@pytest.mark.parametrize(
    "typ",
    [None, str, int, float, bool, typing.Any, typing.Optional[int], typing.Optional[_Color], _Color, _Size, dict],
)
@pytest.mark.parametrize("value", ["red", "s", 1, 1.0, 1.5, True, None, {"a": 1.0}, [1.0, "red"]])
def test_the_translate_fast_path_gives_what_the_sdk_gives(monkeypatch, value, typ):
    def translated(translate):
        monkeypatch.setattr(rpc, "translate_output_properties", translate)  # the SDK's recursion too
        try:
            return translate(value, lambda key: key, typ, True)
        except Exception as error:  # the same error
            return (type(error), str(error))

    ours = translated(_replacement("sdk.scalar_translate", "translate_output_properties"))
    monkeypatch.undo()
    sdks = translated(rpc.translate_output_properties)
    assert ours == sdks
    assert type(ours) is type(sdks)  # an int stays an int, an enum an enum


def _struct(value):
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _comparable(value):
    """A deserialized value with each `Unknown` and asset made comparable."""
    if isinstance(value, Unknown):
        return "<Unknown>"
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return (type(value).__name__, _comparable(vars(value)))
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("keep_unknowns", [None, False, True])
@pytest.mark.parametrize("keep_internal", [True, False, None])
def test_the_struct_fast_path_gives_what_the_sdk_gives(monkeypatch, dry_run, keep_unknowns, keep_internal):
    sig, secret, asset = rpc._special_sig_key, rpc._special_secret_sig, rpc._special_asset_sig
    structs = [
        {},
        {"s": "x", "n": 1, "f": 2.5, "b": True, "off": False, "zero": 0, "empty": "", "none": None},
        {"u": rpc.UNKNOWN, "list": ["a", rpc.UNKNOWN, None, 3, [{"x": rpc.UNKNOWN}]], "nested": {"a": {"c": "d"}}},
        {"secret": {sig: secret, "value": "hush"}, "indict": {"k": {sig: secret, "value": {"a": 1}}}},
        {sig: secret, "value": {"a": "b"}},
        {"asset": {sig: asset, "path": "./file"}, "__internal": 1, "__provider": "p", "_one": 2, "__": 3},
        {"emptylist": [], "emptydict": {}, "unknownlist": [rpc.UNKNOWN]},
    ]
    monkeypatch.setattr(settings, "is_dry_run", lambda: dry_run)
    sdks_function, ours = rpc.deserialize_properties, _replacement("sdk.struct_fields", "deserialize_properties")
    no_value = _struct({"a": "x", "b": {"c": 1}})
    no_value.fields["z"].Clear()
    for deserialize in (ours, sdks_function):
        monkeypatch.setattr(rpc, "deserialize_properties", deserialize)  # the SDK's recursion too
        answers = [_comparable(deserialize(_struct(value), keep_unknowns, keep_internal)) for value in structs]
        with pytest.raises(ValueError, match="Value not set"):
            deserialize(no_value, keep_unknowns, keep_internal)
        if deserialize is ours:
            mine = answers
    assert mine == answers
