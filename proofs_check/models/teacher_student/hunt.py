"""The hunt for Zhou-Ge-Jin's teacher-student network: start strategies, zero search,
deflation, certification, deduplication (see :mod:`proofs_check.landscape`).

Each start comes from one strategy (:data:`proofs_check.landscape.types.STRATEGIES`),
taken in turn: ``symmetry`` (a zero search on a fixed-point subspace, lifted), ``atoms``
and ``random`` (a deflated zero search in the full space from students parked on atoms,
or from random and sampler rows), ``descent`` (the descent hunt's schedule, descent on the
loss).  Certified saddles add ``hop`` starts along their negative curvature, which run
before the next strategy's.  Every new point (with its orbit) deflates the later zero
searches.  The landscape counts, per strategy, its starts, its runs that reached a zero,
and the distinct points it found first.
"""
from __future__ import annotations

import itertools
import time
from collections import deque
from typing import Callable, Iterator

import numpy as np

from numeric.config import Configuration
from numeric.numbers import to_mpf
from numeric.stationary import TeacherStudentModel
from proofs_check.errors import UsageError, check_termination
from proofs_check.landscape.ambient import pad_teacher
from proofs_check.landscape.classification import classify_point
from proofs_check.landscape.deflation import OrbitDeflation
from proofs_check.landscape.generic import flat_hops
from proofs_check.landscape.memory import (CERTIFY_MAX_PARAMETERS, SYMMETRY_MAX_PARAMETERS, certificate_estimate,
                                           default_cap, format_bytes, hunt_estimate)
from proofs_check.models.teacher_student.reduction import Reduced, lift64, reduced_loss
from proofs_check.models.teacher_student.solvers import descend_and_reduce, subspace_search_and_reduce, zero_search_and_reduce
from proofs_check.models.teacher_student.hunt_starts import atom_combinations, family_schedule, start_schedule
from proofs_check.landscape.symmetry import symmetry_key, teacher_symmetries
from proofs_check.models.teacher_student.symmetry_seeds import subspaces
from proofs_check.landscape.types import (NEAR_GLOBAL, HuntInterrupted, HuntSettings, Landscape, StationaryPoint,
                                          StrategyCount)

__all__ = ["hunt", "saddle_hops", "GLOBAL_TRIES", "SEEDS_PER_SUBSPACE"]

#: Uncertified global minima are retried this many times before the entry is kept as is.
GLOBAL_TRIES = 5
#: Zero searches started in each fixed-point subspace.
SEEDS_PER_SUBSPACE = 2
#: Turns per round of each strategy (the others take one): the fixed-point subspaces
#: reach low symmetric saddles of high index (three teachers, m = 5: 0.05293 with 120
#: starts), descent from the atom combinations the low saddles of index 1-2 cheaply
#: (three teachers, m = 4: 0.0550027 with 160 starts, as the descent hunt did; with two
#: descent turns in six it was not reached).
TURNS = {"symmetry": 2, "descent": 3}
#: Saddle hops take at most this share of the starts.
HOP_SHARE = 0.1


def saddle_hops(model: TeacherStudentModel, config: Configuration, count: int, step: float = 0.05) -> list:
    """Starts ``(m, "hop", rows)`` at ``config +- step * v`` for the ``count // 2`` most
    negative curvature directions ``v`` of the float64 Hessian (on the non-zero rows)."""
    W = np.array([[float(x) for x in row] for row in config.student])
    return [(model.m, family, x.reshape(W.shape)) for family, x in flat_hops(model, W.reshape(-1), count, step)]


def _padded(rows, m: int) -> np.ndarray:
    rows = np.asarray(rows, dtype=float)
    return np.vstack([rows, np.zeros((m - len(rows), rows.shape[1]))]) if len(rows) < m else rows


def _streams(strategies, T, m: int, d: int, group, settings: HuntSettings) -> dict:
    """One lazy stream of starts per strategy: ``(width, family, payload)``."""
    seed = settings.seed

    def symmetry() -> Iterator:
        rng = np.random.default_rng([seed, 1])
        scale = float(np.mean(np.linalg.norm(T, axis=1))) ** 0.5
        drawn = []
        for sub in subspaces(group, m, d, rng, teacher=T):
            drawn.append(sub)
            for _ in range(SEEDS_PER_SUBSPACE):
                z0 = rng.standard_normal(sub.dimension) * scale * rng.choice([0.4, 0.8, 1.2])
                yield (m, "symmetry: " + sub.description, (sub.basis, z0))
        # A small group has few subspaces: once no new one comes, new seeds in the old ones.
        for sub in itertools.cycle(drawn):
            z0 = rng.standard_normal(sub.dimension) * scale * rng.choice([0.4, 0.8, 1.2])
            yield (m, "symmetry (again): " + sub.description, (sub.basis, z0))

    def atoms() -> Iterator:
        for width, family, rows in atom_combinations(T, m, group, np.random.default_rng([seed, 2])):
            yield (width, family, _padded(rows, m))

    def random() -> Iterator:
        for width, family, rows in family_schedule(T, m, settings.starts, seed + 1):
            yield (width, family, _padded(rows, m))

    def descent() -> Iterator:
        yield from start_schedule(T, m, settings.starts, seed, group)

    makers = {"symmetry": symmetry, "atoms": atoms, "random": random, "descent": descent}
    return {name: makers[name]() for name in strategies}


def hunt(teacher, settings: HuntSettings, progress: Callable[[int], None] | None = None) -> Landscape:
    """Run the hunt for ``teacher`` (rows) with ``settings``; see the module docstring.

    Raises :class:`UsageError` when the memory estimate exceeds ``settings.max_memory``
    (default :func:`proofs_check.landscape.memory.default_cap`), and
    :class:`HuntInterrupted` (with every point found so far) on Ctrl-C or SIGTERM."""
    t0 = time.monotonic()
    deadline = t0 + settings.budget
    m = settings.students
    model = TeacherStudentModel.from_rows(pad_teacher(teacher, settings.dim), m, settings.activation)
    T = model.teacher64
    r, d = T.shape
    group = teacher_symmetries(T)
    cap = settings.max_memory or default_cap()
    estimate = hunt_estimate(r, d, m, len(group))
    if estimate.total > cap:
        raise UsageError(f"--max-memory: the hunt with r = {r}, d = {d}, m = {m} needs about "
                         f"{format_bytes(estimate.total)}, above the cap of {format_bytes(cap)}")
    notes = []
    strategies = list(settings.strategies)
    if not estimate.dense and "descent" in strategies:
        strategies.remove("descent")
        notes.append(f"descent skipped: it needs the dense Hessian ({model.n} parameters; "
                     f"the zero search works without it)")
    if model.n > SYMMETRY_MAX_PARAMETERS and "symmetry" in strategies:
        strategies.remove("symmetry")
        notes.append(f"symmetry seeds skipped: {model.n} parameters > {SYMMETRY_MAX_PARAMETERS}")
    streams = _streams(strategies, T, m, d, group, settings)
    counts = {name: [0, 0, 0] for name in strategies}
    deflation = None
    if settings.deflation:
        room = int(max(1, min(4000, cap / 4 / max(1, 32 * m * m * d))))
        deflation = OrbitDeflation(m, d, group, max_images=room)
    rng = np.random.default_rng(settings.seed)
    found: dict = {}
    order = []
    run = converged = 0
    hops: deque = deque()
    turn = 0

    def next_start():
        nonlocal turn
        if hops and counts.get("hop", [0])[0] < HOP_SHARE * settings.starts:
            return ("hop",) + hops.popleft()
        while streams:
            names = [n for n in streams for _ in range(TURNS.get(n, 1))]
            names = names[::2] + names[1::2]  # spread a strategy's turns over the round
            name = names[turn % len(names)]
            try:
                start = next(streams[name])
                turn += 1
                return (name,) + start
            except StopIteration:
                del streams[name]
        return None

    def landscape(interrupted: bool) -> Landscape:
        points = sorted((StationaryPoint(**found[k]) for k in order), key=lambda p: to_mpf(p.loss.mid()))
        table = tuple(StrategyCount(name, *c) for name, c in counts.items())
        return Landscape(tuple(tuple(row) for row in model.teacher), m, tuple(points), run, converged,
                         time.monotonic() - t0, len(group), settings.dps, table, interrupted, tuple(notes))

    try:
        while run < settings.starts:
            if time.monotonic() > deadline:
                break
            check_termination()
            start = next_start()
            if start is None:
                break
            strategy, width, family, payload = start
            counts.setdefault(strategy, [0, 0, 0])
            run += 1
            counts[strategy][0] += 1
            if progress:
                progress(1)
            if strategy == "descent" or strategy == "hop":
                narrow = TeacherStudentModel(model.teacher, width, model.activation)
                reduced = descend_and_reduce(narrow, np.asarray(payload))
            elif strategy == "symmetry":
                basis, z0 = payload
                reduced = subspace_search_and_reduce(model, basis, z0, deflation, deadline)
                width = m
            else:
                reduced = zero_search_and_reduce(model, payload, deflation, deadline)
                width = m
            if reduced is None:
                continue
            converged += 1
            counts[strategy][1] += 1
            # Pad to m students with zero rows.
            reduced = Reduced(reduced.W, reduced.groups, reduced.zero_rows + tuple(range(width, m)))
            U = np.array([np.linalg.norm(w) * w for w in reduced.W]).reshape(len(reduced.W), model.d)
            key, orbit = symmetry_key(U, group)
            if reduced_loss(model, reduced) < NEAR_GLOBAL:
                # Global minima form a manifold (splits of the teachers' mass, Claim 2 pairs):
                # one entry, replaced by a later one while it is not certified.
                key, orbit = ("global",), 1
                if key in found and (found[key]["certified"] or found[key]["hits"] >= GLOBAL_TRIES):
                    found[key]["hits"] += 1
                    continue
            elif key in found:
                found[key]["hits"] += 1
                continue
            if deflation is not None:
                deflation.add(lift64(reduced, m))
            # The budget bounds certification too: a point reached in time but not certified
            # by then is kept, uncertified (numeric.stationary.DEADLINE_PASSED).
            info = classify_point(model, reduced, T, settings.dps, rng, deadline=deadline,
                                  skip_certificate=_certificate_too_large(reduced, r, d, settings.dps, cap))
            info["classification"] += f" (first reached by {strategy}, start {run}: {family})"
            info.update(hits=1 + (found[key]["hits"] if key in found else 0), multiplicity=orbit)
            if key not in found:
                order.append(key)
                counts[strategy][2] += 1
            found[key] = info
            if info["point_type"] == "saddle" and info["certified"] and estimate.dense:
                # Saddle hopping: the next starts leave the saddle both ways along its
                # directions of negative curvature, towards lower stationary points (an
                # eigendecomposition of the dense Hessian: not above DENSE_LIMIT parameters).
                hops.extendleft(reversed(saddle_hops(model, info["config"], settings.hops)))
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: keep what was found
        raise HuntInterrupted(landscape(True), exc) from None
    return landscape(False)


def _certificate_too_large(reduced: Reduced, r: int, d: int, dps: int, cap: int) -> str | None:
    """Why the ball certificate of ``reduced`` is not tried, or None."""
    n = len(reduced.W) * d
    if n > CERTIFY_MAX_PARAMETERS:
        return f"{n} reduced parameters > {CERTIFY_MAX_PARAMETERS}: no ball certificate tried"
    need = certificate_estimate(len(reduced.W), r, d, dps)
    if need > cap:
        return f"the ball certificate needs about {format_bytes(need)}, above the memory cap of {format_bytes(cap)}"
    return None
