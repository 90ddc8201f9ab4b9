"""fargate_policies/alb.py: the load balancer and listener rules, what each verdict says."""

import pytest

from .conftest import MODES, flagged, messages


@pytest.mark.parametrize("preview", MODES)
def test_listener_findings(judge, preview):
    result = judge("violating", "test", preview=preview)
    assert messages(result, "alb-https-redirect")["Listener:http"] == [
        "HTTP listener on port 80 forwards instead of redirecting to HTTPS."
    ]
    assert messages(result, "alb-tls-policy")["Listener:https"][0].startswith(
        "sslPolicy ELBSecurityPolicy-2016-08 is not allowed; use one of ELBSecurityPolicy-TLS13-1-2-2021-06,"
    )


@pytest.mark.parametrize("preview", MODES)
def test_alb_module_tokens_are_judged_like_lb_ones(judge, preview):
    """existing_vpc writes its ALB with aws.alb (aws:alb/...): the same rules apply."""
    result = judge("existing_vpc", "all", preview=preview)
    assert flagged(result, "alb-https-redirect") == {"Listener:web"}
    assert flagged(result, "alb-deletion-protection") == {"LoadBalancer:alb"}
