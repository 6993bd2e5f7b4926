"""The synthetic generator of bench/ against the validator: clean data is valid, broken rows are found exactly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

from eastasia_data.curation.validate import validate  # noqa: E402


@pytest.fixture(scope="module")
def broken_set(tmp_path_factory, sources_dir):
    data = tmp_path_factory.mktemp("broken")
    # 100 rows per kind of breakage, so that 1% breaks every table in every way it knows
    sizes = {table: 100 * len(kinds) for table, kinds in synth.BREAKAGES.items()}
    generated = synth.generate(data, broken=0.01, seed=7, sources_dir=sources_dir, sizes=sizes)
    return generated, validate(data, sources_dir, require_archive=True)


@pytest.mark.parametrize("total", [500, 3_000])
def test_generated_data_is_valid(tmp_path, sources_dir, total):
    generated = synth.generate(tmp_path, total, seed=total, sources_dir=sources_dir)
    report = validate(tmp_path, sources_dir, require_archive=True)
    assert [p.as_text() for p in report.problems] == []
    assert report.rows == generated.total == total


def test_broken_rows_are_reported_at_exactly_those_rows(broken_set):
    generated, report = broken_set
    found = {(Path(p.file).name, p.line) for p in report.problems}
    assert found == {(f, line) for f, line, _, _ in generated.broken}


def test_each_broken_row_is_reported_on_the_broken_column(broken_set):
    generated, report = broken_set
    found = {(Path(p.file).name, p.line, p.column) for p in report.problems}
    missing = [b for b in generated.broken if b[:3] not in found]
    assert missing == []


def test_every_kind_of_breakage_is_used(broken_set):
    generated, _ = broken_set
    used = {(f.removesuffix(".csv"), kind) for f, _, _, kind in generated.broken}
    expected = {(t, "foreign-key" if k.startswith("foreign-key") else k) for t, kinds in synth.BREAKAGES.items() for k in kinds}
    assert used == expected


def test_the_same_seed_gives_the_same_files(tmp_path, sources_dir):
    synth.generate(tmp_path / "a", 500, broken=0.01, seed=3, sources_dir=sources_dir)
    synth.generate(tmp_path / "b", 500, broken=0.01, seed=3, sources_dir=sources_dir)
    for path in sorted((tmp_path / "a").glob("*.csv")):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


@pytest.mark.slow
def test_bench_smoke_run_writes_every_figure(tmp_path, sources_dir):
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--smoke", "--out", str(tmp_path),
                           "--sources-dir", str(sources_dir)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    names = {(f["group"], f["name"].split(",")[0].split(":")[0]) for f in results["figures"]}
    for wanted in [("import", "`import eastasia_data`"), ("load", "`load_all()` (every table)"),
                   ("validate", "`validate()` clean"), ("validate", "`validate()` 1% broken vs clean"),
                   ("validate", "peak memory (RSS) of the validating process"),
                   ("validate", "rows/s"), ("build", "`build` (validate + Parquet + descriptor)"),
                   ("build", "wheel size")]:
        assert wanted in names, wanted
    assert all(f["samples"] and f["min"] > 0 for f in results["figures"] if f["unit"] != "×")
    assert "| validate |" in (tmp_path / "results.md").read_text(encoding="utf-8")
