"""``proofs-check stationary --orthonormal R --students M --symmetric [--family NAME]``: the
certified members of the symmetric families at one (r, m), instead of the full-space hunt.

Every family of the paper whose width rule gives ``m`` students at ``r`` is followed from
its seed search (at ``q = 4``) to ``r`` (see :mod:`proofs_check.families.follow`), and its
members at ``r`` are certified there (Krawczyk in the reduced coordinates, inertia from
the isotypic blocks).
"""
from __future__ import annotations

import time

from proofs_check.errors import UsageError
from proofs_check.families.definitions import families_of
from proofs_check.families.follow import FollowSettings, follow_family

__all__ = ["symmetric_members"]


def symmetric_members(paper: str, r: int, m: int, *, family: str | None = None, starts: int = 24,
                      seed: int = 0, dps: int = 40, budget: float = 600.0) -> tuple:
    """``(members, notes)`` at ``(r, m)``: every family of ``paper`` with ``m(r) = m`` (or
    only ``family``); bad input raises :class:`UsageError` naming the option."""
    settings = FollowSettings(paper=paper, r_max=r, r_min=r, starts=starts, seed=seed, dps=dps, budget=budget)
    if family is not None:
        try:
            chosen = families_of(paper, [family])
        except KeyError:
            known = ", ".join(f.name for f in families_of(paper))
            raise UsageError(f"--family = {family!r} is not a family of paper {paper}; use one of {known}") from None
        if chosen[0].students(r) != m:
            raise UsageError(f"--students = {m}: family {family} has m = {chosen[0].width} = {chosen[0].students(r)} "
                             f"students at r = {r}")
    else:
        chosen = tuple(f for f in families_of(paper) if f.students(r) == m)
        if not chosen:
            widths = sorted({f.students(r) for f in families_of(paper)})
            raise UsageError(f"--students = {m}: no symmetric family of paper {paper} has {m} students at "
                             f"r = {r} (they have {', '.join(map(str, widths))})")
    deadline = time.monotonic() + budget
    members, notes = [], []
    for spec in chosen:
        found, why = follow_family(paper, spec, settings, deadline=deadline)
        members.extend(found)
        notes.extend(why)
    return tuple(sorted(members, key=lambda m: (not m.certified, float(m.loss.mid()) if m.certified else 0))), \
        tuple(notes)
