"""proofs-check identities [--json]

Prints the exact identities derived with SymPy (symbolic/identities.py): Claim 2's
delta^3 coefficient, Lemma D.2, the Hermite coefficients of Lemma C.11, blocks of M and
the ReLU reduction.  Without --json: one block per identity (name, title, source, SymPy
form, value to 30 significant digits).  With --json: one object {"identities": [{"name",
"title", "source", "sympy", "latex", "value"}, ...]} where value is a 30-digit decimal
string, or null when the identity is not a number.

Exit codes: 0 printed, 2 bad option, 3 internal error.
"""
from __future__ import annotations

import json

__all__ = ["register", "run", "identity_records", "DIGITS"]

#: Significant digits of every printed value.
DIGITS = 30


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "identities",
        help="print the exact identities (Claim 2, Lemmas D.2 and C.11, M, ReLU reduction)",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(handler=run)


def identity_records(digits: int = DIGITS) -> list[dict]:
    """One JSON-ready dict per identity, in the registry's order."""
    from symbolic.identities import identities  # derivations take seconds; only when asked

    return [
        {
            "name": i.name,
            "title": i.title,
            "source": i.source,
            "sympy": str(i.expr),
            "latex": i.latex(),
            "value": i.value_string(digits),
        }
        for i in identities()
    ]


def _text(records: list[dict]) -> str:
    blocks = []
    for rec in records:
        lines = [
            rec["name"],
            f"  {rec['title']}",
            f"  source: {rec['source']}",
            f"  sympy:  {rec['sympy']}",
        ]
        if rec["value"] is not None:
            lines.append(f"  value:  {rec['value']}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def run(args) -> int:
    records = identity_records()
    if args.json:
        print(json.dumps({"identities": records}, indent=2))
    else:
        print(_text(records))
    return 0
