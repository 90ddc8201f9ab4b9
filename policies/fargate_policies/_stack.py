"""The stack as a graph: which resource an input names, whether values are known or not.

Stack rules reason across resources (a service, its target group, the listener that
forwards to it, the load balancer's security groups, the rules on the service's
security groups). An input names another resource by value (an id or ARN) once the
values are known, and only by where it came from during a preview of new resources,
when ids and ARNs are unknown. `Stack.refs` answers "which resources does this input
name" both ways:

- a known value is matched against the `id`, `arn`, `name` and `family` outputs of
  the stack's resources of the expected types; a known value naming nothing in the
  stack is *external* (an existing resource, or one found by a data-source look-up);
- an unknown value is resolved through the resource's property dependencies (the
  resources the engine recorded as the source of that top-level input), filtered
  to the expected types. If there are none, the reference is *unresolved* and the
  rule must not guess;
- a known value that matches nothing while a dependency of the expected type does
  is taken to come from that dependency (an engine that leaves `id` out of the
  outputs it sends would otherwise make every reference look external).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Optional

from pulumi_policy import PolicyResource

from . import _types as T
from ._props import UNKNOWN, as_bool, as_number, elements, peek

_LOOKUP_KEYS = ("id", "arn", "name", "family")

FARGATE_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
IPV4_ANYWHERE = "0.0.0.0/0"
IPV6_ANYWHERE = "::/0"


@dataclass(frozen=True)
class Refs:
    """The resources an input names."""

    resources: tuple[PolicyResource, ...] = ()
    # Known values that name no resource of the stack.
    external: tuple[str, ...] = ()
    # Some value is unknown and no dependency says where it came from.
    unresolved: bool = False

    @cached_property
    def keys(self) -> frozenset:
        """Comparable identities: the URN of a stack resource, the value of an external one.

        Computed once: a `Refs` does not change (and `Stack.refs` hands out the same one for the
        same question, which the rules then compare with many others)."""
        return frozenset([r.urn for r in self.resources] + list(self.external))

    @property
    def empty(self) -> bool:
        return not self.resources and not self.external and not self.unresolved

    def __or__(self, other: Refs) -> Refs:
        return Refs(
            _unique(self.resources + other.resources),
            tuple(dict.fromkeys(self.external + other.external)),
            self.unresolved or other.unresolved,
        )


def _unique(resources: Iterable[PolicyResource]) -> tuple[PolicyResource, ...]:
    seen: dict[str, PolicyResource] = {}
    for resource in resources:
        seen.setdefault(resource.urn, resource)
    return tuple(seen.values())


def union(refs: Iterable[Refs]) -> Refs:
    result = Refs()
    for ref in refs:
        result = result | ref
    return result


@dataclass(frozen=True)
class Ingress:
    """One ingress permission, from whichever of the three forms declared it."""

    declared_by: PolicyResource
    targets: Refs  # the security groups that admit the traffic
    protocol: Any  # "tcp", "udp", "-1", ... or UNKNOWN
    from_port: Any
    to_port: Any
    sources: Refs  # security groups the traffic may come from
    from_self: Any  # True when the group admits its own members
    cidrs: tuple[Any, ...]  # IPv4 and IPv6 CIDR blocks, UNKNOWN where unknown
    # True for inline entries of a group whose `ingress` has several entries with unknown source
    # groups: each takes every group the input depends on, but only some are really its own.
    shared_sources: bool = False
    prefix_lists: Refs = Refs()  # managed prefix lists the traffic may come from

    def admits_tcp_port(self, port: int) -> Any:
        """True, False or UNKNOWN: does this permission cover TCP on `port`?"""
        protocol = self.protocol
        if protocol is UNKNOWN:
            return UNKNOWN
        protocol = str(protocol).lower()
        if protocol in ("-1", "all"):
            return True
        if protocol not in ("tcp", "6"):
            return False
        low, high = as_number(self.from_port), as_number(self.to_port)
        if low is UNKNOWN or high is UNKNOWN:
            return UNKNOWN
        if low is None or high is None:
            return False
        return low <= port <= high

    @property
    def open_to_anywhere(self) -> Any:
        if any(cidr in (IPV4_ANYWHERE, IPV6_ANYWHERE) for cidr in self.cidrs):
            return True
        return UNKNOWN if UNKNOWN in self.cidrs else False


@dataclass(frozen=True)
class TargetGroupUse:
    """A target group a service registers its tasks in, and the container ports that go to it."""

    target_group: PolicyResource
    ports: tuple[Any, ...]
    # False when the target group ARNs are unknown and several `loadBalancers` entries depend on
    # several groups: each port then goes to one of those groups, which one is not known.
    exact: bool


@dataclass(frozen=True)
class Egress:
    """Where a subnet's default route (0.0.0.0/0) leads."""

    kind: str  # "internet-gateway", "nat", "appliance", "none" or "unknown"
    route_tables: tuple[PolicyResource, ...] = ()


class Stack:
    """Every resource of a stack validation, with lookups across them.

    `Stack.of(args.resources)` is the one a rule uses: stack rules handed the very same property
    objects share one index, its look-ups and its cached answers; any other list gets an index of
    its own."""

    _last: Optional[tuple[tuple[int, ...], Stack]] = None

    @classmethod
    def of(cls, resources: Sequence[PolicyResource]) -> Stack:
        # The ids are of objects the cached index holds alive, so they cannot name new ones.
        key = tuple(id(resource.props) for resource in resources)
        last = cls._last
        if last is not None and last[0] == key:
            return last[1]
        stack = cls(resources)
        cls._last = (key, stack)
        return stack

    def __init__(self, resources: Sequence[PolicyResource]):
        self.resources = list(resources)
        self._refs: dict[tuple[PolicyResource, tuple[Any, ...], tuple[str, ...]], Refs] = {}
        self._answers: dict[Any, Any] = {}
        # types -> value -> the resources of those types with that value (see `_named`).
        self._by_value: dict[tuple[str, ...], dict[str, list[PolicyResource]]] = {}
        self._by_type: dict[str, list[PolicyResource]] = {}
        for resource in self.resources:
            self._by_type.setdefault(resource.resource_type, []).append(resource)

    def _named(self, types: Sequence[str]) -> dict[str, list[PolicyResource]]:
        """Value -> the resources of `types`, in stack order, whose `id`, `arn`, `name` or
        `family` is that (known, non-empty) string.

        Built for each `types` on its first question rather than for the whole stack up front:
        the rules ask about a few types, which hold a third of a stack's resources, and reading
        the other resources' ids and ARNs (unknown in a preview) was most of building the index."""
        key = tuple(types)
        named = self._by_value.get(key)
        if named is None:
            named = self._by_value[key] = {}
            for resource in self.of_type(key):
                for lookup in _LOOKUP_KEYS:
                    value = peek(resource.props, lookup)
                    if isinstance(value, str) and value:
                        named.setdefault(value, []).append(resource)
        return named

    def of_type(self, types: Sequence[str]) -> list[PolicyResource]:
        if len(types) == 1:
            return list(self._by_type.get(types[0], ()))
        wanted = set(types)
        return [r for r in self.resources if r.resource_type in wanted]

    def referring(self, types: Sequence[str], path: Sequence[Any], named: Sequence[str]) -> Any:
        """resource -> the resources of `types` (in stack order) whose `refs` at `path` of the
        `named` types hold it: each `[r for r in of_type(types) if resource in refs(r, path, named).resources]`,
        for every resource at once. A mapping not to change."""

        def referrers() -> dict[PolicyResource, list[PolicyResource]]:
            found: dict[PolicyResource, list[PolicyResource]] = {}
            for referrer in self.of_type(types):
                for resource in self.refs(referrer, path, named).resources:
                    found.setdefault(resource, []).append(referrer)
            return found

        return self.once(("referring", tuple(types), tuple(path), tuple(named)), referrers)

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, once per index: for an answer of several rules, which none of them may change."""
        if key not in self._answers:
            self._answers[key] = compute()
        return self._answers[key]

    @staticmethod
    def given(resource: PolicyResource, key: str, default: Any = None) -> Any:
        """A top-level property as the program set it.

        Many pulumi-aws inputs are also computed outputs (a security group's `ingress`,
        a route table's `routes`, a service's `launchType`, a role's `inlinePolicies`):
        in a preview of a new resource the program left them out of, they are unknown.
        An unknown with no property dependency behind it is such a computed value, not
        something the program set: `default`."""
        value = peek(resource.props, key)
        if value is UNKNOWN and not resource.property_dependencies.get(key):
            return default
        return value

    # -- references ---------------------------------------------------------------

    def refs(self, resource: PolicyResource, path: Sequence[Any], types: Sequence[str]) -> Refs:
        """The resources of `types` named by the value (or list of values) at `path`.

        Asked once per (resource, path, types) and index: the answer is a function of the
        resource's properties and property dependencies and of the index, none of which changes
        once the index is built, and a `Refs` cannot be changed. The stack rules ask the same
        questions over and over (each task role for every role policy of the stack, each service
        for its cluster in several rules), ten times as many as there are different ones."""
        # A PolicyResource hashes by identity; the key holds it alive.
        key = (resource, tuple(path), tuple(types))
        found = self._refs.get(key)
        if found is None:
            found = self._refs[key] = self._find_refs(resource, path, types)
        return found

    def _find_refs(self, resource: PolicyResource, path: Sequence[Any], types: Sequence[str]) -> Refs:
        values = elements(peek(resource.props, *path))
        dependencies = [d for d in resource.property_dependencies.get(path[0], []) if d.resource_type in types]
        matched: list[PolicyResource] = []
        external: list[str] = []
        unknown = values is UNKNOWN
        named = self._named(types)
        for value in [] if unknown else values:
            if value is UNKNOWN:
                unknown = True
            elif isinstance(value, str) and value:
                hits = named.get(value)
                if hits:
                    matched.extend(hits)
                else:
                    external.append(value)
        unmatched = [d for d in dependencies if d not in matched]
        if unknown and not unmatched and not matched:
            return Refs(_unique(matched), tuple(external), unresolved=True)
        if unknown or (external and unmatched):
            # The unknown values (or known ones whose source did not report them
            # as an output) came from the resources the engine recorded.
            matched.extend(unmatched)
            if not unknown:
                external = []
        return Refs(_unique(matched), tuple(dict.fromkeys(external)))

    def count_at(self, resource: PolicyResource, path: Sequence[Any], types: Sequence[str]) -> Any:
        """How many distinct values the list at `path` holds; UNKNOWN if not knowable."""
        values = elements(peek(resource.props, *path))
        if values is UNKNOWN:
            refs = self.refs(resource, path, types)
            return UNKNOWN if refs.unresolved else len(refs.resources)
        # A value that is not hashable (a malformed map in place of an id) counts as one of its own.
        known_values = {v if isinstance(v, Hashable) else id(v) for v in values if v is not UNKNOWN}
        return len(known_values) + sum(1 for v in values if v is UNKNOWN)

    # -- ECS ----------------------------------------------------------------------

    def is_fargate(self, service: PolicyResource) -> Any:
        """Whether a service runs on Fargate: its launch type, its capacity provider
        strategy, or (with neither) its cluster's default strategy."""
        return service_is_fargate(service.props, self._cluster_default_strategy(service))

    def _cluster_default_strategy(self, service: PolicyResource) -> Any:
        clusters = self.refs(service, ("cluster",), T.ECS_CLUSTER)
        for providers in self.of_type(T.ECS_CLUSTER_CAPACITY_PROVIDERS):
            named = self.refs(providers, ("clusterName",), T.ECS_CLUSTER)
            if named.keys & clusters.keys:
                return peek(providers.props, "defaultCapacityProviderStrategies")
        return None

    def task_definitions(self, service: PolicyResource) -> Refs:
        return self.refs(service, ("taskDefinition",), T.ECS_TASK_DEFINITION)

    def uses_awsvpc(self, service: PolicyResource) -> bool:
        """Fargate services, and services whose task definition uses awsvpc, get their
        own network interface: subnets and security groups come from the service."""
        if self.is_fargate(service) is True:
            return True
        return any(self.given(task, "networkMode") == "awsvpc" for task in self.task_definitions(service).resources)

    def fargate_services(self) -> list[PolicyResource]:
        return [s for s in self.of_type(T.ECS_SERVICE) if self.is_fargate(s) is True]

    # -- load balancing -------------------------------------------------------------

    def _action_target_groups(self, resource: PolicyResource, key: str) -> Refs:
        actions = elements(peek(resource.props, key))
        if actions is UNKNOWN:
            return self.refs(resource, (key,), T.TARGET_GROUP)
        found = Refs()
        for index, action in enumerate(actions):
            if action is UNKNOWN:
                found |= self.refs(resource, (key, index), T.TARGET_GROUP)
                continue
            found |= self.refs(resource, (key, index, "targetGroupArn"), T.TARGET_GROUP)
            groups = elements(peek(action, "forward", "targetGroups"))
            if groups is UNKNOWN:
                found |= self.refs(resource, (key, index, "forward", "targetGroups"), T.TARGET_GROUP)
                continue
            for group_index in range(len(groups)):
                found |= self.refs(
                    resource, (key, index, "forward", "targetGroups", group_index, "arn"), T.TARGET_GROUP
                )
        return found

    @cached_property
    def _load_balancers_by_target_group(self) -> dict[str, tuple[PolicyResource, ...]]:
        """Target group URN -> the load balancers whose listeners (or listener rules) forward to it."""
        result: dict[str, tuple[PolicyResource, ...]] = {}

        def link(target_groups: Refs, load_balancers: Refs) -> None:
            for group in target_groups.resources:
                result[group.urn] = _unique(result.get(group.urn, ()) + load_balancers.resources)

        for listener in self.of_type(T.LISTENER):
            link(
                self._action_target_groups(listener, "defaultActions"),
                self.refs(listener, ("loadBalancerArn",), T.LOAD_BALANCER),
            )
        for rule in self.of_type(T.LISTENER_RULE):
            listeners = self.refs(rule, ("listenerArn",), T.LISTENER)
            load_balancers = union(
                self.refs(listener, ("loadBalancerArn",), T.LOAD_BALANCER) for listener in listeners.resources
            )
            link(self._action_target_groups(rule, "actions"), load_balancers)
        return result

    def load_balancers_of(self, target_group: PolicyResource) -> tuple[PolicyResource, ...]:
        return self._load_balancers_by_target_group.get(target_group.urn, ())

    @cached_property
    def forwarded_target_groups(self) -> Refs:
        """Every target group a listener's default actions or a listener rule's actions of the
        stack forward to, whichever load balancer (of the stack or not) the listener is on;
        `unresolved` when an action's target group a preview cannot tell may be any of them."""
        found = [self._action_target_groups(listener, "defaultActions") for listener in self.of_type(T.LISTENER)]
        found += [self._action_target_groups(rule, "actions") for rule in self.of_type(T.LISTENER_RULE)]
        # Gathered in one pass: `union` copies what it has so far at each step, square in the rules.
        return Refs(
            _unique(group for refs in found for group in refs.resources),
            tuple(dict.fromkeys(value for refs in found for value in refs.external)),
            any(refs.unresolved for refs in found),
        )

    def service_target_groups(self, service: PolicyResource) -> list[TargetGroupUse]:
        """The target groups a service registers its tasks in, each once, with its container ports."""
        entries = elements(peek(service.props, "loadBalancers"))
        if entries is UNKNOWN:
            refs = self.refs(service, ("loadBalancers",), T.TARGET_GROUP)
            return [TargetGroupUse(group, (UNKNOWN,), True) for group in refs.resources]
        ports: dict[str, list[Any]] = {}
        groups: dict[str, PolicyResource] = {}
        inexact = set()
        for index, entry in enumerate(entries):
            refs = self.refs(service, ("loadBalancers", index, "targetGroupArn"), T.TARGET_GROUP)
            # A blue/green (canary, linear) entry's alternate group takes the same port: ECS
            # registers the new release's tasks there.
            alternate = self.refs(
                service, ("loadBalancers", index, "advancedConfiguration", "alternateTargetGroupArn"), T.TARGET_GROUP
            )
            named = 1 if alternate.empty else 2
            refs = refs | alternate
            # An unknown ARN resolves to every target group the whole `loadBalancers` input
            # depends on: with more than the entry names, a preview cannot tell which one this
            # entry's port goes to.
            ambiguous = peek(entry, "targetGroupArn") is UNKNOWN and len(refs.resources) > named
            for group in refs.resources:
                groups[group.urn] = group
                found = ports.setdefault(group.urn, [])
                port = as_number(peek(entry, "containerPort"))
                if port not in found:
                    found.append(port)
                if ambiguous:
                    inexact.add(group.urn)
        return [TargetGroupUse(groups[urn], tuple(ports[urn]), urn not in inexact) for urn in groups]

    # -- security groups ----------------------------------------------------------

    @cached_property
    def ingress_rules(self) -> list[Ingress]:
        """Every ingress permission of the stack, inline or standalone."""
        rules: list[Ingress] = []
        for group in self.of_type(T.SECURITY_GROUP):
            own = Refs((group,))
            entries = elements(self.given(group, "ingress"))
            if entries is UNKNOWN:
                rules.append(_unknown_ingress(group, own))
                continue
            shared = sum(1 for entry in entries if _unknown_sources(entry)) > 1
            for index, entry in enumerate(entries):
                if entry is UNKNOWN:
                    rules.append(_unknown_ingress(group, own))
                    continue
                rules.append(
                    Ingress(
                        declared_by=group,
                        targets=own,
                        protocol=peek(entry, "protocol"),
                        from_port=peek(entry, "fromPort"),
                        to_port=peek(entry, "toPort"),
                        sources=self.refs(group, ("ingress", index, "securityGroups"), T.SECURITY_GROUP),
                        from_self=as_bool(peek(entry, "self")),
                        cidrs=_cidrs(entry, "cidrBlocks", "ipv6CidrBlocks"),
                        shared_sources=shared and _unknown_sources(entry),
                        prefix_lists=(
                            self.refs(group, ("ingress", index, "prefixListIds"), T.MANAGED_PREFIX_LIST)
                            if peek(entry, "prefixListIds")
                            else Refs()
                        ),
                    )
                )
        for rule in self.of_type(T.SECURITY_GROUP_RULE):
            kind = peek(rule.props, "type")
            if kind is UNKNOWN:
                rules.append(_unknown_ingress(rule, self.refs(rule, ("securityGroupId",), T.SECURITY_GROUP)))
            if kind != "ingress":
                continue
            rules.append(
                Ingress(
                    declared_by=rule,
                    targets=self.refs(rule, ("securityGroupId",), T.SECURITY_GROUP),
                    protocol=peek(rule.props, "protocol"),
                    from_port=peek(rule.props, "fromPort"),
                    to_port=peek(rule.props, "toPort"),
                    # Computed when the rule names CIDRs instead: unknown in a preview, not a source.
                    sources=(
                        self.refs(rule, ("sourceSecurityGroupId",), T.SECURITY_GROUP)
                        if self.given(rule, "sourceSecurityGroupId") is not None
                        else Refs()
                    ),
                    from_self=as_bool(peek(rule.props, "self")),
                    cidrs=_cidrs(rule.props, "cidrBlocks", "ipv6CidrBlocks"),
                    prefix_lists=(
                        self.refs(rule, ("prefixListIds",), T.MANAGED_PREFIX_LIST)
                        if self.given(rule, "prefixListIds")
                        else Refs()
                    ),
                )
            )
        for rule in self.of_type(T.SECURITY_GROUP_INGRESS_RULE):
            rules.append(
                Ingress(
                    declared_by=rule,
                    targets=self.refs(rule, ("securityGroupId",), T.SECURITY_GROUP),
                    protocol=peek(rule.props, "ipProtocol"),
                    from_port=peek(rule.props, "fromPort"),
                    to_port=peek(rule.props, "toPort"),
                    sources=self.refs(rule, ("referencedSecurityGroupId",), T.SECURITY_GROUP),
                    from_self=False,
                    cidrs=_cidrs(rule.props, "cidrIpv4", "cidrIpv6"),
                    prefix_lists=(
                        self.refs(rule, ("prefixListId",), T.MANAGED_PREFIX_LIST)
                        if self.given(rule, "prefixListId") is not None
                        else Refs()
                    ),
                )
            )
        return rules

    @cached_property
    def _ingress_by_target(self) -> dict[str, list[int]]:
        """Target key (a group's URN, an external group's id) -> the positions in `ingress_rules`
        of the permissions into it: `ingress_into` is asked for every service and port, and
        scanning every permission of the stack each time grew with the stack twice over."""
        index: dict[str, list[int]] = {}
        for position, rule in enumerate(self.ingress_rules):
            for key in rule.targets.keys:
                index.setdefault(key, []).append(position)
        return index

    def ingress_into(self, groups: Refs) -> list[Ingress]:
        """The ingress permissions of the given security groups, in `ingress_rules` order:
        `[rule for rule in self.ingress_rules if rule.targets.keys & groups.keys]`."""
        index = self._ingress_by_target
        positions = {position for key in groups.keys for position in index.get(key, ())}
        rules = self.ingress_rules
        return [rules[position] for position in sorted(positions)]

    @cached_property
    def unplaced_ingress(self) -> list[Ingress]:
        """Standalone rules whose security group the stack cannot tell (unknown, no dependency).
        A list not to change (worked out once, as `ingress_rules` is)."""
        return [rule for rule in self.ingress_rules if rule.targets.unresolved and not rule.targets.keys]

    def security_groups_of(self, resource: PolicyResource, path: Sequence[Any]) -> Refs:
        return self.refs(resource, path, T.SECURITY_GROUP)

    def prefix_list_cidrs(self, prefix_list: PolicyResource) -> Any:
        """The CIDRs of a managed prefix list of the stack (inline `entries` and standalone
        ManagedPrefixListEntry resources); UNKNOWN if one of them may be unknown."""
        entries = elements(self.given(prefix_list, "entries"))
        if entries is UNKNOWN:
            return UNKNOWN
        cidrs = [UNKNOWN if entry is UNKNOWN else peek(entry, "cidr") for entry in entries]
        for entry in self.of_type(T.MANAGED_PREFIX_LIST_ENTRY):
            owners = self.refs(entry, ("prefixListId",), T.MANAGED_PREFIX_LIST)
            if prefix_list in owners.resources:
                cidrs.append(peek(entry.props, "cidr"))
            elif owners.unresolved:
                return UNKNOWN
        return UNKNOWN if UNKNOWN in cidrs else tuple(cidrs)

    def vpc_cidrs(self, vpc: PolicyResource, version: int) -> Any:
        """Every CIDR block of a VPC of the stack (IPv4: primary and associated ones), or UNKNOWN."""
        if version == 6:
            block = self.given(vpc, "ipv6CidrBlock")
            return UNKNOWN if not isinstance(block, str) or not block else (block,)
        blocks = [self.given(vpc, "cidrBlock")]
        for association in self.of_type(T.VPC_IPV4_CIDR_ASSOCIATION):
            owners = self.vpc_of(association)
            if vpc in owners.resources:
                blocks.append(self.given(association, "cidrBlock"))
            elif owners.unresolved:
                return UNKNOWN
        return tuple(blocks) if all(isinstance(b, str) and b for b in blocks) else UNKNOWN

    # -- subnets and routing --------------------------------------------------------

    def availability_zone(self, subnet: PolicyResource) -> Any:
        """The subnet's zone (name or id, whichever the program gave), else UNKNOWN."""
        for key in ("availabilityZone", "availabilityZoneId"):
            zone = self.given(subnet, key)
            if zone is not None:
                return zone
        return UNKNOWN

    def vpc_of(self, resource: PolicyResource) -> Refs:
        return self.refs(resource, ("vpcId",), T.VPC)

    def route_tables_of(self, subnet: PolicyResource) -> Optional[Refs]:
        """The route tables a subnet uses: its explicit association, else its VPC's main
        route table. `None` when the stack cannot tell."""
        explicit, unplaced = Refs(), False
        for association in self.of_type(T.ROUTE_TABLE_ASSOCIATION):
            subnets = self.refs(association, ("subnetId",), T.SUBNET)
            unplaced |= subnets.unresolved
            if subnet in subnets.resources:
                explicit |= self.refs(association, ("routeTableId",), T.ROUTE_TABLE)
        if not explicit.empty:
            return explicit
        if unplaced:
            # An association whose subnet the stack cannot tell may be this subnet's.
            return None
        vpc = self.vpc_of(subnet)
        if not vpc.resources or vpc.external or vpc.unresolved:
            return None
        for association in self.of_type(T.MAIN_ROUTE_TABLE_ASSOCIATION):
            if self.vpc_of(association).keys & vpc.keys:
                return self.refs(association, ("routeTableId",), T.ROUTE_TABLE)
        for table in self.of_type(T.DEFAULT_ROUTE_TABLE):
            if self.refs(table, ("defaultRouteTableId",), T.VPC).keys & vpc.keys:
                return Refs((table,))
        # The VPC's own main route table, which nothing in the stack adds routes to.
        return Refs()

    def _routes(self, table: PolicyResource) -> list[tuple[PolicyResource, Any, Any]]:
        """(declaring resource, path to the route, route) for each route of a table."""
        routes: list[tuple[PolicyResource, Any, Any]] = []
        inline = elements(self.given(table, "routes"))
        if inline is UNKNOWN:
            routes.append((table, ("routes",), UNKNOWN))
        else:
            routes.extend((table, ("routes", i), route) for i, route in enumerate(inline))
        for route in self.of_type(T.ROUTE):
            tables = self.refs(route, ("routeTableId",), T.ROUTE_TABLE)
            if table in tables.resources:
                routes.append((route, (), route.props))
            elif tables.unresolved:
                # A route whose table the stack cannot tell may be this table's.
                routes.append((route, (), UNKNOWN))
        return routes

    def egress_of(self, subnet: PolicyResource) -> Egress:
        """Where the subnet's traffic to the internet (0.0.0.0/0) goes.

        Worked out once per subnet (see `once`): every service in the subnet asks, and each
        answer walks the stack's route table associations and routes."""
        return self.once(("egress_of", subnet), lambda: self._egress_of(subnet))

    def _egress_of(self, subnet: PolicyResource) -> Egress:
        tables = self.route_tables_of(subnet)
        if tables is None or tables.external or tables.unresolved:
            return Egress("unknown")
        kinds = {self._table_egress(table) for table in tables.resources} or {"none"}
        return Egress(kinds.pop() if len(kinds) == 1 else "unknown", tables.resources)

    def _table_egress(self, table: PolicyResource) -> str:
        kind = "none"
        for declared_by, path, route in self._routes(table):
            if route is UNKNOWN:
                return "unknown"
            destination = peek(route, "cidrBlock")
            if destination is None:
                destination = peek(route, "destinationCidrBlock")
            if destination is UNKNOWN:
                return "unknown"
            if destination == IPV4_ANYWHERE:
                kind = self._route_target(declared_by, path, route)
        return kind

    def _route_target(self, declared_by: PolicyResource, path: tuple, route: Any) -> str:
        def value(key: str, traced_to: Optional[Sequence[str]] = None) -> Any:
            if not path:  # an ec2.Route: the target is one of its own inputs
                found = self.given(declared_by, key)
            else:
                found = peek(route, key)
                if (
                    found is UNKNOWN
                    and traced_to is not None
                    and not any(
                        d.resource_type in traced_to for d in declared_by.property_dependencies.get(path[0], [])
                    )
                ):
                    # Unknown, but the table's routes come from no resource of that kind.
                    found = None
            return None if found == "" else found

        if value("natGatewayId", T.NAT_GATEWAY) is not None:
            return "nat"
        if any(value(key, ()) is not None for key in _APPLIANCE_TARGETS):
            return "appliance"
        gateway = value("gatewayId")
        if gateway is None or gateway == "local":
            return "none"
        if isinstance(gateway, str) and gateway.startswith("vgw-"):
            return "appliance"
        if isinstance(gateway, str) and gateway.startswith("igw-"):
            return "internet-gateway"
        named = self.refs(declared_by, path + ("gatewayId",), T.INTERNET_GATEWAY)
        return "internet-gateway" if named.resources else "unknown"

    def endpoint_services(self, vpc: Refs, route_tables: Sequence[PolicyResource]) -> Any:
        """The AWS services (`ecr.api`, `ecr.dkr`, `s3`, ...) the VPC reaches through
        endpoints usable from a subnet with these route tables (a gateway endpoint
        serves only the route tables associated with it). UNKNOWN if an endpoint's
        service name is unknown."""
        services = set()
        table_keys = frozenset(t.urn for t in route_tables)
        for endpoint in self.of_type(T.VPC_ENDPOINT):
            if not self.vpc_of(endpoint).keys & vpc.keys:
                continue
            name = peek(endpoint.props, "serviceName")
            if not isinstance(name, str):
                return UNKNOWN
            kind = peek(endpoint.props, "vpcEndpointType", default="Gateway")
            if kind == "Gateway" and not self._gateway_serves(endpoint, table_keys):
                continue
            match = _ENDPOINT_SERVICE.match(name)
            services.add(match.group(1) if match else name)
        return services

    def _gateway_serves(self, endpoint: PolicyResource, table_keys: frozenset) -> bool:
        tables = self.refs(endpoint, ("routeTableIds",), T.ROUTE_TABLE)
        for association in self.of_type(T.VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION):
            if endpoint in self.refs(association, ("vpcEndpointId",), T.VPC_ENDPOINT).resources:
                tables |= self.refs(association, ("routeTableId",), T.ROUTE_TABLE)
        # An association the stack cannot resolve gets the benefit of the doubt.
        return bool(tables.keys & table_keys) or tables.unresolved


# Route targets that carry traffic onward through something we cannot inspect
# (a firewall, a NAT instance, another network): assumed to reach the internet.
_APPLIANCE_TARGETS = (
    "transitGatewayId",
    "networkInterfaceId",
    "vpcEndpointId",
    "vpcPeeringConnectionId",
    "localGatewayId",
    "carrierGatewayId",
    "coreNetworkArn",
)
_ENDPOINT_SERVICE = re.compile(r"^(?:cn\.)?com\.amazonaws\.[a-z0-9-]+\.(.+)$")


def networks(cidrs: Iterable[Any], version: int) -> list[Any]:
    """The CIDR strings of one IP version as `ipaddress` networks; anything else is left out."""
    found = []
    for cidr in cidrs:
        if isinstance(cidr, str):
            try:
                network = ipaddress.ip_network(cidr.strip(), strict=False)
            except ValueError:
                continue
            if network.version == version:
                found.append(network)
    return found


def contains_all(admitted: Sequence[Any], ranges: Sequence[Any]) -> bool:
    """Whether every range lies inside the union of the admitted networks (all one IP version)."""
    merged = list(ipaddress.collapse_addresses(admitted)) if admitted else []
    return all(any(r.subnet_of(n) for n in merged) for r in ranges)


def _unknown_ingress(declared_by: PolicyResource, targets: Refs) -> Ingress:
    """A permission a preview cannot read yet: it may admit anything from anywhere."""
    return Ingress(
        declared_by,
        targets,
        UNKNOWN,
        UNKNOWN,
        UNKNOWN,
        Refs(unresolved=True),
        UNKNOWN,
        (UNKNOWN,),
        prefix_lists=Refs(unresolved=True),
    )


def _unknown_sources(entry: Any) -> bool:
    """Whether an inline ingress entry names a source security group a preview cannot know."""
    groups = elements(UNKNOWN if entry is UNKNOWN else peek(entry, "securityGroups"))
    return groups is UNKNOWN or UNKNOWN in groups


def _cidrs(props: Any, *keys: str) -> tuple[Any, ...]:
    found: list[Any] = []
    for key in keys:
        values = elements(peek(props, key))
        if values is UNKNOWN:
            found.append(UNKNOWN)
        else:
            found.extend(values)
    return tuple(found)


def service_is_fargate(props: Any, cluster_default_strategy: Any = None) -> Any:
    """True, False or UNKNOWN, from a service's own properties (and, when it names
    neither a launch type nor a strategy, its cluster's default strategy)."""
    launch_type = peek(props, "launchType")
    if isinstance(launch_type, str) and launch_type:
        return launch_type == "FARGATE"
    # No launch type named (an unknown one is the provider's computed value in a
    # preview): the capacity provider strategy decides, the service's or its cluster's.
    strategies = elements(peek(props, "capacityProviderStrategies"))
    if not strategies:
        strategies = elements(cluster_default_strategy)
    if strategies is UNKNOWN:
        return UNKNOWN
    providers = [peek(s, "capacityProvider") for s in strategies]
    if any(p in FARGATE_CAPACITY_PROVIDERS for p in providers):
        return True
    return UNKNOWN if UNKNOWN in providers else False
