"""Every public function and method of the package has a numpydoc docstring with a runnable example.

The examples themselves run as doctests (``--doctest-modules`` over ``src/eastasia_data``).
"""

from __future__ import annotations

import ast

import pytest

from eastasia_data import paths


def _public_functions():
    """Every public function and method defined in the package, as (module path, qualified name, node)."""
    for path in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(paths.PACKAGE_DIR).as_posix()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield rel, node.name, node
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                        yield rel, f"{node.name}.{item.name}", item


PUBLIC = list(_public_functions())


@pytest.mark.parametrize("module, name, node", PUBLIC, ids=[f"{m}:{n}" for m, n, _ in PUBLIC])
def test_public_function_has_numpydoc_example(module, name, node):
    doc = ast.get_docstring(node) or ""
    assert doc, f"{module}:{name} has no docstring"
    assert "Examples\n--------" in doc and ">>>" in doc.split("Examples\n--------", 1)[1], \
        f"{module}:{name} needs an Examples section with a runnable example"
