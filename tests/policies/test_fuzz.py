"""The pack never breaks a preview: every rule, handed property bags shaped like each type the pack
reads but with keys missing, nulls, unknowns, secrets, wrong types, empty and huge lists, answers
without raising, through the real pack process and the gRPC calls the engine makes (`Remediate`,
`Analyze`, `AnalyzeStack`), in a preview and in an update.

The bags start from what real programs register (the fixtures' resources, inputs for `Analyze`,
outputs for `AnalyzeStack`) and are bent from there, so a rule is reached past its first
`if`. Every rule of `all_rules()` runs on every call (`all: remediate`, which also runs every fix),
so a rule added to the pack is fuzzed without a change here. A rule that raises makes pulumi-policy
fail the call, which the analyzer turns into a `ProgramError`: the test fails with the bag that did it.
"""

from __future__ import annotations

import copy
import json
import os
import traceback
from typing import Any

import pytest
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime.proto import analyzer_pb2
from pulumi.runtime.rpc import UNKNOWN as UNKNOWN_WIRE
from pulumi_policy import (
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.fargate_policies import _types, all_rules
from policies.fargate_policies._exemptions import REASON_TAG, TAG
from preflight import ProgramError
from preflight.values import secret, wire_to_struct

from .conftest import MODES, OPTIONS

SEED_PROGRAMS = [
    ("compliant", "nat"),
    ("violating", "test"),
    ("ingress_styles", "judged"),
    ("awsx_shaped", "test"),
    ("exemptions", "test"),
    ("least_privilege_violating", "test"),
    ("log_styles", "test"),
    ("express_mode", "violating"),
    ("deploy_checks", "violating"),
]
# Run time is the budget (CI runs this on three Pythons): some 20 s for the four runs and the
# seeds, the same examples on every run (derandomized), so CI never fails on a draw it did not make
# before. PACK_FUZZ_DEEP=1 draws fresh ones, 400 and 300 of them (some minutes): run it after
# adding a rule (it found the two crashes fixed beside this test, which the fixed draw misses).
DEEP = os.environ.get("PACK_FUZZ_DEEP") == "1"
RESOURCE_EXAMPLES = 400 if DEEP else 60
STACK_EXAMPLES = 300 if DEEP else 60
HUGE = 1500


def pack_types() -> list[str]:
    """Every type token the pack reads: each resource rule's, and every one `_types` names (the
    stack rules read those)."""
    found = {token for rule in all_rules() for token in rule.types or ()}
    for value in vars(_types).values():
        if isinstance(value, tuple) and all(isinstance(token, str) and ":" in token for token in value):
            found.update(value)
    return sorted(found)


def _wire(bag: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in bag.items() if not key.startswith("__")}


@pytest.fixture(scope="module")
def seeds(judge):
    """type -> (inputs, outputs) bags that real programs register, for every type the pack reads."""
    found: dict[str, list[tuple[dict, dict]]] = {token: [] for token in pack_types()}
    for program, stack in SEED_PROGRAMS:
        for resource in judge(program, stack, preview=False).resources:
            found.setdefault(resource.type, []).append((_wire(resource.wire_inputs), _wire(resource.wire_outputs)))
    return {token: bags or [({}, {})] for token, bags in found.items()}


@pytest.fixture(scope="module")
def configured(analyzer):
    """The pack configured as `--policy-pack-config` would: every rule at remediate (so every fix runs
    too) and excusing resources named `exempt-*`, so the exemption path is fuzzed as well."""
    exemption = {"exemptions": [{"name": "exempt-*", "reason": "fuzzed"}]}
    config = {"all": "remediate", **{rule.name: exemption for rule in all_rules()}}

    def configure(preview: bool) -> None:
        analyzer.call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(stack="fuzz", project="fuzz", organization="o", dry_run=preview),
        )
        analyzer.configure(config)

    return configure


def odd(draw, preview: bool, like: Any = None) -> Any:
    """A value of the wrong shape, or a shape the engine sends that rules rarely see."""
    rule_names = [rule.name for rule in all_rules()]
    options: list[Any] = [
        None,
        True,
        0,
        -1,
        2**40,
        1.5,
        "",
        "x" * 300,
        "[not json",
        [],
        {},
        [None],
        [{}],
        {"": None},
        {
            TAG: ",".join(draw(st.lists(st.sampled_from(rule_names), max_size=3))),
            REASON_TAG: draw(st.sampled_from(["", "why"])),
        },
        secret(like if like is not None else "s3cr3t"),
        [like] * HUGE if like is not None and _small(like) else ["x"] * HUGE,
    ]
    if preview:
        options += [UNKNOWN_WIRE, secret(UNKNOWN_WIRE), [UNKNOWN_WIRE]]
    return draw(st.sampled_from(options))


def _small(value: Any) -> bool:
    return len(json.dumps(value)) <= 2000


def bend(draw, value: Any, preview: bool, depth: int = 0) -> Any:
    """`value` with some of its parts removed, replaced, made secret or unknown, or repeated."""
    if depth > 5:
        return value
    if isinstance(value, dict) and "4dabf18193072939515e22adb298388d" not in value:
        bent = {}
        for key, item in value.items():
            action = draw(st.sampled_from(["keep", "keep", "keep", "bend", "bend", "drop", "odd"]))
            if action == "drop":
                continue
            bent[key] = (
                item
                if action == "keep"
                else odd(draw, preview, item)
                if action == "odd"
                else bend(draw, item, preview, depth + 1)
            )
        if draw(st.booleans()):
            bent[draw(st.sampled_from(["tags", "tagsAll", "name", "settings", "extra"]))] = odd(draw, preview)
        return bent
    if isinstance(value, list):
        action = draw(st.sampled_from(["each", "each", "empty", "huge", "odd"]))
        if action == "empty":
            return []
        if action == "huge":
            if not _small(value):
                return value  # huge already: a list of huge lists is only slower, not new
            return (value * (HUGE // max(len(value), 1) + 1))[:HUGE] if value else [None] * HUGE
        # Element by element for the first few only: a draw per element of a huge list is slow.
        if action == "odd":
            return [odd(draw, preview, item) for item in value[:8]] + value[8:]
        return [bend(draw, item, preview, depth + 1) for item in value[:8]] + value[8:]
    if isinstance(value, str) and value[:1] in "[{":
        try:
            parsed = json.loads(value)  # a JSON document in a string (containerDefinitions, policies)
        except ValueError:
            return value
        return json.dumps(bend(draw, parsed, False, depth + 1))
    if draw(st.integers(0, 3)) == 0:
        return odd(draw, preview, value)
    return value


def bag(draw, seeds, preview: bool, outputs: bool, token: Any = None) -> tuple[str, dict[str, Any]]:
    """A bent bag of `token` (or of a type drawn from those the pack reads)."""
    token = token or draw(st.sampled_from(sorted(seeds)))
    inputs, given_outputs = draw(st.sampled_from(seeds[token]))
    bent = bend(draw, given_outputs if outputs else inputs, preview)
    # A key another program of the fixtures sets on this type, with a value of the wrong shape.
    keys = sorted({key for pair in seeds[token] for key in pair[1 if outputs else 0]})
    for key in draw(st.lists(st.sampled_from(keys), max_size=4)) if keys else []:
        bent[key] = odd(draw, preview, bent.get(key))
    return token, bent


def judged_types() -> list[str]:
    return sorted({token for rule in all_rules() for token in rule.types or ()})


def _request(token: str, name: str, properties: dict[str, Any]) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=token, urn=f"urn:pulumi:fuzz::fuzz::{token}::{name}", name=name, properties=wire_to_struct(properties)
    )


NAMES = st.sampled_from(["web", "exempt-web", "alb", "x" * 80])


@pytest.mark.parametrize("preview", MODES)
@settings(max_examples=RESOURCE_EXAMPLES, deadline=None, derandomize=not DEEP, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_rule_raises_on_any_resource(analyzer, configured, seeds, preview, data):
    """Each example bends one bag of every type a resource rule judges (each rule sees every example),
    sends `Remediate` for each, then every `Analyze` pipelined, as the preflight sends them."""
    configured(preview)
    requests = []
    for token in judged_types():
        _, properties = bag(data.draw, seeds, preview, outputs=False, token=token)
        request = _request(token, data.draw(NAMES), properties)
        try:
            request, _ = analyzer.remediated(request)  # every fix, as the engine sends Remediate first
        except ProgramError as error:
            pytest.fail(f"{error}\n{_culprit(request)}")
        requests.append(request)
    for request in requests:
        analyzer.send_analyze(request.SerializeToString())  # pipelined, as the preflight sends them
    for request, (ok, answer) in zip(requests, analyzer.analyze_answers(), strict=True):
        if not ok:
            pytest.fail(f"policy pack Analyze failed: {answer.decode()}\n{_culprit(request)}")
        _answered_by_the_pack_s_rules(analyzer_pb2.AnalyzeResponse.FromString(answer))


def _culprit(request: analyzer_pb2.AnalyzeRequest) -> str:
    """Which rule (or fix) raised on the request, and where: the bag judged here, in this
    process, by each rule's policy as the pack holds it."""
    plain = deserialize_properties(json_format.MessageToDict(request.properties))
    for rule in all_rules():
        policy = rule.policy()
        if not isinstance(policy, ResourceValidationPolicy):
            continue
        for step in ("validate", "remediate"):
            args = ResourceValidationArgs(
                request.type, unknown_checking_proxy(copy.deepcopy(plain)), request.urn, request.name, OPTIONS, None
            )
            try:
                if step == "validate":
                    policy.validate(args, lambda *_: None)
                else:
                    policy.remediate(args)
            except UnknownValueError:
                pass
            except Exception as error:
                if type(error).__name__ == "_NotApplicableError":  # args.not_applicable(), as the SDK answers it
                    continue
                return f"{rule.name} ({step}) raised on {json.dumps(plain)[:2000]}:\n{traceback.format_exc()}"
    return f"no rule raised in this process on {json.dumps(plain)[:2000]}"


def _answered_by_the_pack_s_rules(response: analyzer_pb2.AnalyzeResponse) -> None:
    """Each finding, note and not-applicable answer comes from a rule of the pack, with a message."""
    names = {rule.name for rule in all_rules()}
    for diagnostic in response.diagnostics:
        assert diagnostic.policyName in names and diagnostic.message
    for entry in response.not_applicable:
        assert entry.policy_name in names


@pytest.mark.parametrize("preview", MODES)
@settings(max_examples=STACK_EXAMPLES, deadline=None, derandomize=not DEEP, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_rule_raises_on_any_stack(analyzer, configured, seeds, preview, data):
    configured(preview)
    count = data.draw(st.integers(1, 12))
    resources: list[analyzer_pb2.AnalyzerResource] = []
    for index in range(count):
        token, properties = bag(data.draw, seeds, preview, outputs=True)
        urn = f"urn:pulumi:fuzz::fuzz::{token}::r{index}"
        earlier = [r.urn for r in resources]
        chosen = data.draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        resources.append(
            analyzer_pb2.AnalyzerResource(
                type=token,
                urn=urn,
                name=data.draw(NAMES),
                properties=wire_to_struct(properties),
                parent=chosen[0] if chosen and data.draw(st.booleans()) else "",
                dependencies=chosen,
                propertyDependencies={
                    key: analyzer_pb2.AnalyzerPropertyDependencies(urns=chosen)
                    for key in list(properties)[:3]
                    if chosen
                },
            )
        )
    try:
        _answered_by_the_pack_s_rules(
            analyzer.call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=resources))
        )
    except ProgramError as error:
        pytest.fail(f"{error}\n{_stack_culprit(resources)}")


def _stack_culprit(messages: list[analyzer_pb2.AnalyzerResource]) -> str:
    """Which stack rule raised on the stack, and where, judged here in this process."""
    plain = [deserialize_properties(json_format.MessageToDict(m.properties)) for m in messages]
    for rule in all_rules():
        policy = rule.policy()
        if not isinstance(policy, StackValidationPolicy):
            continue
        resources = [
            PolicyResource(m.type, unknown_checking_proxy(copy.deepcopy(p)), m.urn, m.name, OPTIONS, None, None, [], {})
            for m, p in zip(messages, plain, strict=True)
        ]
        try:
            policy.validate(StackValidationArgs(resources, {}), lambda *_: None)
        except UnknownValueError:
            pass
        except Exception as error:
            if type(error).__name__ == "_NotApplicableError":
                continue
            bags = json.dumps([[m.type, p] for m, p in zip(messages, plain, strict=True)])[:3000]
            return f"{rule.name} raised on {bags}:\n{traceback.format_exc()}"
    return "no stack rule raised in this process"


def test_the_fuzzed_types_cover_every_resource_rule():
    types = set(pack_types())
    for rule in all_rules():
        assert set(rule.types or ()) <= types, rule.name


def test_a_map_where_a_subnet_id_belongs_is_judged_not_raised(analyzer, configured):
    # Found by the run above: fargate-min-two-subnets counted subnets in a set, and a map is not hashable.
    configured(False)
    service = analyzer_pb2.AnalyzerResource(
        type="aws:ecs/service:Service",
        urn="urn:pulumi:fuzz::fuzz::aws:ecs/service:Service::web",
        name="web",
        properties=wire_to_struct({"launchType": "FARGATE", "networkConfiguration": {"subnets": [{}, {"id": "x"}]}}),
    )
    response = analyzer.call("AnalyzeStack", analyzer_pb2.AnalyzeStackRequest(resources=[service]))
    found = [d.message for d in response.diagnostics if d.policyName == "fargate-min-two-subnets"]
    assert found and all("uses" in message for message in found), found  # judged: its own finding
