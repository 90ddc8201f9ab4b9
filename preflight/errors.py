"""Errors the preflight reports as "the program, the config or the command line is wrong" (exit 2)."""


class ProgramError(Exception):
    """The program, its config or the invocation is wrong; `str(error)` is the one-line message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class OfflineGap(Exception):
    """The program asked for something preflight cannot answer offline (an unknown data source)."""
