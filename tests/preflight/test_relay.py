"""The relay (preflight/relay.py): the engine's side of `Analyze` in a process of its own, and
where the policy config is checked against each policy's schema."""

from __future__ import annotations

import os
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2

from preflight.analyzer import _Relay
from preflight.errors import ProgramError
from preflight.relay import config_problems

ENTRIES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
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
PROBLEMS = [
    "low: days: 3 is less than the minimum of 7",
    "nested: ports.1: '443' is not of type 'integer'",
    "nested: ports.2: 8.5 is not of type 'integer'",
    "nested: 'owner' is a required property",
]


def test_policy_config_is_checked_against_each_policys_schema_one_line_per_problem():
    assert config_problems(ENTRIES) == PROBLEMS
    assert config_problems([]) == []


def test_the_relay_process_answers_the_config_check_as_config_problems():
    running = _Relay()
    try:
        assert running.validate(ENTRIES) == PROBLEMS
        assert running.validate([]) == []
    finally:
        running.close()


def test_each_analyze_is_answered_in_the_order_sent_by_the_pack(policy_pack):
    """Requests go out through the relay; the answers come back one per request, in order, as the
    pack's own `AnalyzeResponse`s (here: a resource no rule judges, so no diagnostic)."""
    requests = [
        analyzer_pb2.AnalyzeRequest(
            type="random:index/randomId:RandomId",
            urn=f"urn:pulumi:s::p::random:index/randomId:RandomId::r{i}",
            name=f"r{i}",
        )
        for i in range(3)
    ]
    for request in requests:
        policy_pack.send_analyze(request.SerializeToString())
    answers = policy_pack.analyze_answers()
    assert [ok for ok, _ in answers] == [True, True, True]
    assert all(analyzer_pb2.AnalyzeResponse.FromString(answer).diagnostics == [] for _, answer in answers)
    assert policy_pack.analyze_answers() == []  # each answer is read once


def test_a_relay_that_stopped_is_a_one_line_error_not_a_hang():
    running = _Relay()
    running._process.kill()  # the relay dying under the preflight, as a crash would
    running._process.wait()

    def analyze_once() -> None:
        running.analyze(b"")  # may still fit the socket's buffer
        running.answers()

    with pytest.raises(ProgramError, match="relay to the policy pack stopped"):
        analyze_once()
    running.close()


def test_the_relay_and_the_pack_yield_the_core_to_the_program(policy_pack):
    """Both helpers run at a lower priority than the program, so that where they share a core the
    program keeps it (the scheduler wakes a helper on the core of the process that woke it)."""
    program = os.getpriority(os.PRIO_PROCESS, 0)
    running = _Relay()
    try:
        assert os.getpriority(os.PRIO_PROCESS, running._process.pid) == min(program + 5, 19)
        assert os.getpriority(os.PRIO_PROCESS, policy_pack._process.pid) == min(program + 5, 19)
    finally:
        running.close()


def test_thousands_of_requests_in_one_run_are_each_answered(policy_pack):
    """A program of a few thousand resources: the relay keeps a bounded number of calls in flight,
    so that gRPC does not cancel some of them (it did with every call of the run in flight)."""
    request = analyzer_pb2.AnalyzeRequest(
        type="random:index/randomId:RandomId", urn="urn:pulumi:s::p::random:index/randomId:RandomId::r", name="r"
    ).SerializeToString()
    for _ in range(5000):
        policy_pack.send_analyze(request)
    answers = policy_pack.analyze_answers()
    assert len(answers) == 5000
    assert [detail for ok, detail in answers if not ok] == []
