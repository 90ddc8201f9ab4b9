"""Finding Terraform and the provider, and ending a Terraform command that hangs: no Terraform needed."""

import os
import subprocess
import sys
import time
from pathlib import Path

from rehearsal import terraform

ROOT = Path(__file__).resolve().parents[2]


def test_without_terraform_on_the_path_the_check_exits_2_naming_what_to_install(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}
    process = subprocess.run(
        [sys.executable, "-m", "rehearsal", "--check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [
        "rehearsal: error: terraform is not on the PATH: install Terraform 1.5 or newer "
        "(https://developer.hashicorp.com/terraform/install)"
    ]


def test_a_plugin_dir_without_the_provider_exits_2_naming_the_mirror_layout(tmp_path):
    fake = tmp_path / "terraform"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    process = subprocess.run(
        [sys.executable, "-m", "rehearsal", "--check", "--plugin-dir", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2
    assert "registry.terraform.io/hashicorp/aws/5.100.0/<os_arch>/terraform-provider-aws_*" in process.stderr


def test_a_command_past_its_timeout_is_ended_with_the_processes_it_started(tmp_path):
    """A stand-in for Terraform that starts a child (as Terraform starts the provider) and hangs."""
    pid_file = tmp_path / "child.pid"
    fake = tmp_path / "terraform"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {pid_file}\necho planning\nwait\n")
    fake.chmod(0o755)
    toolchain = terraform.Toolchain(str(fake), tmp_path, terraform.PROVIDER_VERSION)
    started = time.monotonic()
    process = terraform.run(toolchain, tmp_path, dict(os.environ), "apply", check=False, timeout=1)
    assert time.monotonic() - started < 30
    assert process.returncode == terraform.TIMED_OUT
    assert process.stdout == "planning\n"
    assert process.stderr.strip().endswith(
        "terraform apply did not finish within 1 s and was ended (REHEARSAL_PHASE_TIMEOUT sets the limit)"
    )
    child = int(pid_file.read_text())
    for _ in range(50):  # the child is killed with its group; give the kernel a moment to reap it
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"the hung command's child {child} is still running")


def test_a_timed_out_command_fails_its_phase_with_the_timeout_named():
    from rehearsal.runner import Failure, _diagnostics
    from rehearsal.translate import Translation

    process = subprocess.CompletedProcess(
        ["terraform", "apply"],
        terraform.TIMED_OUT,
        '{"type": "version"}\n',
        "\nrehearsal: terraform apply did not finish within 600 s and was ended (REHEARSAL_PHASE_TIMEOUT sets the limit)",
    )
    assert _diagnostics(process, Translation([], [], [], {}), "apply") == [
        Failure(
            "apply",
            "",
            "terraform apply did not finish within 600 s and was ended (REHEARSAL_PHASE_TIMEOUT sets the limit)",
        )
    ]
