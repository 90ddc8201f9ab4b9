"""preflight against its strongest peer, AWS CDK with cdk-nag, on the same stacks (not a timed test).

Both tools build the benchmark's stack (`preflight_bench.stack_file`: a new VPC over 2 AZs, no
NAT, one ALB shared by N services, each with its task definition, target group on `/sN/*`, task
security group open only to the ALB's, circuit breaker, CPU autoscaling 2-6, 30-day logs) with
no cloud, and judge it by their rule pack:

- ours: `python -m preflight --stack S --preview` (the program under Pulumi's mock runtime, every
  resource sent to the policy pack process over the gRPC Analyzer protocol);
- cdk: `cdk synth --no-validation -c nag=1 -c services=N` in `bench/peers/cdk` (the app in
  plain JavaScript, cdk-nag's AwsSolutionsChecks as a policy validation plugin).

Each repetition runs every (tool, size) once, the two tools of a size back to back in
alternating order (A B, then B A), after one untimed warm-up round. Reported: median and
min-max wall time, the median of the per-repetition ratios ours / cdk, each tool's cost per
extra service, CPU time, peak resident memory of each process (ours: the program and the pack;
cdk: the CLI and the app it runs), and the resources each made.

    python bench/peers_bench.py [--repetitions 5] [--sizes 1,20,40,50]

50 is the most services the program takes in one stack (the ALB's security group gets a rule
per service, and AWS's default quota is 60 per direction). Past 50 (the default sizes end at
200, to show the growth stays linear), ours runs `bench/fleet.py` on the same stack file: the same
components and config mapping, one ALB per 50 services; the CDK app splits its services over
ALBs the same way. CDK's synth of 200 services makes one template of ~2,600 resources, past
CloudFormation's 500; a deployment of either would be split.

Needs Node.js and `npm ci` in bench/peers/cdk (`make bench-peers` does both).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from preflight_bench import BYTE_COMPILED_NOTE, REPOSITORY, byte_compile, cpu_times, stack_file, steal_note

sys.path.insert(0, str(REPOSITORY))
from components.config.stack import MAX_SERVICES  # the most services the program takes

CDK_APP = REPOSITORY / "bench" / "peers" / "cdk"
CDK = CDK_APP / "node_modules" / ".bin" / "cdk"
# The goals (issues 12 and 26), judged on this run's medians: ours at most 0.8 of CDK's wall time
# at 1 service and at 50 (the most a stack takes).
RATIO_GOAL = 0.8
EXTRA_SERVICE_GOAL_MS = 15.0
FLOOR_GOAL = 1.3


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    peak_kib: dict[str, int] = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def _high_water_kib(pid: int) -> tuple[str, int]:
    """The process's command and its peak resident set so far (VmHWM)."""
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        command = handle.read().replace(b"\0", b" ").decode(errors="replace")
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return command, int(line.split()[1])
    return command, 0


def timed(command: list[str], cwd: Path, roles: dict[str, str]) -> Sample:
    """Run `command`; wall time, CPU time of it and its children, and the peak RSS of each
    process whose command line contains a `roles` value (VmHWM, read every 10 ms until the
    process ends, so growth in its last 10 ms could be missed)."""
    peaks: dict[str, int] = {}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            pending, seen = [process.pid], set()
            while pending:
                pid = pending.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                pending += _children(pid)
                try:
                    line, kib = _high_water_kib(pid)
                except OSError:
                    continue
                for role, marker in roles.items():
                    if marker in line:
                        peaks[role] = max(peaks.get(role, 0), kib)
                        break
            done.wait(0.01)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} exited {process.returncode}: {stderr.decode(errors='replace').strip()[-400:]}"
        )
    return Sample(seconds, 0.0, peaks)


def cpu_of(run: Callable[[], Sample]) -> tuple[Sample, float]:
    """`run()`, with the CPU time of the processes it reaped (a process's CPU time includes the
    children it waited for: the pack, which preflight waits for; the app, which cdk waits for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample = run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    sample.cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return sample, sample.cpu_seconds


def our_resources(project: Path, stack: str) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", stack, "--project-dir", str(project), "--preview", "--json"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"preflight of {stack} exited {out.returncode}: {out.stderr.strip()}")
    resources = json.loads(out.stdout)["resources"]
    aws = [r for r in resources if r["custom"] and r["type"].startswith("aws:")]
    return len(aws)


def cdk_resources(services: int, outdir: Path) -> tuple[int, int]:
    """CloudFormation resources in the synthesized template (all, and without AWS::CDK::Metadata)."""
    out = subprocess.run(
        [str(CDK), "synth", "--no-validation", "-c", "nag=1", "-c", f"services={services}", "-o", str(outdir), "-q"],
        cwd=CDK_APP,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"cdk synth of {services} services exited {out.returncode}: {out.stderr.strip()[-400:]}")
    template = json.loads((outdir / "Fargate.template.json").read_text())
    types = [r["Type"] for r in template["Resources"].values()]
    return len(types), len([t for t in types if t != "AWS::CDK::Metadata"])


def floor_command() -> list[str]:
    """The import floor of preflight_bench: pulumi-aws's modules the program loads and pulumi-policy."""
    modules = ["appautoscaling", "cloudwatch", "ec2", "ecs", "iam", "lb", "vpc"]
    code = "; ".join(["import pulumi_aws"] + [f"pulumi_aws.{m}._utilities" for m in modules] + ["import pulumi_policy"])
    return [sys.executable, "-c", code]


@dataclass
class Peers:
    """The two tools' commands per size, and what each made."""

    ours: dict[int, list[str]]
    cdk: dict[int, list[str]]
    counts: dict[int, tuple[int, int, int]]  # ours AWS resources, cdk resources (all, without metadata)


@dataclass
class Run:
    """Every timed sample of the run (warm-up left out), with the machine's state around it."""

    samples: dict[tuple[str, int], list[Sample]]
    floor: list[float]
    load: tuple[float, float]
    steal: str

    def median(self, tool: str, size: int) -> float:
        return statistics.median(s.seconds for s in self.samples[(tool, size)])

    def ratio(self, size: int) -> float:
        """The median of the per-repetition ratios ours / cdk (each pair ran back to back)."""
        pairs = zip(self.samples[("ours", size)], self.samples[("cdk", size)], strict=True)
        return statistics.median(ours.seconds / cdk.seconds for ours, cdk in pairs)

    def per_service_ms(self, tool: str, low: int, high: int) -> float:
        """The cost of each extra service between two sizes: the slope of the medians."""
        return (self.median(tool, high) - self.median(tool, low)) / (high - low) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--sizes", default="1,20,40,50,200", help="numbers of services, comma-separated")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    if shutil.which("node") is None or not CDK.exists():
        raise SystemExit("needs Node.js and the CDK app installed: cd bench/peers/cdk && npm ci")
    byte_compile()
    with tempfile.TemporaryDirectory(prefix="preflight-peers-") as tmp:
        peers = prepare(Path(tmp), sizes)
        run = measure(peers, sizes, args.repetitions)
    print_header(run, args.repetitions, sizes)
    print_table(run, peers, sizes)
    sys.exit(0 if judge(run, sizes) else 1)


def prepare(tmp: Path, sizes: list[int]) -> Peers:
    """A project per program (past its 50 services, bench/fleet.py) with a stack file per size,
    each tool's command per size, and the resources each makes."""
    projects = {"program": tmp / "project", "fleet": tmp / "fleet"}
    for kind, project in projects.items():
        project.mkdir()
        for name in ("Pulumi.yaml", "components"):
            (project / name).symlink_to(REPOSITORY / name)
        program = REPOSITORY / ("__main__.py" if kind == "program" else "bench/fleet.py")
        (project / "__main__.py").symlink_to(program)
        for size in sizes:
            (project / f"Pulumi.s{size}.yaml").write_text(stack_file(size))

    def project_of(size: int) -> Path:
        return projects["program" if size <= MAX_SERVICES else "fleet"]

    return Peers(
        ours={
            size: [sys.executable, "-m", "preflight", "--project-dir", str(project_of(size))]
            + ["--preview", "--stack", f"s{size}"]
            for size in sizes
        },
        cdk={size: [str(CDK), "synth", "--no-validation", "-c", "nag=1", "-c", f"services={size}"] for size in sizes},
        counts={
            size: (our_resources(project_of(size), f"s{size}"), *cdk_resources(size, tmp / f"cdk.out-{size}"))
            for size in sizes
        },
    )


# Each process measured, by a piece of its command line.
OUR_ROLES = {"program": "-m preflight", "pack": "-m pulumi.policy"}
CDK_ROLES = {"cli": "cdk synth", "app": "app.js"}


def measure(peers: Peers, sizes: list[int], repetitions: int) -> Run:
    """One untimed warm-up round, then `repetitions` rounds; in each, the import floor, then per
    size both tools back to back, in alternating order (A B, then B A)."""
    samples: dict[tuple[str, int], list[Sample]] = {(tool, size): [] for tool in ("ours", "cdk") for size in sizes}
    floor: list[float] = []
    load_before, times_before = os.getloadavg(), cpu_times()
    for repetition in range(repetitions + 1):
        floor_sample, _ = cpu_of(lambda: timed(floor_command(), REPOSITORY, {}))
        round_samples = []
        for size in sizes:
            pair = [
                ("ours", lambda size=size: timed(peers.ours[size], REPOSITORY, OUR_ROLES)),
                ("cdk", lambda size=size: timed(peers.cdk[size], CDK_APP, CDK_ROLES)),
            ]
            if repetition % 2:
                pair.reverse()
            for tool, run in pair:
                sample, _ = cpu_of(run)
                round_samples.append(((tool, size), sample))
        if repetition:
            floor.append(floor_sample.seconds)
            for key, sample in round_samples:
                samples[key].append(sample)
        print(f"round {repetition or 'warm-up'} done", file=sys.stderr, flush=True)
    load_after, times_after = os.getloadavg(), cpu_times()
    return Run(samples, floor, (load_before[0], load_after[0]), steal_note(times_before, times_after))


def print_header(run: Run, repetitions: int, sizes: list[int]) -> None:
    versions = json.loads((CDK_APP / "package-lock.json").read_text())["packages"]
    pinned = {
        name: versions[f"node_modules/{name}"]["version"]
        for name in ("aws-cdk-lib", "aws-cdk", "constructs", "cdk-nag")
    }
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"machine: {os.cpu_count()} cores; load average before {run.load[0]:.2f}, after "
        f"{run.load[1]:.2f} (1 min); Python {sys.version.split()[0]}, Node {node}; "
        + ", ".join(f"{k} {v}" for k, v in pinned.items())
    )
    print(run.steal)
    print(f"{repetitions} interleaved repetitions after a warm-up; wall time median (min-max); {BYTE_COMPILED_NOTE}")
    print("ours: python -m preflight --stack S --preview   cdk: cdk synth --no-validation -c nag=1 -c services=N")
    print("each extra service: the slope of the medians from the size above to this one")
    if any(size > MAX_SERVICES for size in sizes):
        print(f"past {MAX_SERVICES} services: ours runs bench/fleet.py, both tools one ALB per {MAX_SERVICES} services")
    print()


def print_table(run: Run, peers: Peers, sizes: list[int]) -> None:
    print(
        "| services | ours s | cdk s | ours / cdk (median of pairs) | ours ms per extra service "
        "| cdk ms per extra service | ours CPU s | cdk CPU s "
        f"| ours peak RSS MiB ({' + '.join(OUR_ROLES)}) | cdk peak RSS MiB ({' + '.join(CDK_ROLES)}) "
        "| ours AWS resources | cdk CloudFormation resources |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for low, size in zip([None, *sizes], sizes, strict=False):
        ours, cdk = run.samples[("ours", size)], run.samples[("cdk", size)]
        slopes = [f"{run.per_service_ms(tool, low, size):.1f}" if low else "" for tool in ("ours", "cdk")]
        ours_count, cdk_all, cdk_aws = peers.counts[size]
        print(
            f"| {size} | {_spread(ours)} | {_spread(cdk)} | {run.ratio(size):.2f} | {slopes[0]} | {slopes[1]} "
            f"| {statistics.median(v.cpu_seconds for v in ours):.2f} "
            f"| {statistics.median(v.cpu_seconds for v in cdk):.2f} "
            f"| {_peak(ours, *OUR_ROLES)} | {_peak(cdk, *CDK_ROLES)} "
            f"| {ours_count} | {cdk_all} ({cdk_aws} without AWS::CDK::Metadata) |"
        )
    print()
    print(
        f"import floor (python -c importing the pulumi-aws modules the program loads + pulumi_policy): "
        f"{statistics.median(run.floor):.2f} s ({min(run.floor):.2f}-{max(run.floor):.2f})"
    )
    print()


def _spread(samples: list[Sample]) -> str:
    seconds = [s.seconds for s in samples]
    return f"{statistics.median(seconds):.2f} ({min(seconds):.2f}-{max(seconds):.2f})"


def _peak(samples: list[Sample], *roles: str) -> str:
    return " + ".join(f"{max(s.peak_kib.get(role, 0) for s in samples) / 1024:.0f}" for role in roles)


def judge(run: Run, sizes: list[int]) -> bool:
    """Print each goal this run's sizes can judge; True if all are met."""
    goals = [
        (f"ours / cdk at {size} service{'s' if size > 1 else ''}", run.ratio(size), RATIO_GOAL, "")
        for size in sizes
        if size in (1, MAX_SERVICES)
    ]
    if 1 in sizes and MAX_SERVICES in sizes:
        goals.append(
            (
                f"ours, each extra service from 1 to {MAX_SERVICES}",
                run.per_service_ms("ours", 1, MAX_SERVICES),
                EXTRA_SERVICE_GOAL_MS,
                " ms",
            )
        )
    if 1 in sizes:
        goals.append(
            ("ours at 1 service / import floor", run.median("ours", 1) / statistics.median(run.floor), FLOOR_GOAL, "")
        )
    met = True
    for label, value, limit, unit in goals:
        meets = value <= limit
        met = met and meets
        print(f"{label} = {value:.2f}{unit} ({'meets' if meets else 'MISSES'} the goal of <= {limit}{unit})")
    return met


if __name__ == "__main__":
    main()
