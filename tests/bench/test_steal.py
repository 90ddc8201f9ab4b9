"""bench/preflight_bench.py's note of how much CPU time the hypervisor took during a run."""

from pathlib import Path

from bench.preflight_bench import cpu_times, steal_note


def test_the_steal_share_is_of_the_machines_cpu_time_between_the_readings():
    assert steal_note((100, 1_000), (150, 2_000)).endswith(": 5%")
    assert steal_note(None, (1, 2)) == "CPU steal: not measured (no /proc/stat)"
    assert steal_note((5, 10), (5, 10)).startswith("CPU steal: not measured")


def test_cpu_times_read_this_machine_where_it_has_proc_stat():
    times = cpu_times()
    if Path("/proc/stat").is_file():
        assert times is not None and 0 <= times[0] <= times[1]
    else:
        assert times is None
