"""proofs-check replay FILE [--claim ID] [--dps N] [--json]

Re-checks a saved counterexample at a higher precision (default: twice the recorded
dps) and prints its margin next to the recorded one.  FILE is a counterexample file
written by proofs-check search ({"claim": ..., "dps": ..., "margin": ..., "config":
{...}}) or a bare configuration (then --claim is required).  A configuration outside the
claim's hypotheses (a zero or duplicate teacher row, a loss above the levels the claim
is checked at, L = 0 where the claim's scale is the loss) is refused with the reason.

Exit codes, as for search: 0 not a counterexample at this precision (margin not
certainly < 0), 1 still a counterexample (margin certainly < 0), 2 bad input or a
configuration outside the claim's hypotheses, 3 internal error.
"""
from __future__ import annotations

import json

from proofs_check.errors import UsageError
from proofs_check.limits import limits_of

__all__ = ["register", "run"]


def register(subparsers):
    p = subparsers.add_parser(
        "replay",
        help="re-check a saved counterexample at a higher precision",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("file", help="counterexample JSON (from proofs-check search) or a configuration")
    p.add_argument("--claim", default=None, help="claim id or package.module:attribute "
                   "(required for a bare configuration; overrides the file's)")
    p.add_argument("--dps", type=int, default=None, help="digits (default 2x the recorded dps)")
    p.add_argument("--max-loss", type=float, default=None,
                   help="largest loss the claim is taken to hold at (default: the claim's largest "
                   "loss level; as search's --max-loss)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def run(args) -> int:
    from proofs_check.search import hidden_constant_note, replay

    limits_of(args).check("--dps", args.dps, limits_of(args).max_dps)
    if args.max_loss is not None and not args.max_loss > 0:
        raise UsageError(f"--max-loss = {args.max_loss} must be a positive number")
    result = replay(args.file, claim=args.claim, dps=args.dps, max_loss=args.max_loss,
                    max_dps=limits_of(args).max_dps)
    out = result.to_json()
    if args.json:
        print(json.dumps(out))
    else:
        print(f"claim {result.claim_id}: margin {out['margin']} (+/- {out['error']}, {result.dps} digits)")
        if result.recorded_margin is not None:
            print(f"recorded margin {result.recorded_margin} at {result.recorded_dps} digits; "
                  f"agree to {result.agreeing_digits} significant digits")
        if result.max_loss is not None:
            print(f"hypotheses checked in the sublevel set L(W) <= {result.max_loss}"
                  + ("" if args.max_loss is not None else " (the --max-loss its search recorded)"))
        print("still a counterexample (margin certainly < 0)" if result.counterexample
              else "NOT a counterexample at this precision (margin not certainly < 0)")
        note = hidden_constant_note(result.claim)
        if note:
            print(f"note: {note}")
    return 1 if result.counterexample else 0
