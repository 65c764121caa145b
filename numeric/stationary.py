"""Stationary points of a loss: float64 descent, high-precision Newton, Krawczyk certificate,
and the Hessian's inertia on balls.

The functions here are model-generic.  A model is anything with this small protocol
(:class:`StationaryModel`); parameters are a flat vector ``x`` of length ``n``:

* ``n``: the number of parameters;
* ``loss_gradient64(x) -> (float, ndarray)`` and ``hessian64(x) -> ndarray``: float64, for
  the descent (only a guide: nothing is decided from them);
* ``ball_loss(x)`` and ``ball_gradient_hessian(x) -> (list of n arb, list of n lists of n
  arb)``: rigorous enclosures for ``x`` a list of ``flint.arb`` balls, at the precision
  the caller set with ``flint.ctx.workdps``.  The Hessian enclosure must hold at *every*
  point of the box, which is what makes the Krawczyk test a proof;
* optionally ``ball_gradient(x)``: the gradient alone (else taken from the above);
* ``snap(x) -> ndarray``: project a float64 point onto the structure the model
  certifies (for :class:`TeacherStudentModel`: tiny student rows set exactly to zero).

:class:`TeacherStudentModel` is the paper's model (Zhou, Ge, Jin, COLT 2021, Def. 2):
students ``w_j``, effective vectors ``u_j = ||w_j|| w_j``, absolute-value (or App. A's
ReLU) activation, parameters ``x = (w_1, ..., w_m)`` flattened.  Its loss is ``C^2`` away
from zero student rows (the pair kernel has a ``|theta|^3`` term at aligned pairs, so it
is not ``C^3`` there, but its Hessian is continuous and its ball enclosure, built from
``atan2`` on balls and ``[-1, 1]`` placeholders for the orthogonal direction of an
aligned pair, encloses the Hessian at every point of a box).

Certificate (Krawczyk, Moore 1977): for a box ``X`` with centre ``c`` and an invertible
``C ~ H(c)^-1``, ``K(X) = c - C g(c) + (I - C H(X)) (X - c)``.  If ``K(X)`` lies in the
interior of ``X`` then ``g`` has exactly one zero in ``X`` (``H(X)`` encloses the Jacobian
of ``g`` over the box: mean-value form).  The inertia is read from the enclosure ``H(X)``,
which contains the Hessian at that zero: congruence by approximate eigenvectors ``V``
(Sylvester's law keeps the inertia; Ostrowski's theorem bounds the eigenvalues' change by
``||V^T V - I||``), then Gershgorin intervals.

>>> import numpy as np
>>> model = TeacherStudentModel.from_rows([[1, 0], [0, 1]], m=2)
>>> found = descend(model, np.array([0.9, 0.1, 0.2, 0.8]))
>>> found.gradient_norm < 1e-10
True
>>> cert = certify(model, refine(model, found.x, dps=40), dps=40)
>>> cert.certified, cert.inertia.negative, cert.inertia.undecided
(True, 0, 0)
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import flint
import mpmath
import numpy as np
from flint import arb, arb_mat

from numeric import float64 as _f64
from numeric.box_evaluation import BoxRows, box_evaluate
from numeric.numbers import to_fraction, to_mpf
from numeric.fields import ARB_BOX
from numeric.precise import UndefinedQuantityError

__all__ = [
    "StationaryModel",
    "TeacherStudentModel",
    "Descent",
    "Inertia",
    "Certificate",
    "descend",
    "refine",
    "krawczyk",
    "inertia",
    "certify",
    "DEADLINE_PASSED",
]


class StationaryModel(Protocol):
    """What :func:`descend`, :func:`refine` and :func:`certify` need from a model."""

    n: int

    def loss_gradient64(self, x: np.ndarray) -> tuple[float, np.ndarray]: ...

    def hessian64(self, x: np.ndarray) -> np.ndarray: ...

    def ball_loss(self, x: Sequence[arb]) -> arb: ...

    def ball_gradient_hessian(self, x: Sequence[arb]) -> tuple[list, list]: ...

    def snap(self, x: np.ndarray) -> np.ndarray: ...


# ---------------------------------------------------------------------------------------
# The paper's model


@dataclass(frozen=True)
class TeacherStudentModel:
    """Zhou-Ge-Jin's network: ``m`` students in ``R^d`` against a fixed exact teacher.

    ``x`` is ``(w_1, ..., w_m)`` flattened; ``snap_norm`` is the norm below which a float64
    student row is taken to be exactly zero (a zero row is a non-smooth point: it is
    certified separately, see :mod:`proofs_check.landscape`).
    """

    teacher: tuple  # r rows of Fractions
    m: int
    activation: str = "abs"
    snap_norm: float = 1e-7

    @classmethod
    def from_rows(cls, teacher, m: int, activation: str = "abs") -> "TeacherStudentModel":
        rows = tuple(tuple(to_fraction(x, f"teacher[{i}][{k}]") for k, x in enumerate(row))
                     for i, row in enumerate(teacher))
        return cls(rows, int(m), activation)

    @property
    def d(self) -> int:
        return len(self.teacher[0])

    @property
    def n(self) -> int:
        return self.m * self.d

    @property
    def teacher64(self) -> np.ndarray:
        return np.array([[float(x) for x in row] for row in self.teacher])

    def rows(self, x) -> np.ndarray:
        return np.asarray(x, dtype=float).reshape(self.m, self.d)

    def loss_gradient64(self, x):
        L, G = _f64.loss_and_gradient(self.teacher64, self.rows(x), self.activation)
        return L, G.reshape(-1)

    def hessian64(self, x):
        """The Hessian on the non-zero rows; zero rows get zero blocks (not smooth there)."""
        W = self.rows(x)
        keep = np.linalg.norm(W, axis=1) > 0
        H = np.zeros((self.n, self.n))
        if keep.any():
            idx = np.concatenate([np.arange(j * self.d, (j + 1) * self.d) for j in np.nonzero(keep)[0]])
            H[np.ix_(idx, idx)] = _f64.hessian(self.teacher64, W[keep], self.activation)
        return H

    def snap(self, x):
        W = self.rows(x).copy()
        W[np.linalg.norm(W, axis=1) < self.snap_norm] = 0.0
        return W.reshape(-1)

    def _ball_rows(self, x):
        x = list(x)
        return tuple(tuple(x[j * self.d:(j + 1) * self.d]) for j in range(self.m))

    def _evaluate(self, x, hessian):
        rows = BoxRows(self.teacher, self._ball_rows(x), self.activation)
        return box_evaluate(rows, ARB_BOX, hessian)

    def ball_loss(self, x):
        return self._evaluate(x, False).loss

    def ball_gradient_hessian(self, x):
        if BoxRows(self.teacher, self._ball_rows(x), self.activation).zero_students():
            raise UndefinedQuantityError(
                "the Hessian is undefined at a zero student row; drop zero rows first")
        e = self._evaluate(x, True)
        return [v for row in e.gradient for v in row], [list(row) for row in e.hessian]

    def ball_gradient(self, x):
        e = self._evaluate(x, False)
        return [v for row in e.gradient for v in row]


# ---------------------------------------------------------------------------------------
# Descent in float64


@dataclass(frozen=True)
class Descent:
    """The end of a float64 descent: point, loss, gradient norm, iterations, converged."""

    x: np.ndarray
    loss: float
    gradient_norm: float
    iterations: int
    converged: bool


def descend(model, x0, *, tol: float = 1e-11, gd_steps: int = 400, gd_switch: float = 1e-3,
            newton_steps: int = 60) -> Descent:
    """Gradient descent with Armijo steps until ``||grad|| < gd_switch`` (or ``gd_steps``),
    then Newton's method on the gradient (least squares, so it goes to saddles as readily
    as to minima) until ``||grad|| < tol``.  The gradient norm, not the loss, is the test.
    """
    x = model.snap(np.asarray(x0, dtype=float).copy())
    L, g = model.loss_gradient64(x)
    step = 0.1
    it = 0
    for it in range(gd_steps):
        gn = float(np.linalg.norm(g))
        if gn < gd_switch:
            break
        while step > 1e-12:
            y = model.snap(x - step * g)
            Ly, gy = model.loss_gradient64(y)
            if Ly <= L - 0.25 * step * gn * gn:
                x, L, g = y, Ly, gy
                step *= 1.5
                break
            step *= 0.5
        else:
            break
    for k in range(newton_steps):
        gn = float(np.linalg.norm(g))
        if gn < tol or not np.isfinite(gn):
            break
        H = model.hessian64(x)
        dx = np.linalg.lstsq(H, -g, rcond=1e-12)[0]
        t = 1.0
        while t > 1e-4:
            y = model.snap(x + t * dx)
            Ly, gy = model.loss_gradient64(y)
            if np.linalg.norm(gy) < gn:
                x, L, g = y, Ly, gy
                break
            t *= 0.5
        else:  # Newton stalls (far from any zero): a short gradient step instead
            y = model.snap(x - 0.05 * g)
            L, g = model.loss_gradient64(y)
            x = y
        it += 1
    gn = float(np.linalg.norm(g))
    return Descent(x, float(L), gn, it + 1, bool(gn < tol))


# ---------------------------------------------------------------------------------------
# Newton refinement at high precision


def refine(model, x, dps: int, *, steps: int | None = None) -> list:
    """Newton's method at ``dps`` digits from the float64 point ``x``: a list of exact balls
    (radius 0), the refined centre.  Stops when the step is below ``10^-(dps-5)``."""
    centre = [arb(float(v)) for v in x]
    steps = steps or 4 + int(math.log2(max(2, dps / 8)))
    with flint.ctx.workdps(dps):
        tiny = arb(10) ** (-(dps - 5))
        for _ in range(steps):
            g, H = model.ball_gradient_hessian(centre)
            try:
                dx = arb_mat([[h.mid() for h in row] for row in H]).solve(
                    arb_mat([[v.mid()] for v in g]))
            except ZeroDivisionError:
                break
            centre = [arb((c - dx[i, 0]).mid()) for i, c in enumerate(centre)]
            if all(abs(dx[i, 0].mid()) < tiny for i in range(len(centre))):
                break
    return centre


# ---------------------------------------------------------------------------------------
# Inertia on balls


@dataclass(frozen=True)
class Inertia:
    """Eigenvalue signs of every symmetric matrix in a ball enclosure.

    ``negative``/``positive``: eigenvalues certainly of that sign; ``undecided``: those in
    a Gershgorin component that touches 0.  ``min_eigenvalue`` encloses the smallest.
    """

    negative: int
    undecided: int
    positive: int
    min_eigenvalue: Any  # arb


def _gershgorin(M, n):
    """Disc intervals ``[lo, hi]`` (mpf) of a symmetric arb matrix."""
    out = []
    for i in range(n):
        radius = sum((M[i, k].abs_upper() for k in range(n) if k != i), arb(0))
        lo = (M[i, i] - radius).lower()
        hi = (M[i, i] + radius).upper()
        out.append((lo, hi))
    return out


def _components(intervals):
    """Connected components of a union of intervals: (lo, hi, count), sorted."""
    comps = []
    for lo, hi in sorted(intervals, key=lambda t: (float(t[0].mid()), float(t[1].mid()))):
        if comps and lo <= comps[-1][1]:
            plo, phi, k = comps[-1]
            comps[-1] = (plo, phi if phi >= hi else hi, k + 1)
        else:
            comps.append((lo, hi, 1))
    return comps


def inertia(H, *, eig_dps: int = 0) -> Inertia:
    """The inertia of every matrix in the symmetric ball matrix ``H`` (list of rows).

    Approximate eigenvectors ``V`` of the midpoint (float64, or mpmath at ``eig_dps``
    digits) give ``M = V^T H V``; the inertia of ``M`` equals that of ``H`` (Sylvester) and
    ``lambda_k(M) = theta_k lambda_k(H)`` with ``theta_k`` in the spectrum of ``V^T V``
    (Ostrowski), enclosed by Gershgorin.
    """
    n = len(H)
    Hb = arb_mat([[arb(x) for x in row] for row in H])
    if eig_dps:
        with mpmath.workdps(eig_dps):
            A = mpmath.matrix([[to_mpf(x) for x in row] for row in H])
            A = (A + A.T) / 2
            _, Q = mpmath.eigsy(A)
            V = arb_mat([[arb(mpmath.nstr(Q[i, k], eig_dps + 5)) for k in range(n)] for i in range(n)])
    else:
        A = np.array([[float(x.mid()) for x in row] for row in H])
        _, Q = np.linalg.eigh((A + A.T) / 2)
        V = arb_mat([[arb(float(Q[i, k])) for k in range(n)] for i in range(n)])
    M = V.transpose() * Hb * V
    S = V.transpose() * V
    eta = arb(0)
    for lo, hi in _gershgorin(S, n):
        eta = eta.max(abs(lo - 1)).max(abs(hi - 1))
    comps = _components(_gershgorin(M, n))
    neg = sum(k for lo, hi, k in comps if hi < 0)
    pos = sum(k for lo, hi, k in comps if lo > 0)
    lo, hi, _ = comps[0]
    lam = arb.union(arb(lo), arb(hi))
    theta = 1 + eta * arb(0, 1)  # the ball [1 - eta, 1 + eta]
    return Inertia(neg, n - neg - pos, pos, lam / theta)


# ---------------------------------------------------------------------------------------
# Krawczyk certificate


@dataclass(frozen=True)
class Certificate:
    """The outcome of :func:`certify` at a refined centre.

    ``certified``: a unique exact zero of the gradient lies in the box ``centre +-
    radius`` (every coordinate); ``inertia`` then holds at that zero.  ``reason`` says why
    not, when not.  ``gradient_norm`` encloses ``||grad L||`` at the centre.
    """

    certified: bool
    centre: tuple
    radius: Any  # mpf or None
    inertia: Inertia | None
    gradient_norm: Any  # arb
    dps: int
    reason: str = ""


def krawczyk(model, centre, radius, dps: int):
    """The Krawczyk test on the box ``centre +- radius``: ``(contained, H(X))``."""
    n = len(centre)
    with flint.ctx.workdps(dps):
        g_c, Hc = model.ball_gradient_hessian(centre)
        try:
            C = arb_mat([[h.mid() for h in row] for row in Hc]).inv()
        except ZeroDivisionError:
            return False, None, "the Hessian at the centre is singular to working precision"
        C = arb_mat([[C[i, k].mid() for k in range(n)] for i in range(n)])
        rho = arb(radius)
        box = [arb(c.mid(), radius) for c in centre]
        _, HX = model.ball_gradient_hessian(box)
        bad = _inconsistent_column(model, centre, g_c, HX, radius)
        if bad is not None:
            return False, None, (f"the Hessian enclosure is inconsistent with the gradient: "
                                 f"column {bad} misses a mean-value difference quotient")
        HXm = arb_mat([[arb(x) for x in row] for row in HX])
        Cg = C * arb_mat([[v] for v in g_c])
        R = arb_mat([[arb(int(i == k)) for k in range(n)] for i in range(n)]) - C * HXm
        delta = arb_mat([[arb(0, radius)] for _ in range(n)])
        K = R * delta
        ok = all(bool((K[i, 0] - Cg[i, 0]).abs_upper() < rho) for i in range(n))
        return ok, HX, "" if ok else "K(X) is not inside X"


def _inconsistent_column(model, centre, g_c, HX, radius):
    """Index of a Hessian column that cannot be right, or None.

    For ``0 < h <= radius`` the mean-value theorem puts ``(g_i(c + h e_k) - g_i(c)) / h``
    in ``H_ik`` at a point of the box, so it must overlap the enclosure ``HX[i][k]``: an
    independent check of the Hessian code against the gradient code."""
    h = arb(radius) / 2
    gradient = getattr(model, "ball_gradient", None) or (lambda x: model.ball_gradient_hessian(x)[0])
    for k in range(len(centre)):
        moved = list(centre)
        moved[k] = centre[k] + h
        g_h = gradient(moved)
        for i in range(len(centre)):
            if not ((g_h[i] - g_c[i]) / h).overlaps(HX[i][k]):
                return k
    return None


#: The :attr:`Certificate.reason` of a point left uncertified because the deadline passed.
DEADLINE_PASSED = "the time budget ran out before the Krawczyk test succeeded"


def certify(model, centre, dps: int, *, radii: Sequence | None = None,
            deadline: float | None = None) -> Certificate:
    """Find the smallest radius (of a few tried) at which the Krawczyk test succeeds, and
    read the Hessian's inertia on that box.

    ``deadline`` (a :func:`time.monotonic` value): no radius is tried after it; the point
    is then returned uncertified with the reason :data:`DEADLINE_PASSED`."""
    with flint.ctx.workdps(dps):
        g_c = model.ball_gradient_hessian(centre)[0]
        gnorm = arb.sqrt(sum((v * v for v in g_c), arb(0)).nonnegative_part())
        g_up = to_mpf(gnorm.upper())
    if radii is None:
        base = max(g_up * 1e3, mpmath.mpf(10) ** (-(dps * 3) // 4))
        radii = [base * 10 ** (3 * k) for k in range(0, 6)]
        radii = [r for r in radii if r < 1e-3] or [mpmath.mpf("1e-6")]
    reason = ""
    for radius in radii:
        if deadline is not None and time.monotonic() > deadline:
            reason = DEADLINE_PASSED
            break
        # An exact dyadic radius; ball radii are stored rounded up (30-bit), so the box
        # evaluated is at least this wide, and the reported radius allows for the rounding.
        radius = arb(mpmath.nstr(mpmath.mpf(radius), 5)).mid()
        try:
            ok, HX, reason = krawczyk(model, centre, radius, dps)
        except (ZeroDivisionError, ValueError) as exc:
            ok, HX, reason = False, None, f"ball evaluation failed on the box ({exc})"
        if ok:
            with flint.ctx.workdps(dps):
                inert = inertia(HX)
                if inert.undecided:
                    inert = inertia(HX, eig_dps=min(dps, 60))
            return Certificate(True, tuple(centre), to_mpf(radius) * (1 + mpmath.mpf(2) ** -29),
                               inert, gnorm, dps)
        if HX is None and not reason.startswith("ball evaluation failed"):
            break  # singular, or a Hessian inconsistent with the gradient: no radius helps
    return Certificate(False, tuple(centre), None, None, gnorm, dps,
                       reason or "the Krawczyk test failed at every radius tried")
