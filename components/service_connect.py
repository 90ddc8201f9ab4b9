"""ServiceConnectNamespace: the Cloud Map namespace a stack's services find each other in.

One per stack, made only when a service must be reached by name (a ``backend``):
ECS Service Connect then gives every service of the stack a proxy that resolves
``http://<service>:<containerPort>`` inside this namespace. An HTTP namespace
(API discovery only, no Route 53 hosted zone) is all Service Connect needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from .naming import name_tag, qualified_name


@dataclass(kw_only=True)
class ServiceConnectNamespaceArgs:
    # None: <project>-<stack>, unique per stack in the account and region, as Cloud Map requires.
    name: Optional[str] = None


class ServiceConnectNamespace(pulumi.ComponentResource):
    """The HTTP namespace; its ARN is what ``ServiceConnectArgs.namespace_arn`` takes."""

    arn: pulumi.Output[str]
    namespace_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: Optional[ServiceConnectNamespaceArgs] = None,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        args = args or ServiceConnectNamespaceArgs()
        super().__init__("fargate:servicediscovery:ServiceConnectNamespace", name, None, opts)
        namespace = aws.servicediscovery.HttpNamespace(
            f"{name}",
            name=args.name or qualified_name(),
            description="ECS Service Connect: the stack's services by name",
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = namespace.arn
        self.namespace_name = namespace.name
        self.register_outputs({"arn": self.arn, "name": self.namespace_name})
