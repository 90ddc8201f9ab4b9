"""The names and ids AWS would give: the account, the region's zones, the default VPC, auto-names.

Every value is derived from a seed (a resource's URN, a region), so two runs of the same program
give the same ids and two stacks never collide. The provider's `Check` picks a resource's
auto-name and fills in its schema defaults before the preview, so those are known in both modes;
everything else AWS assigns on creation (see `resources.py`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import OfflineGap

ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"

# The zones a default account sees. Regions not listed get a, b and c.
_ZONE_LETTERS = {"us-east-1": "abcdef", "us-west-2": "abcd", "ap-northeast-1": "acd"}
_ZONE_ID_PREFIX = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-1": "usw1",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-west-2": "euw2",
    "eu-central-1": "euc1",
    "ap-northeast-1": "apne1",
    "ap-southeast-1": "apse1",
    "ap-southeast-2": "apse2",
}
# Route 53 hosted zone of the ALBs in a region (what `aws.lb.LoadBalancer.zone_id` reports).
_ALB_ZONE = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}
DEFAULT_VPC_CIDR = "172.31.0.0/16"


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
    letter = zone[-1:]
    if not letter or letter not in "abcdef":
        # Not a zone name (an unknown input's placeholder): the id carries it, so it stays unknown.
        return f"{prefix}-{zone}"
    return f"{prefix}-az{'abcdef'.index(letter) + 1}"


def alb_zone_id(region: str) -> str:
    """The Route 53 hosted zone of the region's ALBs."""
    return _ALB_ZONE.get(region, "Z35SXDOTRQ7X7K")


# -- the default VPC ------------------------------------------------------------------------------


def default_vpc_id(region: str) -> str:
    return f"vpc-{digest(f'default-vpc:{region}', 17)}"


def default_subnets(region: str) -> list[dict[str, Any]]:
    """The default VPC's subnets: one per zone, /20 blocks of 172.31.0.0/16, public IPs on launch."""
    result = []
    for index, zone in enumerate(zones(region)):
        subnet_id = f"subnet-{digest(f'default-subnet:{region}:{zone}', 17)}"
        result.append(
            {
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
            }
        )
    return result


# -- what the provider's Check adds ---------------------------------------------------------------

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
    "aws:cloudwatch/eventRule:EventRule": ("name", 64, False),
    "aws:scheduler/schedule:Schedule": ("name", 64, False),
    "aws:scheduler/scheduleGroup:ScheduleGroup": ("name", 64, False),
    "aws:sfn/stateMachine:StateMachine": ("name", 80, False),
}

# Schema defaults the provider's Check fills in, so the engine (and the policy pack) sees them
# among the inputs even when the program leaves them out.
CHECK_DEFAULTS: dict[str, dict[str, Any]] = {
    "aws:lb/loadBalancer:LoadBalancer": {
        "loadBalancerType": "application",
        "idleTimeout": 60,
        "enableDeletionProtection": False,
        "dropInvalidHeaderFields": False,
    },
    "aws:lb/targetGroup:TargetGroup": {"targetType": "instance"},
    "aws:ecs/service:Service": {
        "schedulingStrategy": "REPLICA",
        "enableEcsManagedTags": False,
        "waitForSteadyState": False,
    },
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
