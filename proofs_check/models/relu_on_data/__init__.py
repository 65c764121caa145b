"""Du et al.'s two-layer ReLU network on a finite data set (fixed signs, data on the sphere),
and the same network as a map ``F`` (Liu, Zhu, Belkin); the formulas live in
:mod:`numeric.dataset`.

* :mod:`.datasets`: data-set samplers, Hypothesis strategies, and helpers for judging
  empirical margins;
* :mod:`.model`: the records :data:`DATA_SET` and :data:`NETWORK_ON_DATA` the engines take.
"""
