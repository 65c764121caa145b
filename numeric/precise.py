"""Loss, gradient and Hessian at any precision, on mpmath numbers or python-flint balls.

The loss is a sum of pair kernels of the effective vectors ``u_j = ||w_j|| w_j`` (students,
sign +1) and ``w*_i`` (teachers, sign -1)::

    L = 1/2 sum_{alpha, beta} c_alpha c_beta k(z_alpha, z_beta)

and its derivatives are assembled from the pair coefficients of :mod:`symbolic.pair`,
compiled into :mod:`numeric.pair_kernels`.  Loss and gradient need per pair only the angle and
its sine; the sums over pairs are matrix products (python-flint ``arb_mat``/``fmpz_mat``, in
C), taken over blocks of pairs so that memory is linear in the width.  Precision is given
per call and set with the backend's context manager; the caller's precision is untouched.

>>> from numeric.config import Configuration
>>> c = Configuration.from_dict({"teacher": [[1, 0]], "student": [[1, 0]]})
>>> e = evaluate(c, dps=20, backend="mpmath")
>>> e.loss, e.gradient
(mpf('0.0'), ((mpf('0.0'), mpf('0.0')),))
"""
from __future__ import annotations

import contextlib
import contextvars
import math
from typing import Callable

from flint import fmpz_mat

from numeric import pair_kernels
from numeric.config import Configuration
from numeric.errors import ConfigurationError
from numeric.evaluation import Evaluation
from numeric.fields import field as _field
from numeric.float64_enclosure import loss_gradient_enclosure
from numeric.ball_engines import BALL_ENGINES, ball_engine, chosen_engine, native_loss_and_gradient
from numeric.integer_rows import integer_rows, row_geometry
from numeric.memory import DEFAULT_LIBRARY_CAP, MemoryCapError, require_memory
from numeric.pairwise import COS_SWITCH, assemble_hessian, neuron_points, pair_angle_table

__all__ = [
    "UndefinedQuantityError",
    "EvaluationTooLargeError",
    "evaluate",
    "ball_engine",
    "BALL_ENGINES",
    "ball_enclosure",
    "ENCLOSURES",
    "memory_estimate",
    "MEMORY_LIMIT_BYTES",
]


class UndefinedQuantityError(ConfigurationError):
    """A quantity that is undefined at this configuration (e.g. a Hessian at w_j = 0)."""


class EvaluationTooLargeError(MemoryCapError):
    """The evaluation asked for would need more memory than the cap in force
    (:func:`numeric.memory.memory_cap`; :data:`MEMORY_LIMIT_BYTES` outside one)."""


#: How :func:`evaluate` encloses ball loss and gradient (its ``enclosure`` argument):
#:
#: * ``"balls"``: ball arithmetic at ``dps`` digits, by the engine that ``engine`` chooses;
#: * ``"float64-screen"``: float64 arithmetic with a rigorous running error bound
#:   (:func:`numeric.float64_enclosure.loss_gradient_enclosure`; radii of the size of float64
#:   rounding whatever ``dps``), and ball arithmetic where that declines (an entry out of
#:   float64's range).  A Hessian, or mpmath numbers, are computed as with ``"balls"``.
ENCLOSURES = ("balls", "float64-screen")
_ENCLOSURE: contextvars.ContextVar = contextvars.ContextVar("numeric_enclosure", default=("balls", None))


@contextlib.contextmanager
def ball_enclosure(name: str, *, on_decline: Callable[[], None] | None = None):
    """Inside the block, :func:`evaluate` without an ``enclosure`` argument uses ``name``
    (one of :data:`ENCLOSURES`), e.g. to run a claim's ``at`` unchanged on the float64 screen
    (:func:`numeric.filtered.screening`); ``on_decline()`` is called each time the screen
    declines and balls are computed instead.  The caller's setting is restored on exit.

    >>> from numeric.config import Configuration
    >>> c = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", 0]]})
    >>> with ball_enclosure("float64-screen"):
    ...     evaluate(c, 30).engine, evaluate(c, 30, enclosure="balls").engine != "float64-screen"
    ('float64-screen', True)
    """
    if name not in ENCLOSURES:
        raise ValueError(f"enclosure = {name!r} is not one of {ENCLOSURES}")
    token = _ENCLOSURE.set((name, on_decline))
    try:
        yield
    finally:
        _ENCLOSURE.reset(token)

#: Evaluations whose estimated memory (:func:`memory_estimate`) exceeds this are refused
#: before anything is allocated, unless a :func:`numeric.memory.memory_cap` block sets
#: another cap (the command line's ``--max-memory``).
MEMORY_LIMIT_BYTES = DEFAULT_LIBRARY_CAP


def memory_estimate(m: int, r: int, d: int, dps: int, *, hessian: bool = False) -> int:
    """Bytes that :func:`evaluate` needs, roughly (measured: about ``160 + dps / 2`` bytes per
    ball, including Python's object overhead).

    Loss and gradient are linear in the number of neurons: the effective vectors, their
    right-hand sides and accumulators (a few ``(m + r) x d`` arrays) and one block of
    pairs.  The Hessian is quadratic: the ``md x md`` result and as many entries again in
    its ``d x d`` blocks.

    >>> memory_estimate(2000, 5, 10, 50) < 300 * 1024**2
    True
    >>> memory_estimate(2000, 5, 10, 50, hessian=True) > 10 * 1024**3
    True
    """
    per_ball = 160 + dps // 2
    n = m + r
    balls = 4 * n * (d + 1) + 6 * min(n * n, _BLOCK_ENTRIES)
    if hessian:
        balls += 2 * (m * d) ** 2 + 3 * n * n
    return balls * per_ball


def evaluate(
    config: Configuration,
    dps: int = 30,
    *,
    backend: str = "arb",
    gradient: bool = True,
    hessian: bool = False,
    engine: str | None = None,
    enclosure: str | None = None,
) -> Evaluation:
    """Evaluate the loss (and gradient, Hessian) of ``config`` at ``dps`` decimal digits.

    ``backend="arb"`` returns rigorous balls (radius = error bound); ``"mpmath"`` returns
    floating-point numbers.

    ``engine`` chooses how balls are computed (loss and gradient; the Hessian is always
    python-flint): ``"native"`` (the compiled pair loop of :mod:`numeric.native`, FLINT's own
    radii; raises :class:`numeric.native.NativeUnavailable` when it is unavailable),
    ``"python-flint"`` (this module), or ``"auto"`` (native when it is available and applies,
    otherwise python-flint).  ``None`` takes the engine set by the context manager
    :func:`ball_engine`, ``"auto"`` outside any.  ``Evaluation.engine`` records which one ran.

    ``enclosure`` chooses how ball loss and gradient are enclosed (:data:`ENCLOSURES`):
    ``"balls"`` (ball arithmetic at ``dps`` digits) or ``"float64-screen"`` (float64 with a
    rigorous error bound; ``Evaluation.engine`` is then ``"float64-screen"``).  ``None``
    takes the one set by the context manager :func:`ball_enclosure`, ``"balls"`` outside any.

    The Hessian raises :class:`UndefinedQuantityError` at a
    zero-norm student neuron, where ``u = ||w|| w`` is not twice differentiable.

    Memory is linear in the number of neurons for loss and gradient and quadratic for the
    Hessian; an evaluation estimated (:func:`memory_estimate`) above
    :data:`MEMORY_LIMIT_BYTES` raises :class:`EvaluationTooLargeError` before allocating.
    """
    if not isinstance(dps, int) or dps < 1:
        raise ConfigurationError(f"dps = {dps!r} must be a positive integer")
    F = _field(backend)
    need = memory_estimate(config.m, config.r, config.d, dps, hessian=hessian)
    what = (f"the Hessian ({config.m * config.d} x {config.m * config.d} balls)" if hessian
            else "loss and gradient")
    try:
        require_memory(f"evaluating {what} of m = {config.m} neurons in d = {config.d} dimensions"
                       f" at {dps} digits", need)
    except MemoryCapError as exc:
        raise EvaluationTooLargeError(
            str(exc) + ("; ask for loss and gradient only, or fewer neurons" if hessian else "")) from None
    if hessian:
        zero = config.zero_students()
        if zero:
            raise UndefinedQuantityError(
                f"the Hessian is undefined at zero-norm student neuron {zero[0]} "
                f"(student row {zero[0]} is the zero vector; u = ||w|| w is not twice "
                "differentiable at w = 0)"
            )
    chosen = chosen_engine(engine)
    if enclosure is None:
        enclosure, on_decline = _ENCLOSURE.get()
    else:
        on_decline = None
    if enclosure not in ENCLOSURES:
        raise ValueError(f"enclosure = {enclosure!r} is not one of {ENCLOSURES}")
    if enclosure == "float64-screen" and F.name == "arb" and not hessian:
        enclosed = loss_gradient_enclosure(config, dps, gradient=gradient)
        if enclosed is not None:
            return enclosed
        if on_decline is not None:
            on_decline()
    if F.name == "arb" and not hessian and chosen != "python-flint":
        native = native_loss_and_gradient(config, dps, gradient, required=chosen == "native")
        if native is not None:
            return Evaluation(native[0], native[1], None, dps, F.name, "native")
    with F.workdps(dps):
        return _evaluate(config, F, dps, gradient or hessian, hessian)


#: A block of pairs holds at most this many entries at once, so that loss and gradient need
#: memory linear in the number of neurons (n = m + r up to 256 is a single block).
_BLOCK_ENTRIES = 1 << 16


def _evaluate(config, F, dps, want_gradient, want_hessian):
    PI = F.pi()
    rows = integer_rows(config)
    if not want_gradient:
        loss, linear = _loss_only(config, F, PI, rows)
        if config.activation == "relu":
            loss -= sum((x * x for x in linear), F.zero()) / 8
        return Evaluation(loss, None, None, dps, F.name)
    acc_u, acc_v, loss, linear, geometry = _spread_and_loss(config, F, PI, rows)
    if config.activation == "relu":
        loss -= sum((x * x for x in linear), F.zero()) / 8

    zero_row = lambda: [F.zero() for _ in range(config.d)]
    grad = [tuple(zero_row()) for _ in range(config.m)]  # ||w|| (I + w w^T/|w|^2) -> 0 at w = 0
    y_student = {}
    w_norm, rho = geometry
    for a, row in enumerate(rows):
        if row.student is None:
            continue
        unit = [v * rho[a] for v in row.ints]
        # y = sum_b c_b grad_u k(z_a, z_b) = acc_u u_hat + acc_v (numeric.pair_kernels.*_gradient_angular)
        ya = [acc_u[a] * unit[k] + acc_v[a][k] for k in range(config.d)]
        if linear is not None:
            ya = [ya[k] - linear[k] / 4 for k in range(config.d)]
        y_student[row.student] = ya
        along = F.dot(unit, ya)
        grad[row.student] = tuple(w_norm[a] * (ya[k] + along * unit[k]) for k in range(config.d))

    hess = None
    if want_hessian:
        pts = neuron_points(config, F)
        students = [i for i in range(len(pts)) if pts[i].student is not None]
        cos, angle = pair_angle_table(F, pts)
        hessian_coefficients = getattr(pair_kernels, f"{config.activation}_hessian_sc")
        hess = assemble_hessian(config, F, PI, pts, students, cos, angle, y_student, hessian_coefficients)
    return Evaluation(loss, tuple(grad), hess, dps, F.name)


def _integer_gram_blocks(rows):
    """The row blocks (:func:`_blocks`), each as an ``fmpz_mat``, their diagonal Gram blocks
    (exact) and the exact squared norms ``|V_a|^2`` read off those."""
    blocks = _blocks(len(rows))
    integer_blocks = [fmpz_mat([list(rows[a].ints) for a in A]) for A in blocks]
    diagonal_grams = [M * M.transpose() for M in integer_blocks]
    gram_diag = [int(G[r, r]) for G, A in zip(diagonal_grams, blocks) for r in range(len(A))]
    return blocks, integer_blocks, diagonal_grams, gram_diag


def _blocks(n):
    size = max(1, math.isqrt(_BLOCK_ENTRIES))
    return [range(start, min(n, start + size)) for start in range(0, n, size)]


def _loss_only(config, F, PI, rows):
    """``(L, linear)`` without the gradient: ``L = 1/2 sum_ab x_a x_b kappa(theta_ab)`` with
    ``kappa = k / (|u| |v|)`` (:func:`numeric.pair_kernels.abs_kernel_angular_sc`), per pair a
    handful of operations and no product with the d-dimensional rows."""
    n, d = len(rows), config.d
    V = [list(row.ints) for row in rows]
    linear = None
    if n == 0:
        return F.zero(), ([F.zero()] * d if config.activation == "relu" else None)
    blocks, integer_blocks, diagonal_grams, gram_diag = _integer_gram_blocks(rows)
    _, rho, _, x, scale = row_geometry(F, rows, gram_diag)
    if config.activation == "relu":
        linear = F.matmul([scale], V)[0]
    kappa = getattr(pair_kernels, f"{config.activation}_kernel_angular_sc")
    self_term = kappa(F.zero(), F.zero(), F.q(1, 1), PI, F)[0]
    total = self_term * F.dot(x, x)
    for i, A in enumerate(blocks):
        for j in range(i, len(blocks)):
            B = blocks[j]
            diagonal = A is B
            G = diagonal_grams[i] if diagonal else integer_blocks[i] * integer_blocks[j].transpose()
            angles = _block_angles(F, G, A, B, gram_diag, rho, diagonal)
            for r, a in enumerate(A):
                start = r + 1 if diagonal else 0
                values = [kappa(*angles[r][c], PI, F)[0] for c in range(start, len(B))]
                # each unordered pair twice: (a, b) and (b, a)
                total += 2 * x[a] * F.dot(values, [x[b] for b in B[start:]])
    return total / 2, linear


def _spread_and_loss(config, F, PI, rows):
    """``(acc_u, acc_v, L, linear, (|w|, 1/|ints|))`` over the nonzero neurons ``a``:
    ``sum_b c_b grad_u k(z_a, z_b) = acc_u[a] u_hat_a + acc_v[a]``, the loss without the ReLU
    linear term, and that term's vector (``None`` for ``abs``).

    With ``grad_u k(u, v) = |v| (phi_u u_hat + phi_v v_hat)`` and each ``phi`` affine in
    ``(theta, sin theta)`` (:func:`numeric.pair_kernels.abs_gradient_angular`)::

        acc_u[a] = sum_b phi_u[a, b] x_b,   acc_v[a] = sum_b phi_v[a, b] c_b z_b,   x_b = c_b |z_b|,

    a few matrix products, with per pair only the angle and its sine.  The loss follows by
    Euler's relation: k is 1-homogeneous in u, so ``u . grad_u k(u, v) = k(u, v)`` and
    ``L = 1/2 sum_a c_a z_a . y_a``.

    Rows are kept as exact integer vectors ``w_a = V_a / q_a``: the Gram matrix ``V V^T`` is
    an exact integer product (python-flint ``fmpz_mat``), ``cos = G_ab / sqrt(G_aa G_bb)``,
    and at nearly aligned or antipodal pairs ``sin^2 = (G_aa G_bb - G_ab^2) / (G_aa G_bb)``
    with an exact integer numerator (Lagrange's identity), so there is no cancellation at all.
    ``c_b z_b = (c_b s_b / q_b) V_b`` (``s = |w|`` for a student, 1 for a teacher) lets the
    products run against the exact integers ``V``.  Pairs are taken in square blocks of at
    most ``_BLOCK_ENTRIES`` entries, so memory is linear in the number of neurons.
    """
    n, d = len(rows), config.d
    if n == 0:
        linear = [F.zero()] * d if config.activation == "relu" else None
        return [], [], F.zero(), linear, ([], [])
    phi_u, phi_v = getattr(pair_kernels, f"{config.activation}_gradient_angular")(PI, F)
    V = [list(row.ints) for row in rows]
    blocks, integer_blocks, diagonal_grams, gram_diag = _integer_gram_blocks(rows)
    root, rho, w_norm, x, scale = row_geometry(F, rows, gram_diag)
    # Right-hand side: column 0 gives sum_b M[a, b] x_b = sum_b (M[a, b] scale_b) |V_b|, the
    # others sum_b (M[a, b] scale_b) V_b = sum_b M[a, b] c_b z_b.
    rhs = [[root[b]] + V[b] for b in range(n)]
    sum_x = sum(x, F.zero())
    sum_cz = F.matmul([scale], V)[0]
    linear = sum_cz if config.activation == "relu" else None

    acc_u = [phi_u[0] * sum_x if phi_u[0] is not None else F.zero() for _ in range(n)]
    acc_v = [[phi_v[0] * t if phi_v[0] is not None else F.zero() for t in sum_cz] for _ in range(n)]
    if phi_u[3] is not None or phi_v[3] is not None:
        # abs and relu have none; a cos(theta) term would need the products with the Gram matrix.
        raise NotImplementedError(
            f"the {config.activation} gradient factors have a cos(theta) term, which the "
            "evaluator does not assemble")

    def columns(c_u, c_v):
        return ([0] if c_u is not None else []) + (list(range(1, d + 1)) if c_v is not None else [])

    terms = [(which, columns(phi_u[1 + which], phi_v[1 + which]), phi_u[1 + which], phi_v[1 + which])
             for which in (0, 1)]
    terms = [t for t in terms if t[1]]
    # Square blocks of pairs (A, B), B after A: each pair's angle is computed once and its
    # contribution added to both rows; only one block of pairs is held at a time.
    for i, A in enumerate(blocks):
        for j in range(i, len(blocks)):
            B = blocks[j]
            G = diagonal_grams[i] if i == j else integer_blocks[i] * integer_blocks[j].transpose()
            angles = _block_angles(F, G, A, B, gram_diag, rho, A is B)
            for which, cols, c_u, c_v in terms:
                M = [[entry[which] * scale[b] for entry, b in zip(row, B)] for row in angles]
                _accumulate(acc_u, acc_v, A, F.matmul(M, [[rhs[b][k] for k in cols] for b in B]),
                            cols, c_u, c_v)
                if B is not A:
                    Mt = [[angles[r][c][which] * scale[a] for r, a in enumerate(A)] for c in range(len(B))]
                    _accumulate(acc_u, acc_v, B, F.matmul(Mt, [[rhs[a][k] for k in cols] for a in A]),
                                cols, c_u, c_v)

    # z_a . y_a = |z_a| acc_u[a] + c_a z_a . acc_v[a]  (u_hat_a . u_hat_a = 1 exactly).
    loss = F.dot(x, acc_u) + F.dot([scale[a] * v for a in range(n) for v in V[a]],
                                   [v for row in acc_v for v in row])
    return acc_u, acc_v, loss / 2, linear, (w_norm, rho)


def _accumulate(acc_u, acc_v, rows, product, cols, c_u, c_v):
    """Add ``c_u * product[:, 0]`` to ``acc_u[rows]`` and ``c_v * product[:, 1:]`` to
    ``acc_v[rows]`` (``cols`` says which of the columns ``0, 1..d`` ``product`` has)."""
    for r, a in enumerate(rows):
        prod = product[r]
        offset = 0
        if cols[0] == 0:
            acc_u[a] += c_u * prod[0]
            offset = 1
        if len(cols) > offset:
            target = acc_v[a]
            for k in range(len(target)):
                target[k] += c_v * prod[offset + k]


def _block_angles(F, G, A, B, gram_diag, rho, diagonal):
    """``(theta, sin theta, cos theta)`` for the pairs ``A x B`` from their exact integer Gram
    block ``G`` (an ``fmpz_mat``); on a diagonal block each unordered pair is computed once and
    the diagonal is ``(0, 0, 1)``."""
    cos = F.integers(G)
    zero = (F.zero(), F.zero(), F.q(1, 1))
    out = [[zero] * len(B) for _ in A]
    mid, sqrt, atan2 = F.mid, F.sqrt, F.atan2  # the innermost loop of the evaluator
    rho_B = [rho[b] for b in B]
    for r, a in enumerate(A):
        row, cos_r, rho_a = out[r], cos[r], rho[a]
        for c in range(r + 1 if diagonal else 0, len(B)):
            cab = cos_r[c] * rho_a * rho_B[c]
            if -COS_SWITCH < mid(cab) < COS_SWITCH:
                sin = sqrt(1 - cab * cab)
                row[c] = (atan2(sin, cab), sin, cab)
            else:
                b = B[c]
                # Lagrange: |V_a|^2 |V_b|^2 sin^2 = G_aa G_bb - G_ab^2, exact in integers.
                g = int(G[r, c])
                cross = F.sqrt(F.integer(gram_diag[a] * gram_diag[b] - g * g))
                row[c] = (F.atan2(cross, F.integer(g)), cross * rho[a] * rho[b], cab)
            if diagonal:
                out[c][r] = row[c]
    return out
