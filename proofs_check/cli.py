"""The proofs-check command line.

Each sub-command lives in its own module under proofs_check.commands and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a function
``handler(args) -> int``.  Exit codes (proofs_check.errors):

  0    success: nothing found, every claim matched its expectation
  1    a finding: a claim did not match its expectation, a counterexample was found
  2    bad input: one line on stderr names the option, field or file and the cause
  3    internal error (a bug): one line says what to report; --debug shows the traceback
  4    campaign only: every other task done, some stopped by their timeout
  5    report only: the .tex was written but LaTeX could not compile it (log kept)
  130  interrupted (Ctrl-C); 143 terminated (SIGTERM).  No partial output file is left.
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback

from numeric.numbers import decimal_length_limit
from proofs_check.errors import (EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK,
                                 EXIT_TERMINATED, INPUT_ERRORS, Terminated, clear_termination,
                                 request_termination)
from proofs_check.limits import (command_memory_bounds, limits_of, max_memory_of, out_of_memory_message,
                                 parse_memory_size)

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
    "threshold",
    "campaign",
)

#: The exit-code paragraph shown by ``--help`` of the program and of every sub-command.
EXIT_CODES_HELP = "\n".join(__doc__.split("Exit codes (proofs_check.errors):\n\n", 1)[1].splitlines())


#: Sub-commands that take inputs the limits of proofs_check.limits apply to.
_LIMITED_COMMANDS = ("eval", "run", "search", "replay", "report", "campaign")


def _ascii_number(convert):
    """``int`` or ``float`` for an option, refusing non-ASCII digits ("١", "１"), which
    Python's own conversions read as numbers."""
    def parse(text: str):
        if not text.isascii():
            raise argparse.ArgumentTypeError(f"invalid number: {text!r} (only ASCII digits 0-9)")
        try:
            return convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {convert.__name__} value: {text!r}") from None

    parse.__name__ = convert.__name__
    return parse


_ASCII_NUMBER_TYPES = {int: _ascii_number(int), float: _ascii_number(float)}


def _memory_size(text: str) -> int:
    try:
        return parse_memory_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--max-memory = ")) from None


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
        if "--max-memory" not in command._option_string_actions:
            command.add_argument("--max-memory", type=_memory_size, default=None, metavar="SIZE",
                                 help="refuse (exit 2, with the estimate) what would need more memory"
                                 " than SIZE, e.g. 4G (default: half of the machine's memory)")
        if name in _LIMITED_COMMANDS and "--no-limits" not in command._option_string_actions:
            command.add_argument("--no-limits", action="store_true",
                                 help="lift the limits on --dps, --samples, --max-examples, the number"
                                 " of campaign tasks, the length of decimal strings in input files"
                                 " and the default memory cap (not an explicit --max-memory)")
        # Descriptions are written for the terminal, with their own line breaks.
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        for action in command._actions:
            if action.type in (int, float):
                action.type = _ASCII_NUMBER_TYPES[action.type]
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
        with decimal_length_limit(limits_of(args).max_decimal_chars), command_memory_bounds(args):
            return int(args.handler(args))
    except MemoryError as exc:  # an allocation nobody estimated: one line, not a traceback
        print(f"{command}: error: {out_of_memory_message(exc, max_memory_of(args))}", file=sys.stderr)
        return EXIT_BAD_INPUT
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
