"""Inside `curation/`: no import cycle (imports inside functions count), and data files are opened through `files`.

The package-wide layers are checked by the import contract; this looks inside the contributor's
subpackage, whose modules may import each other but never in a circle, and checks that no
curation module opens a file with a plain `open()`, which would bypass the guarded reader
(`eastasia_data.files.read_bytes`: no symbolic links, a size cap).
"""

from __future__ import annotations

import ast
from pathlib import Path

import eastasia_data.curation as curation

ROOT = Path(curation.__file__).parent
PACKAGE = ROOT.parent.parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        out[name] = path
    return out


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and not (modules[target].name == "__init__.py"
                                                      and name.startswith(target + ".")):
                    edges[name].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read():
    edges = _edges(_modules())
    assert "eastasia_data.curation.reader" in edges["eastasia_data.curation.validate"]
    assert "eastasia_data.curation.diff" in edges["eastasia_data.curation.gates"]


def test_a_cycle_would_be_found():
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_no_cycle_inside_curation():
    assert _cycles(_edges(_modules())) == []


def test_no_curation_module_opens_a_file_with_open():
    plain = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                if (isinstance(func, ast.Name) and func.id == "open") or (
                        isinstance(func, ast.Attribute) and func.attr == "open"
                        and not (isinstance(func.value, ast.Name) and func.value.id in ("os", "tarfile", "zipfile"))):
                    plain.append(f"{name}:{node.lineno}")
    assert plain == []


def test_curation_never_imports_the_command_line():
    """The command line calls curation and passes in what it renders (the README's commands), never the reverse."""
    found = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("eastasia_data.cli", "eastasia_data") and (
                    node.module == "eastasia_data.cli" or any(a.name == "cli" for a in node.names)):
                found.append(f"{name}:{node.lineno}")
            elif isinstance(node, ast.Import) and any(a.name == "eastasia_data.cli" for a in node.names):
                found.append(f"{name}:{node.lineno}")
    assert found == []
