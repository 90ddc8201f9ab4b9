"""Routing config: which requests reach a service, validated as an ALB rule would be.

Priorities not given are derived by the service itself (tests/components/test_routing.py);
the config only refuses what AWS would: bad patterns, too many conditions, a taken priority.
"""

from __future__ import annotations

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.config import parse_stack_config

from .conftest import WEB

routes = st.fixed_dictionaries(
    {},
    optional={
        "pathPatterns": st.lists(
            st.sampled_from(["/*", "/api/*", "/v1/*", "/static/*", "/admin"]), min_size=1, max_size=2, unique=True
        ),
        "hostHeaders": st.lists(st.sampled_from(["a.example.com", "*.example.org"]), min_size=1, max_size=1),
        "priority": st.integers(1, 60),
    },
)


@settings(max_examples=60)
@given(st.dictionaries(st.from_regex(r"\A[a-z][a-z0-9]{0,6}\Z"), routes, min_size=1, max_size=6))
def test_explicit_priorities_and_routes_are_unique_or_refused_by_key(service_routes):
    services = {name: {**WEB, "routing": route} for name, route in service_routes.items()}
    explicit = [route["priority"] for route in service_routes.values() if "priority" in route]
    try:
        config = parse_stack_config({"services": services})
    except pulumi.RunError as refused:
        # One problem: on the header's line; several: one indented line each.
        lines = [line for line in str(refused).removeprefix("invalid stack config:").splitlines() if line.strip()]
        assert lines and all(line.lstrip().startswith("fargate:services.") for line in lines)
        return
    assert len(set(explicit)) == len(explicit)
    assert [config.services[n].routing.priority for n in services] == [
        route.get("priority") for route in service_routes.values()
    ]


@pytest.mark.parametrize(
    "routing, key, allowed",
    [
        ({"pathPatterns": ["/api/ *"]}, "routing.pathPatterns[0]", "an ALB path pattern"),
        ({"hostHeaders": ["api_example.com"]}, "routing.hostHeaders[0]", "a host name such as api.example.com"),
        (
            {"pathPatterns": ["/a/*", "/b/*", "/c/*", "/d/*"], "hostHeaders": ["x.example.com", "y.example.com"]},
            "routing",
            "at most 5 path patterns and host headers together",
        ),
        ({"priority": 0}, "routing.priority", ""),
        ({"priority": 50001}, "routing.priority", ""),
    ],
)
def test_a_rule_aws_would_refuse_is_refused_naming_its_key(routing, key, allowed):
    with pytest.raises(pulumi.RunError) as refused:
        parse_stack_config({"services": {"web": {**WEB, "routing": routing}}})
    message = str(refused.value)
    assert f"fargate:services.web.{key}" in message and allowed in message
