"""The AWS data sources answered from the region alone: zones, region, caller, partition, VPC
endpoint services, and IAM policy documents rendered as the provider renders them.

The look-ups that must agree with one another within a run (VPCs, subnets, load balancers, ...)
are answered by `preflight.invokes.DataSources`, which falls back to `INVOKES` here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .names import ACCOUNT, digest, zone_id, zones


def _get_availability_zones(args: dict[str, Any], region: str) -> dict[str, Any]:
    excluded_names = set(args.get("excludeNames") or [])
    excluded_ids = set(args.get("excludeZoneIds") or [])
    names = [z for z in zones(region) if z not in excluded_names and zone_id(region, z) not in excluded_ids]
    return {
        "id": region,
        "names": names,
        "zoneIds": [zone_id(region, z) for z in names],
        "groupNames": [region],
        "state": args.get("state"),
        "region": region,
        "allAvailabilityZones": args.get("allAvailabilityZones"),
    }


def _get_region(args: dict[str, Any], region: str) -> dict[str, Any]:
    wanted = args.get("region") or args.get("name") or region
    return {
        "id": wanted,
        "name": wanted,
        "region": wanted,
        "endpoint": f"ec2.{wanted}.amazonaws.com",
        "description": wanted,
    }


def _get_caller_identity(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "id": ACCOUNT,
        "accountId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:user/preflight",
        "userId": "AIDA" + digest("caller", 17).upper(),
    }


def _get_partition(args: dict[str, Any], region: str) -> dict[str, Any]:
    return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws"}


def _get_vpc_endpoint_service(args: dict[str, Any], region: str) -> dict[str, Any]:
    short = args.get("service")
    name = args.get("serviceName") or f"com.amazonaws.{region}.{short}"
    gateway = name.endswith((".s3", ".dynamodb")) and args.get("serviceType") != "Interface"
    return {
        "id": digest(name, 8),
        "service": short or name.rsplit(".", 1)[-1],
        "serviceName": name,
        "serviceId": f"vpce-svc-{digest(name, 17)}",
        "serviceType": "Gateway" if gateway else "Interface",
        "availabilityZones": zones(region),
        "acceptanceRequired": False,
        "managesVpcEndpoints": False,
        "owner": "amazon",
        "vpcEndpointPolicySupported": True,
        "privateDnsName": "" if gateway else name,
        "baseEndpointDnsNames": [
            name.replace("com.amazonaws.", "").replace(f"{region}.", "") + f".{region}.amazonaws.com"
        ],
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:vpc-endpoint-service/vpce-svc-{digest(name, 17)}",
        "region": region,
        "supportedIpAddressTypes": ["ipv4"],
        "tags": {},
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
            index = next(
                (i for i, s in enumerate(statements) if statement.get("Sid") and s.get("Sid") == statement.get("Sid")),
                None,
            )
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
    for key, name in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
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
