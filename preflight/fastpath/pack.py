"""The policy pack's fast path: pulumi-policy 1.21's `Analyze` and `AnalyzeStack`, each message
converted once per call instead of once per policy, and no work for a policy that cannot judge it.

pulumi-policy turns a resource's properties (and its provider's) from protobuf into Python once
*per policy*: `json_format.MessageToDict`, then `deserialize_properties`, then
`unknown_checking_proxy`, each a full walk that builds new objects. With the pack's 17 resource
and 9 stack policies that is 26 conversions of every resource, most of the pack's time. The two
methods below are pulumi-policy 1.21.0's, in the same order, with these differences, each kept
because an interleaved A/B at 50 services measured it:

- a message is converted once per call, before the first policy that is handed it, and every
  policy of that call is handed the same objects (no rule of the pack writes to what it judges;
  the tests compare every verdict with this on and off); `AnalyzeStack` likewise links the
  stack's resources once for all its stack policies;
- a `Struct` becomes a dict by a direct walk (`_plain`), not json_format's descriptor-driven one:
  the same values; a message holding a NaN or an infinity still goes to json_format, which
  refuses it as before;
- the runtime settings both methods configure first read the signature of pulumi's `Settings`
  once, not on every call (`inspect.signature` was a third of an `Analyze`);
- `Analyze` hands a resource only to the rules of the pack whose type filter holds its type (a
  `Rule`'s validation does nothing on another type and says which it judges, `_judged_types`);
  any other policy gets every resource, as before.

The conversion itself is the SDK's own `deserialize_properties` and `unknown_checking_proxy`,
looked up when a call comes (so the pack's secret marking, installed later by the pack itself,
is the one used, and a rule reading an unknown value gets the SDK proxy's `UnknownValueError`).

The fix belongs upstream (pulumi-policy's `policy.py`: convert once per call); until then it is
taken only on the exact release it copies (`TESTED`), and says so on stderr when off.

The preflight starts the pack through this file, in the pack's directory and with the pack's
interpreter, as

    python -u .../preflight/fastpath/pack.py -m pulumi.policy <engine address> .

which installs the two methods when `tested("pack", ...)` allows, freezes the SDK's heap for the
cycle collector (`freeze_the_sdk`, standard library only, on any release), then runs `pulumi.policy` as
`python -u -m pulumi.policy <engine address> .` would (its argv, cwd and `sys.path[0]`). The pack's
interpreter need not have `preflight` installed: this file loads only its package's switch, by
path. The Pulumi engine starts the pack without it, so under `pulumi preview --policy-pack`
none of this runs.
"""

from __future__ import annotations

import functools
import gc
import importlib
import importlib.util
import inspect
import math
import os
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, Optional, cast

# The pulumi-policy release whose Analyze and AnalyzeStack `_analyze` and `_analyze_stack` follow.
TESTED = ("1.21.0",)
# What the launcher runs, as the engine's shim names it.
LAUNCHED = ("-m", "pulumi.policy")
# How `announce_off` begins a line: the preflight passes such a line of the pack's on to its own stderr.
ANNOUNCEMENT = "preflight: fast path "


def install() -> bool:
    """Put `_analyze` and `_analyze_stack` in pulumi-policy's servicer, if the switch is on and the
    installed pulumi-policy is the release they copy. True when in place."""
    if not _switch().tested("pack", "pulumi-policy", TESTED):
        return False
    from pulumi_policy import policy

    servicer = policy._PolicyAnalyzerServicer
    servicer.Analyze = _analyze  # type: ignore[method-assign]
    servicer.AnalyzeStack = _analyze_stack  # type: ignore[method-assign]
    return True


def _switch() -> ModuleType:
    """This package's `__init__` (the switch and the version guard): imported as a package, or
    loaded by path when this file runs as the launcher in an interpreter without `preflight`."""
    if __package__:
        return sys.modules[__package__]
    spec = importlib.util.spec_from_file_location("_preflight_fastpath", Path(__file__).with_name("__init__.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _properties(message: Any, sdk: Any) -> Any:
    """A resource's (or a provider's) properties as pulumi-policy converts them for a policy:
    `MessageToDict` by `_plain`, then the SDK's own deserializer and proxy."""
    try:
        plain = _plain(message)
    except _NotFinite:
        plain = sdk.json_format.MessageToDict(message)  # which refuses it, as the SDK does
    return sdk.unknown_checking_proxy(sdk.deserialize_properties(plain))


class _NotFinite(Exception):
    """A number JSON cannot hold: `MessageToDict` refuses the message, so `_plain` leaves it to it."""


def _plain(message: Any) -> dict[str, Any]:
    """`json_format.MessageToDict(message)` for a `Struct`, walked directly rather than through
    the descriptors: the same dict (in the same order) of JSON values, null, bool, float, str,
    list, dict. A NaN or an infinity raises `_NotFinite`."""
    return {key: _json(value) for key, value in message.fields.items()}


def _json(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return _plain(value.struct_value)
    if kind == "list_value":
        return [_json(item) for item in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        if not math.isfinite(number):
            raise _NotFinite
        return number
    if kind == "bool_value":
        return value.bool_value
    return None  # null_value, or unset (json_format reads both as null)


def _provider(request: Any, sdk: Any) -> Any:
    """pulumi-policy 1.21's `_get_provider_resource`, its properties converted by `_properties`."""
    if not request.HasField("provider"):
        return None
    provider = request.provider
    return sdk.PolicyProviderResource(provider.type, _properties(provider.properties, sdk), provider.urn, provider.name)


def _analyze(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer.Analyze`, with the resource converted once for
    all its policies (where the SDK converts it for the first one), and without handing it to the
    pack's rules that judge other resource types (`_judged_types`): their validate would do nothing."""
    from pulumi_policy import policy as sdk

    _configure_runtime_settings(sdk)
    response = sdk.proto.AnalyzeResponse()
    described: Optional[tuple[Any, Any, Any]] = None
    for policy, level in _policies(self, sdk, sdk.ResourceValidationPolicy, response):
        if described is None:  # where the SDK converts it first (and may fail to)
            described = (
                _properties(request.properties, sdk),
                self._get_resource_options(request),
                _provider(request, sdk),
            )
        if request.type not in _judged_types(policy, sdk):
            continue
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
        _validate(self, sdk, policy, args, level, response)
    return response


def _analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer.AnalyzeStack`, with the stack's resources
    built once for all its stack policies rather than once per policy."""
    from pulumi_policy import policy as sdk

    _configure_runtime_settings(sdk)
    response = sdk.proto.AnalyzeResponse()
    resources: Optional[list[Any]] = None
    for policy, level in _policies(self, sdk, sdk.StackValidationPolicy, response):
        if resources is None:
            resources = _stack_resources(self, request, sdk)
        args = sdk.StackValidationArgs(
            resources, self._get_policy_config(policy.name), self._PolicyAnalyzerServicer__stack_tags
        )
        _validate(self, sdk, policy, args, level, response)
    return response


def _configure_runtime_settings(sdk: Any) -> None:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer._configure_runtime_settings`, which both
    methods run first, with the signature of the SDK's `Settings` read once rather than on every
    call (`inspect.signature` was a third of the pack's time per `Analyze`)."""
    runtime = sdk.pulumi.runtime
    for key, value in runtime.get_config_env().items():
        runtime.set_config(key, value)
    if "PULUMI_PROJECT" in os.environ and "PULUMI_STACK" in os.environ and "PULUMI_DRY_RUN" in os.environ:
        settings_args = {
            "project": os.environ["PULUMI_PROJECT"],
            "stack": os.environ["PULUMI_STACK"],
            "dry_run": os.environ["PULUMI_DRY_RUN"] == "true",
        }
        if "organization" in _parameters(runtime.Settings):
            settings_args["organization"] = os.environ.get("PULUMI_ORGANIZATION", "organization")
        runtime.configure(runtime.Settings(**settings_args))


@functools.cache
def _parameters(callable_: Any) -> Any:
    """`inspect.signature(callable_).parameters`, once per callable."""
    return inspect.signature(callable_).parameters


def _policies(self: Any, sdk: Any, kind: Any, response: Any) -> Iterator[tuple[Any, Any]]:
    """The policies of `kind` that run, each with the level it reports at, as both of pulumi-policy
    1.21's loops pick them: not disabled, a remediating one reported as mandatory (it still
    violates after its remediation ran, or it is a stack policy, which cannot remediate), and a
    resource policy that only remediates answered as not applicable."""
    for policy in self._PolicyAnalyzerServicer__policies:
        enforcement_level = self._get_enforcement_level(policy)
        if enforcement_level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, kind):
            continue
        if kind is sdk.ResourceValidationPolicy and not policy.has_validation():
            response.not_applicable.append(
                sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason="Policy does not implement validate")
            )
            continue
        if enforcement_level == sdk.EnforcementLevel.REMEDIATE:
            enforcement_level = sdk.EnforcementLevel.MANDATORY
        yield policy, enforcement_level


class _Every:
    """Holds every resource type."""

    def __contains__(self, _item: object) -> bool:
        return True


_EVERY_TYPE = _Every()
_judged: dict[Any, Any] = {}


def _judged_types(policy: Any, sdk: Any) -> Any:
    """The resource types on which `policy`'s validation may do something: for a rule of the
    pack, the `resource_types` its validation filters on (`fargate_policies._policy.TypeFiltered`),
    read once per policy; every type for any other policy."""
    types = _judged.get(policy)
    if types is None:
        types = _judged[policy] = _rule_types(policy, sdk) or _EVERY_TYPE
    return types


def _rule_types(policy: Any, sdk: Any) -> Optional[frozenset[str]]:
    """The types a rule's validation says it filters on, or None if it says nothing (or the
    policy validates by a method of its own)."""
    if type(policy).validate is not sdk.ResourceValidationPolicy.validate:
        return None
    types = getattr(getattr(policy, "_ResourceValidationPolicy__validate", None), "resource_types", None)
    return types if isinstance(types, frozenset) else None


def _stack_resources(self: Any, request: Any, sdk: Any) -> list[Any]:
    """The request's resources as pulumi-policy 1.21 hands them to a stack policy: each with its
    parent, dependencies and property dependencies as the resource objects (where present)."""
    messages = request.resources
    resources = [
        sdk.PolicyResource(
            r.type,
            _properties(r.properties, sdk),
            r.urn,
            r.name,
            self._get_resource_options(r),
            _provider(r, sdk),
            None,
            [],
            {},
        )
        for r in messages
    ]
    by_urn = {resource.urn: resource for resource in resources}
    for r, resource in zip(messages, resources, strict=True):
        if r.parent in by_urn:  # (an unset parent is "", which names no resource)
            resource.parent = by_urn[r.parent]
        resource.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
        for key, dependencies in r.propertyDependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in dependencies.urns if d in by_urn]
    return resources


def _validate(self: Any, sdk: Any, policy: Any, args: Any, level: Any, response: Any) -> None:
    """One policy's validate, as pulumi-policy 1.21 runs it in `Analyze` and `AnalyzeStack`: an
    awaitable result run to its end on a loop of its own (as a task, as the SDK does), a read of
    an unknown answered as "can't run policy", a not-applicable answered as such."""
    report_violation = self._create_report_violation(response, policy.name, policy.description, level, policy.severity)
    try:
        result = policy.validate(args, report_violation)
        if sdk.isawaitable(result):
            loop = sdk.asyncio.new_event_loop()
            task = sdk.asyncio.Task(cast(Any, result), loop=loop)  # as the SDK: a coroutine
            loop.run_until_complete(task)
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
                message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: "
                f"{e.message}",
                urn="",
                description=policy.description,
                enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
            )
        )
    except sdk._NotApplicableError as e:
        response.not_applicable.append(sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))


def command(engine_address: str, program: str = ".") -> list[str]:
    """The pack's command line after its interpreter: `-u -m pulumi.policy <engine address> .`, as
    the engine's shim runs it, through this launcher unless the switch is off."""
    module = [*LAUNCHED, engine_address, program]
    return ["-u", str(Path(__file__).resolve()), *module] if _switch().wanted() else ["-u", *module]


def launch(argv: list[str]) -> None:
    """Run `python -m pulumi.policy <argv after it>` in this process, with the fast path installed
    where it may be: the same `sys.argv` (the module's path, then the arguments), the same
    `sys.path[0]` (the working directory), `__main__` as the module."""
    if tuple(argv[:2]) != LAUNCHED:
        raise SystemExit(f"usage: {Path(__file__).name} {' '.join(LAUNCHED)} <engine address> <program>")
    sys.argv[1:] = argv[2:]
    sys.path[0] = os.getcwd()
    install()
    freeze_the_sdk()
    runpy.run_module(LAUNCHED[1], run_name="__main__", alter_sys=True)


def freeze_the_sdk() -> None:
    """Import pulumi-policy (and with it pulumi, grpc and protobuf) and move everything alive into
    the cycle collector's permanent generation (`gc.freeze`): the SDK's heap outlives every call,
    and the collector's passes over it while the pack judges were a tenth of the pack's work at 50
    services. Garbage made later is collected as before; nothing of the SDK is replaced."""
    importlib.import_module("pulumi_policy")
    gc.freeze()


if __name__ == "__main__":
    launch(sys.argv[1:])
