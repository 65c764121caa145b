"""Worst cases: the level-set optimiser against plain sampling, and Theorem 4's constant
against r and the teacher norms.

Run on demand (not part of the test suite)::

    python benchmarks/bench_worst_case.py            # the three tables, ~12 minutes
    python benchmarks/bench_worst_case.py --quick    # fewer budgets and shapes
    python benchmarks/bench_worst_case.py --constants  # only table 4, to results_theorem4_constants.md

Prints Markdown tables and writes them to ``benchmarks/results_worst_case.md``.

1. **Quality against time.**  Theorem 4's ratio ``||grad L||_F / L`` at a fixed loss level,
   smallest value reached within a time budget by (a) plain sampling: configurations of
   every sampler family drawn at the level (:func:`proofs_check.models.teacher_student.samplers.random_spec`,
   :func:`~proofs_check.models.teacher_student.samplers.configuration_at_level`, round-robin over the families)
   until the budget is spent; (b) the optimiser
   (:func:`proofs_check.worst_case.minimise_margin`) with the same budget (it begins no new
   start after the budget; the start in progress finishes, and its overrun is reported).
   Both run one after the other in one process on the same teacher; ratios are certified
   balls at the configurations (their midpoints shown, radii below 1e-10 relative).
2. **Theorem 4's constant against r and the teacher norms.**  ``kappa(eps)`` (the smallest
   ``||grad L|| / L`` found at ``L = eps``) and ``C = ||grad L|| / L^(3/4)`` at the minimiser,
   for r = 1..6 orthogonal teachers of equal norm ``w`` (and one unequal set), ``m = r + 1``,
   ``d = r + 1``.  The paper's ``kappa = Theta(r^(-1/2) w_max^(-1/2))``; the slopes of
   ``log C`` on ``log r`` and ``log w`` are fitted (empirical, least squares, no interval:
   few points).
4. **Theorem 4's constant per (r, m), more starts** (``--constants``).  The best
   ``C = ||grad L|| / L^(3/4)`` found at ``L = 1e-6`` for r orthogonal *unit* teachers
   (``d = r + 1``), ``m = r + 1`` and ``m = r + 2``, with 1 and 4 starts per sampler family
   (plus one relaxed stray start): each entry is the best found, an upper bound on the
   minimum, with the number of descents it took.  The teacher norm is not a parameter: scaling
   teachers by ``a`` and students by ``sqrt(a)`` leaves ``C`` unchanged (the loss's scaling
   identity), so equal norms ``w`` give the same ``C`` as unit ones.
3. **The lemmas' own margins.**  For Lemmas 9, 10, 12 and C.6 (upper bounds: the worst
   case is the largest ``lhs / rhs``): the suite's ladder of margin maximisers down to
   ``L = 1e-8``, against plain sampling and the one-level margin optimiser
   (``objective="margin"``) given the ladder's time.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from numeric.numbers import to_mpf  # noqa: E402
from proofs_check.registry import get_claim  # noqa: E402
from proofs_check.verdict import as_ball  # noqa: E402
from proofs_check.claim_judgement import lower_is_worse  # noqa: E402
from proofs_check.errors import UsageError  # noqa: E402
from proofs_check.models.teacher_student.samplers import FAMILIES, configuration_at_level, random_spec, separated_teachers  # noqa: E402
from proofs_check.worst_case import WorstCaseSettings, minimise_margin  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results_worst_case.md"
LEVEL = 1e-8
SHAPE = (2, 4, 3)


def plain_sampling(T, m, level, budget, seed=0, claim_id="zgj.thm4"):
    """The worst ratio ``lhs / rhs`` of the claim (smallest for a lower bound, largest for an
    upper bound; Theorem 4: ``||grad L|| / L``) over sampled configurations within
    ``budget`` seconds, the number of samples and the time spent."""
    claim = get_claim(claim_id)
    worse = min if lower_is_worse(claim) else max
    rng = np.random.default_rng(seed)
    r, d = T.shape
    best, n, start = None, 0, time.monotonic()
    while time.monotonic() - start < budget:
        family = FAMILIES[n % len(FAMILIES)]
        n += 1
        try:
            sample = configuration_at_level(random_spec(rng, r, m, d, family=family, teacher=T), level)
        except UsageError:
            continue
        obs = claim.observe_at(sample.config, sample.dps)
        value = float(to_mpf((as_ball(obs.lhs) / as_ball(obs.rhs)).mid()))
        best = value if best is None else worse(best, value)
    return best, n, time.monotonic() - start


def optimiser(T, m, level, budget, seed=0, claim_id="zgj.thm4", objective="gradient_norm"):
    claim = get_claim(claim_id)
    start = time.monotonic()
    settings = WorstCaseSettings(starts_per_family=2, objective=objective, budget=budget, seed=seed)
    wc = minimise_margin(claim, T, students=m, level=level, settings=settings)
    return float(to_mpf(wc.ratio.mid())), len(wc.starts), time.monotonic() - start, wc


def _claim_ratio(claim, config, dps):
    obs = claim.observe_at(config, dps)
    return float(to_mpf((as_ball(obs.lhs) / as_ball(obs.rhs)).mid()))


def margin_claims_table(claim_ids, level=LEVEL):
    """For the upper-bound lemmas (the worst case is the *largest* ratio ``lhs / rhs``):
    the suite's ladder of margin maximisers (:func:`proofs_check.models.teacher_student.levels.margin_minimisers`,
    levels 1e-2 ... ``level``, continued level by level) against plain sampling and the
    one-level optimiser at ``level``, both given the ladder's time as their budget, on the
    ladder's teacher.  ``optimiser / sampling > 1`` is the optimiser's gain."""
    from proofs_check.models.teacher_student.levels import margin_objective, margin_minimisers

    r, m, d = SHAPE
    T = separated_teachers(np.random.default_rng([0, r, m, d]), r, d, 0.5, 0.8, 1.2)
    levels = tuple(10.0**-k for k in range(2, round(-math.log10(level)) + 1))
    rows = ["| claim | ladder: worst ratio | time (s) | plain sampling, same time: worst ratio | samples "
            "| one-level optimiser, same time: worst ratio | descents | ladder / sampling | ladder's family |",
            "|---|---|---|---|---|---|---|---|---|"]
    for claim_id in claim_ids:
        claim = get_claim(claim_id)
        p = claim.settings
        start = time.monotonic()
        found = margin_minimisers(margin_objective(claim), "margin", (SHAPE,), levels, 0, 0.5, 0.8, 1.2,
                                  p.worst_case_iterations, p.worst_case_top_iterations,
                                  p.worst_case_refresh_families)
        budget = time.monotonic() - start
        _, deepest = found[-1]
        ladder = _claim_ratio(claim, deepest.config, deepest.dps)
        s_best, s_n, _ = plain_sampling(T, m, level, budget, claim_id=claim_id)
        o_best, o_n, _, _ = optimiser(T, m, level, budget, claim_id=claim_id, objective="margin")
        rows.append(f"| {claim_id} | {ladder:.6g} | {budget:.1f} | {s_best:.6g} | {s_n} | {o_best:.6g} | {o_n} "
                    f"| {ladder / s_best:.2f}x | {deepest.family} ({deepest.origin}) |")
        print(rows[-1], flush=True)
    return rows


def quality_table(budgets):
    r, m, d = SHAPE
    T = separated_teachers(np.random.default_rng(0), r, d, 0.5, 0.8, 1.2)
    rows = ["| budget (s) | plain sampling: min ratio | samples | time (s) | optimiser: min ratio "
            "| descents | time (s) | sampling / optimiser |", "|---|---|---|---|---|---|---|---|"]
    for budget in budgets:
        s_best, s_n, s_t = plain_sampling(T, m, LEVEL, budget)
        o_best, o_n, o_t, _ = optimiser(T, m, LEVEL, budget)
        rows.append(f"| {budget:g} | {s_best:.6g} | {s_n} | {s_t:.1f} | {o_best:.6g} | {o_n} | {o_t:.1f} "
                    f"| {s_best / o_best:.2f}x |")
        print(rows[-1], flush=True)
    return rows


def kappa_table(rs, norms, level=1e-6):
    rows = ["| r | teacher norms | kappa(eps) = min ||grad L|| / L | C = ||grad L|| / L^(3/4) | family |",
            "|---|---|---|---|---|"]
    claim = get_claim("zgj.thm4")
    points = []
    for w in norms:
        for r in rs:
            d, m = r + 1, r + 1
            rng = np.random.default_rng([r, int(100 * w[0]), int(100 * w[1])])
            T = separated_teachers(rng, r, d, math.pi / 2, *w)
            settings = WorstCaseSettings(starts_per_family=1, objective="gradient_norm")
            wc = minimise_margin(claim, T, students=m, level=level, settings=settings)
            kappa = float(to_mpf(wc.ratio.mid()))
            C = kappa * level**0.25
            points.append((r, w[1], C))
            label = f"{w[0]:g}" if w[0] == w[1] else f"{w[0]:g}..{w[1]:g}"
            rows.append(f"| {r} | {label} | {kappa:.5g} | {C:.5g} | {wc.family} ({wc.origin}) |")
            print(rows[-1], flush=True)
    equal = [(r, w, C) for r, w, C in points]
    X = np.array([[math.log(r), math.log(w), 1.0] for r, w, _ in equal])
    y = np.array([math.log(C) for *_, C in equal])
    (a, b, _), *_ = np.linalg.lstsq(X, y, rcond=None)
    rows.append("")
    rows.append(f"Least-squares fit over these rows: C ~ r^{a:.3f} w_max^{b:.3f} "
                "(paper: kappa = Theta(r^-0.5 w_max^-0.5)).")
    return rows


def constants_table(rs, extra_students=(1, 2), starts=(1, 4), level=1e-6):
    """Table 4: the best ``C`` found per ``(r, m)`` and number of starts (see the module doc)."""
    claim = get_claim("zgj.thm4")
    rows = ["| r | m | starts per family | descents | best C = ||grad L|| / L^(3/4) found | family | time (s) |",
            "|---|---|---|---|---|---|---|"]
    for r in rs:
        T = np.eye(r, r + 1)
        for extra in extra_students:
            for k in starts:
                t0 = time.monotonic()
                settings = WorstCaseSettings(starts_per_family=k, objective="gradient_norm", seed=0)
                wc = minimise_margin(claim, T, students=r + extra, level=level, settings=settings)
                C = float(to_mpf(wc.ratio.mid())) * level**0.25
                rows.append(f"| {r} | {r + extra} | {k} | {len(wc.starts)} | {C:.5g} | {wc.family} ({wc.origin}) "
                            f"| {time.monotonic() - t0:.1f} |")
                print(rows[-1], flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default=str(RESULTS))
    parser.add_argument("--constants", action="store_true",
                        help="only Theorem 4's constant per (r, m) with more starts (table 4)")
    parser.add_argument("--r-max", type=int, default=4, help="largest r of table 4")
    args = parser.parse_args(argv)
    if args.constants:
        head = [f"# Theorem 4's constant per (r, m) ({platform.python_version()}, {os.cpu_count()} cpus, "
                f"load average {os.getloadavg()[0]:.1f} at start)", "",
                "`python benchmarks/bench_worst_case.py --constants`: L = 1e-6, r orthogonal unit teachers, "
                "d = r + 1. Each C is the best found (an upper bound on the minimum over {L = 1e-6}); "
                "equal teacher norms give the same C (scaling identity).", ""]
        text = "\n".join(head + constants_table(tuple(range(1, args.r_max + 1)))) + "\n"
        out = Path(args.output) if args.output != str(RESULTS) else RESULTS.with_name("results_theorem4_constants.md")
        out.write_text(text)
        print(text)
        return 0
    budgets = (2.0, 8.0) if args.quick else (2.0, 5.0, 10.0, 20.0)
    rs = (1, 2, 3) if args.quick else (1, 2, 3, 4, 5, 6)
    norms = ((1.0, 1.0), (2.0, 2.0)) if args.quick else ((0.5, 0.5), (1.0, 1.0), (2.0, 2.0), (0.5, 2.0))
    head = [f"# Worst-case benchmarks ({platform.python_version()}, {os.cpu_count()} cpus, "
            f"load average {os.getloadavg()[0]:.1f} at start)", "",
            f"## Quality against time: zgj.thm4 at L = {LEVEL:g}, (r, m, d) = {SHAPE}", ""]
    q = quality_table(budgets)
    k_head = ["", "## Theorem 4's constant against r and the teacher norms (L = 1e-6, orthogonal teachers,"
              " m = d = r + 1)", ""]
    k = kappa_table(rs, norms)
    c_head = ["", f"## The lemmas' own margins: worst ratio lhs / rhs at L = {LEVEL:g}, (r, m, d) = {SHAPE}, "
              "same time for the three methods", ""]
    c = margin_claims_table(("zgj.lemma9", "zgj.lemma10", "zgj.lemma12", "zgj.lemmaC6"))
    text = "\n".join(head + q + k_head + k + c_head + c) + "\n"
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
