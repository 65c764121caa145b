"""The import rules of ``docs/architecture.md``, checked on the source (``ast``, nothing imported).

Every module of ``symbolic``, ``numeric`` and ``proofs_check`` is parsed and every ``import``
statement in it counts: at module level, inside functions (a deferred import hides a circle
from the interpreter, not from the design) and under ``if TYPE_CHECKING:``.  An import names
one module: ``from a.b import c`` is an import of ``a.b.c`` when that is a module of the
project, otherwise of ``a.b``; the parent packages Python also runs are not edges (every
module would otherwise depend on its package's ``__init__``).

The rules:

(a) no import circle between modules (strongly connected components of the import graph,
    Tarjan's algorithm);
(b) ``symbolic`` imports nothing of the project but itself, ``numeric`` only ``symbolic`` and
    itself: neither imports ``proofs_check``;
(c) no module uses a private (``_name``) of another module: ``from m import _x``, or
    ``m._x`` on an imported module; a private *module* (``numeric._pair_code``) is private
    to its package, so modules of the same package may import it;
(d) a shared module (anything in ``proofs_check`` outside ``claims/<paper>/`` and
    ``models/<model>/``) names no paper or claim id in a string literal (``"zgj"``,
    ``"zgj.thm4"``, docstrings excepted) and imports no paper or model package;
(e) a model package (``proofs_check.models.<model>``) imports no paper package (rule 4);
(f) a module over 500 lines says why it is one module: a line of its docstring starts with
    ``One module`` (``One module because ...``, ``One module over 500 lines: ...``);
(g) no function is copied between modules: two functions in different modules whose bodies
    (docstrings excepted) have the same syntax tree once every local name is blanked, with at
    least ``MIN_COPIED_STATEMENTS`` statements, are reported.

The checks are plain functions of a source root, so the self-tests at the end plant each
violation in a temporary package and see it found.
"""
from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("symbolic", "numeric", "proofs_check")
#: which top-level packages each layer may import (rule (b)); proofs_check may import all three.
#: symbolic's generated code is a module of numeric (``numeric/pair_kernels.py``, written by
#: ``python -m symbolic.codegen``), so numeric imports nothing of symbolic at run time.
ALLOWED_LAYERS = {"symbolic": {"symbolic"}, "numeric": {"numeric"}}
PAPER_CONTAINERS = ("proofs_check.claims", "proofs_check.models")
MAX_LINES = 500
MIN_COPIED_STATEMENTS = 3
ONE_MODULE_MARKER = re.compile(r"^\s*One module\b", re.M)


@dataclass(frozen=True)
class ImportEdge:
    importer: str
    imported: str
    line: int


@dataclass(frozen=True)
class SourceModule:
    name: str
    path: Path
    tree: ast.Module
    lines: int

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules(root: Path, packages=PACKAGES) -> dict[str, SourceModule]:
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            name = module_name(root, path)
            modules[name] = SourceModule(name, path, ast.parse(text, str(path)), len(text.splitlines()))
    return modules


def absolute_module(module: SourceModule, node: ast.ImportFrom) -> str:
    """The module a ``from ... import`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_names(module: SourceModule, known: set[str]):
    """``(target module, name imported from it or None, line)`` for every import statement."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = absolute_module(module, node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in known:
                    yield submodule, None, node.lineno
                else:
                    yield source, alias.name, node.lineno


def project_target(name: str, known: set[str]) -> str | None:
    """The project module an import of ``name`` runs last (``a.b.c`` may be a name in ``a.b``)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def import_edges(modules: dict[str, SourceModule]) -> list[ImportEdge]:
    known = set(modules)
    edges = []
    for module in modules.values():
        for target, _, line in imported_names(module, known):
            resolved = project_target(target, known)
            if resolved is not None and resolved != module.name:
                edges.append(ImportEdge(module.name, resolved, line))
    return edges


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on deep graphs)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def import_circles(modules: dict[str, SourceModule]) -> list[str]:
    graph: dict[str, set[str]] = {name: set() for name in modules}
    lines: dict[tuple[str, str], int] = {}
    for edge in import_edges(modules):
        graph[edge.importer].add(edge.imported)
        lines.setdefault((edge.importer, edge.imported), edge.line)
    found = []
    for component in strongly_connected_components(graph):
        if len(component) > 1:
            members = set(component)
            inner = sorted(f"{a} -> {b} (line {lines[a, b]})"
                           for a in component for b in graph[a] if b in members)
            found.append(f"circle of {len(component)} modules: " + "; ".join(inner))
    return sorted(found)


def layer_violations(modules: dict[str, SourceModule]) -> list[str]:
    found = []
    for edge in import_edges(modules):
        layer = edge.importer.split(".")[0]
        target_layer = edge.imported.split(".")[0]
        allowed = ALLOWED_LAYERS.get(layer)
        if allowed is not None and target_layer not in allowed:
            found.append(f"{edge.importer} (line {edge.line}) imports {edge.imported}: "
                         f"{layer} may import only {', '.join(sorted(allowed))}")
    return sorted(found)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def package_of(name: str, modules: dict[str, SourceModule]) -> str:
    module = modules.get(name)
    return name if module is not None and module.is_package else name.rpartition(".")[0]


def private_module_violation(importer: str, target: str, modules) -> bool:
    """A ``_module`` is private to its package: only modules inside that package may import it."""
    parts = target.split(".")
    for depth, part in enumerate(parts):
        if is_private(part):
            owner = ".".join(parts[:depth])
            if not (importer == owner or importer.startswith(owner + ".")):
                return True
    return False


def private_name_violations(modules: dict[str, SourceModule]) -> list[str]:
    known = set(modules)
    found = []
    for module in modules.values():
        bound_modules: dict[str, str] = {}  # local name -> project module it is bound to
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in known and alias.asname:
                        bound_modules[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                source = absolute_module(module, node)
                for alias in node.names:
                    if f"{source}.{alias.name}" in known:
                        bound_modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        for target, name, line in imported_names(module, known):
            resolved = project_target(target, known)
            if resolved is None or resolved == module.name:
                continue
            if name is not None and is_private(name):
                found.append(f"{module.name} (line {line}) imports {name} from {resolved}")
            elif private_module_violation(module.name, target, modules):
                found.append(f"{module.name} (line {line}) imports the private module {target}")
        for node in ast.walk(module.tree):
            if (isinstance(node, ast.Attribute) and is_private(node.attr)
                    and isinstance(node.value, ast.Name) and node.value.id in bound_modules
                    and bound_modules[node.value.id] != module.name):
                found.append(f"{module.name} (line {node.lineno}) uses "
                             f"{bound_modules[node.value.id]}.{node.attr}")
    return sorted(set(found))


def paper_packages(modules: dict[str, SourceModule]) -> set[str]:
    """``proofs_check.claims.<paper>`` and ``proofs_check.models.<model>`` packages."""
    return {name for name, module in modules.items() if module.is_package
            and name.rpartition(".")[0] in PAPER_CONTAINERS}


def inside(name: str, packages: set[str]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def docstring_nodes(tree: ast.Module) -> set[int]:
    nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                nodes.add(id(body[0].value))
    return nodes


def claim_id_prefixes(modules: dict[str, SourceModule]) -> set[str]:
    """Paper ids: the paper packages' names and the first part of every claim id declared
    (``id="contrast.pl"``) anywhere under ``proofs_check.claims`` or ``proofs_check.models``."""
    papers = paper_packages(modules)
    prefixes = {name.rpartition(".")[2] for name in papers
                if name.startswith(PAPER_CONTAINERS[0] + ".")}
    for name, module in modules.items():
        if not inside(name, set(PAPER_CONTAINERS)):
            continue
        for node in ast.walk(module.tree):
            if isinstance(node, ast.keyword) and node.arg == "id" \
                    and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                claim_id = node.value.value
                if re.fullmatch(r"[a-z][a-z0-9_]*\.[\w.]+", claim_id):
                    prefixes.add(claim_id.split(".")[0])
    return prefixes


def paper_name_violations(modules: dict[str, SourceModule]) -> list[str]:
    papers = paper_packages(modules)
    prefixes = claim_id_prefixes(modules)
    pattern = re.compile(r"(?:%s)(?:\.[\w.]*)?" % "|".join(map(re.escape, sorted(prefixes))))
    known = set(modules)
    found = []
    for name, module in modules.items():
        if inside(name, papers):  # every module of symbolic and numeric is shared
            continue
        docstrings = docstring_nodes(module.tree)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings and pattern.fullmatch(node.value):
                found.append(f"{name} (line {node.lineno}) names the paper or claim {node.value!r}")
        for target, _, line in imported_names(module, known):
            resolved = project_target(target, known)
            if resolved is not None and inside(resolved, papers):
                found.append(f"{name} (line {line}) imports {resolved}")
    return sorted(set(found))


def model_violations(modules: dict[str, SourceModule]) -> list[str]:
    papers = {name for name in paper_packages(modules) if name.startswith(PAPER_CONTAINERS[0] + ".")}
    known = set(modules)
    found = []
    for name, module in modules.items():
        if not name.startswith(PAPER_CONTAINERS[1] + "."):
            continue
        for target, _, line in imported_names(module, known):
            resolved = project_target(target, known)
            if resolved is not None and (inside(resolved, papers) or resolved == PAPER_CONTAINERS[0]):
                found.append(f"{name} (line {line}) imports the paper package {resolved}")
    return sorted(set(found))


def long_module_violations(modules: dict[str, SourceModule]) -> list[str]:
    found = []
    for name, module in modules.items():
        if module.lines > MAX_LINES:
            docstring = ast.get_docstring(module.tree) or ""
            if not ONE_MODULE_MARKER.search(docstring):
                found.append(f"{name}: {module.lines} lines, no line of its docstring says 'One module ...' and why")
    return sorted(found)


class _BlankNames(ast.NodeTransformer):
    """Variable and argument names do not make a copy different; attributes and calls do."""

    def visit_Name(self, node):
        return ast.copy_location(ast.Name(id="_", ctx=node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg(arg="_"), node)


def copied_functions(modules: dict[str, SourceModule]) -> list[str]:
    bodies: dict[str, list[tuple[str, str]]] = {}
    for name, module in modules.items():
        for node in ast.walk(module.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            statements = sum(isinstance(n, ast.stmt) for b in body for n in ast.walk(b))
            if statements < MIN_COPIED_STATEMENTS:
                continue
            shape = "".join(ast.dump(_BlankNames().visit(copy.deepcopy(b))) for b in body)
            bodies.setdefault(shape, []).append((name, f"{name}.{node.name} (line {node.lineno})"))
    found = []
    for copies in bodies.values():
        if len({module for module, _ in copies}) > 1:
            found.append("the same function body in " + ", ".join(sorted(where for _, where in copies)))
    return sorted(found)


# -- the project ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project():
    return source_modules(ROOT)


def report(found: list[str]) -> str:
    return f"{len(found)} violation(s):\n  " + "\n  ".join(found)


def test_the_scan_sees_the_whole_project(project):
    # a silent scan of nothing would pass every rule below
    assert {"symbolic", "numeric", "proofs_check"} <= set(project)
    assert len(project) > 100
    assert len(import_edges(project)) > 200


def test_no_import_circle(project):
    found = import_circles(project)
    assert not found, report(found)


def test_layers_import_downwards_only(project):
    found = layer_violations(project)
    assert not found, report(found)


def test_no_private_name_used_across_modules(project):
    found = private_name_violations(project)
    assert not found, report(found)


#: Shared modules that still name a paper, a claim id or a model package: the departures from
#: rule 3 that the restructuring has not yet removed (``docs/architecture.md``, "Known
#: departures"), each with what it names.  The list may only shrink: a module not listed
#: fails, and so does a listed module that no longer names one (remove it here).
KNOWN_DEPARTURES: dict[str, str] = {}


def test_shared_modules_name_no_paper(project):
    found = paper_name_violations(project)
    module_of = lambda line: line.split(" ", 1)[0]
    new = [line for line in found if module_of(line) not in KNOWN_DEPARTURES]
    assert not new, report(new)
    stale = sorted(set(KNOWN_DEPARTURES) - {module_of(line) for line in found})
    assert not stale, f"no longer departing from rule 3 (remove from KNOWN_DEPARTURES): {stale}"


def test_models_import_no_paper(project):
    found = model_violations(project)
    assert not found, report(found)


def test_no_function_copied_between_modules(project):
    found = copied_functions(project)
    assert not found, report(found)


def test_long_modules_say_why(project):
    found = long_module_violations(project)
    assert not found, report(found)


# -- self-tests: each rule finds a violation planted in a temporary project -----------------

def plant(root: Path, files: dict[str, str]) -> dict[str, SourceModule]:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return source_modules(root)


CLEAN = {
    "symbolic/__init__.py": "",
    "symbolic/loss.py": '"""Loss."""\nimport sympy\n',
    "numeric/__init__.py": "from numeric.evaluate import evaluate\n",
    "numeric/evaluate.py": "from numeric import _generated\n"
                           "def evaluate():\n    return _generated.VALUE\n",
    "numeric/_generated.py": "VALUE = 1\n",
    "proofs_check/__init__.py": "",
    "proofs_check/judge.py": "from numeric import evaluate\nPAPERS = ('zgj is a word', 'duet')\n",
    "proofs_check/claims/__init__.py": "",
    "proofs_check/claims/zgj/__init__.py": '"""The paper zgj."""\nfrom ..base import Claim\n'
                                           "THM4 = Claim(id='zgj.thm4')\nOTHER = Claim(id='contrast.pl')\n",
    "proofs_check/claims/base.py": "class Claim:\n    def __init__(self, id):\n        self.id = id\n",
    "proofs_check/models/__init__.py": "",
    "proofs_check/models/teacher_student/__init__.py": "from numeric import evaluate\n",
}


def test_a_clean_planted_project_passes(tmp_path):
    modules = plant(tmp_path, CLEAN)
    assert import_circles(modules) == []
    assert layer_violations(modules) == []
    assert private_name_violations(modules) == []
    assert paper_name_violations(modules) == []
    assert model_violations(modules) == []
    assert long_module_violations(modules) == []
    assert copied_functions(modules) == []
    assert claim_id_prefixes(modules) == {"zgj", "contrast"}


def test_a_planted_circle_is_found_even_through_a_function_level_import(tmp_path):
    modules = plant(tmp_path, {**CLEAN,
                               "proofs_check/a.py": "from proofs_check import b\n",
                               "proofs_check/b.py": "def f():\n    from .c import g\n",
                               "proofs_check/c.py": "import proofs_check.a\ndef g():\n    pass\n"})
    found = import_circles(modules)
    assert len(found) == 1 and "circle of 3 modules" in found[0]
    assert "proofs_check.b -> proofs_check.c" in found[0]


def test_planted_upward_imports_are_found(tmp_path):
    modules = plant(tmp_path, {**CLEAN,
                               "numeric/up.py": "def f():\n    from proofs_check.judge import PAPERS\n",
                               "numeric/derived.py": "from symbolic.loss import sympy\n",
                               "symbolic/up.py": "import numeric.evaluate\n"})
    found = layer_violations(modules)
    assert len(found) == 3
    assert any(v.startswith("numeric.derived (line 1) imports symbolic.loss") for v in found)
    assert any(v.startswith("numeric.up (line 2) imports proofs_check.judge") for v in found)
    assert any(v.startswith("symbolic.up (line 1) imports numeric.evaluate") for v in found)


def test_planted_private_uses_are_found(tmp_path):
    modules = plant(tmp_path, {**CLEAN,
                               "numeric/helper.py": "_SCREEN = 1\ndef _fmt():\n    pass\n",
                               "numeric/user.py": "from numeric.helper import _fmt\n",
                               "numeric/user2.py": "import numeric.helper as h\nx = h._SCREEN\n",
                               "proofs_check/gen.py": "from numeric._generated import VALUE\n"})
    found = private_name_violations(modules)
    assert found == ["numeric.user (line 1) imports _fmt from numeric.helper",
                     "numeric.user2 (line 2) uses numeric.helper._SCREEN",
                     "proofs_check.gen (line 1) imports the private module numeric._generated"]


def test_planted_paper_names_in_shared_modules_are_found(tmp_path):
    modules = plant(tmp_path, {**CLEAN,
                               "proofs_check/engine.py": '"""Mentions zgj.thm4 in prose: fine."""\n'
                                                         "DEFAULT = 'zgj'\nCLAIM = 'contrast.pl'\n"
                                                         "from proofs_check.claims.zgj import THM4\n",
                               "proofs_check/hunt.py": "import proofs_check.models.teacher_student\n",
                               "numeric/restricted.py": "def f(paper):\n    return paper == 'zgj'\n",
                               "symbolic/derived.py": "N = 2\nNAME = f'contrast.n{N}'\n"})
    found = paper_name_violations(modules)
    assert found == ["numeric.restricted (line 2) names the paper or claim 'zgj'",
                     "proofs_check.engine (line 2) names the paper or claim 'zgj'",
                     "proofs_check.engine (line 3) names the paper or claim 'contrast.pl'",
                     "proofs_check.engine (line 4) imports proofs_check.claims.zgj",
                     "proofs_check.hunt (line 1) imports proofs_check.models.teacher_student",
                     "symbolic.derived (line 2) names the paper or claim 'contrast.n'"]


def test_a_planted_model_importing_a_paper_is_found(tmp_path):
    modules = plant(tmp_path, {**CLEAN, "proofs_check/models/teacher_student/hunt.py":
                               "from proofs_check.claims.zgj import THM4\n"})
    assert model_violations(modules) == [
        "proofs_check.models.teacher_student.hunt (line 1) imports the paper package proofs_check.claims.zgj"]


def test_a_planted_long_module_needs_its_reason(tmp_path):
    body = "x = 1\n" * MAX_LINES
    modules = plant(tmp_path, {**CLEAN,
                               "numeric/long.py": '"""Long."""\n' + body,
                               "numeric/long_ok.py": '"""Long.\n\nOne module because the pair '
                                                     'loop and its tables share one layout.\n"""\n'
                                                     + body,
                               "numeric/exactly.py": body})
    assert long_module_violations(modules) == [
        "numeric.long: 501 lines, no line of its docstring says 'One module ...' and why"]


def test_a_planted_copied_function_is_found_under_other_names(tmp_path):
    original = ("def to_dict(config, digits):\n    conv = lambda rows: [[str(x) for x in row] for row in rows]\n"
                "    out = {'teacher': conv(config.teacher)}\n    if config.activation != 'abs':\n"
                "        out['activation'] = config.activation\n    return out\n")
    renamed = original.replace("to_dict(config", "_as_dict(c").replace("config.", "c.").replace("out", "result")
    different = original.replace("!= 'abs'", "!= 'relu'")
    modules = plant(tmp_path, {**CLEAN, "numeric/one.py": original, "proofs_check/two.py": '"""Doc."""\n' + renamed,
                               "proofs_check/three.py": different})
    assert copied_functions(modules) == [
        "the same function body in numeric.one.to_dict (line 1), proofs_check.two._as_dict (line 2)"]
