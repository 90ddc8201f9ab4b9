"""Load balancer config (``fargate:loadBalancer``): who reaches the ALB, HTTPS, access logs."""

from __future__ import annotations

import ipaddress
import re
from typing import Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import REGIONAL_ARN, ConfigModel, errors_at, usable

ACM_CERTIFICATE_ARN = re.compile(
    "^" + REGIONAL_ARN.format(service="acm") + r"certificate/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ELB_SECURITY_POLICY = re.compile(r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")


class AccessLogsConfig(ConfigModel):
    bucket: str = Field(
        description="your bucket for ALB access logs; its policy must let Elastic Load Balancing write to it",
        json_schema_extra={"yamlType": "S3 bucket name", "yamlDefault": "none (no access logs)"},
    )
    # None: log objects go under AWSLogs/<account>/ at the bucket's root.
    prefix: Optional[str] = Field(
        None,
        description="where in the bucket the logs go",
        json_schema_extra={"yamlType": "key prefix, no leading/trailing `/`, no `AWSLogs`"},
    )

    @field_validator("bucket")
    @classmethod
    def _bucket(cls, value: str) -> str:
        if not S3_BUCKET.match(value) or ".." in value:
            raise ValueError("an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'")
        return value

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and (not value or value.startswith("/") or value.endswith("/") or "AWSLogs" in value):
            raise ValueError(
                "a key prefix such as alb/prod: no leading or trailing '/', "
                "not containing 'AWSLogs' (ELB adds that part itself)"
            )
        return value


class LoadBalancerConfig(ConfigModel):
    # Internet-facing, as in the walkthrough; `true` puts the ALB in the private subnets.
    internal: bool = Field(
        False, description="internal ALB in the private subnets instead of an internet-facing one in the public subnets"
    )
    # Who may reach the listeners. Narrow it for anything not meant for the public.
    ingress_cidrs: tuple[str, ...] = Field(
        ("0.0.0.0/0", "::/0"),
        min_length=1,
        description="who may reach the ALB's listeners",
        json_schema_extra={"yamlType": "list of IPv4/IPv6 CIDRs", "yamlDefault": '`["0.0.0.0/0", "::/0"]`'},
    )
    idle_timeout_seconds: int = Field(60, ge=1, le=4000, description="ALB idle connection timeout")
    # Off so `pulumi destroy` works without a manual step; turn it on in production.
    deletion_protection: bool = Field(False, description="refuse to delete the ALB; off so `pulumi destroy` just works")
    # An ACM certificate in the ALB's region turns on HTTPS: a 443 listener
    # carries the service rules and port 80 only redirects to it (301).
    certificate_arn: Optional[str] = Field(
        None,
        description="turns on [HTTPS](#https): a 443 listener takes the service rules, port 80 redirects to it",
        json_schema_extra={"yamlType": "ACM certificate ARN in the stack's region"},
    )
    # AWS's recommended policy: TLS 1.3 and 1.2 only, forward-secret ciphers.
    ssl_policy: str = Field(
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        description="with `certificateArn` only: the HTTPS listener's TLS policy (AWS's recommended one: TLS 1.3 and 1.2)",
        json_schema_extra={"yamlType": "`ELBSecurityPolicy-…`"},
    )
    # Requests with malformed header names are dropped instead of being passed
    # to the app (request smuggling); nothing legitimate sends them.
    drop_invalid_headers: bool = Field(
        True, description="drop requests with malformed header names instead of passing them on (request smuggling)"
    )
    # None: no access logs (S3 storage costs). The bucket is yours, and its
    # policy must let the region's Elastic Load Balancing account write to it.
    access_logs: Optional[AccessLogsConfig] = None

    @field_validator("ingress_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = []
        for index, cidr in enumerate(value):
            try:
                ipaddress.ip_network(cidr)
            except ValueError:
                bad.append(((index,), cidr, "an IPv4 or IPv6 CIDR such as 203.0.113.0/24 or ::/0"))
        errors_at("ingressCidrs", bad)
        return value

    @field_validator("certificate_arn")
    @classmethod
    def _certificate(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if value is None:
            return value
        if not ACM_CERTIFICATE_ARN.match(value):
            raise ValueError("an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>")
        region = (info.context or {}).get("region")
        if region and value.split(":")[3] != region:
            raise ValueError(
                f"a certificate in the stack's region {region} (an ALB uses certificates of its own region)"
            )
        return value

    @field_validator("ssl_policy")
    @classmethod
    def _ssl_policy(cls, value: str) -> str:
        if not ELB_SECURITY_POLICY.match(value):
            raise ValueError("an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06")
        return value

    @model_validator(mode="after")
    def _tls_needs_a_certificate(self) -> LoadBalancerConfig:
        if "ssl_policy" in self.model_fields_set and self.certificate_arn is None and usable("certificate_arn"):
            errors_at(
                "loadBalancer",
                [(("sslPolicy",), self.ssl_policy, "only with certificateArn (it applies to the HTTPS listener)")],
            )
        return self

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None
