"""Rehearse `pulumi up` offline: the program's simulated up (preflight), translated to Terraform JSON
by the AWS provider's own schema, applied by the provider against a local AWS emulator (moto),
re-planned, optionally updated to another stack config, destroyed and checked for leftovers.

    from rehearsal import rehearse
    outcome = rehearse(".", "dev", update_to="tests/rehearsal/stacks/Pulumi.dev-two-services.yaml")
    outcome.exit_code, outcome.document()
"""

from .errors import RehearsalInputError, TranslationError
from .runner import Outcome, rehearse

__all__ = ["Outcome", "RehearsalInputError", "TranslationError", "rehearse"]
