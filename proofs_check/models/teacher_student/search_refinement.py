"""Refinement: from the best example seen, a pattern search on the loss level along the
example's path (its sampler's spec), then a random-direction descent on the student
entries, evaluated on balls at the example's precision and staying in ``{L <= max_loss}``."""
from __future__ import annotations

import math

import mpmath

from numeric.numbers import to_fraction, to_mpf
from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import configuration_at_level
from proofs_check.search.evaluation import loss_ball, margin_at
from proofs_check.search.results import Candidate
from proofs_check.search.store import canonical, exact_file_form

__all__ = ["refine"]


def refine(claim, start: Candidate, lo, hi, steps, rng):
    """Yield improving candidates: a pattern search on ``log10(level)`` along the start's
    path, then random-direction moves of the student entries (step adapted: doubled on
    success, halved on failure), keeping ``L <= hi``."""
    best = start
    if start.spec is not None and start.level is not None and steps > 0:
        x, step = math.log10(start.level), 2.0
        log_lo, log_hi = math.log10(lo), math.log10(hi) - math.log10(1.001)
        for _ in range(12):
            improved = False
            for y in (x - step, x + step):
                y = min(max(y, log_lo), log_hi)
                if y == x:
                    continue
                try:
                    sample = configuration_at_level(start.spec, mpmath.mpf(10) ** mpmath.mpf(y))
                except UsageError:
                    continue
                cfg = canonical(sample.config, sample.dps)
                cand = Candidate(cfg, margin_at(claim, cfg, sample.dps), sample.dps, float(10**y),
                                 start.family, "refined", start.spec, file_form=exact_file_form)
                if cand.key() < best.key():
                    best, x, improved = cand, y, True
                    yield cand
                    break
            if not improved:
                step /= 2
                if step < 0.05:
                    break
    # Random-direction descent on the student entries, in the sublevel set.
    dps = best.dps
    with mpmath.workdps(dps + 10):
        L = to_mpf(loss_ball(best.config, dps).mid())
        sigma = mpmath.sqrt(max(L, mpmath.mpf(10) ** (-dps // 2))) * mpmath.mpf("0.1")
        failures = 0
        for _ in range(steps):
            m, d = best.config.m, best.config.d
            xi = rng.standard_normal((m, d))
            rows = [[mpmath.mpf(x.numerator) / x.denominator + sigma * mpmath.mpf(float(e))
                     for x, e in zip(row, erow)] for row, erow in zip(best.config.student, xi)]
            cfg = canonical(best.config.replace(student=[[to_fraction(v, "student") for v in row] for row in rows]), dps)
            loss = loss_ball(cfg, dps)
            if not bool(loss <= hi):
                sigma /= 2
                continue
            cand = Candidate(cfg, margin_at(claim, cfg, dps), dps, float(to_mpf(loss.mid())),
                             best.family, "refined", None, file_form=exact_file_form)
            if cand.key() < best.key():
                best, sigma, failures = cand, sigma * 2, 0
                yield cand
            else:
                sigma, failures = sigma / 2, failures + 1
                if failures > 8:
                    break
