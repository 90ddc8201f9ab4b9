"""policies/one_pass.py: the pack's policies share one conversion of each message per call.

Two things must hold for that to change nothing but time: the direct `Struct` walk returns what
`json_format.MessageToDict` returns, and no policy of the pack writes to what it is handed (they
share it). The first is checked value by value; the second by judging every fixture program and
committed stack, in both modes, with the pack as shipped and with a copy of it that does not share,
and comparing every verdict.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator

import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import given
from hypothesis import strategies as st

from policies import one_pass
from preflight import PolicyAnalyzer, RunResult, run

from ..conftest import COMMITTED_STACKS, POLICY_PACK, REPOSITORY
from .conftest import FIXTURES

# What a Struct holds: JSON values (numbers are doubles).
json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_the_direct_walk_reads_a_struct_as_json_format_does(document):
    message = struct_pb2.Struct()
    message.update(document)
    converted = one_pass.struct_to_dict(message)
    assert converted == json_format.MessageToDict(message)
    assert repr(converted) == repr(json_format.MessageToDict(message))  # same types: 1.0 stays a float


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_number_json_cannot_hold_is_refused_as_before(number):
    message = struct_pb2.Struct()
    message.update({"bad": [number]})
    with pytest.raises(ValueError, match="Fail to serialize"):
        json_format.MessageToDict(message)
    with pytest.raises(ValueError, match="Fail to serialize"):
        one_pass.struct_to_dict(message)


def test_an_unset_value_reads_as_null():
    message = struct_pb2.Struct()
    message.fields["empty"].CopyFrom(struct_pb2.Value())
    assert one_pass.struct_to_dict(message) == json_format.MessageToDict(message) == {"empty": None}


def test_the_pack_installs_the_sharing():
    main = (POLICY_PACK / "__main__.py").read_text()
    assert "one_pass.share()" in main
    # Secret marking replaces deserialize_properties first, so the shared one is the marking one.
    assert main.index("preserve_secrets()") < main.index("one_pass.share()")


PROGRAMS = [(".", stack) for stack in COMMITTED_STACKS] + sorted(
    (path.parent.name, path.name[len("Pulumi.") : -len(".yaml")])
    for path in FIXTURES.glob("*/Pulumi.*.yaml")
    if path.name != "Pulumi.yaml"
)


@pytest.fixture(scope="module")
def unshared_pack(tmp_path_factory) -> Iterator[PolicyAnalyzer]:
    """The pack as shipped but for `one_pass.share()`: every policy converts for itself."""
    pack = tmp_path_factory.mktemp("unshared") / "policies"
    shutil.copytree(POLICY_PACK, pack, ignore=shutil.ignore_patterns("__pycache__"))
    main = pack / "__main__.py"
    main.write_text(main.read_text().replace("one_pass.share()", "", 1))
    analyzer = PolicyAnalyzer(pack)
    yield analyzer
    analyzer.close()


def verdicts(result: RunResult) -> tuple:
    return (
        [(v.policy, v.enforcement_level, v.urn, v.message, v.severity) for v in result.violations],
        [(n.policy, n.urn, n.reason) for n in result.not_applicable],
        result.mandatory_not_run,
    )


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(("program", "stack"), PROGRAMS, ids=[f"{p}:{s}" for p, s in PROGRAMS])
def test_sharing_changes_no_verdict(program, stack, preview, judge, unshared_pack):
    project = REPOSITORY if program == "." else FIXTURES / program
    shared = judge(program, stack, preview=preview)
    alone = run(project, stack, preview=preview, analyzer=unshared_pack)
    assert shared.policy_pack == alone.policy_pack == "fargate-alb@v0.1.0"
    assert verdicts(alone) == verdicts(shared)
    if program in ("violating", "least_privilege_violating", "ingress_styles"):
        assert shared.violations  # the comparison is of verdicts, not of two empty lists
