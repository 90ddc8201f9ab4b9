"""python -m preflight --stack NAME [--project-dir DIR] [--policy-pack DIR]
                       [--policy-pack-config FILE] [--preview] [--strict] [--json] [--graph mermaid]
                       [--debug]

Exit status: 0 no mandatory violation; 1 at least one; 2 the program, its config or the
command line is wrong (one line on stderr, no traceback; a program's exception adds its file and
line and the exceptions that wrapped it, and --debug the traceback); 3 with --strict, no mandatory violation
but something was not judged: a mandatory policy could not run, a multi-language component was not
expanded, a value only the account or another stack holds was read, or a resource was not simulated.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn, Optional

from . import report
from .errors import ProgramError
from .runner import REPOSITORY_POLICY_PACK, run

EXIT_INVALID = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see --help)")


def _fail(message: str) -> NoReturn:
    print(f"preflight: error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_INVALID)


def _fail_program(error: ProgramError, args: argparse.Namespace) -> NoReturn:
    """The program or its config is wrong: the error block on stderr (the traceback too with
    `--debug`), and with `--json` the same fields as a document on stdout."""
    if args.json:
        print(json.dumps(report.error_document(error), indent=2), flush=True)
    if args.debug and error.cause is not None:
        print(error.cause.traceback, file=sys.stderr, end="")
    print(report.error_text(error), file=sys.stderr)
    raise SystemExit(EXIT_INVALID)


def parse(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = _Parser(
        prog="python -m preflight",
        description="Preview a Pulumi Python program offline (no Pulumi CLI, no cloud credentials) "
        "and judge it by a policy pack over the pack's gRPC Analyzer interface.",
        epilog="Exit status: 0 no mandatory violation, 1 a mandatory violation, 2 the program, "
        "its config or the command line is wrong, 3 (with --strict) something was not judged.",
    )
    parser.add_argument("--stack", required=True, help="the stack whose Pulumi.<stack>.yaml is read")
    parser.add_argument("--project-dir", default=".", help="the Pulumi project (default: .)")
    parser.add_argument(
        "--policy-pack",
        default=str(REPOSITORY_POLICY_PACK),
        help="the policy pack directory (default: this repository's policies/)",
    )
    parser.add_argument("--policy-pack-config", help="JSON file in the format of pulumi's --policy-pack-config")
    parser.add_argument(
        "--preview", action="store_true", help="leave what a new stack would only learn on deployment unknown"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 3 when something was not judged: a mandatory policy could not run (values unknown "
        "until deployed), a multi-language component was not expanded, a value only the account or "
        "another stack holds (a secret, a parameter, a stack reference) was read, or a resource was not simulated",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the report")
    parser.add_argument("--graph", choices=["mermaid"], help="print the architecture as a diagram instead")
    parser.add_argument(
        "--debug", action="store_true", help="print the full Python traceback when the program (or preflight) fails"
    )
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse(argv)
    # One run, then the process ends: nothing it allocates needs the cycle collector, whose
    # passes over the SDK's large heap cost more than the run's garbage (the runner restores
    # the state it found, so the collector stays off until exit).
    gc.disable()
    try:
        result = run(
            args.project_dir,
            args.stack,
            preview=args.preview,
            policy_pack=args.policy_pack,
            policy_pack_config=args.policy_pack_config,
        )
    except ProgramError as error:
        _fail_program(error, args)
    except Exception as error:
        if args.debug or os.environ.get("PREFLIGHT_DEBUG"):
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {error} (--debug shows the traceback)")
    result.strict = args.strict
    if args.json:
        rendered = json.dumps(report.document(result), indent=2)
    elif args.graph == "mermaid":
        rendered = report.mermaid(result)
    else:
        rendered = report.text(result)
    try:
        print(rendered, flush=True)
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return result.exit_code


if __name__ == "__main__":
    status = main()
    # Everything is printed; spare the interpreter's final collection over every object the run
    # made (a third of a second on a 40-resource stack).
    gc.freeze()
    sys.exit(status)
