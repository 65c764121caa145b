"""The proofs-check command line.

Each sub-command lives in its own module under proofs_check.commands and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a function
``handler(args) -> int``.  Exit codes (proofs_check.errors):

  0    success: nothing found, every claim matched its expectation
  1    a finding: a claim did not match its expectation, a counterexample was found
  2    bad input: one line on stderr names the option, field or file and the cause
  3    internal error (a bug): one line says what to report; --debug shows the traceback
  4    campaign only: every other task done, some stopped by their timeout
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM).  No partial output file is left.
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback

from numeric.config import decimal_length_limit
from proofs_check.errors import (EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK,
                                 EXIT_TERMINATED, INPUT_ERRORS, Terminated, clear_termination,
                                 request_termination)
from proofs_check.limits import limits_of

__all__ = ["main", "COMMANDS", "build_parser", "EXIT_CODES_HELP"]

#: Sub-command modules, in the order ``--help`` lists them.
COMMANDS = (
    "eval_config",
    "identities",
    "list_claims",
    "run",
    "search",
    "replay",
    "report",
    "stationary",
    "families",
    "campaign",
)

#: The exit-code paragraph shown by ``--help`` of the program and of every sub-command.
EXIT_CODES_HELP = "\n".join(__doc__.split("Exit codes (proofs_check.errors):\n\n", 1)[1].splitlines())


#: Sub-commands that take inputs the limits of proofs_check.limits apply to.
_LIMITED_COMMANDS = ("eval", "run", "search", "replay", "report")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default exits 2 too; keep it one line
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _version() -> str:
    from proofs_check import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="proofs-check",
                     description="A symbolic-numeric checker for the theory of over-parameterized"
                     " two-layer networks (Zhou, Ge, Jin, COLT 2021).",
                     epilog="exit codes:\n" + EXIT_CODES_HELP,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"proofs-check {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the full traceback")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser,
                                metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"proofs_check.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"proofs_check.commands.{name}":
                raise
            continue
        module.register(sub)
    for name, command in sub.choices.items():
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="on an internal error, print the full traceback")
        if name in _LIMITED_COMMANDS:
            command.add_argument("--no-limits", action="store_true",
                                 help="lift the limits on --dps, --samples, --max-examples and on"
                                 " the length of decimal strings in input files")
        # Descriptions are written for the terminal, with their own line breaks.
        command.formatter_class = argparse.RawDescriptionHelpFormatter
    return parser


def _user_claims_importable() -> None:
    """User claims ``package.module:attribute`` are imported from the current directory,
    as ``python -m`` would; worker processes of the suite inherit the path."""
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was removed; nothing to import from it
        return
    if cwd not in sys.path:
        sys.path.insert(0, cwd)


def _raise_terminated(signum, frame):
    request_termination()  # in case this raise lands in a gc callback and is dropped
    raise Terminated()


def _os_error_message(exc: OSError) -> str:
    path = exc.filename if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
    return f"{exc.strerror or type(exc).__name__}: {path!s}"


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _user_claims_importable()
    command = f"proofs-check {args.command}"
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with decimal_length_limit(limits_of(args).max_decimal_chars):
            return int(args.handler(args))
    except INPUT_ERRORS as exc:
        print(f"{command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Terminated:  # before KeyboardInterrupt, its base class
        print(f"{command}: terminated", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print(f"{command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `proofs-check identities | head`
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:
        if exc.filename is None:
            return _internal_error(command, exc, args.debug)
        # A file or directory the environment refuses (permissions, full disk): not a bug.
        print(f"{command}: error: {_os_error_message(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence: exit 3, not 1
        return _internal_error(command, exc, args.debug)
    finally:
        signal.signal(signal.SIGTERM, previous)
        clear_termination()


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so that the interpreter's final
    flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _internal_error(command: str, exc: BaseException, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    message = str(exc).splitlines()[0] if str(exc) else ""
    print(f"{command}: internal error: {type(exc).__name__}: {message[:200]} -- this is a bug in "
          f"proofs-check {_version()}; please report the command line and this message"
          + ("" if debug else " (run it again with --debug for the traceback)"),
          file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    raise SystemExit(main())
