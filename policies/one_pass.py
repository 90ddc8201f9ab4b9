"""One conversion per message per call, shared by the pack's policies.

pulumi-policy's `Analyze` and `AnalyzeStack` turn a resource's properties (and its provider's)
from protobuf into Python once *per policy*: `json_format.MessageToDict`, then
`deserialize_properties`, then `unknown_checking_proxy`, each a full walk that builds new
objects. With 17 resource policies and 9 stack policies that is 26 conversions of every
resource, nearly all of the pack's time. Within one call, this makes each message converted
once and hands every policy the same read-only view (no rule of this pack writes to the
properties it judges; `tests/policies/test_one_pass.py` holds that by comparing every verdict
with and without sharing). `AnalyzeStack` likewise builds the stack's resources, linked to their
parents and dependencies, once for all its stack policies instead of once per policy (the same
loop as pulumi-policy 1.21's, with the building moved out of it; another release keeps its own). It also converts `Struct` messages with a direct walk instead of
json_format's generic descriptor-driven one (the same values: JSON null, bool, float, str,
list, dict; a NaN or an infinity still goes to json_format, which rejects it as before), and
reads the SDK's `Settings` signature once instead of on every call.

Outside a call nothing is cached. If a pulumi-policy release moves these internals, `share()`
leaves the SDK as it is and returns False.
"""

from __future__ import annotations

import functools
import inspect
import math
import threading
from collections.abc import Callable
from typing import Any

from google.protobuf import json_format, struct_pb2

# The SDK's server answers from a pool of threads: each call has its own cache.
_active = threading.local()


def struct_to_dict(message: struct_pb2.Struct) -> dict[str, Any]:
    """`json_format.MessageToDict(message)` for a `Struct`, without the descriptor lookups."""
    return {key: _value(value) for key, value in message.fields.items()}


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return struct_to_dict(value.struct_value)
    if kind == "number_value":
        number = value.number_value
        if math.isinf(number) or math.isnan(number):
            return json_format.MessageToDict(value)  # raises, as it always did
        return number
    if kind == "bool_value":
        return value.bool_value
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None  # null_value, or unset (json_format reads both as null)


class _JsonFormat:
    """`json_format` as pulumi-policy's policy module sees it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(json_format, name)

    @staticmethod
    def MessageToDict(message: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(message, struct_pb2.Struct):
            return json_format.MessageToDict(message, *args, **kwargs)
        return _once(message, struct_to_dict)


def _once(key_object: Any, convert: Callable[..., Any], *before: Any) -> Any:
    """`convert(*before, key_object)`, once per object and conversion within the current call.
    Keyed by identity, the object held alive with its result so that its id cannot be reused
    meanwhile."""
    cache = getattr(_active, "cache", None)
    if cache is None:
        return convert(*before, key_object)
    key = (id(key_object), convert)
    entry = cache.get(key)
    if entry is None:
        entry = cache[key] = (key_object, convert(*before, key_object))
    return entry[1]


def _shared(original: Callable[[Any], Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def once(value: Any, *args: Any) -> Any:
        if args:  # Remediate's deserialize_properties(props, True): its own copy, as before
            return original(value, *args)
        return _once(value, original)

    once.shares = True  # type: ignore[attr-defined]
    return once


def _per_request(method: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A servicer helper of one request (its resource options, its provider) run once per call."""

    @functools.wraps(method)
    def once(self: Any, request: Any) -> Any:
        return _once(request, method, self)

    return once


def _per_call(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def within_one_cache(self: Any, request: Any, context: Any) -> Any:
        _active.cache = {}
        try:
            return method(self, request, context)
        finally:
            _active.cache = None

    return within_one_cache


def _analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer.AnalyzeStack`, with the stack's resources
    built once rather than once per stack policy. Everything else is that method's: the levels,
    the violations, the unknown-value and not-applicable answers, in the same order."""
    from pulumi_policy import policy as sdk

    self._configure_runtime_settings()
    response = sdk.proto.AnalyzeResponse()
    resources: list[Any] | None = None
    for policy in self._PolicyAnalyzerServicer__policies:
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, sdk.StackValidationPolicy):
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            # Stack policies cannot be remediated, so treat the level as mandatory.
            enforcement_level = sdk.EnforcementLevel.MANDATORY
        report_violation = self._create_report_violation(
            response, policy.name, policy.description, enforcement_level, policy.severity
        )
        if resources is None:
            resources = _stack_resources(self, request, sdk)
        args = sdk.StackValidationArgs(
            resources, self._get_policy_config(policy.name), self._PolicyAnalyzerServicer__stack_tags
        )
        try:
            result = policy.validate(args, report_violation)
            if sdk.isawaitable(result):
                loop = sdk.asyncio.new_event_loop()
                loop.run_until_complete(result)
                loop.close()
        except sdk.UnknownValueError as e:
            name, version = (
                self._PolicyAnalyzerServicer__policy_pack_name,
                self._PolicyAnalyzerServicer__policy_pack_version,
            )
            response.diagnostics.append(
                sdk.proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=name,
                    policyPackVersion=version,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{name}@v{version}' during preview: {e.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
                )
            )
        except sdk._NotApplicableError as e:
            response.not_applicable.append(
                sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
            )
    return response


def _stack_resources(self: Any, request: Any, sdk: Any) -> list[Any]:
    """The request's resources as pulumi-policy 1.21 hands them to a stack policy: each with its
    parent, dependencies and property dependencies as the resource objects (where present)."""
    built = []
    for r in request.resources:
        props = sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(r.properties)))
        resource = sdk.PolicyResource(
            r.type, props, r.urn, r.name, self._get_resource_options(r), self._get_provider_resource(r), None, [], {}
        )
        property_dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        built.append((resource, r.parent, list(r.dependencies), property_dependencies))
    by_urn = {resource.urn: resource for resource, _, _, _ in built}
    for resource, parent, dependencies, property_dependencies in built:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, _, _, _ in built]


def share() -> bool:
    """Install the sharing in pulumi-policy's policy module. Call it after any other patch of
    `deserialize_properties` (the pack's secret marking), so that the shared one is that one."""
    try:
        from pulumi_policy import policy

        servicer = policy._PolicyAnalyzerServicer
        analyze, analyze_stack = servicer.Analyze, servicer.AnalyzeStack
        options, provider = servicer._get_resource_options, servicer._get_provider_resource
        deserialize, proxy = policy.deserialize_properties, policy.unknown_checking_proxy
    except (ImportError, AttributeError):
        return False
    if getattr(deserialize, "shares", False):
        return True
    if getattr(policy, "json_format", None) is not json_format or getattr(policy, "signature", None) is not (
        inspect.signature
    ):
        return False
    policy.json_format = _JsonFormat()
    policy.deserialize_properties = _shared(deserialize)
    policy.unknown_checking_proxy = _shared(proxy)
    policy.signature = functools.lru_cache(maxsize=None)(inspect.signature)
    servicer._get_resource_options = _per_request(options)  # type: ignore[method-assign,assignment]
    servicer._get_provider_resource = _per_request(provider)  # type: ignore[method-assign,assignment]
    servicer.Analyze = _per_call(analyze)  # type: ignore[method-assign]  # the patch this module is
    if _stack_loop_is_known():
        analyze_stack = _analyze_stack
    servicer.AnalyzeStack = _per_call(analyze_stack)  # type: ignore[method-assign]
    return True


def _stack_loop_is_known() -> bool:
    """Whether the SDK is the pulumi-policy release whose AnalyzeStack `_analyze_stack` follows."""
    try:
        from pulumi_policy.version import VERSION
    except ImportError:
        return False
    return VERSION == "1.21.0"
