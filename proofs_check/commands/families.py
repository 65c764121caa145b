"""proofs-check families [--paper zgj|ss] --r-max R [--r-min R] [--family NAME,...] [--starts N] [--branches N] [--seed S] [--dps N] [--budget SECONDS] [--json PATH]

Follows symmetric families of stationary points (fixed-point subspaces of the loss's
symmetry group, orthonormal teachers e_1..e_r in d = r) from r = R_MIN to r = R_MAX:
a zero search by Levenberg-Marquardt with deflation in the reduced coordinates at q = 4,
continuation in r, a Krawczyk certificate of every member in the reduced coordinates
(equivariance makes it a stationary point of the full loss), and the full Hessian's
inertia from its isotypic blocks (see proofs_check/families/ and docs/families.md).
Prints one line per member and the lowest certified spurious point per r (Zhou-Ge-Jin:
beside the paper's eps0(r); an upper bound on the real threshold at that width), with
the fitted exponent of its loss in r (empirical).

Exit codes: 0 the families were followed (whatever they contain), 1 a certified spurious
stationary point below the paper's eps0 (a finding), 2 bad input, 3 internal error.
"""
from __future__ import annotations

import json
import sys
import time

from proofs_check.files import ensure_writable, write_output
from proofs_check.errors import EXIT_FINDING, EXIT_OK, UsageError
from proofs_check.plain_table import aligned_table

__all__ = ["register", "run"]


def register(subparsers):
    p = subparsers.add_parser(
        "families",
        help="follow certified symmetric families of stationary points in r",
        description=__doc__.split("\n\n", 1)[1],
    )
    p.add_argument("--paper", default=None, help="zgj (default; absolute value, m = r, r+1, 2r) or ss "
                                                  "(Safran-Shamir's ReLU model, k = n, n+1)")
    p.add_argument("--r-max", type=int, help="the largest r (required)")
    p.add_argument("--r-min", type=int, default=2, help="the smallest r (default 2)")
    p.add_argument("--family", help="comma-separated family names (default: every family of the paper)")
    p.add_argument("--starts", type=int, default=24, help="random starts of the seed search per family (default 24)")
    p.add_argument("--branches", type=int, default=6, help="branches followed per family (default 6)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--dps", type=int, default=40, help="digits of the certificates (default 40)")
    p.add_argument("--budget", type=float, default=3600.0,
                   help="seconds after which no member is begun (default 3600)")
    p.add_argument("--json", metavar="PATH", help="write the result as JSON here ('-': standard output)")
    p.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    p.set_defaults(handler=run)


def _member_row(m: dict) -> tuple:
    inertia = "-" if m["negative"] is None else f"{m['negative']}/{m['undecided']}/{m['positive']}"
    return (m["family"], str(m["branch"]), str(m["r"]), str(m["m"]), m["kind"], (m["loss"] or "-")[:22],
            m["loss_error"] or "-", inertia, (m["hessian_min_eigenvalue"] or "-")[:12])


def run(args) -> int:
    from proofs_check.families import FollowSettings, families_of, follow_family
    from proofs_check.families.definitions import default_family_paper, paper_families
    from proofs_check.families.report import families_json

    if args.r_max is None:
        raise UsageError("--r-max is required (the largest number of teachers r)")
    paper = default_family_paper() if args.paper is None else args.paper
    settings = FollowSettings(paper=paper, r_max=args.r_max, r_min=args.r_min, starts=args.starts,
                              branches=args.branches, seed=args.seed, dps=args.dps, budget=args.budget)
    names = None
    if args.family is not None:
        names = [n.strip() for n in args.family.split(",")]
        if not all(names):
            raise UsageError("--family: an empty family name")
    try:
        families = families_of(settings.paper, names)
    except KeyError as exc:
        known = ", ".join(f.name for f in families_of(settings.paper))
        raise UsageError(f"--family = {exc.args[0]!r} is not a family of paper {settings.paper}; "
                         f"use one of {known}") from None
    if args.json:
        ensure_writable(args.json, "--json", error=UsageError)
    to_stdout = args.json == "-"
    say = (lambda text: print(text, file=sys.stderr)) if to_stdout else print

    def progress(member):
        if not args.no_progress:
            print(f"  {member.family} branch {member.branch} r = {member.r}: {member.point_type} "
                  f"({member.seconds:.1f} s)", file=sys.stderr, flush=True)

    start = time.monotonic()
    deadline = start + settings.budget
    members, notes = [], []
    for family in families:
        found, why = follow_family(settings.paper, family, settings, deadline=deadline, progress=progress)
        members.extend(found)
        notes.extend(why)
    out = families_json(settings.paper, settings, members, notes, time.monotonic() - start)
    has_eps0 = paper_families(settings.paper).eps0 is not None
    header = ("family", "branch", "r", "m", "kind", "loss", "+/-", "neg/und/pos", "lambda_min")
    say(f"paper {settings.paper}; r = {settings.r_min}..{settings.r_max}; {len(members)} members, "
        f"{out['certified']} certified; {out['seconds']} s")
    say(aligned_table(header, [_member_row(m) for m in out["members"]]))
    rows = out["lowest_spurious"]
    cols = ("r", "m", "family", "kind", "lowest spurious L") + (
        ("paper eps0", "log10(L/eps0)") if has_eps0 else ())
    if rows:
        cols = ("r", "m", "family", "kind", "lowest spurious L") + (
            ("paper eps0", "log10(L/eps0)") if has_eps0 else ())
        say(aligned_table(cols, [(str(x["r"]), str(x["m"]), x["family"], x["kind"], x["loss"])
                                 + ((x["paper_eps0"], str(x["log10_loss_over_eps0"]))
                                    if has_eps0 else ()) for x in rows]))
    if out["lowest_minimum"]:
        say(aligned_table(("r", "m", "family", "lowest spurious minimum L", "lambda_min"),
                          [(str(x["r"]), str(x["m"]), x["family"], x["loss"], x["hessian_min_eigenvalue"])
                           for x in out["lowest_minimum"]]))
        fm = out["fit_minimum"]
        if fm["exponent"] is not None:
            say(f"fitted exponent of the lowest minimum (empirical, r >= {fm['from_r']}, {fm['points']} points): "
                f"L ~ r^({fm['exponent']} +/- {fm['exponent_standard_error']})")
    if len(out["lowest_spurious_by_width"]) > 1:
        for rule, width_rows in out["lowest_spurious_by_width"].items():
            say(f"m = {rule}:")
            say(aligned_table(cols, [(str(x["r"]), str(x["m"]), x["family"], x["kind"], x["loss"])
                                     + ((x["paper_eps0"], str(x["log10_loss_over_eps0"]))
                                        if has_eps0 else ()) for x in width_rows]))
    for rule, wfit in out["fit_by_width"].items():
        if wfit["exponent"] is not None:
            say(f"m = {rule}: fitted exponent (empirical, r >= {wfit['from_r']}, {wfit['points']} points): "
                f"L ~ r^({wfit['exponent']} +/- {wfit['exponent_standard_error']}); fits from r >= "
                f"{', '.join(map(str, wfit['windows_from_r']))}: {wfit['exponent_range'][0]} .. "
                f"{wfit['exponent_range'][1]}")
    fit = out["fit"]
    if fit["exponent"] is not None:
        say(f"fitted exponent (empirical, r >= {fit['from_r']}, {fit['points']} points): "
            f"L ~ r^({fit['exponent']} +/- {fit['exponent_standard_error']})")
    expansion = out.get("expansion")
    if expansion:
        def term(c):
            return f"{c['value']:.4g} (range {c['lowest']:.4g} .. {c['highest']:.4g}, {c['fits']} fits)"
        say(f"loss of {expansion['family']} (lowest certified minimum per k, {expansion['points']} values of k) as "
            f"a series in k^(-1/2) (empirical): free: a0 = {term(expansion['free']['a0'])}, "
            f"a1 = {term(expansion['free']['a1'])}, a2 = {term(expansion['free']['a2'])}; from 1/k: "
            f"a2 = {term(expansion['from_one_over_k']['a2'])}, a3 = {term(expansion['from_one_over_k']['a3'])}")
    for note in notes:
        say(f"note: {note}")
    if args.json:
        write_output(args.json, json.dumps(out, indent=1) + "\n", what="--json", error=UsageError)
    below = [x for x in rows if has_eps0 and x["log10_loss_over_eps0"] < 0]
    return EXIT_FINDING if below else EXIT_OK
