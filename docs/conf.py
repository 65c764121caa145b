"""Sphinx configuration: the markdown pages (MyST) and an API reference generated from the
docstrings of ``symbolic``, ``numeric`` and ``proofs_check`` (autosummary, recursive, so a
module moved or renamed needs no edit here).

Build it warning-free with ``python -m sphinx -W --keep-going -b html docs build/docs``
(``tests/test_docs.py`` does that).  The doctests in the docstrings are run by pytest
(``--doctest-modules`` in ``pyproject.toml``), not by Sphinx.
"""

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if (PROJECT_ROOT / "proofs_check").is_dir():  # a copy of docs/ elsewhere relies on PYTHONPATH
    sys.path.insert(0, str(PROJECT_ROOT))

import proofs_check  # noqa: E402  (after the path is set: the source tree's code is documented)

project = "proofs-check"
author = "the proofs-check authors"
version = release = proofs_check.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]

myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

autosummary_generate = True
autosummary_imported_members = False
# a package's page documents what the package defines; what it re-exports is documented
# once, in the module that defines it
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# docstrings are prose with the paper's notation, not always reST: a name in single
# backquotes is code, not a cross-reference to resolve
default_role = "code"
suppress_warnings = ["myst.xref_missing"]

html_theme = "alabaster"
html_title = "proofs-check"
