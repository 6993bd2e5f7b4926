"""`eastasia-data validate` as a contributor sees it: output lines, formats and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from checkout_copy import make_checkout
from conftest import TABLES, run_cli
from csvedit import first_row, read_rows, set_cell, write_rows

SHAPE = {"day": "1900-01-01", "month": "1900-01", "year": "1900"}


def break_syntax(data: Path):
    path = data / "event_actors.csv"
    header, rows = read_rows(path)
    with path.open("a", encoding="utf-8") as f:
        f.write("evt-2024-06-19-x,act-x\n")
    return "event_actors.csv", len(rows) + 2, None, "row-width"


def break_date(data: Path):
    i = first_row(data / "events.csv", lambda r: r["date_precision"] == "day")
    return "events.csv", set_cell(data / "events.csv", i, "start_date", "2019-02-30"), "start_date", "date"


def break_order(data: Path):
    path = data / "events.csv"
    _, rows = read_rows(path)
    return "events.csv", set_cell(path, 0, "end_date", SHAPE[rows[0]["date_precision"]]), "end_date", "date-order"


def break_precision(data: Path):
    i = first_row(data / "events.csv", lambda r: r["date_precision"] == "day")
    return "events.csv", set_cell(data / "events.csv", i, "date_precision", "year"), "start_date", "precision"


def break_enum(data: Path):
    return "events.csv", set_cell(data / "events.csv", 0, "category", "CONSLUT"), "category", "enum"


def break_rule(data: Path):
    i = first_row(data / "claims.csv", lambda r: r["verdict"] == "contradicted")
    return "claims.csv", set_cell(data / "claims.csv", i, "authority_source_id", ""), "authority_source_id", "rated-claim-has-authority"


def break_foreign_key(data: Path):
    return "event_actors.csv", set_cell(data / "event_actors.csv", 0, "actor_id", "act-nobody"), "actor_id", "foreign-key"


def break_excerpt(data: Path):
    path = data / "claims.csv"
    i = first_row(path, lambda r: "’" in r["excerpt"])
    _, rows = read_rows(path)
    return "claims.csv", set_cell(path, i, "excerpt", rows[i]["excerpt"].replace("’", "'")), "excerpt", "excerpt"


def break_hash(data: Path):
    path = data / "sources.csv"
    i = first_row(path, lambda r: r["sha256"] != "")
    return "sources.csv", set_cell(path, i, "sha256", "0" * 64), "sha256", "sha256"


def break_formula(data: Path):
    return "events.csv", set_cell(data / "events.csv", 0, "title", "=HYPERLINK(\"http://x\")"), "title", "formula"


def break_header(data: Path):
    path = data / "actors.csv"
    header, rows = read_rows(path)
    renamed = ["nmae" if h == "name" else h for h in header]
    write_rows(path, renamed, [{("nmae" if k == "name" else k): v for k, v in r.items()} for r in rows])
    return "actors.csv", 1, "nmae", "header"


LAYERS = {
    "syntax": break_syntax,
    "table-date": break_date,
    "table-enum": break_enum,
    "cross-field-order": break_order,
    "cross-field-precision": break_precision,
    "cross-field-rule": break_rule,
    "cross-table": break_foreign_key,
    "evidence-excerpt": break_excerpt,
    "evidence-hash": break_hash,
    "hygiene": break_formula,
    "header": break_header,
}


def test_valid_data_passes(sources_dir):
    result = run_cli("validate", "--sources-dir", str(sources_dir))
    assert result.code == 0, result.text
    assert result.out.strip().splitlines()[-1].startswith(f"valid: checked {len(TABLES)} tables")


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_names_file_line_column_and_rule(layer, data_copy, sources_dir, tmp_path):
    file, line, column, rule = LAYERS[layer](data_copy)
    result = run_cli("validate", "--data-dir", "data", "--sources-dir", str(sources_dir), cwd=tmp_path)
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    prefix = f"data/{file}:{line}: " + (f"{column}: " if column else "")
    matching = [l for l in result.out.splitlines() if l.startswith(prefix) and f"(rule: {rule})" in l]
    assert matching, f"expected a line starting {prefix!r} with rule {rule}; got:\n{result.out}"
    assert re.match(rf"\d+ problems? in \d+ files?: checked {len(TABLES)} tables, \d+ rows", result.out.splitlines()[-1])


def test_json_format_lists_the_same_problems(data_copy, sources_dir, tmp_path):
    break_date(data_copy)
    break_foreign_key(data_copy)
    text = run_cli("validate", "--data-dir", "data", "--sources-dir", str(sources_dir), cwd=tmp_path)
    out = run_cli("validate", "--data-dir", "data", "--sources-dir", str(sources_dir), "--format", "json", cwd=tmp_path)
    assert out.code == 1
    report = json.loads(out.out)
    assert report["valid"] is False
    assert {p["rule"] for p in report["problems"]} >= {"date", "foreign-key"}
    assert len(report["problems"]) == len(text.out.strip().splitlines()) - 1
    assert all({"file", "line", "column", "value", "rule", "message", "hint", "table", "key"} <= set(p)
               for p in report["problems"])
    # a row's problem names the row by its identity as well as its line: the table and the primary key's values
    _, rows = read_rows(data_copy / "event_actors.csv")
    dangling = next(p for p in report["problems"] if p["rule"] == "foreign-key")
    assert dangling["table"] == "event_actors"
    assert dangling["key"] == [rows[0]["event_id"], "act-nobody", rows[0]["role"]]


def test_github_format_prints_annotations(data_copy, sources_dir, tmp_path):
    file, line, column, rule = break_date(data_copy)
    out = run_cli("validate", "--data-dir", "data", "--sources-dir", str(sources_dir), "--format", "github", cwd=tmp_path)
    assert out.code == 1
    assert f"::error file=data/{file},line={line},title={rule}::" in out.out


def test_a_named_archive_that_does_not_exist_is_a_usage_error(tmp_path):
    local = run_cli("validate", "--sources-dir", str(tmp_path / "nowhere"), env={"CI": "false"})
    assert "evidence cannot be checked" not in local.out
    assert "--sources-dir" in local.err and local.code == 2
    named = run_cli("validate", env={"CI": "false", "EASTASIA_SOURCES": str(tmp_path / "nowhere")})
    assert named.code == 2 and "EASTASIA_SOURCES" in named.err and "not a directory" in named.err
    assert named.out == ""


def test_an_archive_not_found_is_skipped_locally_and_an_error_in_ci(tmp_path):
    # A checkout with no ../shared/sources beside it and no EASTASIA_SOURCES: nothing names an archive.
    repo = make_checkout(tmp_path / "repo")
    env = {k: v for k, v in os.environ.items() if k != "EASTASIA_SOURCES"}
    def run(ci):
        proc = subprocess.run([sys.executable, "-m", "eastasia_data", "validate"], capture_output=True, text=True,
                              cwd=repo, env={**env, "CI": ci})
        return proc
    skipped = run("false")
    assert skipped.returncode == 0 and "evidence layer skipped" in skipped.stdout
    failed = run("true")
    assert failed.returncode == 1 and "(rule: archive)" in failed.stdout


def test_without_the_archive_a_missing_passage_id_is_told_how_to_find_the_passage(tmp_path):
    """With the archive the corpus case names the passage; without it, the hint says where to look."""
    repo = make_checkout(tmp_path / "repo")
    path = repo / "data" / "event_sources.csv"
    line = set_cell(path, first_row(path, lambda r: r["passage_id"] != ""), "passage_id", "")
    env = {k: v for k, v in os.environ.items() if k != "EASTASIA_SOURCES"}
    proc = subprocess.run([sys.executable, "-m", "eastasia_data", "validate"], capture_output=True, text=True,
                          cwd=repo, env={**env, "CI": "false"})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[0] == (
        f"data/event_sources.csv:{line}: passage_id: is empty but required when excerpt is filled in "
        "(rule: excerpt-names-passage); hint: name the passage of data/passages.csv whose span (start to end, in "
        "the source's archived text) holds the excerpt; with the source archive, validate names it")


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("validate", "--format", "xml").code == 2
    assert run_cli("validate", "--data-dir", str(tmp_path / "missing")).code == 2
    assert run_cli("frobnicate").code == 2


def test_python_api_returns_a_report(data_copy, sources_dir):
    import eastasia_data as ead

    break_foreign_key(data_copy)
    report = ead.validate(data_copy, sources_dir)
    assert not report.valid
    assert [p.rule for p in report.problems] == ["foreign-key"]
    assert report.problems[0].line == 2


def test_a_csv_without_a_schema_is_reported(data_copy, sources_dir, tmp_path):
    (data_copy / "evnets.csv").write_text("event_id\n", encoding="utf-8")
    result = run_cli("validate", "--data-dir", "data", "--sources-dir", str(sources_dir), cwd=tmp_path)
    assert result.code == 1
    assert "data/evnets.csv: is not a table of the dataset" in result.out and "(rule: file)" in result.out


@pytest.mark.parametrize("edit, named", [
    (lambda text: text.split("[tool.eastasia-data.archive.ledger-columns]")[0] + "[tool.eastasia-data.releases]"
     + text.split("[tool.eastasia-data.releases]", 1)[1], "[tool.eastasia-data.archive.ledger-columns]"),
    (lambda text: text.replace('kind = "kind"', 'kind = "passage_kind"'), "passage_kind"),
])
def test_the_ledger_check_needs_its_columns_declared_and_present(edit, named, tmp_path, sources_dir):
    """A ledger column renamed in the schema but not in pyproject (or not declared at all) stops validate with one
    line, rather than switching the ledger layer off."""
    repo = make_checkout(tmp_path / "repo", releases=False)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(edit(pyproject.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_cli("--repo", str(repo), "validate", "--sources-dir", str(sources_dir), cwd=tmp_path)
    assert result.code == 2, result.text
    assert "Traceback" not in result.text and len(result.err.strip().splitlines()) == 1
    assert named in result.err and "ledger" in result.err
