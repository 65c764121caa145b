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
* ``bisect`` (m = r, Zhou-Ge-Jin only): ``S_{r-2}`` on students near their teachers, two
  free students on the bisectors of ``(e_{r-1}, e_r)`` and ``(e_{r-1}, -e_r)`` (at r = 2:
  the lowest saddle the hunt finds, ``L = (pi^2 - 8)/(2 pi (pi + 2))``);
* ``bisect+1`` (m = r + 1, Zhou-Ge-Jin only): ``bisect`` with the student on the bisector
  of ``(e_{r-1}, e_r)`` split in two, tilted by ``+-`` the generic coordinates (at r = 3 the
  lowest saddle the hunt finds for m = 4, ``L = 0.0550...``);
* ``pairs`` (m = 2r): two students per teacher, ``S_r``;
* ``pairs-split`` (m = 2r): ``pairs`` with one teacher and its two students set apart;
* ``pairs-mirror`` (m = 2r, Zhou-Ge-Jin only): ``pairs-split`` with the two students of each
  generic teacher, and the two students of the last teacher, exchanged by the reflection of
  the last coordinate: ``a e_i + b sum_{j != i, r} e_j +- c e_r``, not aligned when
  ``c != 0``, so the zeros are isolated where those of ``pairs`` and ``pairs-split`` (two
  aligned students per teacher, a flat direction) are not;
* ``pairs-mirror-zero`` (m = 2r, Zhou-Ge-Jin only): ``pairs-mirror`` with the last teacher's
  two students at ``w = 0`` (where ``pairs-mirror``'s lowest branch goes near r = 21): the
  restricted model carries the ``2r - 2`` others and :func:`zero_student_lift` adds the two.

**Zero students (a lemma, Zhou-Ge-Jin's absolute value).**  A student enters the loss
through ``u = |w| w``, whose Jacobian ``|w| I + w w^T / |w|`` is 0 at ``w = 0``: a student
at 0 contributes nothing to the network and the loss's gradient with respect to it is 0.
So a stationary point of the loss of ``m'`` students, with ``m - m'`` students added at 0,
is a stationary point of the loss of ``m`` students with the same loss; a direction of
negative curvature of the ``m'`` loss (moving the ``m'`` students only) is one of the ``m``
loss, so a saddle stays a saddle.  The Hessian does not exist at a zero student (``u`` is
not twice differentiable at 0), so such a point is never called a minimum.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from numeric.fixed_point import SignedPermutation, symmetric_group_generators
from numeric.isotypic import Layout

__all__ = ["FamilySpec", "FAMILIES", "PaperFamilies", "family_papers", "paper_families", "default_family_paper",
           "families_of", "WIDTH_RULES", "zero_student_lift"]

#: Width rules: the number of students as a function of r.
WIDTH_RULES = {"r": lambda r: r, "r+1": lambda r: r + 1, "2r": lambda r: 2 * r}


@dataclass(frozen=True)
class FamilySpec:
    """A family: its name, the width rule, the layout of :class:`numeric.isotypic.Layout`
    (``copies``, ``special``) and whether it adds the mirror generator.  Which papers
    follow it is said by each paper's :class:`PaperFamilies`."""

    name: str
    width: str
    copies: int
    special: int
    mirror: bool = False
    bisect: bool = False
    mirror_pairs: bool = False
    zero_students: int = 0

    def students(self, r: int) -> int:
        """The network's width at ``r`` (the width rule)."""
        return WIDTH_RULES[self.width](r)

    def m(self, r: int) -> int:
        """The students the restricted model carries: the width less the
        ``zero_students``, which sit at ``w = 0`` (see :func:`zero_student_lift`)."""
        return WIDTH_RULES[self.width](r) - self.zero_students

    def layout(self, r: int) -> Layout:
        return Layout(r, self.m(r), self.copies, self.special)

    def min_r(self) -> int:
        """The smallest r with at least one generic index (q >= 1)."""
        return max(2, self.special + 1)

    def role(self, r: int, i: int, j: int) -> tuple:
        """What the entry ``W[i, j]`` is, independently of r: the student's class (copy or
        free index), the coordinate's class (generic or special index), and for a generic
        student at a generic coordinate whether it is its own."""
        q = r - self.special
        row = ("copy", i // q, i % q) if i < self.copies * q else ("free", i - self.copies * q)
        col = ("generic", j) if j < q else ("special", j - q)
        if row[0] == "copy" and col[0] == "generic":
            return ("copy", row[1], "own" if row[2] == j else "other")
        return (row[0], row[1], col[0], 0 if col[0] == "generic" else col[1])

    def generators(self, r: int) -> tuple:
        m = self.m(r)
        gens = symmetric_group_generators(r, copies=self.copies, special=self.special, m=m)
        if self.mirror:
            q = r - self.special
            a, b = self.copies * q, self.copies * q + 1
            gens.append(SignedPermutation.of(m, r, students={a: b, b: a}, coord_signs={r - 1: -1}))
        if self.bisect:
            q = r - self.special
            a, b = self.copies * q, self.copies * q + 1  # on the bisectors of (e_q, +-e_q+1)
            gens.append(SignedPermutation.of(m, r, coords={q: q + 1, q + 1: q}, student_signs={b: -1}))
            if m > self.copies * q + 2:  # two students around the bisector of (e_q, e_q+1), tilted
                c = a + 2
                generic_students = {i: -1 for i in range(self.copies * q)}
                gens.append(SignedPermutation.of(m, r, students={a: c, c: a},
                                                 student_signs=generic_students,
                                                 coord_signs={j: -1 for j in range(q)}))
        if self.mirror_pairs:  # copy 1 of each generic teacher is copy 0 reflected in the last coordinate
            q = r - self.special
            students = {i: q + i for i in range(q)}
            students.update({q + i: i for i in range(q)})
            a, b = 2 * q, 2 * q + 1
            if m > b:
                students.update({a: b, b: a})
            gens.append(SignedPermutation.of(m, r, students=students, coord_signs={r - 1: -1}))
        return tuple(gens)


FAMILIES = (
    FamilySpec("diag", "r", 1, 0),
    FamilySpec("split", "r", 1, 1),
    FamilySpec("diag+1", "r+1", 1, 0),
    FamilySpec("split+1", "r+1", 1, 1),
    FamilySpec("mirror", "r+1", 1, 1, mirror=True),
    FamilySpec("bisect", "r", 1, 2, bisect=True),
    FamilySpec("bisect+1", "r+1", 1, 2, bisect=True),
    FamilySpec("pairs", "2r", 2, 0),
    FamilySpec("pairs-split", "2r", 2, 1),
    FamilySpec("pairs-mirror", "2r", 2, 1, mirror_pairs=True),
    FamilySpec("pairs-mirror-zero", "2r", 2, 1, mirror_pairs=True, zero_students=2),
)


def zero_student_lift(point_type: str, zero_students: int) -> tuple:
    """``(point type, note)`` of a certified point of the restricted model once
    ``zero_students`` students at ``w = 0`` are added (the lemma above): a saddle stays a
    saddle, a global minimum stays global, anything else becomes ``degenerate`` (no Hessian
    at 0)."""
    if zero_students == 0 or point_type in ("saddle", "global", "uncertified"):
        return point_type, ("" if zero_students == 0 else
                            f"{zero_students} students at w = 0 added (gradient 0 there; inertia of the others)")
    return "degenerate", (f"{zero_students} students at w = 0 added: no Hessian there, "
                          f"the others' point is a {point_type}")


@dataclass(frozen=True)
class PaperFamilies:
    """What a paper declares on its record (``Paper.families``) for ``proofs-check families``:
    ``names`` of the families of :data:`FAMILIES` it follows; ``network`` its loss at
    orthonormal teachers as the restricted model takes it
    (:class:`numeric.fixed_point.OrthonormalNetwork`); ``full_model(r, m)`` its numeric
    loss at ``r`` orthonormal teachers and ``m`` students (for the full Hessian); ``eps0(r)``
    the paper's threshold at ``r`` orthonormal teachers, printed beside the lowest spurious
    point (``None``: the paper states none); ``expansion``: whether the lowest minima's loss
    is expanded in ``k^(-1/2)``."""

    names: tuple
    network: object
    full_model: Callable
    eps0: Callable | None = None
    expansion: bool = False


def family_papers() -> dict:
    """``{paper id: PaperFamilies}`` of the registered papers that declare families, in the
    registry's order."""
    from proofs_check.registry import all_papers

    return {pid: p.families for pid, p in all_papers().items() if p.families is not None}


def paper_families(paper: str) -> PaperFamilies:
    """The families record of ``paper`` (``KeyError`` if it declares none)."""
    return family_papers()[paper]


def default_family_paper() -> str:
    """The first paper (registry order) that declares families: ``--paper``'s default."""
    return next(iter(family_papers()))


def families_of(paper: str, names=None) -> tuple:
    """The families of ``paper``, or those of ``names`` (unknown names raise ``KeyError``)."""
    own = set(paper_families(paper).names) if paper in family_papers() else set()
    known = {f.name: f for f in FAMILIES if f.name in own}
    if names is None:
        return tuple(known.values())
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(missing[0])
    return tuple(known[n] for n in names)
