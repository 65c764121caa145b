"""The documentation: the Sphinx site builds without a warning, and the doctests of every
module run (through pytest's ``--doctest-modules``, configured in ``pyproject.toml``)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("symbolic", "numeric", "proofs_check")


@pytest.mark.slow
def test_the_site_builds_without_a_warning(tmp_path):
    # a copy of docs/, so that the generated API pages land in tmp_path, not in the source tree
    source = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", source, ignore=shutil.ignore_patterns("_autosummary", "_build"))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           str(source), str(tmp_path / "html")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-5000:]
    html = tmp_path / "html"
    # every markdown page is in the site, and the API reference reaches modules of all layers
    for page in (ROOT / "docs").glob("*.md"):
        assert (html / f"{page.stem}.html").is_file(), page.name
    api = {p.stem for p in (html / "_autosummary").glob("*.html")}
    for module in ("symbolic.kernel", "numeric.interval", "proofs_check.judgement"):
        assert module in api, module


def test_pytest_runs_the_doctests_of_every_package():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in options["addopts"].split()
    assert set(PACKAGES) <= set(options["testpaths"])
    # every module with an example in a docstring lies under one of those test paths
    example = ">" * 3 + " "  # spelled so that this file is not a module with examples
    with_examples = [p.relative_to(ROOT) for p in ROOT.rglob("*.py")
                     if example in p.read_text(encoding="utf-8") and "build" not in p.parts]
    assert len(with_examples) >= 10
    outside = [str(p) for p in with_examples if p.parts[0] not in options["testpaths"]]
    assert not outside, f"examples that pytest does not run: {outside}"


def test_pytest_collects_a_modules_doctests():
    # the configuration above takes effect: a module with examples yields doctest items
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           "symbolic/identities.py"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"^symbolic/identities\.py::symbolic\.identities\S*$", done.stdout, re.M), done.stdout
