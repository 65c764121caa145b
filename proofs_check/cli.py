"""The ``proofs-check`` command line.

Each sub-command lives in its own module under :mod:`proofs_check.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a function
``handler(args) -> int``.  Exit codes: 0 success (or every claim matched its expectation),
1 a claim did not match its expectation, 2 bad input (one line on stderr naming the field
and the value; nothing on stdout).
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from proofs_check.errors import INPUT_ERRORS

__all__ = ["main", "COMMANDS"]

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
    "campaign",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default exits 2 too; keep it one line
        self.exit(2, f"proofs-check: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="proofs-check", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"proofs_check.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"proofs_check.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def _user_claims_importable() -> None:
    """User claims ``package.module:attribute`` are imported from the current directory,
    as ``python -m`` would; worker processes of the suite inherit the path."""
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _user_claims_importable()
    try:
        return int(args.handler(args))
    except INPUT_ERRORS as exc:
        print(f"proofs-check {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"proofs-check {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `proofs-check identities | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
