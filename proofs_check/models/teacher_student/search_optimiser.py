"""The level-set optimiser step: the most promising examples Hypothesis saw are handed to
the worst-case optimiser (:func:`proofs_check.worst_case.minimise_margin`), which minimises
the claim's ratio at the example's loss level; the minimiser is then continued to lower and
higher levels (by factors of 100) while the margin improves."""
from __future__ import annotations

import numpy as np

from proofs_check.errors import UsageError
from proofs_check.search.evaluation import margin_at
from proofs_check.search.results import Candidate
from proofs_check.search.store import canonical, exact_file_form

__all__ = ["PROMISING", "LEVEL_STEP", "optimise_promising"]

#: Examples handed to the optimiser, and the level factor of its continuation.
PROMISING = 3
LEVEL_STEP = 100.0


def optimise_promising(claim, pool, lo, hi, seed, stop):
    """Yield optimised candidates: for each of the most promising distinct examples, the
    minimiser at its level (from the example and from a relaxed stray start on its
    teacher), then the minimiser continued level by level (factor 100) down to ``lo`` and up
    to ``hi`` while the margin improves; ``stop()`` ends it."""
    from proofs_check.models.teacher_student.worst_case_starts import relaxed_stray_start
    from proofs_check.worst_case import Start, WorstCaseSettings, minimise_margin

    settings = WorstCaseSettings(starts_per_family=0, seed=seed)
    seen, chosen = set(), []
    for cand in sorted((c for c in pool if c.level is not None),
                       key=lambda c: c.steer if c.steer is not None else float(c.key())):
        shape = (cand.config.r, cand.config.m, cand.config.d, cand.family)
        if shape not in seen:
            seen.add(shape)
            chosen.append(cand)
        if len(chosen) == PROMISING:
            break
    def at(cand, level, start, relaxed=False):
        teacher = [[float(x) for x in row] for row in cand.config.teacher]
        starts = [Start(start, cand.family, "hypothesis")]
        if relaxed:  # and a small student re-fitted around, on the example's teacher
            rng = np.random.default_rng([seed, cand.config.m, len(starts)])
            starts += [s for s in (relaxed_stray_start(teacher, cand.config.m, level, rng),) if s is not None]
        wc = minimise_margin(claim, teacher, students=cand.config.m, level=level, settings=settings,
                             starts=starts)
        config = canonical(wc.config, wc.dps)
        return Candidate(config, margin_at(claim, config, wc.dps), wc.dps, level, cand.family,
                         "optimised", file_form=exact_file_form)

    # Every promising example at its own level first, then the continuations.
    here = []
    for cand in chosen:
        if stop():
            return
        try:
            found = at(cand, cand.level, cand.config, relaxed=True)
        except (UsageError, ValueError):
            continue
        yield found
        if found.counterexample:
            return
        here.append(found)
    for found in sorted(here, key=lambda c: c.key()):
        for factor in (1 / LEVEL_STEP, LEVEL_STEP):
            current = found
            while not stop():
                level = current.level * factor
                if not lo <= level <= hi / (1 + 1e-3):
                    break
                try:
                    nxt = at(current, level, current.config)
                except (UsageError, ValueError):
                    break
                if not nxt.key() < current.key():
                    break
                yield nxt
                if nxt.counterexample:
                    return
                current = nxt
