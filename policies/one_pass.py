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
loop as pulumi-policy 1.21's, with the building moved out of it, and one provider object for the
resources of one provider message; another release keeps its own). It also converts `Struct` messages with a direct walk instead of
json_format's generic descriptor-driven one (the same values: JSON null, bool, float, str,
list, dict; a NaN or an infinity still goes to json_format, which rejects it as before), and
reads the SDK's `Settings` signature once instead of on every call.

Most of what a resource holds no rule reads (a stack rule looks at a few types, and at most a few
properties of the others). With pulumi-policy 1.21 the properties of a resource (and of its
provider) are therefore handed over as a `LazyProperties`, which answers every read as the proxy
pulumi-policy builds does, but converts each top-level property (with the same functions) when it
is first read, and the whole only when a rule asks for the proxy's `__target`. For the pack's
`peek` it also reads quietly (`read_quietly`): an unknown or a missing property comes back as a
marker rather than as the error a read raises. A message whose conversion could fail or could differ
from a plain copy (a number JSON cannot hold, a secret, an asset) is converted whole at once, as
before. `Analyze` also converts a resource once for all its policies and leaves out a policy of the
pack that judges other resource types (its validate does nothing on this one).

Outside a call nothing is cached. If a pulumi-policy release moves these internals, `share()`
leaves the SDK as it is and returns False.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Optional, cast

from google.protobuf import json_format, struct_pb2
from pulumi_policy import deserialize as sdk_deserialize
from pulumi_policy.proxy import UnknownValueError

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


# Where a serialized Struct may hold something `_value` refuses (a NaN or an infinity: field 2 of
# `Value`, a double, with all exponent bits set) or the SDK's deserializer turns into something
# else than a copy (a secret, an asset or an archive, marked with this key). Either may also match
# inside a string: that only costs converting that message whole.
_NOT_FINITE = re.compile(rb"\x11.{6}[\xf0-\xff][\x7f\xff]", re.DOTALL)
_SIGNATURE = sdk_deserialize.SPECIAL_SIG_KEY.encode()


def converts_lazily(message: struct_pb2.Struct) -> bool:
    """Whether converting `message` key by key is exactly converting it whole: nothing in it can
    make the conversion fail or depend on more than the value at hand."""
    data = message.SerializeToString()
    return _SIGNATURE not in data and _NOT_FINITE.search(data) is None


@dataclass(frozen=True)
class KeyByKey:
    """pulumi-policy's conversion, `proxy(deserialize(MessageToDict(message)))`, one top-level
    property at a time: both functions work key by key (each value is converted, and proxied under
    its own key, on its own), so `one(key, value)` is what the whole conversion holds at `key`.
    `is_unknown` is the SDK's test of the values its proxy refuses to hand out."""

    deserialize: Callable[[dict[str, Any]], Any]
    proxy: Callable[[Any], Any]
    is_unknown: Callable[[Any], bool]

    def one(self, key: str, value: struct_pb2.Value) -> Any:
        """The converted value, as the whole conversion's `__target` holds it (unknowns as they are)."""
        if value.WhichOneof("kind") in _SCALARS:
            # A string, number, bool or null: neither function changes it (nothing in the message
            # is a secret, see `converts_lazily`), so it is the value itself.
            return _value(value)
        return self.proxy(self.deserialize({key: _value(value)}))["__target"][key]

    def refuse(self, key: str, value: Any) -> Any:
        """The SDK proxy's answer to reading an unknown `value` at `key`: its `UnknownValueError`."""
        return self.proxy({key: value})[key]


_SCALARS = frozenset(["string_value", "number_value", "bool_value", "null_value", None])

# Set by `share()` when the SDK's functions are ones known to work key by key.
_key_by_key: Optional[KeyByKey] = None


_ABSENT = object()


class LazyProperties(Mapping):
    """`unknown_checking_proxy(deserialize_properties(MessageToDict(message)))`, each top-level
    property converted on its first read.

    It does what the SDK's `_DictProxy` does (which defines these four methods over `Mapping`'s):
    reading a property (`[]`, `get`, `in`, `items`, `==`, ...) returns the same value or raises the
    same `UnknownValueError`, iteration follows the message's order (`MessageToDict`'s) and
    `["__target"]` is the whole converted dict, built on that first request around the values
    already read (which stay the very same objects); from then on the view is that whole proxy."""

    def __init__(self, fields: Any, conversion: KeyByKey) -> None:
        self._fields = fields  # the Struct's map of `Value`s
        self._conversion = conversion
        self._converted: dict[str, Any] = {}  # key -> its value as `__target` holds it
        self._known: dict[str, Any] = {}  # key -> its value, read before and not unknown
        self._whole: Any = None

    def _lookup(self, key: Any) -> Any:
        """The converted value at `key` (unknowns as they are), `_ABSENT` if the message has none."""
        value = self._converted.get(key, _ABSENT)  # an unhashable key raises TypeError, as a dict does
        if value is _ABSENT:
            if not isinstance(key, str):
                return _ABSENT
            try:
                present = key in self._fields
            except (TypeError, ValueError):  # a string protobuf cannot encode: in no message
                present = False
            if not present:  # (and indexing a map of messages would add the key)
                return _ABSENT
            value = self._converted[key] = self._conversion.one(key, self._fields[key])
        return value

    def _value(self, key: Any) -> Any:
        value = self._lookup(key)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def _target(self) -> Any:
        if self._whole is None:
            # The proxy leaves values it already proxied (and scalars) as they are.
            self._whole = self._conversion.proxy({key: self._value(key) for key in self._fields})
        return self._whole

    def __getitem__(self, key: Any) -> Any:
        if self._whole is not None:
            return self._whole[key]
        known = self._known.get(key, _ABSENT)  # an unhashable key raises TypeError, as a dict does
        if known is not _ABSENT:
            return known
        if key == "__target":
            return self._target()["__target"]
        value = self._lookup(key)
        if value is _ABSENT:
            raise KeyError(key)
        if self._conversion.is_unknown(value):
            return self._conversion.refuse(key, value)
        self._known[key] = value
        return value

    def read_quietly(self, key: Any, unknown: Any, missing: Any) -> Any:
        """`self[key]`, but `unknown` where that raises `UnknownValueError` and `missing` where it
        raises `KeyError` (other errors as `self[key]` raises them).

        The pack's `_props.peek` reads through this when a view offers it: a stack rule reads
        thousands of properties a preview cannot know yet (every new resource's `id` and `arn`),
        and having the SDK's proxy raise each of them only for `peek` to catch it was most of
        the cost of those reads."""
        if self._whole is not None or key == "__target":
            try:
                return self[key]
            except KeyError:
                return missing
            except UnknownValueError:
                return unknown
        known = self._known.get(key, _ABSENT)  # an unhashable key raises TypeError, as a dict does
        if known is not _ABSENT:
            return known
        value = self._lookup(key)
        if value is _ABSENT:
            return missing
        if self._conversion.is_unknown(value):
            return unknown  # where `self[key]` has the SDK's proxy refuse it
        self._known[key] = value
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        self._target()[key] = value

    def __len__(self) -> int:
        return len(self._whole) if self._whole is not None else len(self._fields)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole) if self._whole is not None else iter(list(self._fields))


def _properties(message: struct_pb2.Struct, sdk: Any) -> Any:
    """A resource's (or a provider's) properties as pulumi-policy hands them to a policy."""
    conversion = _key_by_key
    if conversion is not None and converts_lazily(message):
        return LazyProperties(message.fields, conversion)
    return sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(message)))


def _provider(request: Any, sdk: Any) -> Any:
    """pulumi-policy 1.21's `_get_provider_resource`, its properties converted by `_properties`."""
    if not request.HasField("provider"):
        return None
    provider = request.provider
    return sdk.PolicyProviderResource(provider.type, _properties(provider.properties, sdk), provider.urn, provider.name)


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

    once.uncached = method  # type: ignore[attr-defined]  # for a loop that reads each request once
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


def _analyze(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer.Analyze`, with the resource converted once for
    all its policies (where the SDK converts it for the first one), and without the policies of
    this pack that judge other resource types: a `Rule`'s validate (`_policy.py`) does nothing on
    a resource whose type is not among its `types`, so the SDK would only have handed it the
    resource for nothing. Everything else is that method's, in the same order."""
    from pulumi_policy import policy as sdk

    self._configure_runtime_settings()
    response = sdk.proto.AnalyzeResponse()
    described: Optional[tuple[Any, Any, Any]] = None
    for policy in self._PolicyAnalyzerServicer__policies:
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, sdk.ResourceValidationPolicy):
            continue
        if not policy.has_validation():
            # This is a remediation policy only, so report it as not applicable.
            response.not_applicable.append(
                sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason="Policy does not implement validate")
            )
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            enforcement_level = sdk.EnforcementLevel.MANDATORY
        if described is None:  # where the SDK converts the resource for the first time
            described = (
                _properties(request.properties, sdk),
                self._get_resource_options(request),
                _provider(request, sdk),
            )
        if request.type not in _judged_types(policy, sdk):
            continue
        report_violation = self._create_report_violation(
            response, policy.name, policy.description, enforcement_level, policy.severity
        )
        props, opts, provider = described
        args = sdk.ResourceValidationArgs(
            request.type,
            props,
            request.urn,
            request.name,
            opts,
            provider,
            self._get_policy_config(policy.name),
            self._PolicyAnalyzerServicer__stack_tags,
        )
        _validate(self, sdk, policy, args, report_violation, response)
    return response


def _validate(self: Any, sdk: Any, policy: Any, args: Any, report_violation: Any, response: Any) -> None:
    """One policy's validate, as pulumi-policy 1.21 runs it in `Analyze` and `AnalyzeStack`: an
    awaitable result run to its end on a loop of its own (as a task, as the SDK does), a read of
    an unknown answered as "can't run policy", a not-applicable answered as such."""
    try:
        result = policy.validate(args, report_violation)
        if sdk.isawaitable(result):
            loop = sdk.asyncio.new_event_loop()
            task = sdk.asyncio.Task(cast(Any, result), loop=loop)  # as the SDK: a coroutine
            loop.run_until_complete(task)
            loop.close()
    except sdk.UnknownValueError as e:
        response.diagnostics.append(_cannot_run(self, sdk, policy, e))
    except sdk._NotApplicableError as e:
        response.not_applicable.append(sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))


class _Everything:
    """Holds every resource type."""

    def __contains__(self, _item: object) -> bool:
        return True


_EVERY_TYPE = _Everything()


def _judged_types(policy: Any, sdk: Any) -> Any:
    """The resource types on which the policy's validation may do something: those of a pack
    `Rule` (its validate carries them), every type for any other policy."""
    if type(policy).validate is not sdk.ResourceValidationPolicy.validate:
        return _EVERY_TYPE  # validate is the policy's own
    types = getattr(getattr(policy, "_ResourceValidationPolicy__validate", None), "types", None)
    return _EVERY_TYPE if types is None else types


def _cannot_run(self: Any, sdk: Any, policy: Any, error: Any) -> Any:
    """The SDK's advisory diagnostic for a policy that read a value unknown during a preview."""
    name, version = self._PolicyAnalyzerServicer__policy_pack_name, self._PolicyAnalyzerServicer__policy_pack_version
    return sdk.proto.AnalyzeDiagnostic(
        policyName=policy.name,
        policyPackName=name,
        policyPackVersion=version,
        message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: {error.message}",
        urn="",
        description=policy.description,
        enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
    )


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
        _validate(self, sdk, policy, args, report_violation, response)
    return response


def _stack_resources(self: Any, request: Any, sdk: Any) -> list[Any]:
    """The request's resources as pulumi-policy 1.21 hands them to a stack policy: each with its
    parent, dependencies and property dependencies as the resource objects (where present).

    It runs on the critical path of every preview, once per resource of the stack, so it reads
    each message once: the resources are built in a first pass and linked in a second one straight
    from the messages (no lists of URNs in between); the options come from the SDK's own helper,
    without the per-call cache around it (each request is read only here); and resources whose
    provider message is the same, byte for byte, are handed one provider object built from it, as
    the policies of one call are handed one conversion of a message (none of them writes to it)."""
    messages = request.resources
    options = getattr(type(self)._get_resource_options, "uncached", None)
    providers: dict[bytes, Any] = {}
    resources = []
    for r in messages:
        if r.HasField("provider"):
            key = r.provider.SerializeToString()
            provider = providers.get(key)
            if provider is None:
                provider = providers[key] = _provider(r, sdk)
        else:
            provider = None
        resources.append(
            sdk.PolicyResource(
                r.type,
                _properties(r.properties, sdk),
                r.urn,
                r.name,
                self._get_resource_options(r) if options is None else options(self, r),
                provider,
                None,
                [],
                {},
            )
        )
    by_urn = {resource.urn: resource for resource in resources}
    for r, resource in zip(messages, resources, strict=True):
        parent = r.parent
        if parent in by_urn:  # (an unset parent is "", which names no resource)
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
        if r.propertyDependencies:
            property_dependencies = resource.property_dependencies
            for key, dependencies in r.propertyDependencies.items():
                property_dependencies[key] = [by_urn[d] for d in dependencies.urns if d in by_urn]
    return resources


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
    if _stack_loop_is_known():
        analyze, analyze_stack = _analyze, _analyze_stack
        is_unknown = _works_key_by_key(deserialize, proxy)
        if is_unknown is not None:
            global _key_by_key
            _key_by_key = KeyByKey(deserialize, proxy, is_unknown)
    servicer.Analyze = _per_call(analyze)  # type: ignore[method-assign]  # the patch this module is
    servicer.AnalyzeStack = _per_call(analyze_stack)  # type: ignore[method-assign]
    return True


def _works_key_by_key(deserialize: Any, proxy: Any) -> Optional[Callable[[Any], bool]]:
    """The SDK proxy's test for unknown values if the conversion is pulumi-policy's (or the pack's
    secret marking, `_secrets.py`), which `KeyByKey` may apply to one property at a time; else None."""
    from pulumi_policy import proxy as sdk_proxy

    known = deserialize is sdk_deserialize.deserialize_properties or getattr(deserialize, "marks_secrets", False)
    if not known or proxy is not getattr(sdk_proxy, "unknown_checking_proxy", None):
        return None
    return getattr(sdk_proxy, "_is_unknown", None)


def _stack_loop_is_known() -> bool:
    """Whether the SDK is the pulumi-policy release whose Analyze and AnalyzeStack `_analyze` and
    `_analyze_stack` follow."""
    try:
        from pulumi_policy.version import VERSION
    except ImportError:
        return False
    return VERSION == "1.21.0"
