"""Every case of the bad-input corpus (tests/corpus.py), as a contributor meets it.

``validate`` must exit 1 and name the file, line, column and rule of the problem,
without a traceback; ``build`` must refuse and write nothing at all.

Each case gets its own scratch directory, broken once; the ``validate`` runs are
separate processes, started side by side to keep the suite quick.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, SOURCES, Run, run_cli
from corpus import CASES, Expect, Scratch

from eastasia_data import cli, paths


@dataclass
class Outcome:
    root: Path
    expected: list[Expect]
    run: Run | None


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` with its size and modification time."""
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def prepare(name: str, root: Path) -> Outcome:
    shutil.copytree(paths.data_dir(), root / "data")
    shutil.copytree(SOURCES, root / "sources")
    return Outcome(root, CASES[name].breaks(Scratch(root / "data", root / "sources")), None)


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory, sources_dir) -> dict[str, Outcome]:
    """Every selected case broken in its own directory and validated through the CLI."""
    base = tmp_path_factory.mktemp("corpus")
    selected = {item.callspec.params["name"] for item in request.session.items
                if getattr(item, "module", None) is request.module and hasattr(item, "callspec")}
    prepared = {name: prepare(name, base / name) for name in sorted(selected)}

    def validate(outcome: Outcome) -> Run:
        return run_cli("validate", "--data-dir", "data", "--sources-dir", "sources", cwd=outcome.root)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        for outcome, run in zip(prepared.values(), pool.map(validate, prepared.values())):
            outcome.run = run
    return prepared


def test_the_corpus_has_at_least_forty_cases():
    assert len(CASES) >= 40, sorted(CASES)
    assert all(c.why for c in CASES.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_names_the_problem(name, outcomes):
    outcome = outcomes[name]
    result = outcome.run
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    lines = result.out.splitlines()
    for e in outcome.expected:
        found = [l for l in lines if l.startswith(e.prefix()) and f"(rule: {e.rule})" in l and e.says in l]
        assert found, f"expected a line starting {e.prefix()!r} with rule {e.rule} saying {e.says!r}; got:\n{result.out[:5000]}"
    assert lines[-1].split(":")[0].endswith(("file", "files")), lines[-1]


@pytest.mark.parametrize("name", sorted(CASES))
def test_build_refuses_and_writes_nothing(name, outcomes, monkeypatch, capsys):
    root = outcomes[name].root
    before = snapshot(root)
    monkeypatch.chdir(root)
    code = cli.main(["--repo", str(REPO), "build", "--data-dir", "data", "--sources-dir", "sources", "--out", "out"])
    captured = capsys.readouterr()
    assert code == 1, captured.out + captured.err
    assert "nothing was built" in captured.err
    assert not (root / "out").exists()
    assert snapshot(root) == before
