"""Drive a policy pack over its gRPC Analyzer interface, the way the Pulumi engine does.

The engine starts a Python pack as `pulumi-analyzer-policy-python <engine> . -virtualenv=...`
in the pack's directory, a shim that runs `python -u -m pulumi.policy <engine> .` with the
virtualenv's interpreter; the pack prints its port on stdout. Then, per deployment:
`ConfigureStack`, `GetAnalyzerInfo`, `Configure` with the reconciled policy config (schema
defaults, the pack's initial config, then `--policy-pack-config`, validated against each
policy's schema), `Analyze` for every resource as it is registered (its inputs after the
provider's Check), and `AnalyzeStack` once at the end (every resource's outputs, with parent,
dependencies and property dependencies). Unknowns travel as the engine's unknown sentinel,
secrets as secret objects: the pack's own deserializer and unknown-checking proxy see exactly
what they would see under `pulumi preview --policy-pack`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Optional, Union

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from . import relay
from .errors import ProgramError
from .fastpath import pack as pack_fast_path
from .project import Project
from .recorder import Resource
from .relay import config_problems
from .result import Exemption, NotApplicable, PolicyMetadata, Remediation, RunResult, Violation
from .values import display, is_secret, struct_to_wire, wire_to_struct

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}
# The protocol's severity numbers (0: the policy set none).
SEVERITY_NAMES = {1: "low", 2: "medium", 3: "high", 4: "critical"}
START_TIMEOUT_SECONDS = 60.0
# The engine address handed to the pack, as the engine does. `pulumi.policy` does not dial it
# (the pack's log calls go to its stderr), so nothing needs to listen there.
ENGINE_ADDRESS = "127.0.0.1:0"
# A finding a policy excused as an exemption, one line of its not-applicable reason (the form
# policies/fargate_policies/_exemptions.py writes; tests/policies/test_exemptions.py holds them equal).
EXEMPTION_LINE = re.compile(
    r"^exempt (?P<urn>\S+) by (?P<source>.+?), reason: (?P<reason>.*?); would report: (?P<message>.*)$"
)
MIRRORS_TAG = "mirrors:"


class PolicyAnalyzer:
    """One running policy pack process, reusable across many `preflight.run` calls.

        with PolicyAnalyzer("policies") as analyzer:
            run(".", "dev", analyzer=analyzer)
            run(".", "prod", analyzer=analyzer)

    The process starts at construction and is waited for on first use, so a caller can run the
    program meanwhile. `project`, `stack` and `preview` set the `PULUMI_*` environment the
    engine gives the pack process (fixed for its lifetime; the engine starts one per deployment).
    """

    def __init__(
        self,
        pack_dir: Union[str, Path],
        *,
        project: Optional[Project] = None,
        stack: Optional[str] = None,
        preview: Optional[bool] = None,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        manifest = self.pack_dir / "PulumiPolicy.yaml"
        if not manifest.is_file():
            raise ProgramError(f"no policy pack in {self.pack_dir}: PulumiPolicy.yaml not found")
        try:
            document = yaml.safe_load(manifest.read_text()) or {}
        except yaml.YAMLError as error:
            raise ProgramError(f"{manifest}: not valid YAML ({error})") from None
        runtime = document.get("runtime")
        runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if runtime_name != "python":
            raise ProgramError(f"{manifest}: runtime is {runtime_name!r}; preflight runs Python packs only")
        options = runtime.get("options") or {} if isinstance(runtime, dict) else {}
        self.manifest_version = str(document["version"]) if document.get("version") else ""
        self._stderr: list[str] = []
        self._port_line: Optional[str] = None
        self._ready = threading.Event()
        self._stderr_closed = threading.Event()
        self._stub: Optional[analyzer_pb2_grpc.AnalyzerStub] = None
        self._channel: Optional[grpc.Channel] = None
        self._info: Optional[analyzer_pb2.AnalyzerInfo] = None
        self._configured: Optional[str] = None
        env = dict(os.environ)
        env.update(_pack_environment(project, stack, preview))
        self._process = subprocess.Popen(
            # As the engine's shim runs it, through the pack's fast path (preflight/fastpath/pack.py).
            [_interpreter(self.pack_dir, options.get("virtualenv")), *pack_fast_path.command(ENGINE_ADDRESS)],
            cwd=self.pack_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _yield_to_the_program(self._process.pid)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        # The engine's side of `Analyze` (preflight/relay.py), started beside the pack.
        try:
            self._relay = _Relay()
        except BaseException:
            self._process.kill()  # nothing would close a pack whose analyzer was never made
            self._process.wait()
            raise

    # -- process -------------------------------------------------------------------------------

    def _read_stdout(self) -> None:
        assert self._process.stdout is not None
        first = self._process.stdout.readline()
        self._port_line = first.strip()
        self._ready.set()
        for _ in self._process.stdout:
            pass

    def _read_stderr(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line.rstrip("\n"))
            if line.startswith(pack_fast_path.ANNOUNCEMENT):
                sys.stderr.write(line)  # the pack's fast path is off: said as this process says its own
        self._stderr_closed.set()
        self._ready.set()

    def _failure(self, what: str) -> ProgramError:
        detail = [line for line in self._stderr if line.strip()]
        last = detail[-1].strip() if detail else "no output"
        return ProgramError(f"policy pack {self.pack_dir} {what}: {last}")

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not self._port_line and time.monotonic() < deadline:
                if self._process.poll() is not None:
                    self._ready.wait(1.0)
                    if not self._port_line:
                        raise self._failure(f"failed to start (exit status {self._process.returncode})")
                self._ready.wait(0.05)
            if not self._port_line or not self._port_line.isdigit():
                raise self._failure("did not report its port")
            self._channel = grpc.insecure_channel(self.address)
            self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return self._stub

    @property
    def address(self) -> str:
        """Where the pack listens (known once it has printed its port)."""
        return f"127.0.0.1:{self._port_line}"

    def close(self) -> None:
        self._relay.close()
        if self._channel is not None:
            self._channel.close()
        if self._process.poll() is None:
            self._process.terminate()
            _wait_or_kill(self._process)

    def __enter__(self) -> PolicyAnalyzer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def analyze_failure(self, urn: str, details: str) -> ProgramError:
        """A failed `Analyze`: the pack's own last words if the failure was the pack stopping
        (its connection closes a moment before its process is gone), else gRPC's."""
        try:
            self._process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            return ProgramError(f"policy pack Analyze of {urn} failed: {details}")
        self._stderr_closed.wait(timeout=1.0)
        return self._failure("stopped during Analyze")

    def call(self, method: str, request: Any) -> Any:
        return self._invoke(method, lambda: getattr(self.stub, method)(request))

    def call_serialized(self, method: str, request: bytes, response_type: Any) -> Any:
        """`method` with a request that is already serialized."""
        self.stub  # noqa: B018  # the channel, once the pack has started
        assert self._channel is not None
        call = self._channel.unary_unary(
            f"/pulumirpc.Analyzer/{method}", request_serializer=None, response_deserializer=response_type.FromString
        )
        return self._invoke(method, lambda: call(request))

    def send_analyze(self, request: bytes) -> None:
        """Send `Analyze` with a serialized request, through the relay, without waiting."""
        if not self._relay.connected:
            self.stub  # noqa: B018  # the pack's address, once it has started
            self._relay.connect(self.address)
        self._relay.analyze(request)

    def analyze_answers(self) -> list[tuple[bool, bytes]]:
        """The answer to each `Analyze` sent since the last call, in the order sent: (True, the
        `AnalyzeResponse`) or (False, gRPC's error details)."""
        return self._relay.answers()

    def _invoke(self, method: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except grpc.RpcError as error:
            if self._process.poll() is not None:
                raise self._failure(f"stopped during {method}") from None
            raise ProgramError(f"policy pack {method} failed: {error.details()}") from None

    # -- the engine's side of the protocol -----------------------------------------------------

    @property
    def info(self) -> analyzer_pb2.AnalyzerInfo:
        if self._info is None:
            self._info = self.call("GetAnalyzerInfo", empty_pb2.Empty())
        return self._info

    @property
    def label(self) -> str:
        return f"{self.info.name}@v{self.manifest_version or self.info.version}"

    def policies(self) -> dict[str, analyzer_pb2.PolicyInfo]:
        return {policy.name: policy for policy in self.info.policies}

    def configure(self, config: Union[str, Path, Mapping[str, Any], None]) -> dict[str, dict[str, Any]]:
        """Reconcile and validate the policy config like the CLI, then send it with `Configure`."""
        reconciled = reconcile_config(self.info, load_policy_config(config), validate=self._relay.validate)
        key = json.dumps(reconciled, sort_keys=True)
        if key != self._configured:
            request = analyzer_pb2.ConfigureAnalyzerRequest()
            for name, entry in reconciled.items():
                policy_config = request.policyConfig[name]
                policy_config.enforcementLevel = LEVELS[entry["enforcementLevel"]]
                policy_config.properties.update(entry["properties"])
            self.call("Configure", request)
            self._configured = key
        return reconciled

    def begin(
        self,
        project: Project,
        stack: str,
        preview: bool,
        policy_pack_config: Union[str, Path, Mapping[str, Any], None] = None,
    ) -> Session:
        """Start judging a deployment: resources are analyzed as they are registered."""
        return Session(self, project, stack, preview, policy_pack_config)

    def remediated(self, request: analyzer_pb2.AnalyzeRequest) -> tuple[analyzer_pb2.AnalyzeRequest, list[Remediation]]:
        """`Remediate`, as the engine sends it before `Analyze`: the request with each remediation's
        properties in place (in the pack's order), and what each changed."""
        response = self.call("Remediate", request)
        applied = []
        for remediation in response.remediations:
            changes: list[tuple[str, Any, Any]] = []
            if remediation.HasField("properties"):
                changes = _changes(struct_to_wire(request.properties), struct_to_wire(remediation.properties))
                request.properties.CopyFrom(remediation.properties)
            applied.append(Remediation(remediation.policyName, request.urn, tuple(changes), remediation.diagnostic))
        return request, applied

    def metadata(self) -> dict[str, PolicyMetadata]:
        """Each policy's display name, remediation steps and mirrored ids, as the pack states them."""
        return {
            policy.name: PolicyMetadata(
                display_name=policy.displayName,
                remediation_steps=policy.remediation_steps,
                mirrors=tuple(tag[len(MIRRORS_TAG) :] for tag in policy.tags if tag.startswith(MIRRORS_TAG)),
            )
            for policy in self.info.policies
        }


class Session:
    """One deployment's conversation with the pack.

    Like the engine, it sends `Analyze` for each resource as the program registers it (without
    waiting for the answer, so the pack works on the other core while the program goes on), and
    `AnalyzeStack` once the program is done. Each `Analyze` goes out through the relay process
    (its request serialized once, its answer read once every registration is sent).
    """

    _DONE = object()

    def __init__(
        self,
        analyzer: PolicyAnalyzer,
        project: Project,
        stack: str,
        preview: bool,
        policy_pack_config: Union[str, Path, Mapping[str, Any], None],
    ) -> None:
        self.analyzer = analyzer
        self.project = project
        self.stack = stack
        self.preview = preview
        self.policy_pack_config = policy_pack_config
        self.providers: dict[str, Resource] = {}
        self._provider_messages: dict[Optional[str], Optional[analyzer_pb2.AnalyzerProviderResource]] = {}
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # The URN of each `Analyze` sent, in the order sent (the order of its answers).
        self._pending: list[str] = []
        self._error: Optional[BaseException] = None
        self._levels: dict[str, str] = {}
        self._remediate = False
        self._remediations: list[Remediation] = []
        self._thread = threading.Thread(target=self._work, name="preflight-analyze", daemon=True)
        self._thread.start()

    def _provider(self, resource: Resource) -> Optional[analyzer_pb2.AnalyzerProviderResource]:
        """The resource's provider as the engine describes it in `Analyze` and `AnalyzeStack`
        (built once per provider; None for none)."""
        if resource.provider not in self._provider_messages:
            self._provider_messages[resource.provider] = _provider(resource, self.providers)
        return self._provider_messages[resource.provider]

    def _described(self, message: Any, resource: Resource, properties: struct_pb2.Struct, **fields: Any) -> Any:
        """What `Analyze` and `AnalyzeStack` both say of a resource, as a `message`: `properties`
        is its inputs or outputs."""
        return message(
            type=resource.type,
            urn=resource.urn,
            name=resource.name,
            options=_options(resource),
            properties=properties,
            provider=self._provider(resource),
            **fields,
        )

    def submit(self, resource: Resource) -> None:
        """Called by the recorder for each registration, in registration order: the session's
        thread sends it."""
        self._queue.put(resource)

    def _send(self, resource: Resource) -> None:
        """Send `Analyze` for `resource` without waiting for the answer."""
        if self._error is not None:
            return
        try:
            if resource.type.startswith("pulumi:providers:"):
                self.providers[resource.urn] = resource
            request = self._described(analyzer_pb2.AnalyzeRequest, resource, _engine_struct(resource.wire_inputs))
            if self._remediate:
                request, applied = self.analyzer.remediated(request)
                self._remediations.extend(applied)
            # Calls in flight hide the round trips; the pack serves them in turn.
            self.analyzer.send_analyze(request.SerializeToString())
            self._pending.append(resource.urn)
        except BaseException as error:
            self._error = error

    def _work(self) -> None:
        """Configure the pack (waiting for it to start), then send each registration, in turn:
        from this thread, so the registering one only queues it (measured: 7% less wall time at
        50 services than sending from the registering thread)."""
        try:
            analyzer = self.analyzer
            analyzer.call(
                "ConfigureStack",
                analyzer_pb2.AnalyzerStackConfigureRequest(
                    stack=self.stack,
                    project=self.project.name,
                    organization="organization",
                    dry_run=self.preview,
                    config=self.project.config,
                    config_secret_keys=list(self.project.secret_keys),
                ),
            )
            reconciled = analyzer.configure(self.policy_pack_config)
            self._levels = {name: entry["enforcementLevel"] for name, entry in reconciled.items()}
            self._remediate = any(entry["enforcementLevel"] == "remediate" for entry in reconciled.values())
        except BaseException as error:
            self._error = error
            return
        while True:
            resource = self._queue.get()
            if resource is self._DONE:
                return
            self._send(resource)

    def cancel(self) -> None:
        """Stop after what is queued, so a shared pack is free for the next deployment (the
        answers to what this session sent and never read are waited for and dropped)."""
        self._queue.put(self._DONE)
        self._thread.join()
        if self._pending:
            self.analyzer.analyze_answers()  # waited for, so the pack is free for the next deployment

    def finish(self, result: RunResult) -> None:
        """Wait for every Analyze, run AnalyzeStack, and fill in the result's verdicts."""
        self._queue.put(self._DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error
        violations: list[Violation] = []
        not_applicable: list[NotApplicable] = []
        exemptions: list[Exemption] = []

        def collect(response: analyzer_pb2.AnalyzeResponse, urn: str) -> None:
            for diagnostic in response.diagnostics:
                level = LEVEL_NAMES.get(diagnostic.enforcementLevel, "advisory")
                violations.append(
                    Violation(
                        policy=diagnostic.policyName,
                        enforcement_level="mandatory" if level == "remediate" else level,
                        urn=urn or diagnostic.urn,
                        message=diagnostic.message,
                        pack=diagnostic.policyPackName,
                        severity=SEVERITY_NAMES.get(diagnostic.severity),
                    )
                )
            for entry in response.not_applicable:
                excused = [EXEMPTION_LINE.match(line) for line in entry.reason.split("\n")]
                if entry.reason and all(excused):
                    exemptions.extend(Exemption(entry.policy_name, **m.groupdict()) for m in excused if m)
                else:
                    not_applicable.append(NotApplicable(entry.policy_name, urn, entry.reason))

        # The stack is described while the pack answers its last Analyze calls (on the other
        # core); AnalyzeStack still goes out only once every Analyze is answered, as the engine sends it.
        stack_request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                self._described(
                    analyzer_pb2.AnalyzerResource,
                    resource,
                    _engine_struct(resource.wire_outputs, resource.outputs_struct),
                    parent=resource.parent or "",
                    dependencies=resource.dependencies,
                    propertyDependencies={
                        key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                        for key, urns in resource.property_dependencies.items()
                        if urns
                    },
                )
                for resource in result.resources
            ]
        ).SerializeToString()
        answers = self.analyzer.analyze_answers() if self._pending else []
        self._pending, pending = [], self._pending
        for urn, (ok, answer) in zip(pending, answers, strict=True):
            if not ok:
                raise self.analyzer.analyze_failure(urn, answer.decode())
            collect(analyzer_pb2.AnalyzeResponse.FromString(answer), urn)
        collect(self.analyzer.call_serialized("AnalyzeStack", stack_request, analyzer_pb2.AnalyzeResponse), "")
        # Analyze answers arrive in registration order, which varies from run to run.
        result.violations = sorted(violations, key=lambda v: (v.policy, v.urn))
        result.not_applicable = sorted(not_applicable, key=lambda n: (n.policy, n.urn))
        result.exemptions = sorted(exemptions, key=lambda e: (e.policy, e.urn, e.message))
        result.remediations = sorted(self._remediations, key=lambda r: (r.policy, r.urn))
        result.policies = self.analyzer.metadata()
        result.policy_pack = self.analyzer.label
        # pulumi-policy reports a policy that read an unknown as an advisory "can't run policy".
        result.mandatory_not_run = sorted(
            {
                v.policy
                for v in violations
                if v.message.startswith("can't run policy") and self._levels.get(v.policy) in ("mandatory", "remediate")
            }
        )


_RELAY_STOPPED = "the preflight's relay to the policy pack stopped"


class _Relay:
    """The relay process (preflight/relay.py) and the preflight's end of its socket pair."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        with theirs:
            # -P: the relay's folder (this package) is not put first on its import path.
            self._process = subprocess.Popen(
                [sys.executable, "-P", relay.__file__, str(theirs.fileno())], pass_fds=[theirs.fileno()]
            )
        _yield_to_the_program(self._process.pid)
        self._connection = Connection(mine.detach())
        self._sent = 0  # `Analyze` requests since the last answers
        self.connected = False

    def connect(self, address: str) -> None:
        self._send(relay.CONNECT + address.encode())
        self.connected = True

    def analyze(self, request: bytes) -> None:
        self._send(relay.ANALYZE + request)
        self._sent += 1

    def validate(self, entries: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
        """`config_problems(entries)`, answered by the relay (which alone imports jsonschema)."""
        self._send(relay.VALIDATE + json.dumps(entries).encode())
        return list(json.loads(self._receive()))

    def answers(self) -> list[tuple[bool, bytes]]:
        """One per `analyze` since the last call, in order: (True, the answer) or (False, the error)."""
        sent, self._sent = self._sent, 0
        self._send(relay.FINISH)
        frames = [self._receive() for _ in range(sent)]
        return [(frame[:1] == relay.ANSWER, frame[1:]) for frame in frames]

    def _send(self, frame: bytes) -> None:
        try:
            self._connection.send_bytes(frame)
        except OSError:
            raise ProgramError(_RELAY_STOPPED) from None

    def _receive(self) -> bytes:
        try:
            return self._connection.recv_bytes()
        except EOFError:
            raise ProgramError(_RELAY_STOPPED) from None

    def close(self) -> None:
        self._connection.close()  # the relay ends when its end of the pair closes
        _wait_or_kill(self._process)


def _yield_to_the_program(pid: int) -> None:
    """Run a helper process at a lower priority than the program's, so that where both want one
    core the program keeps it."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + 5)
    except (OSError, AttributeError):
        pass  # not on this system, or not allowed: the helper runs at the program's priority


def _wait_or_kill(process: subprocess.Popen[Any]) -> None:
    """Wait for a helper process that was asked to end; kill it if it has not within 5 s."""
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _engine_view(wire: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the engine's internal keys (secrets stay secret values, as the engine sends them)."""
    return {k: v for k, v in wire.items() if not k.startswith("__")}


def _engine_struct(wire: Mapping[str, Any], struct: Optional[struct_pb2.Struct] = None) -> struct_pb2.Struct:
    """The engine's view of `wire` as a Struct; `struct` is `wire` converted already (the
    recorder's answer to the registration), used where that view is all of `wire`."""
    if struct is None or any(key.startswith("__") for key in wire):
        struct = wire_to_struct(_engine_view(wire))
    return struct


def _options(resource: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    options = resource.options
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=options.get("protect", False),
        ignoreChanges=options.get("ignoreChanges", []),
        deleteBeforeReplace=options.get("deleteBeforeReplace", False),
        deleteBeforeReplaceDefined=options.get("deleteBeforeReplaceDefined", False),
        additionalSecretOutputs=options.get("additionalSecretOutputs", []),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
    )


def _changes(old: Any, new: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Where `new` differs from `old` (wire values): (property path, old, new) as `display` shows
    them, objects compared key by key, anything else (lists, secrets) whole."""
    if isinstance(old, dict) and isinstance(new, dict) and not is_secret(old) and not is_secret(new):
        found = []
        for key in sorted(set(old) | set(new)):
            if not key.startswith("__"):
                found += _changes(old.get(key), new.get(key), f"{path}.{key}" if path else key)
        return found
    return [] if old == new else [(path, display(old), display(new))]


def _provider(resource: Resource, providers: dict[str, Resource]) -> Optional[analyzer_pb2.AnalyzerProviderResource]:
    provider = providers.get(resource.provider or "")
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type,
        urn=provider.urn,
        name=provider.name,
        properties=wire_to_struct(_engine_view(provider.wire_inputs)),
    )


def _pack_environment(project: Optional[Project], stack: Optional[str], preview: Optional[bool]) -> dict[str, str]:
    env: dict[str, str] = {}
    if project is not None and project.config:
        env["PULUMI_CONFIG"] = json.dumps(project.config)
    if project is not None:
        env["PULUMI_PROJECT"] = project.name
        env["PULUMI_ORGANIZATION"] = "organization"
    if stack is not None:
        env["PULUMI_STACK"] = stack
    if preview is not None:
        env["PULUMI_DRY_RUN"] = "true" if preview else "false"
    return env


def _interpreter(pack_dir: Path, virtualenv: Optional[str]) -> str:
    """The interpreter the engine's shim would pick: the pack's virtualenv, else this one."""
    if virtualenv:
        candidate = (pack_dir / virtualenv / "bin" / "python").absolute()
        if candidate.exists():
            return str(candidate)
    return sys.executable


# -- policy pack config, as `--policy-pack-config` --------------------------------------------


def load_policy_config(config: Union[str, Path, Mapping[str, Any], None]) -> dict[str, dict[str, Any]]:
    """Parse the CLI's policy config format into {policy: {enforcementLevel?, properties}}."""
    if config is None:
        return {}
    if isinstance(config, Mapping):
        document: Any = dict(config)
        source = "policy pack config"
    else:
        path = Path(config)
        try:
            text = path.read_text()
        except OSError as error:
            raise ProgramError(f"cannot read the policy pack config {path}: {error.strerror}") from None
        if not text.strip():
            return {}
        try:
            document = json.loads(text)
        except ValueError as error:
            raise ProgramError(f"{path}: not valid JSON ({error})") from None
        source = str(path)
    if not isinstance(document, dict):
        raise ProgramError(f"{source}: expected a JSON object of policy name to level or settings")
    parsed: dict[str, dict[str, Any]] = {}
    for name, value in document.items():
        if isinstance(value, str):
            entry: dict[str, Any] = {"enforcementLevel": _level(source, name, value), "properties": {}}
        elif isinstance(value, dict):
            properties = dict(value)
            level = properties.pop("enforcementLevel", None)
            entry = {"properties": properties}
            if level is not None:
                entry["enforcementLevel"] = _level(source, name, level)
        else:
            raise ProgramError(
                f"{source}: parsing {name!r}: {value!r} is not a valid value; must be a string or object"
            )
        if entry.get("enforcementLevel") or entry["properties"]:
            parsed[name] = entry
    return parsed


def _level(source: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or value not in LEVELS:
        raise ProgramError(
            f"{source}: parsing enforcement level for {name!r}: {value!r} is not a valid "
            f"enforcement level (one of {', '.join(LEVELS)})"
        )
    return value


def reconcile_config(
    info: analyzer_pb2.AnalyzerInfo,
    given: Mapping[str, dict[str, Any]],
    validate: Optional[Callable[[list[tuple[str, dict[str, Any], dict[str, Any]]]], list[str]]] = None,
) -> dict[str, dict[str, Any]]:
    """Schema defaults, then the pack's initial config, then the given config; then validate
    (each policy's config against its schema: `config_problems` unless `validate` is given)."""
    schemas: dict[str, dict[str, Any]] = {}
    result: dict[str, dict[str, Any]] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = list(policy.configSchema.required) if policy.HasField("configSchema") else []
        schemas[policy.name] = {"type": "object", "properties": schema, **({"required": required} if required else {})}
        result[policy.name] = {
            "enforcementLevel": LEVEL_NAMES[policy.enforcementLevel],
            "properties": {k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v},
        }
    initial = {
        name: {
            **({"enforcementLevel": LEVEL_NAMES[entry.enforcementLevel]} if entry.enforcementLevel else {}),
            "properties": json_format.MessageToDict(entry.properties),
        }
        for name, entry in info.initialConfig.items()
    }
    unknown = sorted(set(given) - set(result) - {"all"})
    if unknown:
        raise ProgramError(
            f"the policy pack config names policies the pack {info.name!r} does not have: "
            f"{', '.join(unknown)} (known: {', '.join(sorted(result))})"
        )
    for layer in (initial, given):
        everyone = layer.get("all", {}).get("enforcementLevel")
        if everyone:
            for entry in result.values():
                entry["enforcementLevel"] = everyone
        for name, entry in layer.items():
            if name == "all" or name not in result:
                continue
            if entry.get("enforcementLevel"):
                result[name]["enforcementLevel"] = entry["enforcementLevel"]
            result[name]["properties"].update(entry.get("properties") or {})
    problems = (validate or config_problems)(
        [(name, schema, result[name]["properties"]) for name, schema in schemas.items()]
    )
    if problems:
        raise ProgramError(f"validating policy config: {info.name}: " + "; ".join(problems))
    return result
