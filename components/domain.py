"""Domain: your host names on the ALB, over HTTPS (what CDK's ApplicationLoadBalancedFargateService
does with ``domainName`` and ``domainZone``).

An ACM certificate for the name and its alternative names, validated through DNS: one
validation record in the hosted zone per distinct record ACM asks for (``*.example.com`` and
``example.com`` share one), the validation awaited, so the HTTPS listener takes the certificate
only once it is issued (``certificate_arn``). Then alias records for every name to the ALB: A,
and AAAA when the ALB is dual-stack.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Optional

import pulumi
import pulumi_aws as aws

from .edge_limits import (
    DNS_NAME_RULE,
    HOSTED_ZONE_ID,
    MAX_CERTIFICATE_NAMES,
    MAX_FIRST_DNS_NAME,
    is_dns_name,
    validation_domain,
)
from .naming import name_tag
from .validation import check

_OWNER = "DomainArgs"
# Validation records only matter until ACM has checked them (and at each renewal): a minute
# lets a record fixed by hand be seen quickly.
VALIDATION_TTL = 60


@dataclass(kw_only=True)
class DomainArgs:
    # The host name the certificate is for (its subject, so at most 64 characters).
    name: str
    # The Route 53 public hosted zone the names live in: the validation and alias records go there.
    hosted_zone_id: pulumi.Input[str]
    # None: the certificate names `name` only. `*.example.com` covers one level below.
    alternative_names: Sequence[str] = ()

    def validate(self) -> None:
        check(f"{_OWNER}.name", self.name, is_dns_name(self.name), "a DNS name", DNS_NAME_RULE)
        check(
            f"{_OWNER}.name",
            self.name,
            len(self.name) <= MAX_FIRST_DNS_NAME,
            "a certificate subject",
            f"at most {MAX_FIRST_DNS_NAME} characters",
        )
        check(
            f"{_OWNER}.hosted_zone_id",
            self.hosted_zone_id,
            isinstance(self.hosted_zone_id, str) and bool(HOSTED_ZONE_ID.match(self.hosted_zone_id)),
            "a hosted zone id",
            "up to 32 uppercase letters and digits, such as Z0123456789ABCDEFGHIJ",
        )
        for name in self.alternative_names:
            check(f"{_OWNER}.alternative_names", name, is_dns_name(name), "a DNS name", DNS_NAME_RULE)
        names = self.names
        check(
            f"{_OWNER}.alternative_names",
            list(self.alternative_names),
            len(set(names)) == len(names) and len(names) <= MAX_CERTIFICATE_NAMES,
            "a set of names",
            f"distinct names other than name, at most {MAX_CERTIFICATE_NAMES - 1}",
        )

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alternative_names)


class AliasTarget(NamedTuple):
    """Where the names point: the ALB's DNS name and hosted zone, and whether it has IPv6."""

    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    dualstack: bool = False


class Domain(pulumi.ComponentResource):
    # The certificate's ARN once ACM has issued it: what the HTTPS listener serves.
    certificate_arn: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(self, name: str, args: DomainArgs, target: AliasTarget, opts: Optional[pulumi.ResourceOptions] = None):
        args.validate()
        super().__init__("fargate:lb:Domain", name, None, opts)
        certificate = aws.acm.Certificate(
            f"{name}",
            domain_name=args.name,
            subject_alternative_names=list(args.alternative_names) or None,
            validation_method="DNS",
            tags=name_tag(name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        records = self._validation_records(name, args, certificate)
        validation = aws.acm.CertificateValidation(
            f"{name}",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in records],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self._alias_records(name, args, target)

        self.certificate_arn = validation.certificate_arn
        self.url = pulumi.Output.from_input(f"https://{args.name}")
        self.register_outputs({"certificateArn": self.certificate_arn, "url": self.url})

    def _validation_records(
        self, name: str, args: DomainArgs, certificate: aws.acm.Certificate
    ) -> list[aws.route53.Record]:
        """One CNAME per distinct record ACM asks for, its name and value read from the certificate.

        The names are known before the certificate exists, so the records are one per distinct
        validation domain (no resource made inside an apply); each takes its option by name.
        """
        records = []
        for domain in dict.fromkeys(validation_domain(n) for n in args.names):
            record = certificate.domain_validation_options.apply(functools.partial(_validation_record, domain=domain))
            records.append(
                aws.route53.Record(
                    f"{name}-validation-{domain}",
                    zone_id=args.hosted_zone_id,
                    name=record.name,
                    type=record.type,
                    records=[record.value],
                    ttl=VALIDATION_TTL,
                    # Another certificate for the same name (a previous stack, a replacement)
                    # asks for the very same record: take it over instead of failing.
                    allow_overwrite=True,
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        return records

    def _alias_records(self, name: str, args: DomainArgs, target: AliasTarget) -> None:
        """Every name to the ALB: A, and AAAA for a dual-stack ALB. Not overwriting: a record
        of that name made by hand stops the update instead of being replaced silently."""
        kinds = ("A", "AAAA") if target.dualstack else ("A",)
        for host in args.names:
            for kind in kinds:
                aws.route53.Record(
                    f"{name}-{kind.lower()}-{host.replace('*', 'wildcard')}",
                    zone_id=args.hosted_zone_id,
                    name=host,
                    type=kind,
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=target.dns_name,
                            zone_id=target.zone_id,
                            # Route 53 answers with the ALB only while it has healthy targets.
                            evaluate_target_health=True,
                        )
                    ],
                    opts=pulumi.ResourceOptions(parent=self),
                )


class ValidationRecord(NamedTuple):
    name: str
    type: str
    value: str


def _validation_record(
    options: Sequence[aws.acm.outputs.CertificateDomainValidationOption], domain: str
) -> ValidationRecord:
    """The record ACM asks for to prove ``domain`` (or its wildcard, which shares it)."""
    option = next(o for o in options if o.domain_name in (domain, f"*.{domain}"))
    return ValidationRecord(
        str(option.resource_record_name), str(option.resource_record_type), str(option.resource_record_value)
    )
