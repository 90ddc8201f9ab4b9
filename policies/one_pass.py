"""One deserialization per resource in `AnalyzeStack`, shared by the pack's stack policies.

pulumi-policy's `AnalyzeStack` converts every resource's properties (and its provider's) from
protobuf once per stack policy: with six stack policies, six passes over the whole stack, most
of the pack's time on a large stack. Within one `AnalyzeStack` call, this makes the conversion
of a given message happen once and hands each policy its own deserialized copy (pulumi-policy's
`deserialize_properties` builds new dicts and lists from the converted one, so no policy sees
another's objects). Verdicts are unchanged; outside `AnalyzeStack` nothing is cached. If a
pulumi-policy release moves these internals, `share()` leaves the SDK as it is.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from google.protobuf import json_format

_active = threading.local()


class _OncePerCall:
    """`json_format` as pulumi-policy's policy module sees it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)

    @staticmethod
    def MessageToDict(message: Any, *args: Any, **kwargs: Any) -> Any:
        converted = getattr(_active, "converted", None)
        if converted is None or args or kwargs:
            return json_format.MessageToDict(message, *args, **kwargs)
        # Keyed by identity, the message held alive with its result so the id cannot be reused.
        entry = converted.get(id(message))
        if entry is None:
            entry = converted[id(message)] = (message, json_format.MessageToDict(message))
        return entry[1]


def share() -> None:
    try:
        from pulumi_policy import policy

        servicer = policy._PolicyAnalyzerServicer
        analyze_stack = servicer.AnalyzeStack
    except (ImportError, AttributeError):
        return
    if getattr(policy, "json_format", None) is not json_format:
        return

    @functools.wraps(analyze_stack)
    def once_per_message(self: Any, request: Any, context: Any) -> Any:
        _active.converted = {}
        try:
            return analyze_stack(self, request, context)
        finally:
            _active.converted = None

    policy.json_format = _OncePerCall()
    servicer.AnalyzeStack = once_per_message  # type: ignore[method-assign]  # the patch this module is
