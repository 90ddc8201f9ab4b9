"""Terraform and the AWS provider as installed on this machine: found, configured, never downloaded.

Terraform's own processes get a CLI configuration of ours (a filesystem mirror on the provider's
directory and no direct installation), so `terraform init` can only use what is on disk.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import RehearsalInputError

PROVIDER_SOURCE = "registry.terraform.io/hashicorp/aws"
# The provider the rehearsal is written against: the newest 5.x installed on this machine.
PROVIDER_VERSION = "5.100.0"
_SEARCH_ROOTS = (
    "/opt",
    "/usr/local/share",
    "/usr/share",
    str(Path.home() / ".terraform.d"),
    str(Path.home() / ".local/share/terraform"),
)
_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fargate-rehearsal"


@dataclass(frozen=True)
class Toolchain:
    terraform: str
    plugin_dir: Path
    """The filesystem mirror: holds registry.terraform.io/hashicorp/aws/<version>/<os_arch>/."""
    version: str

    def cli_config(self, directory: Path) -> Path:
        config = directory / "terraform.rc"
        config.write_text(
            "provider_installation {\n"
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(self.plugin_dir))}\n"
            f'    include = ["{PROVIDER_SOURCE}"]\n  }}\n'
            '  direct { exclude = ["*/*/*"] }\n}\n'
            "disable_checkpoint = true\n"
        )
        return config

    def environment(self, config: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        env.update(
            {
                "TF_CLI_CONFIG_FILE": str(config),
                "TF_IN_AUTOMATION": "1",
                "TF_INPUT": "0",
                "CHECKPOINT_DISABLE": "1",
                # The provider must never find real credentials on this machine.
                "AWS_ACCESS_KEY_ID": "rehearsal",
                "AWS_SECRET_ACCESS_KEY": "rehearsal",
                "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            }
        )
        return env


def find_toolchain(plugin_dir: Optional[str] = None) -> Toolchain:
    terraform = shutil.which("terraform")
    if terraform is None:
        raise RehearsalInputError(
            "terraform is not on the PATH: install Terraform 1.5 or newer "
            "(https://developer.hashicorp.com/terraform/install)"
        )
    mirror = Path(plugin_dir).resolve() if plugin_dir else _find_mirror()
    if mirror is None:
        raise RehearsalInputError(
            f"the Terraform AWS provider {PROVIDER_VERSION} is not installed: put it in a filesystem mirror "
            f"(<dir>/{PROVIDER_SOURCE}/{PROVIDER_VERSION}/linux_amd64/) and pass --plugin-dir <dir>"
        )
    binary_dir = mirror / PROVIDER_SOURCE / PROVIDER_VERSION
    if not any(binary_dir.glob("*/terraform-provider-aws_*")):
        raise RehearsalInputError(
            f"--plugin-dir {mirror}: no {PROVIDER_SOURCE}/{PROVIDER_VERSION}/<os_arch>/terraform-provider-aws_* "
            "in it; a Terraform filesystem mirror of the AWS provider is needed"
        )
    return Toolchain(terraform, mirror, PROVIDER_VERSION)


def _find_mirror() -> Optional[Path]:
    """The same search as `find / -name 'terraform-provider-aws_*'`, on the usual roots only."""
    for root in _SEARCH_ROOTS:
        base = Path(root)
        if not base.is_dir():
            continue
        for binary in base.glob(f"**/{PROVIDER_SOURCE}/{PROVIDER_VERSION}/*/terraform-provider-aws_*"):
            # <mirror>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/<binary>
            return binary.parents[5]
    return None


def required_providers() -> dict:
    return {"required_providers": {"aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSION}}}


def phase_timeout() -> float:
    """Seconds one Terraform command may take before the rehearsal ends it: generous (the slowest
    command measured, the prod stack's apply, takes about 2 minutes), so only a hang reaches it."""
    value = os.environ.get("REHEARSAL_PHASE_TIMEOUT", "600")
    try:
        return float(value)
    except ValueError:
        raise RehearsalInputError(f"REHEARSAL_PHASE_TIMEOUT={value!r}: a number of seconds is needed") from None


TIMEOUT_HINT = "(REHEARSAL_PHASE_TIMEOUT sets the limit)"
TIMED_OUT = 124  # the return code a command ended by the rehearsal's timeout is given, as timeout(1) does


def run(
    toolchain: Toolchain,
    directory: Path,
    env: dict[str, str],
    *args: str,
    check: bool = True,
    timeout: Optional[float] = None,
) -> subprocess.CompletedProcess:
    """One Terraform command. Past the timeout, Terraform and the provider it started (one process
    group) are killed and the command counts as failed with return code TIMED_OUT."""
    limit = phase_timeout() if timeout is None else timeout
    process = subprocess.Popen(
        [toolchain.terraform, *args],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        stdout, stderr = process.communicate()
        stderr += f"\nrehearsal: terraform {args[0]} did not finish within {limit:.0f} s and was ended " + TIMEOUT_HINT
        completed = subprocess.CompletedProcess(process.args, TIMED_OUT, stdout, stderr)
    else:
        completed = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check and completed.returncode != 0:
        raise TerraformFailed(args[0], completed.stdout, completed.stderr)
    return completed


class TerraformFailed(Exception):
    def __init__(self, command: str, stdout: str, stderr: str) -> None:
        super().__init__(f"terraform {command} failed")
        self.command = command
        self.stdout = stdout
        self.stderr = stderr


def provider_schema(toolchain: Toolchain) -> dict:
    """`terraform providers schema -json` of the provider, read once and cached by version."""
    cache = _CACHE / f"aws-{toolchain.version}-schema.json"
    if cache.is_file():
        try:
            return json.loads(cache.read_text())
        except ValueError:
            pass  # a torn write from an interrupted run: read it again
    with tempfile.TemporaryDirectory(prefix="rehearsal-schema-") as scratch:
        directory = Path(scratch)
        (directory / "main.tf.json").write_text(json.dumps({"terraform": required_providers()}))
        env = toolchain.environment(toolchain.cli_config(directory))
        run(toolchain, directory, env, "init", "-no-color", "-backend=false")
        dump = run(toolchain, directory, env, "providers", "schema", "-json").stdout
    document = json.loads(dump)["provider_schemas"][PROVIDER_SOURCE]
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(document))
    partial.replace(cache)
    return document
