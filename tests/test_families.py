"""Families in r (proofs_check.families): known certified points reproduced, the ZGJ
family member cross-checked by the full-space certificate, the CLI's inputs and outputs.

The reference values are the README's, found by the full-space hunt
(`proofs-check stationary`), not by this code."""
from __future__ import annotations

import json
import subprocess
import sys

import flint
import numpy as np
import pytest
from flint import arb

from numeric.orthonormal_networks import ABS_TEACHER_STUDENT, RELU_UNIT_OUTPUT
from numeric.fixed_point import RestrictedModel
from numeric.reduced_zeros import levenberg_marquardt
from numeric.stationary import TeacherStudentModel, certify, refine
from proofs_check.families import certify_member, families_of, fitted_exponent, r_schedule
from proofs_check.families.follow import transfer

DPS = 40
SS_N6_LOSS = "0.0250805810024630104194"  # README: --paper ss --orthonormal 6 --students 6
SS_N6_LAMBDA = 0.0047003547
ZGJ_R3_M4_LOSS = "0.0550026778941253066"  # README: zgj.eps0, three orthogonal teachers, m = 4


def _structured_ss_start(spec, n):
    """Safran-Shamir's structured start of the full hunt (models/relu_unit_output/hunt.py), reduced."""
    from proofs_check.models.relu_unit_output.hunt import structured_start
    from numeric.safran_shamir import SafranShamirModel

    W = structured_start(SafranShamirModel.orthonormal(n, n)).reshape(n, n)
    basis = RestrictedModel(RELU_UNIT_OUTPUT, n, n, spec.generators(n)).basis
    return basis.coordinates(W, exact=False)


def _certified_close_to(member, reference: str, digits: int) -> bool:
    """The certified loss ball lies within 10^-digits of the reference decimal."""
    with flint.ctx.workdps(DPS):
        return bool(abs(member.loss - arb(reference)) < arb(10) ** -digits)


def test_safran_shamir_k_equals_n_equals_6_minimum():
    spec = families_of("ss", ["split"])[0]
    model = RestrictedModel(RELU_UNIT_OUTPUT, 6, 6, spec.generators(6))
    y, gn = levenberg_marquardt(model, _structured_ss_start(spec, 6))
    assert gn < 1e-11
    member = certify_member("ss", spec, 6, y, dps=DPS)
    assert member.certified and member.point_type == "minimum"
    assert member.inertia_from == "isotypic blocks" and member.positive == 36
    assert _certified_close_to(member, SS_N6_LOSS, 21)
    assert abs(float(member.min_eigenvalue.mid()) - SS_N6_LAMBDA) < 1e-9
    # false twins: the README's loss 1e-6 higher, or a lambda_min 2% higher, are refuted
    with flint.ctx.workdps(DPS):
        assert not (member.loss - arb(SS_N6_LOSS) - arb("1e-6")).contains(0)
        assert member.min_eigenvalue < arb(SS_N6_LAMBDA) * arb("1.02")


def test_zgj_bisector_family_reproduces_the_hunts_lowest_saddle_and_the_full_certificate():
    """bisect+1 at r = 3 (m = 4): the full hunt's lowest saddle (README), also certified by
    the full-space Krawczyk test with an overlapping loss and the same inertia."""
    spec = families_of("zgj", ["bisect+1"])[0]
    model = RestrictedModel(ABS_TEACHER_STUDENT, 3, 4, spec.generators(3))
    y, gn = levenberg_marquardt(model, np.array([0.98, 0.2, 0.49, -0.69]))
    assert gn < 1e-11
    member = certify_member("zgj", spec, 3, y, dps=DPS)
    assert member.certified and member.point_type == "saddle"
    assert _certified_close_to(member, ZGJ_R3_M4_LOSS, 18)
    with flint.ctx.workdps(DPS):
        assert not (member.loss - arb(ZGJ_R3_M4_LOSS) - arb("1e-6")).contains(0)
    full = TeacherStudentModel.from_rows(np.eye(3, dtype=int).tolist(), 4, "abs")
    centre = refine(full, model.basis.embed(y).reshape(-1), DPS)
    cert = certify(full, centre, DPS)
    assert cert.certified
    with flint.ctx.workdps(DPS):
        assert member.loss.overlaps(full.ball_loss([arb(c.mid(), cert.radius) for c in centre]))
    assert (member.negative, member.undecided, member.positive) == (
        cert.inertia.negative, cert.inertia.undecided, cert.inertia.positive)


def test_isotypic_and_full_inertia_agree_on_a_family_member():
    spec = families_of("ss", ["split"])[0]
    model = RestrictedModel(RELU_UNIT_OUTPUT, 6, 6, spec.generators(6))
    y, _ = levenberg_marquardt(model, _structured_ss_start(spec, 6))
    by_blocks = certify_member("ss", spec, 6, y, dps=30)
    by_full = certify_member("ss", spec, 6, y, dps=30, full_space_inertia=True)
    assert (by_blocks.negative, by_blocks.undecided, by_blocks.positive) == (
        by_full.negative, by_full.undecided, by_full.positive)
    assert by_blocks.min_eigenvalue.overlaps(by_full.min_eigenvalue)


def test_transfer_keeps_the_roles():
    spec = families_of("ss", ["split"])[0]
    y = np.array([0.9, -0.05, 0.3, 0.2, -0.6])
    assert np.allclose(transfer(spec, 6, y, 9, "ss"), y)
    assert np.allclose(transfer(spec, 9, transfer(spec, 6, y, 9, "ss"), 6, "ss"), y)


def test_schedule_and_fit():
    assert r_schedule(2, 20) == tuple(range(2, 17)) + (20,)
    assert r_schedule(2, 100)[-1] == 100
    points = [(r, 3.0 * r ** -0.5) for r in (8, 12, 16, 24)]
    slope, error = fitted_exponent(points)
    assert abs(slope + 0.5) < 1e-12 and error < 1e-10
    assert abs(slope + 0.47) > 0.01  # an exponent a few hundredths off is told apart
    assert fitted_exponent(points[:2]) == (None, None)


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "proofs_check", "families", *args],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("args,field", [(["--r-max", "1"], "--r-max"), (["--paper", "du", "--r-max", "4"], "--paper"),
                                        (["--r-max", "4", "--family", "nope"], "--family"),
                                        (["--r-max", "4", "--starts", "0"], "--starts"),
                                        (["--r-max", "4", "--dps", "5"], "--dps"), ([], "--r-max"),
                                        (["--r-max", "4", "--paper", "ss", "--family", "mirror"], "--family")])
def test_cli_bad_input_exits_2_naming_the_field(args, field, capsys):
    from proofs_check.cli import main

    assert main(["families", *args]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0]


def test_cli_json_to_stdout():
    out = _cli("--paper", "ss", "--family", "split", "--r-min", "6", "--r-max", "6", "--branches", "1",
               "--starts", "4", "--json", "-", "--no-progress")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["paper"] == "ss" and "factor 1/2" in data["loss_normalisation"]
    assert all(m["r"] == 6 for m in data["members"])
    assert data["fit_by_width"]["r"]["status"] == "empirical" and data["fit_by_width"]["r"]["exponent"] is None
    assert data["expansion"] is None  # one n: no series fitted
    assert "members" in out.stderr


def test_report_draws_the_families_figure(tmp_path, capsys):
    """report --families: the figure is drawn (vector PDF) with the fitted exponent and the
    gap to eps0 in its caption; a file of the other paper is refused naming the option."""
    from proofs_check.cli import main
    from proofs_check.commands.report import load_families_figure
    from proofs_check.report.figure_data import FamilyThreshold, FigureData
    from proofs_check.report.figures import render_figures
    from tests.test_report import FIXTURE

    families = {"paper": "zgj", "fit": {"exponent": -0.25, "exponent_standard_error": 0.01, "from_r": 8},
                "lowest_spurious": [{"r": r, "loss": f"{0.05 * (r / 8) ** -0.25:.6f}", "paper_eps0": "1e-100",
                                     "family": "bisect+1"} for r in (4, 8, 16, 32)]}
    path = tmp_path / "families.json"
    path.write_text(json.dumps(families))
    out = tmp_path / "report"
    figure = FamilyThreshold.from_json(load_families_figure(path))
    entries = {e.key: e for e in render_figures(FigureData(families=figure), out)}
    data = (out / "fig-families-threshold.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"/Subtype /Image" not in data
    caption = entries["families"].caption
    assert "the exponent $-0.25 \\pm 0.01$" in caption and "bisect+1" in caption
    # 0.05 (32/8)^-0.25 = 0.0354 and 0.05 (4/8)^-0.25 = 0.0595 over eps0 = 1e-100
    assert "lie $10^{98.5}$ to $10^{98.8}$ above it" in caption
    families["paper"] = "ss"
    path.write_text(json.dumps(families))
    capsys.readouterr()
    assert main(["report", "--from", str(FIXTURE), "--out", str(out), "--families", str(path)]) == 2
    assert "--families" in capsys.readouterr().err


def test_stationary_symmetric(tmp_path, capsys):
    from proofs_check.cli import main

    path = tmp_path / "sym.json"
    assert main(["stationary", "--paper", "ss", "--orthonormal", "6", "--students", "6", "--symmetric",
                 "--family", "split", "--starts", "6", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert any(m["kind"] == "minimum" and m["loss"].startswith(SS_N6_LOSS[:20]) for m in data["members"])
    capsys.readouterr()
    assert main(["stationary", "--orthonormal", "5", "--students", "9", "--symmetric"]) == 2
    assert "--students" in capsys.readouterr().err
    assert main(["stationary", "--orthonormal", "5", "--students", "5", "--family", "diag"]) == 2
    assert "--symmetric" in capsys.readouterr().err


def test_campaign_family_task_and_example_spec(tmp_path, capsys):
    """The campaign task kind 'family' runs and is summarised; the example spec is valid;
    a family of the other paper is refused naming the key."""
    from pathlib import Path

    from proofs_check.campaign.spec import load_spec
    from proofs_check.cli import main

    example = Path(__file__).resolve().parent.parent / "examples" / "families_sweep.toml"
    assert len(load_spec(example).tasks()) == 15
    spec = tmp_path / "spec.toml"
    spec.write_text('name = "t"\n[[tasks]]\nkind = "family"\npaper = "ss"\nfamily = "split"\nr = 6\n'
                    'branches = 1\nstarts = 4\n')
    db = tmp_path / "c.sqlite"
    assert main(["campaign", str(spec), "--db", str(db), "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["campaign", "show", "--db", str(db), "--query", "families", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["r"] == 6 and rows[0]["lowest_spurious"]["kind"] == "minimum"
    assert rows[0]["lowest_spurious"]["loss"].startswith(SS_N6_LOSS[:20])
    spec.write_text('name = "t"\n[[tasks]]\nkind = "family"\npaper = "ss"\nfamily = "mirror"\nr = 6\n')
    assert main(["campaign", str(spec), "--db", str(db), "--workers", "1"]) == 2
    assert "family" in capsys.readouterr().err


ZGJ_R2_M2_LOSS = "0.0578724924565900122"  # README: the full hunt's lowest saddle, r = 2 (two bisectors)


def _full_space_certificate(r, W):
    """The full-space Krawczyk certificate of the point W (m x r) for orthonormal teachers:
    (loss ball, inertia), independent of the reduced coordinates."""
    full = TeacherStudentModel.from_rows(np.eye(r, dtype=int).tolist(), len(W), "abs")
    centre = refine(full, np.asarray(W, dtype=float).reshape(-1), DPS)
    cert = certify(full, centre, DPS)
    assert cert.certified
    with flint.ctx.workdps(DPS):
        loss = full.ball_loss([arb(c.mid(), cert.radius) for c in centre])
    return loss, cert.inertia


def test_the_m_equals_r_branch_that_continues_is_seeded_and_certified_in_the_full_space():
    """split at r = 5: the branch with the last teacher uncovered (the one followed to
    r = 64) is among the seeds (it was missed when every start was deflated); at r = 6 its
    member's loss and inertia agree with the full-space certificate (36 unknowns)."""
    from proofs_check.families.follow import FollowSettings, seed_zeros

    spec = families_of("zgj", ["split"])[0]
    r0, seeds = seed_zeros("zgj", spec, FollowSettings(paper="zgj", r_max=6, starts=24, branches=3))
    model5 = RestrictedModel(ABS_TEACHER_STUDENT, r0, 5, spec.generators(r0))
    losses = [model5.loss_gradient64(y)[0] for y in seeds]
    assert any(abs(L - 0.2210147) < 1e-6 for L in losses), losses
    branch = seeds[[abs(L - 0.2210147) < 1e-6 for L in losses].index(True)]
    model6 = RestrictedModel(ABS_TEACHER_STUDENT, 6, 6, spec.generators(6))
    y, gn = levenberg_marquardt(model6, transfer(spec, 5, branch, 6))
    assert gn < 1e-11
    member = certify_member("zgj", spec, 6, y, dps=DPS)
    assert member.certified and member.point_type == "saddle"
    loss, inert = _full_space_certificate(6, model6.basis.embed(y))
    with flint.ctx.workdps(DPS):
        assert member.loss.overlaps(loss)
        assert not (member.loss - loss - arb("1e-6")).contains(0)  # a loss 1e-6 higher is refuted
    assert (member.negative, member.undecided, member.positive) == (inert.negative, inert.undecided, inert.positive)


def test_the_two_diag_branches_end_together_at_r_17():
    """diag at r = 17: two certified saddles whose full Hessians' indices differ by one and
    whose restricted Hessians' smallest eigenvalues have opposite signs (a fold's pair);
    Levenberg-Marquardt from either, carried to r = 18, does not converge (found, not proved)."""
    spec = families_of("zgj", ["diag"])[0]
    model = RestrictedModel(ABS_TEACHER_STUDENT, 17, 17, spec.generators(17))
    members, smallest = [], []
    for start in ([0.92, -0.097], [0.93, -0.09]):
        y, gn = levenberg_marquardt(model, np.array(start))
        assert gn < 1e-11
        members.append(certify_member("zgj", spec, 17, y, dps=30))
        smallest.append(np.linalg.eigvalsh(model.hessian64(y))[0])
    a, b = members
    assert a.certified and b.certified and a.point_type == b.point_type == "saddle"
    assert not a.loss.overlaps(b.loss) and abs(a.negative - b.negative) == 1
    assert smallest[0] * smallest[1] < 0
    model18 = RestrictedModel(ABS_TEACHER_STUDENT, 18, 18, spec.generators(18))
    for member in members:
        y18 = transfer(spec, 17, np.array([float(v) for v in member.y]), 18)
        y, gn = levenberg_marquardt(model18, y18, steps=200)
        assert y is None or not gn < 1e-11 or model18.loss_gradient64(y)[0] < 1e-9


def test_pairs_mirror_zero_reproduces_the_two_bisectors_and_the_zero_student_lift():
    """pairs-mirror-zero: at r = 2 the full hunt's lowest saddle (two students on the
    bisectors, README); at r = 3 the four live students are certified in the full space with
    the same loss and inertia, and with two students added at w = 0 the full gradient of
    the six-student loss is 0 on those rows exactly (the lift lemma)."""
    spec = families_of("zgj", ["pairs-mirror-zero"])[0]
    model2 = RestrictedModel(ABS_TEACHER_STUDENT, 2, 2, spec.generators(2))
    y2, gn = levenberg_marquardt(model2, np.array([0.7, -0.7]))
    assert gn < 1e-11
    m2 = certify_member("zgj", spec, 2, y2, dps=DPS)
    assert m2.certified and m2.point_type == "saddle" and m2.m == 4 and "w = 0" in m2.reason
    assert _certified_close_to(m2, ZGJ_R2_M2_LOSS, 18)
    model3 = RestrictedModel(ABS_TEACHER_STUDENT, 3, 4, spec.generators(3))
    y3, gn = levenberg_marquardt(model3, np.array([0.72, 0.0, -0.48]))
    assert gn < 1e-11
    m3 = certify_member("zgj", spec, 3, y3, dps=DPS)
    assert m3.certified and m3.point_type == "saddle" and m3.m == 6
    W = model3.basis.embed(y3)
    loss, inert = _full_space_certificate(3, W)
    with flint.ctx.workdps(DPS):
        assert m3.loss.overlaps(loss)
        assert not (m3.loss - loss + arb("1e-6")).contains(0)  # a loss 1e-6 lower is refuted
    assert (m3.negative, m3.undecided, m3.positive) == (inert.negative, inert.undecided, inert.positive)
    six = TeacherStudentModel.from_rows(np.eye(3, dtype=int).tolist(), 6, "abs")
    with flint.ctx.workdps(DPS):
        rows = [[arb(float(v)) for v in row] for row in W] + [[arb(0)] * 3] * 2
        gradient = six.ball_gradient([v for row in rows for v in row])
    assert all(g == 0 for g in gradient[12:])  # exactly zero on the two zero students
    a_live_gradient = [float(g.mid()) for g in gradient[:12]]
    assert max(map(abs, a_live_gradient)) < 1e-12


def test_zero_student_lift_never_calls_a_minimum():
    from proofs_check.families.definitions import zero_student_lift

    assert zero_student_lift("minimum", 0) == ("minimum", "")
    assert zero_student_lift("saddle", 2)[0] == "saddle"
    assert zero_student_lift("minimum", 2)[0] == "degenerate"
    assert zero_student_lift("global", 2)[0] == "global"


def test_series_fit_recovers_a_planted_expansion_and_tells_a_near_twin_apart():
    from proofs_check.families.expansion import coefficient_spread, series_fit

    ks = list(range(6, 17)) + [20, 24, 28, 32, 40, 48, 56, 64, 76, 88, 100]
    planted = [(k, 0.2974 / k - 0.25 / k ** 1.5 + 0.1 / k ** 2) for k in ks]
    fit = series_fit(planted, powers=(2, 3, 4))
    assert abs(fit.coefficient(2) - 0.2974) < 1e-9 and fit.max_relative_residual < 1e-9
    assert abs(fit.coefficient(2) - 0.30) > 0.002  # a leading coefficient a few thousandths off is told apart
    free = series_fit(planted, powers=(0, 1, 2, 3, 4))
    assert abs(free.coefficient(0)) < 1e-8 and abs(free.coefficient(1)) < 1e-7
    # a term the base fit lacks (k^-5/2) shows up as a spread that contains the truth
    truncated = [(k, L + 0.5 / k ** 2.5) for k, L in planted]
    spread = coefficient_spread(truncated, 2, base_powers=(2, 3))
    assert spread["highest"] - spread["lowest"] > 1e-4 and spread["fits"] >= 4
    with pytest.raises(ValueError):
        series_fit(planted[:3], powers=(0, 1, 2, 3))


def test_fit_with_range_quotes_the_window_spread():
    from proofs_check.families.report import fit_with_range

    points = [(r, 0.05 * r ** -0.1 * (1 + 1 / r)) for r in (8, 10, 12, 16, 20, 24, 32, 40, 48, 64)]
    fit = fit_with_range(points)
    lo, hi = fit["exponent_range"]
    assert fit["status"] == "empirical" and lo < hi and lo <= fit["exponent"] <= hi
    assert -0.1 - 0.2 < lo and hi < -0.1 + 0.01  # the curvature pulls the short-window fits towards -0.1
    assert fit["windows_from_r"] == [8, 16, 32]


def test_report_draws_one_series_per_width(tmp_path):
    from proofs_check.report.figure_data import FamilyThreshold, FigureData
    from proofs_check.report.figures import render_figures
    from proofs_check.schema import ResultsError

    def rows(family, scale):
        return [{"r": r, "loss": f"{scale * r ** -0.05:.6f}", "paper_eps0": "1e-100", "family": family}
                for r in (4, 8, 16, 32)]

    data = {"paper": "zgj", "fit": {"exponent": -0.05, "exponent_standard_error": 0.001, "from_r": 8},
            "lowest_spurious": rows("bisect+1", 0.05),
            "lowest_spurious_by_width": {"r": rows("split", 0.2), "r+1": rows("bisect+1", 0.05),
                                         "2r": rows("pairs-mirror-zero", 0.04)},
            "fit_by_width": {w: {"exponent": -0.05, "exponent_range": [-0.06, -0.04], "from_r": 8}
                             for w in ("r", "r+1", "2r")}}
    figure = FamilyThreshold.from_families_json(data)
    assert figure.width == ("r",) * 4 + ("r+1",) * 4 + ("2r",) * 4
    assert FamilyThreshold.from_json(figure.to_json()) == figure
    entries = {e.key: e for e in render_figures(FigureData(families=figure), tmp_path)}
    caption = entries["families"].caption
    assert "$m = 2r$: $-0.05$" in caption and "$-0.06$ to $-0.04$" in caption and "empirical" in caption
    assert (tmp_path / "fig-families-threshold.pdf").read_bytes().startswith(b"%PDF")
    bad = figure.to_json()
    bad["width"][0] = "r+2}\\input"
    with pytest.raises(ResultsError, match=r"width\[0\]"):
        FamilyThreshold.from_json(bad)


def test_a_member_with_zero_student_rows_is_uncertified_not_an_error():
    """bisect+1's branch 4 at r = 8 continues to a point whose reduced coordinates make
    students zero (found by ``families --paper zgj --family bisect+1 --r-max 8``, which
    used to stop with exit 2): the Hessian is undefined at a zero row, so Newton and the
    Krawczyk test cannot run; the member is recorded as uncertified with that reason and
    the rest of the family goes on."""
    from proofs_check.families import certify_member, families_of

    family = families_of("zgj", ["bisect+1"])[0]
    member = certify_member("zgj", family, 8, [0.0, 0.0, 0.52382461017249543, -0.91184032235737961, 0.0], branch=4)
    assert not member.certified and member.point_type == "uncertified"
    assert member.reason.startswith("not certifiable:") and "zero student row" in member.reason
    assert member.y[:2] == ("0", "0") and member.loss is None
