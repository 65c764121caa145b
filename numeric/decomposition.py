"""The paper's decomposition of a configuration: partition, average neurons, ``M``, ``R_1``, ``R_2``.

Zhou, Ge, Jin (COLT 2021), Sec. 5 (p.8-12) and App. C:

* partition ``T_i``: student ``j`` goes to the teacher with the smallest up-to-sign angle
  (ties: lowest teacher index); ``delta_j`` is that angle; ``T_i(delta)`` keeps
  ``delta_j <= delta``;
* sign convention ``w_j . w*_i >= 0`` for ``j in T_i`` (the network is invariant under
  ``w_j -> -w_j``): the effective vectors are ``u_j = s_j ||w_j|| w_j`` with ``s_j`` that sign;
* average neuron ``hat w_i = sum_{j in T_i} u_j`` and ``v_i = hat w_i - w*_i`` (eq. 2);
* ``R = R_1 + R_2`` (eq. 3) with ``R_1 = sum_i v_i.x sgn(w*_i.x)`` and
  ``R_2 = sum_j u_j.x (sgn(u_j.x) - sgn(w*_{i(j)}.x))``;
* ``M`` (eq. 4), ``||R_1||^2 = v^T M v``.

Every second moment is exact: with unit ``a``, ``b`` at angle ``t`` and ``e`` the unit part
of ``b`` orthogonal to ``a``,

    E[x x^T sgn(a.x) sgn(b.x)] = (1 - 2t/pi) I + (2/pi)[sin t cos t (a a^T - e e^T)
                                 + sin^2 t (a e^T + e a^T)],

which is the mixed second derivative ``d2 k / du dv^T`` of the pair kernel at
``|u| = |v| = 1``; its coefficients come from :func:`numeric.pair_kernels.abs_hessian`.
So ``||R_2||^2`` and ``<R_1, R_2>`` are finite sums of such blocks (no Monte Carlo), and
``||R_1||^2 + 2 <R_1, R_2> + ||R_2||^2 = 2 L`` is an identity the tests check.

Choices of discrete objects (which teacher owns a student, whether ``delta_j <= delta``)
are made on ball midpoints; every number is a ball (arb) or an mpf (mpmath).

>>> from numeric.config import Configuration
>>> c = Configuration.from_dict({"teacher": [[1, 0], [0, 1]],
...                              "student": [["-0.9", "0.1"], [0, 1]]})
>>> dec = decompose(c, dps=20)
>>> dec.assignment, dec.signs
((0, 1), (-1, 1))
>>> residual_identity_defect(dec).contains(0)
True
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from numeric import pair_kernels
from numeric.config import Configuration
from numeric.numbers import to_fraction
from numeric.fields import field as _field
from numeric.pairwise import hessian_block, pair_angle, unit_orthogonal
from numeric.precise import evaluate

__all__ = [
    "Decomposition",
    "decompose",
    "sign_block",
    "sign_quadratic_form",
    "matrix_M",
    "r1_norm_squared",
    "r2_norm_squared",
    "r1_r2_inner",
    "residual_norm_squared",
    "residual_identity_defect",
    "r1_at",
    "r2_at",
    "mass_within",
    "radius_for_half_mass",
    "weighted_angle_sum",
    "descent_inner_product",
    "lambda_min_M",
]


@dataclass(frozen=True)
class Decomposition:
    """The decomposition of ``config`` at ``dps`` digits on ``backend``.

    Per student ``j`` (length ``m``): ``assignment[j]`` (its teacher ``i(j)``; zero students
    go to teacher 0), ``signs[j]``, ``delta[j]`` (``None`` for a zero student), ``w_norm[j]``,
    ``units[j]`` (``s_j w_j / ||w_j||``) and ``effective[j]`` (``u_j``).  Per teacher:
    ``teacher_units``, ``teacher_norms``, ``hat_w``, ``v`` (rows of length ``d``).
    """

    config: Configuration
    dps: int
    backend: str
    assignment: tuple
    signs: tuple
    delta: tuple
    w_norm: tuple
    units: tuple
    effective: tuple
    teacher_units: tuple
    teacher_norms: tuple
    hat_w: tuple
    v: tuple

    @property
    def field(self):
        return _field(self.backend)

    def members(self, i: int) -> list:
        """``T_i`` (students with ``delta = None`` are zero vectors and are left out)."""
        return [j for j, a in enumerate(self.assignment) if a == i and self.delta[j] is not None]


def _dot(F, x, y):
    return sum((a * b for a, b in zip(x, y)), F.zero())


def _mid(F, x) -> float:
    return F.mid(x)


def decompose(config: Configuration, dps: int = 30, backend: str = "arb") -> Decomposition:
    """Partition, signs, angles, average neurons and ``v_i`` of ``config``."""
    F = _field(backend)
    with F.workdps(dps):
        T = [[F.number(x) for x in row] for row in config.teacher]
        tn = [F.norm(row) for row in T]
        tu = [[x / n for x in row] for row, n in zip(T, tn)]
        assignment, signs, delta, w_norm, units, effective = [], [], [], [], [], []
        for row in config.student:
            w = [F.number(x) for x in row]
            if not any(row):
                assignment.append(0), signs.append(1), delta.append(None)
                w_norm.append(F.zero()), units.append(tuple(F.zero() for _ in w))
                effective.append(tuple(F.zero() for _ in w))
                continue
            nw = F.norm(w)
            wu = [x / nw for x in w]
            angles = []
            for t in tu:
                c = _dot(F, wu, t)
                s = -1 if _mid(F, c) < 0 else 1
                angles.append((pair_angle(F, wu, [s * x for x in t], s * c), s))
            # Smallest up-to-sign angle by midpoint; min() keeps the lowest index on ties.
            i = min(range(len(tu)), key=lambda k: _mid(F, angles[k][0]))
            ang, s = angles[i]
            assignment.append(i), signs.append(s), delta.append(ang), w_norm.append(nw)
            unit = tuple(s * x for x in wu)
            units.append(unit)
            effective.append(tuple(nw * nw * x for x in unit))
        hat = []
        for i in range(len(tu)):
            acc = [F.zero() for _ in range(config.d)]
            for j, a in enumerate(assignment):
                if a == i:
                    acc = [p + q for p, q in zip(acc, effective[j])]
            hat.append(tuple(acc))
        v = tuple(tuple(p - q for p, q in zip(h, t)) for h, t in zip(hat, T))
    return Decomposition(config, dps, F.name, tuple(assignment), tuple(signs), tuple(delta),
                         tuple(w_norm), tuple(units), tuple(effective), tuple(map(tuple, tu)),
                         tuple(tn), tuple(hat), v)


# -- second moments of sign products ---------------------------------------------------------

def _block_parts(F, a, b):
    """``(coefficients on (I, aa, ae, ea, ee), e)`` of ``E[x x^T sgn(a.x) sgn(b.x)]``."""
    one = F.q(1, 1)
    c = _dot(F, a, b)
    theta = pair_angle(F, list(a), list(b), c)
    coef = pair_kernels.abs_hessian(one, one, theta, F.pi(), F)[5:]
    e = unit_orthogonal(F, list(a), list(b), c)
    return coef, e


def sign_block(F, a, b) -> list:
    """``E[x x^T sgn(a.x) sgn(b.x)]`` for unit ``a``, ``b`` as ``d`` rows (inside ``F.workdps``).

    >>> from numeric.fields import MPMATH
    >>> import mpmath
    >>> with MPMATH.workdps(15):
    ...     B = sign_block(MPMATH, [mpmath.mpf(1), 0], [0, mpmath.mpf(1)])
    >>> [[mpmath.nstr(mpmath.chop(x, 1e-12), 6) for x in row] for row in B]
    [['0.0', '0.63662'], ['0.63662', '0.0']]
    """
    coef, e = _block_parts(F, a, b)
    return hessian_block(F, coef, list(a), e, len(a))


def sign_quadratic_form(F, a, b, x, y, parts=None):
    """``x^T E[x x^T sgn(a.x) sgn(b.x)] y`` without forming the block."""
    (c0, c1, c2, c3, c4), e = parts or _block_parts(F, a, b)
    xa, ya, xe, ye = _dot(F, x, a), _dot(F, y, a), _dot(F, x, e), _dot(F, y, e)
    return c0 * _dot(F, x, y) + c1 * xa * ya + c2 * xa * ye + c3 * xe * ya + c4 * xe * ye


def matrix_M(dec: Decomposition) -> list:
    """``M`` of eq. (4): ``dr x dr`` rows, block ``(i, k)`` = ``E[x x^T sgn(w*_i.x) sgn(w*_k.x)]``."""
    F, d, r = dec.field, dec.config.d, dec.config.r
    with F.workdps(dec.dps):
        out = [[None] * (d * r) for _ in range(d * r)]
        for i in range(r):
            for k in range(i, r):
                B = sign_block(F, dec.teacher_units[i], dec.teacher_units[k])
                for p in range(d):
                    for q in range(d):
                        out[i * d + p][k * d + q] = B[p][q]
                        out[k * d + q][i * d + p] = B[p][q]
    return out


class _Forms:
    """Cached block parts between the directions (student units, teacher units)."""

    def __init__(self, F, dirs):
        self.F, self.dirs, self.cache = F, dirs, {}

    def q(self, a, b, x, y):
        if a == b:
            return _dot(self.F, x, y)
        key = (a, b)
        if key not in self.cache:
            self.cache[key] = _block_parts(self.F, self.dirs[a], self.dirs[b])
        return sign_quadratic_form(self.F, self.dirs[a], self.dirs[b], x, y, self.cache[key])


def _forms(dec):
    m = dec.config.m
    dirs = {("s", j): dec.units[j] for j in range(m)}
    dirs.update({("t", i): dec.teacher_units[i] for i in range(dec.config.r)})
    return _Forms(dec.field, dirs)


def r1_norm_squared(dec: Decomposition):
    """``||R_1||^2 = v^T M v``."""
    F, r = dec.field, dec.config.r
    with F.workdps(dec.dps):
        f = _forms(dec)
        total = F.zero()
        for i in range(r):
            for k in range(i, r):
                term = f.q(("t", i), ("t", k), dec.v[i], dec.v[k])
                total += term if i == k else 2 * term
        return total


def _students(dec):
    return [j for j in range(dec.config.m) if dec.delta[j] is not None]


def r2_norm_squared(dec: Decomposition):
    """``||R_2||^2`` exactly: ``sum_{j,l} u_j^T E[x x^T (s_j - s*_j)(s_l - s*_l)] u_l``."""
    F = dec.field
    with F.workdps(dec.dps):
        f = _forms(dec)
        js = _students(dec)
        total = F.zero()
        for p, j in enumerate(js):
            for l in js[p:]:
                sj, tj = ("s", j), ("t", dec.assignment[j])
                sl, tl = ("s", l), ("t", dec.assignment[l])
                x, y = dec.effective[j], dec.effective[l]
                term = (f.q(sj, sl, x, y) - f.q(sj, tl, x, y) - f.q(tj, sl, x, y)
                        + f.q(tj, tl, x, y))
                total += term if j == l else 2 * term
        return total


def r1_r2_inner(dec: Decomposition):
    """``<R_1, R_2> = sum_i sum_j v_i^T E[x x^T sgn(w*_i.x)(s_j - s*_j)] u_j``."""
    F = dec.field
    with F.workdps(dec.dps):
        f = _forms(dec)
        total = F.zero()
        for i in range(dec.config.r):
            for j in _students(dec):
                ti = ("t", i)
                total += (f.q(ti, ("s", j), dec.v[i], dec.effective[j])
                          - f.q(ti, ("t", dec.assignment[j]), dec.v[i], dec.effective[j]))
        return total


def residual_norm_squared(dec: Decomposition):
    """``||R||^2 = 2 L`` from the closed-form loss."""
    return 2 * evaluate(dec.config, dec.dps, backend=dec.backend, gradient=False).loss


def residual_identity_defect(dec: Decomposition):
    """``||R_1||^2 + 2<R_1, R_2> + ||R_2||^2 - 2L``: zero (a ball containing 0)."""
    F = dec.field
    with F.workdps(dec.dps):
        return (r1_norm_squared(dec) + 2 * r1_r2_inner(dec) + r2_norm_squared(dec)
                - residual_norm_squared(dec))


# -- pointwise residual pieces -----------------------------------------------------------------

def _sign_ball(F, z):
    """``sgn(z)``: exact when ``z`` is certainly non-zero; ``[-1, 1]`` for an arb ball around 0."""
    if F.name == "arb":
        from flint import arb

        if z > 0:
            return 1
        if z < 0:
            return -1
        return 0 if z == 0 else arb(0, 1)
    return 1 if z > 0 else -1 if z < 0 else 0


def _relu_enclosure(F, z):
    """``max(z, 0)`` as a tight ball (never dips below 0)."""
    if F.name == "arb":
        from flint import arb

        if z >= 0:
            return z
        if z <= 0:
            return F.zero()
        hi = z.upper()
        return arb(hi / 2, hi / 2)
    return z if z > 0 else F.zero()


def _point(F, x):
    return [F.number(to_fraction(v, "x")) for v in x]


def r1_at(dec: Decomposition, x):
    """``R_1(x) = sum_i v_i.x sgn(w*_i.x)`` at an exact point ``x``."""
    F = dec.field
    with F.workdps(dec.dps):
        X = _point(F, x)
        return sum((_dot(F, v, X) * _sign_ball(F, _dot(F, t, X))
                    for v, t in zip(dec.v, dec.teacher_units)), F.zero())


def r2_at(dec: Decomposition, x):
    """``R_2(x)``, each term ``y (sgn y - sgn z)`` (``y = u_j.x``, ``z = w*_i.x``) enclosed as
    ``2 max(-sgn(z) y, 0)``; with ``sgn z`` unknown, as ``[0, 2|y|]`` (either sign gives that)."""
    F = dec.field
    with F.workdps(dec.dps):
        X = _point(F, x)
        total = F.zero()
        for j in _students(dec):
            y = _dot(F, dec.effective[j], X)
            sz = _sign_ball(F, _dot(F, dec.teacher_units[dec.assignment[j]], X))
            if sz in (1, -1):
                total += 2 * _relu_enclosure(F, -sz * y)
            elif sz == 0:
                total += abs(y)  # sgn(z) = 0: y sgn(y) = |y|
            else:
                total += 2 * _relu_enclosure(F, abs(y))  # [0, 2|y|]
        return total


# -- masses and angles -------------------------------------------------------------------------

def mass_within(dec: Decomposition, i: int, delta) -> Any:
    """``sum_{j in T_i(delta)} ||w_j||^2`` for a number ``delta``; a student whose angle ball
    straddles ``delta`` makes the result a ball covering both memberships."""
    F = dec.field
    with F.workdps(dec.dps):
        d = F.number(Fraction(delta)) if not hasattr(delta, "mid") else delta
        sure = sum((dec.w_norm[j] ** 2 for j in dec.members(i) if dec.delta[j] <= d), F.zero())
        maybe = sum((dec.w_norm[j] ** 2 for j in dec.members(i)
                     if not dec.delta[j] <= d and not dec.delta[j] > d), F.zero())
        return _cover(F, sure, sure + maybe)


def _cover(F, a, b):
    """A number covering ``a`` and ``b`` (a ball's union; for mpmath, ``a`` when they agree)."""
    if hasattr(a, "union"):
        return a.union(b)
    return a


def radius_for_half_mass(dec: Decomposition, fraction=Fraction(1, 2)):
    """An enclosure of the smallest ``delta`` with ``sum_{T_i(delta)} ||w_j||^2 >= fraction ||w*_i||``
    for all ``i`` (Lemma 9), or ``None`` when some ``T_i`` certainly never reaches it.

    Decided on balls: a candidate angle ``delta_k`` certainly suffices when the students whose
    angle is certainly ``<= delta_k`` carry certainly enough mass; it possibly suffices when the
    students whose angle is possibly ``<= delta_k`` possibly do.  The radius lies between the
    smallest possible and the smallest certain candidate; the result covers that range.
    """
    F = dec.field
    lows, highs = [], []
    with F.workdps(dec.dps):
        need_frac = F.number(Fraction(fraction))
        for i in range(dec.config.r):
            need = need_frac * dec.teacher_norms[i]
            members = dec.members(i)
            possible, certain = None, None
            for k in sorted(members, key=lambda j: F.mid(dec.delta[j])):
                dk = dec.delta[k]
                sure = sum((dec.w_norm[j] ** 2 for j in members if dec.delta[j] <= dk or j == k), F.zero())
                maybe = sum((dec.w_norm[j] ** 2 for j in members if not dec.delta[j] > dk), F.zero())
                if possible is None and not maybe < need:
                    possible = dk
                if certain is None and sure >= need:
                    certain = dk
                    break
            if possible is None:
                return None
            lows.append(possible)
            highs.append(certain)
    lo = max(lows, key=lambda x: F.mid(x))
    if any(h is None for h in highs):
        return _cover(F, lo, F.number(4))  # possibly never reached: up to any angle
    hi = max(highs, key=lambda x: F.mid(x))
    return _cover(F, lo, hi)


def weighted_angle_sum(dec: Decomposition):
    """``sum_i sum_{j in T_i} ||w_j||^2 delta_j^2`` (Lemma C.6's left side)."""
    F = dec.field
    with F.workdps(dec.dps):
        return sum((dec.w_norm[j] ** 2 * dec.delta[j] ** 2 for j in _students(dec)), F.zero())


def descent_inner_product(dec: Decomposition, delta_max, support: str = "delta_max"):
    """Lemma 8's left side with App. B's ``q_ij``.

    ``sum_i sum_{j in T_i} <grad_{w_j} L, (I - wbar_j wbar_j^T / 2)(w_j - q_ij sgn(w_j.w*_i) w*_i)>``
    with ``q_ij = ||w_j|| / sum_{j' in S_i} ||w_j'||^2`` on ``S_i = T_i(delta_max)``
    (``support="delta_max"``) or ``S_i = T_i`` (``"all"``), else 0.  Returns
    ``(value, empty)`` where ``empty`` lists teachers whose ``S_i`` is empty (``q = 0`` there).
    """
    F = dec.field
    grad = evaluate(dec.config, dec.dps, backend=dec.backend, gradient=True).gradient
    with F.workdps(dec.dps):
        total, empty = F.zero(), []
        for i in range(dec.config.r):
            T = dec.members(i)
            S = T if support == "all" else [j for j in T if F.mid(dec.delta[j]) <= float(delta_max)]
            denom = sum((dec.w_norm[j] ** 2 for j in S), F.zero())
            if not S:
                empty.append(i)
            t = [F.number(x) for x in dec.config.teacher[i]]
            for j in T:
                w = [F.number(x) for x in dec.config.student[j]]
                q = dec.w_norm[j] / denom if j in S else F.zero()
                z = [a - q * dec.signs[j] * b for a, b in zip(w, t)]
                wbar = [a / dec.w_norm[j] for a in w]
                wz = _dot(F, wbar, z)
                pre = [a - wz * b / 2 for a, b in zip(z, wbar)]
                total += _dot(F, grad[j], pre)
        return total, empty


# -- the smallest eigenvalue of M ------------------------------------------------------------

class UncertifiedError(ArithmeticError):
    """A rigorous routine could not decide at the precisions tried (no heuristic fallback)."""


def lambda_min_M(teacher, dps: int = 30, max_dps: int = 240):
    """``lambda_min(M)`` for teacher rows ``teacher`` as an arb ball.

    ``M`` is formed in arb balls and its eigenvalues enclosed by ``acb_mat.eig(multiple=True)``
    (clusters allowed: ``M`` has repeated eigenvalues off the teachers' span).  When the
    enclosure fails the precision is doubled, up to ``max_dps``; then
    :class:`UncertifiedError` is raised.  There is no heuristic fallback.
    """
    from flint import acb_mat, arb, arb_mat
    import flint

    config = Configuration(teacher, teacher)
    work = dps
    while work <= max_dps:
        dec = decompose(config, work, "arb")
        with flint.ctx.workdps(work):
            M = matrix_M(dec)
            try:
                eig = acb_mat(arb_mat(M)).eig(multiple=True)
            except ValueError:
                work *= 2
                continue
            reals = [e.real for e in eig]
            lo = min(x.lower() for x in reals)
            hi = min(x.upper() for x in reals)
            return arb(lo).union(arb(hi))
    raise UncertifiedError(f"acb_mat.eig could not enclose the eigenvalues of M up to {max_dps} digits")
