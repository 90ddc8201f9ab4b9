"""What to do about each rule's finding: the steps a person takes (`STEPS`, the policy's
`remediation_steps`), and for the rules whose fix is one property with one right value, the fix
itself (`FIXES`), which pulumi-policy applies when the rule's level is `remediate`. Only resource
rules can have one (pulumi-policy remediates one resource at a time): `ecr-image-scanning`, a
stack rule because registry scanning covers every repository, gives steps only.

A fix runs only on a resource its rule flags and does not exempt (`_policy.Remediation` asks the
rule first); it sets the property on the resource's inputs and returns them, as pulumi-policy's
`remediate` callback does. A rule may also give its steps in a `Fix:` docstring paragraph,
which wins over `STEPS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any, Optional, cast

from pulumi_policy import ResourceValidationArgs

from . import _types as T
from ._policy import settings
from ._props import get, get_list
from .logs import RETENTION_CONFIG

Fix = Callable[[ResourceValidationArgs], Optional[Mapping[str, Any]]]


def _with(args: ResourceValidationArgs, key: str, value: Any) -> Mapping[str, Any]:
    """The resource's inputs with `key` set to `value` (the SDK's proxy writes through)."""
    props = cast(MutableMapping[str, Any], args.props)
    props[key] = value
    return props


def drop_invalid_headers(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """Sets dropInvalidHeaderFields: true."""
    return _with(args, "dropInvalidHeaderFields", True)


def desync_mitigation(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """Sets desyncMitigationMode: defensive (AWS's default)."""
    return _with(args, "desyncMitigationMode", "defensive")


def container_insights(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """Sets the cluster's containerInsights setting to enabled (other settings kept)."""
    kept = [
        dict(setting)
        for setting in get_list(args.props, "settings")
        if isinstance(setting, Mapping) and get(setting, "name") != "containerInsights"
    ]
    return _with(args, "settings", [*kept, {"name": "containerInsights", "value": "enabled"}])


def log_retention(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """Sets retentionInDays to the rule's configured minimum."""
    return _with(args, "retentionInDays", settings(args, RETENTION_CONFIG)["minimumRetentionDays"])


def circuit_breaker(args: ResourceValidationArgs) -> Mapping[str, Any]:
    """Sets deploymentCircuitBreaker {enable: true, rollback: true}."""
    return _with(args, "deploymentCircuitBreaker", {"enable": True, "rollback": True})


def _only(types: Sequence[str], fix: Fix) -> Fix:
    """`fix` on the one type it knows how to fix: a rule that also judges other types (log retention
    judges task definitions' awslogs-create-group too) leaves those to a person."""

    def fix_of_type(args: ResourceValidationArgs) -> Optional[Mapping[str, Any]]:
        return fix(args) if args.resource_type in types else None

    fix_of_type.__doc__ = fix.__doc__
    return fix_of_type


FIXES: dict[str, Fix] = {
    "alb-drop-invalid-headers": _only(T.LOAD_BALANCER, drop_invalid_headers),
    "alb-desync-mitigation": _only(T.LOAD_BALANCER, desync_mitigation),
    "ecs-container-insights": _only(T.ECS_CLUSTER, container_insights),
    "cloudwatch-log-retention": _only(T.LOG_GROUP, log_retention),
    "ecs-circuit-breaker": _only(T.ECS_SERVICE, circuit_breaker),
}

_AUTOMATIC = " Or set the rule's level to `remediate`, and the pack sets it."

STEPS: dict[str, str] = {
    "fargate-awsvpc-network-mode": "Set networkMode: awsvpc on the task definition.",
    "fargate-task-size": "Pick a cpu/memory pair Fargate offers (docs/configuration.md lists them).",
    "ecs-no-plaintext-secrets": "Move the value to Secrets Manager or SSM and reference it from the container's "
    "`secrets` (or mark it a Pulumi secret); take it out of `environment`.",
    "ecs-nonprivileged": "Remove privileged: true from the container definition.",
    "ecs-readonly-root-filesystem": "Set readonlyRootFilesystem: true and mount a volume where the app writes.",
    "ecs-nonroot-user": "Set the container's `user` to a non-root UID (or name) the image has.",
    "ecs-log-configuration": "Give each container a logConfiguration (awslogs to a log group with retention).",
    "ecs-container-insights": "Add the cluster setting containerInsights: enabled." + _AUTOMATIC,
    "ecs-circuit-breaker": "Set deploymentCircuitBreaker {enable: true, rollback: true} on the service." + _AUTOMATIC,
    "ecs-latest-platform-version": "Set platformVersion: LATEST (or the configured latest version).",
    "fargate-min-two-subnets": "Give the service subnets in at least two Availability Zones.",
    "fargate-ingress-from-load-balancer": "Allow the container port on the task security group from the load "
    "balancer's security group.",
    "fargate-ingress-by-security-group": "Replace CIDR ingress on the task security group with a rule naming the "
    "load balancer's security group.",
    "fargate-image-pull-path": "Give private subnets a NAT gateway or ECR (api, dkr), S3 and Logs endpoints; or "
    "assign a public IP in public subnets.",
    "ecs-no-public-task-ingress": "Remove the 0.0.0.0/0 (::/0) ingress from the task security group; let the load "
    "balancer's group in instead.",
    "alb-https-redirect": "Make the HTTP listener redirect to HTTPS (status HTTP_301).",
    "alb-tls-policy": "Set the HTTPS listener's sslPolicy to a TLS 1.2+ policy (ELBSecurityPolicy-TLS13-1-2-2021-06).",
    "alb-drop-invalid-headers": "Set dropInvalidHeaderFields: true on the load balancer." + _AUTOMATIC,
    "alb-desync-mitigation": "Set desyncMitigationMode to defensive or strictest." + _AUTOMATIC,
    "alb-access-logs": "Set accessLogs {bucket, enabled: true} with a bucket the ELB account may write to.",
    "alb-deletion-protection": "Set enableDeletionProtection: true (prod), or exempt the stack's load balancer.",
    "fargate-target-group-ip": "Set the target group's targetType: ip.",
    "iam-no-admin-task-role": "Replace Action * / Resource * with the actions and ARNs the task uses.",
    "autoscaling-bounds": "Set minCapacity >= 1 and maxCapacity >= minCapacity, and targets in range.",
    "cloudwatch-log-retention": "Set retentionInDays (at least the configured minimum)." + _AUTOMATIC,
    "iam-no-managed-policy-on-task-roles": "Replace the managed policy with an inline policy of the actions and "
    "ARNs the task uses.",
    "vpc-flow-logs": "Add an aws.ec2.FlowLog for the VPC (to CloudWatch Logs or S3).",
    "ecr-image-scanning": "Set imageScanningConfiguration {scanOnPush: true} on the repository, or add an "
    "ecr.RegistryScanningConfiguration with a rule.",
    "ecr-immutable-tags": "Set imageTagMutability: IMMUTABLE and push each build under a new tag.",
    "ecs-no-host-pid-mode": "Remove pidMode: host from the task definition (Fargate accepts only task).",
    "ecs-load-balancer-container-port": "Make the service's loadBalancers entry name a container and port the task "
    "definition has.",
    "ecs-target-group-attached": "Forward to the target group from a listener's default action or a listener rule.",
    "alb-listener-rule-priority-unique": "Give each rule of the listener its own priority.",
    "alb-waf": "Associate a WAF web ACL with the load balancer (wafv2.WebAclAssociation).",
    "iam-no-wildcard-actions": "List the actions the task calls instead of `*` or `service:*`.",
    "ecs-deployment-rollback": "Set the service's alarms {enable: true, rollback: true, alarmNames}, or "
    "deploymentCircuitBreaker {enable: true, rollback: true}.",
    "sqs-encryption": "Set sqsManagedSseEnabled: true, or kmsMasterKeyId to a KMS key.",
    "scheduler-role-least-privilege": "Name the task definition family in ecs:RunTask and the task's roles in "
    "iam:PassRole instead of `*`.",
    "ec2-no-open-admin-ports": "Remove the 0.0.0.0/0 (::/0) rule on 22/3389; reach tasks through ECS Exec or SSM.",
}
