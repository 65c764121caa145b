"""proofs-check report [--out DIR] [--claims ID,...] [--from RESULTS.json] [--pdf]

Writes DIR/report.tex (a short technical note: model, kernel derivation, closed forms,
exact identities, claims table, counterexamples, figures) with its figures beside it, and
with --pdf compiles DIR/report.pdf.  Without --from the suite runs first, with the
options of run (--claims, --samples, --seed), and its results are kept as
DIR/results.json.  DIR is checked writable before anything runs.

A --from file is checked against the results schema (proofs_check.schema) before anything
is written: a truncated file, one from another schema_version or a field of the wrong type
is bad input, and the message names the file and the field (claims[3].kind).  --from-db
adds a section summarising a campaign database.

A --from file may come from anyone: its LaTeX fields (statement_latex, paper_constant,
estimate.paper_exponent) may use only typesetting macros (proofs_check.report.untrusted),
every other text is escaped, and TeX runs without shell escape and may open only files in
DIR and below (openin_any=p, openout_any=p).

Exit codes: 0 the report was written, 2 bad input or --pdf found no TeX (the .tex is
written all the same), 3 internal error, 5 the report could not be compiled (LaTeX failed
on the document; the .tex and the log are kept beside it), 130 interrupted, 143 terminated.
"""
from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from proofs_check.files import ensure_writable_directory, read_json_file
from proofs_check.errors import EXIT_NOT_COMPILED, UsageError
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
    p.add_argument("--from-db", dest="from_db", default=None, metavar="CAMPAIGN.sqlite",
                   help="add a section summarising this campaign database (`proofs-check campaign`)")
    p.add_argument("--families", default=None, metavar="FAMILIES.json",
                   help="add the figure of `proofs-check families --paper zgj --json` (lowest certified "
                        "spurious point per r beside eps0(r))")
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
    """Read a results JSON file and check it against the results schema; numbers are kept
    exact.  Errors name the file and the JSON path of the field."""
    from proofs_check.report.untrusted import check_untrusted_results
    from proofs_check.schema import validate_results

    try:
        results = read_json_file(path, "the results file", error=UsageError, parse_float=Decimal,
                                 parse_constant=_reject_constant)
        validate_results(results)
        check_untrusted_results(results)  # its LaTeX fields: typesetting macros only
    except UsageError as exc:
        raise type(exc)(f"--from {str(path)!r}: {exc}") from None
    return results


def load_families_figure(path) -> dict:
    """The figure data of a ``proofs-check families --paper zgj --json`` file; errors name
    the option and the field."""
    from proofs_check.families.definitions import family_papers
    from proofs_check.report import ResultsError
    from proofs_check.report.figure_data import FamilyThreshold

    data = read_json_file(path, "the families file", error=UsageError)
    try:
        with_eps0 = [pid for pid, record in family_papers().items() if record.eps0 is not None]
        if not isinstance(data, dict) or data.get("paper") not in with_eps0:
            raise ResultsError(f"paper: must be {' or '.join(map(repr, with_eps0))} "
                               "(the figure compares with Zhou-Ge-Jin's eps0)")
        return FamilyThreshold.from_families_json(data).to_json()
    except (ResultsError, KeyError, TypeError) as exc:
        raise UsageError(f"--families {str(path)!r}: {exc}") from None


def _wanted_ids(claims: str | None) -> list | None:
    """The ids named in ``--claims`` (checked as an option, before any file is read)."""
    if claims is None:
        return None
    wanted = [t.strip() for t in claims.split(",")]
    if not all(wanted):
        raise UsageError(f"--claims = {claims!r} names no claim id or has an empty item")
    repeated = sorted({cid for cid in wanted if wanted.count(cid) > 1})
    if repeated:
        raise UsageError(f"--claims = {claims!r} names {', '.join(repeated)} twice")
    return wanted


def _select(results: dict, wanted: list | None) -> dict:
    """Keep only the claims named in ``--claims`` (in the order given) of validated results."""
    if wanted is None:
        return results
    by_id = {c["id"]: c for c in results["claims"]}
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
    from proofs_check.schema import validate_results
    from proofs_check.suite import parse_claim_ids

    ids = parse_claim_ids(args.claims)
    seed = 0 if args.seed is None else args.seed
    results = run_suite(ids, args.samples, seed, progress=not args.no_progress)
    validate_results(results, produced=True)  # a mismatch here is our bug, not bad input
    return results


def run(args) -> int:
    from proofs_check.files import write_atomically
    from proofs_check.report import LatexCompileError, ResultsError, check_typesettable, write_report
    from proofs_check.report.document import check_evidence
    from proofs_check.report.figure_data import FigureData

    out = Path(args.out)
    families = None
    if args.families is not None:  # read and checked before anything runs or is written
        families = load_families_figure(args.families)
    campaign = None
    if args.from_db is not None:  # read before anything runs or is written
        from proofs_check.campaign import summary

        try:
            campaign = summary(args.from_db)
        except UsageError as exc:
            raise UsageError(str(exc).replace("--db", "--from-db", 1)) from None
    if args.from_path is not None:
        for option in ("samples", "seed"):
            if getattr(args, option) is not None:
                raise UsageError(
                    f"--{option} applies only when the suite runs; --from {args.from_path!r}"
                    " reports results that were already computed (drop one of the two)"
                )
        wanted = _wanted_ids(args.claims)  # option errors before the file's
        results = _select(load_results(args.from_path), wanted)
        try:  # what the schema cannot say, before anything is written, naming the file
            FigureData.from_json(results.get("figures"))
            check_evidence(results["claims"])
            check_typesettable(results["claims"])
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
    if families is not None:
        results = {**results, "figures": {**(results.get("figures") or {}), "families": families}}
    try:
        path = write_report(results, out, pdf=args.pdf, campaign=campaign)
    except LatexCompileError as exc:
        print(f"proofs-check report: error: {exc}", file=sys.stderr)
        print(f"wrote {out / 'report.tex'} (not compiled)")
        return EXIT_NOT_COMPILED
    print(f"wrote {out / 'report.tex'}")
    if args.pdf:
        print(f"wrote {path}")
    return 0
