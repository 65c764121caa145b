"""Data sets for the finite-sample papers (Du et al.; Liu, Zhu, Belkin): points on the sphere, labels, nearly parallel pairs.

Points are drawn in float64 and stored as 17-significant-digit decimal strings, so the data
set is exact from then on (every ball evaluation starts from the same rationals).
"""
from __future__ import annotations

import numpy as np

from numeric.dataset import DataSet

__all__ = ["float_ball", "judge_empirical_margins", "sphere_dataset", "nearly_parallel_dataset", "dataset_rng", "well_conditioned_datasets"]


def _decimal(x: float) -> str:
    return f"{x:.17g}"


def _dataset(X: np.ndarray, y: np.ndarray) -> DataSet:
    return DataSet([[_decimal(v) for v in row] for row in X], [_decimal(v) for v in y])


def sphere_dataset(rng: np.random.Generator, n: int, d: int) -> DataSet:
    """``n`` uniform points on ``S^{d-1}`` and labels ``y_i ~ N(0, 1)``."""
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return _dataset(X, rng.standard_normal(n))


def nearly_parallel_dataset(rng: np.random.Generator, n: int, d: int, angle: float) -> DataSet:
    """A sphere data set whose points 0 and 1 are at the given angle (the others random)."""
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    z = rng.standard_normal(d)
    z -= (z @ X[0]) * X[0]
    z /= np.linalg.norm(z)
    X[1] = np.cos(angle) * X[0] + np.sin(angle) * z
    return _dataset(X, rng.standard_normal(n))


def dataset_rng(data: DataSet, salt: str = "") -> np.random.Generator:
    """A generator seeded by the data set itself, so that ``at`` (used by ``replay``) draws
    the same Monte Carlo sample for the same data set."""
    key = [int(x.numerator % 2**32) for row in data.points for x in row][:16]
    return np.random.default_rng([*key, *(ord(c) for c in salt)])


def well_conditioned_datasets(rng: np.random.Generator, count: int, n: int, d: int,
                              min_lambda0: float) -> list:
    """``count`` sphere data sets with ``lambda_min(H_inf) >= min_lambda0`` (float64
    estimate; rejection sampling), so that a width ``m >= n^2 / min_lambda0^2`` puts the
    kernel at initialisation near ``H_inf`` (Du et al., Lemma 3.1)."""
    from numeric.finite_width import gram_limit

    from proofs_check.errors import UsageError

    out = []
    for _ in range(200 * count):
        data = sphere_dataset(rng, n, d)
        if np.linalg.eigvalsh(gram_limit(data))[0] >= min_lambda0:
            out.append(data)
            if len(out) == count:
                return out
    raise UsageError(f"min_lambda0 = {min_lambda0}: fewer than {count} of {200 * count} random data "
                     f"sets of n = {n} points in d = {d} have lambda_min(H_inf) that large; lower it")


def dataset_strategy(max_n: int = 6, max_d: int = 4):
    """Hypothesis strategy of data sets: points on a grid of eighths, sometimes with a second
    point nearly parallel to the first (at distance ``10^-k``), labels in quarters."""
    from fractions import Fraction

    from hypothesis import strategies as st

    eighth = st.integers(-8, 8).map(lambda k: Fraction(k, 8))

    @st.composite
    def build(draw):
        n, d = draw(st.integers(2, max_n)), draw(st.integers(2, max_d))
        row = st.lists(eighth, min_size=d, max_size=d).filter(any)
        points = draw(st.lists(row, min_size=n, max_size=n))
        if draw(st.booleans()):
            k = draw(st.integers(1, 12))
            e = [Fraction(int(i == draw(st.integers(0, d - 1))), 10**k) for i in range(d)]
            points[1] = [p + q for p, q in zip(points[0], e)]
        labels = draw(st.lists(st.integers(-8, 8).map(lambda k: Fraction(k, 4)), min_size=n, max_size=n))
        return DataSet(points, labels)

    return build()


def network_on_data_strategy(max_n: int = 5, max_d: int = 3, max_m: int = 8):
    """Hypothesis strategy of networks on data sets (first layer on a grid of sixteenths,
    signs +-1); gates exactly at 0 are rejected by the evaluation, not here."""
    from fractions import Fraction

    from hypothesis import strategies as st

    from numeric.dataset import NetworkOnData

    @st.composite
    def build(draw):
        data = draw(dataset_strategy(max_n, max_d))
        m = draw(st.integers(1, max_m))
        entry = st.integers(-32, 32).map(lambda k: Fraction(k, 16))
        W = draw(st.lists(st.lists(entry, min_size=data.d, max_size=data.d), min_size=m, max_size=m))
        a = draw(st.lists(st.sampled_from((1, -1)), min_size=m, max_size=m))
        return NetworkOnData(data, W, a)

    return build()


def float_ball(x: float, relative_radius: float):
    """A float64 result as an arb ball of the given relative radius (the claim states why
    that radius covers the float64 error)."""
    from fractions import Fraction

    from flint import arb, fmpq

    f = Fraction(float(x))
    return arb(fmpq(f.numerator, f.denominator)) * arb(1, relative_radius)


def judge_empirical_margins(claim, obs, what: str):
    """A verdict from per-observation margins whose inputs are float64 or Monte Carlo results
    (balls of a stated radius, not enclosures of the mathematical quantity): the margins are
    decided as balls, but the kind is ``empirical`` (``consistent`` / ``contradicted``), a
    statement about the sampled runs."""
    import flint

    from proofs_check.claim_judgement import base_verdict
    from proofs_check.claim_judgement import margin_kind_of
    from proofs_check.judgement import decide_samples

    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        decision = decide_samples([claim.margin(o) for o in obs], what=what, margin_kind=margin_kind_of(obs))
    i = decision.worst_index if decision.worst_index is not None else 0
    return base_verdict(claim, obs, decision, worst=obs[i].witness if obs else None,
                        counterexample=obs[i].witness if decision.status == "contradicted" else None)
