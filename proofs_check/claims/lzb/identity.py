"""Implementation checks for Liu, Zhu, Belkin's PL* machinery (not statements of the paper that
could fail): ``|grad L|^2 = (F - y)^T K (F - y) >= 2 lambda_min(K) L`` for the two-layer ReLU
network, checked on balls.

With ``K = DF DF^T`` and ``grad L = DF^T (F - y)`` the identity holds by the definition of
``K``, and the bound is the Rayleigh quotient of ``K`` at ``F - y``: neither can fail unless
the code is wrong, so both are labelled implementation checks (``PaperStatement("silent")``):
they test that the Jacobian, the kernel, the loss's central differences and the eigenvalue
enclosure agree.  The statement of the paper that can fail, that wide networks keep
``lambda_min(K)`` bounded below along gradient descent as the width grows, is ``lzb.wide_pl``.

The identity is derived with SymPy (:func:`symbolic.gram.pl_identity_derivation`) on
regions of fixed gates; here both sides are evaluated on balls at sampled networks on data
(``lzb.identity``, checked to N certified digits) and the bound with a certified
enclosure of ``lambda_min(K)`` (``lzb.identity.bound``, factor ``c = 2`` by default: the
factor-2 convention is the parameter ``factor``).  Half of the samples put the residual
almost on the bottom eigenvector of ``K`` (``y = F(W) - (v_min + 0.01 z)``), where the bound
is nearly tight, so that a planted factor just above 2 is refuted.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import arb

from numeric.dataset import DataSet, NetworkOnData
from numeric.finite_width import (initial_network, jacobian_balls, tangent_kernel,
                                  unit_points, unit_points_balls, outputs)
from numeric.spectrum import min_eigenvalue_enclosure
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.judgement import PaperStatement
from proofs_check.models.relu_on_data.datasets import sphere_dataset

__all__ = ["CLAIMS", "IdentitySettings", "gradient_identity_sides"]


@dataclass(frozen=True)
class IdentitySettings:
    """``kernel_shift``: ``K + shift I`` in place of ``K`` (0: the claim); ``factor``: the
    factor-2 convention ``c`` in ``|grad L|^2 >= c lambda_min(K) L``."""

    kernel_shift: Fraction = Fraction(0)
    factor: Fraction = Fraction(2)


def _exact(x: float) -> str:
    return f"{x:.17g}"


def _residual_balls(W, a, X, labels) -> list:
    """``F(W) - y`` on balls; a gate whose pre-activation ball contains 0 raises."""
    out = []
    for x, y in zip(X, labels):
        f = arb(0)
        for w, sign in zip(W, a):
            pre = sum((u * v for u, v in zip(w, x)), arb(0))
            if pre.contains(0):
                raise ValueError("a pre-activation is not separated from 0")
            f += sign * pre if pre > 0 else arb(0)
        out.append(f / arb(len(W)).sqrt() - as_ball(y))
    return out


def _loss_balls(W, a, X, labels):
    """``L = |F - y|^2 / 2`` on balls."""
    return sum((t * t for t in _residual_balls(W, a, X, labels)), arb(0)) / 2


def gradient_identity_sides(point: NetworkOnData, kernel_shift=0):
    """``(|grad L|^2, (F - y)^T K (F - y), lambda_min(K), L)`` on balls at the current
    precision; ``kernel_shift`` adds ``shift * I`` to ``K`` (a planted twin).

    The two sides are computed independently: ``grad L`` by central differences of ``L``,
    which are *exact* here because ``L`` is quadratic in ``W`` on a region of fixed gates
    and the step ``h`` is small enough that no gate flips (checked on balls); the right
    side from the Jacobian ``DF``.
    """
    X = unit_points_balls(point.data)
    a = [int(v) for v in point.a]
    J = jacobian_balls(point.W, a, X)
    n, p = len(J), len(J[0])
    W = [[as_ball(x) for x in row] for row in point.W]
    d = len(W[0])
    h = as_ball(Fraction(1, 10**6))
    grad = []
    for k in range(p):
        r_, c_ = divmod(k, d)
        plus = [[w + (h if (i, j) == (r_, c_) else 0) for j, w in enumerate(row)] for i, row in enumerate(W)]
        minus = [[w - (h if (i, j) == (r_, c_) else 0) for j, w in enumerate(row)] for i, row in enumerate(W)]
        grad.append((_loss_balls(plus, a, X, point.data.labels)
                     - _loss_balls(minus, a, X, point.data.labels)) / (2 * h))
    r = _residual_balls(W, a, X, point.data.labels)
    loss = sum((t * t for t in r), arb(0)) / 2
    K = [[sum((J[i][k] * J[j][k] for k in range(p)), arb(0)) + (as_ball(kernel_shift) if i == j else 0)
          for j in range(n)] for i in range(n)]
    lhs = sum((g * g for g in grad), arb(0))
    rKr = sum((r[i] * K[i][j] * r[j] for i in range(n) for j in range(n)), arb(0))
    return lhs, rKr, min_eigenvalue_enclosure(K), loss


def sample_point(rng, n: int, d: int, m: int, aligned: bool) -> NetworkOnData:
    """A random network on a sphere data set; ``aligned``: labels put the residual near the
    bottom eigenvector of ``K``."""
    data = sphere_dataset(rng, n, d)
    net = initial_network(rng, m, d)
    W = [[_exact(x) for x in row] for row in net.W]
    a = [int(v) for v in net.a]
    if aligned:
        Wf = np.array([[float(x) for x in row] for row in W])
        from numeric.finite_width import Network
        X = unit_points(data)
        netf = Network(Wf, np.array(a, dtype=float))
        _, V = np.linalg.eigh(tangent_kernel(netf, X))
        residual = V[:, 0] + 0.01 * rng.standard_normal(n)
        labels = outputs(netf, X) - residual
        data = DataSet(data.points, [_exact(v) for v in labels])
    return NetworkOnData(data, W, a)


def _identity_at(claim, point, dps):
    lhs, rKr, _, loss = gradient_identity_sides(point, claim.settings.kernel_shift)
    return Observation(lhs=lhs, rhs=rKr, scale=None, dps=dps, witness={"network_on_data": point.to_dict(digits=20)})


def _bound_at(claim, point, dps):
    lhs, _, lam, loss = gradient_identity_sides(point)
    factor = as_ball(claim.settings.factor) * as_ball(claim.constant)
    return Observation(lhs=lhs, rhs=factor * lam * loss, scale=None, dps=dps,
                       witness={"network_on_data": point.to_dict(digits=20)})


def _observe(claim, request):
    rng = request.rng(claim.id)
    for k in range(request.samples):
        n, d = int(rng.integers(3, 7)), int(rng.integers(2, 5))
        m = int(rng.integers(n, 4 * n))  # m d >= n: K is generically positive definite
        while True:
            try:
                point = sample_point(rng, n, d, m, aligned=bool(k % 2))
                yield claim.observe_at(point, 30)
                break
            except ValueError:  # a gate undecided on balls (measure zero): draw again
                continue
        request.tick()


IDENTITY = Claim(
    id="lzb.identity",
    title="Implementation check: |grad L|^2 = (F - y)^T K (F - y) for the two-layer ReLU network",
    source="Liu, Zhu, Belkin (ACHA 2022; arXiv:2003.00307), PL* and the tangent kernel K = DF DF^T (identity re-derived here; section not verified)",
    statement=r"\|\nabla L(w)\|^2=(F(w)-y)^\top K(w)\,(F(w)-y),\quad K=DF\,DF^\top",
    hypotheses=r"$F$ differentiable at $w$ (no pre-activation $w_r^\top x_i$ at 0)",
    lhs=r"\|\nabla L\|^2",
    rhs=r"(F-y)^\top K (F-y)",
    relation="==",
    expected="checked",
    kind="checked",
    paper=PaperStatement("silent", "implementation check: holds by the definition K = DF DF^T"),
    drawn_from="random networks on data: n in 3..6 points, d in 2..4, m in n..4n; half with the residual near K's bottom eigenvector",
    observe=_observe,
    at=_identity_at,
    tolerance=Fraction(1, 10**20),
    default_samples=8,
    settings=IdentitySettings(),
    paper_constant=r"identity",
)

BOUND = Claim(
    id="lzb.identity.bound",
    title="Implementation check: |grad L|^2 >= 2 lambda_min(K) L (Rayleigh quotient of K)",
    source="Liu, Zhu, Belkin (ACHA 2022; arXiv:2003.00307), uniform conditioning of K implies PL* (re-derived; factor-2 convention not verified)",
    statement=r"\|\nabla L(w)\|^2\ge c\,\lambda_{\min}(K(w))\,L(w),\quad c=2",
    hypotheses=r"as the identity; $c$ is the factor-2 convention (parameter \texttt{factor})",
    lhs=r"\|\nabla L\|^2",
    rhs=r"2\lambda_{\min}(K)\,L",
    relation=">=",
    expected="checked",
    kind="checked",
    paper=PaperStatement("silent", "implementation check: the Rayleigh quotient of K at F - y"),
    drawn_from="random networks on data: n in 3..6 points, d in 2..4, m in n..4n; half with the residual near K's bottom eigenvector",
    observe=_observe,
    at=_bound_at,
    constant=1,
    default_samples=8,
    settings=IdentitySettings(),
    paper_constant=r"$c=2$ ($\mu$-PL$^*$ with $\mu=2\lambda_{\min}(K)$)",
)

CLAIMS = (IDENTITY, BOUND)
