"""Load balancer config (``fargate:loadBalancer``): who reaches the ALB, HTTPS (a certificate of
yours, or your domain's, made and validated here), the WAF in front of it, access logs."""

from __future__ import annotations

import ipaddress
import re
from typing import Optional

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..edge_limits import (
    DEFAULT_MANAGED_RULES,
    DNS_NAME_RULE,
    HOSTED_ZONE_ID,
    MANAGED_RULE_GROUPS,
    MAX_CERTIFICATE_NAMES,
    MAX_FIRST_DNS_NAME,
    NEEDS_LOGIN_CONFIG,
    RATE_LIMIT_RANGE,
    is_dns_name,
)
from .base import REGIONAL_ARN, ConfigModel, errors_at, usable

ACM_CERTIFICATE_ARN = re.compile(
    "^" + REGIONAL_ARN.format(service="acm") + r"certificate/[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$"
)
S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
ELB_SECURITY_POLICY = re.compile(r"^ELBSecurityPolicy-[A-Za-z0-9-]+$")
WAF_WEB_ACL_ARN = re.compile(
    "^" + REGIONAL_ARN.format(service="wafv2") + r"regional/webacl/[A-Za-z0-9_-]{1,128}/[0-9a-f-]{36}$"
)


class DomainConfig(ConfigModel):
    name: str = Field(
        description="[your domain](#your-domain): the host name the certificate is made for, and `url`'s; an "
        "alias record points it at the ALB. Instead of `certificateArn`",
        json_schema_extra={"yamlType": "DNS name, at most 64 characters", "yamlDefault": "none (no domain)"},
    )
    hosted_zone_id: str = Field(
        description="the Route 53 public hosted zone holding the names: the validation and alias records go there",
        json_schema_extra={"yamlType": "hosted zone id (`Z…`)"},
    )
    # None: the certificate names `name` only.
    alternative_names: tuple[str, ...] = Field(
        (),
        max_length=MAX_CERTIFICATE_NAMES - 1,
        description="more host names on the certificate, each aliased to the ALB too (ACM's default quota is 10 "
        "names per certificate); `*.example.com` and `example.com` share one validation record",
        json_schema_extra={"yamlType": "list of DNS names (`*.` first label allowed)", "yamlDefault": "none"},
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not is_dns_name(value) or len(value) > MAX_FIRST_DNS_NAME:
            raise ValueError(f"{DNS_NAME_RULE} (the certificate's first name: at most {MAX_FIRST_DNS_NAME})")
        return value

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not HOSTED_ZONE_ID.match(value):
            raise ValueError("a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ")
        return value

    @field_validator("alternative_names")
    @classmethod
    def _alternative_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        errors_at(
            "alternativeNames",
            [
                ((index,), name, DNS_NAME_RULE if not is_dns_name(name) else "a name listed once")
                for index, name in enumerate(value)
                if not is_dns_name(name) or name in value[:index]
            ],
        )
        return value

    @model_validator(mode="after")
    def _names_distinct(self) -> DomainConfig:
        if usable("name", "alternative_names") and self.name in self.alternative_names:
            index = self.alternative_names.index(self.name)
            errors_at("domain", [(("alternativeNames", index), self.name, "a name other than `name`")])
        return self

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alternative_names)


class WafConfig(ConfigModel):
    # AWS's baseline groups and its IP reputation list (925 of the 1,500 WCUs a web ACL's price covers).
    managed_rules: tuple[str, ...] = Field(
        DEFAULT_MANAGED_RULES,
        description="a [web ACL](#waf) in front of the ALB: AWS managed rule groups, evaluated in this order after "
        "the rate limit; each costs $1 a month",
        json_schema_extra={
            "yamlType": "list of `AWSManagedRules…` group names",
            "yamlDefault": "`[AWSManagedRulesCommonRuleSet, AWSManagedRulesKnownBadInputsRuleSet, "
            "AWSManagedRulesAmazonIpReputationList]`",
        },
    )
    # The WAF console's default: about 7 requests a second from one client IP, sustained for
    # five minutes, is more than a browser sends and less than a scraper or a flood.
    rate_limit_per_5_minutes: int = Field(
        2000,
        ge=RATE_LIMIT_RANGE[0],
        le=RATE_LIMIT_RANGE[1],
        description="requests one client IP may send in 5 minutes before WAF blocks it (the console's default: "
        "more than a browser sends, less than a scraper or a flood)",
    )

    @field_validator("managed_rules")
    @classmethod
    def _managed_rules(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = ", ".join(MANAGED_RULE_GROUPS)
        problems = []
        for index, group in enumerate(value):
            if group in NEEDS_LOGIN_CONFIG:
                problems.append(
                    (
                        (index,),
                        group,
                        "a group that needs no login page configuration: attach a web ACL of your own "
                        "with webAclArn for this one",
                    )
                )
            elif group not in MANAGED_RULE_GROUPS:
                problems.append(((index,), group, f"an AWS managed rule group: one of {known}"))
            elif group in value[:index]:
                problems.append(((index,), group, "a group listed once"))
        errors_at("managedRules", problems)
        return value


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
    # None: no domain. Its certificate is made here and validated through the zone, so
    # it turns on HTTPS as certificateArn does (one or the other).
    domain: Optional[DomainConfig] = Field(
        None,
        description="[your domain](#your-domain): an ACM certificate validated through Route 53, HTTPS on it, "
        "alias records to the ALB, `url` = `https://<name>`; instead of `certificateArn`",
    )
    # None: no WAF (a web ACL costs $5 a month, each rule $1, each million requests $0.60).
    waf: Optional[WafConfig] = Field(
        None,
        description="a [web ACL](#waf) made here in front of the ALB: AWS managed rule groups and a per-IP rate limit",
    )
    web_acl_arn: Optional[str] = Field(
        None,
        description="a regional web ACL made elsewhere, associated with the ALB; instead of `waf`",
        json_schema_extra={"yamlType": "WAFv2 regional web ACL ARN"},
    )

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

    @field_validator("web_acl_arn")
    @classmethod
    def _web_acl(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        if value is None:
            return value
        if not WAF_WEB_ACL_ARN.match(value):
            raise ValueError(
                "a regional WAFv2 web ACL ARN such as arn:aws:wafv2:us-east-1:123456789012:regional/webacl/<name>/<id>"
            )
        region = (info.context or {}).get("region")
        if region and value.split(":")[3] != region:
            raise ValueError(f"a web ACL in the stack's region {region} (an ALB takes web ACLs of its own region)")
        return value

    @field_validator("ssl_policy")
    @classmethod
    def _ssl_policy(cls, value: str) -> str:
        if not ELB_SECURITY_POLICY.match(value):
            raise ValueError("an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06")
        return value

    @model_validator(mode="after")
    def _tls_needs_a_certificate(self) -> LoadBalancerConfig:
        if "ssl_policy" in self.model_fields_set and not self.https and usable("certificate_arn", "domain"):
            errors_at(
                "loadBalancer",
                [
                    (
                        ("sslPolicy",),
                        self.ssl_policy,
                        "only with certificateArn or domain (it applies to the HTTPS listener)",
                    )
                ],
            )
        return self

    @model_validator(mode="after")
    def _one_of_each(self) -> LoadBalancerConfig:
        """A certificate of yours or one made for the domain; a web ACL of yours or one made here."""
        problems = []
        if self.certificate_arn is not None and self.domain is not None:
            problems.append(
                (
                    ("certificateArn",),
                    self.certificate_arn,
                    "only without domain (the domain's certificate is made for it; set one of the two)",
                )
            )
        if self.web_acl_arn is not None and self.waf is not None:
            problems.append(
                (("webAclArn",), self.web_acl_arn, "only without waf (an ALB takes one web ACL; set one of the two)")
            )
        errors_at("loadBalancer", problems)
        return self

    @property
    def https(self) -> bool:
        return self.certificate_arn is not None or self.domain is not None
