"""Every output of preflight byte-identical to a baseline commit's (for performance work).

For each committed stack (`Pulumi.*.yaml`) and the benchmark's 1- and 40-service stacks, in
both modes (`--preview` and the simulated up), the report, `--json` and `--graph mermaid`
with their exit status are produced by this tree's preflight and by the baseline's (checked
out in a temporary git worktree, with its own policy pack), on this tree's program. Any
difference is printed as a unified diff and the check exits 1.

One thing is compared as a set, not a list: the order of each resource's `dependencies` and
`propertyDependencies` in `--json`, which is the order the SDK sends them in, and that varies
from run to run of the same tree (the SDK collects them in sets).

    python bench/outputs_check.py [--baseline main]
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from preflight_bench import REPOSITORY, make_project

FORMATS = {"report": [], "json": ["--json"], "mermaid": ["--graph", "mermaid"]}

# Run inside one interpreter per tree: `python -m preflight`'s main() for every case, with
# stdout captured, so the comparison costs one import of pulumi-aws per tree.
RUNNER = r"""
import contextlib, io, json, sys
from preflight.__main__ import main
cases = json.loads(sys.argv[1])
outputs = {}
for key, argv in cases.items():
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        try:
            status = main(argv)
        except SystemExit as error:
            status = error.code
    outputs[key] = {"status": status, "stdout": buffer.getvalue()}
print(json.dumps(outputs))
"""


def cases(bench_project: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    projects = [
        (REPOSITORY, sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in REPOSITORY.glob("Pulumi.*.yaml"))),
        (bench_project, ["one", "forty"]),
    ]
    for directory, stacks in projects:
        for stack in stacks:
            for mode, flags in (("preview", ["--preview"]), ("up", [])):
                for name, extra in FORMATS.items():
                    key = f"{'bench ' if directory == bench_project else ''}{stack} {mode} {name}"
                    found[key] = ["--project-dir", str(directory), "--stack", stack, *flags, *extra]
    return found


def produce(tree: Path, argv: dict[str, list[str]]) -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(argv)], cwd=tree, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"preflight in {tree} failed: {out.stderr.strip()[-600:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def canonical(key: str, output: dict) -> dict:
    if not key.endswith(" json") or not output["stdout"].strip():
        return output
    document = json.loads(output["stdout"])
    for resource in document.get("resources", []):
        resource["dependencies"] = sorted(resource["dependencies"])
        resource["propertyDependencies"] = {k: sorted(v) for k, v in resource["propertyDependencies"].items()}
    return {**output, "stdout": json.dumps(document, indent=2) + "\n"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main", help="the commit to compare with (default: main)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preflight-outputs-") as tmp:
        (Path(tmp) / "bench").mkdir()
        bench_project = make_project(Path(tmp) / "bench")
        baseline = Path(tmp) / "baseline"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(baseline), args.baseline], cwd=REPOSITORY, check=True
        )
        try:
            argv = cases(bench_project)
            before = {k: canonical(k, v) for k, v in produce(baseline, argv).items()}
            after = {k: canonical(k, v) for k, v in produce(REPOSITORY, argv).items()}
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=REPOSITORY, check=True)
    differing = 0
    for key in argv:
        if before[key] == after[key]:
            continue
        differing += 1
        print(f"== {key}: exit {before[key]['status']} -> {after[key]['status']}")
        sys.stdout.writelines(
            difflib.unified_diff(
                before[key]["stdout"].splitlines(keepends=True),
                after[key]["stdout"].splitlines(keepends=True),
                f"{args.baseline}",
                "this tree",
                n=1,
            )
        )
    print(f"{len(argv) - differing} of {len(argv)} outputs identical to {args.baseline}'s")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
