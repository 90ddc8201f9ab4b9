"""Names the components give their children: Name tags and ``<project>-<stack>-...`` names."""

from __future__ import annotations

import re

import pulumi


def name_tag(component: str, *parts: str) -> dict[str, str]:
    """The ``Name`` tag the AWS console shows: ``<project>-<stack>-<component>[-<parts>]``.

    The component's own name is in it, so two instances of one component in a
    stack (``Network("a")``, ``Network("b")``) tag their children apart.
    """
    return {"Name": "-".join([pulumi.get_project(), pulumi.get_stack(), component, *parts])}


def qualified_name(*parts: str, allowed: str = "A-Za-z0-9_-") -> str:
    """``<project>-<stack>-<parts>``, other characters than ``allowed`` replaced by ``-``
    (task families, log group and role names live in one account next to other stacks')."""
    return re.sub(f"[^{allowed}]", "-", "-".join([pulumi.get_project(), pulumi.get_stack(), *parts]))
