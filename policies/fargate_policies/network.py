"""Network rules that follow a Fargate service through the stack: subnets, routes,
security groups and the load balancer in front of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from pulumi_policy import PolicyResource, StackValidationArgs

from . import _types as T
from ._express import NETWORK_CONFIGURATION
from ._policy import ADVISORY, CRITICAL, HIGH, LOW, MANDATORY, MEDIUM, ReportViolation, Rule, config_schema, settings
from ._props import UNKNOWN, as_bool, elements, peek
from ._stack import IPV4_ANYWHERE, IPV6_ANYWHERE, Ingress, Refs, Stack, contains_all, networks, union

IMAGE_PULL_ENDPOINTS = ("ecr.api", "ecr.dkr", "s3")
_KINDS = {
    **dict.fromkeys(T.ECS_SERVICE, "Fargate service"),
    **dict.fromkeys(T.ECS_EXPRESS_SERVICE, "Express service"),
    **dict.fromkeys(T.LOAD_BALANCER, "Load balancer"),
    **dict.fromkeys(T.SCHEDULER_SCHEDULE, "Scheduled task"),
}
# Where an EventBridge Scheduler schedule's ECS target holds its tasks' awsvpc configuration.
SCHEDULED_NETWORK = ("target", "ecsParameters", "networkConfiguration")


def _names(refs: Refs) -> str:
    # Property dependencies come in no particular order; messages should not vary.
    names = sorted(r.name for r in refs.resources) + sorted(refs.external)
    return ", ".join(repr(n) for n in names) or "none"


def _is_application(load_balancer: PolicyResource) -> bool:
    return peek(load_balancer.props, "loadBalancerType", default="application") == "application"


def _finish(args: StackValidationArgs, judged: bool, violated: bool, unjudged: list[str], subject: str) -> None:
    """Say "not applicable" when nothing could be judged, or when the only verdicts
    were passes and some resources could not be judged (naming them and why)."""
    if not judged and not unjudged:
        args.not_applicable(f"the stack has no {subject}")
    if unjudged and not violated:
        args.not_applicable("could not judge " + "; ".join(unjudged))


# -- fargate-min-two-subnets ----------------------------------------------------------------

SUBNETS_CONFIG = config_schema(
    minSubnets={
        "type": "integer",
        "minimum": 1,
        "default": 2,
        "description": "Fewest subnets a Fargate service or an ALB may use.",
    },
    minAvailabilityZones={
        "type": "integer",
        "minimum": 1,
        "default": 2,
        "description": "Fewest distinct availability zones those subnets span, where the stack knows the zones.",
    },
)


def _task_network(service: PolicyResource) -> tuple:
    """Where a service's (or an Express Mode service's) subnets and security groups are."""
    if service.resource_type in T.ECS_EXPRESS_SERVICE:
        return (NETWORK_CONFIGURATION, 0)
    if service.resource_type in T.SCHEDULER_SCHEDULE:
        return SCHEDULED_NETWORK
    return ("networkConfiguration",)


def _scheduled_tasks(stack: Stack) -> list[PolicyResource]:
    """Schedules whose ECS target runs Fargate tasks (launch type FARGATE): a job's tasks
    need subnets and an image pull path as a service's do."""
    return [
        s
        for s in stack.of_type(T.SCHEDULER_SCHEDULE)
        if peek(s.props, "target", "ecsParameters", "launchType") == "FARGATE"
    ]


def _express_services(stack: Stack) -> list[PolicyResource]:
    """Express Mode services that name their network (without one, ECS uses the default VPC's subnets)."""
    return [s for s in stack.of_type(T.ECS_EXPRESS_SERVICE) if Stack.given(s, NETWORK_CONFIGURATION)]


def _subnets(stack: Stack, resource: PolicyResource) -> tuple:
    """(count, refs) of the subnets a service or load balancer uses; count may be UNKNOWN."""
    if resource.resource_type in T.ECS_SERVICE + T.ECS_EXPRESS_SERVICE + T.SCHEDULER_SCHEDULE:
        path = _task_network(resource) + ("subnets",)
        return stack.count_at(resource, path, T.SUBNET), stack.refs(resource, path, T.SUBNET)
    # `subnets` and `subnetMappings` each compute the other: use the one the program set.
    mappings = elements(stack.given(resource, "subnetMappings"))
    if mappings is UNKNOWN:
        return (
            stack.count_at(resource, ("subnetMappings",), T.SUBNET),
            stack.refs(resource, ("subnetMappings",), T.SUBNET),
        )
    if mappings:
        refs = union(stack.refs(resource, ("subnetMappings", i, "subnetId"), T.SUBNET) for i in range(len(mappings)))
        return len(mappings), refs
    if stack.given(resource, "subnets") is None:
        return 0, Refs()
    return stack.count_at(resource, ("subnets",), T.SUBNET), stack.refs(resource, ("subnets",), T.SUBNET)


def fargate_min_two_subnets(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every Fargate service, every scheduled Fargate task (an EventBridge Scheduler ECS target) and every ALB uses at
    least two subnets, in at least two availability zones where the stack knows the zones.

    Prevents: CreateLoadBalancer failing ("At least two subnets in two different
    Availability Zones must be specified"), and a service that goes down with one
    availability zone. Express Mode services that name their network are judged as services.

    Mirrors: Security Hub ELB.13 / AWS Config elbv2-multiple-az (load balancers only;
    nothing checks ECS services).
    """
    config = settings(args, SUBNETS_CONFIG)
    stack = Stack.of(args.resources)
    judged, violated, unjudged = False, False, []
    resources = (
        stack.fargate_services()
        + _express_services(stack)
        + _scheduled_tasks(stack)
        + [lb for lb in stack.of_type(T.LOAD_BALANCER) if _is_application(lb)]
    )
    for resource in resources:
        kind = _KINDS[resource.resource_type]
        count, refs = _subnets(stack, resource)
        if count is UNKNOWN:
            unjudged.append(f"{resource.name!r} (its subnets are unknown)")
            continue
        judged = True
        if count < config["minSubnets"]:
            violated = True
            report_violation(
                f"{kind} {resource.name!r} uses {count} subnet(s); use at least "
                f"{config['minSubnets']}, in different availability zones.",
                resource.urn,
            )
            continue
        zones = [stack.availability_zone(subnet) for subnet in refs.resources]
        known_zones = {z for z in zones if z is not UNKNOWN}
        zones_complete = not refs.external and not refs.unresolved and UNKNOWN not in zones
        if zones_complete and len(known_zones) < config["minAvailabilityZones"]:
            violated = True
            report_violation(
                f"{kind} {resource.name!r} uses subnets {_names(refs)}, all in "
                f"{', '.join(sorted(known_zones))}; spread them over at least "
                f"{config['minAvailabilityZones']} availability zones.",
                resource.urn,
            )
    _finish(args, judged, violated, unjudged, "Fargate service or Application Load Balancer")


# -- fargate-ingress-from-load-balancer and fargate-ingress-by-security-group --------------------

DEFAULT_SECURITY_GROUP = "the VPC default security group"
ANYWHERE = {4: IPV4_ANYWHERE, 6: IPV6_ANYWHERE}


def _admits(stack: Stack, service_groups: Refs, balancer_groups: Refs, port: Any) -> Any:
    """True, False or UNKNOWN: does a rule on one of the service's groups admit TCP
    `port` from one of the load balancer's groups?"""
    if port is UNKNOWN or port is None:
        return UNKNOWN
    balancer_keys = balancer_groups.keys
    doubt = service_groups.unresolved or balancer_groups.unresolved or bool(service_groups.external)
    for rule in stack.ingress_into(service_groups):
        covers = rule.admits_tcp_port(port)
        if covers is False:
            continue
        from_balancer = bool(rule.sources.keys & balancer_keys) or (
            rule.from_self is True and bool(rule.targets.keys & balancer_keys)
        )
        if from_balancer and rule.shared_sources:
            # The balancer's group is the source of one of the group's entries with unknown
            # sources, not necessarily of this one: certain only if each of them covers the port.
            siblings = [r for r in stack.ingress_rules if r.shared_sources and r.declared_by is rule.declared_by]
            if all(sibling.admits_tcp_port(port) is True for sibling in siblings):
                return True
            doubt = True
            continue
        if from_balancer and covers is True:
            return True
        if from_balancer or rule.sources.unresolved or rule.from_self is UNKNOWN:
            doubt = True
    if any(rule.admits_tcp_port(port) is not False for rule in stack.unplaced_ingress):
        doubt = True
    return UNKNOWN if doubt else False


def _ip_version(balancer: PolicyResource, target_group: PolicyResource) -> int:
    """The IP version the load balancer reaches its targets with: IPv6 only for a dualstack
    ALB whose target group registers IPv6 addresses."""
    dualstack = str(peek(balancer.props, "ipAddressType", default="ipv4")).startswith("dualstack")
    return 6 if dualstack and peek(target_group.props, "ipAddressType") == "ipv6" else 4


def _balancer_ranges(stack: Stack, balancer: PolicyResource, target_group: PolicyResource, version: int) -> Any:
    """(networks, description) of the addresses the load balancer's nodes may use: the CIDRs of its
    subnets where the stack knows them, else its VPC's CIDRs; (UNKNOWN, why) when neither is known."""
    _, subnets = _subnets(stack, balancer)
    key = "cidrBlock" if version == 4 else "ipv6CidrBlock"
    if subnets.resources and not subnets.external and not subnets.unresolved:
        blocks = [stack.given(subnet, key) for subnet in subnets.resources]
        found = networks(blocks, version)
        if len(found) == len(blocks):
            return found, "its subnets " + ", ".join(sorted(map(str, found)))
    balancer_groups = stack.security_groups_of(balancer, ("securityGroups",)).resources
    vpcs = union(
        [stack.vpc_of(subnet) for subnet in subnets.resources]
        + [stack.vpc_of(target_group), union(stack.vpc_of(group) for group in balancer_groups)]
    )
    if len(vpcs.resources) == 1 and not vpcs.external:
        blocks = stack.vpc_cidrs(vpcs.resources[0], version)
        if blocks is not UNKNOWN and networks(blocks, version):
            found = networks(blocks, version)
            return found, f"its VPC {vpcs.resources[0].name!r} " + ", ".join(map(str, found))
    return UNKNOWN, (
        f"the IPv{version} addresses of load balancer {balancer.name!r} are unknown: "
        "neither its subnets' nor its VPC's CIDR blocks are in the stack"
    )


@dataclass
class _Reach:
    """How a service's security groups admit a load balancer on one port."""

    verdict: Any  # True, False or UNKNOWN
    by_group: Any = False  # through the load balancer's security group
    ranges: tuple[str, ...] = ()  # address ranges that admit the port ("10.0.0.0/16 ('tasks-from-vpc')")
    anywhere: bool = False  # one of them is the whole internet
    balancer_ranges: str = ""  # where the load balancer's addresses lie, for messages
    why_unknown: str = ""


def _by_range(
    stack: Stack, service_groups: Refs, balancer: PolicyResource, target_group: PolicyResource, port: Any
) -> _Reach:
    """Do the CIDR and prefix-list rules of the service's groups admit the load balancer's addresses on `port`?"""
    if port is UNKNOWN or port is None:
        return _Reach(UNKNOWN)
    version = _ip_version(balancer, target_group)
    admitted, named = [], []
    doubts = [
        # A rule whose security group the stack cannot tell may be one of the service's.
        f"the security group of {rule.declared_by.name!r} is unknown"
        for rule in stack.unplaced_ingress
        if rule.admits_tcp_port(port) is not False and (rule.cidrs or not rule.prefix_lists.empty)
    ]
    for rule in stack.ingress_into(service_groups):
        found, described = _admitted_by(stack, rule, port, version, doubts)
        admitted.extend(found)
        named.extend(described)
    anywhere = any(str(network) == ANYWHERE[version] for network in admitted)
    reach = _Reach(False, ranges=tuple(dict.fromkeys(named)), anywhere=anywhere)
    if anywhere:
        reach.verdict = True
        return reach
    if admitted:
        ranges, described_ranges = _balancer_ranges(stack, balancer, target_group, version)
        reach.balancer_ranges = described_ranges
        if ranges is UNKNOWN:
            reach.verdict, reach.why_unknown = UNKNOWN, described_ranges
            return reach
        if contains_all(admitted, ranges):
            reach.verdict = True
            return reach
    if doubts:
        reach.verdict, reach.why_unknown = UNKNOWN, "; ".join(dict.fromkeys(doubts))
    return reach


def _admitted_by(
    stack: Stack, rule: Ingress, port: Any, version: int, doubts: list[str]
) -> tuple[list[Any], list[str]]:
    """The networks one ingress rule surely admits on `port`, each described for messages; what
    the stack cannot tell about the rule is added to `doubts`."""
    covers = rule.admits_tcp_port(port)
    if covers is False:
        return [], []
    unknown = UNKNOWN in rule.cidrs
    found = networks(rule.cidrs, version)
    described = [f"{network} ({rule.declared_by.name!r})" for network in found]
    listed, listed_described = _prefix_list_networks(stack, rule, version, doubts)
    found.extend(listed)
    described.extend(listed_described)
    if covers is UNKNOWN:
        if found or unknown:
            doubts.append(f"the ports of {rule.declared_by.name!r} are unknown")
        return [], []
    if unknown:
        doubts.append(f"a CIDR block of {rule.declared_by.name!r} is unknown")
    return found, described


def _prefix_list_networks(stack: Stack, rule: Ingress, version: int, doubts: list[str]) -> tuple[list[Any], list[str]]:
    """The networks of the prefix lists a rule names, where the stack defines their entries."""
    found: list[Any] = []
    described: list[str] = []
    for prefix_list in rule.prefix_lists.resources:
        entries = stack.prefix_list_cidrs(prefix_list)
        if entries is UNKNOWN:
            doubts.append(f"the entries of prefix list {prefix_list.name!r} are unknown")
            continue
        listed = networks(entries, version)
        found.extend(listed)
        if listed:
            described.append(
                f"prefix list {prefix_list.name!r} ({', '.join(map(str, listed))}) in {rule.declared_by.name!r}"
            )
    for external in rule.prefix_lists.external:
        doubts.append(
            f"prefix list {external!r} is AWS-managed or looked up, not defined in the stack, "
            "so its entries cannot be read"
        )
    if rule.prefix_lists.unresolved and rule.protocol is not UNKNOWN:
        doubts.append(f"a prefix list of {rule.declared_by.name!r} is unknown")
    return found, described


@dataclass
class _Judgement:
    service: PolicyResource
    balancer: PolicyResource
    service_named: str
    balancer_named: str
    reaches: dict[Any, _Reach]
    failures: list[list[Any]]  # port sets no rule admits the load balancer on
    why_unknown: str  # "" when judged


def _judgements(stack: Stack) -> list[_Judgement]:
    """Every (service, load balancer) pair of the stack, judged port by port."""
    judgements = []
    for service in stack.of_type(T.ECS_SERVICE):
        if not stack.uses_awsvpc(service):
            continue
        has_groups = peek(service.props, "networkConfiguration", "securityGroups") is not None
        service_groups = stack.security_groups_of(service, ("networkConfiguration", "securityGroups"))
        service_named = _names(service_groups) if has_groups else DEFAULT_SECURITY_GROUP
        for use in stack.service_target_groups(service):
            for balancer in stack.load_balancers_of(use.target_group):
                if not _is_application(balancer):
                    continue
                balancer_has_groups = stack.given(balancer, "securityGroups") is not None
                balancer_groups = stack.security_groups_of(balancer, ("securityGroups",))
                reaches: dict[Any, _Reach] = {}
                for port in use.ports:
                    if has_groups:
                        reaches[port] = _reach(stack, service_groups, balancer_groups, balancer, use.target_group, port)
                    else:
                        # Both in the default group: it admits its own members on every port.
                        reaches[port] = _Reach(not balancer_has_groups, by_group=not balancer_has_groups)
                failures, why = _failures(reaches, use.exact)
                balancer_named = _names(balancer_groups) if balancer_has_groups else DEFAULT_SECURITY_GROUP
                judgements.append(_Judgement(service, balancer, service_named, balancer_named, reaches, failures, why))
    return judgements


def _reach(
    stack: Stack,
    service_groups: Refs,
    balancer_groups: Refs,
    balancer: PolicyResource,
    target_group: PolicyResource,
    port: Any,
) -> _Reach:
    """How the service's groups admit the load balancer on one port: by its group or by its addresses."""
    by_group = _admits(stack, service_groups, balancer_groups, port)
    reach = _by_range(stack, service_groups, balancer, target_group, port)
    reach.by_group = by_group
    if by_group is True:
        reach.verdict = True
    elif by_group is UNKNOWN and reach.verdict is not True:
        reach.verdict = UNKNOWN
    return reach


def _failures(reaches: dict[Any, _Reach], exact: bool) -> tuple[list[list[Any]], str]:
    """The port sets no rule admits the load balancer on, and why the verdict is unknown ("" when known).
    With `exact`, each port is one the load balancer sends to; otherwise one of them is, so the
    service is unreachable only if all are blocked."""
    verdicts = {port: reach.verdict for port, reach in reaches.items()}
    blocked = [port for port, verdict in verdicts.items() if verdict is False]
    if exact:
        failures = [[port] for port in blocked]
        doubt = not blocked and UNKNOWN in verdicts.values()
    else:
        failures = [blocked] if len(blocked) == len(verdicts) else []
        doubt = not failures and not all(v is True for v in verdicts.values())
    if not doubt:
        return failures, ""
    reasons = [r.why_unknown for r in reaches.values() if r.verdict is UNKNOWN and r.why_unknown]
    return failures, "; ".join(dict.fromkeys(reasons)) or "a port, group or rule it depends on is unknown"


def _judgeable(stack: Stack) -> tuple[list[_Judgement], list[str]]:
    """The judgements the stack allows, and why each other service cannot be judged (worked out
    once for the two rules that read them)."""
    return stack.once(_judgeable, lambda: _sort_judgements(stack))


def _sort_judgements(stack: Stack) -> tuple[list[_Judgement], list[str]]:
    judgeable, unjudged = [], []
    for judgement in _judgements(stack):
        if judgement.why_unknown:
            unjudged.append(
                f"service {judgement.service.name!r} behind {judgement.balancer.name!r} ({judgement.why_unknown})"
            )
        else:
            judgeable.append(judgement)
    return judgeable, unjudged


def fargate_ingress_from_load_balancer(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every service behind an ALB has a security group rule that admits the ALB on its container port: from one of the
    ALB's security groups, or from an address range (CIDR or managed prefix list) that contains the ALB's addresses.

    Prevents: targets that never become healthy (health checks time out, the service
    keeps replacing tasks, clients get 502/503/504) because the task's security group
    drops the load balancer's traffic.

    Mirrors: none (AWS Config, Security Hub and Checkov judge one resource at a time;
    Checkov CKV2_AWS_5 only checks that a security group is attached).
    """
    judgeable, unjudged = _judgeable(Stack.of(args.resources))
    judged, violated = bool(judgeable), False
    for judgement in judgeable:
        service, balancer = judgement.service, judgement.balancer
        for ports in judgement.failures:
            violated = True
            port = " or ".join(map(str, ports))
            ranges = [r for p in ports for r in judgement.reaches[p].ranges]
            addresses = next(
                (judgement.reaches[p].balancer_ranges for p in ports if judgement.reaches[p].balancer_ranges), ""
            )
            through_ranges = (
                f", and the address ranges they admit on it ({', '.join(dict.fromkeys(ranges))}) "
                f"do not contain the load balancer's addresses ({addresses})"
                if ranges
                else ""
            )
            report_violation(
                f"Service {service.name!r} receives traffic from load balancer {balancer.name!r} "
                f"on container port {port}, but no ingress rule of its security groups ({judgement.service_named}) "
                f"admits the load balancer on TCP {port}: none names the load balancer's security groups "
                f"({judgement.balancer_named}){through_ranges}. "
                "Add an ingress rule whose source is the load balancer's security group.",
                service.urn,
            )
    _finish(args, judged, violated, unjudged, "ECS service behind an Application Load Balancer")


def fargate_ingress_by_security_group(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Services behind an ALB admit it by its security group, not through an address range (a CIDR or prefix list) that
    merely contains it.

    Prevents: every other host in that range (other tasks, instances, a compromised
    neighbour in the VPC) reaching the tasks directly, around the load balancer's
    listeners, TLS and access logs. A range open to the whole internet is
    ecs-no-public-task-ingress's finding, not this one's.

    Mirrors: none (Checkov CKV_AWS_260 / Security Hub EC2.18 only catch 0.0.0.0/0).
    """
    judgeable, unjudged = _judgeable(Stack.of(args.resources))
    judged, violated = bool(judgeable), False
    for judgement in judgeable:
        service, balancer = judgement.service, judgement.balancer
        by_range = {
            port: reach
            for port, reach in judgement.reaches.items()
            if reach.verdict is True and reach.by_group is False and reach.ranges and not reach.anywhere
        }
        if not by_range:
            continue
        violated = True
        ports = " and ".join(map(str, by_range))
        ranges = ", ".join(dict.fromkeys(r for reach in by_range.values() for r in reach.ranges))
        report_violation(
            f"Service {service.name!r} admits load balancer {balancer.name!r} on TCP {ports} only through "
            f"address ranges ({ranges}): every other host in them reaches the tasks too. Admit the load "
            f"balancer's security group ({judgement.balancer_named}) instead.",
            service.urn,
        )
    _finish(args, judged, violated, unjudged, "ECS service behind an Application Load Balancer")


# -- fargate-image-pull-path -------------------------------------------------------------------


def _pull_path_problem(stack: Stack, subnet: PolicyResource, public_ip: Any) -> Optional[str]:
    """Why tasks in this subnet cannot reach ECR; "" if they can; None if unknowable."""
    egress = stack.egress_of(subnet)
    if egress.kind == "unknown":
        return None
    if egress.kind in ("nat", "appliance"):
        return ""
    if egress.kind == "internet-gateway":
        if public_ip is UNKNOWN:
            return None
        return (
            ""
            if public_ip is True
            else (
                f"subnet {subnet.name!r} routes to an internet gateway but the service does not assign a "
                "public IP (set assignPublicIp: true, or use subnets routed to a NAT gateway)"
            )
        )
    services = stack.endpoint_services(stack.vpc_of(subnet), egress.route_tables)
    if services is UNKNOWN:
        return None
    missing = [s for s in IMAGE_PULL_ENDPOINTS if s not in services]
    if not missing:
        return ""
    return (
        f"subnet {subnet.name!r} has no route to the internet (0.0.0.0/0) and its VPC has no "
        f"{', '.join(missing)} endpoint(s) serving it (route it to a NAT gateway, or add VPC endpoints "
        "for ecr.api, ecr.dkr and an S3 gateway endpoint on its route table)"
    )


def fargate_image_pull_path(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Fargate tasks (of services and of EventBridge Scheduler schedules) can reach ECR: in subnets routed to an
    internet gateway they get a public IP; otherwise their subnets route to a NAT gateway or their VPC has ECR (api,
    dkr) and S3 endpoints.

    Prevents: tasks stuck in PENDING then STOPPED with CannotPullContainerError /
    ResourceInitializationError ("unable to pull secrets or registry auth"), because
    they have no network path to the registry.

    Mirrors: none (Security Hub ECS.2 / Checkov CKV_AWS_333 forbid public IPs without
    asking whether the task still has a path to its image).
    """
    stack = Stack.of(args.resources)
    judged, violated, unjudged = False, False, []
    for service in stack.fargate_services() + _scheduled_tasks(stack):
        network = _task_network(service)
        subnets = stack.refs(service, network + ("subnets",), T.SUBNET)
        if subnets.external or subnets.unresolved or not subnets.resources:
            unjudged.append(f"service {service.name!r} (its subnets' route tables are not in the stack)")
            continue
        public_ip = as_bool(peek(service.props, *network, "assignPublicIp", default=False))
        problems = [
            _pull_path_problem(stack, subnet, public_ip) for subnet in sorted(subnets.resources, key=lambda s: s.name)
        ]
        found = [p for p in problems if p]
        if found:
            judged = violated = True
            report_violation(
                f"Tasks of {'scheduled task' if service.resource_type in T.SCHEDULER_SCHEDULE else 'Fargate service'} "
                f"{service.name!r} cannot pull their image: " + "; ".join(found) + ".",
                service.urn,
            )
        elif None in problems:
            unjudged.append(f"service {service.name!r} (a route, route table or endpoint is unknown)")
        else:
            judged = True
    _finish(args, judged, violated, unjudged, "Fargate service")


# -- ecs-no-public-task-ingress -------------------------------------------------------------------


def ecs_no_public_task_ingress(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """No security group of an ECS service's tasks (an Express Mode service's too) admits 0.0.0.0/0 or ::/0.

    Prevents: tasks reachable from the whole internet, bypassing the load balancer
    (and its TLS, WAF and access logs).

    Mirrors: Security Hub EC2.18 / EC2.19 and Checkov CKV_AWS_260 / CKV_AWS_277,
    scoped to task security groups (so a public ALB's group is not flagged); tfsec
    aws-vpc-no-public-ingress-sg.
    """
    stack = Stack.of(args.resources)
    users: dict[str, list[str]] = {}
    for service in stack.of_type(T.ECS_SERVICE) + _express_services(stack) + _scheduled_tasks(stack):
        for group in stack.security_groups_of(service, _task_network(service) + ("securityGroups",)).resources:
            users.setdefault(group.urn, []).append(service.name)
    if not users:
        args.not_applicable("no ECS service uses a security group of this stack")
    # One finding per group, however many of its entries open it.
    openings: dict[str, tuple[PolicyResource, list[str], list[str]]] = {}
    for rule in stack.ingress_rules:
        if rule.open_to_anywhere is not True:
            continue
        for group in rule.targets.resources:
            if group.urn not in users:
                continue
            _, cidrs, through = openings.setdefault(group.urn, (group, [], []))
            cidrs.extend(c for c in rule.cidrs if c in (IPV4_ANYWHERE, IPV6_ANYWHERE) and c not in cidrs)
            name = "its inline ingress" if rule.declared_by is group else repr(rule.declared_by.name)
            if name not in through:
                through.append(name)
    for urn, (group, cidrs, through) in openings.items():
        report_violation(
            f"Security group {group.name!r} of service(s) {', '.join(map(repr, users[urn]))} "
            f"admits the internet ({', '.join(cidrs)}) through {', '.join(through)}; "
            "admit the load balancer's security group instead.",
            urn,
        )


RULES = [
    Rule("fargate-min-two-subnets", MANDATORY, fargate_min_two_subnets, config=SUBNETS_CONFIG, severity=HIGH),
    Rule("fargate-ingress-from-load-balancer", MANDATORY, fargate_ingress_from_load_balancer, severity=HIGH),
    Rule("fargate-ingress-by-security-group", ADVISORY, fargate_ingress_by_security_group, severity=MEDIUM),
    Rule("fargate-image-pull-path", MANDATORY, fargate_image_pull_path, severity=HIGH),
    Rule("ecs-no-public-task-ingress", MANDATORY, ecs_no_public_task_ingress, severity=CRITICAL),
]


# -- vpc-flow-logs ----------------------------------------------------------------------------

FLOW_LOG = ("aws:ec2/flowLog:FlowLog",)


def vpc_flow_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Every VPC the stack creates has a flow log on the whole VPC (an aws.ec2.FlowLog whose vpcId is it).

    Prevents: a security-group mistake, a probe or an incident that leaves no trace of
    the traffic that was rejected (or accepted). Flow logs on some subnets or network
    interfaces only do not count: they miss whatever is added elsewhere later.

    Mirrors: cdk-nag AwsSolutions-VPC7; AWS Config vpc-flow-logs-enabled; Security Hub
    EC2.6; Checkov CKV2_AWS_11.
    """
    stack = Stack.of(args.resources)
    vpcs = stack.of_type(T.VPC)
    if not vpcs:
        args.not_applicable("the stack creates no VPC")
    logged: set = set()
    unplaced = []
    for flow_log in stack.of_type(FLOW_LOG):
        refs = stack.refs(flow_log, ("vpcId",), T.VPC)
        logged |= {vpc.urn for vpc in refs.resources}
        if refs.unresolved:
            unplaced.append(flow_log.name)
    missing = [vpc for vpc in vpcs if vpc.urn not in logged]
    if missing and unplaced:
        # A flow log whose VPC a preview cannot tell may be on any of them: no guess.
        args.not_applicable(
            f"could not tell which VPC flow log(s) {', '.join(map(repr, sorted(unplaced)))} "
            "record (vpcId unknown, no dependency)"
        )
        return
    for vpc in missing:
        report_violation(
            f"VPC {vpc.name!r} has no flow log; add an aws.ec2.FlowLog with its vpcId "
            "(trafficType REJECT is the cheapest useful one).",
            vpc.urn,
        )


VPC_FLOW_LOGS = Rule("vpc-flow-logs", ADVISORY, vpc_flow_logs, severity=LOW)
