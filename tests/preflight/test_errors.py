"""preflight/errors.py and the runner's loop: a program's exception traced to the program's own file
and line even where the SDK re-raised it with a traceback that no longer reaches the program."""

import asyncio
import traceback
from types import SimpleNamespace

import pulumi
import pytest

from preflight import errors, runner


def _raise_in_helper(tmp_path):
    """An exception raised by a helper module of a program in tmp_path, with its traceback."""
    helpers = tmp_path / "helpers.py"
    helpers.write_text("import json\n\n\ndef parse(raw):\n    return json.loads(raw)\n")
    namespace: dict = {}
    exec(compile(helpers.read_text(), str(helpers), "exec"), namespace)
    try:
        namespace["parse"]("not json")
    except ValueError as error:
        return error, error.__traceback__
    raise AssertionError("the helper did not raise")


def test_the_location_comes_from_the_kept_traceback_when_the_exception_was_reraised_without_it(tmp_path):
    error, raised_at = _raise_in_helper(tmp_path)
    with pytest.raises(ValueError, match="Expecting value"):
        raise error.with_traceback(None)  # as a future re-raises it: only the frames from here up
    assert errors.trace(error, str(tmp_path), ()).location is None
    cause = errors.trace(error, str(tmp_path), (), {error: raised_at})
    assert cause.location == errors.Location("helpers.py", 5, "parse", "return json.loads(raw)")
    first_raised = cause.traceback.split("Where it was first raised:\n", 1)[1]
    assert 'helpers.py", line 5, in parse' in first_raised


def test_a_traceback_that_reaches_the_program_gets_no_second_copy(tmp_path):
    error, raised_at = _raise_in_helper(tmp_path)
    cause = errors.trace(error, str(tmp_path), (), {error: raised_at})
    assert cause.location is not None and "Where it was first raised" not in cause.traceback


def test_the_loop_keeps_where_a_failed_apply_callback_raised_and_nothing_else():
    loop = runner._InProcessLoop(SimpleNamespace(calls_back=False))  # type: ignore[arg-type]

    async def run():
        raise KeyError("host")

    async def other():
        raise KeyError("port")

    run.__qualname__ = runner._APPLY_RUN
    try:
        applied, unrelated = loop.create_task(run()), loop.create_task(other())
        loop.run_until_complete(asyncio.wait([applied, unrelated]))
        loop.run_until_complete(asyncio.sleep(0))  # the done-callbacks run
        failure = applied.exception()
        assert failure is not None and list(loop.raised_in_apply) == [failure]
        assert isinstance(unrelated.exception(), KeyError)  # failed too, and was not kept
        kept = loop.raised_in_apply[failure]
        assert [frame.name for frame in traceback.extract_tb(kept)][-1] == "run"
    finally:
        loop.close()


def test_an_exception_that_surfaced_bare_gets_the_wrappers_of_the_registration_it_failed():
    """Which of the SDK's futures fails the run first varies; the failed registration's wrappers
    are put back around the bare exception, so that the error reads the same on every run."""
    loop = runner._InProcessLoop(SimpleNamespace(calls_back=False))  # type: ignore[arg-type]
    cause = KeyError("host")

    async def do_register():
        raise ValueError("While processing resource: 'app', type: 'aws:ecs/taskDefinition:TaskDefinition'") from cause

    do_register.__qualname__ = runner._REGISTER
    try:
        registration = loop.create_task(do_register())
        loop.run_until_complete(asyncio.wait([registration]))
        loop.run_until_complete(asyncio.sleep(0))
        assert loop.wrapped(cause) is registration.exception()
        unrelated = KeyError("port")
        assert loop.wrapped(unrelated) is unrelated
        assert loop.wrapped(registration.exception()) is registration.exception()  # type: ignore[arg-type]
    finally:
        loop.close()


def _nested_code_names(function) -> set[str]:
    return {const.co_name for const in function.__code__.co_consts if hasattr(const, "co_name")}


def test_the_coroutines_the_loop_watches_are_the_sdks():
    """The SDK runs each `apply` callback and each registration in a nested coroutine; if a pulumi
    release renames one, the loop keeps nothing and this fails, instead of the error's line or
    wrappers silently going missing."""
    from pulumi.runtime.resource import register_resource

    applied = {f"Output.apply.<locals>.{name}" for name in _nested_code_names(pulumi.Output.apply)}
    registered = {f"register_resource.<locals>.{name}" for name in _nested_code_names(register_resource)}
    assert runner._APPLY_RUN in applied and runner._REGISTER in registered
