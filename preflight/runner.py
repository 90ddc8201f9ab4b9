"""Run a Pulumi Python program offline, as the Python language host would, against the recorder."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import os
import runpy
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union

import pulumi
import pulumi.runtime
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_in_stack

from . import invokes
from .errors import OfflineGap, ProgramError, chain_of, trace
from .fastpath import sdk as fast_sdk
from .project import Project, load_project
from .recorder import RecordingEngine, RecordingMonitor, Resource
from .result import RunResult, dependency_order
from .values import plain

if TYPE_CHECKING:
    from .analyzer import PolicyAnalyzer

REPOSITORY_POLICY_PACK = Path(__file__).resolve().parent.parent / "policies"
# The coroutines the SDK runs an `Output.apply` callback in (pulumi/output.py) and a resource's
# registration in (pulumi/runtime/resource.py), whose failure wraps a failed input's exception.
_APPLY_RUN = "Output.apply.<locals>.run"
_REGISTER = "register_resource.<locals>.do_register"
_PACKAGE_DIR = str(Path(__file__).resolve().parent) + os.sep


def run(
    project_dir: Union[str, Path] = ".",
    stack: str = "dev",
    *,
    preview: bool = False,
    stack_config: Optional[Mapping[str, Any]] = None,
    policy_pack: Union[str, Path, None] = REPOSITORY_POLICY_PACK,
    policy_pack_config: Union[str, Path, Mapping[str, Any], None] = None,
    analyzer: Optional[PolicyAnalyzer] = None,
) -> RunResult:
    """Preview (or simulate the `up` of) a Pulumi Python program offline and judge it by a policy pack.

    `stack_config` (full keys such as `{"fargate:services": {...}}`) replaces `Pulumi.<stack>.yaml`.
    `policy_pack=None` runs no policy. `analyzer` reuses a running `PolicyAnalyzer` (one pack
    process for many runs); `policy_pack_config` is a file path or the parsed JSON document.
    Raises `ProgramError` when the program, its config or the policy pack config is wrong.
    """
    project = load_project(project_dir, stack, stack_config)
    owned: Optional[PolicyAnalyzer] = None
    if analyzer is None and policy_pack is not None:
        from .analyzer import PolicyAnalyzer

        # Start the pack now: its process boots while the program runs.
        owned = analyzer = PolicyAnalyzer(policy_pack, project=project, stack=stack, preview=preview)
    session = analyzer.begin(project, stack, preview, policy_pack_config) if analyzer is not None else None
    try:
        result = execute(project, stack, preview, on_register=session.submit if session else None)
        if session is not None:
            session.finish(result)
        return result
    finally:
        if session is not None:
            session.cancel()
        if owned is not None:
            owned.close()


def execute(
    project: Project, stack: str, preview: bool, on_register: Optional[Callable[[Resource], None]] = None
) -> RunResult:
    """Run the program in a fresh Pulumi runtime (its own context, event loop and modules)."""
    return contextvars.Context().run(_execute, project, stack, preview, on_register)


def _execute(
    project: Project, stack: str, preview: bool, on_register: Optional[Callable[[Resource], None]]
) -> RunResult:
    monitor = RecordingMonitor(project, stack, preview, on_register)
    engine = RecordingEngine()
    loop = _InProcessLoop(monitor)
    loop.set_exception_handler(_quiet_abandoned_futures)
    asyncio.set_event_loop(loop)
    pulumi_settings.configure(
        pulumi_settings.Settings(
            project=project.name,
            stack=stack,
            monitor=monitor,
            engine=engine,
            dry_run=preview,
            organization="organization",
            root_directory=str(project.directory),
        )
    )
    pulumi.runtime.set_all_config(dict(project.config), list(project.secret_keys))
    program_dir = project.program if project.program.is_dir() else project.program.parent
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    stashed = _isolate(project, program_dir)
    saved_modules = set(sys.modules)
    os.chdir(project.directory)
    # A Pulumi program allocates a great many short-lived objects, nearly all freed by reference
    # counting; the cycle collector's passes over the large heap of imported SDK modules were
    # the single biggest cost of a run, so it rests until the program is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with fast_sdk.in_place():
            loop.run_until_complete(run_in_stack(lambda: _run_program(project.program)))
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        if monitor.bugs:
            raise ProgramError(monitor.bugs[0]) from None
        failure = _describe(loop.wrapped(error), project, loop.raised_in_apply)
        raise _given_none(failure, monitor.absent_offline) from None
    finally:
        if collecting:
            gc.enable()
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        _forget_program_modules(saved_modules, project)
        for name in stashed.keys() & sys.modules.keys():
            del sys.modules[name]
        sys.modules.update(stashed)
        _close(loop)
        asyncio.set_event_loop(None)
    if monitor.bugs:
        raise ProgramError(monitor.bugs[0])
    if engine.errors:
        raise ProgramError(engine.errors[0].strip().splitlines()[0])
    return RunResult(
        project=project.name,
        stack=stack,
        preview=preview,
        resources=dependency_order(monitor.records),
        outputs=plain(monitor.stack_outputs_wire),
        warnings=engine.warnings,
        wire_outputs=monitor.stack_outputs_wire,
        notes=[project.secrets_note] if project.secrets_note else [],
        simulated_data_sources=invokes.names(monitor.data_sources.simulated),
        unknown_offline=sorted(monitor.data_sources.unknown_offline + monitor.unknown_offline),
        not_simulated=list(monitor.not_simulated),
    )


def _close(loop: asyncio.AbstractEventLoop) -> None:
    """Close the program's loop as `asyncio.run` closes its own: what the program left pending (a
    failed program's unfinished outputs and registrations) cancelled and let finish, so that
    nothing is destroyed pending later, then the executor shut down."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())
    loop.close()


class _InProcessLoop(asyncio.SelectorEventLoop):
    """The language host's event loop, with the engine in this process.

    The SDK hands every call to the engine (RegisterResource, Invoke, ...) to the loop's default
    thread pool, because against the real engine it is a blocking gRPC call. Here the engine is
    the recorder, which answers from memory and, unless the program serves callbacks, never
    waits for the loop, so the call runs at once on the loop's own thread: no thread hop, no
    wake-up through the loop's self-pipe, and no waiting on the interpreter lock behind a
    program that is busy building the next resource. The SDK awaits the same future either way.
    Calls with an executor of their own, and every call once the program may serve callbacks
    (transforms: the recorder then calls back into the program, which needs this loop), go to
    threads as the SDK sends them."""

    def __init__(self, monitor: RecordingMonitor) -> None:
        super().__init__()
        self._monitor = monitor
        # Where each failed `apply` callback raised, kept as its task failed (see create_task).
        self.raised_in_apply: dict[BaseException, Optional[TracebackType]] = {}
        # The registrations that failed, each wrapping the exception of the input that failed it.
        self.failed_registrations: list[BaseException] = []

    def create_task(self, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        """An `apply` callback's exception reaches the program's end by whichever of the SDK's
        futures fails first (set order): the registration's, which wraps it per resource and
        input, or an output's, bare, with a traceback that on Python 3.11 may no longer reach the
        program. So the callback's traceback is kept when its task fails, and each failed
        registration, so that the error shows the program's line and the wrappers on every run.
        One done-callback per `apply` and per registration, none for the SDK's other tasks."""
        task = super().create_task(coro, **kwargs)
        name = getattr(coro, "__qualname__", "")
        if name == _APPLY_RUN:
            task.add_done_callback(self._keep_traceback)
        elif name == _REGISTER:
            task.add_done_callback(self._keep_failed_registration)
        return task

    def _keep_traceback(self, task: asyncio.Task[Any]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.raised_in_apply.setdefault(error, error.__traceback__)

    def _keep_failed_registration(self, task: asyncio.Task[Any]) -> None:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.failed_registrations.append(error)

    def wrapped(self, error: BaseException) -> BaseException:
        """`error` as a failed registration wrapped it, when it surfaced bare."""
        if len(chain_of(error)) > 1:
            return error
        return next((failed for failed in self.failed_registrations if chain_of(failed)[-1] is error), error)

    def run_in_executor(self, executor: Any, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:  # type: ignore[override]  # typeshed spells it with TypeVarTuple
        if executor is not None or self._monitor.calls_back or pulumi_settings.SETTINGS.callbacks is not None:
            return super().run_in_executor(executor, func, *args)
        future: asyncio.Future[Any] = self.create_future()
        try:
            future.set_result(func(*args))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:
            future.set_exception(error)
        return future


def _quiet_abandoned_futures(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A failed program leaves the outputs of its unfinished resources failed and unawaited;
    the failure itself is already reported, so asyncio's complaint about each one is noise."""
    if str(context.get("message", "")).endswith("exception was never retrieved"):
        return
    loop.default_exception_handler(context)


def _isolate(project: Project, program_dir: Path) -> dict[str, Any]:
    """Make the import path the language host's: the program's directory first, then the project's,
    then the interpreter's own, without the caller's directory or this repository (unless that is
    the project). Modules already imported from those directories are set aside (and returned, to
    be put back), so a program's `components` package is its own, not this repository's."""
    project_root = os.path.realpath(project.directory)
    foreign = {
        os.path.realpath(path)
        for path in (
            os.getcwd(),
            str(REPOSITORY_POLICY_PACK.parent),
            os.path.dirname(os.path.abspath(sys.argv[0] or ".")),
        )
    }
    foreign.discard(project_root)

    def outside(path: str) -> bool:
        return os.path.realpath(path or ".") not in foreign

    sys.path[:] = [str(program_dir), str(project.directory)] + [p for p in sys.path if outside(p)]
    installed = (
        os.path.realpath(sys.prefix) + os.sep,
        os.path.realpath(sys.base_prefix) + os.sep,
        os.path.realpath(_PACKAGE_DIR),
    )
    roots = tuple(path + os.sep for path in foreign)
    stashed: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        if name in ("__main__", "__mp_main__"):  # the caller's script itself, which runpy needs
            continue
        origin = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", None) or []), "")
        if not origin or "site-packages" in origin:
            continue
        real = os.path.realpath(origin)
        if real.startswith(roots) and not real.startswith(installed) and not real.startswith(project_root + os.sep):
            stashed[name] = sys.modules.pop(name)
    return stashed


def _forget_program_modules(before: set[str], project: Project) -> None:
    """Drop the program's own modules, so the next run (maybe another project) imports its own."""
    root = str(project.directory) + os.sep
    installed = (sys.prefix + os.sep, _PACKAGE_DIR)
    for name in set(sys.modules) - before:
        module_file = getattr(sys.modules.get(name), "__file__", None) or ""
        if (
            module_file.startswith(root)
            and not module_file.startswith(installed)
            and "site-packages" not in module_file
        ):
            del sys.modules[name]


def _special(error: BaseException) -> Optional[BaseException]:
    """The link of the chain that already says what is wrong in the preflight's own words."""
    return next(
        (link for link in chain_of(error) if isinstance(link, (ProgramError, OfflineGap, pulumi.RunError))), None
    )


def _describe(
    error: BaseException, project: Project, kept: Optional[Mapping[BaseException, Optional[TracebackType]]] = None
) -> ProgramError:
    said = _special(error)
    if said is not None:
        return ProgramError(str(said).strip() or type(said).__name__)
    if isinstance(error, SystemExit):
        return ProgramError(f"the program exited with status {error.code}")
    cause = trace(error, str(project.directory), (_PACKAGE_DIR,), kept)
    innermost = chain_of(error)[-1]
    frames = traceback.extract_tb(innermost.__traceback__)
    if frames and frames[-1].filename.startswith(_PACKAGE_DIR):
        frame = frames[-1]
        return ProgramError(
            f"preflight failed on this program (a bug in preflight, please report it): "
            f"{cause.type}: {cause.message} at {os.path.basename(frame.filename)}:{frame.lineno}",
            cause,
        )
    where = f" (at {cause.location})" if cause.location else ""
    return ProgramError(f"the program raised {cause.type}: {cause.message}{where}".rstrip(": "), cause)


def _given_none(error: ProgramError, absent: list[str]) -> ProgramError:
    """The error, naming what the program got as None from a data source's plain form because it
    is not known offline (the likely cause of a failure that follows)."""
    if not absent:
        return error
    return ProgramError(
        f"{error.message}; note: the program was given None for {'; '.join(absent)}, which an "
        "offline run cannot know (the data source's Output form leaves it unknown instead)",
        error.cause,
    )


def _run_program(program: Path) -> None:
    """The program's `__main__.py`, run as Pulumi runs it (its globals are not the stack's outputs)."""
    runpy.run_path(str(program), run_name="__main__")
