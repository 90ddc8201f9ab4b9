"""The offline preflight's fast paths: the only code of this project that replaces internals of
the Pulumi SDK or pulumi-policy, all of it here and nowhere else.

Nothing the Pulumi engine runs (the program under `pulumi up`, the pack under
`pulumi preview --policy-pack`) imports this package. The preflight turns it on in the processes
it starts (its own, which runs the program, and the pack's) through one switch, the environment
variable `PREFLIGHT_FAST_PATHS` (`0` turns every piece off). Each piece is taken only on the
package versions it was written and tested against (`tested`), and says on stderr, once, when it
is off for any other reason than the switch.
"""

from __future__ import annotations

import os
import sys
from importlib import metadata

SWITCH = "PREFLIGHT_FAST_PATHS"

_announced: set[str] = set()


def wanted() -> bool:
    """Whether the switch is on (it is unless `PREFLIGHT_FAST_PATHS=0`)."""
    return os.environ.get(SWITCH, "1") != "0"


def installed(distribution: str) -> str:
    """The installed version of a distribution, or "" when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def tested(piece: str, distribution: str, versions: tuple[str, ...]) -> bool:
    """Whether `piece` may be taken: the switch is on and the installed `distribution` is one of
    the `versions` it was tested against (a version ending in `.*` matches its whole series).
    When the switch is on but the version is not, says so on stderr, once per piece."""
    if not wanted():
        return False
    version = installed(distribution)
    if any(version == v or (v.endswith(".*") and version.startswith(v[:-1])) for v in versions):
        return True
    announce_off(
        piece, f"{distribution} {version or '(not installed)'} is not a tested release ({', '.join(versions)})"
    )
    return False


def announce_off(piece: str, why: str) -> None:
    """One line on stderr: this fast path is off, and why; the run goes on on the SDK as it is."""
    if piece in _announced:
        return
    _announced.add(piece)
    print(f"preflight: fast path {piece!r} is off: {why}; running on the SDK as it is", file=sys.stderr)
