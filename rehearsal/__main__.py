"""python -m rehearsal --stack STACK [--project-dir DIR] [--update-to STACK2] [--plugin-dir DIR] [--json]

STACK and STACK2 are stack names (Pulumi.<name>.yaml in the project) or paths to stack files.
Exit status: 0 all good; 1 a resource failed, or a re-plan difference or a leftover is not
explained by the emulator's gaps; 2 bad input or Terraform/the provider/moto missing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn, Optional

from .emulator import require_moto
from .errors import RehearsalInputError
from .runner import Outcome, rehearse
from .terraform import find_toolchain


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see --help)")


def _fail(message: str) -> NoReturn:
    print(f"rehearsal: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def text(outcome: Outcome) -> str:
    lines = [f"rehearsal of stack {outcome.stack}" + (f" -> {outcome.update_to}" if outcome.update_to else "")]
    lines.append(f"  applied      {outcome.applied} of {outcome.expected} resources")
    replan = outcome.replan
    if replan["clean"]:
        lines.append("  re-plan      clean")
    else:
        lines.append(
            f"  re-plan      {len(replan['changes'])} unexplained, "
            f"{len(replan['explainedByEmulator'])} explained by emulator gaps"
        )
        for change in replan["changes"]:
            lines.append(f"    ! {change['address']} {change['action']}: {', '.join(change.get('attributes', []))}")
        for change in replan["explainedByEmulator"]:
            lines.append(f"    ~ {change['address']}: {', '.join(change['attributes'])} ({'; '.join(change['gaps'])})")
    if outcome.update is not None:
        actions = outcome.update["actions"]
        lines.append(
            f"  update       {len(actions)} resource(s) changed"
            + ("" if outcome.update["applied"] else ", NOT applied")
        )
        for action in actions:
            lines.append(f"    {action['action']:<8} {action['address']}")
    lines.append(f"  destroyed    {outcome.destroyed}")
    lines.append(
        f"  leftover     {len(outcome.leftover)}"
        + "".join(f"\n    ! {left['kind']} {left['id']}" for left in outcome.leftover)
    )
    for item in outcome.not_rehearsed:
        lines.append(f"  not rehearsed {item['type']} ({item['reason']}); stand-ins: {json.dumps(item['standIns'])}")
    for left in outcome.left_out:
        lines.append(f"  left out     {left} (newer than provider 5.100)")
    for failure in outcome.failures:
        lines.append(f"  FAILED       {failure.address} {failure.resource}: {failure.message}")
    lines.append(
        f"  time         {outcome.seconds:.0f}s ("
        + ", ".join(f"{phase} {seconds:.0f}s" for phase, seconds in outcome.phases.items())
        + ")"
    )
    lines.append("result: " + ("ok" if outcome.exit_code == 0 else "FAILED"))
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _Parser(prog="python -m rehearsal", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", help="stack name or stack file to rehearse (required unless --check)")
    parser.add_argument("--project-dir", default=".", help="the Pulumi project (default: .)")
    parser.add_argument("--update-to", help="stack name or stack file whose config is then applied to the same state")
    parser.add_argument("--plugin-dir", help="Terraform filesystem mirror holding the AWS provider 5.100.0")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the report")
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that Terraform, the AWS provider and moto are installed (exit 0 or 2)",
    )
    args = parser.parse_args(argv)
    if args.check:
        try:
            toolchain = find_toolchain(args.plugin_dir)
            moto_version = require_moto()
        except RehearsalInputError as error:
            _fail(str(error))
        print(
            f"rehearsal: {toolchain.terraform}, AWS provider {toolchain.version} in {toolchain.plugin_dir}, "
            f"moto {moto_version}"
        )
        return 0
    if not args.stack:
        _fail("--stack is required (see --help)")
    try:
        outcome = rehearse(args.project_dir, args.stack, update_to=args.update_to, plugin_dir=args.plugin_dir)
    except RehearsalInputError as error:
        _fail(str(error))
    except Exception as error:
        if os.environ.get("REHEARSAL_DEBUG"):
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {error} (set REHEARSAL_DEBUG=1 for the traceback)")
    print(json.dumps(outcome.document(), indent=2) if args.json else text(outcome), flush=True)
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
