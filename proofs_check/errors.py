"""Errors that the command line turns into exit code 2 with a one-line message, and the
exit codes of ``proofs-check``."""
from __future__ import annotations

from numeric.errors import ConfigurationError

__all__ = ["UsageError", "ConfigurationError", "INPUT_ERRORS", "EXIT_OK", "EXIT_FINDING",
           "EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_TIMED_OUT", "EXIT_NOT_COMPILED", "EXIT_INTERRUPTED", "EXIT_TERMINATED", "Terminated",
           "request_termination", "clear_termination", "check_termination"]

#: Success: nothing found, every claim matched its expectation, the file was written.
EXIT_OK = 0
#: A finding: a claim did not match its expectation, a counterexample was found.
EXIT_FINDING = 1
#: Bad input: one line on stderr names the option, field or file and the cause.
EXIT_BAD_INPUT = 2
#: An internal error (a bug in proofs-check): one line says what to report; ``--debug``
#: shows the traceback.
EXIT_INTERNAL = 3
#: Incomplete: ``campaign`` finished every other task, but some were stopped by their
#: ``timeout`` (stored as such; ``--retry-timeouts`` runs them again).
EXIT_TIMED_OUT = 4
#: ``report --pdf``: the .tex was written but LaTeX could not compile it (the log is kept).
EXIT_NOT_COMPILED = 5
#: Interrupted by Ctrl-C (SIGINT), 128 + 2 as in the shell.
EXIT_INTERRUPTED = 130
#: Stopped by SIGTERM, 128 + 15 as in the shell.
EXIT_TERMINATED = 143


class UsageError(ValueError):
    """A bad argument: unknown claim id, malformed option value, unreadable file.

    The message names the option or field and the offending value, and says what to do.
    """


#: Exceptions that mean "the user's input is wrong" (exit code 2), never "the code is wrong".
INPUT_ERRORS = (UsageError, ConfigurationError)


class Terminated(KeyboardInterrupt):
    """Raised in the main process on SIGTERM so that ``finally`` blocks stop worker
    processes and remove temporary files; the command line exits 143.

    A ``KeyboardInterrupt`` so that whatever cleans up after Ctrl-C (Hypothesis, the
    search keeping its best example, ``except Exception`` not swallowing it) does the
    same after SIGTERM.
    """


# Python runs a signal handler between any two bytecodes, also inside a garbage-collector
# callback, where the exception it raises is printed and dropped.  The handler therefore
# also sets this flag, which long loops check at safe points (check_termination).
_termination = {"requested": False}


def request_termination() -> None:
    """Record that SIGTERM arrived (called by the command line's signal handler)."""
    _termination["requested"] = True


def clear_termination() -> None:
    _termination["requested"] = False


def check_termination() -> None:
    """Raise :class:`Terminated` if SIGTERM arrived, even if its first raise was lost."""
    if _termination["requested"]:
        raise Terminated()
