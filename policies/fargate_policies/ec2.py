"""EC2 rules that judge every security group of the stack, whatever it fronts."""

from __future__ import annotations

from pulumi_policy import StackValidationArgs

from ._policy import CRITICAL, MANDATORY, ReportViolation, Rule
from ._props import UNKNOWN
from ._stack import IPV4_ANYWHERE, IPV6_ANYWHERE, Ingress, Stack

ADMIN_PORTS = {22: "SSH", 3389: "RDP"}


def _where(rule: Ingress) -> str:
    groups = ", ".join(sorted(repr(g.name) for g in rule.targets.resources) + sorted(rule.targets.external))
    if rule.declared_by in rule.targets.resources:
        return f"Security group {groups} (inline ingress)"
    return f"{rule.declared_by.resource_type.rsplit(':', 1)[-1]} {rule.declared_by.name!r} (on {groups or 'a group'})"


def ec2_no_open_admin_ports(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """No security group rule of the stack admits SSH (22) or RDP (3389) from 0.0.0.0/0 or ::/0, by port, by a port
    range that covers them or by all protocols, written inline, as ec2.SecurityGroupRule or as
    vpc.SecurityGroupIngressRule.

    Prevents: administrative ports open to the whole internet, the first thing scanners
    try (Fargate tasks need neither; ECS Exec reaches them through SSM).

    Mirrors: Security Hub EC2.13 / EC2.14 / EC2.19 (and EC2.18's unrestricted ports); AWS
    Config restricted-ssh / restricted-common-ports; Checkov CKV_AWS_24 / CKV_AWS_25;
    cdk-nag AwsSolutions-EC23.
    """
    stack = Stack.of(args.resources)
    rules = stack.ingress_rules
    if not rules:
        args.not_applicable("the stack declares no security group ingress")
        return
    unjudged, violated = [], False
    for rule in rules:
        ports = {port: rule.admits_tcp_port(port) for port in ADMIN_PORTS}
        if not any(covers is not False for covers in ports.values()):
            continue
        anywhere = rule.open_to_anywhere
        if anywhere is False:
            continue
        if anywhere is UNKNOWN or UNKNOWN in ports.values():
            unjudged.append(f"{rule.declared_by.name!r} (its ports or sources are unknown)")
            continue
        violated = True
        opened = ", ".join(f"{ADMIN_PORTS[p]} ({p})" for p, covers in ports.items() if covers is True)
        cidrs = ", ".join(c for c in dict.fromkeys(rule.cidrs) if c in (IPV4_ANYWHERE, IPV6_ANYWHERE))
        report_violation(
            f"{_where(rule)} admits {opened} from {cidrs}; admit only the addresses that administer it, "
            "or use ECS Exec / SSM Session Manager instead.",
            rule.declared_by.urn,
        )
    if unjudged and not violated:
        args.not_applicable("could not judge " + "; ".join(dict.fromkeys(unjudged)))


RULES = [
    Rule("ec2-no-open-admin-ports", MANDATORY, ec2_no_open_admin_ports, severity=CRITICAL),
]
