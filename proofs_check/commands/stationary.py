"""proofs-check stationary TEACHER.json --students M [--starts N] [--seed S] [--budget SECONDS] [--json PATH]

Hunts the stationary points of the loss for the teacher of TEACHER.json (a configuration
file; its student rows, if any, are ignored) with M students: descent from many starts,
Newton refinement at high precision, a Krawczyk certificate on python-flint balls, the
Hessian's inertia on balls, deduplication modulo symmetry (see proofs_check/landscape.py).
Prints one line per point, lowest loss first, and the lowest certified spurious point
(L > 0); --json writes the full result.

Exit codes: 0 the hunt ran (whatever it found), 2 bad input, 3 internal error, 130
interrupted, 143 terminated.
"""
from __future__ import annotations

import json
import sys

from numeric.config import ensure_writable, write_atomically
from proofs_check.errors import UsageError

__all__ = ["register", "run"]


def register(subparsers):
    p = subparsers.add_parser(
        "stationary",
        help="hunt, certify and classify the stationary points for a teacher",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("teacher", help="configuration JSON whose teacher rows are used")
    p.add_argument("--students", type=int, required=True, help="number of student neurons m")
    p.add_argument("--starts", type=int, default=200, help="descents, saddle hops included (default 200)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--budget", type=float, default=240.0,
                   help="seconds after which no new start is begun (default 240)")
    p.add_argument("--dps", type=int, default=40, help="digits of the certificates (default 40)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON here")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=run)


def _table(out: dict) -> str:
    rows = [("#", "loss", "+/-", "kind", "certified", "radius", "lambda_min", "mult", "hits")]
    for i, p in enumerate(out["points"]):
        rows.append((str(i), p["loss"][:24], p["loss_error"], p["kind"], "yes" if p["certified"] else "no",
                     p["radius"] or "-", (p["hessian_min_eigenvalue"] or "-")[:14],
                     str(p["multiplicity"]), str(p["hits"])))
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run(args) -> int:
    from proofs_check.landscape import HuntSettings, hunt, landscape_json

    config = load_configuration_teacher(args.teacher, max(args.students, 1))
    if 1 <= args.students < len(config.teacher):
        raise UsageError(f"--students = {args.students} is below r = {len(config.teacher)} teacher rows; "
                         "the paper's setting needs m >= r")
    settings = HuntSettings(students=args.students, starts=args.starts, seed=args.seed,
                            budget=args.budget, dps=args.dps, activation=config.activation)
    if args.json:
        ensure_writable(args.json, "--json", error=UsageError)
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=settings.starts, desc="starts", unit="start", file=sys.stderr, leave=False)
    try:
        result = hunt(config.teacher, settings, progress=None if bar is None else bar.update)
    finally:
        if bar is not None:
            bar.close()
    out = landscape_json(result)
    out["activation"] = config.activation
    print(f"teacher: r = {len(result.teacher)} rows in d = {len(result.teacher[0])}; m = {result.students} students; "
          f"{out['starts']} starts, {out['converged']} reached a stationary point, "
          f"{len(out['points'])} distinct up to symmetry ({out['teacher_symmetries']} teacher symmetries), "
          f"{out['seconds']} s")
    print(_table(out))
    low = out["lowest_spurious"]
    if low is None:
        print("no certified stationary point with L > 0 was found")
    else:
        print(f"lowest certified spurious stationary point: #{low['index']}, L = {low['loss']}")
    if args.json:
        write_atomically(args.json, json.dumps(out, indent=1) + "\n")
    return 0


def load_configuration_teacher(path, m: int):
    """The configuration in ``path``; only its teacher (and activation) are used.  A file
    with a teacher and no student rows is accepted."""
    from numeric.config import read_json_file, _EXACT_NUMBERS, Configuration, ConfigurationError

    data = read_json_file(path, "teacher file", **_EXACT_NUMBERS)
    if isinstance(data, dict) and "config" in data and "teacher" not in data:
        data = data["config"]
    if not isinstance(data, dict) or "teacher" not in data:
        raise ConfigurationError(f"{path}: missing key 'teacher' (a list of rows of numbers)")
    teacher = data["teacher"]
    d = len(teacher[0]) if isinstance(teacher, list) and teacher and isinstance(teacher[0], list) else 1
    try:
        # Students are ignored: stand-ins that pass validation (m >= r is not needed here).
        stand_in = [[0] * d for _ in range(max(m, len(teacher) if isinstance(teacher, list) else 1))]
        return Configuration(teacher, stand_in, data.get("activation", "abs"))
    except ConfigurationError as exc:
        raise ConfigurationError(f"{path}: {exc}") from None
