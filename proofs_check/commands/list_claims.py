"""proofs-check list [--paper ID]

Lists the registered claims grouped by paper: each id (for run --claims, search and
replay), the kind of result it aims at (proved / checked / empirical), what the paper
states (holds / fails / silent), the verdict this tool is recorded to reach, its title and
its source.

Exit codes: 0 listed, 2 bad option or unknown paper, 3 internal error.
"""
from __future__ import annotations

from proofs_check.registry import all_papers, claims_by_paper, get_paper


def register(subparsers):
    p = subparsers.add_parser("list", help="list claim ids by paper, with their sources",
                              description=__doc__.split("\n\n", 1)[1])
    p.add_argument("--paper", default=None, metavar="ID",
                   help="only this paper's claims (ids: zgj, du, lzb, ss, contrast, plugins)")
    p.set_defaults(handler=run)


def run(args) -> int:
    papers = [get_paper(args.paper), *get_paper(args.paper).parts] if args.paper else list(all_papers().values())
    groups = claims_by_paper()
    width = max(len(cid) for p in papers for cid in groups[p.id]) if any(
        groups[p.id] for p in papers) else 0
    for k, paper in enumerate(papers):
        if k:
            print()
        print(f"{paper.id}: {paper.citation}" + ("" if not paper.authors else f", {paper.title}"))
        for cid, claim in groups[paper.id].items():
            says = claim.paper.says if claim.paper else "-"
            print(f"  {cid.ljust(width)}  {claim.kind:<9}  paper {says:<6}  tool {claim.expected:<12}  "
                  f"{claim.title}  [{claim.source}]")
    return 0
