"""Our ComponentResources, one module per concern (network, load balancer,
cluster, service, autoscaling), composed by ``__main__.py``."""

from __future__ import annotations

import pulumi


def name_tag(*parts: str) -> dict[str, str]:
    """The ``Name`` tag the AWS console shows: ``<project>-<stack>-<parts>``.

    Logical names stay short (they feed 32-character physical names such as the
    ALB's); the tag carries the project and stack so resources are telling
    apart in a shared account.
    """
    return {"Name": "-".join([pulumi.get_project(), pulumi.get_stack(), *parts])}
