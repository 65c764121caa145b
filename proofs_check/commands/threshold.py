"""proofs-check threshold TEACHER.json --students M [--dim D] [--prove] [--budget SECONDS] [--level X] [--json PATH]

Brackets the real threshold of the teacher in TEACHER.json (a configuration file; its
student rows, if any, are ignored) for M students in R^D (default D = r + M): the lowest
loss of a stationary point with L > 0.

  upper  the loss of the lowest certified spurious stationary point the hunt finds
         (Krawczyk on balls): a proved upper end;
  lower  without --prove: the optimiser scan (the largest scanned level at and below which
         the margin optimiser found no ||grad L|| < kappa L): empirical, not a bound;
         with --prove: the branch and bound (see docs/threshold.md) at the level X just
         below upper (or --level X): "certified": true proves that no spurious stationary
         point has 0 < L < X; when the budget runs out it says "certified": false and the
         share of the domain decided.

Numbers are decimal strings with every certified digit.  --json PATH writes the result
atomically ('-': stdout, the summary then goes to stderr).

Exit codes: 0 the bracket was computed (whatever it is), 2 bad input, 3 internal error,
130 interrupted, 143 terminated.
"""
from __future__ import annotations

import json
import math
import sys

from proofs_check.files import ensure_writable, write_atomically
from proofs_check.errors import UsageError

__all__ = ["register", "run", "summary_lines"]


def register(subparsers):
    p = subparsers.add_parser(
        "threshold",
        help="bracket the real threshold (lowest spurious stationary loss), proved with --prove",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("teacher", help="configuration JSON whose teacher rows are used")
    p.add_argument("--students", type=int, required=True, help="number of student neurons m")
    p.add_argument("--dim", type=int, default=None, help="ambient dimension d (default r + m)")
    p.add_argument("--prove", action="store_true", help="lower end by branch and bound (a proof)")
    p.add_argument("--budget", type=float, default=300.0, help="seconds for the branch and bound (default 300)")
    p.add_argument("--level", type=float, default=None,
                   help="the branch and bound's level X (default: just below upper)")
    p.add_argument("--starts", type=int, default=160, help="the hunt's starts (default 160)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the hunt (default 0)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON here ('-': stdout)")
    p.set_defaults(handler=run)


def summary_lines(out: dict) -> list:
    up, low = out["upper"], out["lower"]
    lines = [f"teacher: r = {len(out['teacher'])} rows in d = {out['dim']}; m = {out['students']} students; "
             f"paper eps0 (constant 1) = {out['paper_eps0']}"]
    if up["loss"] is None:
        lines.append("upper: no certified spurious stationary point found")
    else:
        lines.append(f"upper: {up['loss']} (proved: a certified spurious stationary point; {up['method']})")
    if low["method"] == "branch-and-bound":
        if low["certified"]:
            lines.append(f"lower: {low['value']} (proved by branch and bound: no spurious stationary point with "
                         f"0 < L < {low['value']}; {low['boxes']} boxes, {low['seconds']} s)")
        else:
            lines.append(f"lower: not proved (branch and bound at level {low['level']} stopped after "
                         f"{low['seconds']} s, {low['boxes']} boxes, share of the domain decided "
                         f"{low['share_decided']})")
    else:
        value = "-" if low["value"] is None else low["value"]
        lines.append(f"lower: optimiser scan {value} (empirical, not a bound: no violation found at these levels)")
    return lines


def run(args) -> int:
    from proofs_check.commands.stationary import load_teacher
    from proofs_check.threshold import ThresholdSettings, threshold_bracket

    if args.json is not None and args.json != "-":
        ensure_writable(args.json, "--json", error=UsageError)
    if args.starts < 1:
        raise UsageError(f"--starts = {args.starts} must be >= 1")
    if not math.isfinite(args.budget):
        raise UsageError(f"--budget = {args.budget} must be a finite number of seconds")
    teacher, activation = load_teacher(args.teacher)
    if activation not in (None, "abs"):
        raise UsageError(f"{args.teacher}: activation = {activation!r}: the threshold is computed for 'abs' only")
    settings = ThresholdSettings(students=args.students, dim=args.dim, prove=args.prove, budget=args.budget,
                                 level=args.level, hunt_starts=args.starts, seed=args.seed)
    out = threshold_bracket(teacher, settings)
    stream = sys.stderr if args.json == "-" else sys.stdout
    print("\n".join(summary_lines(out)), file=stream)
    text = json.dumps(out, indent=1) + "\n"
    if args.json == "-":
        sys.stdout.write(text)
    elif args.json is not None:
        write_atomically(args.json, text)
    return 0
