"""Stationary points: certificates, classification, and the hunt (issue 10).

Known points come from :mod:`symbolic.stationary_points` (derived with SymPy), never from
numbers typed here; every certificate is shown to fail on a false case close to the truth.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp
from flint import arb
from hypothesis import given, settings, strategies as st

from numeric.stationary import TeacherStudentModel, certify, descend, inertia, refine
from proofs_check.landscape import (
    HuntSettings,
    classify_point,
    hunt_model,
    landscape_json,
    symmetry_key,
    teacher_symmetries,
    zero_row_coefficient,
)
from proofs_check.models.teacher_student.hunt import hunt
from proofs_check.models.teacher_student.reduction import reduce_point
from symbolic.stationary_points import orthogonal_teacher_points

DPS = 40


def _closed_form(r, name):
    return {p.name: p for p in orthogonal_teacher_points(r)}[name]


def _teacher(r):
    return np.eye(r).tolist()


def _rows(point, r):
    rows = point.student_rows(DPS + 20)
    return [[float(x) for x in row] for row in rows] if rows else []


def _ball(expr, digits=DPS + 20):
    """The exact closed form as a ball of radius 10^-(digits-5)."""
    with flint.ctx.workdps(digits):
        return arb(str(sp.N(expr, digits)), f"1e-{digits - 5}")


def _classified(r, name, m=None):
    point = _closed_form(r, name)
    W = np.array(_rows(point, r)).reshape(-1, r)
    m = m or max(len(W), 1)
    W = np.vstack([W, np.zeros((m - len(W), r))])
    model = TeacherStudentModel.from_rows(_teacher(r), m)
    return point, classify_point(model, reduce_point(W), np.eye(r), DPS, np.random.default_rng(0))


@pytest.mark.parametrize("r,name", [
    (2, "zero"), (2, "one on a teacher"), (2, "one on a bisector"), (2, "both bisectors"),
    (3, "zero"), (3, "one on a teacher"), (3, "one on a bisector"), (3, "one on the diagonal"),
])
def test_closed_form_points_are_certified_with_their_loss(r, name):
    point, info = _classified(r, name, m=r)
    assert info["certified"], info["classification"]
    # The closed form lies in the certified loss ball, and the ball is narrow.
    assert info["loss"].overlaps(_ball(point.loss))
    assert info["loss"].rad() < mpmath.mpf(10) ** -25
    assert info["point_type"] == "saddle"


def test_global_minimum_is_certified_and_positive_definite():
    point, info = _classified(2, "one per teacher")
    assert info["certified"] and info["point_type"] == "global"
    assert info["min_eigenvalue"] > 0


def test_zero_point_is_a_saddle_by_the_zero_row_test():
    point, info = _classified(3, "zero", m=4)
    assert info["point_type"] == "saddle" and "g = -" in info["classification"]
    # W = 0 loss is exactly L(0) = r/2 + r(r-1)/pi.
    assert info["loss"].overlaps(_ball(sp.Rational(3, 2) + 6 / sp.pi))


def test_zero_row_coefficient_matches_the_loss_expansion():
    # L(W, t w) = L(W) + t^2 |w|^2 g(w) + t^4 |w|^4 / 2 exactly, at a random t.
    model = TeacherStudentModel.from_rows(_teacher(2), 1)
    w = [0.3, -0.4]
    grown = TeacherStudentModel.from_rows(_teacher(2), 2)
    with flint.ctx.workdps(40):
        x = [arb("0.7"), arb("0.2")]
        g = zero_row_coefficient(model, x, w)
        t = arb("0.37")
        lhs = grown.ball_loss(x + [t * arb(v) for v in w])
        n2 = arb(w[0]) ** 2 + arb(w[1]) ** 2
        rhs = model.ball_loss(x) + t ** 2 * n2 * g + t ** 4 * n2 ** 2 / 2
        assert (lhs - rhs).contains(0) and (lhs - rhs).rad() < 1e-35
        # and a wrong expansion (a different quartic coefficient) is refuted
        assert not (lhs - rhs - t ** 4 * n2 ** 2 / 100).contains(0)


def test_perturbed_point_is_not_certified_at_a_radius_below_its_distance():
    point = _closed_form(2, "one on a bisector")
    model = TeacherStudentModel.from_rows(_teacher(2), 1)
    exact = refine(model, np.array(_rows(point, 2)).reshape(-1), DPS)
    with flint.ctx.workdps(DPS):
        perturbed = [exact[0] + arb("1e-8"), exact[1]]
        g, _ = model.ball_gradient_hessian(perturbed)
        gnorm = max(abs(float(v.mid())) for v in g)
    assert 1e-9 < gnorm < 1e-7
    # At the perturbed centre the box of radius 1e-12 holds no zero of the gradient.
    cert = certify(model, perturbed, DPS, radii=[mpmath.mpf("1e-12"), mpmath.mpf("1e-10")])
    assert not cert.certified
    # With the default radii, any certificate found encloses the true point, 1e-8 away.
    cert = certify(model, perturbed, DPS)
    assert cert.certified and cert.radius >= mpmath.mpf("1e-8")


@dataclass(frozen=True)
class _FlippedBlock:
    """A model whose Hessian has one off-diagonal d x d block with its sign flipped."""

    inner: TeacherStudentModel

    @property
    def n(self):
        return self.inner.n

    def ball_gradient_hessian(self, x):
        g, H = self.inner.ball_gradient_hessian(x)
        d = self.inner.d
        H = [list(row) for row in H]
        for i in range(d):
            for k in range(d, 2 * d):
                H[i][k] = -H[i][k]
                H[k][i] = -H[k][i]
        return g, H

    def ball_gradient(self, x):
        return self.inner.ball_gradient(x)


def test_planted_wrong_hessian_is_caught():
    point = _closed_form(2, "both bisectors")
    model = TeacherStudentModel.from_rows(_teacher(2), 2)
    centre = refine(model, np.array(_rows(point, 2)).reshape(-1), DPS)
    assert certify(model, centre, DPS).certified
    cert = certify(_FlippedBlock(model), centre, DPS)
    assert not cert.certified and "inconsistent" in cert.reason


@dataclass(frozen=True)
class _DoubleWell:
    """``f(x, y) = (x^2 - 1)^2 + y^2 + x / 10``: two minima near ``x = +-1`` (``f != 0``),
    a saddle near the origin.  The protocol is model-generic: a toy model in a few lines."""

    n: int = 2

    def loss_gradient64(self, v):
        x, y = v
        return (x * x - 1) ** 2 + y * y + x / 10, np.array([4 * x * (x * x - 1) + 0.1, 2 * y])

    def hessian64(self, v):
        x, _ = v
        return np.array([[12 * x * x - 4, 0.0], [0.0, 2.0]])

    def ball_loss(self, v):
        x, y = v
        return (x * x - 1) ** 2 + y * y + x / 10

    def ball_gradient_hessian(self, v):
        x, y = v
        return [4 * x * (x * x - 1) + arb(1) / 10, 2 * y], [[12 * x * x - 4, arb(0)], [arb(0), arb(2)]]

    def snap(self, v):
        return v


def test_generic_hunt_on_a_toy_model():
    points = hunt_model(_DoubleWell(), [np.array(s) for s in ((1.2, 0.3), (-0.8, -0.1), (0.025, 0.0))])
    assert [p["point_type"] for p in points] == ["minimum", "minimum", "saddle"]
    assert all(p["certified"] for p in points)


@pytest.mark.parametrize("start,negative", [((0.9, 0.3), 0), ((0.05, 0.2), 1)])
def test_minimum_and_saddle_are_classified(start, negative):
    model = _DoubleWell()
    found = descend(model, np.array(start), gd_steps=0)  # Newton goes to the nearest zero
    cert = certify(model, refine(model, found.x, DPS), DPS)
    assert cert.certified
    assert cert.inertia.negative == negative and cert.inertia.undecided == 0


def test_inertia_does_not_decide_a_zero_eigenvalue():
    with flint.ctx.workdps(30):
        H = [[arb(1), arb(0)], [arb(0), arb(0, "1e-20")]]
        inert = inertia(H)
    assert inert.undecided == 1 and inert.positive == 1


@settings(max_examples=25, deadline=None, database=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3),
       st.lists(st.floats(0.1, 2), min_size=3, max_size=3))
def test_inertia_matches_a_known_spectrum(angles, magnitudes):
    # H = Q diag(lambda) Q^T with an exact-ish rotation: inertia and lambda_min agree.
    lam = [magnitudes[0], -magnitudes[1], magnitudes[2]]
    Q = np.linalg.qr(np.array([[np.cos(a), np.sin(a), 1.0] for a in angles]))[0]
    H = Q @ np.diag(lam) @ Q.T
    with flint.ctx.workdps(30):
        inert = inertia([[arb(float(x)) for x in row] for row in H])
    assert (inert.negative, inert.undecided, inert.positive) == (1, 0, 2)
    assert inert.min_eigenvalue.overlaps(arb(min(lam), 1e-12))


def test_symmetry_key_identifies_images_under_the_teacher_group():
    group = teacher_symmetries(_teacher(2))
    U = np.array([[0.3, 0.9], [-0.2, 0.1]])
    key, orbit = symmetry_key(U, group)
    for A in group:
        moved = (U @ A.T)[::-1] * np.array([[-1.0], [1.0]])  # act, swap students, flip a sign
        assert symmetry_key(moved, group)[0] == key
    assert symmetry_key(U + 1e-3, group)[0] != key


def _symmetry_key_one_image_at_a_time(U, group, decimals=5):
    """The definition: the smallest image, rows sign-normalised and sorted, and the orbit size."""
    def normalised(V):
        rows = []
        for u in V:
            nz = np.nonzero(np.abs(u) > 10.0 ** -decimals)[0]
            s = -1.0 if nz.size and u[nz[0]] < 0 else 1.0
            rows.append(tuple(float(x) for x in np.round(s * u, decimals) + 0.0))
        return tuple(sorted(rows))
    images = {normalised(np.asarray(U) @ A.T) for A in group}
    return min(images), len(images)


@settings(max_examples=60, deadline=None, database=None)
@given(r=st.integers(2, 4), n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), rounded=st.booleans())
def test_symmetry_key_equals_its_definition(r, n, seed, rounded):
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n, r))
    if rounded:  # ties between rows, zero entries, exact sign flips
        U = np.round(U)
    group = teacher_symmetries(_teacher(r))
    assert symmetry_key(U, group) == _symmetry_key_one_image_at_a_time(U, group)


@settings(max_examples=80, deadline=None, database=None)
@given(k=st.integers(1, 50), w=st.integers(1, 5), labels=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_smallest_label_set_is_the_smallest_sorted_row(k, w, labels, seed):
    from proofs_check.landscape.symmetry import smallest_label_set as _smallest_label_set

    images = np.random.default_rng(seed).integers(0, labels, size=(k, w))  # few labels: many ties
    assert _smallest_label_set(images) == min(tuple(sorted(row)) for row in images.tolist())


def test_atom_combinations_keep_exactly_one_start_per_orbit():
    import itertools

    from proofs_check.models.teacher_student.hunt_starts import atom_combinations, structured_atoms

    T = _teacher(3)
    group = teacher_symmetries(T)
    found = atom_combinations(T, 3, group, np.random.default_rng(0), 10**6)

    def key(rows):
        return _symmetry_key_one_image_at_a_time(rows / np.linalg.norm(rows, axis=1)[:, None], group)[0]

    keys = [key(rows) for _, _, rows in found]
    assert len(keys) == len(set(keys))  # no orbit twice
    atoms = np.array(structured_atoms(T))
    every = {key(atoms[list(c)]) for w in (1, 2, 3) for c in itertools.combinations(range(len(atoms)), w)}
    assert set(keys) == every  # and every orbit of up to 3 distinct atoms once
    assert sum(len(k) == 1 for k in keys) == 3  # single atoms: a teacher, a bisector, the diagonal


def test_certify_stops_at_its_deadline():
    import time

    from numeric.stationary import DEADLINE_PASSED

    point = _closed_form(2, "both bisectors")
    model = TeacherStudentModel.from_rows(_teacher(2), 2)
    centre = refine(model, np.array(_rows(point, 2)).reshape(-1), DPS)
    late = certify(model, centre, DPS, deadline=time.monotonic() - 1)
    assert not late.certified and late.reason == DEADLINE_PASSED
    on_time = certify(model, centre, DPS, deadline=time.monotonic() + 600)
    assert on_time.certified and on_time.inertia.negative == 1


def test_classify_point_past_its_deadline_keeps_the_point_uncertified():
    import time

    from numeric.stationary import DEADLINE_PASSED

    point = _closed_form(2, "both bisectors")
    model = TeacherStudentModel.from_rows(_teacher(2), 2)
    reduced = reduce_point(np.array(_rows(point, 2)))
    info = classify_point(model, reduced, np.eye(2), DPS, np.random.default_rng(0), deadline=time.monotonic() - 1)
    assert not info["certified"] and info["radius"] is None
    assert DEADLINE_PASSED in info["classification"] and "not certified" in info["classification"]
    assert info["loss"].overlaps(_ball(point.loss))  # its loss is still a ball at the uncertified centre


def test_hunt_finds_the_two_teacher_landscape():
    result = hunt(_teacher(2), HuntSettings(students=2, starts=40, seed=0))
    out = landscape_json(result)
    json.dumps(out)  # JSON-able
    losses = {p["kind"] for p in out["points"]}
    assert "global" in losses
    for name in ("zero", "one on a teacher", "one on a bisector", "both bisectors"):
        target = _ball(_closed_form(2, name).loss)
        assert any(p.certified and p.loss.overlaps(target) for p in result.points), name
    low = out["lowest_spurious"]
    assert low is not None
    assert result.points[low["index"]].loss.overlaps(_ball(_closed_form(2, "both bisectors").loss))


def test_closed_form_loss_agrees_with_monte_carlo():
    # Independent of the kernel's closed form: L = 1/2 E[(f - f*)^2] by sampling x.
    point = _closed_form(2, "both bisectors")
    S = np.array(_rows(point, 2))
    rng = np.random.default_rng(0)
    X = rng.standard_normal((400000, 2))
    f = (np.linalg.norm(S, axis=1) * np.abs(X @ S.T)).sum(1)
    res = f - np.abs(X).sum(1)
    mc, se = 0.5 * np.mean(res ** 2), 0.5 * np.std(res ** 2) / np.sqrt(len(X))
    assert abs(mc - float(sp.N(point.loss))) < 4 * se


def _cli(*args):
    from proofs_check.cli import main

    return main(list(args))


def test_cli_writes_the_landscape_json(tmp_path, capsys):
    teacher = tmp_path / "t.json"
    teacher.write_text('{"teacher": [[1, 0], [0, 1]], "student": [[5, 5]]}')  # students ignored
    out = tmp_path / "landscape.json"
    assert _cli("stationary", str(teacher), "--students", "2", "--starts", "16", "--no-progress",
                "--json", str(out)) == 0
    data = json.loads(out.read_text())
    assert data["students"] == 2 and data["teacher"] == [["1", "0"], ["0", "1"]]
    keys = {"loss", "loss_error", "kind", "certified", "radius", "gradient_norm",
            "hessian_min_eigenvalue", "config", "multiplicity"}
    assert all(keys <= set(p) for p in data["points"])
    assert {p["kind"] for p in data["points"]} <= {"global", "minimum", "saddle", "degenerate"}
    low = data["lowest_spurious"]
    assert data["points"][low["index"]]["loss"] == low["loss"]
    assert "lowest certified spurious" in capsys.readouterr().out


@pytest.mark.parametrize("content,args,field", [
    ('{"student": [[1, 0]]}', ("--students", "2"), "teacher"),
    ('{"teacher": [[1, 0], [0]]}', ("--students", "2"), "teacher row 1"),
    ('{"teacher": [[1, 0]]}', ("--students", "0"), "--students"),
    ('{"teacher": [[1, 0]]}', ("--students", "2", "--starts", "0"), "--starts"),
    ('{"teacher": [[1, 0], [0, 1]]}', ("--students", "1"), "--students = 1 is below r = 2"),
])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, capsys, content, args, field):
    teacher = tmp_path / "t.json"
    teacher.write_text(content)
    assert _cli("stationary", str(teacher), *args, "--no-progress") == 2
    err = capsys.readouterr().err.strip()
    assert field in err and len(err.splitlines()) == 1


@dataclass(frozen=True)
class _FlatQuartic:
    """``f(x, y) = 1 + x^2 + y^4``: a minimum at 0 with a zero Hessian eigenvalue."""

    n: int = 2

    def loss_gradient64(self, v):
        x, y = v
        return 1 + x * x + y ** 4, np.array([2 * x, 4 * y ** 3])

    def hessian64(self, v):
        return np.array([[2.0, 0.0], [0.0, 12 * v[1] ** 2]])

    def ball_loss(self, v):
        return 1 + v[0] * v[0] + v[1] ** 4

    def ball_gradient_hessian(self, v):
        x, y = v
        return [2 * x, 4 * y ** 3], [[arb(2), arb(0)], [arb(0), 12 * y * y]]

    def snap(self, v):
        return v


def test_a_zero_eigenvalue_is_degenerate_never_a_minimum():
    (point,) = hunt_model(_FlatQuartic(), [np.array([0.3, 0.0])])
    assert point["point_type"] == "degenerate" and not point["certified"]


def test_saddle_hops_leave_along_negative_curvature():
    from numeric.config import Configuration
    from proofs_check.models.teacher_student.hunt import saddle_hops

    # Both students on both bisectors of two orthogonal teachers: a certified saddle.
    point = _closed_form(2, "both bisectors")
    model = TeacherStudentModel.from_rows(_teacher(2), 2)
    hops = saddle_hops(model, Configuration(_teacher(2), point.student_rows(30)), 2)
    assert len(hops) == 2
    L0 = model.loss_gradient64(np.array(_rows(point, 2)).reshape(-1))[0]
    # Both ways along the negative direction lower the loss (second order dominates).
    assert all(model.loss_gradient64(W.reshape(-1))[0] < L0 for _, _, W in hops)


@pytest.mark.parametrize("activation", ["abs", "relu"])
def test_box_evaluation_agrees_with_the_evaluator(activation):
    # The pairwise ball path used on boxes against numeric.evaluate on exact rows.
    from numeric import evaluate
    from numeric.config import Configuration

    rng = np.random.default_rng(3)
    T, W = rng.standard_normal((2, 3)), rng.standard_normal((3, 3)) * 0.8
    config = Configuration(T.tolist(), W.tolist(), activation)
    model = TeacherStudentModel.from_rows(T.tolist(), 3, activation)
    ref = evaluate(config, 40, hessian=True)
    with flint.ctx.workdps(40):
        x = [arb(float(v)) for v in W.reshape(-1)]
        g, H = model.ball_gradient_hessian(x)
        assert model.ball_loss(x).overlaps(ref.loss)
        assert all(a.overlaps(b) for a, b in zip(g, [v for row in ref.gradient for v in row]))
        assert all(a.overlaps(b) for ra, rb in zip(H, ref.hessian) for a, b in zip(ra, rb))
        # and a box encloses the values at its points
        box = [arb(float(v), 1e-6) for v in W.reshape(-1)]
        assert model.ball_loss(box).contains(ref.loss.mid())


# ---- the hunt's models are declared by the papers -------------------------------------------

def test_every_paper_declared_hunt_model_is_selectable():
    from proofs_check.commands.stationary import hunt_models, select_hunt_model

    models = hunt_models()
    assert models["zgj.teacher_student"][0] == "zgj" and models["ss.relu_unit_output"][0] == "ss"
    assert select_hunt_model(None, None).id == "zgj.teacher_student"  # the first paper's
    assert select_hunt_model("ss", None).id == "ss.relu_unit_output"


def test_cli_safran_shamir_hunt_certifies_the_n6_spurious_minimum(tmp_path, capsys):
    """k = n = 6 (Safran and Shamir's smallest size): the shared hunt on the ss package's
    model certifies a spurious local minimum; a planted wrong statement about it (its
    Hessian's least eigenvalue 2% higher than certified, or its loss 1e-20 relative lower)
    is rejected by the certified balls."""
    out = tmp_path / "ss6.json"
    assert _cli("stationary", "--paper", "ss", "--orthonormal", "6", "--students", "6", "--starts", "3",
                "--no-progress", "--json", str(out)) == 0
    assert "model ss.relu_unit_output" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert data["model"] == "ss.relu_unit_output" and data["activation"] == "relu"
    minima = [p for p in data["points"] if p["kind"] == "minimum" and p["certified"]]
    assert minima and data["lowest_spurious"] is not None
    low = data["points"][data["lowest_spurious"]["index"]]
    assert low["kind"] == "minimum" and low["config"]["model"] == "ss.relu_unit_output"
    with mpmath.workdps(40):
        lam = mpmath.mpf(low["hessian_min_eigenvalue"])
        lam_err = mpmath.mpf(low["hessian_min_eigenvalue_error"])
        loss, loss_err = mpmath.mpf(low["loss"]), mpmath.mpf(low["loss_error"])
        assert lam - lam_err > 0 and loss - loss_err > 0  # the true claim: a spurious minimum
        assert not lam + lam_err >= lam * mpmath.mpf("1.02")  # "lambda_min >= 1.02 x" is refuted
        assert not loss + loss_err >= loss * (1 + mpmath.mpf("1e-20"))  # "L >= (1 + 1e-20) x" refuted
    assert abs(float(loss) - 0.02508058100246) < 1e-13


def test_cli_safran_shamir_point_is_re_certified_from_its_printed_rows(tmp_path):
    """The printed centre is within the printed radius of a certified stationary point: the
    model re-certifies it, and the same rows moved by 1e-6 are not a stationary point."""
    from numeric.safran_shamir import SafranShamirModel

    out = tmp_path / "ss6.json"
    assert _cli("stationary", "--model", "ss.relu_unit_output", "--orthonormal", "6", "--students", "6",
                "--starts", "1", "--no-progress", "--json", str(out)) == 0
    low = json.loads(out.read_text())["points"][0]
    assert low["kind"] == "minimum"
    model = SafranShamirModel.orthonormal(6, 6)
    with flint.ctx.workdps(DPS):
        x = [arb(v) for row in low["config"]["student"] for v in row]
        cert = certify(model, x, DPS)
        assert cert.certified and cert.inertia.negative == 0 and cert.inertia.undecided == 0
        moved = [x[0] + arb("1e-6")] + x[1:]
        far = certify(model, moved, DPS, radii=[mpmath.mpf("1e-9")])
        assert not far.certified


@pytest.mark.parametrize("args,field", [
    (("--paper", "du", "--orthonormal", "2", "--students", "2"), "--paper = 'du' declares no model"),
    (("--model", "nope", "--orthonormal", "2", "--students", "2"), "--model = 'nope' is not a hunt model"),
    (("--model", "ss.relu_unit_output", "--paper", "zgj", "--orthonormal", "2", "--students", "2"),
     "belongs to paper 'ss'"),
    (("--orthonormal", "2",), "--students is required"),
    (("--students", "2",), "TEACHER.json file or --orthonormal N"),
    (("--orthonormal", "0", "--students", "2"), "--orthonormal = 0"),
])
def test_cli_model_selection_errors_are_one_line_and_exit_2(capsys, args, field):
    assert _cli("stationary", *args, "--no-progress") == 2
    err = capsys.readouterr().err.strip()
    assert field in err and len(err.splitlines()) == 1


def test_ss_model_refuses_an_abs_teacher_file(tmp_path, capsys):
    teacher = tmp_path / "t.json"
    teacher.write_text('{"teacher": [[1, 0], [0, 1]], "activation": "abs"}')
    assert _cli("stationary", str(teacher), "--paper", "ss", "--students", "2", "--no-progress") == 2
    assert "takes 'relu'" in capsys.readouterr().err


def test_the_generic_hunts_certificate_respects_its_deadline():
    # The same point is certified without a deadline and kept uncertified past one.
    import time

    from numeric.stationary import DEADLINE_PASSED, TeacherStudentModel
    from proofs_check.landscape import certify_descended

    model = TeacherStudentModel.from_rows([[1, 0], [0, 1]], 1)
    x = np.array([1.0, 0.0])  # the student on a teacher: a spurious local minimum (m < r)
    assert certify_descended(model, x, 30)["point_type"] == "minimum"
    late = certify_descended(model, x, 30, deadline=time.monotonic() - 1)
    assert not late["certified"] and late["reason"] == DEADLINE_PASSED and late["point_type"] == "degenerate"
