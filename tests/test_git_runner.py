"""One git runner: only `paths.git` starts git; integrity, release, snapshot, bundle and build call it."""

from __future__ import annotations

import ast
from pathlib import Path

from eastasia_data import paths

SRC = Path(paths.__file__).parent


def _runs_git(path: Path) -> bool:
    """Whether the module builds a command line starting with "git" (a list or tuple whose first item is it)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and first.value == "git":
                return True
    return False


def test_only_paths_starts_git():
    assert _runs_git(SRC / "paths.py")  # the scan sees the runner itself
    assert sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if _runs_git(p)) == ["paths.py"]


def test_a_failed_git_command_is_a_result_not_an_exception(tmp_path):
    run = paths.git(tmp_path, "rev-parse", "HEAD")  # not a repository
    assert not run.ok and run.stderr
    assert paths.last_commit_epoch(tmp_path) == ""
