"""Zhou-Ge-Jin's loss, gradient and Hessian enclosed over boxes of effective vectors, in
float64 interval arithmetic (:mod:`numeric.interval`), vectorised over many boxes.

Variables are the effective vectors ``u_j = ||w_j|| w_j`` (paper-notes 1.1), flattened
row-wise (``n = m d``).  ``w -> ||w|| w`` is a homeomorphism of ``R^d`` with Jacobian
``||w|| (I + w_bar w_bar^T)``, invertible for ``w != 0``, so for configurations without
zero rows the stationary points in ``W`` are exactly the zeros of ``grad_u L``.  With
``k(u, v) = (2/pi) |u| |v| (sin t + (pi/2 - t) cos t)`` (``t`` the angle):

* ``L = 1/2 sum_j |u_j|^2 + sum_{j<l} k(u_j, u_l) - sum_{j,i} k(u_j, w*_i) + 1/2 sum_{i,l} k(w*_i, w*_l)``;
  ``k`` always lies in ``[2/pi, 1] |u| |v|`` (``sin t + (pi/2 - t) cos t`` runs between 1
  and ``pi/2``), which bounds it where a box contains a zero vector;
* ``grad_{u_j} L = u_j + sum_{l != j} G(u_l, u_j) - sum_i G(w*_i, u_j)`` with
  ``G(v, u) = E[|v.x| sgn(u.x) x] = (2/pi) [(pi/2 - t) v + |v| sin t u_bar]``; every
  component of ``G(v, u)`` lies in ``[-|v|, |v|]`` (``|G(v, u).e| <= k(v, e) <= |v|``);
* the Hessian: off-diagonal blocks ``M(a, b) = E[sgn(a.x) sgn(b.x) x x^T]`` for the unit
  vectors, written without ``1/sin t``:
  ``M = (1 - 2t/pi) I + (2/pi) [sin t cos t a a^T - cos t b_p b_p^T / |b_p| + sin t (a b_p^T + b_p a^T)]``,
  ``b_p = b - cos t a`` (``|b_p| = sin t``); diagonal blocks
  ``I + sum_{l != j} D(u_l, u_j) - sum_i D(w*_i, u_j)`` with the derivative of ``G`` in
  its second argument ``D(v, u) = 2 (|v_p| P_u + v_p v_p^T / |v_p|) / (pi |u|)``,
  ``v_p = P_u v``, ``P_u = I - u_bar u_bar^T`` (``d sgn(u.x) / du = 2 delta(u.x) x``: twice the
  Gaussian density at ``u_bar.x = 0`` over ``|u|``, times ``E[|v_p.z| z z^T]`` over ``z`` in ``u^perp``).  Both are bounded where the angle
  is 0 or pi (``v_p v_p^T / |v_p|`` has entries at most ``|v_p|``).  Checked against
  finite differences of the gradient in ``tests/test_threshold_bnb.py``.

Where a box contains ``u_j = 0`` the gradient in row ``j`` is not defined (in ``W`` the
row's gradient vanishes there for every direction), so the row's components are the whole
line and the Hessian is not used; the other rows stay valid, ``G(0, u) = 0``.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numeric.interval import PI, Interval, angle_sin_cos, down, norms, outer_over_norm, unit_vectors, up

__all__ = ["TeacherStudentBoxes", "fraction_enclosure", "mass_radius"]


def fraction_enclosure(x: Fraction):
    """``(lo, hi)`` floats with ``lo <= x <= hi``."""
    f = float(x)
    lo = f if Fraction(f) <= x else float(down(f))
    hi = f if Fraction(f) >= x else float(up(f))
    return lo, hi


def mass_radius(teacher, level) -> float:
    """An upper float bound of ``sum_i |w*_i| + sqrt(pi X)``: by Lemma C.5's explicit form
    (``sum_j |u_j| <= sum_i |w*_i| + sqrt(pi L)``, certified in the suite as zgj.lemmaC5),
    every configuration with ``L <= X`` has ``sum_j |u_j|`` at most this."""
    t = _teacher_interval(teacher)
    total = norms(t).sum(0) + (PI * float(level)).sqrt()
    return float(up(total.hi))


def _teacher_interval(teacher) -> Interval:
    lo = np.array([[fraction_enclosure(Fraction(x))[0] for x in row] for row in teacher])
    hi = np.array([[fraction_enclosure(Fraction(x))[1] for x in row] for row in teacher])
    return Interval(lo, hi)


def _expand(x: Interval) -> Interval:
    return Interval(x.lo[..., None], x.hi[..., None])


def _dot(a: Interval, b: Interval) -> Interval:
    return (a * b).sum(-1)


def _m_block(a: Interval, b: Interval) -> Interval:
    """``E[sgn(a.x) sgn(b.x) x x^T]`` for unit ``a``, ``b`` (boxes ``(N, d)``) -> ``(N, d, d)``."""
    theta, sin, cos = angle_sin_cos(a, b)
    d = a.shape[-1]
    bp = b - _expand(cos) * a
    nbp = norms(bp).intersect(sin)
    col = lambda x: Interval(x.lo[..., :, None], x.hi[..., :, None])
    row = lambda x: Interval(x.lo[..., None, :], x.hi[..., None, :])
    sc = _expand(_expand(sin * cos))
    s = _expand(_expand(sin))
    c = _expand(_expand(cos))
    aa = col(a) * row(a)
    ab = col(a) * row(bp) + col(bp) * row(a)
    bb = outer_over_norm(bp, nbp)
    eye = np.eye(d)
    diag = _expand(_expand(1.0 - theta * 2.0 / PI)) * eye
    out = diag + (sc * aa - c * bb + s * ab) * (2.0 / PI)
    return out.clip(-1.0, 1.0)


def _d_block(v: Interval, u_bar: Interval, nu: Interval) -> Interval:
    """``D(v, u) = 2 (|v_p| P_u + v_p v_p^T / |v_p|) / (pi |u|)`` -> ``(N, d, d)``."""
    d = v.shape[-1]
    vp = v - _expand(_dot(v, u_bar)) * u_bar
    nvp = norms(vp)
    P = Interval.point(np.eye(d)) - Interval(u_bar.lo[..., :, None], u_bar.hi[..., :, None]) * \
        Interval(u_bar.lo[..., None, :], u_bar.hi[..., None, :])
    inner = _expand(_expand(nvp)) * P + outer_over_norm(vp, nvp)
    return inner * 2.0 / _expand(_expand(nu * PI))


@dataclass(frozen=True)
class TeacherStudentBoxes:
    """The branch and bound's model for teachers ``teacher`` (exact rows), ``m`` students
    in ``R^d`` (teacher rows padded with zeros), below the level ``level``.

    The domain is one fundamental domain of the symmetries: each student's sign
    (``u_j[0] >= 0``), the students' order (``u_1[0] <= ... <= u_m[0]``) and, for every
    axis on which all teachers vanish, the reflection of that axis (``u_m[axis] >= 0``);
    every configuration has an image there with the same loss and the same stationarity.
    Boxes are further cut by Lemma C.5's mass bound (:func:`mass_radius`).
    """

    teacher: tuple
    m: int
    d: int
    level: float
    #: Set once the width ``m - 1`` is proved to have no spurious stationary point below
    #: ``level``: then the stationary points with a zero row (which are the width ``m - 1``'s)
    #: are accounted for, and :meth:`zero_row_excluded` may discard boxes at zero rows.
    zero_rows_covered: bool = False
    #: At most this many direction pieces per face of the cube for :meth:`zero_row_excluded`
    #: (pieces are bisected adaptively; per side ``direction_pieces^(1/(d-1))``).
    direction_pieces: int = 64

    @property
    def n(self) -> int:
        return self.m * self.d

    @property
    def r(self) -> int:
        return len(self.teacher)

    def padded_teacher(self) -> tuple:
        return tuple(tuple(Fraction(x) for x in row) + (Fraction(0),) * (self.d - len(row)) for row in self.teacher)

    def radius(self) -> float:
        return mass_radius(self.padded_teacher(), self.level)

    def initial_box(self):
        R = self.radius()
        lo = np.full((self.m, self.d), -R)
        hi = np.full((self.m, self.d), R)
        lo[:, 0] = 0.0
        T = self.padded_teacher()
        for axis in range(1, self.d):
            if all(row[axis] == 0 for row in T):
                lo[self.m - 1, axis] = 0.0
        return lo.reshape(-1), hi.reshape(-1)

    def _u(self, lo, hi) -> Interval:
        N = lo.shape[0]
        return Interval(lo.reshape(N, self.m, self.d), hi.reshape(N, self.m, self.d))

    def prune(self, lo, hi):
        """Boxes outside the fundamental domain or beyond Lemma C.5's mass bound."""
        u = self._u(lo, hi)
        out = np.zeros(lo.shape[0], dtype=bool)
        for j in range(self.m - 1):
            out |= u.lo[:, j, 0] > u.hi[:, j + 1, 0]
        mass = norms(u).sum(1)
        out |= mass.lo > self.radius()
        return out

    def _parts(self, u: Interval):
        ubar, nu = unit_vectors(u)
        T = _teacher_interval(self.padded_teacher())
        N = u.shape[0]
        t = Interval(np.broadcast_to(T.lo, (N,) + T.shape), np.broadcast_to(T.hi, (N,) + T.shape))
        tbar, nt = unit_vectors(t)
        return ubar, nu, t, tbar, nt

    def smooth(self, lo, hi):
        """Boxes where no student row can be 0 (the gradient in ``u`` is C^1 there)."""
        u = self._u(lo, hi)
        return np.all(norms(u).lo > 0, axis=1)

    def _pairs(self):
        """Index pairs into the stacked rows (students ``0..m-1``, then teachers), with the
        sign of their kernel in ``L``: student pairs ``+1``, student-teacher ``-1``,
        teacher pairs ``+1``."""
        m, r = self.m, self.r
        pairs = [(j, l, 1.0) for j, l in itertools.combinations(range(m), 2)]
        pairs += [(j, m + i, -1.0) for j in range(m) for i in range(r)]
        pairs += [(m + i, m + k, 1.0) for i, k in itertools.combinations(range(r), 2)]
        return pairs

    def loss_gradient(self, lo, hi, want_gradient: bool = True, self_term: bool = True):
        """``(L, grad_u L)`` enclosed over the boxes: ``(N,)`` and ``(N, n)``; gradient rows
        whose box contains 0 are the whole line.  ``self_term=False`` leaves out the term
        ``u_j`` of row ``j`` (what remains depends on ``u_j``'s direction only)."""
        u = self._u(lo, hi)
        N = u.shape[0]
        T = _teacher_interval(self.padded_teacher())
        t = Interval(np.broadcast_to(T.lo, (N,) + T.shape), np.broadcast_to(T.hi, (N,) + T.shape))
        V = Interval(np.concatenate([u.lo, t.lo], axis=1), np.concatenate([u.hi, t.hi], axis=1))
        Vbar, NV = unit_vectors(V)
        pairs = self._pairs()
        a = np.array([p[0] for p in pairs])
        b = np.array([p[1] for p in pairs])
        sign = np.array([p[2] for p in pairs])
        theta, sin, cos = angle_sin_cos(Vbar[:, a], Vbar[:, b])
        prod = NV[:, a] * NV[:, b]
        k = (prod * sin + (PI * 0.5 - theta) * _dot(V[:, a], V[:, b])) * (2.0 / PI)
        k = k.intersect(Interval(down((prod * (2.0 / PI)).lo), prod.hi))
        L = NV.sqr().sum(1) * 0.5 + (k * sign).sum(1)
        if not want_gradient:
            return L, None
        # G(V_b, u_a) and G(V_a, u_b): the same angle, the other row's norm and direction
        rest = _expand(PI * 0.5 - theta)
        g_ab = (rest * V[:, b] + _expand(NV[:, b] * sin) * Vbar[:, a]) * (2.0 / PI)
        g_ab = g_ab.intersect(Interval(-_expand(NV[:, b]).hi, _expand(NV[:, b]).hi))
        g_ba = (rest * V[:, a] + _expand(NV[:, a] * sin) * Vbar[:, b]) * (2.0 / PI)
        g_ba = g_ba.intersect(Interval(-_expand(NV[:, a]).hi, _expand(NV[:, a]).hi))
        rows = [u[:, j] if self_term else u[:, j] * 0.0 for j in range(self.m)]
        for p, (ia, ib, sg) in enumerate(pairs):
            if ia < self.m:
                rows[ia] = rows[ia] + g_ab[:, p] * sg
            if ib < self.m:
                rows[ib] = rows[ib] + g_ba[:, p] * sg
        g_lo = np.concatenate([r.lo for r in rows], axis=1)
        g_hi = np.concatenate([r.hi for r in rows], axis=1)
        zero = np.repeat(NV.lo[:, :self.m] <= 0, self.d, axis=1)
        return L, Interval(np.where(zero, -np.inf, g_lo), np.where(zero, np.inf, g_hi))

    def loss(self, lo, hi) -> Interval:
        return self.loss_gradient(lo, hi, want_gradient=False)[0]

    def gradient(self, lo, hi) -> Interval:
        return self.loss_gradient(lo, hi)[1]

    def zero_row_excluded(self, lo, hi):
        """Boxes whose every stationary point has a zero row (mask ``(N,)``), by the blow-up
        of a row ``j`` whose box contains 0: with ``u_j = t omega`` (``t > 0``, ``|omega| = 1``)
        row ``j``'s gradient is ``t omega + sum_{l != j} G(u_l, omega) - sum_i G(w*_i, omega)``,
        continuous in ``(t, omega)`` down to ``t = 0``; if for every direction (the cube's
        faces bisected adaptively, ``omega = v / |v|``) and ``t`` in ``[0, max |u_j|]`` some
        component excludes 0, no point of the box with ``u_j != 0`` is stationary.  The
        points with ``u_j = 0`` are the width ``m - 1``'s stationary points: they count only
        when ``zero_rows_covered`` (proved separately), so otherwise nothing is excluded."""
        N = lo.shape[0]
        out = np.zeros(N, dtype=bool)
        if not self.zero_rows_covered:
            return out
        u = self._u(lo, hi)
        nu = norms(u)
        d = self.d
        # at most direction_pieces pieces per face in all: the work per box stays bounded in d
        finest = 2.0 / max(2, int(round(self.direction_pieces ** (1.0 / max(d - 1, 1)))))
        for j in range(self.m):
            rows = np.where((nu.lo[:, j] <= 0) & ~out)[0]
            if rows.size == 0:
                continue
            failed = np.zeros(rows.size, dtype=bool)
            # work items: a piece of a face of the cube [-1, 1]^d and the boxes still to decide
            work = []
            for axis in range(d):
                for sign in (1.0, -1.0):
                    v_lo, v_hi = -np.ones(d), np.ones(d)
                    v_lo[axis] = v_hi[axis] = sign
                    work.append((v_lo, v_hi, np.arange(rows.size)))
            while work:
                v_lo, v_hi, live = work.pop()
                live = live[~failed[live]]
                if live.size == 0:
                    continue
                omega, _ = unit_vectors(Interval(np.broadcast_to(v_lo, (live.size, d)),
                                                 np.broadcast_to(v_hi, (live.size, d))))
                b_lo, b_hi = lo[rows[live]].copy(), hi[rows[live]].copy()
                b_lo[:, j * d:(j + 1) * d] = omega.lo
                b_hi[:, j * d:(j + 1) * d] = omega.hi
                _, g = self.loss_gradient(b_lo, b_hi, self_term=False)
                t = Interval(np.zeros(live.size), nu.hi[rows[live], j])
                row = g[:, j * d:(j + 1) * d] + Interval(t.lo[:, None], t.hi[:, None]) * omega
                open_ = live[~np.any((row.lo > 0) | (row.hi < 0), axis=1)]
                if open_.size == 0:
                    continue
                width = v_hi - v_lo
                if width.max() <= finest:
                    failed[open_] = True
                    continue
                a = int(np.argmax(width))
                mid = 0.5 * (v_lo[a] + v_hi[a])
                left_hi, right_lo = v_hi.copy(), v_lo.copy()
                left_hi[a], right_lo[a] = mid, mid
                work.append((v_lo, left_hi, open_))
                work.append((right_lo, v_hi, open_))
            out[rows[~failed]] = True
        return out

    def hessian(self, lo, hi) -> Interval:
        """``Hess_u L`` ``(N, n, n)``; the whole line where a row may be 0."""
        u = self._u(lo, hi)
        ubar, nu, t, tbar, nt = self._parts(u)
        N, m, d = u.shape
        H_lo = np.zeros((N, m * d, m * d))
        H_hi = np.zeros((N, m * d, m * d))

        def put(j, l, block: Interval):
            H_lo[:, j * d:(j + 1) * d, l * d:(l + 1) * d] = block.lo
            H_hi[:, j * d:(j + 1) * d, l * d:(l + 1) * d] = block.hi

        for j in range(m):
            block = Interval.point(np.broadcast_to(np.eye(d), (N, d, d)))
            for l in range(m):
                if l != j:
                    block = block + _d_block(u[:, l], ubar[:, j], nu[:, j])
            for i in range(self.r):
                block = block - _d_block(t[:, i], ubar[:, j], nu[:, j])
            put(j, j, block)
        for j, l in itertools.combinations(range(m), 2):
            block = _m_block(ubar[:, j], ubar[:, l])
            put(j, l, block)
            put(l, j, Interval(np.swapaxes(block.lo, -1, -2), np.swapaxes(block.hi, -1, -2)))
        bad = ~np.all(nu.lo > 0, axis=1)
        H_lo[bad] = -np.inf
        H_hi[bad] = np.inf
        return Interval(H_lo, H_hi)

    def zero_points(self):
        """Float enclosures ``(K, 2, n)`` of the zero-loss points with no zero row in the
        domain (``m = r``: the teachers, permuted and signed); none otherwise."""
        if self.m != self.r:
            return np.zeros((0, 2, self.n))
        T = self.padded_teacher()
        out = []
        for perm in itertools.permutations(range(self.r)):
            for signs in itertools.product((1, -1), repeat=self.r):
                rows = [[s * x for x in T[p]] for p, s in zip(perm, signs)]
                lo = [fraction_enclosure(x)[0] for row in rows for x in row]
                hi = [fraction_enclosure(x)[1] for row in rows for x in row]
                out.append((lo, hi))
        return np.array(out, dtype=float)
