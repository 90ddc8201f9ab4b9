"""preflight/__main__.py: `python -m preflight`'s exit status, its one-line errors, its defaults."""

import json
import subprocess
import sys

import pytest

from .conftest import BROKEN, FARGATE, FIXTURE_PACK, FIXTURES, IMAGE_BUILD, REPOSITORY, cli, tree


@pytest.mark.parametrize(
    "args, message",
    [
        (["--stack", "dev", "--bogus"], "preflight: error: unrecognized arguments: --bogus (see --help)"),
        (
            ["--project-dir", str(FARGATE)],
            "preflight: error: the following arguments are required: --stack (see --help)",
        ),
        (["--stack", "dev", "--graph", "dot"], "preflight: error: argument --graph: invalid choice: 'dot'"),
        (["--stack", "nope", "--project-dir", str(FARGATE)], "preflight: error: no stack file for stack 'nope'"),
        (
            ["--stack", "runerror", "--project-dir", str(BROKEN), "--policy-pack", str(FIXTURE_PACK)],
            "preflight: error: broken:failure: 'runerror' is not allowed; expected one of none",
        ),
        (
            [
                "--stack",
                "secure",
                "--project-dir",
                str(FARGATE),
                "--policy-pack",
                str(FIXTURE_PACK),
                "--policy-pack-config",
                str(FIXTURES / "missing.json"),
            ],
            "preflight: error: cannot read the policy pack config",
        ),
    ],
)
def test_wrong_command_config_or_program_exits_2_with_one_line(capsys, args, message):
    status, out, err = cli(capsys, *args)
    assert status == 2 and out == ""
    assert err.startswith(message) and err.count("\n") == 1


def test_a_program_that_raises_exits_2_without_a_traceback():
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "preflight",
            "--stack",
            "raise",
            "--project-dir",
            str(BROKEN),
            "--policy-pack",
            str(FIXTURE_PACK),
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr == "preflight: error: the program raised KeyError: 'missing' (at __main__.py:12)\n"


def test_repository_pack_fails_the_bridge_mode_example_by_name(capsys):
    """The default pack is this repository's `policies/`; exit 1 names the walkthrough's rule."""
    status, out, _ = cli(capsys, "--stack", "bridge", "--project-dir", FARGATE, "--preview", "--json")
    document = json.loads(out)
    assert status == 1 and document["summary"]["exitCode"] == 1
    assert [v["policy"] for v in document["violations"] if v["enforcementLevel"] == "mandatory"] == [
        "fargate-awsvpc-network-mode"
    ]


def test_the_cli_says_what_was_not_judged_and_strict_exits_3(capsys):
    from preflight.__main__ import main

    args = ["--stack", "dev", "--project-dir", str(IMAGE_BUILD), "--preview"]
    assert main(args) == 0
    out = capsys.readouterr().out
    lines = out.rstrip().splitlines()
    assert lines[-1].startswith(f"INCOMPLETE: image-build/dev (preview): {len(tree(out))} resources, 0 mandatory")
    assert lines[-1].endswith("; not expanded offline: awsx:ecs:FargateService; exit 0")
    assert lines[-3].startswith("Not judged: awsx:ecs:FargateService are multi-language components whose provider")
    assert lines[-2] == "`--strict` makes this exit 3."
    assert main(args + ["--strict", "--json"]) == 3
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert (summary["notExpanded"], summary["strict"], summary["exitCode"]) == (["awsx:ecs:FargateService"], True, 3)
