"""The built-in papers: one package per paper (``zgj``, ``du``, ``lzb``, ``ss``), each
defining ``PAPER`` (a :class:`proofs_check.paper.Paper`) and its claims' modules.

The registry (:mod:`proofs_check.registry`) discovers them; nothing here is imported by
name outside a paper's own package.
"""
