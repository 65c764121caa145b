"""proofs-check stationary (TEACHER.json | --orthonormal N) --students M [--dim D] [--paper ID | --model ID] [--starts N] [--strategies S,...] [--seed S] [--budget SECONDS] [--max-memory SIZE] [--json PATH] [--symmetric [--family NAME]]

Hunts the stationary points of the loss for the teacher of TEACHER.json (a configuration
file; its student rows, if any, are ignored), or the orthonormal teacher e_1..e_N, with M
students, in R^D (--dim: teacher rows padded with zeros; every configuration of M
students lies, up to a rotation fixing the teachers, in R^(r+M), so D = r + M covers
every dimension): zero searches of the gradient (deflated Levenberg-Marquardt, also on
fixed-point subspaces of the teachers' symmetries) and descent from many starts, Newton
refinement at high precision, a Krawczyk certificate on python-flint balls, the
Hessian's inertia on balls, deduplication modulo symmetry (docs/hunt.md).  The model is a paper's: --paper ID takes that
paper's default hunt model, --model ID a named one (`proofs-check stationary --list-models`);
the default is the first registered paper that declares one (Zhou-Ge-Jin's teacher-student
network).  Prints one line per point, lowest loss first, and the lowest certified spurious
point (L > 0); --json writes the full result.

Exit codes: 0 the hunt ran (whatever it found), 2 bad input (also a memory estimate
above --max-memory), 3 internal error, 130 interrupted, 143 terminated (both print and
write every point found so far, marked interrupted).
"""
from __future__ import annotations

import json
import sys

from proofs_check.files import ensure_writable, write_atomically
from proofs_check.errors import Terminated, UsageError, EXIT_INTERRUPTED, EXIT_TERMINATED
from proofs_check.landscape.types import DEFAULT_STRATEGIES
from proofs_check.plain_table import aligned_table

__all__ = ["register", "run"]


def register(subparsers):
    p = subparsers.add_parser(
        "stationary",
        help="hunt, certify and classify the stationary points for a teacher",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("teacher", nargs="?", help="configuration JSON whose teacher rows are used")
    p.add_argument("--orthonormal", type=int, metavar="N", help="the teacher e_1, ..., e_N instead of a file")
    p.add_argument("--students", type=int, help="number of student neurons m (required)")
    p.add_argument("--paper", help="hunt this paper's default model (e.g. zgj, ss)")
    p.add_argument("--model", help="hunt this model (an id from --list-models)")
    p.add_argument("--list-models", action="store_true", help="list the hunt models of every paper and exit")
    p.add_argument("--dim", type=int, metavar="D",
                   help="search in R^D: teacher rows padded with zeros (default: the teacher's own d)")
    p.add_argument("--starts", type=int, default=200,
                   help="zero searches and descents, saddle hops included (default 200)")
    p.add_argument("--strategies", metavar="S,...",
                   help=f"start strategies taken in turn (default {','.join(DEFAULT_STRATEGIES)})")
    p.add_argument("--max-memory", metavar="SIZE",
                   help="refuse a hunt estimated above SIZE (e.g. 2G, 500M; default half the machine's memory)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--budget", type=float, default=240.0,
                   help="seconds after which no new start is begun (default 240)")
    p.add_argument("--dps", type=int, default=40, help="digits of the certificates (default 40)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON here; - writes it to stdout")
    p.add_argument("--symmetric", action="store_true",
                   help="with --orthonormal: the certified members of the symmetric families instead of the "
                        "hunt (proofs_check/families, docs/families.md)")
    p.add_argument("--family", help="with --symmetric: only this family")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(handler=run)


def parse_size(text: str, option: str = "--max-memory") -> int:
    """Bytes from ``2G``, ``500M``, ``64k`` or a plain number of bytes.

    >>> parse_size("1.5G")
    1610612736
    """
    units = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
    t = text.strip().lower().removesuffix("b")
    factor = units.get(t[-1:], 1)
    number = t[:-1] if t[-1:] in units else t
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"{option} = {text!r} is not a size (e.g. 2G, 500M)") from None
    if not (value > 0 and value * factor < 2**62):
        raise UsageError(f"{option} = {text!r} must be a positive size")
    return int(value * factor)


def _strategy_lines(out: dict) -> str:
    rows = [(c["strategy"], str(c["starts"]), str(c["converged"]), str(c["distinct_points"]))
            for c in out["strategies"]]
    return aligned_table(("strategy", "starts", "reached a zero", "distinct points found first"), rows)


def _table(out: dict) -> str:
    header = ("#", "loss", "+/-", "kind", "certified", "radius", "lambda_min", "mult", "hits")
    rows = []
    for i, p in enumerate(out["points"]):
        rows.append((str(i), p["loss"][:24], p["loss_error"], p["kind"], "yes" if p["certified"] else "no",
                     p["radius"] or "-", (p["hessian_min_eigenvalue"] or "-")[:14],
                     str(p["multiplicity"] or "-"), str(p["hits"])))
    return aligned_table(header, rows)


def hunt_models() -> dict:
    """``{model id: (paper id, HuntModel)}`` over the registered papers, in their order."""
    from proofs_check.registry import all_papers

    return {spec.id: (pid, spec) for pid, paper in all_papers().items()
            for spec in (paper.model.hunts if paper.model is not None else ())}


def select_hunt_model(paper: str | None, model: str | None):
    """The hunt model ``--model`` names, or ``--paper``'s default, or the first declared."""
    from proofs_check.registry import get_paper

    models = hunt_models()
    if model is not None:
        if model not in models:
            raise UsageError(f"--model = {model!r} is not a hunt model; use one of {', '.join(models)}")
        pid, spec = models[model]
        if paper is not None and paper != pid:
            raise UsageError(f"--model = {model!r} belongs to paper {pid!r}, not --paper = {paper!r}")
        return spec
    if paper is not None:
        hunts = get_paper(paper).model.hunts if get_paper(paper).model is not None else ()
        if not hunts:
            with_hunts = sorted({pid for pid, _ in models.values()})
            raise UsageError(f"--paper = {paper!r} declares no model for the stationary hunt; "
                             f"papers that do: {', '.join(with_hunts)}")
        return hunts[0]
    return next(iter(models.values()))[1]


def run(args) -> int:
    from proofs_check.landscape import HuntInterrupted, HuntSettings, landscape_json, run_hunt

    if args.list_models:
        for mid, (pid, spec) in hunt_models().items():
            print(f"{mid} (paper {pid}; activation {'/'.join(spec.activations)}): {spec.description}")
        return 0
    spec = select_hunt_model(args.paper, args.model)
    if args.students is None:
        raise UsageError("--students is required (the number of student neurons)")
    if args.symmetric or args.family is not None:
        return _run_symmetric(args, spec)
    if (args.teacher is None) == (args.orthonormal is None):
        raise UsageError("give a TEACHER.json file or --orthonormal N (one of them)")
    if args.orthonormal is not None:
        if args.orthonormal < 1:
            raise UsageError(f"--orthonormal = {args.orthonormal} must be >= 1")
        teacher, activation = [[int(i == j) for j in range(args.orthonormal)]
                               for i in range(args.orthonormal)], None
    else:
        teacher, activation = load_teacher(args.teacher)
    strategies = DEFAULT_STRATEGIES if args.strategies is None else tuple(
        s.strip() for s in args.strategies.split(",") if s.strip())
    settings = HuntSettings(students=args.students, starts=args.starts, seed=args.seed,
                            budget=args.budget, dps=args.dps, activation=activation or spec.activations[0],
                            dim=args.dim, strategies=strategies,
                            max_memory=None if args.max_memory is None else parse_size(args.max_memory))
    to_stdout = args.json == "-"
    if args.json and not to_stdout:
        ensure_writable(args.json, "--json", error=UsageError)
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=settings.starts, desc="starts", unit="start", file=sys.stderr, leave=False)
    exit_code = 0
    try:
        result = run_hunt(spec, teacher, settings, progress=None if bar is None else bar.update)
    except HuntInterrupted as stop:
        result = stop.landscape
        exit_code = EXIT_TERMINATED if isinstance(stop.cause, Terminated) else EXIT_INTERRUPTED
    except MemoryError:
        from proofs_check.landscape.memory import format_bytes, hunt_estimate

        r, d = len(teacher), settings.dim or len(teacher[0])
        raise UsageError(f"out of memory: the hunt with r = {r}, d = {d}, m = {settings.students} (estimated "
                         f"{format_bytes(hunt_estimate(r, d, settings.students).total)}) did not fit; "
                         f"lower --students or --dim") from None
    finally:
        if bar is not None:
            bar.close()
    out = landscape_json(result)
    out["activation"] = settings.activation
    out["model"] = spec.id
    symmetries = (f"{out['teacher_symmetries']} teacher symmetries" if out["teacher_symmetries"]
                  else "the model's symmetry key")
    text = sys.stderr if to_stdout else sys.stdout  # the JSON alone goes to stdout
    print(f"model {spec.id}; teacher: r = {len(result.teacher)} rows, searched in d = {result.dim}; "
          f"m = {result.students} students; {out['starts']} starts, {out['converged']} reached a stationary "
          f"point, {len(out['points'])} distinct up to symmetry ({symmetries}), {out['seconds']} s"
          + ("; INTERRUPTED: the points found so far" if result.interrupted else ""), file=text)
    print(_table(out), file=text)
    print(_strategy_lines(out), file=text)
    for note in out["notes"]:
        print(f"note: {note}", file=text)
    low = out["lowest_spurious"]
    if low is None:
        print("no certified stationary point with L > 0 was found", file=text)
    else:
        print(f"lowest certified spurious stationary point found: #{low['index']}, L = {low['loss']} "
              f"(an upper bound on the real threshold in d = {result.dim})", file=text)
    if to_stdout:
        sys.stdout.write(json.dumps(out, indent=1) + "\n")
    elif args.json:
        write_atomically(args.json, json.dumps(out, indent=1) + "\n")
    if exit_code:
        print(f"proofs-check stationary: {'terminated' if exit_code == EXIT_TERMINATED else 'interrupted'}; "
              f"{len(out['points'])} points kept", file=sys.stderr)
    return exit_code


def _run_symmetric(args, spec) -> int:
    """``--symmetric``: the families' members at (r, m) (see proofs_check.families.symmetric)."""
    from proofs_check.files import write_output
    from proofs_check.families.symmetric import symmetric_members

    if not args.symmetric:
        raise UsageError("--family needs --symmetric")
    if args.orthonormal is None or args.teacher is not None:
        raise UsageError("--symmetric needs --orthonormal R (the families are for orthonormal teachers)")
    paper = hunt_models()[spec.id][0]  # the paper that declares the hunt model, whose families these are
    if args.json:
        ensure_writable(args.json, "--json", error=UsageError)
    members, notes = symmetric_members(paper, args.orthonormal, args.students, family=args.family,
                                       starts=min(args.starts, 200), seed=args.seed, dps=args.dps,
                                       budget=args.budget)
    rows = [m.to_dict() for m in members]
    say = (lambda text: print(text, file=sys.stderr)) if args.json == "-" else print
    say(f"paper {paper}; r = {args.orthonormal}, m = {args.students}; {len(rows)} family members, "
        f"{sum(m['certified'] for m in rows)} certified (Krawczyk in the fixed-point subspace)")
    say(aligned_table(("family", "branch", "kind", "loss", "+/-", "neg/und/pos", "lambda_min"),
                      [(m["family"], m["branch"], m["kind"], (m["loss"] or "-")[:24], m["loss_error"] or "-",
                        "-" if m["negative"] is None else f"{m['negative']}/{m['undecided']}/{m['positive']}",
                        (m["hessian_min_eigenvalue"] or "-")[:14]) for m in rows]))
    for note in notes:
        say(f"note: {note}")
    if args.json:
        write_output(args.json, json.dumps({"paper": paper, "r": args.orthonormal, "m": args.students,
                                            "members": rows, "notes": list(notes)}, indent=1) + "\n",
                     what="--json", error=UsageError)
    return 0


def load_teacher(path):
    """``(teacher rows, activation or None)`` from the configuration file ``path``; its
    student rows, if any, are ignored.  The rows are validated as a configuration's."""
    from numeric.config import EXACT_NUMBER_HOOKS, Configuration
    from numeric.errors import ConfigurationError
    from proofs_check.files import read_json_file

    data = read_json_file(path, "teacher file", **EXACT_NUMBER_HOOKS)
    if isinstance(data, dict) and "config" in data and "teacher" not in data:
        data = data["config"]
    if not isinstance(data, dict) or "teacher" not in data:
        raise ConfigurationError(f"{path}: missing key 'teacher' (a list of rows of numbers)")
    teacher = data["teacher"]
    d = len(teacher[0]) if isinstance(teacher, list) and teacher and isinstance(teacher[0], list) else 1
    try:
        # Students are ignored: stand-ins that pass validation.
        stand_in = [[0] * d for _ in range(len(teacher) if isinstance(teacher, list) and teacher else 1)]
        config = Configuration(teacher, stand_in, data.get("activation", "abs"))
    except ConfigurationError as exc:
        raise ConfigurationError(f"{path}: {exc}") from None
    return [list(row) for row in config.teacher], data.get("activation")
