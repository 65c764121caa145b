"""Certifying one family member by symmetry against certifying it in the full space.

Run on demand (not part of the test suite)::

    python benchmarks/bench_families.py                 # r up to 100 (SS) / 64 (ZGJ), full space to r = 8
    python benchmarks/bench_families.py --quick         # r up to 24, full space to r = 6

For each r the member of a family is first found by continuation in r (float64
Levenberg-Marquardt in the reduced coordinates, not timed), then timed:

* **by symmetry**: :func:`proofs_check.families.certify_member`: Newton at 40 digits and the
  Krawczyk test in the reduced coordinates (``RestrictedModel`` of ``restricted_model``, pair types), the loss on the
  box, and the inertia from the isotypic blocks (``numeric.isotypic``; the full Hessian's
  ball inertia below q = 4);
* **full space** (small r only): Newton at 40 digits and :func:`numeric.stationary.certify`
  on the full model (m r unknowns: Krawczyk on the full ball Hessian and its inertia).

Families: Safran-Shamir's ``split`` (k = n; its spurious minima) and Zhou-Ge-Jin's
``bisect+1`` (m = r + 1).  One process, one member after the other; the load average is
recorded beside each row (the machine is shared).
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from numeric.reduced_zeros import levenberg_marquardt  # noqa: E402
from numeric.safran_shamir import SafranShamirModel  # noqa: E402
from numeric.stationary import TeacherStudentModel, certify, refine  # noqa: E402
from proofs_check.families import certify_member, families_of  # noqa: E402
from proofs_check.families.follow import restricted_model, transfer  # noqa: E402

STARTS = {("ss", "split"): (6, [0.92, -0.06, 0.34, 0.25, -0.57]),
          ("zgj", "bisect+1"): (3, [0.98, 0.2, 0.49, -0.69])}


def _full(paper, r, m):
    if paper == "zgj":
        return TeacherStudentModel.from_rows(np.eye(r, dtype=int).tolist(), m, "abs")
    return SafranShamirModel.orthonormal(r, m)


def run(paper, name, rs, full_up_to, dps):
    spec = families_of(paper, [name])[0]
    r_prev, y = STARTS[(paper, name)]
    y = np.array(y)
    rows = []
    for r in rs:
        model = restricted_model(paper, spec, r)
        y, gn = levenberg_marquardt(model, transfer(spec, r_prev, y, r, paper))
        if y is None or gn > 1e-11:
            print(f"{paper} {name}: continuation lost at r = {r}", file=sys.stderr)
            break
        r_prev = r
        t = time.perf_counter()
        member = certify_member(paper, spec, r, y, dps=dps)
        reduced = time.perf_counter() - t
        full_s = None
        if r <= full_up_to:
            full = _full(paper, r, spec.m(r))
            t = time.perf_counter()
            cert = certify(full, refine(full, model.basis.embed(y).reshape(-1), dps), dps)
            full_s = time.perf_counter() - t
            assert cert.certified, cert.reason
        rows.append((r, spec.m(r), model.n, member.point_type, member.certified, reduced, full_s, os.getloadavg()[0]))
        print(f"  {paper} {name} r = {r}: {reduced:.2f} s by symmetry"
              + ("" if full_s is None else f", {full_s:.2f} s in the full space"), file=sys.stderr, flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dps", type=int, default=40)
    args = parser.parse_args(argv)
    if args.quick:
        plans = [("ss", "split", [6, 8, 12, 16, 24], 6), ("zgj", "bisect+1", [3, 4, 6, 8, 12, 16, 24], 6)]
    else:
        plans = [("ss", "split", [6, 7, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 76, 88, 100], 8),
                 ("zgj", "bisect+1", [3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64], 8)]
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, dps {args.dps}, "
          f"load average at start {os.getloadavg()[0]:.1f}\n")
    print("| paper | family | r | m | reduced dim | kind | by symmetry s | full space s | load |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for paper, name, rs, full_up_to in plans:
        for r, m, n, kind, ok, red, full_s, load in run(paper, name, rs, full_up_to, args.dps):
            print(f"| {paper} | {name} | {r} | {m} | {n} | {kind if ok else 'uncertified'} | {red:.2f} | "
                  f"{'-' if full_s is None else f'{full_s:.2f}'} | {load:.1f} |", flush=True)


if __name__ == "__main__":
    main()
