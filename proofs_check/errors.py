"""Errors that the command line turns into exit code 2 with a one-line message."""
from __future__ import annotations

from numeric.config import ConfigurationError

__all__ = ["UsageError", "ConfigurationError", "INPUT_ERRORS"]


class UsageError(ValueError):
    """A bad argument: unknown claim id, malformed option value, unreadable file.

    The message names the option or field and the offending value, and says what to do.
    """


#: Exceptions that mean "the user's input is wrong" (exit code 2), never "the code is wrong".
INPUT_ERRORS = (UsageError, ConfigurationError)
