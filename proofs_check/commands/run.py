"""proofs-check run [--claims ID,...] [--samples N] [--seed S] [--json PATH] [--wide]

Runs the check suite: every claim (or the ones named) is checked in worker processes and
a table of verdicts is printed.  Same seed, same output.  With --json PATH the results
are written there atomically once the suite has finished ('-': to stdout, the table then
goes to stderr); an interrupted or terminated run leaves no partial file and no worker
process.

The table shows, per claim, the kind of result (proved / checked / empirical), the
status, what the paper states and whether the verdict agrees with it or goes against it (a
finding), and whether the verdict is the one this tool is recorded to reach.  The default
table fits 100 columns; --wide adds the rest (or read the JSON).

Exit codes are about the tool's own consistency, not about the papers: 0 every claim's
verdict is the one the tool is recorded to reach (a finding against a paper that is
recorded still exits 0), 1 one is not (a regression, or a new finding to look at), 2 bad
input, 3 internal error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).
"""
from __future__ import annotations

import sys

from proofs_check.files import ensure_writable
from proofs_check.errors import UsageError
from proofs_check.limits import limits_of
from proofs_check.suite import format_table, parse_claim_ids, run_suite, write_results


def add_suite_options(p):
    p.add_argument("--claims", default=None, help="comma-separated claim ids (default: all)")
    p.add_argument("--samples", type=int, default=None, help="samples per claim (default: each claim's own)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def register(subparsers):
    p = subparsers.add_parser("run", help="run the check suite", description=__doc__.split("\n\n", 1)[1])
    add_suite_options(p)
    p.add_argument("--json", dest="json_path", default=None, metavar="PATH",
                   help="write results JSON here ('-' for stdout)")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    p.add_argument("--wide", action="store_true",
                   help="all columns (expected, scale range, error, precision, estimate, where drawn)")
    p.set_defaults(handler=run)


def run(args) -> int:
    ids = parse_claim_ids(args.claims)
    limits_of(args).check("--samples", args.samples, limits_of(args).max_samples)
    if args.json_path is not None:
        ensure_writable(args.json_path, "--json", error=UsageError)
    results = run_suite(ids, args.samples, args.seed, progress=not args.no_progress)
    if args.json_path is not None:
        write_results(results, args.json_path)
    out = sys.stderr if args.json_path == "-" else sys.stdout
    print(format_table(results, wide=args.wide), file=out)
    mismatched = [c["id"] for c in results["claims"] if c["status"] != c["expected"]]
    if mismatched:
        print(f"\n{len(mismatched)} claim(s) did not reach the verdict this tool is recorded to reach "
              f"(a regression or a new finding): {', '.join(mismatched)}", file=out)
        return 1
    print(f"\nall {len(results['claims'])} claims reach the verdict this tool is recorded to reach", file=out)
    return 0
