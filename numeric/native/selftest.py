"""The check that must pass before any compiled loop touches a ball: struct layout and
function signatures compared with python-flint on fixed values.

1. Layout, read-only: the bytes of python-flint ``arb`` objects (at ``object_offset``) equal
   the bytes FLINT writes for the same values into a vector it allocated itself
   (``_arb_vec_init``, ``_arb_vec_set_powers``), read at our stride ``arb_bytes``; likewise the
   entries of a python-flint ``arb_mat`` through its ``entries`` pointer.  Only values with
   inline mantissas are compared, so the bytes are deterministic.  Nothing is written through
   our layout before this passes, so a wrong layout fails here without touching memory.
2. Functions: every entry point of :data:`numeric.native.library.FUNCTIONS` is called once
   from compiled code on fixed balls and its result compared with python-flint's own
   operation: midpoints and radii bit-identical.
3. The whole evaluation on a fixed small configuration encloses the python-flint evaluator's
   balls' common points (the two balls overlap).
"""
from __future__ import annotations

import ctypes

import flint
import numpy as np
from flint import arb, arb_mat

from numeric.native import kernels
from numeric.native.library import ARF_RND_NEAR, ArbLayout, FlintLibrary

__all__ = ["SelfTestFailure", "run_self_test"]


class SelfTestFailure(Exception):
    """The library does not behave as the layout and signatures we compiled against."""


def _fields(raw: bytes) -> bytes:
    """The bytes of an arb struct that a one-limb value determines: the midpoint's exponent,
    size and first limb, and the radius (the second limb's slot may hold anything)."""
    return raw[:24] + raw[32:]


def _object_bytes(x, layout: ArbLayout) -> bytes:
    return _fields(ctypes.string_at(id(x) + layout.object_offset, layout.arb_bytes))


def _check_layout(lib: FlintLibrary, layout: ArbLayout) -> None:
    vec_init = lib.function("_arb_vec_init", [ctypes.c_long], ctypes.c_void_p)
    vec_clear = lib.function("_arb_vec_clear", [ctypes.c_void_p, ctypes.c_long])
    set_d = lib.function("arb_set_d", [ctypes.c_void_p, ctypes.c_double])
    powers = lib.function("_arb_vec_set_powers",
                          [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long, ctypes.c_long])
    count = 8
    base, vector = vec_init(1), vec_init(count)  # FLINT's allocations: no address of ours
    try:
        set_d(base, -0.75)  # inline mantissas: the bytes are the values
        powers(vector, base, 3, 64)
        for k in range(3):  # FLINT's own stride against ours
            expected = _object_bytes(arb(-0.75) ** k, layout)
            got = _fields(ctypes.string_at(vector + k * layout.arb_bytes, layout.arb_bytes))
            if got != expected:
                raise SelfTestFailure(
                    f"arb struct layout (size {layout.arb_bytes}, offset {layout.object_offset} in "
                    f"python-flint objects) does not match FLINT {lib.version}'s: element {k} differs")
    finally:
        vec_clear(vector, count)
        vec_clear(base, 1)
    matrix = arb_mat([[1, -2, 3], [0.5, 2.0**-70, -7]])
    header = (ctypes.c_int64 * 3).from_address(id(matrix) + layout.object_offset)
    if (header[1], header[2]) != (2, 3):  # arb_mat_struct: entries, r, c, ...
        raise SelfTestFailure("the arb_mat struct is not where the layout puts it")
    entries = header[0]
    for i in range(2):
        for j in range(3):
            got = _fields(ctypes.string_at(entries + (i * 3 + j) * layout.arb_bytes, layout.arb_bytes))
            if got != _object_bytes(matrix[i, j], layout):
                raise SelfTestFailure(f"arb_mat entry ({i}, {j}) is not where the layout puts it")


def _check_functions(lib: FlintLibrary, layout: ArbLayout) -> None:
    """Each function once from compiled code against python-flint, bit for bit."""
    prec = 200
    with flint.ctx.workprec(prec):
        a = arb(1) / 3 + arb(0, 2**-150)
        b = arb(2).sqrt() / 7
        c = -arb(5) / 11
        expected = {
            "mul": a * b, "add": a + b, "sub": a - b, "sqrt": b.sqrt(), "atan2": arb.atan2(a, c),
            "set": c, "zero": arb(0),
            "addmul": c + arb(9) / 16,  # c + small * small, the product exact: one rounding
        }
        small = arb(3) / 4
        big = arb(3 ** 140)  # exact products of exact integers beyond the precision
        exact_square = arb(3 ** 280)
        A = arb_mat([[a, b], [c, a]])
        B = arb_mat([[3, -1], [2, 5]])
        product = A * B
    outputs = {name: arb() for name in (*expected, "mul_2exp", "square", "dot")}
    offset = layout.object_offset
    addr = lambda x: id(x) + offset
    kernels.self_test_calls(
        lib.table, prec, addr(a), addr(b), addr(c), addr(big), addr(small),
        np.array([addr(outputs[name]) for name in ("mul", "add", "sub", "sqrt", "atan2", "set",
                                                   "mul_2exp", "zero", "square", "addmul")],
                 dtype=np.int64))
    for name, value in expected.items():
        got = outputs[name]
        if not (got.mid() == value.mid() and got.rad() == value.rad()):
            raise SelfTestFailure(f"arb_{name} through the function table gives {got}, "
                                  f"python-flint {value}")
    scaled = outputs["mul_2exp"]  # exact: midpoint and radius divided by 8
    with flint.ctx.workprec(prec):
        exact_eighth = scaled.mid() == a.mid() / 8 and scaled.rad() == a.rad() / 8
    if not exact_eighth:
        raise SelfTestFailure(f"arb_mul_2exp_si(a, -3) gives {scaled}, not a / 8 exactly")
    if not (outputs["square"].mid() == exact_square.mid() and outputs["square"].rad() == 0):
        raise SelfTestFailure("arb_mul at ARF_PREC_EXACT is not exact")
    with flint.ctx.workprec(prec):
        tenth = arb(1) / 10
    got = kernels.self_test_get_d(lib.table, addr(tenth), ARF_RND_NEAR)
    if got != float(tenth):
        raise SelfTestFailure(f"arf_get_d(1/10, NEAR) = {got!r}, python-flint {float(tenth)!r}")
    # arb_dot over strided vectors and arb_mat_mul into a matrix we allocated ourselves.
    stride = layout.arb_bytes
    buffer = np.zeros(8 * stride + 64, dtype=np.uint8)
    base = buffer.ctypes.data
    mats = np.zeros(layout.mat_bytes, dtype=np.uint8)
    kernels.init_vector(lib.table, base, 8, stride)
    kernels.matrix_init(lib.table, mats.ctypes.data, 2, 2)
    try:
        # x = (3, -5) at stride 2, y = (7, 2) at stride 2, initial 100, subtracted: 100 - 11
        values = [arb(3), arb(7), arb(-5), arb(2), arb(100)]
        kernels.copy_in(lib.table, base, stride, np.array([addr(v) for v in values], dtype=np.int64))
        dot = outputs["dot"]
        kernels.self_test_dot(lib.table, prec, base, stride, addr(dot))
        kernels.matrix_product(lib.table, prec, mats.ctypes.data, addr(A), addr(B))
        entries = ctypes.c_int64.from_address(mats.ctypes.data).value
        result = [arb() for _ in range(4)]
        kernels.copy_out(lib.table, np.array([addr(r) for r in result], dtype=np.int64), entries, stride)
    finally:
        kernels.matrix_clear(lib.table, mats.ctypes.data)
        kernels.clear_vector(lib.table, base, 8, stride)
    if not (dot.mid() == 89 and dot.rad() == 0):
        raise SelfTestFailure(f"arb_dot(100 - (3, -5) . (7, 2)) gives {dot}, not 89")
    for k, entry in enumerate(product.entries()):
        if not (result[k].mid() == entry.mid() and result[k].rad() == entry.rad()):
            raise SelfTestFailure(f"arb_mat_mul entry {k} gives {result[k]}, python-flint {entry}")


def run_self_test(lib: FlintLibrary, layout: ArbLayout) -> None:
    """Raise :class:`SelfTestFailure` unless ``lib`` and ``layout`` are what the compiled loops
    assume (layout first, read-only; then the functions)."""
    _check_layout(lib, layout)
    _check_functions(lib, layout)
