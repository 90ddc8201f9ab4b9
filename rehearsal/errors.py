"""What the rehearsal reports as "cannot rehearse this" (exit 2) as opposed to a failed rehearsal."""


class RehearsalInputError(Exception):
    """Bad input, or a tool the rehearsal needs is missing; `str(error)` is the one-line message."""


class TranslationError(RehearsalInputError):
    """A recorded resource or input has no counterpart in the provider's schema."""
