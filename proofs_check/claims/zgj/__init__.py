"""Claims of Zhou, Ge, Jin, "A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network" (COLT 2021, PMLR 134:4577-4632; arXiv:2102.02410). One module per claim."""
