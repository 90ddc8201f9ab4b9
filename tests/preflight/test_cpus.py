"""preflight/cpus.py: the pack and the relay run on the CPUs the program is not running on, every
thread of them, and where there is no such choice nothing is changed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from preflight import PolicyAnalyzer, cpus

from .conftest import FIXTURE_PACK

needs_two_cpus = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs CPU affinity and two CPUs to choose from",
)


@needs_two_cpus
def test_the_helpers_get_every_allowed_cpu_but_the_callers(monkeypatch):
    allowed = os.sched_getaffinity(0)
    mine = min(allowed)
    monkeypatch.setattr(cpus, "_current_cpu", lambda: mine)
    assert cpus.helper_cpus() == frozenset(allowed - {mine})


@needs_two_cpus
def test_the_current_cpu_is_one_this_thread_may_run_on():
    assert cpus._current_cpu() in os.sched_getaffinity(0)


def test_no_choice_no_change(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert cpus.helper_cpus() is None  # one CPU
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(cpus, "_current_cpu", lambda: None)
    assert cpus.helper_cpus() is None  # not Linux's /proc: where the program runs is unknown
    monkeypatch.delattr(os, "sched_getaffinity")
    assert cpus.helper_cpus() is None  # no affinity on this platform


@needs_two_cpus
def test_confine_reaches_the_threads_a_process_already_has():
    script = (
        "import os, sys, threading; e = threading.Event(); "
        "[threading.Thread(target=e.wait, daemon=True).start() for _ in range(3)]; "
        "print(len(os.listdir('/proc/self/task')), flush=True); sys.stdin.read()"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and int(child.stdout.readline()) == 4
        target = frozenset({max(os.sched_getaffinity(0))})
        cpus.confine(child.pid, target)
        threads = [int(tid) for tid in os.listdir(f"/proc/{child.pid}/task")]
        assert [os.sched_getaffinity(tid) for tid in threads] == [target] * 4
    finally:
        child.kill()
        child.wait()


@needs_two_cpus
def test_confining_an_ended_process_or_to_nothing_changes_nothing():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    cpus.confine(child.pid, frozenset({0}))  # gone: no error
    before = os.sched_getaffinity(0)
    cpus.confine(os.getpid(), None)
    cpus.confine(os.getpid(), frozenset())
    assert os.sched_getaffinity(0) == before


@needs_two_cpus
def test_the_pack_and_the_relay_stay_off_the_programs_cpu(monkeypatch):
    allowed = os.sched_getaffinity(0)
    mine = min(allowed)
    monkeypatch.setattr(cpus, "_current_cpu", lambda: mine)
    with PolicyAnalyzer(FIXTURE_PACK) as analyzer:
        for pid in (analyzer._process.pid, analyzer.relay.pid):
            assert os.sched_getaffinity(pid) == allowed - {mine}
    assert os.sched_getaffinity(0) == allowed  # the program itself may run anywhere
