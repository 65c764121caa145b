"""Loss and gradient as python-flint balls, with the per-pair loop compiled.

The inputs are made by python-flint in O(n d) calls (the exact integer rows ``V`` and their
Gram matrix ``V V^T`` as ``arb_mat``, per neuron ``1/|V_a|``, ``x_a``, ``scale_a``, ``|w_a|``),
the pair loop, the row sums and the gradient's assembly run in :mod:`numeric.native.kernels`
on a workspace of arb structs in one numpy byte array, the gradient's sum
``sum_b theta_ab c_b z_b`` is one ``arb_mat_mul``, and the results are written by ``arb_set``
straight into fresh python-flint ``arb`` objects.  Every radius is FLINT's own.
"""
from __future__ import annotations

import ctypes

import flint
import numpy as np
from flint import arb, arb_mat, fmpz_mat

from numeric import pair_kernels
from numeric.config import Configuration
from numeric.fields import ARB
from numeric.integer_rows import integer_rows, row_geometry
from numeric.native import kernels
from numeric.native.library import ArbLayout, FlintLibrary

__all__ = ["NotApplicable", "workspace_bytes", "WORKSPACE_LIMIT_BYTES", "loss_and_gradient_balls"]

#: The workspace holds ``O(m n)`` balls (every student's pairs at once); above this many bytes
#: the python-flint evaluator, whose memory is linear in the width, is used instead.
WORKSPACE_LIMIT_BYTES = 512 * 1024**2


class NotApplicable(Exception):
    """This evaluation is not one the compiled loop does (the message says why)."""


def workspace_bytes(n: int, ms: int, d: int, prec: int) -> int:
    """Bytes of the workspace for ``n`` nonzero neurons of which ``ms`` students: the structs
    and, per ball, a heap mantissa of ``prec`` bits with the allocator's overhead."""
    balls = 3 * ms * n + ms * d + 8 * n + 2 * d + 16
    return balls * (48 + 8 * (prec // 64 + 1) + 16)


def _angular_coefficients(activation: str):
    """``(u1, u_theta, u_sin, v1, v_theta)`` of ``phi_u, phi_v`` as balls (``None``: zero)."""
    phi_u, phi_v = getattr(pair_kernels, f"{activation}_gradient_angular")(ARB.pi(), ARB)
    if phi_u[3] is not None or phi_v[3] is not None or phi_v[2] is not None:
        raise NotApplicable(f"the {activation} gradient factors have a cos or v-sin term")
    return tuple(None if c is None else arb(c) for c in (phi_u[0], phi_u[1], phi_u[2],
                                                         phi_v[0], phi_v[1]))


def loss_and_gradient_balls(config: Configuration, lib: FlintLibrary, layout: ArbLayout,
                            *, gradient: bool = True):
    """``(loss, gradient)`` of ``config`` at the precision of the caller's python-flint context
    (``gradient`` is ``None`` when not asked for): ``m`` rows of ``d`` balls, zero rows at
    zero students.  Raises :class:`NotApplicable` when the compiled loop does not apply."""
    prec = flint.ctx.prec
    rows = integer_rows(config)
    n, d = len(rows), config.d
    if n == 0:
        raise NotApplicable("no nonzero neuron")
    if config.m == 0:
        raise NotApplicable("no student neuron")
    ms = sum(1 for row in rows if row.student is not None) if gradient else 0
    need = workspace_bytes(n, ms, d, prec)
    if need > WORKSPACE_LIMIT_BYTES:
        raise NotApplicable(f"the all-pairs workspace would need {need / 1024**2:.0f} MB")
    coefficients = _angular_coefficients(config.activation)

    V = fmpz_mat([list(row.ints) for row in rows])
    G = V * V.transpose()
    gram_diag = [int(G[a, a]) for a in range(n)]
    _, rho, w_norm, x, scale = row_geometry(ARB, rows, gram_diag)
    gram_balls, integer_balls = arb_mat(G), arb_mat(V)  # exact conversions, in C

    stride, offset = layout.arb_bytes, layout.object_offset
    entries = lambda M: ctypes.c_int64.from_address(id(M) + offset).value  # arb_mat.entries
    has = np.array([c is not None for c in coefficients], dtype=np.int64)
    regions = {"row": 5 * n, "coef": 6, "tmp": 8, "theta": ms * n if has[kernels.U_THETA] else 0,
               "sine": ms * n, "prow": n, "qrow": n, "sums": 2 * n, "sum_cz": d, "shift": d, "y": d}
    start, at = 0, {}
    for name, count in regions.items():
        at[name], start = start, start + count
    buffer = np.zeros(start * stride + 64, dtype=np.uint8)
    base = buffer.ctypes.data
    addr = {name: base + at[name] * stride for name in regions}
    fns = lib.table
    mats = np.zeros(2 * layout.mat_bytes, dtype=np.uint8)  # the product's two arb_mat structs
    left, product = mats.ctypes.data, mats.ctypes.data + layout.mat_bytes

    loss = arb()
    out = [arb() for _ in range(ms * d)]
    out_addresses = np.array([id(o) + offset for o in out], dtype=np.int64)
    ones = [c if c is not None else arb(0) for c in coefficients] + [arb(1)]
    relu = config.activation == "relu"
    v_theta = coefficients[kernels.V_THETA]
    scale_theta = [v_theta * v for v in scale] if v_theta is not None else [arb(0)] * n
    with_product = bool(ms and has[kernels.V_THETA])

    kernels.init_vector(fns, base, start, stride)
    kernels.matrix_init(fns, left, ms if with_product else 0, n)
    kernels.matrix_init(fns, product, ms if with_product else 0, d)
    try:
        sources = np.array([id(v) + offset for v in (*rho, *x, *scale, *w_norm, *scale_theta)],
                           dtype=np.int64)
        kernels.copy_in(fns, addr["row"], stride, sources)
        kernels.copy_in(fns, addr["coef"], stride, np.array([id(v) + offset for v in ones], dtype=np.int64))
        kernels.pair_loop(fns, stride, prec, n, ms, entries(gram_balls), addr["row"], addr["coef"],
                          has, addr["theta"], addr["sine"], ctypes.c_int64.from_address(left).value,
                          addr["prow"], addr["qrow"], addr["sums"], addr["tmp"])
        scale_at = addr["row"] + 2 * n * stride
        kernels.column_sums(fns, stride, prec, n, d, scale_at, entries(integer_balls), addr["sum_cz"])
        kernels.loss_sum(fns, stride, prec, n, d, relu, addr["row"], addr["coef"], has, addr["sums"],
                         addr["sum_cz"], addr["tmp"], id(loss) + offset)
        if ms:
            if with_product:
                kernels.matrix_product(fns, prec, product, left, id(integer_balls) + offset)
            kernels.shift_vector(fns, stride, prec, d, relu, addr["coef"], has, addr["sum_cz"],
                                 addr["tmp"], addr["shift"])
            kernels.gradient_rows(fns, stride, prec, ms, n, d, addr["row"], addr["coef"], has,
                                  addr["theta"], addr["sine"], entries(integer_balls),
                                  ctypes.c_int64.from_address(product).value, addr["shift"],
                                  addr["y"], addr["tmp"], out_addresses)
    finally:
        kernels.matrix_clear(fns, left)
        kernels.matrix_clear(fns, product)
        kernels.clear_vector(fns, base, start, stride)
    if not gradient:
        return loss, None
    zero_row = tuple(arb(0) for _ in range(d))
    grad, k = [], 0
    for j in range(config.m):
        if any(config.student[j]):
            grad.append(tuple(out[k * d:(k + 1) * d]))
            k += 1
        else:
            grad.append(zero_row)
    return loss, tuple(grad)
