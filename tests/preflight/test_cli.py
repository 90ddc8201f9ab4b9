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
    assert completed.stderr.splitlines() == [
        "preflight: error: the program raised KeyError: 'missing' (at __main__.py:12)",
        '  __main__.py:12 in <module>: {}["missing"]',
        "  (--debug shows the full traceback)",
    ]


APPLY_ERROR = FIXTURES / "apply_error"
# What the fixture's helper module raises inside the program's `apply`, and where.
JSON_ERROR = "JSONDecodeError: Expecting value: line 1 column 1 (char 0)"


@pytest.mark.parametrize("mode", [[], ["--preview"]])
def test_an_error_inside_apply_shows_its_cause_the_chain_and_the_programs_line(capsys, mode):
    """The SDK wraps a failed `apply` per input and per resource; the block names the innermost
    exception, the program's own file and line (a helper module, not the SDK's), then the wrappers."""
    status, out, err = cli(capsys, "--stack", "dev", "--project-dir", APPLY_ERROR, *mode)
    assert status == 2 and out == ""
    assert "Traceback" not in err
    assert err.splitlines() == [
        f"preflight: error: the program raised {JSON_ERROR} (at settings.py:7)",
        "  settings.py:7 in database_url: settings = json.loads(raw)",
        "  wrapped by (outermost first):",
        "    ValueError: While processing resource: 'app', type: 'aws:ecs/taskDefinition:TaskDefinition'",
        "    ValueError: While processing input: 'container_definitions', type <class 'str'>",
        "  (--debug shows the full traceback)",
    ]


def test_json_carries_the_error_block_fields(capsys):
    status, out, err = cli(capsys, "--stack", "dev", "--project-dir", APPLY_ERROR, "--json")
    assert status == 2 and err.startswith(f"preflight: error: the program raised {JSON_ERROR}")
    assert json.loads(out) == {
        "error": {
            "message": f"the program raised {JSON_ERROR} (at settings.py:7)",
            "cause": {
                "type": "JSONDecodeError",
                "message": "Expecting value: line 1 column 1 (char 0)",
                "chain": [
                    {
                        "type": "ValueError",
                        "message": "While processing resource: 'app', type: 'aws:ecs/taskDefinition:TaskDefinition'",
                    },
                    {
                        "type": "ValueError",
                        "message": "While processing input: 'container_definitions', type <class 'str'>",
                    },
                ],
                "location": {
                    "file": "settings.py",
                    "line": 7,
                    "function": "database_url",
                    "code": "settings = json.loads(raw)",
                },
            },
        },
        "summary": {"exitCode": 2},
    }


def test_json_of_a_config_error_has_the_message_and_no_cause(capsys):
    status, out, _ = cli(
        capsys, "--stack", "runerror", "--project-dir", BROKEN, "--policy-pack", FIXTURE_PACK, "--json"
    )
    assert status == 2
    assert json.loads(out)["error"] == {
        "message": "broken:failure: 'runerror' is not allowed; expected one of none",
        "cause": None,
    }


def test_debug_prints_the_full_traceback_before_the_block(capsys):
    status, _, err = cli(capsys, "--stack", "dev", "--project-dir", APPLY_ERROR, "--debug")
    assert status == 2
    trace, block = err.split("preflight: error: ")
    assert trace.startswith("Traceback (most recent call last):")
    assert 'settings.py", line 7, in database_url' in trace and "json/decoder.py" in trace
    assert block.startswith(f"the program raised {JSON_ERROR} (at settings.py:7)")


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
