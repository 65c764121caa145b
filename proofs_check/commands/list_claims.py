"""proofs-check list

Lists every registered claim: its id (for run --claims, search and replay), its expected
status, its title and its source in the paper.

Exit codes: 0 listed, 2 bad option, 3 internal error.
"""
from __future__ import annotations

from proofs_check.claims import all_claims


def register(subparsers):
    p = subparsers.add_parser("list", help="list claim ids with their sources",
                              description=__doc__.split("\n\n", 1)[1])
    p.set_defaults(handler=run)


def run(args) -> int:
    claims = all_claims()
    width = max(len(cid) for cid in claims)
    for cid, claim in claims.items():
        print(f"{cid.ljust(width)}  expected {claim.expected:<9}  {claim.title}  [{claim.source}]")
    return 0
