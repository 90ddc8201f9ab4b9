"""IAM rules for the roles ECS tasks run with."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs

from . import _types as T
from ._policy import ADVISORY, CRITICAL, MANDATORY, MEDIUM, ReportViolation, Rule, config_schema, settings
from ._props import UNKNOWN, as_json, as_list, elements, peek
from ._stack import Stack

ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
ECS_TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"


def grants_admin(document: Any) -> Any:
    """True, False or UNKNOWN: does the policy document allow every action on every resource?"""
    document = as_json(document)
    if document is UNKNOWN:
        return UNKNOWN
    if not isinstance(document, Mapping):
        return False
    for statement in as_list(document.get("Statement")):
        if (
            isinstance(statement, Mapping)
            and statement.get("Effect") == "Allow"
            and "*" in as_list(statement.get("Action"))
            and "*" in as_list(statement.get("Resource"))
        ):
            return True
    return False


def _trusts_ecs_tasks(role: PolicyResource) -> bool:
    document = as_json(peek(role.props, "assumeRolePolicy"))
    if not isinstance(document, Mapping):
        return False
    for statement in as_list(document.get("Statement")):
        principal = statement.get("Principal") if isinstance(statement, Mapping) else None
        if isinstance(principal, Mapping) and ECS_TASKS_PRINCIPAL in as_list(principal.get("Service")):
            return True
    return False


def _task_roles(stack: Stack) -> dict[str, PolicyResource]:
    """Roles named as a task or execution role, and roles ECS tasks may assume."""
    roles: dict[str, PolicyResource] = {}
    # An Express Mode service names its task and execution roles itself.
    for task in stack.of_type(T.ECS_TASK_DEFINITION + T.ECS_EXPRESS_SERVICE):
        for key in ("taskRoleArn", "executionRoleArn"):
            for role in stack.refs(task, (key,), T.IAM_ROLE).resources:
                roles[role.urn] = role
    for role in stack.of_type(T.IAM_ROLE):
        if _trusts_ecs_tasks(role):
            roles[role.urn] = role
    return roles


def _attached(stack: Stack, role: PolicyResource) -> list[tuple]:
    """(where, policy ARN value, refs to policy resources) for each managed policy on the role."""
    found = []
    arns = elements(stack.given(role, "managedPolicyArns"))
    found.append(
        (f"role {role.name!r} managedPolicyArns", arns, stack.refs(role, ("managedPolicyArns",), T.IAM_POLICY))
    )
    for types, role_path, arn_key in (
        (T.IAM_ROLE_POLICY_ATTACHMENT, ("role",), "policyArn"),
        (T.IAM_POLICY_ATTACHMENT, ("roles",), "policyArn"),
        (T.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, ("roleName",), "policyArns"),
    ):
        # The attachments of these types that name the role, in stack order.
        for attachment in stack.referring(types, role_path, T.IAM_ROLE).get(role, ()):
            found.append(
                (
                    f"attachment {attachment.name!r}",
                    elements(peek(attachment.props, arn_key)),
                    stack.refs(attachment, (arn_key,), T.IAM_POLICY),
                )
            )
    return found


def _documents(stack: Stack, role: PolicyResource) -> list[tuple]:
    """(where, policy document) for each inline policy of the role."""
    documents = []
    inline = elements(stack.given(role, "inlinePolicies"))
    for entry in [UNKNOWN] if inline is UNKNOWN else inline:
        document = peek(entry, "policy") if entry is not UNKNOWN else UNKNOWN
        documents.append((f"role {role.name!r} inline policy", document))
    for role_policy in stack.referring(T.IAM_ROLE_POLICY, ("role",), T.IAM_ROLE).get(role, ()):
        documents.append((f"role policy {role_policy.name!r}", peek(role_policy.props, "policy")))
    return documents


def iam_no_admin_task_role(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Task and execution roles (of task definitions and Express Mode services) carry no statement allowing every action ("*") on every resource ("*"), inline, in
    attached policies of the stack, or through AdministratorAccess.

    Prevents: a compromised container (or a bug in it) controlling the whole AWS
    account with the task's credentials.

    Mirrors: AWS Config iam-policy-no-statements-with-admin-access; Security Hub IAM.1;
    Checkov CKV_AWS_62 / CKV_AWS_63 / CKV_AWS_274.
    """
    stack = Stack.of(args.resources)
    roles = _task_roles(stack)
    if not roles:
        args.not_applicable("no IAM role of this stack is a task or execution role")
    unjudged = []
    for role in roles.values():
        reasons, unknown = [], False
        for where, document in _documents(stack, role):
            verdict = grants_admin(document)
            unknown |= verdict is UNKNOWN
            if verdict is True:
                reasons.append(f"{where} allows * on *")
        for where, arns, policies in _attached(stack, role):
            unknown |= arns is UNKNOWN or UNKNOWN in arns
            for arn in [] if arns is UNKNOWN else arns:
                if isinstance(arn, str) and ADMINISTRATOR_ACCESS.match(arn):
                    reasons.append(f"{where} attaches AdministratorAccess")
            for policy in policies.resources:
                verdict = grants_admin(peek(policy.props, "policy"))
                unknown |= verdict is UNKNOWN
                if verdict is True:
                    reasons.append(f"{where} attaches policy {policy.name!r}, which allows * on *")
        if reasons:
            report_violation(f"Role {role.name!r}, which ECS tasks run with: " + "; ".join(reasons) + ".", role.urn)
        elif unknown:
            unjudged.append(f"role {role.name!r} (a policy document is unknown)")
    not_applicable_if_none_judged(args, unjudged, len(roles))


# -- iam-no-wildcard-actions ------------------------------------------------------------------

SERVICE_WILDCARD = re.compile(r"^[A-Za-z0-9-]+:\*$")


def wildcard_actions(document: Any) -> Any:
    """The `*` and `service:*` actions the document's Allow statements grant (a statement granting `*` on
    every resource left out: that is an administrator, iam-no-admin-task-role's finding); UNKNOWN if unknown."""
    document = as_json(document)
    if document is UNKNOWN:
        return UNKNOWN
    found: list[str] = []
    if not isinstance(document, Mapping):
        return found
    for statement in as_list(document.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
        if "*" in actions and "*" in as_list(statement.get("Resource")):
            continue
        found.extend(a for a in actions if (a == "*" or SERVICE_WILDCARD.match(a)) and a not in found)
    return found


def _workload_roles(stack: Stack) -> dict[str, tuple[PolicyResource, set]]:
    """Roles a task definition or Express service runs with, or a scheduler schedule starts tasks with."""
    roles: dict[str, tuple[PolicyResource, set]] = {}
    for user in stack.of_type(T.ECS_TASK_DEFINITION + T.ECS_EXPRESS_SERVICE):
        for key, kind in (("taskRoleArn", "task role"), ("executionRoleArn", "execution role")):
            for role in stack.refs(user, (key,), T.IAM_ROLE).resources:
                roles.setdefault(role.urn, (role, set()))[1].add(f"{kind} of {user.name!r}")
    for schedule in stack.of_type(T.SCHEDULER_SCHEDULE):
        for role in stack.refs(schedule, ("target", "roleArn"), T.IAM_ROLE).resources:
            roles.setdefault(role.urn, (role, set()))[1].add(f"role of schedule {schedule.name!r}")
    return roles


def _policy_documents(stack: Stack, role: PolicyResource) -> list[tuple[str, Any]]:
    """(where, document) for each inline policy of the role and each policy of the stack attached to it."""
    documents = _documents(stack, role)
    for where, _, policies in _attached(stack, role):
        documents.extend((f"{where} policy {p.name!r}", peek(p.props, "policy")) for p in policies.resources)
    return documents


def document_findings(
    stack: Stack, role: PolicyResource, find: Callable[[Any], Any], phrase: Callable[[list[str]], str]
) -> tuple[list[str], bool]:
    """`<where> allows <phrase of what find found>` for each policy document of the role (inline,
    or a policy of the stack attached to it) where `find` (a list, or UNKNOWN) found something, and
    whether a document was unknown."""
    found, unknown = [], False
    for where, document in _policy_documents(stack, role):
        result = find(document)
        if result is UNKNOWN:
            unknown = True
        elif result:
            found.append(f"{where} allows {phrase(result)}")
    return found, unknown


def not_applicable_if_none_judged(args: StackValidationArgs, unjudged: list[str], roles: int) -> None:
    """A rule that could judge none of its `roles` says which and why; one judged is enough to answer."""
    if unjudged and len(unjudged) == roles:
        args.not_applicable("could not judge " + "; ".join(unjudged))


def iam_no_wildcard_actions(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Roles that tasks or scheduler schedules run with grant no `*` or `service:*` action (`s3:*`), inline or in
    a policy of the stack attached to them.

    Prevents: a task that needs to read one bucket able to delete it, change its policy or
    read every other bucket, because its role grants every action of the service.

    Mirrors: cdk-nag AwsSolutions-IAM5; Security Hub IAM.21; AWS Config
    iam-policy-no-statements-with-full-access; Checkov CKV_AWS_290 / CKV_AWS_355.
    """
    stack = Stack.of(args.resources)
    roles = _workload_roles(stack)
    if not roles:
        args.not_applicable("no task definition or schedule names a role of this stack")
        return
    unjudged = []
    for role, uses in roles.values():
        found, unknown = document_findings(stack, role, wildcard_actions, ", ".join)
        if found:
            report_violation(
                f"Role {role.name!r} ({', '.join(sorted(uses))}): {'; '.join(found)}; name the actions it needs.",
                role.urn,
            )
        elif unknown:
            unjudged.append(f"role {role.name!r} (a policy document is unknown)")
    not_applicable_if_none_judged(args, unjudged, len(roles))


RULES = [
    Rule("iam-no-admin-task-role", MANDATORY, iam_no_admin_task_role, severity=CRITICAL),
    Rule("iam-no-wildcard-actions", ADVISORY, iam_no_wildcard_actions, severity=MEDIUM),
]


# -- iam-no-managed-policy-on-task-roles -----------------------------------------------

AWS_MANAGED_POLICY = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(.+)$")
MANAGED_POLICY_CONFIG = config_schema(
    allowedManagedPolicies={
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": "AWS-managed policies a task or execution role may carry: "
        "an ARN in any partition, the path and name after 'policy/' "
        "(service-role/AmazonECSTaskExecutionRolePolicy) or the name alone.",
    },
)


def _allowed(path_and_name: str, allowed: list[str]) -> bool:
    for entry in allowed:
        match = AWS_MANAGED_POLICY.match(entry)
        entry = match.group(1) if match else entry
        if entry in (path_and_name, path_and_name.rsplit("/", 1)[-1]):
            return True
    return False


def iam_no_managed_policy_on_task_roles(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Roles a task definition names as task or execution role carry no AWS-managed policy
    (arn:aws:iam::aws:policy/...) other than those the policy config allows.

    Prevents: grants sized for every customer instead of this task. The usual one,
    AmazonECSTaskExecutionRolePolicy, pulls from every ECR repository and writes to
    every log group of the account; an inline policy scoped to the service's own
    repository, log group and secrets does the same job.

    Mirrors: cdk-nag AwsSolutions-IAM4; AWS Config iam-policy-blacklisted-check
    (with the AWS-managed policies listed).
    """
    stack = Stack.of(args.resources)
    allowed = list(settings(args, MANAGED_POLICY_CONFIG)["allowedManagedPolicies"])
    roles: dict[str, tuple] = {}
    for task in stack.of_type(T.ECS_TASK_DEFINITION):
        for key, kind in (("taskRoleArn", "task role"), ("executionRoleArn", "execution role")):
            for role in stack.refs(task, (key,), T.IAM_ROLE).resources:
                roles.setdefault(role.urn, (role, set()))[1].add(f"{kind} of {task.name!r}")
    if not roles:
        args.not_applicable("no task definition names a task or execution role of this stack")
    unjudged = []
    for role, uses in roles.values():
        found, unknown = [], False
        for where, arns, policies in _attached(stack, role):
            if arns is UNKNOWN:
                # Unknown ARNs from policies of this stack are customer managed; others can't be told.
                unknown |= not policies.resources
                continue
            for arn in arns:
                if arn is UNKNOWN:
                    unknown |= not policies.resources
                    continue
                match = AWS_MANAGED_POLICY.match(arn) if isinstance(arn, str) else None
                if match and not _allowed(match.group(1), allowed):
                    found.append(f"{arn} ({where})")
        if found:
            report_violation(
                f"Role {role.name!r} ({', '.join(sorted(uses))}) carries AWS-managed "
                f"{'policy' if len(found) == 1 else 'policies'} {', '.join(found)}; grant what the task needs "
                "in an inline or customer managed policy, or allow it in allowedManagedPolicies.",
                role.urn,
            )
        elif unknown:
            unjudged.append(f"role {role.name!r} (a policy ARN is unknown)")
    not_applicable_if_none_judged(args, unjudged, len(roles))


NO_MANAGED_POLICY_ON_TASK_ROLES = Rule(
    "iam-no-managed-policy-on-task-roles",
    ADVISORY,
    iam_no_managed_policy_on_task_roles,
    config=MANAGED_POLICY_CONFIG,
    severity=MEDIUM,
)
