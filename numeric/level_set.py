"""Optimisation on a level set ``{W : L(W) = level}`` of the loss, in float64 or at high precision.

The worst case of a bound ``lhs(W) >= C rhs(L(W))`` at a fixed loss is the minimum of
``lhs`` over the level set.  This module finds local minimisers by projected descent:

* :func:`project_to_level` moves the students along ``grad L`` (Newton on ``L = level``,
  in ``log L`` from below so that a far start does not overshoot) until ``L`` equals the
  level to a relative ``rtol``;
* :func:`minimise_gradient_norm` minimises ``log ||grad L||_F`` on the level set with the
  exact gradient ``H grad L / ||grad L||^2`` (float64 Hessian, or a central difference of
  high-precision gradients), Barzilai-Borwein steps projected on the tangent space;
* :func:`minimise_on_level` does the same for any objective of the students, with
  finite-difference gradients;
* :func:`relax_students` re-fits some students (norms and directions) by minimising ``L``
  with the others held, so that the loss measures the held perturbation alone.

Float64 is used while the level is at least ``settings.float64_floor``: the closed form
cancels O(1) terms, so float64 knows ``L`` to about ``1e-16 / level`` relative.  Below,
every evaluation is an arb ball evaluation at ``digits_for_level(level)`` digits (its
midpoint drives the descent).  The optimiser only *finds* configurations: whatever it
returns is to be re-evaluated with balls before anything is decided.

One module over 500 lines: the projection, the two descents and the re-fit share its
float64/ball backends and step rules, which would otherwise become public for one caller each.

>>> import numpy as np
>>> T = np.array([[1.0, 0.0]])
>>> W = project_to_level(T, np.array([[0.9, 0.1]]), 1e-4)
>>> from numeric.float64 import loss
>>> abs(loss(T, W) / 1e-4 - 1) < 1e-9
True
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import mpmath
import numpy as np

from numeric import float64 as f64
from numeric.config import Configuration
from numeric.precise import evaluate
from numeric.numbers import to_mpf

__all__ = [
    "LevelSetSettings",
    "LevelSetResult",
    "digits_for_level",
    "uses_float64",
    "loss_and_gradient_at",
    "project_to_level",
    "anchored_minimum",
    "rescale_to_level",
    "minimise_gradient_norm",
    "minimise_on_level",
    "relax_students",
]


@dataclass(frozen=True)
class LevelSetSettings:
    """Knobs of the level-set descent.

    ``iterations``: descent steps at most; ``float64_floor``: the smallest level optimised
    in float64; ``rtol``: relative accuracy of the level placement; ``patience``: stop
    after this many steps that improve the objective by less than ``min_improvement``
    (relative); ``time_limit``: seconds after which a descent stops where it is.
    """

    iterations: int = 120
    float64_floor: float = 1e-7
    rtol: float = 1e-12
    patience: int = 6
    min_improvement: float = 1e-5
    guard_digits: int = 30
    time_limit: float | None = None


@dataclass(frozen=True)
class LevelSetResult:
    """A local minimiser: ``student`` rows (float64 array or object array of mpf), its
    loss and objective value (floats or mpf, *not* certified), and the objective after
    each accepted step."""

    student: np.ndarray
    loss: object
    objective: object
    trajectory: tuple = field(default_factory=tuple)
    precision: str = "float64"  # or "arb<dps>"


def digits_for_level(level, guard: int = 30) -> int:
    """Working digits at a loss level: the closed form cancels ``-log10(level)`` digits."""
    return int(math.ceil(max(0.0, -float(mpmath.log10(level))))) + guard


def uses_float64(level, settings: LevelSetSettings) -> bool:
    return float(level) >= settings.float64_floor


class _Float64:
    """Loss, gradient and Hessian-vector products in float64."""

    def __init__(self, teacher, activation):
        self.teacher = np.array([[float(x) for x in row] for row in teacher])
        self.activation = activation
        self.name = "float64"

    def array(self, W):
        return np.array([[float(x) for x in row] for row in W])

    def loss_gradient(self, W):
        return f64.loss_and_gradient(self.teacher, W, self.activation)

    def loss(self, W):
        return f64.loss(self.teacher, W, self.activation)

    def hvp(self, W, V):
        H = f64.hessian(self.teacher, W, self.activation)
        return (H @ V.ravel()).reshape(W.shape)

    def small(self):
        return 1e-300


class _Precise:
    """The same on python-flint balls at ``dps`` digits (their midpoints)."""

    def __init__(self, teacher, activation, dps):
        with mpmath.workdps(dps):
            self.teacher = [[to_mpf(x) for x in row] for row in teacher]
        self.activation = activation
        self.dps = dps
        self.name = f"arb{dps}"

    def array(self, W):
        with mpmath.workdps(self.dps):
            return np.array([[to_mpf(x) for x in row] for row in W], dtype=object)

    def loss_gradient(self, W):
        config = Configuration(self.teacher, [list(row) for row in W], self.activation)
        e = evaluate(config, self.dps, backend="arb", gradient=True)
        G = np.array([[to_mpf(g.mid()) for g in row] for row in e.gradient], dtype=object)
        return to_mpf(e.loss.mid()), G

    def loss(self, W):
        config = Configuration(self.teacher, [list(row) for row in W], self.activation)
        return to_mpf(evaluate(config, self.dps, backend="arb", gradient=False).loss.mid())

    def hvp(self, W, V):
        # Central difference of exact-to-dps gradients: error ~ h^2 |D^3 L| + 10^-dps / h.
        with mpmath.workdps(self.dps):
            scale = max(abs(x) for x in W.ravel()) or mpmath.mpf(1)
            vn = mpmath.sqrt(mpmath.fsum(x * x for x in V.ravel()))
            if vn == 0:
                return V * 0
            h = mpmath.mpf(10) ** (-self.dps // 3) * scale / vn
            _, Gp = self.loss_gradient(W + h * V)
            _, Gm = self.loss_gradient(W - h * V)
            return (Gp - Gm) / (2 * h)

    def small(self):
        return mpmath.mpf(10) ** (-10 * self.dps)


def _backend(teacher, level, settings, activation, dps=None):
    if dps is None and uses_float64(level, settings):
        return _Float64(teacher, activation)
    return _Precise(teacher, activation, dps or digits_for_level(level, settings.guard_digits))


def _rtol(B, level, settings) -> float:
    """The level's relative accuracy: ``settings.rtol``, or what float64 can know."""
    if isinstance(B, _Float64):
        return max(settings.rtol, 1e-14 / float(level))
    return settings.rtol


def _dot(a, b):
    return (a.ravel() * b.ravel()).sum()


def _sqrt(x):
    return math.sqrt(x) if isinstance(x, float) else mpmath.sqrt(x)


def _log(x):
    return math.log(x) if isinstance(x, float) else mpmath.log(x)


def loss_and_gradient_at(teacher, student, level, settings: LevelSetSettings = LevelSetSettings(),
                         activation: str = "abs"):
    """``(L, grad)`` in the precision the level needs (floats or mpf)."""
    B = _backend(teacher, level, settings, activation)
    return B.loss_gradient(B.array(student))


def _illinois(f, lo, flo, hi, fhi, tol, steps=200):
    """A root of ``f`` in ``[lo, hi]`` (``flo``, ``fhi`` of opposite signs), ``|f| <= tol``."""
    side, x = 0, lo
    for _ in range(steps):
        x = (lo * fhi - hi * flo) / (fhi - flo)
        fx = f(x)
        if abs(fx) <= tol:
            break
        if (fx > 0) == (flo > 0):
            lo, flo = x, fx
            if side == -1:
                fhi = fhi / 2
            side = -1
        else:
            hi, fhi = x, fx
            if side == 1:
                flo = flo / 2
            side = 1
    return x


def _project(B, W, level, rtol, max_steps=200):
    """``W`` moved onto ``{L = level}`` (``|L / level - 1| <= rtol``); ``None`` if stuck.

    Each step is a line search along ``-grad L`` (from above) or ``+grad L`` (from below):
    the crossing of the level is bracketed by doubling from the Newton step, then solved
    by the Illinois method; a ray that turns back before crossing is cut at its best point
    (a gradient step on ``|L - level|``) and the next step starts there.
    """
    level = B.array([[level]])[0, 0]
    for _ in range(max_steps):
        L, G = B.loss_gradient(W)
        if abs(L / level - 1) <= rtol:
            return W
        g2 = _dot(G, G)
        if not g2 > B.small():
            return None
        sign = -1 if L > level else 1
        D = sign * G
        phi = lambda t: B.loss(W + t * D) - level
        f0 = L - level
        t = abs(f0) / g2
        lo, flo = 0 * t, f0
        hi = fhi = None
        for _ in range(30):
            ft = phi(t)
            if (ft > 0) != (f0 > 0):
                hi, fhi = t, ft
                break
            if abs(ft) >= abs(flo):  # the ray turned back before crossing: take its best
                break
            lo, flo, t = t, ft, 2 * t
        if hi is None:
            if lo == 0:
                for _ in range(20):
                    t = t / 4
                    if abs(phi(t)) < abs(f0):
                        break
                else:
                    return None
                lo = t
            W = W + lo * D
            continue
        x = _illinois(phi, lo, flo, hi, fhi, rtol * abs(level))
        W = W + x * D
    L, _ = B.loss_gradient(W)
    return W if abs(L / level - 1) <= rtol else None


def project_to_level(teacher, student, level, settings: LevelSetSettings = LevelSetSettings(),
                     activation: str = "abs", dps: int | None = None):
    """``student`` moved onto ``{L = level}`` (relative ``settings.rtol``) along ``grad L``.

    Float64 array at levels ``>= settings.float64_floor``, else an object array of mpf.
    Raises ``ValueError`` when Newton fails (a stationary point of ``L`` on the way).
    """
    B = _backend(teacher, level, settings, activation, dps)
    with mpmath.workdps(getattr(B, "dps", 15)):
        W = _project(B, B.array(student), level, _rtol(B, level, settings))
    if W is None:
        raise ValueError(f"could not place the configuration at loss level {float(level):.3g}: "
                         "the gradient vanished on the way (a stationary point)")
    return W


def _descend(B, W, level, settings, value_and_gradient):
    """Projected Barzilai-Borwein descent of ``value_and_gradient(W) -> (f, df)`` on the level set."""
    rtol = _rtol(B, level, settings)
    W = _project(B, W, level, rtol)
    if W is None:
        raise ValueError(f"could not place the start at loss level {float(level):.3g}")
    f, df = value_and_gradient(W)
    trajectory = [f]
    alpha, prev, stall = None, None, 0
    clock = time.monotonic()
    for _ in range(settings.iterations):
        if settings.time_limit is not None and time.monotonic() - clock > settings.time_limit:
            break
        _, G = B.loss_gradient(W)
        g2 = _dot(G, G)
        p = df - (_dot(df, G) / g2) * G if g2 > B.small() else df
        pn = _sqrt(_dot(p, p))
        if not pn > B.small():
            break
        if prev is not None:
            s, y = W - prev[0], p - prev[1]
            sy = _dot(s, y)
            alpha = _dot(s, s) / sy if sy > 0 else None
        if alpha is None:
            wn = _sqrt(_dot(W, W))
            alpha = 1e-3 * wn / pn  # a first step of 0.1% of the configuration's size
        accepted = False
        for _ in range(25):
            Wn = _project(B, W - alpha * p, level, rtol, max_steps=8)
            if Wn is not None:
                fn, dfn = value_and_gradient(Wn)
                if fn < f:
                    accepted = True
                    break
            alpha = alpha / 4
        if not accepted:
            break
        prev = (W, p)
        gain = (f - fn) / (abs(f) + 1e-300 if isinstance(f, float) else abs(f) + B.small())
        W, f, df = Wn, fn, dfn
        trajectory.append(f)
        stall = stall + 1 if gain < settings.min_improvement else 0
        if stall >= settings.patience:
            break
    L, _ = B.loss_gradient(W)
    return LevelSetResult(W, L, f, tuple(trajectory), B.name)


def _up_to_sign_angles(U, V):
    """Up-to-sign angles between unit rows of ``U`` and of ``V``, ``2 atan2(|u - s v|, |u + s v|)``
    with ``s = sign(u.v)`` (Kahan's half-angle form: accurate at aligned neurons, unlike arccos)."""
    s = np.where(U @ V.T >= 0, 1.0, -1.0)[:, :, None]
    diff = np.linalg.norm(U[:, None, :] - s * V[None, :, :], axis=2)
    plus = np.linalg.norm(U[:, None, :] + s * V[None, :, :], axis=2)
    return 2 * np.arctan2(diff, plus)


def anchored_minimum(teacher, student, stray_angle: float = 0.35, small_share: float = 0.25,
                     small_angle: float = 0.05):
    """The global minimum that ``student`` perturbs.

    A student is a *stray* (set to 0) when its up-to-sign angle to the nearest teacher
    exceeds ``stray_angle``, or exceeds ``small_angle`` while its share of that teacher's
    group (``||w_j||^2`` over the group's sum) is below ``small_share``: a small student
    at a fixed angle is the soft direction of the sublevel set, and it shrinks (not
    rotates) as the loss goes down.  The other students are aligned with their teacher,
    shares proportional to ``||w_j||^2`` (so ``sum_j ||w_j|| w_j = w*_i``).  A teacher
    left without students keeps its nearest one.  Float64 array.
    """
    T = np.asarray(teacher, float)
    W = np.asarray(np.asarray(student, dtype=object), float)
    tn = np.linalg.norm(T, axis=1)
    wn = np.linalg.norm(W, axis=1)
    angle = _up_to_sign_angles(W / np.where(wn > 0, wn, 1)[:, None], T / tn[:, None])
    nearest = angle.argmin(axis=1)
    near = angle[np.arange(len(W)), nearest]
    group = np.array([(wn[nearest == nearest[j]] ** 2).sum() for j in range(len(W))])
    share = wn**2 / np.where(group > 0, group, 1)
    stray = (near > stray_angle) | ((near > small_angle) & (share < small_share))
    owner = np.where(stray, -1, nearest)
    for i in range(len(T)):
        if not (owner == i).any():
            owner[int(angle[:, i].argmin())] = i
    W0 = np.zeros_like(W)
    for i in range(len(T)):
        idx = np.nonzero(owner == i)[0]
        p = wn[idx] ** 2 / (wn[idx] ** 2).sum()
        for j, pj in zip(idx, p):
            sign = 1.0 if W[j] @ T[i] >= 0 else -1.0
            W0[j] = sign * math.sqrt(pj * tn[i]) * T[i] / tn[i]
    return W0


def rescale_to_level(teacher, student, level, settings: LevelSetSettings = LevelSetSettings(),
                     activation: str = "abs", anchor=None):
    """``student`` moved to ``{L = level}`` along a path from its anchored minimum
    (:func:`anchored_minimum`), then projected to the level's relative ``rtol``.

    The path is ``W0 + s D_stray + s^2 D_rest``: stray rows (zero in the anchor) scale
    with ``s`` and the other rows' deviation with ``s^2``, as a small student of norm
    ``rho`` and the re-fitted others (moved by ``O(rho^2)``) do; ``s`` is solved in
    log-log.  For continuing a minimiser to another level; the precision follows the level.
    """
    if anchor is None:
        try:
            return rescale_to_level(teacher, student, level, settings, activation,
                                    anchored_minimum(teacher, student))
        except ValueError:
            # Small angled students aligned instead (the plain nearest-teacher anchor).
            anchor = anchored_minimum(teacher, student, small_share=0.0)
    B = _backend(teacher, level, settings, activation)
    with mpmath.workdps(getattr(B, "dps", 15)):
        W0f = np.asarray(anchor, float)
        W0 = B.array(W0f)
        D = B.array(student) - W0
        stray = ~np.any(W0f != 0, axis=1)
        D1, D2 = D.copy(), D.copy()
        D1[~stray] = 0 * D1[~stray]
        D2[stray] = 0 * D2[stray]
        target = _log(B.array([[level]])[0, 0])

        def log_loss(log_s):
            s = math.exp(log_s) if isinstance(log_s, float) else mpmath.exp(log_s)
            L = B.loss(W0 + s * D1 + (s * s) * D2)
            return _log(L) if L > 0 else target - 1e6

        rtol = _rtol(B, level, settings)
        lo, hi = -60.0, 3.0
        flo, fhi = log_loss(lo), log_loss(hi)
        if not flo < target < fhi:
            raise ValueError(f"loss level {float(level):.3g} is not on the path from the anchored minimum")
        x = _illinois(lambda t: log_loss(t) - target, lo, flo - target, hi, fhi - target, rtol)
        s = math.exp(x) if isinstance(x, float) else mpmath.exp(x)
        W = _project(B, W0 + s * D1 + (s * s) * D2, level, rtol)
    if W is None:
        raise ValueError(f"could not place the configuration at loss level {float(level):.3g}")
    return W


def _float_hessian(B, W):
    # The Hessian only steers the steps; float64 knows it to ~1e-16 absolute at any level.
    return f64.hessian(np.asarray(B.teacher, float), np.asarray(W, float), B.activation)


def minimise_gradient_norm(teacher, student, level, settings: LevelSetSettings = LevelSetSettings(),
                           activation: str = "abs", dps: int | None = None) -> LevelSetResult:
    """A local minimiser of ``||grad L||_F`` on ``{L = level}`` from ``student``.

    Levenberg-Marquardt on the residual ``grad L`` (Gauss-Newton model
    ``grad L(W + D) ~ g + H D``) with the level linearised (``g . D = level - L``), then
    projected back on the level: it relaxes the stiff students in one step and moves the
    soft ones (small norm, degenerate splits) at the rate their own curvature allows.
    ``result.objective`` is ``||grad L||_F``.

    >>> import numpy as np
    >>> T = np.array([[1.0, 0.0]])
    >>> res = minimise_gradient_norm(T, np.array([[1.0, 0.0], [0.0, 0.2]]), 1e-4)
    >>> 2.0 < res.objective / 1e-4 ** 0.75 < 3.0   # a small stray student: L^(3/4)
    True
    """
    B = _backend(teacher, level, settings, activation, dps)
    with mpmath.workdps(getattr(B, "dps", 15)):
        rtol = _rtol(B, level, settings)
        lev = B.array([[level]])[0, 0]
        W = _project(B, B.array(student), level, rtol)
        if W is None:
            raise ValueError(f"could not place the start at loss level {float(level):.3g}")
        L, G = B.loss_gradient(W)
        f = _sqrt(_dot(G, G))
        trajectory = [f]
        mu, stall = 1e-3, 0
        n = W.size
        clock = time.monotonic()
        for _ in range(settings.iterations):
            if settings.time_limit is not None and time.monotonic() - clock > settings.time_limit:
                break
            H = _float_hessian(B, W)
            g = np.asarray(G.ravel(), float)
            gs = float(np.linalg.norm(g))
            if gs == 0:
                break
            scale = float(np.abs(H).max()) or 1.0
            c = float((lev - L) / gs)
            accepted = False
            for _ in range(20):
                K = np.zeros((n + 1, n + 1))
                K[:n, :n] = H @ H + mu * scale**2 * np.eye(n)
                K[:n, n] = K[n, :n] = g / gs
                rhs = np.concatenate([-(H @ g), [c]])
                try:
                    step = np.linalg.solve(K, rhs)[:n]
                except np.linalg.LinAlgError:
                    mu *= 10
                    continue
                Wn = _project(B, W + B.array(step.reshape(W.shape)), level, rtol, max_steps=8)
                if Wn is not None:
                    Ln, Gn = B.loss_gradient(Wn)
                    fn = _sqrt(_dot(Gn, Gn))
                    if fn < f:
                        accepted = True
                        break
                mu *= 10
            if not accepted:
                break
            gain = float((f - fn) / f)
            W, L, G, f = Wn, Ln, Gn, fn
            trajectory.append(f)
            mu = max(mu / 10, 1e-12)
            stall = stall + 1 if gain < settings.min_improvement else 0
            if stall >= settings.patience:
                break
        return LevelSetResult(W, L, f, tuple(trajectory), B.name)


def minimise_on_level(objective, teacher, student, level, settings: LevelSetSettings = LevelSetSettings(),
                      activation: str = "abs", dps: int | None = None,
                      step: float = 1e-6) -> LevelSetResult:
    """A local minimiser of ``objective(student_rows) -> float`` on ``{L = level}``.

    Forward-difference gradients with relative step ``step`` (``m d`` objective calls per
    descent step); the students passed to ``objective`` are a float64 array or an object
    array of mpf, as the level needs.
    """
    B = _backend(teacher, level, settings, activation, dps)

    def value_and_gradient(W):
        f = objective(W)
        df = W * 0
        scale = max(abs(x) for x in W.ravel())
        h = scale * step
        for idx in np.ndindex(W.shape):
            Wh = W.copy()
            Wh[idx] = Wh[idx] + h
            df[idx] = (objective(Wh) - f) / h
        return f, df

    with mpmath.workdps(getattr(B, "dps", 15)):
        return _descend(B, B.array(student), level, settings, value_and_gradient)


def relax_students(teacher, student, free, settings: LevelSetSettings = LevelSetSettings(),
                   activation: str = "abs", iterations: int = 60, dps: int | None = None):
    """Students with rows ``free`` re-fitted by minimising ``L`` (the other rows held).

    Newton steps on the free rows' block of the Hessian (regularised where it is
    singular: several students on one teacher), with backtracking.  Float64 unless
    ``dps`` is given.  Returns the new student array.

    >>> import numpy as np
    >>> T = np.array([[1.0, 0.0]])
    >>> W = relax_students(T, np.array([[0.8, 0.1], [0.0, 0.3]]), free=[0])
    >>> from numeric.float64 import loss
    >>> loss(T, W) < 0.5 * 0.3 ** 4 * (1 - 4 / np.pi ** 2) + 1e-9  # the stray's share only
    True
    """
    B = _Float64(teacher, activation) if dps is None else _Precise(teacher, activation, dps)
    free = sorted(set(int(j) for j in free))
    with mpmath.workdps(getattr(B, "dps", 15)):
        W = B.array(student)
        if not free:
            return W
        m, d = W.shape
        L, G = B.loss_gradient(W)
        for _ in range(iterations):
            # A zero row contributes nothing to L and the Hessian is undefined there: the
            # Hessian is formed on the nonzero rows, and a zero free row (gradient 0) stays.
            W64 = np.asarray(W, float)
            nonzero = [j for j in range(m) if np.any(W64[j] != 0)]
            moving = [j for j in free if j in nonzero]
            if not moving:
                break
            cols = [j * d + k for j in moving for k in range(d)]
            reduced = [nonzero.index(j) * d + k for j in moving for k in range(d)]
            g = np.array([G.ravel()[c] for c in cols], dtype=float)
            teacher64 = B.teacher if isinstance(B, _Float64) else np.asarray(B.teacher, float)
            H = f64.hessian(teacher64, W64[nonzero], activation)[np.ix_(reduced, reduced)]
            # Shift an indefinite block to positive definite with room to spare: a shift that
            # only reaches zero leaves a near-singular system whose step no backtracking saves.
            lam = 2 * max(0.0, -float(np.linalg.eigvalsh(H).min())) + 1e-8 * (1 + np.abs(H).max())
            try:
                step = np.linalg.solve(H + lam * np.eye(len(cols)), g)
            except np.linalg.LinAlgError:
                step = g
            t, improved = 1.0, False
            for _ in range(30):
                Wn = W.copy()
                for c, s in zip(cols, step):
                    Wn[c // d, c % d] = Wn[c // d, c % d] - t * s
                Ln, Gn = B.loss_gradient(Wn)
                if Ln < L:
                    improved = True
                    break
                t /= 2
            if not improved:
                break
            gain = (L - Ln) / L if L > 0 else 0
            W, L, G = Wn, Ln, Gn
            if gain < 1e-12:
                break
        return W
