"""Where the helper processes run: on the CPUs the program is not running on.

A preflight is three processes: the program (one busy thread, the run's critical path), the
policy pack and the Analyze relay (preflight/relay.py), which work beside it, woken by each
registration. Left to itself, Linux wakes a helper on the CPU of the process that woke it (the
program, which shares its cache), and the helper then takes that CPU from the program: some
1,000 involuntary switches of the program's thread in a 40-service preview, with the machine's
other CPU idle meanwhile. Kept to the other CPUs, the helpers never run where the program does,
and the program's CPU is left to it. Measured on 2 cores, interleaved runs: a 40-service preview
9% faster and a 1-service one 6% (the program's involuntary switches 1,000-1,300 -> 150-400); 13%
faster beside one busy process, the same beside two (both cores busy).

Only the helpers are confined: the program itself may still run anywhere, so a busy CPU
never holds it. With one CPU, or where the platform has no CPU affinity, nothing is changed.
"""

from __future__ import annotations

import os
from typing import Optional


def helper_cpus() -> Optional[frozenset[int]]:
    """The CPUs this process may run on other than the one its calling thread runs on now, or
    None when there is no such choice to make (one CPU, no affinity on this platform)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    allowed = os.sched_getaffinity(0)
    current = _current_cpu()
    if len(allowed) < 2 or current not in allowed:
        return None
    return frozenset(allowed - {current})


def confine(pid: int, cpus: Optional[frozenset[int]]) -> None:
    """Keep process `pid` (every thread it has now, and so every thread they start) to `cpus`.
    A process that has already ended, or an affinity the system refuses, is left as it is: the
    run is the same, only slower."""
    if not cpus:
        return
    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        threads = [pid]
    for tid in threads:
        try:
            os.sched_setaffinity(tid, cpus)
        except OSError:
            pass


def _current_cpu() -> Optional[int]:
    """The CPU the calling thread last ran on (Linux's /proc/thread-self/stat, field 39)."""
    try:
        with open("/proc/thread-self/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()  # after the command name, field 3 on
        return int(fields[39 - 3])
    except (OSError, ValueError, IndexError):
        return None
