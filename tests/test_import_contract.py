"""The layers hold and the two walks stay apart: a reader's modules never import the contributor's,
pandera, YAML or frictionless.

Checked three ways: by import-linter's contracts in ``pyproject.toml`` (``[tool.importlinter]``:
the layers of the package, with imports inside functions counted and none ignored, and the
modules a reader's walk may not reach); in ``cli`` and ``__init__``, whose contributor imports
stay inside functions; and in a fresh interpreter after each reader command, by looking at
``sys.modules``.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from eastasia_data import paths

FORBIDDEN = ("eastasia_data.curation", "pandera", "yaml", "frictionless")
ROOT = paths.PACKAGE_DIR.parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def _lint_imports(root: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True, cwd=root, env=env,
                          timeout=600)


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_contracts_hold():
    """lint-imports exits 0: no import runs up the layers, none reaches the contributor's from a reader's module."""
    proc = _lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Contracts: 3 kept, 0 broken." in " ".join(proc.stdout.split()), proc.stdout[-2000:]


def test_the_contracts_ignore_nothing_and_place_every_module():
    """No contract ignores an import, and every module of the package (and of publish/) has its layer."""
    contracts = {c["id"]: c for c in _contracts()}
    assert sorted(contracts) == ["layers", "publish", "reader"]
    assert not [c["id"] for c in contracts.values() if "ignore_imports" in c or c.get("unmatched_ignore_imports_alerting")]
    assert contracts["layers"]["exhaustive"] and contracts["publish"]["exhaustive"]
    assert contracts["layers"].get("exhaustive_ignores", []) == [] == contracts["publish"].get("exhaustive_ignores", [])
    assert set(contracts["reader"]["forbidden_modules"]) == set(FORBIDDEN)


def _probe_checkout(tmp_path: Path) -> Path:
    shutil.copytree(paths.PACKAGE_DIR, tmp_path / "src" / "eastasia_data",
                    ignore=shutil.ignore_patterns("__pycache__", "release", "releases"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(("module", "imported", "message"), [
    ("model.py", "from eastasia_data import loader", "eastasia_data.model is not allowed to import eastasia_data.loader"),
    ("publish/tables.py", "from eastasia_data.publish import export",
     "eastasia_data.publish.tables is not allowed to import eastasia_data.publish.export"),
    ("views.py", "import yaml", "eastasia_data.views is not allowed to import yaml"),
], ids=["up-the-layers", "writer-to-dispatcher", "reader-to-yaml"])
def test_an_import_inside_a_function_breaks_a_contract(module, imported, message, tmp_path):
    """The contracts count imports inside function bodies, where every cycle of the 2.0.0 review hid."""
    root = _probe_checkout(tmp_path)
    with open(root / "src" / "eastasia_data" / module, "a", encoding="utf-8") as handle:
        handle.write(f"\n\ndef _probe():\n    {imported}\n")
    env = {**os.environ, "PYTHONPATH": str(root / "src")}  # the copy, not the installed package
    proc = _lint_imports(root, env)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert message in " ".join(proc.stdout.split()), proc.stdout[-3000:]  # lint-imports wraps long lines


@pytest.mark.parametrize("module", ["cli", "__init__"])
def test_contributor_imports_only_inside_functions(module):
    tree = ast.parse((paths.PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    def type_checking_only(stmt):
        return isinstance(stmt, ast.If) and isinstance(stmt.test, ast.Name) and stmt.test.id == "TYPE_CHECKING"

    top = [n for stmt in tree.body if not isinstance(stmt, (ast.FunctionDef, ast.ClassDef)) and not type_checking_only(stmt)
           for n in _imports(stmt) if _forbidden(n)]
    assert not top, f"{module}.py imports {top} at module level"


PROBE = """
import contextlib, io, json, sys
from eastasia_data.cli import main

out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main({argv!r})
    except SystemExit as exc:  # --version prints and exits
        code = exc.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("pandera", "yaml", "frictionless")
               or m.startswith("eastasia_data.curation"))
print(json.dumps({{"code": code, "heavy": heavy, "printed": bool(out.getvalue())}}))
"""


def _reader_commands(tmp: Path) -> dict[str, list[str]]:
    return {
        "cite": ["cite", "--style", "apa"],
        "cite-release": ["cite", "--style", "bibtex", "--release", "0.1.0"],
        "verify": ["verify"],
        "export": ["export", "--format", "sqlite", "--out", str(tmp / "e.sqlite")],
        "plot": ["plot", "network", "--out", str(tmp)],
        "version": ["--version"],
    }


@pytest.mark.slow  # a fresh process per command
@pytest.mark.parametrize("command", sorted(_reader_commands(Path("/x"))))
def test_reader_commands_load_no_contributor_module(command, tmp_path):
    argv = _reader_commands(tmp_path)[command]
    proc = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "heavy": [], "printed": True}


@pytest.mark.slow  # a fresh process per command
def test_import_and_load_touch_no_contributor_module(tmp_path):
    code = ("import sys, eastasia_data as ead; ead.load('events'); ead.describe('claims'); ead.tables();"
            "print([m for m in sys.modules if m.split('.')[0] in ('pandera', 'yaml', 'frictionless')"
            " or m.startswith('eastasia_data.curation')])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


NO_VALIDATION = {
    "diff": ["diff"],
    "check-version": ["check-version"],
    "fmt": ["fmt", "--check"],
    "generate": ["generate", "--check"],
    "coverage": ["coverage"],
}

PANDERA_PROBE = """
import contextlib, io, json, sys
from eastasia_data.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main({argv!r})
print(json.dumps({{"code": code, "pandera": sorted(m for m in sys.modules if m.split(".")[0] in ("pandera", "frictionless"))}}))
"""


@pytest.mark.slow  # a fresh process per command
@pytest.mark.parametrize("command", sorted(NO_VALIDATION))
def test_contributor_commands_that_validate_nothing_import_no_pandera(command):
    """diff, check-version, fmt, generate and coverage read and compare; they never import pandera."""
    argv = ["--repo", str(paths.checkout().root), *NO_VALIDATION[command]]
    proc = subprocess.run([sys.executable, "-c", PANDERA_PROBE.format(argv=argv)], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["pandera"] == [], result
    assert result["code"] in (0, 1)  # 1: something to report (e.g. a stale generated file), still no pandera


HIDDEN_PROBE = """
import contextlib, io, json, sys
for name in {hidden!r}:
    sys.modules[name] = None  # as if not installed: importing it fails, importlib.util.find_spec gives None
from eastasia_data.cli import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main({argv!r})
print(json.dumps({{"code": code, "out": out.getvalue(), "err": err.getvalue()}}))
"""
WITHOUT_VALIDATE_EXTRA = ("pandera", "frictionless", "yaml", "feedgen", "jsonschema")


def _without(hidden, argv, cwd) -> dict:
    proc = subprocess.run([sys.executable, "-c", HIDDEN_PROBE.format(hidden=hidden, argv=argv)], capture_output=True,
                          text=True, cwd=cwd, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a fresh process
def test_a_reader_diffs_two_shipped_releases_without_the_validate_extra(tmp_path):
    """Outside any checkout, with neither pandera nor YAML: the releases the installation has are compared."""
    result = _without(WITHOUT_VALIDATE_EXTRA, ["diff", "1.0.0", "2.0.0"], tmp_path)
    assert result["code"] == 0 and result["err"] == "", result
    assert result["out"].startswith("release 1.0.0 → release 2.0.0\n") and "claims:" in result["out"]


@pytest.mark.slow  # a fresh process
@pytest.mark.parametrize("argv", [["fmt", "--check"], ["diff"], ["check-version"]], ids=" ".join)
def test_fmt_and_diff_of_the_checkout_run_without_pandera(argv):
    result = _without(("pandera", "frictionless"), ["--repo", str(paths.checkout().root), *argv], None)
    assert result["code"] == 0 and "pandera" not in result["err"], result


@pytest.mark.slow  # a fresh process
@pytest.mark.parametrize("argv", [["fmt", "--check"], ["diff"]], ids=" ".join)
def test_commands_on_a_checkout_name_the_extra_that_holds_yaml(argv):
    result = _without(WITHOUT_VALIDATE_EXTRA, ["--repo", str(paths.checkout().root), *argv], None)
    assert result["code"] == 2 and result["out"] == "", result
    assert result["err"].startswith("error: ") and 'pip install "eastasia-data[validate]"' in result["err"], result
    assert len(result["err"].splitlines()) == 1 and "Traceback" not in result["err"]


@pytest.mark.slow  # a fresh process
@pytest.mark.parametrize("command", ["validate", "fmt", "check-version", "generate"])
def test_outside_a_checkout_the_checkout_is_named_before_the_extra(command, tmp_path):
    result = _without(WITHOUT_VALIDATE_EXTRA, [command], tmp_path)
    assert result["code"] == 2 and result["err"] == (
        f"error: {tmp_path}: not inside a checkout of eastasia-data; run the command in one, or pass --repo DIR\n")


@pytest.mark.slow  # a fresh process
def test_ead_validate_without_pandera_raises_the_friendly_error():
    code = ("import sys; sys.modules['pandera'] = None\n"
            "import eastasia_data as ead\n"
            "from eastasia_data.errors import MissingExtraError\n"
            "try:\n    ead.validate()\nexcept MissingExtraError as exc:\n    print('friendly:', exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=paths.checkout().root,
                          timeout=600)
    assert proc.stdout == 'friendly: validate needs pandera: pip install "eastasia-data[validate]"\n', proc.stderr


LIGHT_PROBE = """
import contextlib, io, json, sys
from eastasia_data.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main({argv!r})
print(json.dumps({{"code": code, "heavy": sorted(m for m in sys.modules
                                                  if m.split(".")[0] in ("pandera", "frictionless", "yaml", "jsonschema"))}}))
"""


@pytest.mark.slow  # fresh processes
@pytest.mark.parametrize("argv", [["diff", "HEAD"], ["check-version"], ["fmt", "--check"]], ids=" ".join)
def test_with_an_unchanged_schema_diff_check_version_and_fmt_import_no_yaml_or_jsonschema(argv):
    """The schema files' checked outcome comes from the checkout's cache: no YAML parser, no JSON Schema validator.

    The first run fills the cache (and may import both); the second, in a fresh interpreter, must not.
    Both sign with the user's key, as every other command run on this checkout does (a key of the
    test's own would make a parallel test's entries foreign, and theirs its own).
    """
    env = dict(__import__("os").environ)
    env.pop("EASTASIA_NO_CACHE", None)
    full = ["--repo", str(paths.checkout().root), *argv]
    results = []
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", LIGHT_PROBE.format(argv=full)], capture_output=True, text=True,
                              timeout=600, env=env)
        assert proc.returncode == 0, proc.stderr
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert results[1]["heavy"] == [], results
    assert results[0]["code"] == results[1]["code"] and results[1]["code"] in (0, 1), results
