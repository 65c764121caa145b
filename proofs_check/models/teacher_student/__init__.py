"""The teacher-student model of Zhou, Ge, Jin (Definition 2): ``m`` students
``||w_j|| |<w_j, x>|`` against an ``r``-row teacher, Gaussian input, population loss, on
:class:`numeric.config.Configuration` (its file form: ``from_dict``/``to_dict``).

* :mod:`.samplers`: sublevel-set samplers (families placed at a loss level);
* :mod:`.strategies`: their Hypothesis strategies (what ``proofs-check search`` draws);
* :mod:`.worst_case_starts`: the starts of the level-set optimiser;
* :mod:`.hunt` (with :mod:`.hunt_starts`, :mod:`.solvers`, :mod:`.reduction`,
  :mod:`.symmetry_seeds`): the stationary-point hunt with its reductions (zero rows,
  aligned students);
* :mod:`.teacher_geometry`, :mod:`.campaign_tasks`: teachers of a named geometry and the
  campaign task types on them (the hunt, the margin optimisation);
* :mod:`.model`: the record :data:`TEACHER_STUDENT` the engines take.

This ``__init__`` imports nothing, so that loading one module (e.g. :mod:`.reduction`,
whose ``Reduced`` the shared classification is handed) does not pull in :mod:`.hunt`.
"""
