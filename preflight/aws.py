"""An offline stand-in for the AWS provider: the values only AWS could know, shaped like AWS's.

Every value is derived from the resource's URN, so two runs of the same program give the same
ids, ARNs and auto-names. `create` returns what the provider would add to a resource's inputs
(its computed outputs); during a preview the caller turns those into unknowns, because a real
preview of a new stack does not know them either. Auto-names are the exception: the provider's
`Check` picks them before the preview, so they are known in both modes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .errors import OfflineGap

ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

# The zones a default account sees. Regions not listed get a, b and c.
_ZONE_LETTERS = {"us-east-1": "abcdef", "us-west-2": "abcd", "ap-northeast-1": "acd"}
_ZONE_ID_PREFIX = {
    "us-east-1": "use1", "us-east-2": "use2", "us-west-1": "usw1", "us-west-2": "usw2",
    "eu-west-1": "euw1", "eu-west-2": "euw2", "eu-central-1": "euc1", "ap-northeast-1": "apne1",
    "ap-southeast-1": "apse1", "ap-southeast-2": "apse2",
}
# Route 53 hosted zone of the ALBs in a region (what `aws.lb.LoadBalancer.zone_id` reports).
_ALB_ZONE = {
    "us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5", "eu-west-1": "Z32O12XQLNTSW2", "eu-central-1": "Z215JYRZR1TBD5",
}
DEFAULT_VPC_CIDR = "172.31.0.0/16"

# Resources the provider names itself when the program gives no name: (property, max length,
# lower-case only). Pulumi's autonaming appends "-" and 7 random hex characters to the logical name.
AUTONAMED: dict[str, tuple[str, int, bool]] = {
    "aws:lb/loadBalancer:LoadBalancer": ("name", 32, False),
    "aws:alb/loadBalancer:LoadBalancer": ("name", 32, False),
    "aws:lb/targetGroup:TargetGroup": ("name", 32, False),
    "aws:alb/targetGroup:TargetGroup": ("name", 32, False),
    "aws:ecs/cluster:Cluster": ("name", 255, False),
    "aws:ecs/service:Service": ("name", 255, False),
    "aws:ecs/capacityProvider:CapacityProvider": ("name", 255, False),
    "aws:iam/role:Role": ("name", 64, False),
    "aws:iam/policy:Policy": ("name", 128, False),
    "aws:iam/rolePolicy:RolePolicy": ("name", 128, False),
    "aws:iam/instanceProfile:InstanceProfile": ("name", 128, False),
    "aws:ec2/securityGroup:SecurityGroup": ("name", 255, False),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", 128, False),
    "aws:cloudwatch/logGroup:LogGroup": ("name", 512, False),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", 255, False),
    "aws:appautoscaling/policy:Policy": ("name", 255, False),
    "aws:ecr/repository:Repository": ("name", 256, True),
    "aws:s3/bucket:Bucket": ("bucket", 63, True),
    "aws:s3/bucketV2:BucketV2": ("bucket", 63, True),
    "aws:sns/topic:Topic": ("name", 256, False),
    "aws:sqs/queue:Queue": ("name", 80, False),
    "aws:lambda/function:Function": ("name", 64, False),
    "aws:secretsmanager/secret:Secret": ("name", 512, False),
    "aws:servicediscovery/service:Service": ("name", 255, False),
    "aws:ssm/parameter:Parameter": ("name", 2048, False),
}


def digest(seed: str, length: int) -> str:
    """`length` hex characters derived from `seed`: random-looking, the same on every run."""
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(f"{seed}#{counter}".encode()).hexdigest()
        counter += 1
    return out[:length]


def digits(seed: str, length: int) -> str:
    return str(int(digest(seed, 16), 16))[-length:].rjust(length, "0")


def zones(region: str) -> list[str]:
    return [region + letter for letter in _ZONE_LETTERS.get(region, "abc")]


def zone_id(region: str, zone: str) -> str:
    prefix = _ZONE_ID_PREFIX.get(region, region.replace("-", "")[:6])
    return f"{prefix}-az{'abcdef'.index(zone[-1]) + 1}"


# Schema defaults the provider's Check fills in, so the engine (and the policy pack) sees them
# among the inputs even when the program leaves them out.
CHECK_DEFAULTS: dict[str, dict[str, Any]] = {
    "aws:lb/loadBalancer:LoadBalancer": {"loadBalancerType": "application", "idleTimeout": 60,
                                         "enableDeletionProtection": False, "dropInvalidHeaderFields": False},
    "aws:lb/targetGroup:TargetGroup": {"targetType": "instance"},
    "aws:ecs/service:Service": {"schedulingStrategy": "REPLICA", "enableEcsManagedTags": False,
                                "waitForSteadyState": False},
    "aws:cloudwatch/logGroup:LogGroup": {"retentionInDays": 0, "skipDestroy": False},
    "aws:ec2/securityGroup:SecurityGroup": {"description": "Managed by Pulumi", "revokeRulesOnDelete": False},
    "aws:iam/role:Role": {"path": "/", "maxSessionDuration": 3600, "forceDetachPolicies": False},
}
CHECK_DEFAULTS["aws:alb/loadBalancer:LoadBalancer"] = CHECK_DEFAULTS["aws:lb/loadBalancer:LoadBalancer"]
CHECK_DEFAULTS["aws:alb/targetGroup:TargetGroup"] = CHECK_DEFAULTS["aws:lb/targetGroup:TargetGroup"]


def check(type_token: str, logical_name: str, urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """What the provider's Check adds to the program's inputs: schema defaults and an auto-name."""
    added = {k: v for k, v in CHECK_DEFAULTS.get(type_token, {}).items() if k not in inputs}
    added.update(_autoname(type_token, logical_name, urn, inputs))
    return added


def _autoname(type_token: str, logical_name: str, urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    rule = AUTONAMED.get(type_token)
    if rule is None:
        return {}
    prop, max_length, lower = rule
    if inputs.get(prop) is not None or inputs.get(prop + "Prefix") is not None:
        return {}
    prefix = (logical_name.lower() if lower else logical_name) + "-"
    if len(prefix) + 7 > max_length:
        raise OfflineGap(
            f"{type_token} resource {logical_name!r} has a problem: name {prefix!r} plus 7 random "
            f"chars is longer than maximum length {max_length}; give it a shorter name or set `{prop}`"
        )
    return {prop: prefix + digest("autoname:" + urn, 7)}


@dataclass
class Created:
    """What the provider adds to a resource: its id and the computed outputs."""

    id: str
    outputs: dict[str, Any]


class _Context:
    """Everything a resource handler needs to invent AWS-shaped values for one resource."""

    def __init__(self, type_token: str, urn: str, inputs: dict[str, Any], region: str) -> None:
        self.type = type_token
        self.urn = urn
        self.inputs = inputs
        self.region = inputs.get("region") or region
        self.account = ACCOUNT

    def hex(self, length: int, salt: str = "") -> str:
        return digest(f"{self.urn}:{salt}", length)

    def aws_id(self, prefix: str) -> str:
        return f"{prefix}-{self.hex(17, prefix)}"

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        owner = self.account if account else ""
        return f"arn:aws:{service}:{region}:{owner}:{resource}"

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key)
        return default if value is None else value


Handler = Callable[[_Context], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}


def _handles(*tokens: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for token in tokens:
            _HANDLERS[token] = handler
        return handler
    return register


def _ec2(prefix: str, kind: str) -> Handler:
    def handler(ctx: _Context) -> dict[str, Any]:
        resource_id = ctx.aws_id(prefix)
        return {"id": resource_id, "arn": ctx.arn("ec2", f"{kind}/{resource_id}"), "ownerId": ctx.account}
    return handler


for _token, _prefix, _kind in [
    ("aws:ec2/internetGateway:InternetGateway", "igw", "internet-gateway"),
    ("aws:ec2/routeTable:RouteTable", "rtb", "route-table"),
    ("aws:ec2/networkAcl:NetworkAcl", "acl", "network-acl"),
    ("aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway", "eigw", "egress-only-internet-gateway"),
]:
    _HANDLERS[_token] = _ec2(_prefix, _kind)


def _named_by_arn(service: str, resource: Callable[[_Context], str]) -> Handler:
    """Resources whose id is their ARN."""
    def handler(ctx: _Context) -> dict[str, Any]:
        arn = ctx.arn(service, resource(ctx))
        return {"id": arn, "arn": arn}
    return handler


_HANDLERS["aws:ecs/cluster:Cluster"] = _named_by_arn("ecs", lambda ctx: f"cluster/{ctx.get('name')}")
_HANDLERS["aws:sns/topic:Topic"] = _named_by_arn("sns", lambda ctx: str(ctx.get("name")))
_HANDLERS["aws:ssm/parameter:Parameter"] = lambda ctx: {
    "id": ctx.get("name"), "arn": ctx.arn("ssm", f"parameter/{str(ctx.get('name')).lstrip('/')}"), "version": 1}
_HANDLERS["aws:secretsmanager/secret:Secret"] = _named_by_arn(
    "secretsmanager", lambda ctx: f"secret:{ctx.get('name')}-{ctx.hex(6)}")


@_handles("aws:ec2/vpc:Vpc", "aws:ec2/defaultVpc:DefaultVpc")
def _vpc(ctx: _Context) -> dict[str, Any]:
    vpc_id = ctx.aws_id("vpc")
    return {
        "id": vpc_id,
        "arn": ctx.arn("ec2", f"vpc/{vpc_id}"),
        "ownerId": ctx.account,
        "defaultSecurityGroupId": ctx.aws_id("sg"),
        "defaultRouteTableId": ctx.aws_id("rtb"),
        "mainRouteTableId": ctx.aws_id("rtb"),
        "defaultNetworkAclId": ctx.aws_id("acl"),
        "dhcpOptionsId": ctx.aws_id("dopt"),
        "instanceTenancy": ctx.get("instanceTenancy", "default"),
        "enableDnsSupport": ctx.get("enableDnsSupport", True),
        "enableDnsHostnames": ctx.get("enableDnsHostnames", False),
    }


@_handles("aws:ec2/vpcEndpoint:VpcEndpoint")
def _vpc_endpoint(ctx: _Context) -> dict[str, Any]:
    endpoint_id = ctx.aws_id("vpce")
    service = str(ctx.get("serviceName", f"com.amazonaws.{ctx.region}.s3"))
    outputs: dict[str, Any] = {
        "id": endpoint_id,
        "arn": ctx.arn("ec2", f"vpc-endpoint/{endpoint_id}"),
        "ownerId": ctx.account,
        "state": "available",
        "requesterManaged": False,
        "vpcEndpointType": ctx.get("vpcEndpointType", "Gateway"),
    }
    if outputs["vpcEndpointType"] == "Gateway":
        # The AWS-managed prefix list of the service in the region: the same for every endpoint.
        outputs["prefixListId"] = f"pl-{digest(f'prefix-list:{ctx.region}:{service}', 8)}"
        outputs["cidrBlocks"] = [f"52.{int(digest(service, 2), 16) % 200 + 16}.0.0/15"]
        outputs["dnsEntries"] = []
        outputs["networkInterfaceIds"] = []
    else:
        short = service.replace(f"com.amazonaws.{ctx.region}.", "")
        outputs["dnsEntries"] = [{
            "dnsName": f"{endpoint_id}-{ctx.hex(8, 'dns')}.{short}.{ctx.region}.vpce.amazonaws.com",
            "hostedZoneId": "Z" + ctx.hex(13, "zone").upper(),
        }]
        outputs["networkInterfaceIds"] = [ctx.aws_id(f"eni{i}").replace(f"eni{i}-", "eni-")
                                          for i, _ in enumerate(ctx.get("subnetIds") or [])]
    return outputs


@_handles("aws:ec2/subnet:Subnet")
def _subnet(ctx: _Context) -> dict[str, Any]:
    subnet_id = ctx.aws_id("subnet")
    zone = ctx.get("availabilityZone") or zones(ctx.region)[0]
    return {
        "id": subnet_id,
        "arn": ctx.arn("ec2", f"subnet/{subnet_id}"),
        "ownerId": ctx.account,
        "availabilityZone": zone,
        "availabilityZoneId": zone_id(ctx.region, zone),
        "mapPublicIpOnLaunch": ctx.get("mapPublicIpOnLaunch", False),
    }


@_handles("aws:ec2/eip:Eip")
def _eip(ctx: _Context) -> dict[str, Any]:
    public_ip = _public_ip(ctx.urn)
    allocation = ctx.aws_id("eipalloc")
    return {
        "id": allocation,
        "allocationId": allocation,
        "publicIp": public_ip,
        "publicDns": f"ec2-{public_ip.replace('.', '-')}.compute-1.amazonaws.com",
        "domain": ctx.get("domain", "vpc"),
        "arn": ctx.arn("ec2", f"elastic-ip/{allocation}"),
    }


@_handles("aws:ec2/natGateway:NatGateway")
def _nat_gateway(ctx: _Context) -> dict[str, Any]:
    return {
        "id": ctx.aws_id("nat"),
        "networkInterfaceId": ctx.aws_id("eni"),
        "privateIp": f"10.0.{int(ctx.hex(2, 'ip'), 16) % 250}.{int(ctx.hex(2, 'ip2'), 16) % 250 + 4}",
        "publicIp": _public_ip(ctx.urn),
        "connectivityType": ctx.get("connectivityType", "public"),
    }


@_handles("aws:ec2/route:Route")
def _route(ctx: _Context) -> dict[str, Any]:
    table = ctx.get("routeTableId", "rtb")
    destination = ctx.get("destinationCidrBlock") or ctx.get("destinationIpv6CidrBlock") or ""
    return {"id": f"r-{table}{digits(destination + table, 10)}", "origin": "CreateRoute", "state": "active"}


@_handles("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _route_table_association(ctx: _Context) -> dict[str, Any]:
    return {"id": ctx.aws_id("rtbassoc")}


@_handles("aws:ec2/securityGroup:SecurityGroup")
def _security_group(ctx: _Context) -> dict[str, Any]:
    group_id = ctx.aws_id("sg")
    return {
        "id": group_id,
        "arn": ctx.arn("ec2", f"security-group/{group_id}"),
        "ownerId": ctx.account,
        "ingress": ctx.get("ingress", []),
        "egress": ctx.get("egress", []),
    }


@_handles("aws:ec2/securityGroupRule:SecurityGroupRule")
def _security_group_rule(ctx: _Context) -> dict[str, Any]:
    return {"id": f"sgrule-{digits(ctx.urn, 10)}", "securityGroupRuleId": ctx.aws_id("sgr")}


@_handles("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
def _vpc_security_group_rule(ctx: _Context) -> dict[str, Any]:
    rule_id = ctx.aws_id("sgr")
    return {"id": rule_id, "securityGroupRuleId": rule_id, "arn": ctx.arn("ec2", f"security-group-rule/{rule_id}")}


@_handles("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def _load_balancer(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name") or ctx.get("namePrefix", "lb")
    kind = {"network": "net", "gateway": "gwy"}.get(ctx.get("loadBalancerType", "application"), "app")
    suffix = f"{kind}/{name}/{ctx.hex(16)}"
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    scheme = "internal-" if ctx.get("internal", False) else ""
    return {
        "id": arn,
        "arn": arn,
        "arnSuffix": suffix,
        "dnsName": f"{scheme}{name}-{digits(ctx.urn, 10)}.{ctx.region}.elb.amazonaws.com",
        "zoneId": _ALB_ZONE.get(ctx.region, "Z35SXDOTRQ7X7K"),
        "vpcId": ctx.aws_id("vpc"),
        "internal": ctx.get("internal", False),
        "ipAddressType": ctx.get("ipAddressType", "ipv4"),
    }


@_handles("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
def _target_group(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name") or ctx.get("namePrefix", "tg")
    suffix = f"targetgroup/{name}/{ctx.hex(16)}"
    arn = ctx.arn("elasticloadbalancing", suffix)
    return {"id": arn, "arn": arn, "arnSuffix": suffix}


@_handles("aws:lb/listener:Listener", "aws:alb/listener:Listener")
def _listener(ctx: _Context) -> dict[str, Any]:
    lb_arn = str(ctx.get("loadBalancerArn", ctx.arn("elasticloadbalancing", "loadbalancer/app/lb/0")))
    arn = lb_arn.replace(":loadbalancer/", ":listener/") + "/" + ctx.hex(16)
    return {"id": arn, "arn": arn}


@_handles("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
def _listener_rule(ctx: _Context) -> dict[str, Any]:
    listener_arn = str(ctx.get("listenerArn", ctx.arn("elasticloadbalancing", "listener/app/lb/0/0")))
    arn = listener_arn.replace(":listener/", ":listener-rule/") + "/" + ctx.hex(16)
    return {"id": arn, "arn": arn}


@_handles("aws:lb/targetGroupAttachment:TargetGroupAttachment")
def _target_group_attachment(ctx: _Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('targetGroupArn', 'tg')}-{digits(ctx.urn, 20)}"}


@_handles("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
def _cluster_capacity_providers(ctx: _Context) -> dict[str, Any]:
    return {"id": str(ctx.get("clusterName", ""))}


@_handles("aws:ecs/taskDefinition:TaskDefinition")
def _task_definition(ctx: _Context) -> dict[str, Any]:
    family = ctx.get("family", "task")
    without_revision = ctx.arn("ecs", f"task-definition/{family}")
    return {"id": family, "arn": f"{without_revision}:1", "arnWithoutRevision": without_revision, "revision": 1}


@_handles("aws:ecs/service:Service")
def _service(ctx: _Context) -> dict[str, Any]:
    cluster = str(ctx.get("cluster") or "default").rsplit("/", 1)[-1]
    arn = ctx.arn("ecs", f"service/{cluster}/{ctx.get('name')}")
    return {
        "id": arn,
        "cluster": ctx.get("cluster") or ctx.arn("ecs", "cluster/default"),
        "platformVersion": ctx.get("platformVersion", "LATEST"),
        "iamRole": ctx.get("iamRole", "aws-service-role"),
        "triggers": ctx.get("triggers", {}),
    }


@_handles("aws:iam/role:Role")
def _role(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    return {
        "id": name,
        "arn": ctx.arn("iam", f"role{ctx.get('path', '/')}{name}", regional=False),
        "uniqueId": "AROA" + ctx.hex(17).upper(),
        "createDate": "2024-01-01T00:00:00Z",
    }


@_handles("aws:iam/policy:Policy")
def _policy(ctx: _Context) -> dict[str, Any]:
    arn = ctx.arn("iam", f"policy{ctx.get('path', '/')}{ctx.get('name')}", regional=False)
    return {"id": arn, "arn": arn, "policyId": "ANPA" + ctx.hex(17).upper(), "attachmentCount": 0}


@_handles("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _role_policy_attachment(ctx: _Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('role')}-{digits(ctx.urn, 26)}"}


@_handles("aws:iam/rolePolicy:RolePolicy")
def _role_policy(ctx: _Context) -> dict[str, Any]:
    return {"id": f"{ctx.get('role')}:{ctx.get('name')}"}


@_handles("aws:iam/instanceProfile:InstanceProfile")
def _instance_profile(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    return {"id": name, "arn": ctx.arn("iam", f"instance-profile/{name}", regional=False),
            "uniqueId": "AIPA" + ctx.hex(17).upper()}


@_handles("aws:cloudwatch/logGroup:LogGroup")
def _log_group(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    return {"id": name, "arn": ctx.arn("logs", f"log-group:{name}")}


@_handles("aws:cloudwatch/metricAlarm:MetricAlarm")
def _metric_alarm(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    return {"id": name, "arn": ctx.arn("cloudwatch", f"alarm:{name}")}


@_handles("aws:appautoscaling/target:Target")
def _scalable_target(ctx: _Context) -> dict[str, Any]:
    return {
        "id": ctx.get("resourceId"),
        "arn": ctx.arn("application-autoscaling", f"scalable-target/{ctx.hex(36)}"),
        "roleArn": ctx.arn(
            "iam",
            "role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService",
            regional=False,
        ),
    }


@_handles("aws:appautoscaling/policy:Policy")
def _scaling_policy(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    uuid = "-".join([ctx.hex(8), ctx.hex(4, "b"), ctx.hex(4, "c"), ctx.hex(4, "d"), ctx.hex(12, "e")])
    resource = ctx.get("resourceId", "service/default/service")
    return {
        "id": name,
        "arn": ctx.arn("autoscaling", f"scalingPolicy:{uuid}:resource/ecs/{resource}:policyName/{name}"),
        "alarmArns": [],
    }


@_handles("aws:ecr/repository:Repository")
def _ecr_repository(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    return {
        "id": name,
        "arn": ctx.arn("ecr", f"repository/{name}"),
        "registryId": ctx.account,
        "repositoryUrl": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{name}",
    }


# The port each RDS engine listens on when the program sets none.
_RDS_PORTS = {"postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "mariadb": 3306,
              "aurora-mysql": 3306, "aurora": 3306, "oracle": 1521, "sqlserver": 1433, "db2": 50000}


@_handles("aws:rds/instance:Instance", "aws:rds/cluster:Cluster")
def _rds(ctx: _Context) -> dict[str, Any]:
    engine = str(ctx.get("engine", "postgres"))
    port = int(ctx.get("port") or next((p for prefix, p in _RDS_PORTS.items() if engine.startswith(prefix)), 5432))
    identifier = str(ctx.get("identifier") or ctx.get("clusterIdentifier") or
                     (ctx.get("identifierPrefix") or "db-") + ctx.hex(12))
    cluster = ctx.type.endswith(":Cluster")
    host = f"{identifier}.{'cluster-' if cluster else ''}{ctx.hex(12, 'host')}.{ctx.region}.rds.amazonaws.com"
    outputs: dict[str, Any] = {
        "id": identifier,
        "arn": ctx.arn("rds", f"{'cluster' if cluster else 'db'}:{identifier}"),
        "port": port,
        "endpoint": host if cluster else f"{host}:{port}",
        "hostedZoneId": "Z2R2ITUGPM61AM",
        "resourceId": ("cluster-" if cluster else "db-") + ctx.hex(26, "resource").upper(),
        "status": "available",
        "engineVersionActual": ctx.get("engineVersion", "16.3"),
    }
    if cluster:
        outputs["clusterIdentifier"] = identifier
        outputs["readerEndpoint"] = host.replace(".cluster-", ".cluster-ro-")
    else:
        outputs["identifier"] = identifier
        outputs["address"] = host
    return outputs


@_handles("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("bucket")
    return {
        "id": name,
        "arn": f"arn:aws:s3:::{name}",
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "hostedZoneId": "Z3AQBSTGFYJSTF",
        "region": ctx.region,
    }


@_handles("aws:sqs/queue:Queue")
def _queue(ctx: _Context) -> dict[str, Any]:
    name = ctx.get("name")
    return {"id": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
            "arn": ctx.arn("sqs", str(name)), "url": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}"}


@_handles("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def _dns_namespace(ctx: _Context) -> dict[str, Any]:
    namespace_id = "ns-" + ctx.hex(16)
    return {"id": namespace_id, "arn": ctx.arn("servicediscovery", f"namespace/{namespace_id}"),
            "hostedZone": "Z" + ctx.hex(20).upper()}


@_handles("aws:servicediscovery/service:Service")
def _discovery_service(ctx: _Context) -> dict[str, Any]:
    service_id = "srv-" + ctx.hex(16)
    return {"id": service_id, "arn": ctx.arn("servicediscovery", f"service/{service_id}")}


def _generic(ctx: _Context) -> dict[str, Any]:
    """Any other AWS resource: an id and an ARN in the service's usual `type/name` shape."""
    module, _, rest = ctx.type.partition(":")[2].partition("/")
    kind = rest.split(":")[-1]
    name = ctx.get("name") or ctx.hex(17)
    arn = ctx.arn(module, f"{_kebab(kind)}/{name}")
    return {"id": ctx.get("name") or f"{_kebab(kind)}-{ctx.hex(17)}", "arn": arn}


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


def _public_ip(seed: str) -> str:
    raw = digest("ip:" + seed, 6)
    return f"54.{int(raw[0:2], 16) % 240 + 10}.{int(raw[2:4], 16)}.{int(raw[4:6], 16) % 250 + 4}"


def _tags_all(inputs: dict[str, Any], default_tags: Optional[dict[str, Any]]) -> dict[str, Any]:
    merged = dict((default_tags or {}).get("tags") or {})
    merged.update(inputs.get("tags") or {})
    return merged


def create(type_token: str, urn: str, inputs: dict[str, Any], region: str,
           default_tags: Optional[dict[str, Any]] = None) -> Created:
    """The provider's side of a new AWS resource: its id and the outputs it computes."""
    ctx = _Context(type_token, urn, inputs, region)
    handler = _HANDLERS.get(type_token, _generic)
    outputs = handler(ctx)
    resource_id = str(outputs.pop("id") or ctx.hex(17))
    outputs = {k: v for k, v in outputs.items() if k not in inputs}
    if "tags" in inputs or default_tags:
        outputs["tagsAll"] = _tags_all(inputs, default_tags)
    outputs.setdefault("region", ctx.region)
    return Created(resource_id, outputs)


# -- data sources ---------------------------------------------------------------------------------

def _default_subnets(region: str) -> list[dict[str, Any]]:
    """The default VPC's subnets: one per zone, /20 blocks of 172.31.0.0/16, public IPs on launch."""
    result = []
    for index, zone in enumerate(zones(region)):
        subnet_id = f"subnet-{digest(f'default-subnet:{region}:{zone}', 17)}"
        result.append({
            "id": subnet_id,
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:subnet/{subnet_id}",
            "availabilityZone": zone,
            "availabilityZoneId": zone_id(region, zone),
            "cidrBlock": f"172.31.{index * 16}.0/20",
            "defaultForAz": True,
            "mapPublicIpOnLaunch": True,
            "vpcId": default_vpc_id(region),
            "ownerId": ACCOUNT,
            "state": "available",
            "availableIpAddressCount": 4091,
            "tags": {},
            "region": region,
        })
    return result


def default_vpc_id(region: str) -> str:
    return f"vpc-{digest(f'default-vpc:{region}', 17)}"


def _get_availability_zones(args: dict[str, Any], region: str) -> dict[str, Any]:
    excluded_names = set(args.get("excludeNames") or [])
    excluded_ids = set(args.get("excludeZoneIds") or [])
    names = [z for z in zones(region) if z not in excluded_names and zone_id(region, z) not in excluded_ids]
    return {
        "id": region, "names": names, "zoneIds": [zone_id(region, z) for z in names],
        "groupNames": [region], "state": args.get("state"), "region": region,
        "allAvailabilityZones": args.get("allAvailabilityZones"),
    }


def _get_region(args: dict[str, Any], region: str) -> dict[str, Any]:
    wanted = args.get("region") or args.get("name") or region
    return {"id": wanted, "name": wanted, "region": wanted, "endpoint": f"ec2.{wanted}.amazonaws.com",
            "description": wanted}


def _get_caller_identity(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": ACCOUNT, "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/preflight",
            "userId": "AIDA" + digest("caller", 17).upper()}


def _get_partition(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}


def _get_vpc_endpoint_service(args: dict[str, Any], region: str) -> dict[str, Any]:
    short = args.get("service")
    name = args.get("serviceName") or f"com.amazonaws.{region}.{short}"
    gateway = name.endswith((".s3", ".dynamodb")) and args.get("serviceType") != "Interface"
    return {
        "id": digest(name, 8), "service": short or name.rsplit(".", 1)[-1], "serviceName": name,
        "serviceId": f"vpce-svc-{digest(name, 17)}", "serviceType": "Gateway" if gateway else "Interface",
        "availabilityZones": zones(region), "acceptanceRequired": False, "managesVpcEndpoints": False,
        "owner": "amazon", "vpcEndpointPolicySupported": True, "privateDnsName": "" if gateway else name,
        "baseEndpointDnsNames": [name.replace("com.amazonaws.", "").replace(f"{region}.", "")
                                 + f".{region}.amazonaws.com"],
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:vpc-endpoint-service/vpce-svc-{digest(name, 17)}",
        "region": region, "supportedIpAddressTypes": ["ipv4"], "tags": {},
    }


def _get_policy_document(args: dict[str, Any], region: str) -> dict[str, Any]:
    document = policy_document(args)
    return {
        "id": digest(json.dumps(document, sort_keys=True), 10),
        "json": json.dumps(document, indent=2),
        "minifiedJson": json.dumps(document, separators=(",", ":")),
        "version": document["Version"],
        "statements": args.get("statements"),
    }


def policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """Render `aws.iam.get_policy_document` arguments as IAM JSON the way the provider does."""
    statements: list[dict[str, Any]] = []
    for source in args.get("sourcePolicyDocuments") or []:
        statements.extend(_as_list(json.loads(source).get("Statement")))
    by_sid = {s.get("Sid"): i for i, s in enumerate(statements) if s.get("Sid")}
    for raw in args.get("statements") or []:
        statement = _statement(raw)
        if statement.get("Sid") in by_sid:
            statements[by_sid[statement["Sid"]]] = statement
        else:
            statements.append(statement)
    for override in args.get("overridePolicyDocuments") or []:
        for statement in _as_list(json.loads(override).get("Statement")):
            index = next((i for i, s in enumerate(statements) if statement.get("Sid")
                          and s.get("Sid") == statement.get("Sid")), None)
            if index is None:
                statements.append(statement)
            else:
                statements[index] = statement
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    return document


def _statement(raw: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = {}
    if raw.get("sid"):
        statement["Sid"] = raw["sid"]
    statement["Effect"] = raw.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("notActions", "NotAction"),
                      ("resources", "Resource"), ("notResources", "NotResource")):
        if raw.get(key):
            statement[name] = _one_or_many(sorted(raw[key], key=str, reverse=True))
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if raw.get(key):
            statement[name] = _principals(raw[key])
    if raw.get("conditions"):
        conditions: dict[str, dict[str, Any]] = {}
        for condition in raw["conditions"]:
            conditions.setdefault(condition["test"], {})[condition["variable"]] = _one_or_many(condition["values"])
        statement["Condition"] = conditions
    return statement


def _principals(principals: list[dict[str, Any]]) -> Any:
    if len(principals) == 1 and principals[0]["type"] == "*" and principals[0]["identifiers"] == ["*"]:
        return "*"
    grouped: dict[str, list[str]] = {}
    for principal in principals:
        grouped.setdefault(principal["type"], []).extend(principal["identifiers"])
    return {kind: _one_or_many(sorted(ids, key=str)) for kind, ids in grouped.items()}


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


INVOKES: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _get_availability_zones,
    "aws:index/getRegion:getRegion": _get_region,
    "aws:index/getCallerIdentity:getCallerIdentity": _get_caller_identity,
    "aws:index/getPartition:getPartition": _get_partition,
    "aws:iam/getPolicyDocument:getPolicyDocument": _get_policy_document,
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": _get_vpc_endpoint_service,
}


# -- remote components ---------------------------------------------------------------------------

def remote_component(type_token: str, urn: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """Plausible outputs of a multi-language component whose children we cannot build offline."""
    if type_token == "awsx:ecr:Image":
        repository = str(inputs.get("repositoryUrl") or
                         f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{urn.rsplit('::', 1)[-1]}")
        return {"imageUri": f"{repository}@sha256:{digest('image:' + urn, 64)}"}
    if type_token == "awsx:ecr:Repository":
        name = urn.rsplit("::", 1)[-1].lower() + "-" + digest(urn, 7)
        return {"url": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{name}"}
    return {}
