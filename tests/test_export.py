"""Exports: each format opens in its own reader, keeps every row, and the joins work."""

from __future__ import annotations

import re
import sqlite3

import duckdb
import openpyxl
import pandas as pd
import pytest
from conftest import RELEASED, run_cli

import eastasia_data as ead
from eastasia_data.publish.export import ExportError, export
from eastasia_data.releases import descriptor

#: Left out of the quick run (`-m "not slow"`): databases and workbooks written.
pytestmark = pytest.mark.slow

SCHEMAS = {r["name"]: r["schema"] for r in descriptor()["resources"]}
FOREIGN_KEYS = sorted(
    (name, tuple(fk["fields"]), fk["reference"]["resource"], tuple(fk["reference"]["fields"]))
    for name, schema in SCHEMAS.items() for fk in schema.get("foreignKeys", ())
)


def read_sqlite(path) -> dict[str, pd.DataFrame]:
    con = sqlite3.connect(path)
    try:
        return {name: pd.read_sql_query(f'SELECT * FROM "{name}"', con) for name in RELEASED}
    finally:
        con.close()


def read_duckdb(path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(f'SELECT * FROM "{name}"').df() for name in RELEASED}
    finally:
        con.close()


def read_xlsx(path) -> dict[str, pd.DataFrame]:
    book = openpyxl.load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        out[sheet.title] = pd.DataFrame(rows[1:], columns=rows[0])
    return out


def read_csv(path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False).replace("", None) for p in path.glob("*.csv")}


READERS = {"sqlite": read_sqlite, "duckdb": read_duckdb, "xlsx": read_xlsx, "csv": read_csv}
SUFFIX = {"sqlite": ".sqlite", "duckdb": ".duckdb", "xlsx": ".xlsx", "csv": ""}


@pytest.fixture(scope="module", params=sorted(READERS))
def exported(request, tmp_path_factory):
    fmt = request.param
    out = tmp_path_factory.mktemp(fmt) / f"eastasia{SUFFIX[fmt]}"
    result = run_cli("export", "--format", fmt, "--out", str(out))
    assert result.code == 0, result.text
    assert f"written: {out}" in result.out
    return fmt, out, READERS[fmt](out)


def test_every_table_and_row_is_exported(exported):
    fmt, _, frames = exported
    assert sorted(frames) == RELEASED
    for name in RELEASED:
        loaded = ead.load(name)
        assert list(frames[name].columns) == list(loaded.columns), (fmt, name)
        assert len(frames[name]) == len(loaded), (fmt, name)


def test_claims_join_to_their_sources_and_verdicts(exported):
    fmt, _, frames = exported
    claims, sources = frames["claims"], frames["sources"]
    joined = claims.merge(sources, left_on="authority_source_id", right_on="source_id", suffixes=("", "_authority"))
    rated = claims[claims["verdict"] != "not_rated"]
    assert len(joined) == len(rated) > 0, fmt
    loaded = ead.load("claims").set_index("claim_id")
    for claim_id, verdict in zip(joined["claim_id"], joined["verdict"]):
        assert loaded.at[claim_id, "verdict"] == verdict


def test_dates_keep_their_precision(exported):
    """Each date is exported as ISO text at its precision (2024-10 for a month), as the release it exports holds it."""
    fmt, _, frames = exported
    events = frames["events"].set_index("event_id")
    release = ead.load("events").set_index("event_id")  # what the export wrote out
    assert sorted(events.index) == sorted(release.index), fmt
    form = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
    expected = [d.strftime(form[p]) for d, p in zip(release["start_date"], release["date_precision"])]
    assert events.loc[release.index, "start_date"].astype(str).tolist() == expected, fmt


def test_sqlite_keys_are_enforced(tmp_path):
    path = export("sqlite", tmp_path / "e.sqlite")
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    found = sorted(
        (name, (row[3],), row[2], (row[4],))
        for name in RELEASED for row in con.execute(f'PRAGMA foreign_key_list("{name}")')
    )
    assert found == FOREIGN_KEYS
    for name in RELEASED:
        pk = [row[1] for row in sorted(con.execute(f'PRAGMA table_info("{name}")'), key=lambda r: r[5]) if row[5]]
        assert pk == SCHEMAS[name]["primaryKey"], name
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        con.execute("INSERT INTO event_actors VALUES ('evt-2099-nothing', 'act-russia', 'actor')")
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        con.execute("INSERT INTO actors (actor_id, name, kind, source_id) SELECT actor_id, name, kind, source_id "
                    "FROM actors LIMIT 1")
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        con.execute("UPDATE events SET category = 'PARTY' WHERE rowid = 1")
    con.close()


def test_duckdb_keys_are_enforced_and_foreign_keys_stated(tmp_path):
    """Primary keys are constraints; foreign keys (an index each in DuckDB) are comments, checked at export."""
    path = export("duckdb", tmp_path / "e.duckdb")
    con = duckdb.connect(str(path))
    primary = con.execute("SELECT table_name, constraint_column_names FROM duckdb_constraints() "
                          "WHERE constraint_type = 'PRIMARY KEY'").fetchall()
    assert sorted((t, list(c)) for t, c in primary) == sorted((n, list(s["primaryKey"])) for n, s in SCHEMAS.items())
    assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'").fetchone() == (0,)
    comments = con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() "
                           "WHERE NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables())").fetchall()
    stated = sorted(
        (t, (c,), target.split(".")[0], (target.split(".")[1],))
        for t, c, comment in comments
        for found in [re.search(r" References (.+)\.$", comment)] if found
        for target in found.group(1).split(", ")
    )
    assert stated == FOREIGN_KEYS
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO event_actors SELECT * FROM event_actors LIMIT 1")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO actors (actor_id, name, kind, source_id) "
                    "SELECT actor_id, name, kind, source_id FROM actors LIMIT 1")
    joined = con.execute(
        "SELECT a.name, s.name FROM actors a JOIN actors s ON a.state_actor_id = s.actor_id").fetchall()
    assert joined and all(state for _, state in joined)
    con.close()


FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1"]


@pytest.fixture
def crafted_frames():
    """Only the modified table: export() takes the others from the release."""
    events = ead.load("events")
    events.loc[events.index[: len(FORMULAS)], "title"] = FORMULAS
    return {"events": events}


def test_csv_export_neutralises_formulas(tmp_path, crafted_frames):
    out = export("csv", tmp_path / "csv", frames=crafted_frames)
    assert sorted(p.stem for p in out.iterdir()) == RELEASED
    titles = pd.read_csv(out / "events.csv", dtype=str)["title"].tolist()
    assert titles[: len(FORMULAS)] == ["'" + f for f in FORMULAS]
    assert not any(t.startswith(("=", "+", "-", "@", "\t")) for t in titles)


def test_xlsx_export_stores_formulas_as_text(tmp_path, crafted_frames):
    out = export("xlsx", tmp_path / "e.xlsx", frames=crafted_frames)
    book = openpyxl.load_workbook(out)
    assert sorted(book.sheetnames) == RELEASED
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    sheet = book["events"]
    column = [c.value for c in sheet[1]].index("title") + 1
    crafted = [sheet.cell(row=i + 2, column=column) for i in range(len(FORMULAS))]
    assert [c.value for c in crafted] == FORMULAS
    assert all(c.data_type == "s" and c.quotePrefix for c in crafted)


def test_existing_output_is_refused_then_replaced_with_force(tmp_path):
    out = tmp_path / "e.sqlite"
    out.write_bytes(b"keep me")
    refused = run_cli("export", "--format", "sqlite", "--out", str(out))
    assert refused.code == 1
    assert "exists" in refused.err and "--force" in refused.err
    assert out.read_bytes() == b"keep me"
    forced = run_cli("export", "--format", "sqlite", "--out", str(out), "--force")
    assert forced.code == 0, forced.text
    assert read_sqlite(out)["events"].shape[0] == len(ead.load("events"))
    # no scratch files left behind; the Datasette metadata is written beside the database
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.metadata.json", "e.sqlite"]


@pytest.mark.parametrize("fmt", ["sqlite", "duckdb"])
def test_frames_that_break_a_key_are_refused_and_nothing_is_written(tmp_path, fmt):
    links = ead.load("event_actors")
    links.loc[links.index[0], "actor_id"] = "act-nobody"
    with pytest.raises(ExportError, match="table event_actors: a row breaks a constraint"):
        export(fmt, tmp_path / f"e.{fmt}", frames={"event_actors": links})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, code, message", [
    (["--format", "sqlite", "--out", "/nonexistent-dir/e.sqlite"], 2, "not a directory"),
    (["--format", "parquet", "--out", "x"], 2, "invalid choice"),
    (["--format", "csv"], 2, "--out"),
])
def test_bad_export_arguments(args, code, message):
    result = run_cli("export", *args)
    assert result.code == code
    assert message in result.err
    assert "Traceback" not in result.err


# -- issue 12: what the CSV and Excel writers do with awkward text ---------------------------------

LINE_BREAKS = ["\r", "\n", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def test_csv_quotes_every_line_break_so_records_stay_whole(tmp_path):
    import csv

    events = ead.load("events")
    titles = [f"before{brk}after" for brk in LINE_BREAKS]
    events.loc[events.index[: len(titles)], "title"] = titles
    out = export("csv", tmp_path / "csv", frames={"events": events})
    raw = (out / "events.csv").read_bytes()
    # an RFC 4180 reader: the file read as bytes-for-text with no newline translation
    with open(out / "events.csv", newline="", encoding="utf-8") as f:
        records = list(csv.reader(f))
    assert len(records) == len(events) + 1
    assert all(len(r) == len(events.columns) for r in records)
    column = records[0].index("title")
    assert [r[column] for r in records[1 : len(titles) + 1]] == titles
    # and a reader that splits lines first (pandas' C parser) sees the same rows
    assert pd.read_csv(out / "events.csv", dtype=str).shape == events.shape
    assert raw.count(b'"before\rafter"') == 1


@pytest.mark.parametrize("text, message", [
    ("x" * 32_768, "holds 32768 characters, more than the 32767 an Excel cell can hold"),
    ("bell\x07", "holds the control character U+0007 at position 5"),
    ("nul\x00", "holds the control character U+0000 at position 4"),
    ("\ufffe", "holds the control character U+FFFE at position 1"),
])
def test_xlsx_refuses_cells_excel_cannot_hold(tmp_path, text, message):
    events = ead.load("events")
    first = events["event_id"].iloc[0]
    events.loc[events.index[0], "summary"] = text
    with pytest.raises(ExportError) as caught:
        export("xlsx", tmp_path / "e.xlsx", frames={"events": events})
    assert str(caught.value).startswith(f"table events, row {first}, column summary: {message}; ")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_xlsx_keeps_a_cell_of_exactly_the_limit(tmp_path):
    events = ead.load("events")
    events.loc[events.index[0], "summary"] = "x" * 32_767
    out = export("xlsx", tmp_path / "e.xlsx", frames={"events": events})
    sheet = openpyxl.load_workbook(out)["events"]
    column = [c.value for c in sheet[1]].index("summary") + 1
    assert sheet.cell(row=2, column=column).value == "x" * 32_767


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_years_before_1000_keep_four_digits(tmp_path, fmt):
    events = ead.load("events").copy(deep=True)  # loaded columns are read-only views of Arrow memory
    i = events.index[0]
    event_id = events.loc[i, "event_id"]
    events.loc[i, ["start_date", "date_precision"]] = [pd.Timestamp("0500-03-07"), "day"]
    events.loc[i, "end_date"] = pd.NaT
    j = events.index[1]
    events.loc[j, ["start_date", "date_precision", "end_date"]] = [pd.Timestamp("0042-01-01"), "year", pd.NaT]
    out = export(fmt, tmp_path / f"eastasia{SUFFIX[fmt]}", frames={"events": events})
    table = READERS[fmt](out)["events"].set_index("event_id")
    assert table.loc[event_id, "start_date"] == "0500-03-07"
    assert table.loc[events.loc[j, "event_id"], "start_date"] == "0042"


def test_duckdb_carries_the_descriptions_as_comments(tmp_path):
    from eastasia_data.publish.tables import column_description
    from eastasia_data.releases import model

    path = export("duckdb", tmp_path / "e.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
        columns = {(t, c): comment for t, c, comment in
                   con.execute("SELECT table_name, column_name, comment FROM duckdb_columns()").fetchall()}
    finally:
        con.close()
    for name, table in model().items():
        assert tables[name] == table.description
        for f in table.fields:
            assert columns[(name, f.name)].startswith(column_description(f))
    assert columns[("claims", "verdict")].startswith("The curators' verdict")
    assert "contradicted (The authority shows the claim is false" in columns[("claims", "verdict")]


def test_duckdb_file_is_at_most_twice_the_sqlite_file(tmp_path):
    """DuckDB's default 256 KiB blocks made the export 11.8 MB; 16 KiB blocks and no foreign-key indexes, 0.47 MB.

    DuckDB keeps an index for every primary, unique and foreign key, each in blocks of its
    own. Measured: 0.41 MB without keys, 0.47 MB with the primary keys, 0.85 MB with the
    foreign keys too, against 0.33 MB for the SQLite file (SQLite indexes no foreign key).
    """
    duck = export("duckdb", tmp_path / "e.duckdb").stat().st_size
    lite = export("sqlite", tmp_path / "e.sqlite").stat().st_size
    assert duck <= 2 * lite, (duck, lite)


@pytest.mark.parametrize("name", sorted(ead.tables()))
def test_csv_writes_a_missing_value_as_an_empty_cell(tmp_path, name):
    """Never the text "nan": a cell is empty exactly where load() has a missing value."""
    import csv

    out = export("csv", tmp_path / "csv", frames={name: ead.load(name)})
    with open(out / f"{name}.csv", newline="", encoding="utf-8") as f:
        header, *records = list(csv.reader(f))
    frame = ead.load(name)
    assert header == frame.columns.tolist() and len(records) == len(frame)
    empty = pd.DataFrame([[cell == "" for cell in r] for r in records], columns=header)
    assert empty.equals(frame.isna().reset_index(drop=True)), name
