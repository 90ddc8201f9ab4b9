"""VpcEndpoints: what private tasks need to start without a NAT gateway.

A Fargate task in a private subnet pulls its image from ECR (the ``ecr.api``
and ``ecr.dkr`` APIs, and the image layers from S3), ships logs to CloudWatch
Logs, and, if it has secrets, reads them from Secrets Manager or SSM Parameter
Store. Without a NAT gateway each of those needs a VPC endpoint, or the task
fails with CannotPullContainerError / ResourceInitializationError.

Interface endpoints cost per AZ and hour (a gateway endpoint is free), so the
optional ones are created only when asked for.

Who may use the endpoints: members of ``client_security_group``, which this
component creates for the tasks to wear. The endpoints can thus exist before
any service, and a service can depend on them, so its first tasks do not
start before their image is reachable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

HTTPS = 443


@dataclass(kw_only=True)
class VpcEndpointsArgs:
    vpc_id: pulumi.Input[str]
    # The private subnets, one per AZ (an interface endpoint takes at most one
    # subnet per AZ); the endpoint network interfaces go there.
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # The private route tables; the S3 gateway endpoint is added to each.
    route_table_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    # Off: interface endpoints bill per AZ and hour. On: Secrets Manager and SSM
    # endpoints, for tasks with container secrets.
    include_secrets: bool = False
    # Off, likewise. On: the ssmmessages endpoint, for ECS Exec sessions into private tasks.
    include_exec: bool = False
    # None besides client_security_group; add e.g. existing workloads of an existing VPC.
    client_security_group_ids: Sequence[pulumi.Input[str]] = ()
    # None: the region of the AWS provider this component runs with.
    region: Optional[pulumi.Input[str]] = None


def interface_services(include_secrets: bool, include_exec: bool) -> list[str]:
    """The AWS services (``com.amazonaws.<region>.<service>``) given interface endpoints."""
    services = ["ecr.api", "ecr.dkr", "logs"]
    if include_secrets:
        services += ["secretsmanager", "ssm"]
    if include_exec:
        services += ["ssmmessages"]
    return services


def _https_rule(
    rule_type,
    name: str,
    security_group: aws.ec2.SecurityGroup,
    description: str,
    opts: pulumi.ResourceOptions,
    **peer: pulumi.Input[str],
) -> pulumi.CustomResource:
    """One TCP 443 rule of ``security_group``; ``peer`` names the other side."""
    return rule_type(
        name,
        security_group_id=security_group.id,
        ip_protocol="tcp",
        from_port=HTTPS,
        to_port=HTTPS,
        description=description,
        opts=opts,
        **peer,
    )


class VpcEndpoints(pulumi.ComponentResource):
    security_group: aws.ec2.SecurityGroup
    client_security_group: aws.ec2.SecurityGroup
    interface_endpoints: dict[str, aws.ec2.VpcEndpoint]
    s3_endpoint: aws.ec2.VpcEndpoint
    endpoint_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: VpcEndpointsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:network:VpcEndpoints", name, None, opts)
        region = args.region
        if region is None:
            # An invoke parented here uses the provider this component was given,
            # so the endpoints match the region the resources are created in.
            region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        self._security_groups(name, args)
        self._endpoints(name, args, region)
        self._client_egress(name)
        self.endpoint_ids = {
            "s3": self.s3_endpoint.id,
            **{service: endpoint.id for service, endpoint in self.interface_endpoints.items()},
        }
        self.register_outputs(
            {
                "endpointIds": self.endpoint_ids,
                "securityGroupId": self.security_group.id,
                "clientSecurityGroupId": self.client_security_group.id,
            }
        )

    def _security_groups(self, name: str, args: VpcEndpointsArgs) -> None:
        """The endpoints' group, open on HTTPS to the members of the client group (and any given)."""
        child = pulumi.ResourceOptions(parent=self)
        # No egress rules: endpoints only answer, and security groups are stateful.
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=args.vpc_id,
            description="VPC interface endpoints: HTTPS from endpoint clients only",
            opts=child,
        )
        self.client_security_group = aws.ec2.SecurityGroup(
            f"{name}-clients",
            vpc_id=args.vpc_id,
            description="Members may reach the VPC endpoints over HTTPS",
            opts=child,
        )
        clients: dict[str, pulumi.Input[str]] = {"clients": self.client_security_group.id}
        clients.update({f"client-{i}": sg_id for i, sg_id in enumerate(args.client_security_group_ids, 1)})
        for label, client_id in clients.items():
            _https_rule(
                aws.vpc.SecurityGroupIngressRule,
                f"{name}-https-from-{label}",
                self.security_group,
                "HTTPS from endpoint clients",
                child,
                referenced_security_group_id=client_id,
            )

    def _endpoints(self, name: str, args: VpcEndpointsArgs, region: pulumi.Input[str]) -> None:
        """The S3 gateway endpoint on the route tables, and one interface endpoint per service."""
        child = pulumi.ResourceOptions(parent=self)

        def service_name(service: str) -> pulumi.Output[str]:
            return pulumi.Output.concat("com.amazonaws.", region, ".", service)

        self.s3_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=args.vpc_id,
            service_name=service_name("s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=args.route_table_ids,
            opts=child,
        )
        self.interface_endpoints = {
            service: aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=args.vpc_id,
                service_name=service_name(service),
                vpc_endpoint_type="Interface",
                # The AWS SDKs in the task and the ECS agent use the public
                # service hostnames; private DNS makes those resolve here.
                private_dns_enabled=True,
                subnet_ids=args.subnet_ids,
                security_group_ids=[self.security_group.id],
                opts=child,
            )
            for service in interface_services(args.include_secrets, args.include_exec)
        }

    def _client_egress(self, name: str) -> None:
        """The client group also carries its own way out, so it works even next
        to a task security group whose egress is locked down: HTTPS to the
        interface endpoints, and to S3 (image layers) through the gateway."""
        child = pulumi.ResourceOptions(parent=self)
        _https_rule(
            aws.vpc.SecurityGroupEgressRule,
            f"{name}-clients-to-endpoints",
            self.client_security_group,
            "HTTPS to the VPC interface endpoints",
            child,
            referenced_security_group_id=self.security_group.id,
        )
        _https_rule(
            aws.vpc.SecurityGroupEgressRule,
            f"{name}-clients-to-s3",
            self.client_security_group,
            "HTTPS to S3 through the gateway endpoint (ECR image layers)",
            child,
            prefix_list_id=self.s3_endpoint.prefix_list_id,
        )
