"""proofs-check search CLAIM [--max-examples N] [--seed S] [--json PATH] ...

Searches for a counterexample to CLAIM (a registered id such as zgj.thm4 or a user claim
package.module:attribute, importable from the current directory) with Hypothesis,
steered to small margins and shrunk, then refined by a local descent at the sample's
precision.  Counterexamples are saved as .proofs-check/counterexamples/<claim>.json
(--save-dir) and re-checked first by the next search; a saved file that cannot be read
is reported and moved aside to <claim>.json.corrupt, never overwritten.

Same seed, same result (as long as --budget does not cut the search short): with
--seed and without --db, no example database is used.
Without --seed (seed 0), Hypothesis's example database .proofs-check/hypothesis-db
(--db) replays earlier failures first, so a later run may find more.

Exit codes: 0 no counterexample found, 1 counterexample found, 2 bad input, 3 internal
error, 130 interrupted or 143 terminated (the best example so far is kept in the --json
file and, if it is a counterexample, in the save directory).
"""
from __future__ import annotations

import sys

from proofs_check.files import ensure_writable, ensure_writable_directory
from proofs_check.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, UsageError
from proofs_check.limits import limits_of

__all__ = ["register", "run"]


def register(subparsers):
    p = subparsers.add_parser(
        "search",
        help="search for a counterexample to a claim (Hypothesis + local descent)",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("claim", help="claim id (proofs-check list) or package.module:attribute")
    p.add_argument("--max-examples", type=int, default=100, help="Hypothesis examples (default 100)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed (default 0); same seed, same result: no example database "
                   "is used unless --db is given")
    p.add_argument("--json", metavar="PATH",
                   help="write the best example (counterexample file format) here; '-' for stdout")
    p.add_argument("--constant", help="replace the claim's constant (e.g. a kappa for zgj.thm4)")
    p.add_argument("--min-loss", type=float, default=None, help="smallest loss level searched (default 1e-24)")
    p.add_argument("--max-loss", type=float, default=None,
                   help="largest loss level searched (default: the claim's largest level)")
    p.add_argument("--refine-steps", type=int, default=40, help="local descent steps (default 40)")
    p.add_argument("--no-shrink", action="store_true", help="skip Hypothesis's shrinking")
    p.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                   help="time for the whole search: Hypothesis half, the level-set optimiser the rest "
                        "(default 60); progress on stderr shows the best margin so far")
    p.add_argument("--screen", action="store_true",
                   help="decide each example's margin on a float64 enclosure with a rigorous error "
                        "bound first, and on 50-digit balls only when its sign is uncertain (off by "
                        "default: at the search's small shapes it does not pay; see benchmarks/)")
    p.add_argument("--db", default=None, help="Hypothesis example database directory "
                   "(default .proofs-check/hypothesis-db, or none with --seed; 'none' disables it)")
    p.add_argument("--save-dir", default=None, help="counterexample directory "
                   "(default .proofs-check/counterexamples; 'none' disables it)")
    p.set_defaults(handler=run)


def _dir(value, default, option):
    """The directory an option names (None: switched off)."""
    if value is not None and value.strip() == "":
        raise UsageError(f"{option} is an empty path: give a directory, or 'none'")
    return default if value is None else (None if value.lower() == "none" else value)


def _progress_printer(scale_name: str | None = "loss level", interval: float = 1.0):
    """Prints the best margin so far to stderr, at most once per ``interval`` seconds, with
    the example's scale (its loss level, or its paper model's own scale) when it has one."""
    import time

    from proofs_check.search import _margin_string

    last = [float("-inf")]

    def show(cand) -> None:
        now = time.monotonic()
        if now - last[0] >= interval or cand.counterexample:
            last[0] = now
            where = [f"{'level' if scale_name == 'loss level' else scale_name} {cand.level:.3g}"
                     if cand.level is not None and scale_name else None,
                     f"family {cand.family}" if cand.family else None, cand.origin]
            print(f"search: best margin so far {_margin_string(cand.margin)} "
                  f"({', '.join(w for w in where if w)})", file=sys.stderr, flush=True)

    return show


def run(args) -> int:
    from proofs_check import search as engine

    claim = engine.claim_from_reference(args.claim, args.constant)
    if args.refine_steps < 0:
        raise UsageError(f"--refine-steps = {args.refine_steps} must be >= 0")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed = {args.seed} must be a non-negative integer")
    limits_of(args).check("--max-examples", args.max_examples, limits_of(args).max_examples)
    if args.json is not None:
        ensure_writable(args.json, "--json", error=UsageError)
    # An explicit seed asks for a reproducible search: no database unless one is named.
    default_db = None if args.seed is not None else engine.DEFAULT_HOME / "hypothesis-db"
    seed = 0 if args.seed is None else args.seed
    database = _dir(args.db, default_db, "--db")
    save_dir = _dir(args.save_dir, engine.DEFAULT_HOME / "counterexamples", "--save-dir")
    for option, path, given in (("--save-dir", save_dir, args.save_dir), ("--db", database, args.db)):
        if path is not None:  # up front: a result must not be computed only to be lost
            # the default under .proofs-check/ is ours to make; a named one needs its parent
            ensure_writable_directory(path, option, error=UsageError, parents=given is None)
    result = engine.search(
        claim, claim_ref=args.claim, max_examples=args.max_examples, seed=seed,
        database=database, save_dir=save_dir,
        json_path=args.json, min_loss=args.min_loss, max_loss=args.max_loss,
        refine_steps=args.refine_steps, shrink=not args.no_shrink,
        budget=engine.DEFAULT_BUDGET if args.budget is None else args.budget,
        on_best=_progress_printer(engine.scale_name_of(claim)),
        screen=args.screen,
    )
    # With --json - the JSON is stdout; the summary then goes to stderr.
    out = sys.stderr if args.json == "-" else sys.stdout
    for note in result.notes:
        print(f"warning: {note}", file=sys.stderr)
    best = result.best
    print(f"claim {claim.id} ({claim.source})", file=out)
    print(f"evaluated {result.examples} examples (with shrinking), seed {seed}, {result.range_text()}"
          + (f", {result.saved_checked} saved counterexample re-checked" if result.saved_checked else ""),
          file=out)
    if best is None:
        print("no example was evaluated", file=out)
    else:
        j = best.to_json(args.claim, claim)
        where = "".join(f", {k} {v}" for k, v in (
            ("level", j["level"]), (result.scale_name, j.get("scale")), ("family", best.family)) if v)
        print(f"smallest margin {j['margin']} (+/- {j['error']}, {best.dps} digits){where}, "
              f"from {best.origin}" + (" (the saved counterexample, re-checked)" if best.saved else ""),
              file=out)
        if result.found:
            print("refuted: COUNTEREXAMPLE found (margin certainly < 0, a certified counterexample)", file=out)
        elif result.interrupted:
            print("inconclusive: search cut short, no counterexample found so far (no margin certainly < 0)"
                  + ("; the --json file says \"interrupted\": true" if args.json else ""), file=out)
        else:
            print("inconclusive: no counterexample found (no margin certainly < 0); a search proves nothing",
                  file=out)
    note = engine.hidden_constant_note(claim)
    if note:
        print(f"note: {note}", file=out)
    if args.screen:
        c = result.screen_counts
        print(f"float64 screen: {c.screened} margins decided on it, {c.escalated} escalated to "
              f"balls, {c.declined} out of its range", file=out)
    for path in result.written:
        print(f"written: {path}", file=out)
    if result.interrupted:
        how = "terminated" if result.terminated else "interrupted"
        print(f"proofs-check search: {how}; the best example so far is kept", file=sys.stderr)
        return EXIT_TERMINATED if result.terminated else EXIT_INTERRUPTED
    return 1 if result.found else 0
