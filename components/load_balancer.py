"""LoadBalancer: the ALB every service sits behind (walkthrough steps 9-13).

An Application Load Balancer over the network's public subnets (private when
internal), its own security group admitting the listener ports from
``ingressCidrs``, and the listener services attach to, whose default action is
a fixed 404: HTTP:80, or, with a certificate, HTTPS:443 while HTTP:80 only
redirects to it. Services attach through listener rules on ``listener`` and
open their own security group to ``security_group_id``; the ALB knows nothing
about them.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from . import name_tag
from .config.stack import LoadBalancerConfig

HTTP_PORT = 80
HTTPS_PORT = 443
# Only listener rules route to services; anything else is a plain 404.
NOT_FOUND = aws.lb.ListenerDefaultActionArgs(
    type="fixed-response",
    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
        content_type="text/plain", message_body="Not Found", status_code="404",
    ),
)


@dataclass
class LoadBalancerArgs:
    config: LoadBalancerConfig
    vpc_id: pulumi.Input[str]
    # At least two, in distinct AZs: an ALB refuses fewer.
    subnet_ids: pulumi.Input[list[str]]


class LoadBalancer(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    # For CloudWatch metrics and ALBRequestCountPerTarget resource labels.
    arn_suffix: pulumi.Output[str]
    dns_name: pulumi.Output[str]
    url: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    # The listener services add their rules to.
    listener: aws.lb.Listener

    def __init__(self, name: str, args: LoadBalancerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:lb:LoadBalancer", name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)

        security_group = aws.ec2.SecurityGroup(
            f"{name}",
            vpc_id=args.vpc_id,
            description="Application Load Balancer: listeners open to the configured ingress CIDRs",
            tags=name_tag("alb"),
            opts=child,
        )
        # Separate rule resources, not inline rules: services add egress rules to
        # this group, and inline rules would fight over them on every update.
        listener_ports = {"http": HTTP_PORT, **({"https": HTTPS_PORT} if config.https else {})}
        for protocol, port in listener_ports.items():
            for index, cidr in enumerate(config.ingress_cidrs):
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
                    tags=name_tag("alb", protocol),
                    opts=child,
                )

        load_balancer = aws.lb.LoadBalancer(
            f"{name}",
            load_balancer_type="application",
            internal=config.internal,
            security_groups=[security_group.id],
            subnets=args.subnet_ids,
            idle_timeout=config.idle_timeout_seconds,
            enable_deletion_protection=config.deletion_protection,
            drop_invalid_header_fields=config.drop_invalid_headers,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=config.access_logs.bucket, prefix=config.access_logs.prefix, enabled=True,
            ) if config.access_logs else None,
            tags=name_tag("alb"),
            opts=child,
        )

        http = aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=load_balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            # With HTTPS, plain HTTP only sends clients over, keeping path and
            # query; 301 so browsers and crawlers remember it.
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301",
                ),
            ) if config.https else NOT_FOUND],
            tags=name_tag("alb", "http"),
            opts=child,
        )
        self.listener = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=config.ssl_policy,
            certificate_arn=config.certificate_arn,
            default_actions=[NOT_FOUND],
            tags=name_tag("alb", "https"),
            opts=child,
        ) if config.https else http

        self.arn = load_balancer.arn
        self.arn_suffix = load_balancer.arn_suffix
        self.dns_name = load_balancer.dns_name
        # The certificate names your domain, not this DNS name: point a record
        # of the domain at dns_name and use that with HTTPS.
        self.url = pulumi.Output.concat("https://" if config.https else "http://", load_balancer.dns_name)
        self.security_group_id = security_group.id
        self.register_outputs({
            "arn": self.arn,
            "dnsName": self.dns_name,
            "url": self.url,
            "securityGroupId": self.security_group_id,
            "listenerArn": self.listener.arn,
        })
