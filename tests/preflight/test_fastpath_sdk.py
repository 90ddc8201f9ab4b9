"""preflight/fastpath/sdk.py: each fast path over the Pulumi SDK gives the SDK's own answer, is in
place only while a program runs, and is taken only with the switch on and a tested pulumi."""

import asyncio
import contextvars
import enum
import typing

import pulumi
import pytest
from pulumi.output import UNKNOWN, _OutputData
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


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    loop.close()
    asyncio.set_event_loop(None)


def _settled(loop, output):
    """What an output settles with: (value, known, secret, resources) or the exception's repr."""

    async def read():
        data = await output._data
        return (data.value, data.is_known, data.is_secret, data.resources)

    try:
        return loop.run_until_complete(read())
    except Exception as error:
        return repr(error)


class _Res:
    """A resource stand-in: transfer_properties sets an attribute per property on it."""


@pytest.mark.parametrize("custom", [False, True])
@pytest.mark.parametrize(
    ("value", "known", "secret", "failed"),
    [
        ("v", True, False, None),
        (None, False, False, None),
        ({"a": 1}, True, True, None),
        (None, False, False, KeyError("no")),
    ],
)
def test_one_future_per_property_settles_each_output_as_the_sdk_does(loop, custom, value, known, secret, failed):
    ours = _replacement("sdk.one_future_per_property", "transfer_properties")
    settled = []
    transfers: list[typing.Any] = [ours, rpc.transfer_properties]
    for transfer in transfers:
        res: typing.Any = _Res()
        dependency = _Res()
        resolvers = transfer(res, {"id": None, "urn": None, "name": None}, custom)
        assert sorted(resolvers) == (["name"] if custom else ["id", "name"])
        resolvers["name"](value, known, secret, {dependency}, failed)
        outcome = _settled(loop, res.name)
        if isinstance(outcome, tuple):
            assert outcome[3] == {res, dependency}
            outcome = outcome[:3]
        settled.append(outcome)
        with pytest.raises(asyncio.InvalidStateError):  # a second resolution, refused alike
            resolvers["name"](value, known, secret, None, None)
    assert settled[0] == settled[1]


def test_tracking_without_callbacks_forgets_what_has_its_value_and_keeps_failures(loop):
    def program():
        settings.SETTINGS.outputs = set()  # this context's own, as a run's
        with sdk.in_place():
            assert type(settings.SETTINGS.outputs) is sdk._UnfinishedOutputs
            done, failed, pending = (pulumi.Output._from_data(loop.create_future()) for _ in range(3))
            done._data.set_result(_OutputData(resources=set(), value=1, is_known=True, is_secret=False))
            failed._data.set_exception(ValueError("no"))
            failed._data.exception()  # retrieved: the test's own, not the program's
            assert not done._data._callbacks  # no done-callback per output
            assert len(settings.SETTINGS.outputs) == 2
            assert settings.SETTINGS.outputs == {failed._data, pending._data}
        assert type(settings.SETTINGS.outputs) is set
        assert settings.SETTINGS.outputs == {failed._data, pending._data}

    contextvars.Context().run(program)
