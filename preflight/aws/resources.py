"""The provider's side of a new AWS resource: its id and the outputs AWS computes, shaped like AWS's.

`create` returns what the provider would add to a resource's inputs; during a preview the caller
turns those into unknowns, because a real preview of a new stack does not know them either.
One handler per resource type makes the values; any other type gets an id and an ARN in its
service's usual shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from .names import ACCOUNT, alb_zone_id, digest, digits, zone_id, zones


@dataclass
class Created:
    """What the provider adds to a resource: its id and the computed outputs."""

    id: str
    outputs: dict[str, Any]


def create(
    type_token: str, urn: str, inputs: dict[str, Any], region: str, default_tags: Optional[dict[str, Any]] = None
) -> Created:
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
    "id": ctx.get("name"),
    "arn": ctx.arn("ssm", f"parameter/{str(ctx.get('name')).lstrip('/')}"),
    "version": 1,
}
_HANDLERS["aws:secretsmanager/secret:Secret"] = _named_by_arn(
    "secretsmanager", lambda ctx: f"secret:{ctx.get('name')}-{ctx.hex(6)}"
)


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
        outputs["dnsEntries"] = [
            {
                "dnsName": f"{endpoint_id}-{ctx.hex(8, 'dns')}.{short}.{ctx.region}.vpce.amazonaws.com",
                "hostedZoneId": "Z" + ctx.hex(13, "zone").upper(),
            }
        ]
        outputs["networkInterfaceIds"] = [
            ctx.aws_id(f"eni{i}").replace(f"eni{i}-", "eni-") for i, _ in enumerate(ctx.get("subnetIds") or [])
        ]
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


@_handles(
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)
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
        "zoneId": alb_zone_id(ctx.region),
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
    return {
        "id": name,
        "arn": ctx.arn("iam", f"instance-profile/{name}", regional=False),
        "uniqueId": "AIPA" + ctx.hex(17).upper(),
    }


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
_RDS_PORTS = {
    "postgres": 5432,
    "aurora-postgresql": 5432,
    "mysql": 3306,
    "mariadb": 3306,
    "aurora-mysql": 3306,
    "aurora": 3306,
    "oracle": 1521,
    "sqlserver": 1433,
    "db2": 50000,
}


@_handles("aws:rds/instance:Instance", "aws:rds/cluster:Cluster")
def _rds(ctx: _Context) -> dict[str, Any]:
    engine = str(ctx.get("engine", "postgres"))
    given = ctx.get("port")
    # A port that is no number is an unknown input's placeholder: the port (and endpoint) carry it.
    port = (
        given
        if isinstance(given, str) and not given.isdigit()
        else int(given or next((p for prefix, p in _RDS_PORTS.items() if engine.startswith(prefix)), 5432))
    )
    identifier = str(
        ctx.get("identifier") or ctx.get("clusterIdentifier") or (ctx.get("identifierPrefix") or "db-") + ctx.hex(12)
    )
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
    return {
        "id": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
        "arn": ctx.arn("sqs", str(name)),
        "url": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
    }


@_handles("aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace")
def _dns_namespace(ctx: _Context) -> dict[str, Any]:
    namespace_id = "ns-" + ctx.hex(16)
    return {
        "id": namespace_id,
        "arn": ctx.arn("servicediscovery", f"namespace/{namespace_id}"),
        "hostedZone": "Z" + ctx.hex(20).upper(),
    }


@_handles("aws:servicediscovery/service:Service")
def _discovery_service(ctx: _Context) -> dict[str, Any]:
    service_id = "srv-" + ctx.hex(16)
    return {"id": service_id, "arn": ctx.arn("servicediscovery", f"service/{service_id}")}


@_handles("aws:acm/certificate:Certificate")
def _certificate(ctx: _Context) -> dict[str, Any]:
    """A DNS-validated certificate: one CNAME per name, the same for a name and its wildcard (as ACM)."""
    arn = ctx.arn("acm", f"certificate/{_uuid(ctx.hex(32))}")
    alternatives = ctx.get("subjectAlternativeNames", [])
    names = [ctx.get("domainName", "example.com"), *(alternatives if isinstance(alternatives, list) else [])]
    options = []
    for name in dict.fromkeys(names):
        proven = str(name).removeprefix("*.")
        token = digest(f"{ctx.urn}:{proven}", 32)
        options.append(
            {
                "domainName": name,
                "resourceRecordName": f"_{token}.{proven}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{digest(token, 32)}.{digest(token, 10)}.acm-validations.aws.",
            }
        )
    return {"id": arn, "arn": arn, "domainValidationOptions": options, "status": "PENDING_VALIDATION"}


@_handles("aws:route53/record:Record")
def _record(ctx: _Context) -> dict[str, Any]:
    name = str(ctx.get("name", "")).removesuffix(".")
    return {"id": f"{ctx.get('zoneId')}_{name}_{ctx.get('type')}", "fqdn": name}


@_handles("aws:wafv2/webAcl:WebAcl")
def _web_acl(ctx: _Context) -> dict[str, Any]:
    acl_id = _uuid(ctx.hex(32))
    scope = "global" if ctx.get("scope") == "CLOUDFRONT" else "regional"
    return {"id": acl_id, "arn": ctx.arn("wafv2", f"{scope}/webacl/{ctx.get('name', 'acl')}/{acl_id}")}


@_handles("aws:efs/fileSystem:FileSystem")
def _file_system(ctx: _Context) -> dict[str, Any]:
    file_system_id = ctx.aws_id("fs")
    return {
        "id": file_system_id,
        "arn": ctx.arn("elasticfilesystem", f"file-system/{file_system_id}"),
        "dnsName": f"{file_system_id}.efs.{ctx.region}.amazonaws.com",
        "ownerId": ctx.account,
    }


@_handles("aws:efs/accessPoint:AccessPoint")
def _access_point(ctx: _Context) -> dict[str, Any]:
    access_point_id = ctx.aws_id("fsap")
    return {
        "id": access_point_id,
        "arn": ctx.arn("elasticfilesystem", f"access-point/{access_point_id}"),
        "fileSystemArn": ctx.arn("elasticfilesystem", f"file-system/{ctx.get('fileSystemId')}"),
        "ownerId": ctx.account,
    }


@_handles("aws:efs/mountTarget:MountTarget")
def _mount_target(ctx: _Context) -> dict[str, Any]:
    return {"id": ctx.aws_id("fsmt"), "networkInterfaceId": ctx.aws_id("eni")}


def _uuid(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:32]}"


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
    tags = inputs.get("tags")
    # An Auto Scaling group's `tags` are a list of {key, value, propagateAtLaunch}, not a map.
    merged.update(tags if isinstance(tags, dict) else {})
    return merged


def handled() -> frozenset[str]:
    """The resource types with a stand-in of their own (the others get `_generic`'s outputs)."""
    return frozenset(_HANDLERS)
