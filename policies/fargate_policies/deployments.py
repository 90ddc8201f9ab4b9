"""Deployment rules: a release that fails in front of the internet must roll itself back."""

from __future__ import annotations

from typing import Any

from pulumi_policy import StackValidationArgs

from . import _types as T
from ._policy import ADVISORY, HIGH, ReportViolation, Rule
from ._props import UNKNOWN, peek
from ._stack import Stack


def _rolls_back(setting: Any) -> Any:
    """True, False, or UNKNOWN: `{enable: true, rollback: true}` (ECS's two switches)."""
    enable, rollback = peek(setting, "enable"), peek(setting, "rollback")
    if UNKNOWN in (enable, rollback):
        return UNKNOWN
    return enable is True and rollback is True


def _internet_facing(stack: Stack, service: Any) -> Any:
    """Whether some load balancer the service's target groups hang off is internet-facing
    (`internal` unset or false); UNKNOWN when that cannot be told yet."""
    verdicts = []
    for use in stack.service_target_groups(service):
        for balancer in stack.load_balancers_of(use.target_group):
            # Unset, `internal` is computed (unknown in a preview of a new stack): internet-facing.
            internal = Stack.given(balancer, "internal", False)
            verdicts.append(UNKNOWN if internal is UNKNOWN else internal is not True)
    if True in verdicts:
        return True
    return UNKNOWN if UNKNOWN in verdicts else False


def ecs_deployment_rollback(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Services behind an internet-facing load balancer roll a failed deployment back: on their CloudWatch alarms (`alarms {enable, rollback}` with alarm names) or through the circuit breaker with rollback.

    Prevents: a release that starts, passes its health checks and then answers users
    with errors staying in place until someone notices and redeploys: the circuit
    breaker alone catches tasks that never get healthy, deployment alarms catch a
    release that gets worse once it takes traffic; with neither, nothing rolls back.

    Level: advisory, as ecs-circuit-breaker, whose check it widens to deployment alarms:
    ECS accepts and runs such a service, and the rule judges how a bad release ends, not a
    resource AWS refuses or one that opens access (what the pack's mandatory rules judge).

    Fix: set `deployment.rollbackOnAlarms` (on by default) with the service's alarms, or
    `deployment.circuitBreaker: true`; in another program, the service's `alarms` with
    `rollback: true` or `deploymentCircuitBreaker {enable: true, rollback: true}`.

    Mirrors: none (no AWS Config, Security Hub, Checkov or cdk-nag rule judges ECS
    deployment settings); ECS Express Mode's default canary with alarm rollback is the
    behaviour it asks for.
    """
    stack = Stack.of(args.resources)
    judged = False
    for service in stack.of_type(T.ECS_SERVICE):
        if peek(service.props, "deploymentController", "type", default="ECS") not in ("ECS", UNKNOWN):
            continue  # CodeDeploy or an external controller decides rollbacks
        facing = _internet_facing(stack, service)
        if facing is not True:
            continue
        judged = True
        alarms = peek(service.props, "alarms", default={})
        names = peek(alarms, "alarmNames", default=[]) if alarms is not UNKNOWN else UNKNOWN
        on_alarms = UNKNOWN if UNKNOWN in (alarms, names) else bool(names) and _rolls_back(alarms)
        breaker = peek(service.props, "deploymentCircuitBreaker", default={})
        on_breaker = UNKNOWN if breaker is UNKNOWN else _rolls_back(breaker)
        if True in (on_alarms, on_breaker) or UNKNOWN in (on_alarms, on_breaker):
            continue
        report_violation(
            f"Service {service.name!r} takes internet traffic and nothing rolls a failed deployment back: set "
            "alarms {alarmNames: [...], enable: true, rollback: true} or "
            "deploymentCircuitBreaker {enable: true, rollback: true}.",
            service.urn,
        )
    if not judged:
        args.not_applicable("no ECS service of this stack is behind an internet-facing load balancer")


RULES = [Rule("ecs-deployment-rollback", ADVISORY, ecs_deployment_rollback, severity=HIGH)]
