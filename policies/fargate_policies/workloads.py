"""Rules for what the workload kinds add: a worker's queue, a job's schedule and its role."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs

from . import _types as T
from ._policy import ADVISORY, HIGH, MANDATORY, MEDIUM, ReportViolation, Rule
from ._props import UNKNOWN, as_bool, as_json, as_list, peek
from ._stack import Stack
from .iam import document_findings, not_applicable_if_none_judged

# What a schedule's role must never hold on every resource: it could start any task
# definition of the account, and hand any role to it.
_SCHEDULER_ACTIONS = ("ecs:RunTask", "iam:PassRole")


def sqs_encryption(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """SQS queues are encrypted at rest: SSE-SQS (`sqsManagedSseEnabled`) or a KMS key (`kmsMasterKeyId`).

    Prevents: messages (a worker's jobs, often with customer data in them) stored in plain
    text; a queue created with `sqsManagedSseEnabled: false` and no key is the only way to
    get one, since SQS encrypts new queues with SSE-SQS unless told otherwise.

    Mirrors: Security Hub SQS.1; Checkov CKV_AWS_27; cdk-nag AwsSolutions-SQS2.
    """
    managed = as_bool(peek(args.props, "sqsManagedSseEnabled"))
    key = peek(args.props, "kmsMasterKeyId")
    if managed is False and not key:
        report_violation("Queue is not encrypted: set sqsManagedSseEnabled: true (or kmsMasterKeyId).")


def _wildcard_grants(document: Any) -> Any:
    """The scheduler actions the document allows on every resource ("*"); UNKNOWN if unknown."""
    document = as_json(document)
    if document is UNKNOWN:
        return UNKNOWN
    found: list[str] = []
    for statement in as_list(document.get("Statement")) if isinstance(document, Mapping) else []:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if "*" not in as_list(statement.get("Resource")):
            continue
        patterns = [a.lower() for a in as_list(statement.get("Action")) if isinstance(a, str)]
        found += [
            action
            for action in _SCHEDULER_ACTIONS
            if action not in found and any(fnmatchcase(action.lower(), p) for p in patterns)
        ]
    return found


def _schedule_roles(stack: Stack) -> dict[str, tuple[PolicyResource, list[str]]]:
    """role URN -> (role, the schedules that start ECS tasks with it)."""
    roles: dict[str, tuple[PolicyResource, list[str]]] = {}
    for schedule in stack.of_type(T.SCHEDULER_SCHEDULE):
        if peek(schedule.props, "target", "ecsParameters") is None:
            continue
        for role in stack.refs(schedule, ("target", "roleArn"), T.IAM_ROLE).resources:
            roles.setdefault(role.urn, (role, []))[1].append(schedule.name)
    return roles


def scheduler_role_least_privilege(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """The role an EventBridge Scheduler schedule starts ECS tasks with allows `ecs:RunTask` and `iam:PassRole` on
    named resources only (a task family, the task's roles), never on `*`, inline or in a policy of the stack
    attached to it.

    Prevents: a schedule (or whoever may edit it) that runs any task definition of the account
    in any cluster, with any role passed to it: a role-escalation path from "edit a schedule"
    to "run code as any role".

    Mirrors: none (cdk-nag AwsSolutions-IAM5 and Checkov CKV_AWS_355 flag any `*` resource,
    not the two actions that make a scheduler role dangerous).
    """
    stack = Stack.of(args.resources)
    roles = _schedule_roles(stack)
    if not roles:
        args.not_applicable("no EventBridge Scheduler schedule of this stack starts ECS tasks with a role of it")
    unjudged = []
    for role, schedules in roles.values():
        reasons, unknown = document_findings(
            stack, role, _wildcard_grants, lambda grants: f"{' and '.join(grants)} on *"
        )
        if reasons:
            report_violation(
                f"Role {role.name!r}, which schedule(s) {', '.join(map(repr, schedules))} run tasks with: "
                + "; ".join(reasons)
                + ". Grant ecs:RunTask on the task family (arn:...:task-definition/<family>:*) and iam:PassRole "
                "on the task's execution and task roles.",
                role.urn,
            )
        elif unknown:
            unjudged.append(f"role {role.name!r} (a policy document is unknown)")
    not_applicable_if_none_judged(args, unjudged, len(roles))


RULES = [
    Rule("sqs-encryption", ADVISORY, sqs_encryption, T.SQS_QUEUE, severity=MEDIUM),
    Rule("scheduler-role-least-privilege", MANDATORY, scheduler_role_least_privilege, severity=HIGH),
]
