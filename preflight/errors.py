"""Errors the preflight reports as "the program, the config or the command line is wrong" (exit 2),
and what a program's exception is traced back to: its innermost cause, the chain that led there,
and the program's own file and line."""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Optional

# The SDK re-raises a ValueError or AssertionError from an input's Output (an `apply` callback
# that failed) as "While processing input: 'k', type <class 'str'>, value <Output object at 0x…>
# \nValueError has risen: <the inner message>", and again per resource. The first line says where;
# the rest repeats the cause, which is its own link of the chain.
_OBJECT_ADDRESS = re.compile(r", value <[^>]* at 0x[0-9a-f]+>")


@dataclass(frozen=True)
class Location:
    """A frame of the program's own code: its file relative to the project, line, function and source."""

    file: str
    line: int
    function: str
    code: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Cause:
    """A program's exception traced back: the innermost exception, the links (outermost first) that
    wrapped it, where the program's own code raised it, and the full traceback for `--debug`."""

    type: str
    message: str
    chain: list[tuple[str, str]] = field(default_factory=list)
    location: Optional[Location] = None
    traceback: str = ""

    def as_dict(self) -> dict[str, Any]:
        where = self.location
        return {
            "type": self.type,
            "message": self.message,
            "chain": [{"type": kind, "message": message} for kind, message in self.chain],
            "location": None
            if where is None
            else {"file": where.file, "line": where.line, "function": where.function, "code": where.code},
        }


class ProgramError(Exception):
    """The program, its config or the invocation is wrong; `str(error)` is the one-line message.

    `cause` is set when the program itself raised: what `--debug`, the error block and `--json` show."""

    def __init__(self, message: str, cause: Optional[Cause] = None) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause

    def __str__(self) -> str:
        return self.message


class OfflineGap(Exception):
    """The program asked for something preflight cannot answer offline (an unknown data source)."""


def chain_of(error: BaseException) -> list[BaseException]:
    """`error` and what it wraps, outermost first, as Python prints them: `raise … from` (the
    cause), else the exception being handled when it was raised, unless `from None` hid it."""
    links: list[BaseException] = []
    current: Optional[BaseException] = error
    while current is not None and all(current is not seen for seen in links):
        links.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return links


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return _OBJECT_ADDRESS.sub("", text.splitlines()[0]) if text else ""


Kept = Mapping[BaseException, Optional[TracebackType]]


def program_frame(
    links: list[BaseException], root: str, exclude: tuple[str, ...], kept: Optional[Kept] = None
) -> Optional[Location]:
    """The deepest frame in the program's own files (under `root`, not under `exclude`, not an
    installed package), searched from the innermost exception outwards, in each exception's
    traceback and then in the one `kept` from where it was first raised."""
    for error in reversed(links):
        for tb in (error.__traceback__, (kept or {}).get(error)):
            for frame in reversed(traceback.extract_tb(tb)):
                name = frame.filename
                if name.startswith(root + os.sep) and not name.startswith(exclude) and "site-packages" not in name:
                    line = (frame.line or "").strip()
                    return Location(os.path.relpath(name, root), frame.lineno or 0, frame.name, line)
    return None


def trace(error: BaseException, root: str, exclude: tuple[str, ...], kept: Optional[Kept] = None) -> Cause:
    """What the program's exception comes down to (see `Cause`). `kept` maps an exception to the
    traceback it had where it was raised, for one the SDK re-raised with a shorter one."""
    links = chain_of(error)
    innermost = links[-1]
    text = "".join(traceback.format_exception(error))
    first_raised = (kept or {}).get(innermost)
    if first_raised is not None and program_frame([innermost], root, exclude) is None:
        text += "Where it was first raised:\n" + "".join(traceback.format_tb(first_raised))
    return Cause(
        type=type(innermost).__name__,
        message=first_line(innermost),
        chain=[(type(link).__name__, first_line(link)) for link in links[:-1]],
        location=program_frame(links, root, exclude, kept),
        traceback=text,
    )
