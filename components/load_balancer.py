"""LoadBalancer: the ALB every service sits behind (walkthrough steps 9-13).

An Application Load Balancer over the network's public subnets (private when
internal), its own security group admitting the listener ports from
``ingress_cidrs``, and the listener services attach to, whose default action is
a fixed 404: HTTP:80, or, with a certificate, HTTPS:443 while HTTP:80 only
redirects to it. With a domain (``domain.py``) the certificate is made for it,
validated through DNS and the names aliased to the ALB; with WAF (``waf.py``) a web
ACL made here, or one given, is associated with the ALB. Services attach through listener rules on ``listener`` and
open their own security group to ``security_group_id``; all the ALB knows
of them is the priorities their rules hold (``listener_priorities``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Optional

import pulumi
import pulumi_aws as aws

from .domain import AliasTarget, Domain, DomainArgs
from .naming import name_tag
from .routing import ListenerPriorities
from .validation import check, check_one_of, check_range
from .waf import Firewall, FirewallArgs, WafArgs, check_one_web_acl

HTTP_PORT = 80
HTTPS_PORT = 443
# Only listener rules route to services; anything else is a plain 404.
NOT_FOUND = aws.lb.ListenerDefaultActionArgs(
    type="fixed-response",
    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
        content_type="text/plain",
        message_body="Not Found",
        status_code="404",
    ),
)


# ALB and target group names take <name>-<7 random characters>, and ELBv2 allows
# 32 letters, digits and hyphens.
PHYSICAL_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?$")
PHYSICAL_NAME_RULE = (
    "1-24 letters, digits and '-', not starting or ending with '-' (ELBv2 names allow 32 with the 8-character suffix)"
)


@dataclass(kw_only=True)
class LoadBalancerArgs:
    vpc_id: pulumi.Input[str]
    # At least two, in distinct AZs: an ALB refuses fewer.
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # Internet-facing, as in the walkthrough; True for an ALB in private subnets.
    internal: bool = False
    # Who may reach the listeners: anyone. Narrow it for anything not meant for the
    # public. Plain strings: each CIDR is one security group rule, IPv4 or IPv6.
    ingress_cidrs: Sequence[str] = ("0.0.0.0/0", "::/0")
    # AWS's default.
    idle_timeout_seconds: pulumi.Input[int] = 60
    # Off so `pulumi destroy` works without a manual step; turn it on in production.
    deletion_protection: pulumi.Input[bool] = False
    # None: HTTP only. An ACM certificate in the ALB's region turns on HTTPS: a 443
    # listener carries the service rules and port 80 only redirects to it (301).
    certificate_arn: Optional[pulumi.Input[str]] = None
    # None: no domain. A certificate for its names is made and validated in its hosted
    # zone, and turns on HTTPS as certificate_arn does (one or the other).
    domain: Optional[DomainArgs] = None
    # "ipv4", as in the walkthrough; "dualstack" needs subnets with IPv6 ranges, and gives
    # the domain's names AAAA records too.
    ip_address_type: Literal["ipv4", "dualstack"] = "ipv4"
    # None: no WAF. A web ACL made here (waf) or one made elsewhere (web_acl_arn), not both.
    waf: Optional[WafArgs] = None
    web_acl_arn: Optional[pulumi.Input[str]] = None
    # AWS's recommended policy: TLS 1.3 and 1.2 only, forward-secret ciphers.
    ssl_policy: pulumi.Input[str] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    # Requests with malformed header names are dropped instead of being passed
    # to the app (request smuggling); nothing legitimate sends them.
    drop_invalid_header_fields: pulumi.Input[bool] = True
    # None: no access logs (S3 storage costs). The bucket's policy must let the
    # region's Elastic Load Balancing account write to it.
    access_logs: Optional[aws.lb.LoadBalancerAccessLogsArgs] = None

    def validate(self) -> None:
        for cidr in self.ingress_cidrs:
            check(
                "LoadBalancerArgs.ingress_cidrs",
                cidr,
                _is_network(cidr),
                "a CIDR",
                "IPv4 or IPv6 networks such as 203.0.113.0/24 or ::/0",
            )
        check_range("LoadBalancerArgs.idle_timeout_seconds", self.idle_timeout_seconds, 1, 4000, "an ALB idle timeout")
        check(
            "LoadBalancerArgs.domain",
            self.domain.name if self.domain is not None else None,
            self.domain is None or self.certificate_arn is None,
            "a certificate source",
            "None with certificate_arn (the domain's certificate is made for it): one of the two",
        )
        check_one_of("LoadBalancerArgs.ip_address_type", self.ip_address_type, ("ipv4", "dualstack"), "an ALB IP type")
        # Each part judged before anything is registered.
        if self.domain is not None:
            self.domain.validate()
        check_one_web_acl("LoadBalancerArgs", self.waf, self.web_acl_arn, required=False)

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None or self.domain is not None


def _is_network(cidr: str) -> bool:
    try:
        ipaddress.ip_network(cidr)
    except (TypeError, ValueError):
        return False
    return True


class LoadBalancer(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    # For CloudWatch metrics and ALBRequestCountPerTarget resource labels.
    arn_suffix: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    url: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    # The listener services add their rules to.
    listener: aws.lb.Listener
    # The priorities the services' rules hold on it.
    listener_priorities: ListenerPriorities
    # With a domain: its certificate, validation and alias records.
    domain: Optional[Domain] = None
    # With WAF: the web ACL (made here or given) and its association.
    firewall: Optional[Firewall] = None

    def __init__(self, name: str, args: LoadBalancerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        check("LoadBalancer name", name, bool(PHYSICAL_NAME.match(name)), "an ALB name", PHYSICAL_NAME_RULE)
        args.validate()
        super().__init__("fargate:lb:LoadBalancer", name, None, opts)
        self.listener_priorities = ListenerPriorities()
        security_group = self._security_group(name, args)
        load_balancer = aws.lb.LoadBalancer(
            f"{name}",
            load_balancer_type="application",
            internal=args.internal,
            security_groups=[security_group.id],
            subnets=args.subnet_ids,
            idle_timeout=args.idle_timeout_seconds,
            enable_deletion_protection=args.deletion_protection,
            drop_invalid_header_fields=args.drop_invalid_header_fields,
            access_logs=args.access_logs,
            # Left out as ipv4: AWS's default, and the input earlier stacks never sent.
            ip_address_type=None if args.ip_address_type == "ipv4" else args.ip_address_type,
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.domain = self._domain(name, args, load_balancer)
        certificate_arn = self.domain.certificate_arn if self.domain is not None else args.certificate_arn
        self.listener = self._listener(name, args, load_balancer, certificate_arn)
        self.firewall = self._firewall(name, args, load_balancer)

        self.arn = load_balancer.arn
        self.arn_suffix = load_balancer.arn_suffix
        self.dns_name = load_balancer.dns_name
        # A certificate names a domain, not this DNS name: with a domain, its name; with a
        # certificate of yours, point a record of its domain at dns_name and use that.
        self.url = (
            self.domain.url
            if self.domain is not None
            else pulumi.Output.concat("https://" if args.https else "http://", load_balancer.dns_name)
        )
        self.security_group_id = security_group.id
        self.register_outputs(
            {
                "arn": self.arn,
                "dnsName": self.dns_name,
                "url": self.url,
                "securityGroupId": self.security_group_id,
                "listenerArn": self.listener.arn,
            }
        )

    def _security_group(self, name: str, args: LoadBalancerArgs) -> aws.ec2.SecurityGroup:
        """The ALB's group: its listener ports open to the ingress CIDRs, nothing else."""
        child = pulumi.ResourceOptions(parent=self)
        security_group = aws.ec2.SecurityGroup(
            f"{name}",
            vpc_id=args.vpc_id,
            description="Application Load Balancer: listeners open to the configured ingress CIDRs",
            tags=name_tag(name),
            opts=child,
        )
        # Separate rule resources, not inline rules: services add egress rules to
        # this group, and inline rules would fight over them on every update.
        listener_ports = {"http": HTTP_PORT, **({"https": HTTPS_PORT} if args.https else {})}
        for protocol, port in listener_ports.items():
            for index, cidr in enumerate(args.ingress_cidrs):
                ipv6 = ipaddress.ip_network(cidr).version == 6
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-{protocol}-{index}",
                    security_group_id=security_group.id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv6=cidr if ipv6 else None,
                    cidr_ipv4=None if ipv6 else cidr,
                    description=f"{protocol.upper()} from an allowed client range",
                    tags=name_tag(name, protocol),
                    opts=child,
                )
        return security_group

    def _domain(self, name: str, args: LoadBalancerArgs, load_balancer: aws.lb.LoadBalancer) -> Optional[Domain]:
        """With a domain: its certificate (validated), and its names aliased to the ALB."""
        if args.domain is None:
            return None
        target = AliasTarget(load_balancer.dns_name, load_balancer.zone_id, args.ip_address_type == "dualstack")
        return Domain(f"{name}", args.domain, target, opts=pulumi.ResourceOptions(parent=self))

    def _firewall(self, name: str, args: LoadBalancerArgs, load_balancer: aws.lb.LoadBalancer) -> Optional[Firewall]:
        """With WAF: the web ACL made here, or the one given, associated with the ALB."""
        if args.waf is None and args.web_acl_arn is None:
            return None
        return Firewall(
            f"{name}",
            FirewallArgs(resource_arn=load_balancer.arn, waf=args.waf, web_acl_arn=args.web_acl_arn),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _listener(
        self,
        name: str,
        args: LoadBalancerArgs,
        load_balancer: aws.lb.LoadBalancer,
        certificate_arn: Optional[pulumi.Input[str]],
    ) -> aws.lb.Listener:
        """The listener services add their rules to: HTTP, or with a certificate HTTPS
        (and an HTTP listener that redirects to it)."""
        child = pulumi.ResourceOptions(parent=self)
        http = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=load_balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            # With HTTPS, plain HTTP only sends clients over, keeping path and
            # query; 301 so browsers and crawlers remember it.
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS",
                        port=str(HTTPS_PORT),
                        status_code="HTTP_301",
                    ),
                )
                if args.https
                else NOT_FOUND
            ],
            tags=name_tag(name, "http"),
            opts=child,
        )
        return (
            aws.lb.Listener(
                f"{name}-https",
                load_balancer_arn=load_balancer.arn,
                port=HTTPS_PORT,
                protocol="HTTPS",
                ssl_policy=args.ssl_policy,
                certificate_arn=certificate_arn,
                default_actions=[NOT_FOUND],
                tags=name_tag(name, "https"),
                opts=child,
            )
            if args.https
            else http
        )
