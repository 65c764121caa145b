"""Shared fixtures for the numeric tests: random configurations, a Hypothesis strategy for
configurations, and an independent reference implementation of the loss and gradient.

Fixtures are factories (call them), so a test asks for exactly the configuration it needs::

    def test_something(random_configuration):
        config = random_configuration(seed=3, r=2, m=4, d=3, activation="relu")

Hypothesis runs derandomized (the examples are a function of the test, so a run passes or
fails the same way every time, in CI too) and without an example database;
``HYPOTHESIS_PROFILE=explore pytest`` draws fresh examples on every run to look for new
failures (a failure found so is then kept as an explicit test).
"""
from __future__ import annotations

from fractions import Fraction
from importlib.metadata import EntryPoint
from pathlib import Path

import os

import mpmath
import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st

from numeric.config import Configuration

TOY_PAPER = Path(__file__).resolve().parents[1] / "examples" / "toy_paper"

ACTIVATIONS = ("abs", "relu")

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


# -- random configurations (numpy, seeded) -------------------------------------------------

def _random_configuration(seed: int, r: int, m: int, d: int, activation: str = "abs") -> Configuration:
    """Gaussian teacher and student rows; float64 entries, held exactly by the configuration."""
    rng = np.random.default_rng(seed)
    teacher = rng.normal(size=(r, d))
    student = rng.normal(size=(m, d)) * 0.8
    return Configuration(teacher.tolist(), student.tolist(), activation)


@pytest.fixture(scope="session")
def random_configuration():
    return _random_configuration


# -- Hypothesis: configurations on a small rational grid -----------------------------------

#: Entries k/8 with |k| <= 16: exact in every backend, and the grid makes exactly aligned,
#: antipodal, orthogonal and zero rows common, which is where the closed forms are delicate.
entries = st.integers(-16, 16).map(lambda k: Fraction(k, 8))


def rows(n: int, d: int, nonzero: bool = False):
    row = st.lists(entries, min_size=d, max_size=d)
    if nonzero:
        row = row.filter(any)
    return st.lists(row, min_size=n, max_size=n)


@st.composite
def configurations(
    draw,
    r=st.integers(1, 3),
    extra_students=st.integers(0, 2),
    d=st.integers(1, 4),
    activation=st.sampled_from(ACTIVATIONS),
    nonzero_students: bool = False,
):
    """A valid :class:`Configuration`; ``nonzero_students`` excludes zero student rows
    (where the Hessian is undefined)."""
    r_, d_ = draw(r), draw(d)
    m_ = r_ + draw(extra_students)
    teacher = draw(rows(r_, d_, nonzero=True))
    student = draw(rows(m_, d_, nonzero=nonzero_students))
    return Configuration(teacher, student, draw(activation))


@pytest.fixture(scope="session")
def config_strategy():
    """The :func:`configurations` strategy factory (draw with ``st.data()``)."""
    return configurations


# -- an independent reference: the paper's formulas, naive mpmath, acos angles -------------

def _reference_loss_gradient(config: Configuration, dps: int):
    """Loss and gradient from the closed forms of paper-notes Sec. 1.1, written out directly.

    Shares no code with :mod:`numeric`: angles from the half-angle formula on all pairs,
    20 guard digits, the gradient is the paper's
    ``||w|| (I + w_bar w_bar^T) [sum_l G(u_l, w) - sum_i G(w*_i, w)]`` with
    ``G(v, u) = E[sigma'(u.x) x sigma(v.x)]``, and for relu the App. A linear term
    ``beta = -1/2 sum c z`` is subtracted.
    """
    with mpmath.workdps(dps + 20):
        mp = lambda x: mpmath.mpf(x.numerator) / x.denominator
        W = [[mp(x) for x in row] for row in config.student]
        T = [[mp(x) for x in row] for row in config.teacher]
        dot = lambda p, q: mpmath.fsum(x * y for x, y in zip(p, q))
        norm = lambda p: mpmath.sqrt(dot(p, p))
        pts = [(1, [norm(w) * x for x in w]) for w in W if any(w)]
        pts += [(-1, t) for t in T if any(t)]

        def angle(p, q):  # 2 atan2(|p^ - q^|, |p^ + q^|): exact 0 at aligned pairs
            ph, qh = [x / norm(p) for x in p], [x / norm(q) for x in q]
            return 2 * mpmath.atan2(norm([x - y for x, y in zip(ph, qh)]),
                                    norm([x + y for x, y in zip(ph, qh)]))

        def kernel(p, q):
            t, ab = angle(p, q), norm(p) * norm(q)
            if config.activation == "abs":
                return 2 / mpmath.pi * ab * (mpmath.sin(t) + (mpmath.pi / 2 - t) * mpmath.cos(t))
            return ab / (2 * mpmath.pi) * (mpmath.sin(t) + (mpmath.pi - t) * mpmath.cos(t))

        def G(q, p):  # grad_p k(p, q)
            t, nq, np_ = angle(p, q), norm(q), norm(p)
            if config.activation == "abs":
                return [2 / mpmath.pi * ((mpmath.pi / 2 - t) * y + nq * mpmath.sin(t) * x / np_)
                        for x, y in zip(p, q)]
            return [1 / (2 * mpmath.pi) * ((mpmath.pi - t) * y + nq * mpmath.sin(t) * x / np_)
                    for x, y in zip(p, q)]

        loss = mpmath.fsum(c1 * c2 * kernel(p, q) for c1, p in pts for c2, q in pts) / 2
        linear = [mpmath.fsum(c * p[k] for c, p in pts) for k in range(config.d)]
        if config.activation == "relu":
            loss -= dot(linear, linear) / 8
        gradient = []
        for w in W:
            if not any(w):
                gradient.append([mpmath.mpf(0)] * config.d)
                continue
            u = [norm(w) * x for x in w]
            y = [mpmath.fsum(c * g[k] for c, g in ((c, G(q, u)) for c, q in pts)) for k in range(config.d)]
            if config.activation == "relu":
                y = [yk - lk / 4 for yk, lk in zip(y, linear)]
            wbar = [x / norm(w) for x in w]
            along = dot(wbar, y)
            gradient.append([norm(w) * (yk + along * bk) for yk, bk in zip(y, wbar)])
        return +loss, [[+x for x in row] for row in gradient]


@pytest.fixture(scope="session")
def reference_loss_gradient():
    """``f(config, dps) -> (loss, gradient rows)`` as mpf, independent of :mod:`numeric`."""
    return _reference_loss_gradient


# -- the plugin example, registered as an installed distribution would be ------------------

@pytest.fixture
def plugin(monkeypatch):
    """``examples/toy_paper`` registered under the entry point ``toy``."""
    from proofs_check import registry

    monkeypatch.syspath_prepend(str(TOY_PAPER))
    eps = [EntryPoint(name="toy", value="toy_paper", group=registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points",
                        lambda group: eps if group == registry.ENTRY_POINT_GROUP else [])
    registry._registry.cache_clear()
    yield
    registry._registry.cache_clear()
