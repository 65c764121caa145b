"""The model interface (:class:`proofs_check.models.Model`): discovery of the built-in model
packages, the file form, the worst-case optimiser taking its starts from a model, and
import order (a model module imported first, in a fresh interpreter, loads)."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numeric.config import Configuration
from proofs_check.registry import all_papers, get_claim
from proofs_check.errors import UsageError
from proofs_check.models import Model, builtin_models
from proofs_check.models.teacher_student.model import TEACHER_STUDENT
from proofs_check.models.teacher_student.samplers import FAMILIES
from proofs_check.models.teacher_student.worst_case_starts import sampled_starts
from proofs_check.worst_case import Start, WorstCaseSettings, level_set_model, minimise_margin

ROOT = Path(__file__).resolve().parents[1]


def test_builtin_models_are_the_records_the_papers_name():
    models = builtin_models()
    assert all(isinstance(m, Model) for m in models)
    named = {pid: p.model for pid, p in all_papers().items() if p.model is not None}
    assert set(map(id, named.values())) == set(map(id, models))
    assert named["zgj"] is TEACHER_STUDENT and TEACHER_STUDENT.hunts[0].id == "zgj.teacher_student"
    assert named["ss"].hunts[0].id == "ss.relu_unit_output"
    assert named["du"].strategy is not None and named["lzb"].strategy is not None


def test_file_form_round_trips_through_the_record():
    config = Configuration([[1, 0], [0, 1]], [["0.5", "0.25"], [0, 1], ["-0.125", 0]])
    again = TEACHER_STUDENT.read(TEACHER_STUDENT.write(config, 40))
    assert again == config


def test_level_set_model_is_the_teacher_student_record():
    model = level_set_model()
    assert model is TEACHER_STUDENT and model.configuration is Configuration
    assert model.start_families == FAMILIES and model.worst_case_starts is sampled_starts


def _placed_by(model_starts, teacher, m, level):
    """A model whose only worst-case starts are ``model_starts`` (labelled ``planted``)."""
    def place(T, students, lvl, settings, rng=None):
        assert (students, lvl) == (m, level)
        return [Start(c, "planted", "planted") for c in model_starts]

    return dataclasses.replace(TEACHER_STUDENT, worst_case_starts=place, start_families=("planted",))


def test_the_optimiser_takes_its_starts_from_the_model():
    """Given a model, minimise_margin starts from what the model places and nothing else;
    without one, from the teacher-student families."""
    claim = get_claim("zgj.thm4")
    T = [[1.0, 0.0], [0.0, 1.0]]
    level = 1e-4
    settings = WorstCaseSettings(starts_per_family=1, objective="gradient_norm", seed=0)
    planted = sampled_starts(T, 3, level, dataclasses.replace(settings, families=("split",)),
                             np.random.default_rng(7))
    assert planted
    wc = minimise_margin(claim, T, students=3, level=level, settings=settings,
                         model=_placed_by([s.config for s in planted], T, 3, level))
    assert {(f, o) for f, o, _ in wc.starts} == {("planted", "planted")} and wc.family == "planted"
    default = minimise_margin(claim, T, students=3, level=level, settings=settings)
    assert {f for f, _, _ in default.starts} <= set(FAMILIES) and "planted" not in default.family


def test_no_family_and_an_unknown_family():
    T = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert sampled_starts(T, 3, 1e-3, WorstCaseSettings(families=())) == []
    with pytest.raises(UsageError, match=r"families \['bogus'\] are not among"):
        sampled_starts(T, 3, 1e-3, WorstCaseSettings(families=("random", "bogus")))


MODULES = ["proofs_check.models.teacher_student." + m for m in
           ("reduction", "hunt_starts", "symmetry_seeds", "solvers", "hunt", "samplers", "strategies",
            "worst_case_starts", "model")] + \
          ["proofs_check.models.relu_unit_output." + m for m in ("hunt", "escape", "model")] + \
          ["proofs_check.models.relu_on_data." + m for m in ("datasets", "model")]


def test_every_model_module_imports_first_in_a_fresh_interpreter():
    """No import circle between the hunt engine and the model packages, whichever is
    imported first."""
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]:\n"
            "    for loaded in [m for m in sys.modules if m.startswith('proofs_check')]:\n"
            "        del sys.modules[loaded]\n"
            "    importlib.import_module(name)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code, *MODULES], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_worst_case_engine_names_no_model_or_paper():
    """The level-set optimiser takes its model as an argument (or asks
    :func:`proofs_check.models.builtin_models`); it imports no model package and no paper."""
    import ast

    tree = ast.parse((ROOT / "proofs_check" / "worst_case.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    assert "proofs_check.models" in imported  # the interface, and nothing below it
    assert not [m for m in imported if m.startswith(("proofs_check.models.", "proofs_check.claims"))]
