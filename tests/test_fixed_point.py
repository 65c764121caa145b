"""Fixed-point subspaces and the restricted loss (numeric.fixed_point): the pair-type
evaluation against the full-space evaluators, the equivariance argument, and its failure
for a loss that is not invariant."""
from __future__ import annotations

import flint
import numpy as np
import pytest
from flint import arb
from hypothesis import given, settings, strategies as st

from numeric.embedded import EmbeddedModel
from numeric.orthonormal_networks import ABS_TEACHER_STUDENT, RELU_UNIT_OUTPUT
from numeric.fixed_point import RestrictedModel, SignedPermutation, fixed_point_basis, symmetric_group_generators
from numeric.safran_shamir import SafranShamirModel
from numeric.stationary import TeacherStudentModel, certify, refine
from proofs_check.families import families_of

DPS = 30


#: The network each paper's families restrict (its ``PaperFamilies.network``).
NETWORK = {"zgj": ABS_TEACHER_STUDENT, "ss": RELU_UNIT_OUTPUT}


def full_model(paper, r, m):
    if paper == "zgj":
        return TeacherStudentModel.from_rows(np.eye(r, dtype=int).tolist(), m, "abs")
    return SafranShamirModel.orthonormal(r, m)


@given(r=st.integers(2, 5), special=st.integers(0, 1), copies=st.integers(1, 2),
       signed=st.booleans(), seed=st.integers(0, 10**6))
@settings(max_examples=25, deadline=None)
def test_basis_spans_exactly_the_fixed_points(r, special, copies, signed, seed):
    """Every basis vector is fixed by every generator, and the dimension is that of the
    kernel of the stacked (g - I) (computed by linear algebra, not by orbits)."""
    if r - special < 1:
        return
    m = copies * (r - special) + special
    gens = symmetric_group_generators(r, copies=copies, special=special, m=m)
    if signed:
        gens.append(SignedPermutation.of(m, r, student_signs={0: -1}, coord_signs={r - 1: -1}))
    basis = fixed_point_basis(m, r, gens)
    rng = np.random.default_rng(seed)
    W = basis.embed(rng.standard_normal(basis.dimension))
    for g in gens:
        assert np.array_equal(g.apply(W), W)
    N = m * r
    if N <= 60:
        rows = []
        for g in gens:
            M = np.zeros((N, N))
            for k in range(N):
                e = np.zeros(N)
                e[k] = 1
                M[:, k] = g.apply(e.reshape(m, r)).reshape(-1) - e
            rows.append(M)
        kernel = N - (np.linalg.matrix_rank(np.vstack(rows)) if rows else 0)
        assert basis.dimension == kernel


@pytest.mark.parametrize("paper,family,r", [("zgj", "split", 4), ("zgj", "mirror", 3), ("zgj", "pairs", 3),
                                            ("zgj", "bisect+1", 4), ("ss", "split+1", 4), ("ss", "diag", 3)])
def test_pair_types_agree_with_the_full_space_evaluator(paper, family, r):
    """Loss, gradient and Hessian by pair types overlap the full model's, restricted."""
    spec = families_of(paper, [family])[0]
    m = spec.m(r)
    model = RestrictedModel(NETWORK[paper], r, m, spec.generators(r))
    reference = EmbeddedModel(full_model(paper, r, m), model.basis)
    y = np.random.default_rng(3).standard_normal(model.n) * 0.8
    with flint.ctx.workdps(DPS):
        point = [arb(float(v)) for v in y]
        loss, g, H = model.evaluate(point)
        assert loss.overlaps(reference.ball_loss(point))
        g_ref, H_ref = reference.ball_gradient_hessian(point)
        for a in range(model.n):
            assert g[a].overlaps(g_ref[a])
            for b in range(model.n):
                assert H[a][b].overlaps(H_ref[a][b])
        # a planted error: one coordinate's gradient 1e-6 off no longer overlaps
        assert not (g[0] + arb("1e-6")).overlaps(g_ref[0])


def _zero(model, y0):
    from numeric.reduced_zeros import levenberg_marquardt

    y, gn = levenberg_marquardt(model, y0)
    assert gn < 1e-11
    return y


def test_restricted_zero_is_a_full_space_zero_with_the_same_loss_and_inertia():
    """Safran-Shamir, k = n = 4, type S_3 x S_1: the reduced certificate's zero is also
    certified by the full-space Krawczyk test, with overlapping loss and equal inertia."""
    spec = families_of("ss", ["split"])[0]
    r = 4
    model = RestrictedModel(RELU_UNIT_OUTPUT, r, spec.m(r), spec.generators(r))
    y = _zero(model, np.array([0.95, -0.05, 0.3, 0.2, -0.6]))
    centre = refine(model, y, DPS)
    cert = certify(model, centre, DPS)
    assert cert.certified
    full = full_model("ss", r, spec.m(r))
    with flint.ctx.workdps(DPS):
        box = [arb(c.mid(), cert.radius) for c in centre]
        loss = model.ball_loss(box)
        W = [v for row in model.full_point(box) for v in row]
        g_full = full.ball_gradient(W)
        assert all(v.contains(0) for v in g_full)
    full_centre = refine(full, model.basis.embed([float(c.mid()) for c in centre]).reshape(-1), DPS)
    full_cert = certify(full, full_centre, DPS)
    assert full_cert.certified
    with flint.ctx.workdps(DPS):
        full_box = [arb(c.mid(), full_cert.radius) for c in full_centre]
        assert loss.overlaps(full.ball_loss(full_box))
    from proofs_check.families.follow import certify_member

    member = certify_member("ss", spec, r, y, dps=DPS)
    assert member.certified and member.loss.overlaps(loss)
    assert (member.negative, member.undecided, member.positive) == (
        full_cert.inertia.negative, full_cert.inertia.undecided, full_cert.inertia.positive)


class _TiltedSafranShamir(SafranShamirModel):
    """Safran-Shamir's loss plus ``eps (W[0, 0] - W[1, 1])``: not invariant under S_q."""

    eps = 1e-3

    def loss_gradient64(self, x):
        L, g = super().loss_gradient64(x)
        g = g.copy()
        g[0] += self.eps
        g[self.d + 1] -= self.eps
        return L + self.eps * (x[0] - x[self.d + 1]), g

    def ball_loss(self, x):
        return super().ball_loss(x) + self.eps * (arb(x[0]) - arb(x[self.d + 1]))

    def ball_gradient_hessian(self, x, *, hessian=True):
        g, H = super().ball_gradient_hessian(x, hessian=hessian)
        g[0] += self.eps
        g[self.d + 1] -= self.eps
        return g, H


def test_a_non_equivariant_perturbation_breaks_the_certificate():
    """The restricted gradient of the tilted loss still has a certified zero, but the full
    gradient there is not zero (the equivariance argument needs the invariance): the full
    ball gradient excludes 0, the full-space Krawczyk test fails on the symmetric box, and
    the tilted loss's stationary point nearby is off the subspace."""
    spec = families_of("ss", ["split"])[0]
    r = 4
    tilted = _TiltedSafranShamir.orthonormal(r, spec.m(r))
    basis = fixed_point_basis(spec.m(r), r, spec.generators(r))
    reduced = EmbeddedModel(tilted, basis)
    y = _zero(reduced, np.array([0.95, -0.05, 0.3, 0.2, -0.6]))
    centre = refine(reduced, y, DPS)
    cert = certify(reduced, centre, DPS)
    assert cert.certified  # the reduced test alone cannot see the missing invariance
    with flint.ctx.workdps(DPS):
        box = [arb(c.mid(), cert.radius) for c in centre]
        g_full = tilted.ball_gradient(reduced.ball_rows(box))
        assert not all(v.contains(0) for v in g_full)
    from numeric.stationary import krawczyk

    embedded = reduced.ball_rows(centre)
    assert not krawczyk(tilted, embedded, cert.radius, DPS)[0]
    # the tilted loss's own zero nearby is not symmetric
    full_cert = certify(tilted, refine(tilted, basis.embed(y).reshape(-1), DPS), DPS)
    assert full_cert.certified
    W = np.array([float(c.mid()) for c in full_cert.centre]).reshape(basis.labels.shape)
    assert abs(W[0, 0] - W[1, 1]) > 1e-5
