"""Routing: listener-rule priorities derived from a service's own routing and name."""

from __future__ import annotations

import pulumi
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config import (
    RoutingConfig,
    derived_priority,
    parse_stack_config,
)

from .conftest import WEB

routes = st.fixed_dictionaries({}, optional={
    "pathPatterns": st.lists(st.sampled_from(["/*", "/api/*", "/v1/*", "/static/*", "/admin"]),
                             min_size=1, max_size=2, unique=True),
    "hostHeaders": st.lists(st.sampled_from(["a.example.com", "*.example.org"]), min_size=1, max_size=1),
    "priority": st.integers(1, 60),
})


@settings(max_examples=60)
@given(st.dictionaries(st.from_regex(r"\A[a-z][a-z0-9]{0,6}\Z"), routes, min_size=1, max_size=6))
def test_derived_priorities_are_unique_and_put_catch_alls_last(service_routes):
    services = {name: {**WEB, "routing": route} for name, route in service_routes.items()}
    try:
        config = parse_stack_config({"services": services})
    except pulumi.RunError as refused:  # duplicate priorities or routes: refused, by key
        assert "fargate:services." in str(refused)
        return
    priorities = config.listener_rule_priorities()
    assert sorted(priorities) == sorted(services)
    assert len(set(priorities.values())) == len(priorities)
    assert all(1 <= p <= 50000 for p in priorities.values())
    derived = {n: p for n, p in priorities.items() if config.services[n].routing.priority is None}
    for name, priority in derived.items():
        if config.services[name].routing.is_catch_all:
            assert all(p < priority for n, p in derived.items() if not config.services[n].routing.is_catch_all)
    # Adding a service leaves every other rule where it was (unless it lands on one's number).
    extra = {**services, "zzadded": {**WEB, "routing": {"pathPatterns": ["/added/*"]}}}
    try:
        grown = parse_stack_config({"services": extra}).listener_rule_priorities()
    except pulumi.RunError:  # a duplicate route with an existing service
        return
    if derived_priority("zzadded", RoutingConfig(path_patterns=("/added/*",))) not in priorities.values():
        assert {n: grown[n] for n in priorities} == priorities


def path_rule(*patterns: str) -> RoutingConfig:
    return RoutingConfig(path_patterns=patterns)


@given(st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z"), st.from_regex(r"\A[a-z][a-z0-9-]{0,19}\Z"))
def test_a_rule_comes_before_the_broader_rules_it_overlaps(first, second):
    """Whatever the names: exact hosts, then wildcard hosts, then longer path prefixes, then /*."""
    order = [derived_priority(first, RoutingConfig(host_headers=("api.example.com",))),
             derived_priority(second, RoutingConfig(host_headers=("*.example.com",))),
             derived_priority(first, path_rule("/api/v2/*")),
             derived_priority(second, path_rule("/api/*", "/static/images/*")),  # its broadest pattern counts
             derived_priority(first, path_rule("/a*")),
             derived_priority(second, path_rule("/*"))]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert all(1 <= p <= 50000 for p in order)


def test_stability_guard_derived_priorities_of_deployed_rules_never_change():
    """A stability guard, pinned on purpose: deployed rules keep their numbers across releases,
    and changing the derivation renumbers the rules of every deployed stack (the ordering
    properties are proved by the tests above)."""
    assert derived_priority("web", path_rule("/*")) == 46258
    assert derived_priority("api", path_rule("/api/*")) == 44099
    assert derived_priority("admin", path_rule("/admin/*")) == 43782
