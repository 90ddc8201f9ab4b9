"""A resource monitor that records every registration the way the Pulumi engine sees it.

`pulumi.runtime` talks to this object instead of the engine. It builds URNs as the engine does
(the parent's full type chain, the root stack left out), keeps the request's dependencies and
property dependencies, runs the provider's part (Check, then Create) through the AWS stand-in in
`aws/`, and answers data-source invokes. Default providers are made up the way the engine
makes them (`pulumi:providers:aws::default_7_51_1`, configured from the `aws:` config keys).
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Optional, cast

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import callback_pb2, callback_pb2_grpc, engine_pb2, resource_pb2

from . import invokes, providers, schema
from .aws import components, names, resources
from .errors import OfflineGap, ProgramError
from .project import Project
from .values import (
    SIG_KEY,
    UNKNOWN,
    UNKNOWN_WIRE,
    contains_unknown,
    for_analyzer,
    is_secret,
    plain,
    secret,
    struct_to_wire,
    wire_to_struct,
)

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
PROVIDER_PREFIX = "pulumi:providers:"
# Computed outputs a preview of a new resource already knows: the provider plans `tagsAll` from
# `tags` and the default tags, and `region` from the provider's configuration.
_KNOWN_IN_PREVIEW = frozenset({"tagsAll", "region"})
# What stands in for an unknown input after an update, so that what is computed from it is found.
_UPDATE_PLACEHOLDER = "preflight-unknown-4f1d"


@dataclass
class Resource:
    """One registration, as the engine holds it after the step (inputs after the provider's Check)."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: Optional[str]
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    id: Any = None
    provider: Optional[str] = None
    remote: bool = False
    simulated: frozenset[str] = frozenset()
    """Output keys whose values only AWS could know (invented offline, or unknown in a preview)."""
    wire_inputs: dict[str, Any] = field(default_factory=dict, repr=False)
    wire_outputs: dict[str, Any] = field(default_factory=dict, repr=False)
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    outputs_struct: Optional[struct_pb2.Struct] = field(default=None, repr=False, compare=False)
    """`wire_outputs` as the Struct the engine answered the registration with, kept so that
    `AnalyzeStack` sends it rather than converting the same outputs a second time (None until
    then, and again once the outputs change)."""

    def set_outputs(self, wire_outputs: dict[str, Any], outputs: Optional[dict[str, Any]] = None) -> None:
        """`outputs` is `plain(wire_outputs)`, when the caller has it already."""
        self.wire_outputs = wire_outputs
        self.outputs = plain(wire_outputs) if outputs is None else outputs
        self.outputs_struct = None


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """A failure inside preflight's own answer is preflight's bug, never the program's: keep it,
    so the run reports it as such whatever the SDK makes of the exception on its way back."""

    @functools.wraps(method)
    def guarded(self: RecordingMonitor, request: Any) -> Any:
        try:
            return method(self, request)
        except (OfflineGap, ProgramError):
            raise
        except Exception as error:
            frame = traceback.extract_tb(error.__traceback__)[-1]
            self.bugs.append(
                f"preflight failed on this program (a bug in preflight, please report it): "
                f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''} "
                f"at {os.path.basename(frame.filename)}:{frame.lineno}, "
                f"answering {getattr(request, 'type', '') or getattr(request, 'tok', '')}"
            )
            raise

    return guarded


class _NoMocks(Mocks):
    """`MockMonitor` wants a `Mocks`; every call it would route there is answered by the recorder."""

    def call(self, args):  # pragma: no cover - the recorder overrides Invoke
        raise OfflineGap(f"no offline answer for {args.token}")

    def new_resource(self, args):  # pragma: no cover - the recorder overrides RegisterResource
        raise OfflineGap(f"no offline answer for {args.typ}")


class RecordingMonitor(MockMonitor):
    def __init__(
        self, project: Project, stack: str, preview: bool, on_register: Optional[Callable[[Resource], None]] = None
    ) -> None:
        super().__init__(_NoMocks())
        self.on_register = on_register
        self.project = project
        self.stack = stack
        self.preview = preview
        self.records: list[Resource] = []
        self.by_urn: dict[str, Resource] = {}
        self.stack_urn: Optional[str] = None
        self._lock = threading.Lock()
        self._stack_transforms: list[Any] = []
        self._transforms_by_urn: dict[str, list[Any]] = {}
        provider_config = project.provider_config
        self._provider_config = provider_config
        self._default_region = str(provider_config.get("aws", {}).get("region") or names.DEFAULT_REGION)
        self.data_sources = invokes.DataSources()
        self.unknown_offline: list[str] = []
        """Values left unknown because only AWS or another stack holds them (besides data sources')."""
        self.absent_offline: list[str] = []
        """What the plain form of a data source got as None because it is not known offline."""
        self.not_simulated: list[str] = []
        """Resources whose outputs the simulated provider could not compute (left unknown), with why."""
        self.bugs: list[str] = []
        # Whether the program has asked for a callback (a transform): the recorder then calls
        # back into it, so its engine calls must not block the program's event loop.
        self.calls_back = False

    # -- URNs and providers ----------------------------------------------------------------------

    def urn(self, parent: str, type_token: str, name: str) -> str:
        qualified = type_token
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                qualified = f"{parent_type}${type_token}"
        return f"urn:pulumi:{self.stack}::{self.project.name}::{qualified}::{name}"

    def _default_provider(self, package: str, version: str) -> Resource:
        name = "default_" + version.replace(".", "_") if version else "default"
        urn = self.urn("", PROVIDER_PREFIX + package, name)
        existing = self.by_urn.get(urn)
        if existing is not None:
            return existing
        inputs: dict[str, Any] = dict(self._provider_config.get(package, {}))
        if version:
            inputs["version"] = version
        provider = Resource(
            urn=urn,
            type=PROVIDER_PREFIX + package,
            name=name,
            custom=True,
            parent=None,
            inputs={},
            outputs={},
            dependencies=[],
            property_dependencies={},
            id=UNKNOWN if self.preview else names.digest(urn, 8) + "-" + names.digest(urn + "id", 4),
        )
        provider.wire_inputs = inputs
        provider.inputs = plain(inputs)
        provider.set_outputs(dict(inputs))
        self._add(provider)
        return provider

    def _provider_for(self, request_provider: str, package: str, version: str) -> Resource:
        if request_provider:
            urn = request_provider.rsplit("::", 1)[0]
            explicit = self.by_urn.get(urn)
            if explicit is not None:
                return explicit
        return self._default_provider(package, version)

    def _region(self, provider: Optional[Resource]) -> str:
        if provider is not None and provider.inputs.get("region"):
            return str(provider.inputs["region"])
        return self._default_region

    def _default_tags(self, provider: Optional[Resource]) -> Optional[dict[str, Any]]:
        if provider is None:
            return None
        tags = provider.inputs.get("defaultTags")
        return tags if isinstance(tags, dict) else None

    def _add(self, resource: Resource) -> None:
        self.records.append(resource)
        self.by_urn[resource.urn] = resource
        self.resources[resource.urn] = MockMonitor.ResourceRegistration(
            resource.urn, resource.id or "", resource.outputs
        )
        if self.on_register is not None:
            self.on_register(resource)

    # -- the ResourceMonitor service -------------------------------------------------------------

    def RegisterStackTransform(self, request):
        with self._lock:
            self._stack_transforms.append(request)
            self.calls_back = True
        return empty_pb2.Empty()

    def _transform(self, request, urn: str) -> Any:
        """Run the transforms the engine would, in its order: the resource's own, its ancestors',
        then the stack's, each through the program's callback server. Returns the request to use."""
        with self._lock:
            self._transforms_by_urn[urn] = list(request.transforms)
            self.calls_back = self.calls_back or bool(request.transforms)
            chain = list(request.transforms)
            ancestor = request.parent
            while ancestor:
                chain.extend(self._transforms_by_urn.get(ancestor, []))
                parent_record = self.by_urn.get(ancestor)
                ancestor = parent_record.parent if parent_record is not None else None
            chain.extend(self._stack_transforms)
        if not chain:
            return request
        transformed = resource_pb2.RegisterResourceRequest()
        transformed.CopyFrom(request)
        options = resource_pb2.TransformResourceOptions(
            depends_on=list(request.dependencies),
            protect=request.protect,
            ignore_changes=list(request.ignoreChanges),
            version=request.version,
            provider=request.provider,
            additional_secret_outputs=list(request.additionalSecretOutputs),
        )
        for callback in chain:
            call = callback_pb2.CallbackInvokeRequest(
                token=callback.token,
                request=resource_pb2.TransformRequest(
                    type=request.type,
                    name=request.name,
                    custom=request.custom,
                    parent=request.parent,
                    properties=transformed.object,
                    options=options,
                ).SerializeToString(),
            )
            with grpc.insecure_channel(callback.target) as channel:
                reply = callback_pb2_grpc.CallbacksStub(channel).Invoke(call)
            response = resource_pb2.TransformResponse.FromString(reply.response)
            if response.HasField("properties"):
                transformed.object.CopyFrom(response.properties)
            if response.HasField("options"):
                options = response.options
        transformed.protect = options.protect
        del transformed.ignoreChanges[:]
        transformed.ignoreChanges.extend(options.ignore_changes)
        transformed.provider = options.provider
        extra = [urn for urn in options.depends_on if urn not in transformed.dependencies]
        transformed.dependencies.extend(extra)
        return transformed

    @_guarded
    def RegisterResource(self, request):
        urn = self.urn(request.parent, request.type, request.name)
        request = self._transform(request, urn)
        wire_inputs = {k: for_analyzer(v) for k, v in struct_to_wire(request.object).items()}
        property_dependencies = {k: list(v.urns) for k, v in request.propertyDependencies.items()}
        record = Resource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent or None,
            inputs={},
            outputs={},
            dependencies=list(request.dependencies),
            property_dependencies=property_dependencies,
            remote=bool(request.remote),
            options={
                "protect": bool(request.protect),
                "ignoreChanges": list(request.ignoreChanges),
                "deleteBeforeReplace": bool(request.deleteBeforeReplace),
                "deleteBeforeReplaceDefined": bool(request.deleteBeforeReplaceDefined),
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
            },
        )
        with self._lock:
            if urn in self.by_urn:
                raise OfflineGap(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            if request.type == STACK_TYPE:
                self.stack_urn = urn
            elif request.custom and request.type.startswith(PROVIDER_PREFIX):
                self._explicit_provider(record, wire_inputs)
            elif request.custom:
                self._custom(record, wire_inputs, request.provider, request.version, request.importId)
            else:
                record.wire_inputs = wire_inputs
                record.inputs = plain(wire_inputs)
                if request.remote:
                    self._remote_component(record, request.provider, request.version)
            self._add(record)
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=record.id if isinstance(record.id, str) else "")
        if record.remote and not self.preview and not record.simulated:
            # A component whose children its provider builds: offline none of its outputs is
            # known. A non-success result is how the engine tells the SDK to resolve every
            # output unknown (not None), so the program's applies on them do not run.
            response.result = resource_pb2.Result.FAIL
        elif record.remote:
            # What the component's provider returns: its outputs, never its inputs echoed (an
            # input and an output of one name may differ in type: awsx Vpc's natGateways).
            response.object.update({key: record.wire_outputs[key] for key in record.simulated})
        elif record.custom:
            # Converted in place (a Struct given to the constructor would be copied into it).
            response.object.SetInParent()
            response.object.update(record.wire_outputs)
            record.outputs_struct = response.object
        return response

    def _explicit_provider(self, record: Resource, wire_inputs: dict[str, Any]) -> None:
        record.wire_inputs = wire_inputs
        record.inputs = plain(wire_inputs)
        record.id = UNKNOWN if self.preview else names.digest(record.urn, 8)
        record.set_outputs(dict(wire_inputs))

    def _custom(
        self, record: Resource, wire_inputs: dict[str, Any], provider_ref: str, version: str, import_id: str
    ) -> None:
        package = record.type.split(":", 1)[0]
        provider = self._provider_for(provider_ref, package, version)
        record.provider = provider.urn
        known_inputs = plain(wire_inputs)
        if package == "aws":
            corrections = names.check(record.type, record.name, record.urn, known_inputs)
        else:
            corrections = providers.check(record.type, known_inputs)
        checked = {**wire_inputs, **corrections}
        record.wire_inputs = checked
        record.inputs = _plain_merged(wire_inputs, known_inputs, corrections)
        resource_id, computed = self._compute(record, provider)
        if import_id:
            resource_id = import_id
        if self.preview and not import_id:
            computed = {
                k: (v if k in _KNOWN_IN_PREVIEW and not contains_unknown(checked.get("tags")) else UNKNOWN_WIRE)
                for k, v in computed.items()
            }
            # What the provider computes and the stand-in does not: unknown all the same.
            for key in schema.always_returned(record.type) - checked.keys() - computed.keys():
                computed[key] = UNKNOWN_WIRE
            record.id = UNKNOWN
        else:
            record.id = resource_id
        # An auto-name's suffix is random under Pulumi; the one here is made up too.
        autonamed = {names.AUTONAMED[record.type][0]} - wire_inputs.keys() if record.type in names.AUTONAMED else set()
        record.simulated = frozenset((set(computed) - _KNOWN_IN_PREVIEW) | {"id"} | autonamed)
        # A bridged provider's outputs carry the id too; stack policies match resources by it.
        computed["id"] = UNKNOWN_WIRE if record.id is UNKNOWN else record.id
        outputs = {**checked, **computed}
        # The engine keeps the outputs the SDK names secret (its schema's secret properties) as
        # secrets (which `plain` unwraps: the plain outputs are the same either way).
        for key in record.options["additionalSecretOutputs"]:
            if key in outputs and not is_secret(outputs[key]):
                outputs[key] = secret(outputs[key])
        record.set_outputs(outputs, _plain_merged(checked, record.inputs, computed))

    def _compute(self, record: Resource, provider: Resource) -> tuple[str, dict[str, Any]]:
        """The id and outputs the provider computes from the checked inputs. Placeholders stand in
        for unknown inputs, so the arithmetic on strings works: a preview discards what is
        computed (it is unknown), and after an update what was computed from a placeholder is
        unknown, as the value it came from (a secret's content, another stack's output)."""
        package = record.type.split(":", 1)[0]
        unknown_inputs = contains_unknown(record.inputs)
        placeholder = "unknown" if self.preview else _UPDATE_PLACEHOLDER
        known = _placeholders(record.inputs, placeholder) if unknown_inputs else record.inputs
        region = self._region(provider)
        if package == "aws":
            created = resources.create(record.type, record.urn, known, region, self._default_tags(provider))
            resource_id, computed = created.id, created.outputs
            providers.fill(record.type, record.urn, known, computed, region, outputs_only=True)
        else:
            made = providers.create(record.type, record.urn, record.name, known, region)
            resource_id, computed = made.id, made.outputs
            if made.not_simulated:
                self.not_simulated.append(f"{record.type} {record.name!r}: {made.not_simulated}")
        if unknown_inputs and not self.preview:
            computed = {k: UNKNOWN_WIRE if _mentions(v, placeholder) else v for k, v in computed.items()}
            if placeholder in resource_id:
                resource_id = f"{record.name}-{names.digest(record.urn, 8)}"
        return resource_id, computed

    def _remote_component(self, record: Resource, provider_ref: str, version: str) -> None:
        package = record.type.split(":", 1)[0]
        provider = self._provider_for(provider_ref, package, version) if provider_ref else None
        computed = components.remote_component(record.type, record.urn, record.inputs, self._region(provider))
        if self.preview:
            computed = {k: UNKNOWN_WIRE for k in computed}
        record.simulated = frozenset(computed)
        record.set_outputs({**record.wire_inputs, **computed})

    @_guarded
    def RegisterResourceOutputs(self, request):
        wire = {k: for_analyzer(v) for k, v in struct_to_wire(request.outputs).items()}
        with self._lock:
            record = self.by_urn.get(request.urn)
            if record is not None:
                record.set_outputs(wire)
        return empty_pb2.Empty()

    @_guarded
    def ReadResource(self, request):
        urn = self.urn(request.parent, request.type, request.name)
        state = {k: for_analyzer(v) for k, v in struct_to_wire(request.properties).items()}
        package = request.type.split(":", 1)[0]
        with self._lock:
            provider = self._provider_for(request.provider, package, request.version)
            record = Resource(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=True,
                parent=request.parent or None,
                inputs=plain(state),
                outputs={},
                dependencies=list(request.dependencies),
                property_dependencies={},
                id=request.id,
                provider=provider.urn,
            )
            record.wire_inputs = state
            computed = {}
            if package == "aws":
                computed = resources.create(request.type, urn, record.inputs, self._region(provider)).outputs
            record.simulated = frozenset(computed)
            record.set_outputs({**state, **computed})
            if request.type == STACK_REFERENCE_TYPE:
                # Another stack's outputs are in its state, which an offline run has not: unknown
                # (the response's `unknown`), so what the program derives from them waits.
                record.set_outputs({**state, "outputs": UNKNOWN_WIRE, "secretOutputNames": UNKNOWN_WIRE})
                self.unknown_offline.append(
                    f"the outputs of stack {request.properties['name']!r} (pulumi.StackReference)"
                )
                self._add(record)
                return resource_pb2.ReadResourceResponse(urn=urn, properties=wire_to_struct(state), unknown=True)
            self._add(record)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=wire_to_struct(record.wire_outputs))

    @_guarded
    def Invoke(self, request):
        args = plain(struct_to_wire(request.args))
        if request.tok == "pulumi:pulumi:getResource":
            record = self.by_urn.get(args.get("urn"))
            if record is None:
                raise OfflineGap(f"unknown resource {args.get('urn')}")
            result = {"urn": record.urn, "id": record.id or "", "state": record.wire_outputs}
        else:
            provider = None
            if request.provider:
                provider = self.by_urn.get(request.provider.rsplit("::", 1)[0])
            result = self.data_sources.invoke(request.tok, args, self._region(provider))
            if contains_unknown(result):
                if not _called_plainly(request.tok, args):
                    # The engine's own answer for a result it cannot know yet: the Output form's
                    # result is unknown, so the program's applies on it do not run.
                    return resource_pb2.ResourceInvokeResponse(unknown=True)
                # The plain form cannot carry an unknown (the SDK reads every field of the
                # result at once): what is unknown is absent, None to the program.
                result = {k: v for k, v in result.items() if v != UNKNOWN_WIRE}
                if contains_unknown(args):
                    shown = invokes.names({request.tok})[0]
                    self.absent_offline.append(f"the answer of {shown}, an argument of which is unknown")
                elif request.tok in invokes.ACCOUNT_CONTENT:
                    self.absent_offline.append(self.data_sources.describe(request.tok, args))
        return resource_pb2.ResourceInvokeResponse(**{"return": wire_to_struct(_drop_none(result))})

    def Call(self, request):
        raise OfflineGap(f"the method {request.tok} of a multi-language component cannot run offline")

    # -- views -----------------------------------------------------------------------------------

    @property
    def stack_outputs_wire(self) -> dict[str, Any]:
        record = self.by_urn.get(self.stack_urn or "")
        return record.wire_outputs if record is not None else {}


def _called_plainly(token: str, args: dict[str, Any]) -> bool:
    """Whether the program is waiting on this invoke in its plain form (`aws.ssm.get_parameter`,
    not `get_parameter_output`): the request is the same, so the calling frames tell. The plain
    form calls the SDK's `pulumi.runtime.invoke.invoke` and waits in it for the answer; an
    invoke answered on a thread of its own (a program with transforms) counts as plain, the
    answer that cannot make the SDK fail."""
    frame = inspect.currentframe()
    on_loop = False
    while frame is not None:
        module = frame.f_globals.get("__name__")
        if module == "pulumi.runtime.invoke" and frame.f_code.co_name == "invoke":
            if frame.f_locals.get("tok") == token and _same_arguments(frame.f_locals.get("props"), args):
                return True
        on_loop = on_loop or module == "asyncio.events"
        frame = frame.f_back
    return not on_loop


def _same_arguments(given: Any, args: dict[str, Any]) -> bool:
    """Whether the arguments a plain invoke was given are (as far as they are plain values) the
    request's, so that an Output-form invoke of the same data source answered meanwhile is not
    taken for it."""
    if not isinstance(given, dict):
        return False
    scalars = (str, int, float, bool)
    return all(args.get(key) == value for key, value in given.items() if isinstance(value, scalars))


def _plain_merged(wire: dict[str, Any], plain_wire: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`plain({**wire, **changes})`, given `plain_wire = plain(wire)`: `plain` turns a dict key by
    key (when the dict is no signed value), so only the changed keys are turned again. The
    result shares the values it keeps with `plain_wire` (records are read, never changed)."""
    if SIG_KEY in wire or SIG_KEY in changes:
        return cast(dict[str, Any], plain({**wire, **changes}))
    return {**plain_wire, **{key: plain(value) for key, value in changes.items()}}


def _placeholders(value: Any, placeholder: str = "unknown") -> Any:
    if value is UNKNOWN:
        return placeholder
    if isinstance(value, dict):
        return {k: _placeholders(v, placeholder) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholders(v, placeholder) for v in value]
    return value


def _mentions(value: Any, text: str) -> bool:
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(_mentions(v, text) for v in value.values())
    if isinstance(value, list):
        return any(_mentions(v, text) for v in value)
    return False


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


class RecordingEngine:
    """The Engine service the SDK logs to: keeps the messages, so errors fail the run."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, str, str]] = []

    def Log(self, request):
        self.messages.append((request.severity, request.message, request.urn))
        return empty_pb2.Empty()

    def RequirePulumiVersion(self, request):
        return empty_pb2.Empty()

    @property
    def errors(self) -> list[str]:
        return [message for severity, message, _ in self.messages if severity == engine_pb2.ERROR]

    @property
    def warnings(self) -> list[str]:
        return [message for severity, message, _ in self.messages if severity == engine_pb2.WARNING]
