"""Reading the stack's config from Pulumi, and parsing it into a model with one clear error.

Nothing here knows the models: ``stack.py`` parses ``fargate:*`` into
``StackConfig`` through ``parse_config``. pulumi is imported by the functions
that talk to it, not by the module: the schema is usable without the SDK
(an editor plug-in, a pre-commit hook, the docs generator).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import NAMESPACE, format_errors

Model = TypeVar("Model", bound=BaseModel)


def stack_config_values(namespace: str = NAMESPACE) -> dict[str, Any]:
    """Every ``<namespace>:*`` key of the running stack, values decoded.

    The SDK has no public "list keys" call. Config reaches the program either
    through ``pulumi.runtime.set_all_config`` (the Automation API's inline
    programs, providers, mocks) or, under the CLI's language host, as the
    ``PULUMI_CONFIG`` JSON bag (``get_config_env``); keys from both are read,
    values through ``get_config`` so its precedence applies.
    """
    import pulumi
    from pulumi.runtime import config as runtime_config

    keys = set(runtime_config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    prefix = f"{namespace}:"
    values: dict[str, Any] = {}
    for full_key in sorted(keys):
        if not full_key.startswith(prefix):
            continue
        raw = pulumi.runtime.get_config(full_key)
        try:
            values[full_key[len(prefix) :]] = json.loads(raw)
        except (TypeError, ValueError):
            values[full_key[len(prefix) :]] = raw
    return values


def config_is_secret(key: str, namespace: str = NAMESPACE) -> bool:
    """Whether the stack holds ``<namespace>:<key>`` as a secret (a ``secure:`` value in it).

    Pulumi hands the program the decrypted value; whatever is built from it
    must be marked secret again, or it lands in the state in plain text.
    """
    import pulumi

    full_key = f"{namespace}:{key}"
    return pulumi.runtime.is_config_secret(full_key) or full_key in pulumi.runtime.get_config_secret_keys_env()


def parse_config(
    model: type[Model],
    values: Mapping[str, Any],
    context: Optional[Mapping[str, Any]] = None,
    namespace: str = NAMESPACE,
) -> Model:
    """Parse ``<namespace>:*`` values (keys without the namespace) into ``model``.

    Every problem is reported in one ``pulumi.RunError``, which the CLI prints
    without a stack trace.
    """
    try:
        return model.model_validate(dict(values), context=dict(context or {}))
    except ValidationError as exc:
        import pulumi

        raise pulumi.RunError(format_errors(model, exc, namespace)) from None
