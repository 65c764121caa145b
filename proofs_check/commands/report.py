"""proofs-check report [--out DIR] [--claims ID,...] [--from RESULTS.json] [--pdf]

Writes DIR/report.tex (a short technical note: model, kernel derivation, closed forms,
exact identities, claims table, counterexamples, figures) with its figures beside it, and
with --pdf compiles DIR/report.pdf.  Without --from the suite runs first, with the
options of run (--claims, --samples, --seed), and its results are kept as
DIR/results.json.  DIR is checked writable before anything runs.

Exit codes: 0 the report was written, 1 LaTeX failed on the document (the log is kept
beside it), 2 bad input or --pdf found no TeX (the .tex is written all the same), 3
internal error, 130 interrupted, 143 terminated.
"""
from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from numeric.config import ensure_writable_directory, read_json_file
from proofs_check.errors import UsageError
from proofs_check.limits import limits_of


def register(subparsers):
    p = subparsers.add_parser(
        "report",
        help="write a LaTeX report of derivations and findings (and compile it with --pdf)",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("--out", default="report", metavar="DIR",
                   help="output directory (default: report)")
    p.add_argument("--from", dest="from_path", default=None, metavar="RESULTS.json",
                   help="report these results (from `run --json`) instead of running the suite")
    p.add_argument("--claims", default=None,
                   help="comma-separated claim ids (default: all; with --from, a subset of the file's)")
    p.add_argument("--samples", type=int, default=None,
                   help="samples per claim when the suite runs (default: each claim's own)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed when the suite runs (default 0)")
    p.add_argument("--pdf", action="store_true", help="also compile DIR/report.pdf (needs TeX)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar while the suite runs")
    p.set_defaults(handler=run)


def _reject_constant(name):
    raise UsageError(f"JSON constant {name} is not a finite number")


def load_results(path) -> dict:
    """Read a results JSON file; numbers are kept exact.  Errors name the file."""
    try:
        return read_json_file(path, "the results file", error=UsageError, parse_float=Decimal,
                              parse_constant=_reject_constant)
    except UsageError as exc:
        raise UsageError(f"--from {str(path)!r}: {exc}") from None


def _select(results: dict, claims: str | None) -> dict:
    """Keep only the claims named in ``--claims`` (in the order given)."""
    if claims is None:
        return results
    wanted = [t.strip() for t in claims.split(",")]
    if not all(wanted):
        raise UsageError(f"--claims = {claims!r} names no claim id or has an empty item")
    repeated = sorted({cid for cid in wanted if wanted.count(cid) > 1})
    if repeated:
        raise UsageError(f"--claims = {claims!r} names {', '.join(repeated)} twice")
    entries = results.get("claims")
    if not isinstance(entries, list):
        return results  # validation reports the missing or malformed 'claims'
    by_id = {c.get("id"): c for c in entries if isinstance(c, dict)}
    unknown = [cid for cid in wanted if cid not in by_id]
    if unknown:
        known = ", ".join(sorted(str(k) for k in by_id)) or "none"
        raise UsageError(f"--claims: {', '.join(map(repr, unknown))} not in the results (they hold: {known})")
    return {**results, "claims": [by_id[cid] for cid in wanted]}


def _run_suite(args) -> dict:
    try:
        from proofs_check.suite import run_suite
    except ImportError as exc:
        raise UsageError(
            f"the claim suite cannot be run in this build ({exc}); use --from RESULTS.json"
        ) from None
    from proofs_check.suite import parse_claim_ids

    ids = parse_claim_ids(args.claims)
    seed = 0 if args.seed is None else args.seed
    return run_suite(ids, args.samples, seed, progress=not args.no_progress)


def run(args) -> int:
    from numeric.config import write_atomically
    from proofs_check.report import LatexCompileError, ResultsError, write_report
    from proofs_check.report.latex import Results

    out = Path(args.out)
    if args.from_path is not None:
        for option in ("samples", "seed"):
            if getattr(args, option) is not None:
                raise UsageError(
                    f"--{option} applies only when the suite runs; --from {args.from_path!r}"
                    " reports results that were already computed (drop one of the two)"
                )
        results = _select(load_results(args.from_path), args.claims)
        try:  # validate before anything is written, naming the file
            Results.from_json(results)
        except ResultsError as exc:
            raise ResultsError(f"--from {args.from_path!r}: {exc}") from None
        ensure_writable_directory(out, "--out", error=UsageError)
    else:
        if args.samples is not None and args.samples < 1:
            raise UsageError(f"--samples = {args.samples} must be a positive integer")
        limits_of(args).check("--samples", args.samples, limits_of(args).max_samples)
        ensure_writable_directory(out, "--out", error=UsageError)
        results = _run_suite(args)
        write_atomically(out / "results.json", json.dumps(results, indent=1, default=str) + "\n")
    try:
        path = write_report(results, out, pdf=args.pdf)
    except LatexCompileError as exc:
        print(f"proofs-check report: error: {exc}", file=sys.stderr)
        print(f"wrote {out / 'report.tex'} (not compiled)")
        return 1
    print(f"wrote {out / 'report.tex'}")
    if args.pdf:
        print(f"wrote {path}")
    return 0
