"""bench/pack_scale.py's generated stacks: the size asked for, and copies that are separate stacks
(their own URNs, ids and ARNs, and references only within their copy), so that the benchmark
judges a large stack, not one stack named many times."""

import re

from bench.pack_scale import TEMPLATE, generated_stack, requests
from preflight import run


def test_a_generated_stack_is_copies_that_refer_only_to_themselves():
    template = run(*TEMPLATE, preview=False).resources
    resources = generated_stack(template, 3 * len(template) + 7)
    assert len(resources) == 3 * len(template) + 7
    urns = [r["urn"] for r in resources]
    assert len(set(urns)) == len(urns)
    vpcs = [r for r in resources if r["type"] == "aws:ec2/vpc:Vpc"]
    assert len({vpc["outputs"]["id"] for vpc in vpcs}) == len(vpcs) == 4  # the partial copy's comes first
    for resource in resources[1:]:
        copy = re.search(r"-c(\d+)$", resource["urn"])
        assert copy is not None and resource["name"].endswith(copy.group(0)), resource["urn"]
        # Every URN it names (its parent's and dependencies', unless the stack's) is of its own copy.
        for urn in [resource["parent"], *resource["dependencies"]]:
            assert urn in ("", resources[0]["urn"]) or urn.endswith(f"-c{copy.group(1)}"), (resource["urn"], urn)
        subnet_ids = resource["inputs"].get("subnetIds") or []
        assert all(subnet.endswith(f"-c{copy.group(1)}") for subnet in subnet_ids)
    analyze, stack = requests(resources)
    assert len(analyze) == len(resources) and stack
