"""IAM documents the components write: one shape for a statement, a policy and a trust policy.

Statements are plain dicts (``json.dumps`` or ``Output.json_dumps`` turn them
into the document), keys always in IAM's documented order, so a document
reads the same wherever it was built.
"""

from __future__ import annotations

from typing import Any, Optional, Union

import pulumi

POLICY_VERSION = "2012-10-17"

Resources = Union[pulumi.Input[str], list[Any]]


def statement(
    *,
    actions: Union[str, list[str]],
    resources: Optional[Resources] = None,
    sid: Optional[str] = None,
    principal_service: Optional[str] = None,
    condition: Optional[dict[str, Any]] = None,
) -> dict[str, Any]:
    """An Allow statement: ``Sid``, ``Effect``, ``Principal``, ``Action``, ``Resource``, ``Condition``."""
    allow: dict[str, Any] = {} if sid is None else {"Sid": sid}
    allow["Effect"] = "Allow"
    if principal_service is not None:
        allow["Principal"] = {"Service": principal_service}
    allow["Action"] = actions
    if resources is not None:
        allow["Resource"] = resources
    if condition is not None:
        allow["Condition"] = condition
    return allow


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": list(statements)}


def trust_policy(service: str, source_account: Optional[pulumi.Input[str]] = None) -> pulumi.Output[str]:
    """A role ``service`` may assume; with ``source_account``, only on that account's
    behalf (confused-deputy protection)."""
    condition = None if source_account is None else {"StringEquals": {"aws:SourceAccount": source_account}}
    return pulumi.Output.json_dumps(
        policy(statement(principal_service=service, actions="sts:AssumeRole", condition=condition))
    )
