"""The symmetric families followed in r: each one a subgroup of the loss's symmetries,
named by its orbits on students and teachers.

Orthonormal teachers ``e_1..e_r`` in ``d = r``.  Every family has ``S_q`` (``q = r -
special``) acting at once on ``q`` teachers (coordinates) and on ``copies`` students per
such teacher; the ``special`` last teachers and the ``free`` students after them are not
permuted (a factor ``S_1``), and some families add one more generator.  The family's
points are the zeros of the gradient restricted to ``Fix(H)`` (see
:mod:`numeric.fixed_point`), whose dimension does not depend on ``r``:

* ``diag`` (m = r): ``w_i = a e_i + b sum_{j != i} e_j``, isotropy ``S_r`` (Arjevani and
  Field's ``Delta S_k`` for Safran-Shamir's model);
* ``split`` (m = r): ``S_{r-1} x S_1``, one teacher and one student set apart (Safran-Shamir's
  spurious minima are of this type);
* ``diag+1`` (m = r + 1): ``diag`` and one free student, ``S_r``;
* ``split+1`` (m = r + 1): ``split`` and one more free student, ``S_{r-1} x S_1``;
* ``mirror`` (m = r + 1, Zhou-Ge-Jin only): two free students exchanged by the reflection
  of the last coordinate (they share the last teacher, symmetric about its hyperplane);
* ``pairs`` (m = 2r): two students per teacher, ``S_r``;
* ``pairs-split`` (m = 2r): ``pairs`` with one teacher and its two students set apart.
"""
from __future__ import annotations

from dataclasses import dataclass

from numeric.fixed_point import SignedPermutation, symmetric_group_generators
from numeric.isotypic import Layout

__all__ = ["FamilySpec", "FAMILIES", "families_of", "WIDTH_RULES"]

#: Width rules: the number of students as a function of r.
WIDTH_RULES = {"r": lambda r: r, "r+1": lambda r: r + 1, "2r": lambda r: 2 * r}


@dataclass(frozen=True)
class FamilySpec:
    """A family: its name, the papers it applies to, the width rule, the layout of
    :class:`numeric.isotypic.Layout` (``copies``, ``special``) and whether it adds the
    mirror generator."""

    name: str
    papers: tuple
    width: str
    copies: int
    special: int
    mirror: bool = False

    def m(self, r: int) -> int:
        return WIDTH_RULES[self.width](r)

    def layout(self, r: int) -> Layout:
        return Layout(r, self.m(r), self.copies, self.special)

    def min_r(self) -> int:
        """The smallest r at which the subspace has its generic dimension (q >= 2)."""
        return self.special + 2

    def generators(self, r: int) -> tuple:
        m = self.m(r)
        gens = symmetric_group_generators(r, copies=self.copies, special=self.special, m=m)
        if self.mirror:
            q = r - self.special
            a, b = self.copies * q, self.copies * q + 1
            gens.append(SignedPermutation.of(m, r, students={a: b, b: a}, coord_signs={r - 1: -1}))
        return tuple(gens)


FAMILIES = (
    FamilySpec("diag", ("zgj", "ss"), "r", 1, 0),
    FamilySpec("split", ("zgj", "ss"), "r", 1, 1),
    FamilySpec("diag+1", ("zgj", "ss"), "r+1", 1, 0),
    FamilySpec("split+1", ("zgj", "ss"), "r+1", 1, 1),
    FamilySpec("mirror", ("zgj",), "r+1", 1, 1, mirror=True),
    FamilySpec("pairs", ("zgj",), "2r", 2, 0),
    FamilySpec("pairs-split", ("zgj",), "2r", 2, 1),
)


def families_of(paper: str, names=None) -> tuple:
    """The families of ``paper``, or those of ``names`` (unknown names raise ``KeyError``)."""
    known = {f.name: f for f in FAMILIES if paper in f.papers}
    if names is None:
        return tuple(known.values())
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(missing[0])
    return tuple(known[n] for n in names)
