"""Listener-rule priorities, derived inside the service and claimed on its listener
(components/routing.py): banded by kind of rule, stable when other services come and go,
collisions moved deterministically, and the committed stacks keep the priorities they had."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from components import ArgsError, RoutingArgs, derived_priority
from components.config.stack import RoutingConfig, parse_stack_config
from components.config.stack import derived_priority as config_derived_priority
from components.routing import PRIORITY_BANDS, ListenerPriorities
from preflight import run

from .conftest import PROJECT, run_scenario

LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"

names = st.from_regex(r"[a-z][a-z0-9-]{0,19}", fullmatch=True)
paths = st.lists(st.from_regex(r"/[a-z0-9/]{0,20}\*?", fullmatch=True), min_size=1, max_size=3)
hosts = st.lists(st.from_regex(r"(\*\.)?[a-z]{1,10}\.example\.com", fullmatch=True), max_size=2)
routings = st.builds(lambda p, h: RoutingArgs(path_patterns=p, host_headers=h), paths, hosts)


@pytest.mark.parametrize("routing, band", [
    (RoutingArgs(host_headers=["api.example.com"]), "host"),
    (RoutingArgs(host_headers=["*.example.com"]), "host-wildcard"),
    (RoutingArgs(path_patterns=["/api/*"]), "path"),
    (RoutingArgs(), "catch-all"),
])
def test_derived_priority_falls_in_the_band_of_its_kind(routing, band):
    low, high = PRIORITY_BANDS[band]
    assert low <= derived_priority("web", routing) <= high


def test_a_longer_literal_path_comes_before_a_shorter_one():
    assert derived_priority("v2", RoutingArgs(path_patterns=["/api/v2/*"])) < \
        derived_priority("api", RoutingArgs(path_patterns=["/api/*"]))


@settings(max_examples=200, deadline=None)
@given(name=names, paths=paths, hosts=hosts)
def test_the_components_derivation_is_the_configs(name, paths, hosts):
    """Copied, not moved: the same number for the same routing, so no stack renumbers."""
    ours = derived_priority(name, RoutingArgs(path_patterns=paths, host_headers=hosts))
    assert ours == config_derived_priority(name, RoutingConfig(pathPatterns=paths, hostHeaders=hosts))


@settings(max_examples=100, deadline=None)
@given(services=st.dictionaries(names, routings, min_size=1, max_size=12), extra=names, extra_routing=routings)
def test_claimed_priorities_are_distinct_and_another_service_moves_none_it_does_not_collide_with(
        services, extra, extra_routing):
    before = ListenerPriorities()
    claimed = {name: before.claim("routing", name, routing) for name, routing in services.items()}
    assert len(set(claimed.values())) == len(claimed)
    if extra in services:
        return
    after = ListenerPriorities()
    again = {name: after.claim("routing", name, routing) for name, routing in services.items()}
    again[extra] = after.claim("routing", extra, extra_routing)
    # Added last, the new service takes a free number and renumbers nobody.
    assert {name: again[name] for name in services} == claimed
    assert again[extra] not in claimed.values()


def test_a_derived_priority_that_is_taken_moves_to_the_next_free_number():
    result = run_scenario("priorities")
    priorities = result.outputs["priorities"]
    assert priorities["first"] == priorities["derived"]
    assert priorities["second"] == priorities["derived"] + 1
    for name in ("first", "second"):
        assert result.one(LISTENER_RULE, name).inputs["priority"] == priorities[name]


def test_an_explicit_priority_another_rule_holds_is_one_error_naming_both():
    listener = ListenerPriorities()
    listener.claim("FargateServiceArgs.routing", "web", RoutingArgs(priority=7))
    with pytest.raises(ArgsError) as caught:
        listener.claim("FargateServiceArgs.routing", "api", RoutingArgs(path_patterns=["/api/*"], priority=7))
    assert str(caught.value).startswith(
        "FargateServiceArgs.routing.priority: 7 is not free on this listener; "
        "allowed: a priority no other rule holds (service 'web' has it;")


@pytest.mark.parametrize("stack", ["dev", "prod", "endpoints", "default-vpc"])
def test_committed_stacks_keep_the_priorities_the_config_gave_them(stack, request):
    """The service derives its own priority now; each rule holds the number the config's
    listener_rule_priorities() gave it before, so no `pulumi up` renumbers a rule."""
    values = yaml.safe_load((PROJECT / f"Pulumi.{stack}.yaml").read_text())["config"]
    config = parse_stack_config({k.split(":", 1)[1]: v for k, v in values.items() if k.startswith("fargate:")})
    shared = {"dev": "dev", "prod": "prod", "default-vpc": "default_vpc"}
    result = request.getfixturevalue(shared[stack]) if stack in shared else run(PROJECT, stack, policy_pack=None)
    rules = {r.name: r.inputs["priority"] for r in result.of_type(LISTENER_RULE)}
    assert rules == config.listener_rule_priorities()
