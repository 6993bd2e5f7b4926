"""The pre-commit hooks CONTRIBUTING.md tells contributors to install: they run offline and catch a bad file.

In a clone, ``pre-commit run --all-files`` runs every hook of ``.pre-commit-config.yaml``
(validate, fmt --check, generate --check, check-version, cffconvert) with this environment's
tools; all pass. A CSV re-saved with CRLF line ends then fails the fmt hook, naming the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SOURCES

pytestmark = pytest.mark.slow

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


@pytest.fixture
def clone(tmp_path, sources_dir):
    repo = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    for venv in (".venv", ".venv-cffconvert"):
        (repo / venv).symlink_to(REPO / venv)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "EASTASIA_SOURCES": str(SOURCES),
           "PYTHONPATH": str(repo / "src"), "CI": "true"}
    return repo, env


def run_hooks(repo: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(PRE_COMMIT), "run", "--all-files", "--color", "never"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)


def test_every_hook_passes_on_the_committed_files(clone):
    repo, env = clone
    proc = run_hooks(repo, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for hook in ("eastasia-data validate", "eastasia-data fmt --check", "eastasia-data generate --check",
                 "eastasia-data check-version", "cffconvert --validate"):
        assert any(line.startswith(hook) and line.endswith("Passed") for line in proc.stdout.splitlines()), \
            (hook, proc.stdout)


def test_the_fmt_hook_fails_on_a_file_with_crlf_line_ends(clone):
    repo, env = clone
    path = repo / "data" / "actors.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    proc = run_hooks(repo, env)
    assert proc.returncode == 1
    fmt = proc.stdout.split("eastasia-data fmt --check", 1)[1].split("\neastasia-data ", 1)[0]
    assert "Failed" in fmt and "actors.csv: not canonical (CR or CRLF line ends" in fmt, proc.stdout
