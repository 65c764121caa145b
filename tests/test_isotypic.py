"""The isotypic decomposition of the Hessian (numeric.isotypic) against the full ball
Hessian's eigenvalues at small r."""
from __future__ import annotations

import flint
import numpy as np
import pytest
from flint import arb

from numeric.orthonormal_networks import ABS_TEACHER_STUDENT, RELU_UNIT_OUTPUT
from numeric.fixed_point import RestrictedModel, symmetric_group_generators
from numeric.isotypic import Layout, full_inertia, irrep_vectors, isotypic_blocks
from numeric.safran_shamir import SafranShamirModel
from numeric.stationary import TeacherStudentModel

DPS = 30


NETWORK = {"zgj": ABS_TEACHER_STUDENT, "ss": RELU_UNIT_OUTPUT}


def _full_hessian(paper, r, m, W_balls):
    if paper == "zgj":
        model = TeacherStudentModel.from_rows(np.eye(r, dtype=int).tolist(), m, "abs")
    else:
        model = SafranShamirModel.orthonormal(r, m)
    _, H = model.ball_gradient_hessian([v for row in W_balls for v in row])
    return np.array([[float(h.mid()) for h in row] for row in H])


def _block_eigenvalues(blocks_matrices):
    out = []
    for dimension, M in blocks_matrices:
        out.extend(np.repeat(np.linalg.eigvalsh(M), dimension))
    return np.sort(out)


CASES = [("zgj", Layout(5, 5, 1, 0)), ("zgj", Layout(5, 10, 2, 1)), ("zgj", Layout(5, 8, 2, 1)), ("zgj", Layout(6, 7, 1, 1)),
         ("ss", Layout(5, 5, 1, 1)), ("ss", Layout(6, 8, 1, 1)), ("ss", Layout(4, 8, 2, 0))]


@pytest.mark.parametrize("paper,layout", CASES)
def test_blocks_reproduce_the_full_hessian_spectrum(paper, layout, monkeypatch):
    """At a random S_q-symmetric point, the blocks' eigenvalues, each repeated dim(irrep)
    times, are the full Hessian's eigenvalues; the inertia agrees."""
    gens = symmetric_group_generators(layout.r, copies=layout.copies, special=layout.special, m=layout.m)
    model = RestrictedModel(NETWORK[paper], layout.r, layout.m, tuple(gens))
    W = model.basis.embed(np.random.default_rng(7).standard_normal(model.n) * 0.7)
    captured = []
    import numeric.isotypic as iso

    real_inertia = iso.inertia

    def spy(block, **kw):
        captured.append(np.array([[float(x.mid()) for x in row] for row in block]))
        return real_inertia(block, **kw)

    monkeypatch.setattr(iso, "inertia", spy)
    with flint.ctx.workdps(DPS):
        Wb = [[arb(float(v)) for v in row] for row in W]
        blocks = isotypic_blocks(NETWORK[paper], layout, Wb)
        H = _full_hessian(paper, layout.r, layout.m, Wb)
    full = np.sort(np.linalg.eigvalsh((H + H.T) / 2))
    pairs, k = [], 0
    for b in blocks:  # the spy saw one matrix per block (a second one if undecided)
        pairs.append((b.dimension, captured[k]))
        k += 1 + (b.inertia.undecided > 0)
    mine = _block_eigenvalues(pairs)
    assert len(mine) == layout.m * layout.r
    assert np.allclose(mine, full, atol=1e-9 * max(1, np.abs(full).max()))
    inert = full_inertia(blocks)
    assert inert.negative == int((full < 0).sum()) and inert.positive == int((full > 0).sum())
    assert abs(float(inert.min_eigenvalue.mid()) - full[0]) < 1e-9 + float(inert.min_eigenvalue.rad())
    # a planted error: one irrep's dimension off by one no longer reproduces the spectrum
    wrong = [(d + (1 if i == 1 else 0), M) for i, (d, M) in enumerate(pairs)]
    assert len(_block_eigenvalues(wrong)) != len(full)


def test_the_multiplicities_count_every_direction():
    for layout in (Layout(9, 9, 1, 1), Layout(12, 24, 2, 2), Layout(7, 9, 1, 1)):
        vecs = irrep_vectors(layout)
        assert sum(dim * len(v) for dim, v in vecs.values()) == layout.m * layout.r


def test_small_q_is_refused():
    with pytest.raises(ValueError, match="q = r - special >= 4"):
        irrep_vectors(Layout(4, 4, 1, 1))
