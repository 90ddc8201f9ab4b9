"""How long the offline preflight takes, against what it cannot avoid (not a timed test).

Measured in one run, with the commands interleaved (each repetition runs every command once,
in a rotating order, so a slow moment of the machine hits all of them alike):

- floor: a bare `python -c` importing the pulumi-aws modules the program loads and pulumi-policy,
  the least any tool that runs this program and this pack must pay;
- one: `python -m preflight --stack one --preview` of a one-service stack (policies included);
- forty: the same for a 40-service stack.

Goals (issue 3): one <= 1.5 x floor; forty <= 3 x one. The stacks are generated in a temporary
project that links to this repository's program (`__main__.py`, `components/`).

    python bench/preflight_bench.py [--repetitions 7]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

REPOSITORY = Path(__file__).resolve().parent.parent
GOALS = {("one", "floor"): 1.5, ("forty", "one"): 3.0}


# The repository's own packages, which the measured processes import from source.
OWN_PACKAGES = ("preflight", "components", "policies")
BYTE_COMPILED_NOTE = (
    "the repository's modules byte-compiled first, as pip does for installed packages and Python "
    "on first import"
    + (" (this environment sets PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")
)


def byte_compile() -> None:
    """Write the bytecode caches of the repository's packages (`__pycache__`, ignored by git).

    Outside an environment that sets PYTHONDONTWRITEBYTECODE (this sandbox does) Python writes
    them on the first run, and pip writes them for every installed package, the SDKs included;
    without them each measured run would compile the repository's modules from source again
    (about 0.1 s in the program's process), a cost no user's second run pays."""
    for package in OWN_PACKAGES:
        compileall.compile_dir(REPOSITORY / package, quiet=1)


def cpu_times() -> Optional[tuple[int, int]]:
    """(stolen, all) CPU time of the machine so far, in clock ticks, from Linux's /proc/stat (None
    elsewhere): "steal" is the time a virtual machine's CPUs were ready to run but the
    hypervisor ran something else."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(field) for field in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return (fields[7], sum(fields[:8])) if len(fields) >= 8 else None


def steal_note(before: Optional[tuple[int, int]], after: Optional[tuple[int, int]]) -> str:
    """How much of the machine's CPU time the hypervisor took during the run, to judge the
    absolute times by (the ratios of an interleaved run are fairer under it)."""
    if before is None or after is None or after[1] <= before[1]:
        return "CPU steal: not measured (no /proc/stat)"
    share = (after[0] - before[0]) / (after[1] - before[1])
    return f"CPU steal during the run (time the hypervisor gave this machine's CPUs to others): {share:.0%}"


def service(index: int) -> dict:
    return {
        "image": "public.ecr.aws/nginx/nginx:stable",
        "cpu": 256,
        "memory": 512,
        "containerPort": 80,
        "desiredCount": 2,
        "routing": {"pathPatterns": [f"/s{index}/*"]},
        "logRetentionDays": 30,
        "autoscaling": {"minCount": 2, "maxCount": 6, "cpuTarget": 60},
    }


def stack_file(services: int) -> str:
    config = {
        "aws:region": "us-east-1",
        "fargate:network": {"availabilityZones": 2, "natGateways": "none"},
        "fargate:services": {f"svc{i}": service(i) for i in range(services)},
    }
    return json.dumps({"config": config}, indent=2)  # JSON is YAML


def make_project(directory: Path) -> Path:
    for name in ("Pulumi.yaml", "__main__.py", "components"):
        (directory / name).symlink_to(REPOSITORY / name)
    (directory / "Pulumi.one.yaml").write_text(stack_file(1))
    (directory / "Pulumi.forty.yaml").write_text(stack_file(40))
    return directory


def program_modules(project: Path) -> list[str]:
    """The pulumi-aws modules the program loads, found by running it once."""
    probe = (
        "import sys; from preflight import run; "
        f"r = run({str(project)!r}, 'one', preview=True, policy_pack=None); "
        "print(' '.join(sorted({m.split('.')[1] for m in sys.modules "
        "if m.startswith('pulumi_aws.') and m.count('.') >= 2})))"
    )
    probed = subprocess.run([sys.executable, "-c", probe], cwd=REPOSITORY, capture_output=True, text=True)
    if probed.returncode != 0:
        raise SystemExit(f"the program does not run: {probed.stderr.strip().splitlines()[-1]}")
    return probed.stdout.split()


def resource_count(project: Path, stack: str) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", stack, "--project-dir", str(project), "--preview", "--json"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"preflight of {stack} exited {out.returncode}: {out.stderr.strip()}")
    return len(json.loads(out.stdout)["resources"])


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPOSITORY, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=7)
    args = parser.parse_args()
    byte_compile()
    with tempfile.TemporaryDirectory(prefix="preflight-bench-") as tmp:
        project = make_project(Path(tmp))
        modules = program_modules(project)
        counts = {stack: resource_count(project, stack) for stack in ("one", "forty")}
        # pulumi_aws loads its modules lazily: touching an attribute is what imports one.
        floor_code = "; ".join(
            ["import pulumi_aws"] + [f"pulumi_aws.{m}._utilities" for m in modules] + ["import pulumi_policy"]
        )
        preflight = [sys.executable, "-m", "preflight", "--project-dir", str(project), "--preview", "--stack"]
        commands = {
            "floor": [sys.executable, "-c", floor_code],
            "one": preflight + ["one"],
            "forty": preflight + ["forty"],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        times_before = cpu_times()
        for repetition in range(args.repetitions):
            order = names[repetition % len(names) :] + names[: repetition % len(names)]
            for name in order:
                samples[name].append(timed(commands[name]))
        times_after = cpu_times()
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{args.repetitions} interleaved repetitions, median (min-max) wall time"
    )
    print(BYTE_COMPILED_NOTE)
    print(steal_note(times_before, times_after))
    print(f"floor imports: pulumi_aws.{{{','.join(modules)}}} + pulumi_policy")
    print(f"stacks: one = {counts['one']} resources, forty = {counts['forty']} resources")
    print()
    print("| command | median s | min s | max s |")
    print("|---|---|---|---|")
    for name, values in samples.items():
        print(f"| {name} | {medians[name]:.2f} | {min(values):.2f} | {max(values):.2f} |")
    print()
    failed = False
    for (numerator, denominator), goal in GOALS.items():
        ratio = medians[numerator] / medians[denominator]
        verdict = "meets" if ratio <= goal else "MISSES"
        failed = failed or ratio > goal
        print(f"{numerator} / {denominator} = {ratio:.2f} ({verdict} the goal of <= {goal})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
