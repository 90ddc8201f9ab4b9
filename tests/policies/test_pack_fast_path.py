"""The pack as the engine runs it replaces nothing of pulumi-policy but the deserializer, for
the secret marking (`fargate_policies/_secrets.py`).

What a pack process replaces is read inside it, once it serves, through a `sitecustomize` hook.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from preflight.analyzer import ENGINE_ADDRESS

from ..conftest import POLICY_PACK

# -- what a pack process replaces ---------------------------------------------------------------

# Loaded first by the pack's interpreter (PYTHONPATH): notes pulumi-policy's module attributes and
# servicer methods, and on SIGUSR1 (sent once the pack serves) writes the names of those replaced
# since, and leaves.
HOOK = """
import os, signal
from pulumi_policy import policy

def attributes():
    servicer = {"servicer." + name: value for name, value in vars(policy._PolicyAnalyzerServicer).items()}
    return {**vars(policy), **servicer}

before = attributes()

def report(*_):
    now = attributes()
    replaced = sorted(name for name in before if now.get(name) is not before[name])
    os.write(2, ("replaced: " + " ".join(replaced) + "\\n").encode())
    os._exit(0)

signal.signal(signal.SIGUSR1, report)
"""


def replaced_in(command: list[str], tmp_path: Path, **env: str) -> list[str]:
    """What the pack process started as `command` in the pack's directory replaces of
    pulumi-policy by the time it serves."""
    (tmp_path / "sitecustomize.py").write_text(HOOK)
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), **env}
    with subprocess.Popen(
        [sys.executable, *command], cwd=POLICY_PACK, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None
        port = process.stdout.readline()
        assert port.strip().isdigit(), process.communicate()[1].decode()
        process.send_signal(signal.SIGUSR1)
        _, stderr = process.communicate(timeout=30)
    lines = [line for line in stderr.decode().splitlines() if line.startswith("replaced:")]
    assert lines, stderr.decode()
    return lines[0].split()[1:]


def test_the_pack_as_the_engine_runs_it_replaces_only_the_deserializer(tmp_path):
    engine = ["-u", "-m", "pulumi.policy", ENGINE_ADDRESS, "."]
    assert replaced_in(engine, tmp_path) == ["deserialize_properties"]
