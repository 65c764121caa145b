"""The hunt's memory, estimated before anything that grows with ``r``, ``m``, ``d`` is
allocated.

The estimates are upper bounds by counting the arrays the code builds (float64, 8 bytes
an entry), not measurements; the command refuses with exit 2 and the estimate when the
hunt as asked would exceed the cap, and a part that alone would exceed it (a dense
Hessian, a ball certificate) is skipped with a stated reason when the hunt can go on
without it.

>>> hunt_estimate(3, 3, 6).total < 50 * 1024**2
True
>>> hunt_estimate(40, 40, 80).dense_hessian > 10**9  # why r = 40 never forms it
True
"""
from __future__ import annotations

import os
import resource
from dataclasses import dataclass

from numeric.precise import memory_estimate as ball_memory_estimate
from numeric.zero_search import DENSE_LIMIT

__all__ = ["HuntMemory", "hunt_estimate", "default_cap", "certificate_estimate", "format_bytes",
           "CERTIFY_MAX_PARAMETERS", "SYMMETRY_MAX_PARAMETERS"]

#: Ball certificates are tried up to this many reduced parameters (beyond, one Krawczyk
#: test on python-flint balls takes hours: its Hessian enclosure has ``n^2`` entries, each
#: a sum over all pairs of neurons).
CERTIFY_MAX_PARAMETERS = 400
#: Fixed-point subspaces are computed up to this many parameters (an SVD of ``n x n``).
SYMMETRY_MAX_PARAMETERS = 400
#: The share of the machine's memory (or of the address-space limit) the hunt may use.
DEFAULT_SHARE = 0.5
_F64 = 8


def format_bytes(n: float) -> str:
    """``1.5 GB``-style text."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def default_cap() -> int:
    """``DEFAULT_SHARE`` of the machine's physical memory, and at most that share of the
    process's address-space limit (``RLIMIT_AS``) when one is set."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        physical = 8 * 1024**3
    cap = DEFAULT_SHARE * physical
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft not in (resource.RLIM_INFINITY, -1):
        cap = min(cap, DEFAULT_SHARE * soft)
    return int(cap)


@dataclass(frozen=True)
class HuntMemory:
    """Peak bytes of the hunt's parts: ``dense_hessian`` (the float64 Hessian and the
    Levenberg-Marquardt normal matrix, formed only up to ``DENSE_LIMIT`` parameters),
    ``matrix_free`` (gradient evaluations and vectors), ``symmetry`` (the teachers' group
    applied to one point, and the deflation images), ``subspace`` (fixed-point subspaces).
    ``total`` is what the hunt will use at most with the dense parts it will form."""

    parameters: int
    dense_hessian: int
    matrix_free: int
    symmetry: int
    subspace: int

    @property
    def dense(self) -> bool:
        return self.parameters <= DENSE_LIMIT

    @property
    def total(self) -> int:
        dense = self.dense_hessian if self.dense else 0
        subspace = self.subspace if self.parameters <= SYMMETRY_MAX_PARAMETERS else 0
        return self.matrix_free + max(dense, subspace) + self.symmetry


def hunt_estimate(r: int, d: int, m: int, group_size: int = 1, deflation_images: int = 4000) -> HuntMemory:
    """The estimate for ``r`` teachers, ``m`` students in ``R^d``.  The float64 Hessian
    (:func:`numeric.float64.hessian`) builds about a dozen ``m x (m + r) x d x d`` arrays;
    the normal matrix four ``n x n``; a gradient a few ``(m + r)^2`` and ``(m + r) d``
    arrays; deflation four ``images x m x m x d`` arrays."""
    n = m * d
    pairs = m * (m + r)
    dense = _F64 * (12 * pairs * d * d + 4 * n * n)
    matrix_free = _F64 * (8 * (m + r) ** 2 + 40 * n)
    images = min(deflation_images, max(1, group_size) * 64)
    symmetry = _F64 * (4 * max(1, group_size) * n + 4 * images * m * m * d)
    subspace = _F64 * 4 * n * n
    return HuntMemory(n, dense, matrix_free, symmetry, subspace)


def certificate_estimate(m: int, r: int, d: int, dps: int) -> int:
    """Bytes of one ball certificate of ``m`` reduced students
    (:func:`numeric.precise.memory_estimate` with the Hessian)."""
    return ball_memory_estimate(m, r, d, dps, hessian=True)
