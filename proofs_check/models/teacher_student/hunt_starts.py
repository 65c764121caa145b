"""Start points of the hunt, generated lazily: nothing here grows with the number of
combinations of atoms (at ``r = 40`` there are ``1601`` atoms and ``3e11`` combinations
of up to four), only with the starts actually taken.

Families: random Gaussian rows, the sublevel sampler's families
(:mod:`proofs_check.models.teacher_student.samplers`), and structured ones: students parked on teachers, on
bisectors of teacher pairs, at zero, and in the span of subsets of teachers (exactly
symmetric starts stay in their symmetric subspace under descent, which is how symmetric
saddles are reached): the combinations of distinct atoms up to symmetry
(:func:`atom_combinations`), then the other families, half of them with fewer students,
padded with zero rows afterwards (:func:`start_schedule`).
"""
from __future__ import annotations

import itertools
import math
from typing import Iterator

import mpmath
import numpy as np

from proofs_check.landscape.symmetry import atom_image_labels, smallest_label_set, teacher_symmetries
from proofs_check.models.teacher_student.samplers import configuration_at_scale, random_spec

__all__ = ["structured_atoms", "starts", "atom_combinations", "start_schedule", "family_schedule",
           "ATOM_WIDTH", "ATOM_SHARE", "ENUMERATED_COMBINATIONS"]


def _unit(v):
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def structured_atoms(T) -> list:
    """Directions a student may be parked on: teachers, bisectors of pairs (both signs),
    the normalised sum of all teachers."""
    T = np.asarray(T, dtype=float)
    atoms = [t for t in T]
    for i, j in itertools.combinations(range(len(T)), 2):
        for s in (1, -1):
            atoms.append(_unit(_unit(T[i]) + s * _unit(T[j])) * math.sqrt(np.linalg.norm(T[i]) * np.linalg.norm(T[j])))
    if len(T) > 2:
        atoms.append(_unit(sum(_unit(t) for t in T)) * np.mean(np.linalg.norm(T, axis=1)))
    return atoms


def starts(T, m: int, count: int, rng) -> Iterator:
    """Up to ``count`` start points ``(family, m x d array)``, lazily: W = 0 first, then
    students parked on atoms (some rows zero, some jittered), spans of subsets of
    teachers, random Gaussian rows and the sampler's families, in a fixed rotation."""
    T = np.asarray(T, dtype=float)
    r, d = T.shape
    if count < 1:
        return
    atoms = structured_atoms(T)
    yield ("zero", np.zeros((m, d)))
    made = 1
    scale = float(np.mean(np.linalg.norm(T, axis=1)))

    def parked(rows, zero_prob=0.0, jitter=0.0):
        W = np.zeros((m, d))
        for j in range(m):
            if rng.random() < zero_prob:
                continue
            a = atoms[rows[j] % len(atoms)]
            # ||u|| = ||w||^2: park with u of the atom's size times a random share.
            W[j] = a / math.sqrt(max(np.linalg.norm(a), 1e-12)) * math.sqrt(rng.uniform(0.3, 1.0))
        return W + jitter * rng.standard_normal(W.shape)

    families = ("parked", "parked-zero", "span", "random", "sampler", "parked-jitter")
    k = 0
    while made < count:
        family = families[k % len(families)]
        k += 1
        made += 1
        if family == "parked":
            yield (family, parked(rng.integers(0, len(atoms), size=m)))
        elif family == "parked-zero":
            yield (family, parked(rng.integers(0, len(atoms), size=m), zero_prob=0.4))
        elif family == "parked-jitter":
            yield (family, parked(rng.integers(0, len(atoms), size=m), jitter=0.05))
        elif family == "span":
            subset = rng.choice(r, size=int(rng.integers(1, r + 1)), replace=False)
            yield (family, rng.standard_normal((m, len(subset))) @ T[subset] * 0.7)
        elif family == "random":
            yield (family, rng.standard_normal((m, d)) * scale ** 0.5 * rng.choice([0.3, 0.7, 1.2]))
        elif m >= r:
            spec = random_spec(rng, r, m, d, teacher=T)
            with mpmath.workdps(20):
                cfg = configuration_at_scale(spec, rng.choice([0.2, 0.5, 1.0]))
            yield ("sampler-" + spec.family, np.array([[float(x) for x in row] for row in cfg.student]))
        else:
            made -= 1  # m < r: no sampler family


#: Atom combinations are enumerated up to this many students.
ATOM_WIDTH = 4
#: At most 1/ATOM_SHARE of the starts are atom combinations.
ATOM_SHARE = 2
#: A teacher is covered by an atom within this ``|cos|`` (a bisector covers both its teachers).
COVER_COS = 0.7
#: Up to this many combinations of atoms are enumerated and ordered; beyond, drawn at random.
ENUMERATED_COMBINATIONS = 200_000


def _sampled_combinations(count: int, width: int, rng) -> Iterator:
    """Distinct random combinations of up to ``width`` of ``count`` atoms, lazily (the
    enumeration of all of them is too large)."""
    drawn = set()
    while len(drawn) < 10**6:  # a bound on the memory of ``drawn``, far beyond any start count
        w = int(rng.integers(1, width + 1))
        c = tuple(sorted(int(a) for a in rng.choice(count, size=w, replace=False)))
        if c not in drawn:
            drawn.add(c)
            yield c


def atom_combinations(T, m: int, group, rng, limit: int | None = None) -> Iterator:
    """Up to ``limit`` (None: no limit) starts ``(width, "atoms", rows)``, lazily: students
    parked exactly on distinct atoms (teachers, bisectors, the diagonal), one start per
    orbit under ``group``, widths ``1..4``.  When there are at most
    :data:`ENUMERATED_COMBINATIONS` combinations, those covering the most teachers come
    first (the low spurious points found so far serve every teacher: e.g. both bisectors
    of ``e_1, e_2`` plus ``e_3``); beyond, combinations are drawn at random.

    A repeated atom would be the same reduced point as a narrower start, so atoms are
    distinct.  Each start is exactly symmetric under its stabiliser, and descent keeps it
    so: this is how the symmetric saddles are reached.  Ties are shuffled by ``rng``."""
    atoms = structured_atoms(T)
    units = np.array([a / np.linalg.norm(a) for a in atoms])
    width = min(m, ATOM_WIDTH)
    total = sum(math.comb(len(atoms), w) for w in range(1, width + 1))
    if total <= ENUMERATED_COMBINATIONS:
        teachers = np.asarray(T, dtype=float) / np.linalg.norm(T, axis=1)[:, None]
        covers = np.abs(units @ teachers.T) >= COVER_COS  # atoms x teachers
        combos = [c for w in range(1, width + 1) for c in itertools.combinations(range(len(atoms)), w)]
        tie = rng.random(len(combos))
        order = sorted(range(len(combos)),
                       key=lambda k: (-int(covers[list(combos[k])].any(axis=0).sum()), len(combos[k]), tie[k]))
        candidates = (combos[k] for k in order)
    else:
        candidates = _sampled_combinations(len(atoms), width, rng)
    labels = atom_image_labels(units, group)
    seen = set()
    for c in candidates:
        if limit is not None and len(seen) >= limit:
            return
        key = smallest_label_set(labels[:, list(c)])
        if key in seen:
            continue
        seen.add(key)
        # ||u|| = ||w||^2: each student carries 0.8 of its atom's size.
        rows = np.array([units[i] * math.sqrt(0.8 * np.linalg.norm(atoms[i])) for i in c])
        yield (len(c), "atoms", rows)


def family_schedule(T, m: int, count: int, seed: int) -> Iterator:
    """``count`` starts ``(width, family, rows)`` of :func:`starts`' families, lazily,
    round-robin over widths, half at ``m`` students and half spread over ``1..m-1``.  A
    stationary point of ``m' < m`` students padded with zero rows is stationary for ``m``
    (the zero rows' gradient vanishes), and the narrower hunts are cheaper and reach the
    building blocks that wide random starts rarely do."""
    widths = list(range(1, m))
    at_m = max(1, count - count // 2) if widths else count
    share = {w: (count - at_m) // len(widths) + (1 if i < (count - at_m) % len(widths) else 0)
             for i, w in enumerate(widths)} if widths else {}
    share[m] = at_m
    queues = {w: starts(T, w, n, np.random.default_rng([seed, w])) for w, n in share.items() if n}
    while queues:
        for w in sorted(queues, reverse=True):
            try:
                family, W0 = next(queues[w])
            except StopIteration:
                del queues[w]
                continue
            yield (w, family, W0)


def start_schedule(T, m: int, count: int, seed: int, group=None) -> Iterator:
    """``(width, family, rows)`` starts, lazily: first the atom combinations (at most half
    of ``count``), then :func:`family_schedule` for the rest (the descent hunt's schedule)."""
    group = group if group is not None else teacher_symmetries(T)
    atoms = 0
    for start in atom_combinations(T, m, group, np.random.default_rng([seed, 0]), count // ATOM_SHARE):
        atoms += 1
        yield start
    yield from family_schedule(T, m, count - atoms, seed)
