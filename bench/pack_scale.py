"""The policy pack's cost as a stack grows (a benchmark, not a timed test): `Analyze` for every
resource and `AnalyzeStack` once, as the engine sends them, on generated stacks of 500, 2,000 and
5,000 resources.

A stack is one real program's resources (tests/policies/fixtures/compliant, stack `nat`: a VPC with
its subnets, routes and NAT gateway, an ALB with listeners, a cluster, services with their task
definitions, roles, security groups, log groups and scaling) copied until the size is reached. Each
copy's URNs, names, ids and ARNs get a suffix of their own, so copies are separate services in
separate VPCs, as in a large stack, not one set of resources named many times: the stack rules
join every copy's resources to each other and to no other copy's.

Two packs are measured, each in its own process started as the preflight starts it:
`preflight` (the preflight's pack fast path on) and `engine` (`PREFLIGHT_FAST_PATHS=0`:
pulumi-policy's own `Analyze`/`AnalyzeStack`, as under `pulumi preview --policy-pack`).
Printed: per pack and size, the median over the repetitions of the Analyze calls (sent
pipelined through the relay, as the preflight sends them, until the last answer), AnalyzeStack,
their sum, the cost per resource, and how the cost per resource grew from the previous size.

    python bench/pack_scale.py [--sizes 500,2000,5000] [--repetitions 3] [--packs preflight,engine]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from preflight import run  # noqa: E402
from preflight.analyzer import PolicyAnalyzer  # noqa: E402
from preflight.recorder import STACK_TYPE, Resource  # noqa: E402
from preflight.values import wire_to_struct  # noqa: E402

TEMPLATE = (REPOSITORY / "tests" / "policies" / "fixtures" / "compliant", "nat")
PACK = REPOSITORY / "policies"
PACKS = {"preflight": "1", "engine": "0"}


def _tokens(resources: list[Resource]) -> list[str]:
    """What names one copy's resources and must differ between copies: URNs, names, ids, ARNs."""
    found: set[str] = set()
    for resource in resources:
        if resource.type == STACK_TYPE:
            continue
        found.add(resource.urn)
        for value in (resource.id, resource.wire_outputs.get("arn"), resource.wire_outputs.get("name")):
            if isinstance(value, str) and len(value) >= 6:
                found.add(value)
    # Longest first, so a URN is replaced whole before a name inside it.
    return sorted(found, key=len, reverse=True)


def _copied(value: Any, pattern: re.Pattern[str], suffix: str) -> Any:
    """`value` with every token of the template suffixed (through JSON, so nested strings too)."""
    return json.loads(pattern.sub(lambda match: match.group(0) + suffix, json.dumps(value)))


def _described(resource: Resource) -> dict[str, Any]:
    return {
        "type": resource.type,
        "urn": resource.urn,
        "name": resource.name,
        "parent": resource.parent or "",
        "dependencies": list(resource.dependencies),
        "propertyDependencies": {key: list(urns) for key, urns in resource.property_dependencies.items() if urns},
        "inputs": {key: value for key, value in resource.wire_inputs.items() if not key.startswith("__")},
        "outputs": {key: value for key, value in resource.wire_outputs.items() if not key.startswith("__")},
    }


def generated_stack(template: list[Resource], size: int) -> list[dict[str, Any]]:
    """`size` resources: the stack resource, then copies of the template's resources."""
    stack = next(r for r in template if r.type == STACK_TYPE)
    others = [_described(r) for r in template if r.type != STACK_TYPE]
    pattern = re.compile("|".join(re.escape(token) for token in _tokens(template)))
    resources = [_described(stack)]
    copy = 0
    while len(resources) < size:
        suffix = f"-c{copy}"
        copied = _copied(others, pattern, suffix)[: size - len(resources)]
        for resource in copied:
            resource["name"] += "" if resource["name"].endswith(suffix) else suffix  # as its URN ends
        resources += copied
        copy += 1
    return resources


def requests(resources: list[dict[str, Any]]) -> tuple[list[bytes], bytes]:
    """Each resource's `Analyze` request (its inputs) and the one `AnalyzeStack` request (outputs)."""
    analyze = [
        analyzer_pb2.AnalyzeRequest(
            type=r["type"], urn=r["urn"], name=r["name"], properties=wire_to_struct(r["inputs"])
        ).SerializeToString()
        for r in resources
    ]
    stack = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r["type"],
                urn=r["urn"],
                name=r["name"],
                properties=wire_to_struct(r["outputs"]),
                parent=r["parent"],
                dependencies=r["dependencies"],
                propertyDependencies={
                    key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                    for key, urns in r["propertyDependencies"].items()
                },
            )
            for r in resources
        ]
    ).SerializeToString()
    return analyze, stack


@contextmanager
def pack(fast_paths: str) -> Iterator[PolicyAnalyzer]:
    """The pack in a process of its own, configured for an update of the template's stack."""
    before = os.environ.get("PREFLIGHT_FAST_PATHS")
    os.environ["PREFLIGHT_FAST_PATHS"] = fast_paths
    try:
        with PolicyAnalyzer(PACK, preview=False) as analyzer:
            analyzer.call(
                "ConfigureStack",
                analyzer_pb2.AnalyzerStackConfigureRequest(stack="scale", project="scale", organization="o"),
            )
            analyzer.configure(None)
            yield analyzer
    finally:
        if before is None:
            os.environ.pop("PREFLIGHT_FAST_PATHS", None)
        else:
            os.environ["PREFLIGHT_FAST_PATHS"] = before


def judge_once(analyzer: PolicyAnalyzer, analyze: list[bytes], stack: bytes) -> tuple[float, float, int]:
    """(Analyze seconds, AnalyzeStack seconds, findings) for one stack."""
    start = time.perf_counter()
    # As the preflight sends them: every request of the run, the answers read at its end (the relay
    # bounds the calls in flight).
    for request in analyze:
        analyzer.send_analyze(request)
    answers = analyzer.analyze_answers()
    analyzed = time.perf_counter()
    response = analyzer.call_serialized("AnalyzeStack", stack, analyzer_pb2.AnalyzeResponse)
    done = time.perf_counter()
    failed = [details for ok, details in answers if not ok]
    if failed:
        raise SystemExit(f"pack_scale: Analyze failed: {failed[0].decode()}")
    findings = len(response.diagnostics) + sum(
        len(analyzer_pb2.AnalyzeResponse.FromString(answer).diagnostics) for _, answer in answers
    )
    return analyzed - start, done - analyzed, findings


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--packs", default="preflight,engine")
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.sizes.split(",")]
    template = run(TEMPLATE[0], TEMPLATE[1], preview=False).resources
    stacks = {size: requests(generated_stack(template, size)) for size in sizes}
    print(f"pack_scale: {len(template)} resources copied from {TEMPLATE[0].name}/{TEMPLATE[1]}; "
          f"median of {options.repetitions}; Python {sys.version.split()[0]}")  # fmt: skip
    print(
        f"{'pack':<10}{'resources':>10}{'Analyze s':>11}{'Stack s':>10}{'total s':>10}{'us/resource':>13}"
        f"{'growth':>8}{'findings':>10}"
    )
    for name in options.packs.split(","):
        with pack(PACKS[name]) as analyzer:
            judge_once(analyzer, *stacks[sizes[0]])  # warm: imports, first-call work
            previous = None
            for size in sizes:
                runs = [judge_once(analyzer, *stacks[size]) for _ in range(options.repetitions)]
                analyze = statistics.median(r[0] for r in runs)
                stack = statistics.median(r[1] for r in runs)
                per = (analyze + stack) / size * 1e6
                growth = f"{per / previous:.2f}x" if previous else "-"
                print(
                    f"{name:<10}{size:>10}{analyze:>11.2f}{stack:>10.2f}{analyze + stack:>10.2f}{per:>13.0f}"
                    f"{growth:>8}{runs[0][2]:>10}"
                )
                previous = per


if __name__ == "__main__":
    main(sys.argv[1:])
