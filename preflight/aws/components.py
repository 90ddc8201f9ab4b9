"""Multi-language components (awsx) preflight cannot expand offline: plausible outputs only.

Their children are built by the component's provider at deployment, so offline the component is
recorded without them; its outputs get what a program most often reads from it.
"""

from __future__ import annotations

from typing import Any

from ..values import contains_unknown
from .names import ACCOUNT, digest


def remote_component(type_token: str, urn: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """Plausible outputs of a multi-language component whose children we cannot build offline."""
    if type_token == "awsx:ecr:Image":
        if contains_unknown(inputs.get("repositoryUrl")):
            return {}  # pushed to a repository only known elsewhere: its URI is not known either
        repository = str(
            inputs.get("repositoryUrl") or f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{urn.rsplit('::', 1)[-1]}"
        )
        return {"imageUri": f"{repository}@sha256:{digest('image:' + urn, 64)}"}
    if type_token == "awsx:ecr:Repository":
        name = urn.rsplit("::", 1)[-1].lower() + "-" + digest(urn, 7)
        return {"url": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{name}"}
    return {}
