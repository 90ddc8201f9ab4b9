"""preflight/relay.py: the engine's side of `Analyze` in a process of its own. The pack gets the
program's request bytes unchanged, the answers come back in the order sent, a failure says
which call and why, and a session that ends early leaves a shared pack ready for the next."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
from concurrent import futures
from typing import Any

import grpc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from preflight import PolicyAnalyzer, ProgramError, run
from preflight.relay import ANALYZE_METHOD, Relay, RelayError, _read_frame, _write_frame, config_problems

from .conftest import BROKEN, FIXTURE_PACK, NESTED


@given(st.lists(st.tuples(st.sampled_from([b"C", b"A", b"W", b"R", b"X", b"D"]), st.binary(max_size=3000))))
def test_frames_read_back_as_written(frames):
    stream = io.BytesIO()
    for kind, payload in frames:
        _write_frame(stream, kind, payload)
    stream.seek(0)
    assert [_read_frame(stream) for _ in frames] == frames
    assert _read_frame(stream) is None


@pytest.mark.parametrize("cut", [1, 4, 5, 9])
def test_a_frame_cut_short_reads_as_the_end(cut):
    stream = io.BytesIO()
    _write_frame(stream, b"A", b"request")
    assert _read_frame(io.BytesIO(stream.getvalue()[:cut])) is None


class Pack:
    """A gRPC server with the Analyzer's `Analyze` method, bytes in and bytes out: it keeps
    every request it gets and answers b"seen:" + the request, or fails the ones named."""

    def __init__(self, failing: frozenset[bytes] = frozenset()) -> None:
        self.received: list[bytes] = []
        self.failing = failing
        self._lock = threading.Lock()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        handler = grpc.unary_unary_rpc_method_handler(self.analyze)
        service, method = ANALYZE_METHOD.strip("/").split("/")
        self.server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, {method: handler}),))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def analyze(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        with self._lock:
            self.received.append(request)
        if request in self.failing:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"cannot judge {request.decode()}")
        return b"seen:" + request


@pytest.fixture
def relay():
    started = Relay()
    yield started
    started.close()


def test_each_request_reaches_the_pack_unchanged_and_is_answered_in_order(relay):
    pack = Pack()
    try:
        relay.connect(f"127.0.0.1:{pack.port}")
        # Sizes past the pipe's and gRPC's buffers as well as empty ones.
        requests = [b"r%d-" % i + b"x" * size for i, size in enumerate([0, 10, 70_000, 3, 300_000, 1] * 5)]
        for request in requests:
            relay.analyze(request)
        assert relay.outstanding == len(requests)
        assert list(relay.answers()) == [(True, b"seen:" + request) for request in requests]
        assert relay.outstanding == 0
        assert sorted(pack.received) == sorted(requests)
    finally:
        pack.server.stop(None)


def test_a_failed_call_is_answered_with_its_details_in_its_place(relay):
    pack = Pack(failing=frozenset({b"second"}))
    try:
        relay.connect(f"127.0.0.1:{pack.port}")
        for request in (b"first", b"second", b"third"):
            relay.analyze(request)
        assert list(relay.answers()) == [(True, b"seen:first"), (False, b"cannot judge second"), (True, b"seen:third")]
    finally:
        pack.server.stop(None)


def test_answers_come_per_batch_and_drain_drops_the_unread(relay):
    pack = Pack()
    try:
        relay.connect(f"127.0.0.1:{pack.port}")
        relay.analyze(b"abandoned-1")
        relay.analyze(b"abandoned-2")
        relay.drain()
        assert relay.outstanding == 0
        relay.drain()  # nothing outstanding: no round trip, nothing read
        relay.analyze(b"next")
        assert list(relay.answers()) == [(True, b"seen:next")]
    finally:
        pack.server.stop(None)


def test_a_pack_that_is_gone_fails_each_call_with_grpc_s_reason(relay):
    pack = Pack()
    port = pack.port
    pack.server.stop(None)
    relay.connect(f"127.0.0.1:{port}")
    relay.analyze(b"lost")
    [(ok, details)] = list(relay.answers())
    assert not ok
    assert details  # gRPC's words for the refused connection


def test_a_relay_that_stops_is_reported_as_the_relay_with_its_exit_status(relay):
    relay.analyze(b"before the pack's address")  # the relay refuses it and exits
    with pytest.raises(RelayError, match=r"Analyze relay stopped \(exit status 1\): .*Analyze before the pack"):
        list(relay.answers())


def test_a_killed_relay_is_reported_when_next_written_to(relay):
    os.kill(relay._process.pid, signal.SIGKILL)
    relay._process.wait()

    def write_until_refused():
        for _ in range(1000):  # the first writes may still fit in the dead pipe's buffer
            relay.analyze(b"x" * 4096)

    with pytest.raises(RelayError, match=r"exit status -9"):
        write_until_refused()


def verdicts(result):
    return sorted((v.policy, v.enforcement_level, v.urn, v.message) for v in result.violations)


def test_a_run_that_fails_midway_leaves_a_shared_pack_ready_for_the_next():
    with PolicyAnalyzer(FIXTURE_PACK) as fresh:
        expected = run(NESTED, "dev", preview=True, analyzer=fresh)
    with PolicyAnalyzer(FIXTURE_PACK) as shared:
        # The broken program registers a topic (its Analyze goes out), then raises.
        with pytest.raises(ProgramError, match="KeyError"):
            run(BROKEN, "raise", analyzer=shared)
        assert shared.relay.outstanding == 0
        after = run(NESTED, "dev", preview=True, analyzer=shared)
    assert verdicts(after) == verdicts(expected)
    assert after.not_applicable == expected.not_applicable


def test_a_pack_that_dies_during_analyze_is_named_with_its_last_words(tmp_path):
    (tmp_path / "PulumiPolicy.yaml").write_text((FIXTURE_PACK / "PulumiPolicy.yaml").read_text())
    (tmp_path / "__main__.py").write_text(
        "import os, sys\n"
        "from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy\n"
        "def give_up(args, report):\n"
        "    if args.resource_type == 'aws:sns/topic:Topic':\n"
        "        sys.stderr.write('the pack gave up on a topic\\n')\n"
        "        sys.stderr.flush()\n"
        "        os._exit(3)\n"
        "PolicyPack('dies', enforcement_level=EnforcementLevel.MANDATORY, policies=[\n"
        "    ResourceValidationPolicy(name='give-up', description='Exits on a topic.', validate=give_up)])\n"
    )
    with pytest.raises(ProgramError, match=r"stopped during Analyze: the pack gave up on a topic"):
        run(BROKEN, "none", preview=True, policy_pack=tmp_path)


def test_the_relay_validates_policy_config_as_this_process_would(relay):
    entries: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("fine", {"type": "object", "properties": {"days": {"type": "integer", "minimum": 7}}}, {"days": 30}),
        ("low", {"type": "object", "properties": {"days": {"type": "integer", "minimum": 7}}}, {"days": 3}),
        (
            "nested",
            {
                "type": "object",
                "properties": {"ports": {"type": "array", "items": {"type": "integer"}}},
                "required": ["ports", "owner"],
            },
            {"ports": [80, "443", 8.5]},
        ),
    ]
    problems = relay.validate(entries)
    assert problems == config_problems(entries)
    assert problems == [
        "low: days: 3 is less than the minimum of 7",
        "nested: ports.1: '443' is not of type 'integer'",
        "nested: ports.2: 8.5 is not of type 'integer'",
        "nested: 'owner' is a required property",
    ]
    assert relay.validate([]) == []


def test_a_relay_that_cannot_start_leaves_no_pack_behind(monkeypatch):
    started = []
    real_popen = subprocess.Popen

    def popen(command, *args, **kwargs):
        if any(str(part).endswith("relay.py") for part in command):
            raise OSError("no interpreter for the relay")
        started.append(real_popen(command, *args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    with pytest.raises(OSError, match="no interpreter for the relay"):
        PolicyAnalyzer(FIXTURE_PACK)
    [pack] = started
    assert pack.poll() is not None
