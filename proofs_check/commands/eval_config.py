"""``proofs-check eval CONFIG.json [--dps N] [--hessian] [--json]``.

Evaluates the loss (with ``N`` certain significant digits: the working precision is
raised until python-flint's error ball says so), the gradient and optionally the Hessian.
Gradient and Hessian entries are accurate to ``N`` digits or to ``10^-N`` times the
largest entry, whichever is looser (an exactly vanishing entry has no relative digits).
"""
from __future__ import annotations

import json
import sys

from numeric.config import ConfigurationError, load_configuration
from numeric.precise import evaluate
from numeric.precision import correct_digits, decimal_string, to_mpf

import mpmath

_MAX_DPS = 4000


def register(subparsers):
    p = subparsers.add_parser(
        "eval",
        help="evaluate loss, gradient (and Hessian) of a configuration at any precision",
        description=__doc__.splitlines()[0],
    )
    p.add_argument("config", help="configuration JSON: {\"teacher\": [[...]], \"student\": [[...]]}")
    p.add_argument("--dps", type=int, default=30, help="significant decimal digits (default 30)")
    p.add_argument("--hessian", action="store_true", help="also the md x md Hessian")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=run)


def _entries_accurate(rows, digits) -> bool:
    flat = [x for row in rows for x in row]
    if not flat:
        return True
    with mpmath.workdps(20):
        scale = max(abs(to_mpf(x)) for x in flat)
        floor = scale * mpmath.mpf(10) ** (-digits)
        for x in flat:
            rad = to_mpf(x.rad())
            if rad > floor and correct_digits(x, rad) < digits:
                return False
    return True


def accurate_evaluation(config, digits: int, hessian: bool):
    """Evaluate with python-flint balls, raising precision until every output is accurate."""
    dps = digits + 15
    while True:
        e = evaluate(config, dps, backend="arb", gradient=True, hessian=hessian)
        loss_ok = correct_digits(e.loss, to_mpf(e.loss.rad())) >= digits or (
            to_mpf(e.loss.mid()) == 0 and to_mpf(e.loss.rad()) == 0
        )
        ok = loss_ok and _entries_accurate(e.gradient, digits)
        if ok and hessian:
            ok = _entries_accurate(e.hessian, digits)
        if ok or dps >= _MAX_DPS:
            return e, ok
        dps = min(_MAX_DPS, 2 * dps)


def run(args) -> int:
    if args.dps < 1:
        raise ConfigurationError(f"--dps = {args.dps} must be a positive integer")
    config = load_configuration(args.config)
    e, certain = accurate_evaluation(config, args.dps, args.hessian)
    fmt = lambda x: decimal_string(x, args.dps)
    out = {
        "loss": fmt(e.loss),
        "gradient": [[fmt(x) for x in row] for row in e.gradient],
    }
    if args.hessian:
        out["hessian"] = [[fmt(x) for x in row] for row in e.hessian]
    out["dps"] = args.dps
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
