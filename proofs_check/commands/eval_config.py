"""proofs-check eval CONFIG.json [--dps N] [--hessian] [--json]

Evaluates the loss (with N certain significant digits: the working precision is raised
until python-flint's error ball says so), the gradient and optionally the Hessian of a
configuration (CONFIG.json, or '-' to read it from stdin).  Gradient and Hessian entries
are accurate to N digits or to 10^-N times the largest entry, whichever is looser (an
exactly vanishing entry has no relative digits).  --json prints the values and their
error radii.

A value whose error ball contains 0 is printed as 0: at a global minimum the loss is
exactly 0 and has no significant digits, so the loss is instead certified to be below
10^-max(3N, 300) times the teacher's scale (sum_i ||w*_i||)^2.  A zero or a repeated
(parallel) teacher row is evaluated, with a warning: it violates the paper's Assumptions
2 and 1, under which its claims are stated.

An evaluation that runs longer than a few seconds prints a line on stderr every few
seconds (the working precision and the time so far).

Exit codes: 0 evaluated, 2 bad input, 3 internal error.
"""
from __future__ import annotations

import json
import sys

from numeric.errors import ConfigurationError
from proofs_check.files import load_configuration
from proofs_check.hypotheses import configuration_violations
from proofs_check.limits import limits_of
from proofs_check.progress import heartbeat
from numeric.precise import evaluate
from numeric.precision import correct_digits
from numeric.numbers import decimal_string, to_mpf

import mpmath

_MAX_DPS = 4000


def register(subparsers):
    p = subparsers.add_parser(
        "eval",
        help="evaluate loss, gradient (and Hessian) of a configuration at any precision",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("config", help="configuration JSON: {\"teacher\": [[...]], \"student\": [[...]]};"
                   " '-' reads it from stdin")
    p.add_argument("--dps", type=int, default=30, help="significant decimal digits (default 30)")
    p.add_argument("--hessian", action="store_true", help="also the md x md Hessian")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def _entries_accurate(rows, digits, zero_floor) -> bool:
    """Every entry has ``digits`` digits, or an error below ``10^-digits`` of the largest
    certainly non-zero entry (or below ``zero_floor`` when all entries may vanish)."""
    flat = [x for row in rows for x in row]
    with mpmath.workdps(20):
        nonzero = [abs(to_mpf(x)) for x in flat if not x.contains(0)]
        floor = max(max(nonzero, default=0) * mpmath.mpf(10) ** (-digits), zero_floor)
        return all(to_mpf(x.rad()) <= floor or correct_digits(x, to_mpf(x.rad())) >= digits
                   for x in flat)


def _teacher_scale(config):
    with mpmath.workdps(20):
        norms = [mpmath.sqrt(mpmath.fsum((mpmath.mpf(x.numerator) / x.denominator) ** 2 for x in row))
                 for row in config.teacher]
        return mpmath.fsum(norms) ** 2 or mpmath.mpf(1)


def accurate_evaluation(config, digits: int, hessian: bool, state: dict | None = None):
    """Evaluate with python-flint balls, raising precision until every output is accurate
    (``state["dps"]`` follows the working precision, for progress)."""
    dps = digits + 15
    max_dps = max(_MAX_DPS, 2 * digits)
    zero_floor = _teacher_scale(config) * mpmath.mpf(10) ** (-max(3 * digits, 300))
    state = {} if state is None else state
    while True:
        state["dps"] = dps
        e = evaluate(config, dps, backend="arb", gradient=True, hessian=hessian)
        rad = to_mpf(e.loss.rad())
        loss_ok = correct_digits(e.loss, rad) >= digits or (e.loss.contains(0) and rad <= zero_floor)
        ok = loss_ok and _entries_accurate(e.gradient, digits, zero_floor)
        if ok and hessian:
            ok = _entries_accurate(e.hessian, digits, zero_floor)
        if ok or dps >= max_dps:
            return e, ok
        dps = min(max_dps, 2 * dps)


def run(args) -> int:
    if args.dps < 1:
        raise ConfigurationError(f"--dps = {args.dps} must be a positive integer")
    limits_of(args).check("--dps", args.dps, limits_of(args).max_dps)
    config = load_configuration(args.config)
    for violation in configuration_violations(config):
        print(f"warning: {violation}; the paper's claims do not apply to this configuration",
              file=sys.stderr)
    state = {"dps": args.dps}
    what = "loss, gradient and Hessian" if args.hessian else "loss and gradient"
    with heartbeat(lambda: f"evaluating the {what} of m = {config.m} neurons at {state['dps']} working digits",
                   prefix="proofs-check eval"):
        e, certain = accurate_evaluation(config, args.dps, args.hessian, state)
    fmt = lambda x: "0" if x.contains(0) else decimal_string(x, args.dps)
    radius = lambda x: mpmath.nstr(to_mpf(x.rad()), 3)
    out = {
        "loss": fmt(e.loss),
        "gradient": [[fmt(x) for x in row] for row in e.gradient],
    }
    if args.hessian:
        out["hessian"] = [[fmt(x) for x in row] for row in e.hessian]
    out["dps"] = args.dps
    # The radius of each ball: the exact value is within it of the ball midpoint, which
    # the printed digits round.
    out["loss_error"] = radius(e.loss)
    out["gradient_error"] = [[radius(x) for x in row] for row in e.gradient]
    if args.hessian:
        out["hessian_error"] = [[radius(x) for x in row] for row in e.hessian]
    out["working_dps"] = e.dps
    out["certified"] = certain
    if args.json:
        print(json.dumps(out))
    else:
        print(f"configuration: r = {config.r} teacher, m = {config.m} student neurons, d = {config.d}"
              f", activation {config.activation}")
        print(f"loss      = {out['loss']}   (+/- {mpmath.nstr(to_mpf(e.loss.rad()), 3)}, working precision {e.dps} digits)")
        print("gradient  (rows grad_{w_j} L):")
        for j, row in enumerate(out["gradient"]):
            print(f"  w_{j + 1}: " + "  ".join(row))
        if args.hessian:
            print("Hessian (rows and columns w_1[0..d-1], w_2[0..d-1], ...):")
            for row in out["hessian"]:
                print("  " + "  ".join(row))
    if not certain:
        print(f"warning: {args.dps} digits could not be certified below {_MAX_DPS} working digits; "
              "the printed digits may be wrong in the last places", file=sys.stderr)
    return 0
