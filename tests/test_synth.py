"""The synthetic generator of bench/ against the validator: clean data is valid, broken rows are found exactly."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import MODEL, REPO, SOURCES

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

from eastasia_data.curation.descriptor import checkout_package  # noqa: E402
from eastasia_data.curation.validate import validate  # noqa: E402


def _small_total() -> int:
    """A small dataset: 500 rows, or as many more as leave every other table of the model (a table can be added by
    its schema alone) room for the generator's minimum (a link table twice it) besides the ledger's passages (one per
    passage of the archive)."""
    from eastasia_data.curation.passages import split

    passages = sum(len(split(text)) for _, _, text in synth._archives(SOURCES)) if SOURCES else 0
    return max(500, passages + synth.MIN_ROWS * synth.LINK_WEIGHT * (len(MODEL) - 1))


SMALL = _small_total()


@pytest.fixture(scope="module")
def broken_set(tmp_path_factory, sources_dir):
    data = tmp_path_factory.mktemp("broken")
    # 50 rows per kind of breakage, so that 2% breaks every table in every way its columns declare
    # (the ledger has a row per passage of the archive: enough for its few kinds)
    sizes = {table: 50 * len(kinds) for table, kinds in synth.all_breakages().items()}
    generated = synth.generate(data, broken=0.02, seed=7, sources_dir=sources_dir, sizes=sizes)
    return generated, validate(data, sources_dir, require_archive=True)


@pytest.mark.parametrize("total", [SMALL, 3_000])
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
    """Every way a column's declaration can be broken (and every rule) is used on some row."""
    generated, _ = broken_set
    used = {(f.removesuffix(".csv"), column, kind) for f, _, column, kind in generated.broken}
    expected = {(t, column, kind) for t, kinds in generated.kinds.items() for column, kind in kinds}
    assert used == expected
    assert {t for t, _, _ in used} == set(MODEL)  # the ledger too


def test_every_rule_is_among_the_breakages():
    kinds = synth.all_breakages()
    for table in MODEL.values():
        assert {r.name for r in table.rules} <= {k for _, k in kinds[table.name]}, table.name


def test_generated_values_follow_the_declarations(tmp_path, sources_dir):
    """Keys match their pattern, categories are allowed values, foreign keys resolve, link tables are bigger."""
    generated = synth.generate(None, 3_000, seed=5, sources_dir=sources_dir)
    frames = generated.frames
    for table in MODEL.values():
        frame = frames[table.name]
        assert list(frame.columns) == list(table.field_names)
        for f in table.fields:
            values = frame[f.name].dropna()
            if f.pattern:
                assert values.str.fullmatch(f.pattern).all(), (table.name, f.name)
            if f.categories:
                assert values.isin(f.enum).all(), (table.name, f.name)
        for fk in table.foreign_keys:
            child = frame[list(fk.fields)].dropna()
            parent = frames[fk.resource][list(fk.reference_fields)]
            assert pd.MultiIndex.from_frame(child).isin(pd.MultiIndex.from_frame(parent)).all(), (table.name, fk)
        assert not frame.duplicated(subset=list(table.primary_key)).any(), table.name
    ledger = checkout_package().archive.ledger
    links = [n for n, t in MODEL.items() if synth.is_link(t)]
    others = [n for n, t in MODEL.items() if not synth.is_link(t) and n != ledger]
    assert links and min(generated.rows[n] for n in links) > max(generated.rows[n] for n in others)


def test_the_same_seed_gives_the_same_files(tmp_path, sources_dir):
    synth.generate(tmp_path / "a", SMALL, broken=0.01, seed=3, sources_dir=sources_dir)
    synth.generate(tmp_path / "b", SMALL, broken=0.01, seed=3, sources_dir=sources_dir)
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
                   ("validate", "memory growth during a warm `validate()` / size of the frames read"),
                   ("validate", "rows/s"), ("validate", "whole command"),
                   ("build", "`build` (validate + Parquet + descriptor)"), ("build", "wheel size")]:
        assert wanted in names, wanted
    # every command is measured against the imports it is held to, with a cold cache and a warm one;
    # the target is judged warm, and validate's as a `[validate]` install runs it (the dev install beside it)
    commands = [f for f in results["figures"] if f["group"] == "commands"]
    wanted = {"`eastasia-data validate`, hypothesis not installed",
              "`eastasia-data validate`, dev install (hypothesis installed)", "`eastasia-data diff HEAD`",
              "`eastasia-data check-version`", "`eastasia-data fmt --check`", "`eastasia-data cite`"}
    assert {f["name"] for f in commands} >= {f"{c}, {state} cache" for c in wanted for state in ("cold", "warm")}
    assert all(f["ref_samples"] for f in commands)
    beside = [f for f in commands if f["name"].endswith(", cold cache") or "dev install" in f["name"]]
    judged = [f for f in commands if f not in beside]
    assert len(judged) == len(commands) // 2 - 1 and all(f["met"] in (True, False) for f in judged)
    assert all(f["met"] is None for f in beside)
    warm = next(f for f in results["figures"] if f["name"].startswith("`validate()` clean, warm") and f["size"] == "real data")
    assert warm["target"] and warm["met"] in (True, False)
    assert all(f["samples"] and f["min"] > 0 for f in results["figures"] if f["unit"] != "×")
    assert "| validate |" in (tmp_path / "results.md").read_text(encoding="utf-8")


def test_a_rule_the_generator_cannot_satisfy_is_named_with_the_way_out(monkeypatch, sources_dir):
    """An excerpt is required and derived from its source, which is required too: nothing generic can
    make 'source given -> no excerpt' hold, so the generator says which rule needs a hook."""
    from eastasia_data.model import Rule

    claims = MODEL["claims"]
    impossible = Rule("no-excerpt-with-a-source", "A test rule.", (("source_id", None),), forbid=("excerpt",))
    model = {**MODEL, "claims": dataclasses.replace(claims, rules=claims.rules + (impossible,))}
    monkeypatch.setattr(synth, "read_model", lambda: model)
    with pytest.raises(synth.GeneratorError, match=r"'no-excerpt-with-a-source'.*RULE_HOOKS"):
        synth.generate(None, 1_000, sources_dir=sources_dir)


def test_a_hook_replaces_the_generic_solver_for_its_rule(monkeypatch, tmp_path, sources_dir):
    calls = []

    def name_the_first_actor(builder, table, columns):
        calls.append(table.name)
        columns["claimant_actor_id"][columns["claimant"] == "quoted_actor"] = builder.cols["actors"]["actor_id"][0]

    monkeypatch.setitem(synth.RULE_HOOKS, "quoted-claim-names-actor", name_the_first_actor)
    generated = synth.generate(tmp_path, 1_000, seed=2, sources_dir=sources_dir)
    assert calls and set(calls) == {"claims"}
    claims = generated.frames["claims"]
    quoted = claims[claims["claimant"] == "quoted_actor"]
    assert len(quoted) and (quoted["claimant_actor_id"] == generated.frames["actors"]["actor_id"][0]).all()
    assert validate(tmp_path, sources_dir, require_archive=True).problems == []


def test_the_generator_s_examples_run():
    import doctest

    result = doctest.testmod(synth)
    assert result.failed == 0 and result.attempted >= 10, result
