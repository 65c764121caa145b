"""Sub-commands of ``proofs-check``; see :mod:`proofs_check.cli`."""
