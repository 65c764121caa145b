"""FLINT's shared library as python-flint ships it, its ``arb_*`` entry points, and the layout
of the structs we touch directly.

python-flint's wheel carries FLINT as a shared library beside the ``flint`` package
(``python_flint.libs/libflint-*.so`` on Linux, ``flint/.dylibs`` on macOS,
``python_flint.libs`` or ``flint`` on Windows).  Loading the same file again returns the
library python-flint already uses, so balls made by python-flint and by our compiled loops
share one allocator and one set of functions.

Nothing here is trusted until :mod:`numeric.native.selftest` has compared it with python-flint.
"""
from __future__ import annotations

import ctypes
import glob
import os
from dataclasses import dataclass

import flint
import numpy as np

__all__ = ["ArbLayout", "FlintLibrary", "FUNCTIONS", "find_library", "open_library",
           "ARF_RND_NEAR", "ARF_PREC_EXACT"]

#: ``arf_get_d``'s round-to-nearest mode (``arf.h``: DOWN 0, UP 1, FLOOR 2, CEIL 3, NEAR 4).
ARF_RND_NEAR = 4
#: ``ARF_PREC_EXACT``, i.e. ``WORD_MAX``: with it ``arb_mul`` / ``arb_sub`` round nothing.
ARF_PREC_EXACT = (1 << 63) - 1

#: The entry points the compiled loops call, in the order of the function table handed to
#: them (:data:`numeric.native.kernels` refers to them by these positions).
FUNCTIONS = (
    "arb_init", "arb_clear", "arb_set", "arb_mul", "arb_add", "arb_sub", "arb_sqrt",
    "arb_atan2", "arb_dot", "arf_get_d", "arb_mat_init", "arb_mat_clear", "arb_mat_mul",
    "arb_zero", "arb_mul_2exp_si", "arb_addmul",
)


@dataclass(frozen=True)
class ArbLayout:
    """Where things are in memory (FLINT 3.6 on 64-bit Linux, python-flint 0.9; checked by
    :mod:`numeric.native.selftest` wherever it runs).

    * ``arb_bytes``: ``sizeof(arb_struct)`` = ``arf_struct`` (exponent, size, two limbs: 32)
      + ``mag_struct`` (exponent, mantissa: 16);
    * ``object_offset``: where a python-flint ``arb`` / ``arb_mat`` object keeps its struct
      (after ``PyObject_HEAD`` and Cython's table of C methods);
    * ``mat_bytes``: room for an ``arb_mat_struct`` (``entries`` first; 32 bytes in FLINT 3).
    """

    arb_bytes: int = 48
    object_offset: int = 24
    mat_bytes: int = 64


class FlintLibrary:
    """The loaded library: its path, version and the table of function addresses."""

    def __init__(self, path: str):
        self.path = path
        self.dll = ctypes.CDLL(path)
        self.version = (ctypes.c_char * 32).in_dll(self.dll, "flint_version").value.decode()
        missing = [name for name in FUNCTIONS if not hasattr(self.dll, name)]
        if missing:
            raise OSError(f"{path} lacks {', '.join(missing)}")
        self.table = np.array([ctypes.cast(getattr(self.dll, name), ctypes.c_void_p).value
                               for name in FUNCTIONS], dtype=np.int64)

    def function(self, name: str, argtypes, restype=None):
        """A ctypes handle on ``name`` (for the self-test's few direct calls)."""
        f = getattr(self.dll, name)
        f.argtypes, f.restype = argtypes, restype
        return f


def candidate_paths() -> list[str]:
    """Where python-flint's wheels put FLINT, for this installation."""
    package = os.path.dirname(flint.__file__)
    site = os.path.dirname(package)
    patterns = [os.path.join(site, "python_flint.libs", "libflint*.so*"),
                os.path.join(package, ".dylibs", "libflint*.dylib"),
                os.path.join(site, "python_flint.libs", "*flint*.dll"),
                os.path.join(package, "*flint*.dll")]
    return sorted(p for pattern in patterns for p in glob.glob(pattern))


def find_library() -> str:
    """The path of python-flint's FLINT, or :class:`FileNotFoundError` naming where we looked."""
    paths = candidate_paths()
    if not paths:
        raise FileNotFoundError(
            f"no libflint shared library beside the flint package ({os.path.dirname(flint.__file__)})")
    return paths[0]


def open_library(path: str | None = None) -> FlintLibrary:
    """Load FLINT (python-flint's own unless ``path`` is given) and check it is the version
    python-flint was built against."""
    lib = FlintLibrary(path or find_library())
    expected = getattr(flint, "__FLINT_VERSION__", None)
    if expected is not None and lib.version != expected:
        raise OSError(f"{lib.path} is FLINT {lib.version}, python-flint uses FLINT {expected}")
    return lib
