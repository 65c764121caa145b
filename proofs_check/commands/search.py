"""``proofs-check search CLAIM [--max-examples N] [--seed S] [--json PATH] ...``.

Searches for a counterexample to CLAIM (a registered id such as ``zgj.thm4`` or a user
claim ``package.module:attribute``, importable from the current directory) with
Hypothesis, steered to small margins and shrunk, then refined by a local descent at the
sample's precision (see :mod:`proofs_check.search`).  The example database lives in
``.proofs-check/hypothesis-db`` (``--db``); counterexamples are saved as
``.proofs-check/counterexamples/<claim>.json`` (``--save-dir``) and re-checked first by
the next search.  Exit codes: 0 no counterexample found, 1 counterexample found, 2 bad
input, 130 interrupted (the best example so far is kept in the ``--json`` file and, if it
is a counterexample, in the save directory).
"""
from __future__ import annotations

import sys

import mpmath

from numeric.config import ensure_writable
from proofs_check.errors import UsageError

__all__ = ["register", "run"]


def register(subparsers):
    p = subparsers.add_parser(
        "search",
        help="search for a counterexample to a claim (Hypothesis + local descent)",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("claim", help="claim id (proofs-check list) or package.module:attribute")
    p.add_argument("--max-examples", type=int, default=100, help="Hypothesis examples (default 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed; same seed, same result (default 0)")
    p.add_argument("--json", metavar="PATH", help="write the best example (counterexample file format) here")
    p.add_argument("--constant", help="replace the claim's constant (e.g. a kappa for zgj.thm4)")
    p.add_argument("--min-loss", type=float, default=None, help="smallest loss level searched (default 1e-24)")
    p.add_argument("--max-loss", type=float, default=None,
                   help="largest loss level searched (default: the claim's largest level)")
    p.add_argument("--refine-steps", type=int, default=40, help="local descent steps (default 40)")
    p.add_argument("--no-shrink", action="store_true", help="skip Hypothesis's shrinking")
    p.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                   help="time for the whole search: Hypothesis half, the level-set optimiser the rest "
                        "(default 60); progress on stderr shows the best margin so far")
    p.add_argument("--db", default=None, help="Hypothesis example database directory "
                   "(default .proofs-check/hypothesis-db; 'none' disables it)")
    p.add_argument("--save-dir", default=None, help="counterexample directory "
                   "(default .proofs-check/counterexamples; 'none' disables it)")
    p.set_defaults(handler=run)


def _dir(value, default):
    if value is None:
        return default
    return None if value.lower() == "none" else value


def _progress_printer(interval: float = 1.0):
    """Prints the best margin so far to stderr, at most once per ``interval`` seconds."""
    import time

    from proofs_check.search import _margin_string

    last = [float("-inf")]

    def show(cand) -> None:
        now = time.monotonic()
        if now - last[0] >= interval or cand.counterexample:
            last[0] = now
            level = "?" if cand.level is None else f"{cand.level:.3g}"
            print(f"search: best margin so far {_margin_string(cand.margin)} (level {level}, "
                  f"family {cand.family}, {cand.origin})", file=sys.stderr, flush=True)

    return show


def run(args) -> int:
    from proofs_check import search as engine

    claim = engine.claim_from_reference(args.claim, args.constant)
    if args.refine_steps < 0:
        raise UsageError(f"--refine-steps = {args.refine_steps} must be >= 0")
    if args.seed < 0:
        raise UsageError(f"--seed = {args.seed} must be a non-negative integer")
    for option, path in (("--json", args.json),):
        if path:
            ensure_writable(path, option, error=UsageError)
    result = engine.search(
        claim, claim_ref=args.claim, max_examples=args.max_examples, seed=args.seed,
        database=_dir(args.db, engine.DEFAULT_HOME / "hypothesis-db"),
        save_dir=_dir(args.save_dir, engine.DEFAULT_HOME / "counterexamples"),
        json_path=args.json, min_loss=args.min_loss, max_loss=args.max_loss,
        refine_steps=args.refine_steps, shrink=not args.no_shrink,
        budget=engine.DEFAULT_BUDGET if args.budget is None else args.budget, on_best=_progress_printer(),
    )
    best = result.best
    print(f"claim {claim.id} ({claim.source})")
    print(f"evaluated {result.examples} examples (with shrinking), seed {args.seed}, loss levels "
          f"[{mpmath.nstr(result.min_loss, 3)}, {mpmath.nstr(result.max_loss, 3)}]"
          + (f", {result.saved_checked} saved counterexample re-checked" if result.saved_checked else ""))
    if best is None:
        print("no example was evaluated")
    else:
        j = best.to_json(args.claim, claim)
        print(f"smallest margin {j['margin']} (+/- {j['error']}, {best.dps} digits), "
              f"level {j['level']}, family {best.family}, from {best.origin}")
        print("COUNTEREXAMPLE found (margin certainly < 0)" if result.found
              else "no counterexample found (no margin certainly < 0)")
    if claim.constant is None and claim.relation != "==":
        print(f"note: the constant of {claim.id} is hidden in O/Theta/Omega; its `at` uses a stand-in "
              "(usually 1), so a negative margin refutes that constant only, not the claim; "
              "pass --constant C to test a specific C")
    for path in result.written:
        print(f"written: {path}")
    if result.interrupted:
        print("proofs-check search: interrupted; the best example so far is kept", file=sys.stderr)
        return 130
    return 1 if result.found else 0
