"""Safran and Shamir's model: ``k`` ReLU students with unit output weights against the
teacher ``sum_j relu(<v_j, x>)``, Gaussian input (:class:`numeric.safran_shamir.SafranShamirModel`,
whose formulas live in :mod:`numeric.safran_shamir`).

* :mod:`.hunt`: the model as a model of the shared stationary-point hunt;
* :mod:`.escape`: the escape from a minimum along its best direction with one more neuron;
* :mod:`.model`: the record :data:`RELU_UNIT_OUTPUT` the engines take.
"""
