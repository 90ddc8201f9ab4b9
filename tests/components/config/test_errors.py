"""How config problems are reported: one line each, with the key path, the value and the rule."""

from __future__ import annotations

from .conftest import error, web


def test_unknown_keys_suggest_the_closest_known_key():
    assert error(**web(contanerPort=8080)) == (
        "invalid stack config: fargate:services.web.contanerPort: unknown key; did you mean 'containerPort'?")
    assert error(netwrk={}) == "invalid stack config: fargate:netwrk: unknown key; did you mean 'network'?"
    assert error(loadBalancer={"ingressCidr": ["10.0.0.0/8"]}) == (
        "invalid stack config: fargate:loadBalancer.ingressCidr: unknown key; did you mean 'ingressCidrs'?")


def test_every_problem_is_reported_at_once():
    message = error(network={"availabilityZones": 1}, **web(cpu=100, logRetentionDays=10))
    lines = message.splitlines()
    assert lines[0] == "invalid stack config:"
    assert {line.split(":")[1].strip() for line in lines[1:]} == {
        "network.availabilityZones", "services.web.cpu", "services.web.logRetentionDays"}
