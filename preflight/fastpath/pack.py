"""The policy pack's fast path: pulumi-policy 1.21's `Analyze` and `AnalyzeStack`, each message
converted once per call instead of once per policy.

pulumi-policy turns a resource's properties (and its provider's) from protobuf into Python once
*per policy*: `json_format.MessageToDict`, then `deserialize_properties`, then
`unknown_checking_proxy`, each a full walk that builds new objects. With the pack's 17 resource
and 9 stack policies that is 26 conversions of every resource, most of the pack's time. The two
methods below are pulumi-policy 1.21.0's, in the same order, with one difference: a message is
converted once per call, before the first policy that is handed it, and every policy of that
call is handed the same objects (no rule of the pack writes to what it judges; the tests compare
every verdict with this on and off). `AnalyzeStack` likewise links the stack's resources once for
all its stack policies. The conversion is the SDK's own functions, looked up when a call comes
(so the pack's secret marking, installed later by the pack itself, is the one used).

The fix belongs upstream (pulumi-policy's `policy.py`: convert once per call); until then it is
taken only on the exact release it copies (`TESTED`), and says so on stderr when off.

The preflight starts the pack through this file, in the pack's directory and with the pack's
interpreter, as

    python -u .../preflight/fastpath/pack.py -m pulumi.policy <engine address> .

which installs the two methods when `tested("pack", ...)` allows, then runs `pulumi.policy` as
`python -u -m pulumi.policy <engine address> .` would (its argv, cwd and `sys.path[0]`). The pack's
interpreter need not have `preflight` installed: this file loads only its package's switch, by
path. The Pulumi engine starts the pack without it, so under `pulumi preview --policy-pack`
none of this runs.
"""

from __future__ import annotations

import importlib.util
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
    """A resource's (or a provider's) properties as pulumi-policy converts them for a policy."""
    return sdk.unknown_checking_proxy(sdk.deserialize_properties(sdk.json_format.MessageToDict(message)))


def _provider(request: Any, sdk: Any) -> Any:
    """pulumi-policy 1.21's `_get_provider_resource`, its properties converted by `_properties`."""
    if not request.HasField("provider"):
        return None
    provider = request.provider
    return sdk.PolicyProviderResource(provider.type, _properties(provider.properties, sdk), provider.urn, provider.name)


def _analyze(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer.Analyze`, with the resource converted once for
    all its policies (where the SDK converts it for the first one)."""
    from pulumi_policy import policy as sdk

    self._configure_runtime_settings()
    response = sdk.proto.AnalyzeResponse()
    described: Optional[tuple[Any, Any, Any]] = None
    for policy, report_violation in _policies(self, sdk, sdk.ResourceValidationPolicy, response):
        if described is None:
            described = (
                _properties(request.properties, sdk),
                self._get_resource_options(request),
                _provider(request, sdk),
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


def _analyze_stack(self: Any, request: Any, _context: Any) -> Any:
    """pulumi-policy 1.21's `_PolicyAnalyzerServicer.AnalyzeStack`, with the stack's resources
    built once for all its stack policies rather than once per policy."""
    from pulumi_policy import policy as sdk

    self._configure_runtime_settings()
    response = sdk.proto.AnalyzeResponse()
    resources: Optional[list[Any]] = None
    for policy, report_violation in _policies(self, sdk, sdk.StackValidationPolicy, response):
        if resources is None:
            resources = _stack_resources(self, request, sdk)
        args = sdk.StackValidationArgs(
            resources, self._get_policy_config(policy.name), self._PolicyAnalyzerServicer__stack_tags
        )
        _validate(self, sdk, policy, args, report_violation, response)
    return response


def _policies(self: Any, sdk: Any, kind: Any, response: Any) -> Iterator[tuple[Any, Any]]:
    """The policies of `kind` that run, each with its `report_violation`, as both of pulumi-policy
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
        yield (
            policy,
            self._create_report_violation(
                response, policy.name, policy.description, enforcement_level, policy.severity
            ),
        )


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
    runpy.run_module(LAUNCHED[1], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    launch(sys.argv[1:])
