"""``proofs-check run [--claims ID,...] [--samples N] [--seed S] [--json PATH]``: the check suite.

Exit 0 when every claim's status matches its expectation, 1 when one does not, 2 on bad
input.  Same seed, same output.
"""
from __future__ import annotations

from numeric.config import ensure_writable
from proofs_check.errors import UsageError
from proofs_check.suite import format_table, parse_claim_ids, run_suite, write_results


def add_suite_options(p):
    p.add_argument("--claims", default=None, help="comma-separated claim ids (default: all)")
    p.add_argument("--samples", type=int, default=None, help="samples per claim (default: each claim's own)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def register(subparsers):
    p = subparsers.add_parser("run", help="run the check suite", description=__doc__.splitlines()[0])
    add_suite_options(p)
    p.add_argument("--json", dest="json_path", default=None, metavar="PATH", help="write results JSON here")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args) -> int:
    ids = parse_claim_ids(args.claims)
    if args.json_path:
        ensure_writable(args.json_path, "--json", error=UsageError)
    results = run_suite(ids, args.samples, args.seed, progress=not args.no_progress)
    if args.json_path:
        write_results(results, args.json_path)
    print(format_table(results))
    mismatched = [c["id"] for c in results["claims"] if c["status"] != c["expected"]]
    if mismatched:
        print(f"\n{len(mismatched)} claim(s) did not match their expectation: {', '.join(mismatched)}")
        return 1
    print(f"\nall {len(results['claims'])} claims match their expectation")
    return 0
