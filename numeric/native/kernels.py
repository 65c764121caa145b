"""Compiled loops (numba, cached on disk) that call FLINT's ``arb_*`` functions through
function pointers, on arb structs held in numpy byte arrays.

Every function's address comes in at run time in the table ``fns`` (order:
:data:`numeric.native.library.FUNCTIONS`), never as a constant, so the machine code is
position-independent and numba can cache it on disk (``cache=True``).  Structs are addressed
as ``base + i * stride`` with ``stride`` = ``sizeof(arb_struct)``, also a run-time argument
checked by :mod:`numeric.native.selftest`.

The mathematics is that of :mod:`numeric.precise` (``_spread_and_loss``): per pair the
angle and its sine from the exact integer Gram matrix (Lagrange's identity for nearly
aligned or antipodal pairs), the kernel by Euler's relation ``k(u, v) = u . grad_u k``, i.e.
``k / (|u||v|) = phi_u + phi_v cos theta``, and the gradient's sums as one ``arb_mat`` product.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

# Positions in the function table (numeric.native.library.FUNCTIONS).
INIT, CLEAR, SET, MUL, ADD, SUB, SQRT, ATAN2, DOT, ARF_GET_D, MAT_INIT, MAT_CLEAR, MAT_MUL, \
    ZERO, MUL_2EXP = range(15)

#: Below this |cos| the angle comes from ``atan2(sqrt(1 - c^2), c)``; above it from the exact
#: integer ``G_aa G_bb - G_ab^2`` (as :data:`numeric.pairwise.COS_SWITCH`).
COS_SWITCH = 0.9
RND_NEAR = 4
PREC_EXACT = (1 << 63) - 1

# Coefficient slots of phi_u = u1 + u_theta theta + u_sin sin, phi_v = v1 + v_theta theta.
U1, U_THETA, U_SIN, V1, V_THETA, ONE = range(6)


def _caller(kind):
    returns = {"void": (types.void, ir.VoidType()), "f64": (types.float64, ir.DoubleType())}[kind]

    @intrinsic
    def call(typingctx, fn, args):
        """Call the C function at address ``fn`` with the tuple ``args`` (int64 addresses and
        integers; an int32 stays 32-bit), returning void or a double."""
        if not isinstance(args, types.BaseTuple) or not isinstance(fn, types.Integer):
            return None

        def codegen(context, builder, signature, llargs):
            address, packed = llargs
            values = [builder.extract_value(packed, i) for i in range(len(args))]
            fnty = ir.FunctionType(returns[1], [v.type for v in values])
            result = builder.call(builder.inttoptr(address, fnty.as_pointer()), values)
            return context.get_dummy_value() if kind == "void" else result

        return returns[0](fn, args), codegen

    return call


call = _caller("void")
call_f64 = _caller("f64")


@njit(cache=True)
def init_vector(fns, base, count, stride):
    for i in range(count):
        call(fns[INIT], (base + i * stride,))


@njit(cache=True)
def clear_vector(fns, base, count, stride):
    for i in range(count):
        call(fns[CLEAR], (base + i * stride,))


@njit(cache=True)
def copy_in(fns, base, stride, sources):
    """``base[i] = *sources[i]`` (``sources``: addresses of arb structs)."""
    for i in range(sources.shape[0]):
        call(fns[SET], (base + i * stride, sources[i]))


@njit(cache=True)
def copy_out(fns, targets, base, stride):
    """``*targets[i] = base[i]`` (``targets``: addresses of arb structs)."""
    for i in range(targets.shape[0]):
        call(fns[SET], (targets[i], base + i * stride))


@njit(cache=True)
def self_test_calls(fns, prec, a, b, c, big, out):
    """Each scalar entry point once (:mod:`numeric.native.selftest`)."""
    call(fns[MUL], (out[0], a, b, prec))
    call(fns[ADD], (out[1], a, b, prec))
    call(fns[SUB], (out[2], a, b, prec))
    call(fns[SQRT], (out[3], b, prec))
    call(fns[ATAN2], (out[4], a, c, prec))
    call(fns[SET], (out[5], c))
    call(fns[MUL_2EXP], (out[6], a, -3))
    call(fns[SET], (out[7], a))
    call(fns[ZERO], (out[7],))
    call(fns[MUL], (out[8], big, big, PREC_EXACT))


@njit(cache=True)
def self_test_get_d(fns, x, rnd):
    return call_f64(fns[ARF_GET_D], (x, np.int32(rnd)))


@njit(cache=True)
def self_test_dot(fns, prec, base, stride, out):
    """``out = base[4] - (base[0], base[2]) . (base[1], base[3])`` through ``arb_dot``."""
    call(fns[DOT], (out, base + 4 * stride, np.int32(1), base, 2, base + stride, 2, 2, prec))


@njit(cache=True)
def pair_loop(fns, stride, prec, n, ms, gram, row, coef, has, theta, sine, left, prow, qrow, sums, tmp):
    """Every pair ``a < b`` of the ``n`` neurons once.

    ``gram``: the exact ``n x n`` Gram matrix ``V V^T`` (row-major arb structs); ``row``: per
    neuron ``rho = 1/|V_a|`` at ``[0, n)``, ``x`` at ``[n, 2n)``, ``scale`` at ``[2n, 3n)``,
    ``v_theta scale`` at ``[4n, 5n)``.  For student rows ``a < ms`` writes, for all ``b`` (both
    triangles), ``sine[a, b]``, ``left[a, b] = v_theta theta_ab scale_b`` (the left factor of
    ``v_theta sum_b theta_ab c_b z_b``) and, if ``u_theta`` is not zero, ``theta[a, b]``.  The
    loss's pair sums (Euler's relation, as :mod:`numeric.precise`)::

        sums[a]     = sum_{b > a} (u_theta theta_ab + u_sin sin_ab) x_b  (u_theta != 0)
                    = sum_{b > a} sin_ab x_b                             (u_theta == 0)
        sums[n + a] = sum_{b > a} theta_ab G_ab scale_b

    (``scale_a scale_b G_ab = x_a x_b cos_ab`` with the exact integer ``G_ab``).
    """
    t0, t1, c, s, th = tmp, tmp + stride, tmp + 2 * stride, tmp + 3 * stride, tmp + 4 * stride
    one = coef + ONE * stride
    x, scale = row + n * stride, row + 2 * n * stride
    for a in range(n):
        rho_a = row + a * stride
        g_aa = gram + (a * n + a) * stride
        for b in range(a + 1, n):
            rho_b = row + b * stride
            g = gram + (a * n + b) * stride
            call(fns[MUL], (t0, g, rho_a, prec))
            call(fns[MUL], (c, t0, rho_b, prec))
            mid = call_f64(fns[ARF_GET_D], (c, np.int32(RND_NEAR)))
            if -COS_SWITCH < mid < COS_SWITCH:
                call(fns[MUL], (t0, c, c, prec))
                call(fns[SUB], (t0, one, t0, prec))
                call(fns[SQRT], (s, t0, prec))
                call(fns[ATAN2], (th, s, c, prec))
            else:
                # Lagrange: |V_a|^2 |V_b|^2 sin^2 = G_aa G_bb - G_ab^2, exact in integers.
                g_bb = gram + (b * n + b) * stride
                call(fns[MUL], (t0, g_aa, g_bb, PREC_EXACT))
                call(fns[MUL], (t1, g, g, PREC_EXACT))
                call(fns[SUB], (t0, t0, t1, PREC_EXACT))
                call(fns[SQRT], (t1, t0, prec))
                call(fns[ATAN2], (th, t1, g, prec))
                call(fns[MUL], (t0, t1, rho_a, prec))
                call(fns[MUL], (s, t0, rho_b, prec))
            if a < ms:
                call(fns[SET], (sine + (a * n + b) * stride, s))
                if has[V_THETA]:
                    call(fns[MUL], (left + (a * n + b) * stride, th, row + (4 * n + b) * stride, prec))
                if has[U_THETA]:
                    call(fns[SET], (theta + (a * n + b) * stride, th))
            if b < ms:
                call(fns[SET], (sine + (b * n + a) * stride, s))
                if has[V_THETA]:
                    call(fns[MUL], (left + (b * n + a) * stride, th, row + (4 * n + a) * stride, prec))
                if has[U_THETA]:
                    call(fns[SET], (theta + (b * n + a) * stride, th))
            p = prow + b * stride
            if has[U_THETA]:
                call(fns[MUL], (p, coef + U_THETA * stride, th, prec))
                if has[U_SIN]:
                    call(fns[MUL], (t0, coef + U_SIN * stride, s, prec))
                    call(fns[ADD], (p, p, t0, prec))
            else:
                call(fns[SET], (p, s))  # u_sin is applied to the total (loss_sum)
            if has[V_THETA]:
                call(fns[MUL], (qrow + b * stride, th, g, prec))
        if a + 1 < n:
            call(fns[DOT], (sums + a * stride, 0, np.int32(0), prow + (a + 1) * stride, 1,
                            x + (a + 1) * stride, 1, n - 1 - a, prec))
            if has[V_THETA]:
                call(fns[DOT], (sums + (n + a) * stride, 0, np.int32(0), qrow + (a + 1) * stride, 1,
                                scale + (a + 1) * stride, 1, n - 1 - a, prec))


@njit(cache=True)
def loss_sum(fns, stride, prec, n, d, relu, row, coef, has, sums, sum_cz, tmp, out):
    """The loss from the pair sums of :func:`pair_loop` and ``sum_cz = sum_b c_b z_b``::

        L = sum_a x_a sums[a] + v_theta sum_a scale_a sums[n + a]
            + 1/2 (u1 (sum_a x_a)^2 + v1 |sum_cz|^2)  [- |sum_cz|^2 / 8 for ReLU, App. A]
    """
    x, scale = row + n * stride, row + 2 * n * stride
    t0, t1 = tmp, tmp + stride
    call(fns[DOT], (out, 0, np.int32(0), sums, 1, x, 1, n - 1, prec))
    if not has[U_THETA]:
        if has[U_SIN]:
            call(fns[MUL], (out, out, coef + U_SIN * stride, prec))
        else:
            call(fns[ZERO], (out,))
    if has[V_THETA]:
        call(fns[DOT], (t0, 0, np.int32(0), sums + n * stride, 1, scale, 1, n - 1, prec))
        call(fns[MUL], (t0, t0, coef + V_THETA * stride, prec))
        call(fns[ADD], (out, out, t0, prec))
    if has[U1]:
        call(fns[ZERO], (t0,))
        for b in range(n):
            call(fns[ADD], (t0, t0, x + b * stride, prec))
        call(fns[MUL], (t0, t0, t0, prec))
        call(fns[MUL], (t0, t0, coef + U1 * stride, prec))
        call(fns[MUL_2EXP], (t0, t0, -1))
        call(fns[ADD], (out, out, t0, prec))
    if has[V1] or relu:
        call(fns[DOT], (t1, 0, np.int32(0), sum_cz, 1, sum_cz, 1, d, prec))
        if has[V1]:
            call(fns[MUL], (t0, t1, coef + V1 * stride, prec))
            call(fns[MUL_2EXP], (t0, t0, -1))
            call(fns[ADD], (out, out, t0, prec))
        if relu:
            call(fns[MUL_2EXP], (t0, t1, -3))
            call(fns[SUB], (out, out, t0, prec))


@njit(cache=True)
def column_sums(fns, stride, prec, n, d, weights, matrix, out):
    """``out[k] = sum_b weights[b] matrix[b, k]`` (``matrix`` row-major ``n x d``)."""
    for k in range(d):
        call(fns[DOT], (out + k * stride, 0, np.int32(0), weights, 1, matrix + k * stride, d, n, prec))


@njit(cache=True)
def shift_vector(fns, stride, prec, d, relu, coef, has, sum_cz, tmp, out):
    """``out = v1 sum_cz`` (minus ``sum_cz / 4`` for ReLU, App. A): the part of every ``y_a``
    that does not depend on ``a``."""
    for k in range(d):
        o, z = out + k * stride, sum_cz + k * stride
        call(fns[ZERO], (o,))
        if has[V1]:
            call(fns[MUL], (o, coef + V1 * stride, z, prec))
        if relu:
            call(fns[MUL_2EXP], (tmp, z, -2))
            call(fns[SUB], (o, o, tmp, prec))


@njit(cache=True)
def gradient_rows(fns, stride, prec, ms, n, d, row, coef, has, theta, sine, integer_rows,
                  product, shift, y, tmp, out):
    """The gradient of the ``ms`` nonzero students into the balls at addresses ``out``
    (row-major ``ms x d``).

    ``y_a = acc_u[a] u_hat_a + v_theta sum_b theta_ab c_b z_b + shift`` (``product`` holds the
    middle term, :func:`shift_vector` the last) with ``acc_u[a] = sum_b phi_u[a, b] x_b``; then
    ``grad_a = |w_a| (y_a + (u_hat_a . y_a) u_hat_a)``.  ``row`` holds ``rho`` at ``[0, n)``,
    ``x`` at ``[n, 2n)`` and ``|w|`` at ``[3n, 4n)``.
    """
    acc, t0, t1 = tmp, tmp + stride, tmp + 2 * stride
    x = row + n * stride
    for a in range(ms):
        call(fns[ZERO], (acc,))
        if has[U_SIN]:
            call(fns[DOT], (t0, 0, np.int32(0), sine + a * n * stride, 1, x, 1, n, prec))
            call(fns[MUL], (acc, t0, coef + U_SIN * stride, prec))
        if has[U_THETA]:
            call(fns[DOT], (t0, 0, np.int32(0), theta + a * n * stride, 1, x, 1, n, prec))
            call(fns[MUL], (t0, t0, coef + U_THETA * stride, prec))
            call(fns[ADD], (acc, acc, t0, prec))
        if has[U1]:
            call(fns[ZERO], (t0,))
            for b in range(n):
                call(fns[ADD], (t0, t0, x + b * stride, prec))
            call(fns[MUL], (t0, t0, coef + U1 * stride, prec))
            call(fns[ADD], (acc, acc, t0, prec))
        rho = row + a * stride
        call(fns[MUL], (acc, acc, rho, prec))  # acc_u / |V_a|: u_hat = V_a / |V_a|
        v = integer_rows + a * d * stride
        for k in range(d):
            yk = y + k * stride
            call(fns[MUL], (yk, acc, v + k * stride, prec))
            if has[V_THETA]:
                call(fns[ADD], (yk, yk, product + (a * d + k) * stride, prec))
            call(fns[ADD], (yk, yk, shift + k * stride, prec))
        # (u_hat . y) u_hat = t1 V_a with t1 = rho^2 (V_a . y)
        call(fns[DOT], (t1, 0, np.int32(0), v, 1, y, 1, d, prec))
        call(fns[MUL], (t1, t1, rho, prec))
        call(fns[MUL], (t1, t1, rho, prec))
        w_norm = row + (3 * n + a) * stride
        for k in range(d):
            call(fns[MUL], (t0, t1, v + k * stride, prec))
            call(fns[ADD], (t0, t0, y + k * stride, prec))
            call(fns[MUL], (out[a * d + k], t0, w_norm, prec))


@njit(cache=True)
def matrix_product(fns, prec, result, left, right):
    """``result = left * right`` (``arb_mat`` structs at these addresses)."""
    call(fns[MAT_MUL], (result, left, right, prec))


@njit(cache=True)
def matrix_init(fns, mat, rows, cols):
    call(fns[MAT_INIT], (mat, rows, cols))


@njit(cache=True)
def matrix_clear(fns, mat):
    call(fns[MAT_CLEAR], (mat,))
