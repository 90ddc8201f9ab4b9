"""Listener-rule priorities, derived inside the service and claimed on its listener
(components/routing.py): banded by kind of rule, stable when other services come and go,
collisions moved deterministically, and deployed rules keep their numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components import ArgsError, RoutingArgs, derived_priority
from components.routing import PRIORITY_BANDS, ListenerPriorities

from .conftest import run_scenario

LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"

names = st.from_regex(r"[a-z][a-z0-9-]{0,19}", fullmatch=True)
paths = st.lists(st.from_regex(r"/[a-z0-9/]{0,20}\*?", fullmatch=True), min_size=1, max_size=3)
hosts = st.lists(st.from_regex(r"(\*\.)?[a-z]{1,10}\.example\.com", fullmatch=True), max_size=2)
routings = st.builds(lambda p, h: RoutingArgs(path_patterns=p, host_headers=h), paths, hosts)


@pytest.mark.parametrize(
    "routing, band",
    [
        (RoutingArgs(host_headers=["api.example.com"]), "host"),
        (RoutingArgs(host_headers=["*.example.com"]), "host-wildcard"),
        (RoutingArgs(path_patterns=["/api/*"]), "path"),
        (RoutingArgs(), "catch-all"),
    ],
)
def test_derived_priority_falls_in_the_band_of_its_kind(routing, band):
    low, high = PRIORITY_BANDS[band]
    assert low <= derived_priority("web", routing) <= high


def test_a_longer_literal_path_comes_before_a_shorter_one():
    assert derived_priority("v2", RoutingArgs(path_patterns=["/api/v2/*"])) < derived_priority(
        "api", RoutingArgs(path_patterns=["/api/*"])
    )


@given(names, names)
def test_a_rule_comes_before_the_broader_rules_it_overlaps(first, second):
    """Whatever the names: exact hosts, then wildcard hosts, then longer path prefixes, then /*."""
    order = [
        derived_priority(first, RoutingArgs(host_headers=["api.example.com"])),
        derived_priority(second, RoutingArgs(host_headers=["*.example.com"])),
        derived_priority(first, RoutingArgs(path_patterns=["/api/v2/*"])),
        derived_priority(second, RoutingArgs(path_patterns=["/api/*", "/static/images/*"])),  # broadest counts
        derived_priority(first, RoutingArgs(path_patterns=["/a*"])),
        derived_priority(second, RoutingArgs(path_patterns=["/*"])),
    ]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert all(1 <= p <= 50000 for p in order)


def test_stability_guard_derived_priorities_of_deployed_rules_never_change():
    """A stability guard, pinned on purpose: deployed rules keep their numbers across releases;
    changing the derivation would renumber the rules of every deployed stack (the ordering
    properties are proved by the tests above)."""
    assert derived_priority("web", RoutingArgs(path_patterns=["/*"])) == 46258
    assert derived_priority("api", RoutingArgs(path_patterns=["/api/*"])) == 44099
    assert derived_priority("admin", RoutingArgs(path_patterns=["/admin/*"])) == 43782


@settings(max_examples=100, deadline=None)
@given(services=st.dictionaries(names, routings, min_size=1, max_size=12), extra=names, extra_routing=routings)
def test_claimed_priorities_are_distinct_and_another_service_moves_none_it_does_not_collide_with(
    services, extra, extra_routing
):
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
        "allowed: a priority no other rule holds (service 'web' has it;"
    )


# What each committed stack's rules held when the config derived the priorities; the
# services derive them now, and no `pulumi up` may renumber a deployed rule.
DEPLOYED = {
    "dev": {"web": 46258},
    "prod": {"api": 44099, "web": 46258},
    "endpoints": {"app": 49214},
    "default-vpc": {"web": 46258},
}


@pytest.mark.parametrize("stack", sorted(DEPLOYED))
def test_stability_guard_committed_stacks_keep_their_rule_priorities(stack, committed_stack):
    result = committed_stack(stack, preview=False)
    assert {r.name: r.inputs["priority"] for r in result.of_type(LISTENER_RULE)} == DEPLOYED[stack]
