"""Application Load Balancer rules: load balancers, listeners, target groups."""

from __future__ import annotations

from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from . import _types as T
from ._policy import ADVISORY, HIGH, LOW, MANDATORY, MEDIUM, ReportViolation, Rule, config_schema, settings
from ._props import UNKNOWN, as_bool, as_number, get, get_list, peek
from ._stack import Stack

# TLS 1.2+ predefined policies (no TLS 1.0/1.1), forward secrecy or TLS 1.3 first.
# https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
TLS_12_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
]


def _is_application(args: ResourceValidationArgs) -> bool:
    return get(args.props, "loadBalancerType", default="application") == "application"


def _protocol(args: ResourceValidationArgs) -> str:
    # pulumi-aws: "For Application Load Balancers ... a default of HTTP".
    return str(get(args.props, "protocol", default="HTTP")).upper()


def alb_https_redirect(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Plain HTTP listeners redirect to HTTPS.

    Prevents: pages, cookies and credentials sent in clear text when a client follows
    an http:// link.

    Mirrors: AWS Config alb-http-to-https-redirection-check; Security Hub ELB.1;
    Checkov CKV_AWS_2 / CKV2_AWS_20.
    """
    if _protocol(args) != "HTTP":
        return
    for action in get_list(args.props, "defaultActions"):
        if get(action, "type") != "redirect" or str(get(action, "redirect", "protocol", default="")).upper() != "HTTPS":
            report_violation(
                f"HTTP listener on port {as_number(get(args.props, 'port'))} {get(action, 'type')}s "
                "instead of redirecting to HTTPS."
            )
            return


TLS_CONFIG = config_schema(
    allowedPolicies={
        "type": "array",
        "items": {"type": "string"},
        "description": "SSL policies HTTPS/TLS listeners may use.",
        "default": TLS_12_POLICIES,
    },
)


def alb_tls_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """HTTPS and TLS listeners use a TLS 1.2+ security policy from the allow-list.

    Prevents: clients negotiating TLS 1.0/1.1 with weak ciphers; a listener with no
    sslPolicy gets ELBSecurityPolicy-2016-08, which allows both.

    Mirrors: AWS Config elbv2-predefined-security-policy-ssl-check; Security Hub ELB.17;
    Checkov CKV_AWS_103; tfsec aws-elb-use-secure-tls-policy.
    """
    if _protocol(args) not in ("HTTPS", "TLS"):
        return
    policy = get(args.props, "sslPolicy")
    allowed = settings(args, TLS_CONFIG)["allowedPolicies"]
    if policy not in allowed:
        report_violation(
            f"sslPolicy {policy or 'unset (ELBSecurityPolicy-2016-08)'} is not allowed; "
            f"use one of {', '.join(allowed)}."
        )


def alb_drop_invalid_headers(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Application Load Balancers drop invalid HTTP header fields.

    Prevents: request smuggling and header injection through malformed headers
    passed on to the containers.

    Mirrors: AWS Config alb-http-drop-invalid-header-enabled; Security Hub ELB.4;
    Checkov CKV_AWS_131.
    """
    if _is_application(args) and get(args.props, "dropInvalidHeaderFields") is not True:
        report_violation("Set dropInvalidHeaderFields: true.")


def alb_access_logs(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Application Load Balancers write access logs to S3.

    Prevents: no record of who called what when investigating errors or an incident
    (the load balancer is the only place that sees every request).

    Mirrors: AWS Config elb-logging-enabled; Security Hub ELB.5; Checkov CKV_AWS_91.
    """
    if not _is_application(args):
        return
    logs = get(args.props, "accessLogs", default={})
    # The bucket is often another resource's output: only whether it is set matters.
    if get(logs, "enabled") is not True or peek(logs, "bucket") is None:
        report_violation("Set accessLogs {bucket, enabled: true} (enabled defaults to false).")


def alb_deletion_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Application Load Balancers have deletion protection.

    Prevents: an accidental `pulumi destroy` or replacement taking the public
    endpoint (and its DNS name) away.

    Mirrors: AWS Config elb-deletion-protection-enabled; Security Hub ELB.6; Checkov
    CKV_AWS_150.
    """
    if _is_application(args) and get(args.props, "enableDeletionProtection") is not True:
        report_violation("Set enableDeletionProtection: true.")


def fargate_target_group_ip(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Target groups of awsvpc (Fargate) services have targetType ip.

    Prevents: CreateService failing with "The provided target group ... has target
    type instance, which is incompatible with the awsvpc network mode specified in the
    task definition" (instance is the default target type).

    Mirrors: none.
    """
    stack = Stack.of(args.resources)
    judged = False
    for service in stack.of_type(T.ECS_SERVICE):
        if not stack.uses_awsvpc(service):
            continue
        for use in stack.service_target_groups(service):
            group = use.target_group
            target_type = peek(group.props, "targetType", default="instance")
            if target_type is UNKNOWN:
                continue
            judged = True
            if target_type != "ip":
                report_violation(
                    f"Target group {group.name!r} used by awsvpc service {service.name!r} "
                    f"has targetType {target_type!r}; set targetType: ip.",
                    group.urn,
                )
    if not judged:
        args.not_applicable("no awsvpc service uses a target group of this stack")


def alb_desync_mitigation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Application Load Balancers mitigate HTTP desync (desyncMitigationMode defensive or strictest, not monitor).

    Prevents: HTTP request smuggling: ambiguous requests a monitoring-only ALB passes on
    to the containers, where a second request hides inside the first.

    Mirrors: Security Hub ELB.12; AWS Config alb-desync-mode-check; Checkov CKV_AWS_328.
    """
    mode = get(args.props, "desyncMitigationMode", default="defensive")
    if _is_application(args) and str(mode).lower() == "monitor":
        report_violation("desyncMitigationMode is 'monitor'; set it to 'defensive' (the default) or 'strictest'.")


def alb_listener_rule_priority_unique(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """No two listener rules of one listener share a priority.

    Prevents: CreateRule failing with PriorityInUse halfway through `pulumi up`, after the
    first of the two rules (and whatever depends on it) was created.

    Mirrors: none.
    """
    stack = Stack.of(args.resources)
    rules = stack.of_type(T.LISTENER_RULE)
    if not rules:
        args.not_applicable("the stack has no listener rule")
        return
    first: dict[tuple[str, int], str] = {}
    unjudged = []
    for rule in rules:
        listeners = stack.refs(rule, ("listenerArn",), T.LISTENER)
        # Unset, the provider computes it (unknown in a preview): not the program's choice.
        priority = as_number(Stack.given(rule, "priority"))
        if priority is None:
            continue  # AWS gives it the next free priority
        if priority is UNKNOWN or listeners.unresolved or len(listeners.keys) != 1:
            unjudged.append(f"listener rule {rule.name!r} (its priority or listener is unknown)")
            continue
        key = (next(iter(listeners.keys)), priority)
        if key in first:
            report_violation(
                f"Listener rule {rule.name!r} has priority {priority}, as {first[key]!r} on the same listener "
                "has; give each rule of a listener its own priority.",
                rule.urn,
            )
        else:
            first[key] = rule.name
    if unjudged and not first:
        args.not_applicable("could not judge " + "; ".join(unjudged))


def _internet_facing(load_balancer: PolicyResource) -> Any:
    if (Stack.given(load_balancer, "loadBalancerType") or "application") != "application":
        return False
    internal = as_bool(Stack.given(load_balancer, "internal", default=False))
    return UNKNOWN if internal is UNKNOWN else internal is not True


def alb_waf(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Internet-facing Application Load Balancers have a WAF web ACL (a wafv2.WebAclAssociation whose resourceArn is
    the load balancer).

    Prevents: common web exploits (SQL injection, known bad inputs, request floods from one
    address) reaching the containers with nothing in front to filter them.

    Mirrors: Security Hub ELB.16; AWS Config alb-waf-enabled; cdk-nag AwsSolutions-ELB2 (its
    NIST/HIPAA/PCI packs' ALBWAFEnabled); Checkov CKV2_AWS_28.
    """
    stack = Stack.of(args.resources)
    balancers = [lb for lb in stack.of_type(T.LOAD_BALANCER) if _internet_facing(lb) is not False]
    if not balancers:
        args.not_applicable("the stack has no internet-facing Application Load Balancer")
        return
    protected: set = set()
    unplaced = []
    for association in stack.of_type(T.WAF_ACL_ASSOCIATION):
        refs = stack.refs(association, ("resourceArn",), T.LOAD_BALANCER)
        protected |= {lb.urn for lb in refs.resources}
        if refs.unresolved:
            unplaced.append(association.name)
    unjudged = [f"{lb.name!r} (internal unknown)" for lb in balancers if _internet_facing(lb) is UNKNOWN]
    missing = [lb for lb in balancers if _internet_facing(lb) is True and lb.urn not in protected]
    if missing and unplaced:
        args.not_applicable(
            f"could not tell which resource web ACL association(s) {', '.join(map(repr, sorted(unplaced)))} "
            "protect (resourceArn unknown, no dependency)"
        )
        return
    for balancer in missing:
        report_violation(
            f"Internet-facing load balancer {balancer.name!r} has no web ACL; associate one "
            "(aws.wafv2.WebAclAssociation with its arn), e.g. with the AWS managed common rule set.",
            balancer.urn,
        )
    if unjudged and not missing:
        args.not_applicable("could not judge " + "; ".join(unjudged))


RULES = [
    Rule("alb-https-redirect", ADVISORY, alb_https_redirect, T.LISTENER, severity=MEDIUM),
    Rule("alb-tls-policy", MANDATORY, alb_tls_policy, T.LISTENER, TLS_CONFIG, severity=HIGH),
    Rule("alb-drop-invalid-headers", ADVISORY, alb_drop_invalid_headers, T.LOAD_BALANCER, severity=MEDIUM),
    Rule("alb-access-logs", ADVISORY, alb_access_logs, T.LOAD_BALANCER, severity=LOW),
    Rule("alb-deletion-protection", ADVISORY, alb_deletion_protection, T.LOAD_BALANCER, severity=LOW),
    Rule("fargate-target-group-ip", MANDATORY, fargate_target_group_ip, severity=HIGH),
    Rule("alb-desync-mitigation", ADVISORY, alb_desync_mitigation, T.LOAD_BALANCER, severity=MEDIUM),
    Rule("alb-listener-rule-priority-unique", MANDATORY, alb_listener_rule_priority_unique, severity=HIGH),
    Rule("alb-waf", ADVISORY, alb_waf, severity=MEDIUM),
]
