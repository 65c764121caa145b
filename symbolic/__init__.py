"""SymPy derivations for the two-layer absolute-value (and ReLU) network.

Everything here is an expression that can be printed; numbers are produced by
:mod:`numeric`, which compiles these expressions at its edge.
"""
