"""moto in its own process for one rehearsal: started on a free loopback port, ended afterwards.

Also what the rehearsal asks the emulator through its API (boto3): the fixtures a stack file's
placeholder ARNs need, the default VPC's ids, and an inventory of everything that exists, so
that after `terraform destroy` anything the stack made and left behind shows.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Optional

import boto3
from botocore.config import Config

from .errors import RehearsalInputError
from .translate import strings_in

ACCOUNT = "123456789012"  # moto's default account, the one the preflight's ARNs name too
_PLACEHOLDER = re.compile(
    r"^arn:aws:(?P<service>acm|ssm|secretsmanager):(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>certificate|parameter|secret):?/?(?P<name>.+)$"
)
# A hosted zone id of Z and zeros: the zone of the stack's domain, made in the emulator.
_ZONE_PLACEHOLDER = re.compile(r"^Z0{8,}$")


def require_moto() -> str:
    """moto's version, or RehearsalInputError saying what to install."""
    try:
        import flask  # noqa: F401  - moto's server needs moto[server]'s extras
        import moto
    except ImportError:
        raise RehearsalInputError(
            "moto's server is not installed in this Python: pip install -r requirements-dev.txt (moto[server])"
        ) from None
    return str(moto.__version__)


class Emulator:
    def __init__(self, region: str) -> None:
        self.region = region
        require_moto()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rehearsal._moto_server"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("port "):
            self.stop()
            raise RehearsalInputError("the emulator (moto server) did not start: pip install 'moto[server]'")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.fixtures: set[tuple[str, str]] = set()

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, service: str, region: Optional[str] = None) -> Any:
        return boto3.client(
            service,
            region_name=region or self.region,
            endpoint_url=self.url,
            aws_access_key_id="rehearsal",
            aws_secret_access_key="rehearsal",
            config=Config(retries={"max_attempts": 2}),
        )

    def provider_settings(self) -> dict[str, Any]:
        """What the Terraform provider block needs to talk to the emulator and nothing else.

        The endpoint is not in the block but in the provider's environment (`environment()`): the
        provider spends about 5 s of CPU validating an `endpoints` block at each of its calls (16 s
        per `terraform apply` of the dev stack, measured), and AWS_ENDPOINT_URL sends every service,
        not only those listed, to the emulator."""
        return {
            "access_key": "rehearsal",
            "secret_key": "rehearsal",
            "skip_credentials_validation": True,
            "skip_requesting_account_id": False,
            "skip_metadata_api_check": "true",
            "s3_use_path_style": True,
        }

    def environment(self) -> dict[str, str]:
        """The provider's environment: the AWS SDK's global endpoint, for every service."""
        return {"AWS_ENDPOINT_URL": self.url}

    # -- placeholders ----------------------------------------------------------------------------

    def make_placeholders(self, config: Any) -> dict[str, str]:
        """Create what each placeholder ARN in a stack config names; return old ARN -> new ARN."""
        found: dict[str, str] = {}
        for text in strings_in(config):
            if _ZONE_PLACEHOLDER.match(text) and text not in found:
                found[text] = self._hosted_zone(config)
                continue
            match = _PLACEHOLDER.match(text)
            if match is None or text in found:
                continue
            if match["account"] != ACCOUNT:
                raise RehearsalInputError(
                    f"stack config: {text} is in account {match['account']}; the emulator's account is {ACCOUNT}"
                )
            region = match["region"]
            if match["kind"] == "certificate":
                arn = self.client("acm", region).import_certificate(**_self_signed())["CertificateArn"]
                self.fixtures.add(("acm certificate", arn))
            elif match["kind"] == "parameter":
                name = "/" + match["name"].lstrip("/")
                self.client("ssm", region).put_parameter(
                    Name=name, Value="rehearsal", Type="SecureString", Overwrite=True
                )
                arn = f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{name}"
                self.fixtures.add(("ssm parameter", name))
            else:
                name = re.sub(r"-[A-Za-z0-9]{6}$", "", match["name"])
                arn = self.client("secretsmanager", region).create_secret(Name=name, SecretString="rehearsal")["ARN"]
                self.fixtures.add(("secretsmanager secret", arn))
            found[text] = arn
        return found

    def _hosted_zone(self, config: Any) -> str:
        """A public zone for the domain of ``fargate:loadBalancer`` (its last two labels)."""
        domain = ((config.get("fargate:loadBalancer") or {}).get("domain") or {}).get("name", "example.com")
        apex = ".".join(str(domain).split(".")[-2:])
        zone = self.client("route53").create_hosted_zone(Name=apex, CallerReference=f"rehearsal-{apex}")
        zone_id = str(zone["HostedZone"]["Id"]).rsplit("/", 1)[-1]
        self.fixtures.add(("route53 hosted zone", zone_id))
        return zone_id

    def account_facts(self, preflight_default_vpc: str, preflight_subnets: dict[str, str]) -> dict[str, str]:
        """The preflight's default VPC and subnet ids -> the emulator's (subnets zone by zone)."""
        ec2 = self.client("ec2")
        vpcs = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"]
        if not vpcs:
            return {}
        facts = {preflight_default_vpc: vpcs[0]["VpcId"]}
        subnets = ec2.describe_subnets(
            Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}, {"Name": "default-for-az", "Values": ["true"]}]
        )["Subnets"]
        by_zone = {s["AvailabilityZone"]: s["SubnetId"] for s in subnets}
        for zone, subnet in preflight_subnets.items():
            if zone in by_zone:
                facts[subnet] = by_zone[zone]
        return facts

    # -- inventory -------------------------------------------------------------------------------

    def inventory(self) -> set[tuple[str, str]]:
        """Everything in the emulator's account and region a stack of ours could have made."""
        found: set[tuple[str, str]] = set()

        def add(kind: str, items: Iterable[str]) -> None:
            found.update((kind, item) for item in items)

        ec2 = self.client("ec2")
        add("ec2 vpc", (v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")))
        add("ec2 subnet", (s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if not s.get("DefaultForAz")))
        add(
            "ec2 security group",
            (g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"),
        )
        add(
            "ec2 security group rule",
            (r["SecurityGroupRuleId"] for r in _all(ec2.describe_security_group_rules, "SecurityGroupRules")),
        )
        add(
            "ec2 internet gateway",
            (g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]),
        )
        add("ec2 route table", (t["RouteTableId"] for t in ec2.describe_route_tables()["RouteTables"]))
        add(
            "ec2 nat gateway",
            (
                n["NatGatewayId"]
                for n in ec2.describe_nat_gateways()["NatGateways"]
                if n.get("State") not in ("deleted", "deleting")
            ),
        )
        add("ec2 elastic ip", (a.get("AllocationId", a.get("PublicIp")) for a in ec2.describe_addresses()["Addresses"]))
        add(
            "ec2 vpc endpoint",
            (
                e["VpcEndpointId"]
                for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
                if e.get("State", "").lower() not in ("deleted", "deleting")
            ),
        )
        add("ec2 flow log", (f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]))
        elbv2 = self.client("elbv2")
        add("elbv2 load balancer", (b["LoadBalancerArn"] for b in elbv2.describe_load_balancers()["LoadBalancers"]))
        add("elbv2 target group", (g["TargetGroupArn"] for g in elbv2.describe_target_groups()["TargetGroups"]))
        ecs = self.client("ecs")
        clusters = ecs.list_clusters()["clusterArns"]
        if clusters:
            described = ecs.describe_clusters(clusters=clusters)["clusters"]
            add("ecs cluster", (c["clusterArn"] for c in described if c.get("status") == "ACTIVE"))
            for cluster in clusters:
                services = ecs.list_services(cluster=cluster)["serviceArns"]
                if services:
                    add(
                        "ecs service",
                        (
                            s["serviceArn"]
                            for s in ecs.describe_services(cluster=cluster, services=services)["services"]
                            if s.get("status") == "ACTIVE"
                        ),
                    )
        add("ecs task definition", ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"])
        iam = self.client("iam")
        add("iam role", (r["Arn"] for r in _all(iam.list_roles, "Roles") if "/aws-service-role/" not in r["Arn"]))
        add("iam policy", (p["Arn"] for p in _all(iam.list_policies, "Policies", Scope="Local")))
        add("iam instance profile", (p["Arn"] for p in _all(iam.list_instance_profiles, "InstanceProfiles")))
        add("logs log group", (g["logGroupName"] for g in self.client("logs").describe_log_groups()["logGroups"]))
        add("cloudwatch alarm", (a["AlarmArn"] for a in self.client("cloudwatch").describe_alarms()["MetricAlarms"]))
        scaling = self.client("application-autoscaling")
        add(
            "appautoscaling target",
            (
                t["ResourceId"] + " " + t["ScalableDimension"]
                for t in scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
            ),
        )
        add(
            "appautoscaling policy",
            (p["PolicyARN"] for p in scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]),
        )
        add(
            "appautoscaling scheduled action",
            (
                a["ScheduledActionARN"]
                for a in scaling.describe_scheduled_actions(ServiceNamespace="ecs")["ScheduledActions"]
            ),
        )
        add("ecr repository", (r["repositoryArn"] for r in self.client("ecr").describe_repositories()["repositories"]))
        add("secretsmanager secret", (s["ARN"] for s in self.client("secretsmanager").list_secrets()["SecretList"]))
        add("ssm parameter", (p["Name"] for p in self.client("ssm").describe_parameters()["Parameters"]))
        add(
            "acm certificate",
            (c["CertificateArn"] for c in self.client("acm").list_certificates()["CertificateSummaryList"]),
        )
        add("s3 bucket", (b["Name"] for b in self.client("s3").list_buckets().get("Buckets", [])))
        route53 = self.client("route53")
        for zone in route53.list_hosted_zones()["HostedZones"]:
            zone_id = str(zone["Id"]).rsplit("/", 1)[-1]
            add("route53 hosted zone", [zone_id])
            records = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
            # The zone's own NS and SOA records come and go with it.
            add(
                "route53 record",
                (f"{zone_id} {r['Name']} {r['Type']}" for r in records if r["Type"] not in ("NS", "SOA")),
            )
        add("wafv2 web acl", (a["ARN"] for a in self.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]))
        return found


def _all(call: Callable[..., dict], key: str, **kwargs: Any) -> list[dict]:
    items: list[dict] = []
    for page in call.__self__.get_paginator(call.__name__).paginate(**kwargs):  # type: ignore[attr-defined]
        items.extend(page[key])
    return items


def _self_signed() -> dict[str, bytes]:
    """A certificate for ACM to import: the rehearsal needs one that exists, not one that is trusted."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rehearsal.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("rehearsal.example.com")]), False)
        .sign(key, hashes.SHA256())
    )
    return {
        "Certificate": certificate.public_bytes(serialization.Encoding.PEM),
        "PrivateKey": key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    }
