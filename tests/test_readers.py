"""What a reader sees: every release, the files for other tools, dates and ordered categories, views, the CLI."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import MODEL, RELEASE_MODEL, REPO, SOURCES, run_cli

import eastasia_data as ead
from eastasia_data import cli, loader, releases, views
from eastasia_data.citation import content_hash
from eastasia_data.curation.versioning import released_versions

#: Left out of the quick run (`-m "not slow"`): the readers' features: downloads from a local server, pipes, one-liners.
pytestmark = pytest.mark.slow

RELEASED = released_versions(REPO / "releases")


# -- versions -------------------------------------------------------------------------------------


def test_versions_lists_every_built_release_with_its_content_hash():
    v = ead.versions()
    assert v["version"].tolist() == RELEASED
    for row in v.itertuples():
        descriptor = json.loads((REPO / "releases" / f"eastasia-data-{row.version}" / "datapackage.json").read_text())
        assert row.content_hash == content_hash(descriptor)
        assert row.date == descriptor["created"][:10]
        assert row.tables == len(descriptor["resources"])
    assert v["shipped"].all()  # both fit the budget


@pytest.mark.parametrize("version", RELEASED)
def test_every_release_loads_every_table_with_its_dtypes(version):
    tables = ead.tables(version)
    assert tables  # 0.1.0 has nine tables, 1.0.0 ten
    for name in tables:
        frame = ead.load(name, version=version, verify=True)
        assert {c: str(t) for c, t in frame.dtypes.items()} == loader.model(version)[name].dtypes
        assert ead.path(name, version=version).parent.name == f"eastasia-data-{version}"


def test_an_old_release_is_what_was_built_then():
    old = pq.read_table(REPO / "releases" / "eastasia-data-0.1.0" / "claims.parquet")
    assert len(ead.load("claims", version="0.1.0")) == old.num_rows != len(ead.load("claims"))
    assert "passages" not in ead.tables("0.1.0") and "passages" in ead.tables()


def test_an_unknown_version_names_the_released_ones():
    listed = ", ".join(RELEASED)
    with pytest.raises(ead.UnknownVersionError, match=f"no release '9.9.9'; the released versions are {re.escape(listed)}"):
        ead.load("events", version="9.9.9")
    r = run_cli("show", "events", "--release", "9.9.9")
    assert r.code == 2 and r.out == "" and r.err.count("\n") == 1 and listed in r.err, r.text


def test_history_follows_a_row_with_the_changelog_entry_that_changed_it():
    h = ead.history("claims", "clm-a1-united-front")
    assert h["version"].tolist() == RELEASED
    assert h[["status", "verdict"]].values.tolist()[:2] == [["added", "contradicted"], ["changed", "partly_supported"]]
    assert "verdict" in h["changed"].iloc[1].split(", ")
    assert h["changelog"].iloc[1].startswith("`clm-a1-united-front`: verdict `contradicted` → `partly_supported`")


def test_history_takes_composite_keys_as_a_tuple_or_a_dict():
    key = ("evt-1950-06-25-korean-war", "act-north-korea", "actor")
    by_tuple = ead.history("event_actors", key)
    by_dict = ead.history("event_actors", {"role": "actor", "event_id": key[0], "actor_id": key[1]})
    pd.testing.assert_frame_equal(by_tuple, by_dict)
    assert by_tuple["status"].tolist() == ["added"] + ["unchanged"] * (len(RELEASED) - 1)
    with pytest.raises(ead.EastAsiaError, match=r"keyed by \(event_id, actor_id, role\); give 3 value"):
        ead.history("event_actors", "evt-1950-06-25-korean-war")


def test_history_of_a_key_in_no_release_says_so_with_the_closest_key():
    with pytest.raises(ead.UnknownKeyError, match="no release of claims has a row with claim_id 'clm-a1-united-frnt'; "
                                                  "did you mean 'clm-a1-united-front'"):
        ead.history("claims", "clm-a1-united-frnt")


def test_history_gives_every_column_as_text_with_nan_for_missing():
    h = ead.history("events", "evt-2025-05-09-kim-embassy-speech-justifies-war-role")
    assert {str(t) for t in h.dtypes} == {"str"}
    absent = h.iloc[0]  # no such row in 0.1.0: every column of the row is missing alike
    assert absent.drop(["version", "status", "changed", "changelog"]).isna().all()
    assert not any(v is None for v in h.to_numpy().ravel())


def test_history_of_a_row_new_in_1_0_0_is_absent_then_added():
    h = ead.history("events", "evt-2025-05-09-kim-embassy-speech-justifies-war-role")
    assert h["status"].tolist()[:2] == ["absent", "added"]
    assert "evt-2025-05-10-kcna-kim-justifies-war-role" in h["changelog"].iloc[1]  # the entry names the old key


def test_the_shipped_changelog_and_registry_are_generated():
    from eastasia_data.curation.registry import (
        parse_changelog,
        render_changelog,
        render_registry,
    )

    assert releases.REGISTRY.read_text(encoding="utf-8") == render_registry()
    assert releases.CHANGELOG.read_text(encoding="utf-8") == render_changelog()
    parsed = parse_changelog((REPO / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert list(parsed) == RELEASED[::-1] and parsed["1.0.0"]["date"] == "2026-12-01"


# -- the download path: a real HTTP server on 127.0.0.1 -------------------------------------------


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Release 0.1.0 served over HTTP and not installed: the registry names the server's URL."""
    import functools
    import http.server
    import threading

    root = tmp_path / "site"
    shutil.copytree(REPO / "releases" / "eastasia-data-0.1.0", root / "releases" / "eastasia-data-0.1.0")
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    registry = json.loads(releases.REGISTRY.read_text(encoding="utf-8"))
    registry["url"] = f"http://127.0.0.1:{server.server_address[1]}/releases"
    for entry in registry["releases"]:
        entry["shipped"] = entry["version"] != "0.1.0"
    fake = tmp_path / "registry.json"
    fake.write_text(json.dumps(registry), encoding="utf-8")
    monkeypatch.setattr(releases, "REGISTRY", fake)
    monkeypatch.setattr(releases, "_installed", lambda version: [])  # as in a wheel that does not ship 0.1.0
    monkeypatch.setenv(releases.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    yield root, requests, tmp_path / "cache" / "eastasia-data-0.1.0"
    server.shutdown()
    server.server_close()


def test_a_release_past_the_budget_is_downloaded_verified_and_cached(served):
    root, requests, cache = served
    frame = ead.load("claims", version="0.1.0")
    assert len(frame) == pq.read_table(root / "releases" / "eastasia-data-0.1.0" / "claims.parquet").num_rows
    assert ead.path("claims", version="0.1.0") == cache / "claims.parquet"
    assert sorted(p.name for p in cache.iterdir()) == sorted(releases._entry("0.1.0")["files"])
    assert "/releases/eastasia-data-0.1.0/datapackage.json" in requests
    count = len(requests)
    ead.load("events", version="0.1.0")
    assert len(requests) == count  # served from the cache


def test_a_cached_release_altered_later_is_refused(served, monkeypatch):
    _, _, cache = served
    ead.load("events", version="0.1.0")
    (cache / "events.parquet").write_bytes(b"PAR1 not the file PAR1")
    monkeypatch.setattr(releases, "_checked", set())  # a new process
    with pytest.raises(ead.IntegrityError, match=r"events\.parquet: the cached file does not match its sha256"):
        ead.load("events", version="0.1.0")


def test_a_download_that_does_not_match_the_registry_is_refused(served, capsys):
    root, _, cache = served
    victim = root / "releases" / "eastasia-data-0.1.0" / "events.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    assert cli.main(["show", "events", "--release", "0.1.0"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "events.parquet: does not match its sha256 in the registry" in err, err
    assert not (cache / "events.parquet").exists()


def test_without_a_release_url_the_error_says_none_is_configured(served, monkeypatch, tmp_path):
    registry = json.loads(releases.REGISTRY.read_text(encoding="utf-8"))
    registry["url"] = None
    releases.REGISTRY.write_text(json.dumps(registry), encoding="utf-8")
    with pytest.raises(ead.EastAsiaError, match=r"configures no release URL \(\[tool\.eastasia-data\.releases\] url"):
        ead.load("events", version="0.1.0")


# -- types ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch_release(tmp_path_factory, sources_dir):
    """The checkout built now into a scratch directory: what the next release will store."""
    out = tmp_path_factory.mktemp("build")
    r = run_cli("build", "--out", str(out), "--sources-dir", str(sources_dir))
    assert r.code == 0, r.text
    return next(p for p in out.glob("eastasia-data-*") if p.is_dir())  # not the bundle beside it


def test_the_next_release_stores_dates_as_dates(scratch_release):
    schema = pq.read_schema(scratch_release / "events.parquet")
    assert schema.field("start_date").type == pa.date32() and schema.field("end_date").type == pa.date32()
    import duckdb
    import polars as pl

    described = duckdb.sql(f"DESCRIBE SELECT start_date FROM '{scratch_release / 'events.parquet'}'").fetchall()
    assert described[0][1] == "DATE"
    assert pl.read_parquet(scratch_release / "events.parquet").schema["start_date"] == pl.Date
    # 1.0.0 stored timestamps: polars shows a datetime there, which is why the loader converts
    assert pl.read_parquet(ead.path("events", version="1.0.0")).schema["start_date"] != pl.Date


def test_the_loader_gives_the_same_dtypes_and_values_from_both_storages(scratch_release, tmp_path):
    """Dates stored as dates (from 2.0.0) or as timestamps (up to 1.0.0) load alike, in every backend.

    Both storages of the same rows: the scratch build, and a copy of it whose events.parquet stores
    its dates as timestamp[ms], as 1.0.0 did. The loaded values are those of data/events.csv, which
    the build was made from, each date the first day of its period.
    """
    stored = pq.read_table(scratch_release / "events.parquet")
    dates = [i for i, f in enumerate(stored.schema) if f.name in ("start_date", "end_date")]
    assert len(dates) == 2 and all(stored.schema.field(i).type == pa.date32() for i in dates)
    old_storage = tmp_path / scratch_release.name
    shutil.copytree(scratch_release, old_storage)
    as_timestamps = stored
    for i in dates:
        as_timestamps = as_timestamps.set_column(i, stored.schema.field(i).name, stored.column(i).cast(pa.timestamp("ms")))
    pq.write_table(as_timestamps, old_storage / "events.parquet")
    new, old = (loader.load("events", release=r) for r in (scratch_release, old_storage))
    assert str(new["start_date"].dtype) == str(old["start_date"].dtype) == "datetime64[ms]"
    pd.testing.assert_frame_equal(new, old)
    raw = pd.read_csv(REPO / "data" / "events.csv", dtype=str, keep_default_na=False).set_index("event_id")
    loaded = new.set_index("event_id")
    assert sorted(loaded.index) == sorted(raw.index)
    for key, row in raw.iterrows():
        form = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[row["date_precision"]]
        assert loaded.at[key, "start_date"].strftime(form) == row["start_date"], key
    days = [None if v is pd.NaT or v is None or v != v else v.date() for v in new["start_date"]]
    for backend, values in (("arrow", lambda t: t["start_date"].to_pylist()),
                            ("polars", lambda t: t["start_date"].to_list())):
        for release in (scratch_release, old_storage):
            assert values(loader.load("events", release=release, backend=backend)) == days, (backend, release)
    for version in RELEASED:  # and every shipped release, whichever way it stores dates
        assert str(ead.load("events", version=version)["start_date"].dtype) == "datetime64[ms]", version
        assert ead.load("events", version=version, backend="arrow").schema.field("start_date").type == pa.date32()


def test_polars_and_arrow_backends():
    import polars as pl

    events = ead.load("events", backend="polars")
    assert isinstance(events, pl.DataFrame) and events.schema["start_date"] == pl.Date
    assert events.height == len(ead.load("events"))
    table = ead.load("claims", backend="arrow", version="0.1.0")
    assert isinstance(table, pa.Table) and table.num_rows == len(ead.load("claims", version="0.1.0"))
    with pytest.raises(ead.EastAsiaError, match="backend='spark': use one of pandas, arrow, polars"):
        ead.load("events", backend="spark")


def test_period_end_gives_the_last_day_of_a_reduced_precision_period():
    events = ead.load("events")
    ends = ead.period_end(events["end_date"], events["date_precision"])
    month = events["date_precision"] == "month"
    assert month.any()
    for start, end in zip(events.loc[month, "end_date"].dropna(), ends[month].dropna()):
        assert end.month == start.month and (end + pd.Timedelta(days=1)).day == 1
    day = events["date_precision"] == "day"
    pd.testing.assert_series_equal(ends[day], events.loc[day, "end_date"], check_names=False)


def test_period_end_is_documented_under_its_own_name():
    assert ead.period_end.__name__ == "period_end" and "period_end" in ead.__all__
    assert "period_ends" not in (ead.period_end.__doc__ or "")


@pytest.mark.parametrize(("table", "date", "precision"), [
    ("events", "start_date", "date_precision"), ("events", "end_date", "date_precision"),
    ("sources", "published_date", "published_date_precision")])
def test_format_dates_writes_each_date_at_its_precision(table, date, precision):
    """ead.format_dates gives 2024-10 for a month, 2024 for a year, the day for a day; None when missing."""
    frame = ead.load(table)
    text = ead.format_dates(frame[date], frame[precision])
    assert "format_dates" in ead.__all__ and text.index.equals(frame.index) and text.dtype == object
    raw = pq.read_table(ead.path(table), columns=[date, precision]).to_pylist()  # the stored days, read apart
    length = {"day": 10, "month": 7, "year": 4}
    expected = [None if r[date] is None else r[date].isoformat()[:length[r[precision]]] for r in raw]
    assert text.tolist() == expected
    assert {len(t) for t in text.dropna()} == {length[p] for p in frame.loc[text.notna(), precision].astype(str)}


def test_format_dates_takes_one_precision_for_all_and_refuses_a_length_mismatch():
    days = pd.Series(pd.to_datetime(["2024-10-01", None]), index=[5, 7]).astype("datetime64[ms]")
    assert ead.format_dates(days, "month").to_dict() == {5: "2024-10", 7: None}
    assert ead.format_dates(days).tolist() == ["2024-10-01", None]
    with pytest.raises(ValueError, match="2 values but 1 precisions"):
        ead.format_dates(days, pd.Series(["day"]))


def test_verdict_and_reliability_are_ordered_from_the_schema(scratch_release):
    claims = loader.load("claims", release=scratch_release)
    sources = loader.load("sources", release=scratch_release)
    assert claims["verdict"].cat.ordered and sources["reliability"].cat.ordered
    assert list(claims["verdict"].cat.categories) == list(MODEL["claims"].field("verdict").enum)
    assert set(sources.loc[sources["reliability"] <= "medium", "reliability"]) == {"high", "medium"}
    assert not loader.load("events", release=scratch_release)["category"].cat.ordered
    descriptor = json.loads((scratch_release / "datapackage.json").read_text())
    ordered = sorted((r["name"], f["name"]) for r in descriptor["resources"] for f in r["schema"]["fields"]
                     if f.get("categoriesOrdered"))
    assert ordered == [("claims", "verdict"), ("sources", "reliability")]
    # 1.0.0 did not declare it and is loaded as it was built
    assert not ead.load("claims", version="1.0.0")["verdict"].cat.ordered


def test_describe_gives_the_labels_of_the_allowed_values():
    d = ead.describe("claims").set_index("column")
    assert d.loc["verdict", "labels"] == {c.value: c.label for c in RELEASE_MODEL["claims"].field("verdict").categories}
    assert d.loc["verdict", "labels"]["not_rated"] == "An opinion; not rated"
    assert d.loc["claim_id", "labels"] == {} and d["ordered"].dtype == bool


# -- views ----------------------------------------------------------------------------------------


def test_views_are_the_sql_views_of_the_sqlite_export(tmp_path):
    from eastasia_data.dates import format_dates
    from eastasia_data.publish.export import export

    db = export("sqlite", tmp_path / "e.sqlite")
    con = sqlite3.connect(db)
    for name, function in (("claims_with_authority", views.claims_with_authority),
                           ("event_participants", views.event_participants)):
        sql = pd.read_sql_query(f'SELECT * FROM "{name}"', con)
        frame = function()
        assert sql.columns.tolist() == frame.columns.tolist()
        for column in frame.columns:
            values = frame[column]
            if str(values.dtype).startswith("datetime"):  # a partial date at its precision, a day otherwise
                values = pd.Series(format_dates(values, frame.get("date_precision")))
            expected = [None if v is None or v != v else str(v) for v in values]
            got = [None if v is None or v != v else str(v) for v in sql[column]]
            assert got == expected, column
    con.close()
    assert len(views.claims_with_authority()) == len(ead.load("claims"))
    assert views.claims_with_authority(version="0.1.0")["claim_id"].is_unique


@pytest.mark.parametrize("version", RELEASED)
def test_event_participants_rolls_every_actor_up_to_its_state(version):
    """A state is its own; a person, body, force or initiative has its state; an organisation or forum none."""
    p = views.event_participants(version=version)
    actors = ead.load("actors", version=version).set_index("actor_id")
    assert p.columns[-2:].tolist() == ["state_actor_id", "state"]
    assert len(p) == len(ead.load("event_actors", version=version))
    for actor_id, state_id, state in zip(p["actor_id"], p["state_actor_id"], p["state"]):
        row = actors.loc[actor_id]
        if str(row["kind"]) in ("state", "former_state", "territory"):
            expected = actor_id
        elif pd.notna(row["state_actor_id"]):
            expected = row["state_actor_id"]
        else:
            expected = None
        if expected is None:
            assert pd.isna(state_id) and pd.isna(state), actor_id
        else:
            assert state_id == expected and state == actors.loc[expected, "name"], actor_id
    assert p["state_actor_id"].dtype == p["actor_id"].dtype and p["state"].dtype == p["actor"].dtype


def test_event_participants_finds_the_events_a_state_takes_part_in_only_through_its_forces():
    p = views.event_participants()
    rolled = set(p.loc[p["state_actor_id"] == "act-north-korea", "event_id"])
    direct = set(p.loc[p["actor_id"] == "act-north-korea", "event_id"])
    only_through = p[p["event_id"].isin(rolled - direct) & (p["state_actor_id"] == "act-north-korea")]
    assert direct < rolled and set(only_through["actor_kind"].astype(str)) <= {"person", "government_body",
                                                                               "armed_force", "initiative"}
    assert "act-korean-peoples-army" in set(only_through["actor_id"])


def test_the_duckdb_export_has_the_views(tmp_path):
    import duckdb

    from eastasia_data.publish.export import export

    con = duckdb.connect(str(export("duckdb", tmp_path / "e.duckdb")), read_only=True)
    names = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert names == set(views.SQL)  # every view, over a release that lacks later columns too (read as NULL)
    assert con.execute("SELECT count(*) FROM event_participants").fetchone()[0] == len(ead.load("event_actors"))
    frame = views.event_participants()
    sql = con.execute("SELECT event_id, actor_id, role, state_actor_id, state FROM event_participants "
                      "ORDER BY event_id, actor_id, role").fetchall()
    assert sql == [(e, a, str(r), None if pd.isna(s) else s, None if pd.isna(n) else n) for e, a, r, s, n in
                   zip(frame["event_id"], frame["actor_id"], frame["role"], frame["state_actor_id"], frame["state"])]
    con.close()


# -- the command line ------------------------------------------------------------------------------


def test_no_arguments_prints_help_and_version_prints_the_version():
    r = run_cli()
    assert r.code == 0 and r.out.startswith("usage: eastasia-data") and "show" in r.out and "tables" in r.out
    r = run_cli("--version")
    assert r.code == 0 and r.out.strip() == f"eastasia-data {ead.__version__}"


def test_tables_lists_each_table_with_its_rows(tmp_path):
    r = run_cli("tables", cwd=tmp_path)
    assert r.code == 0 and r.err == "", r.text
    lines = r.out.splitlines()
    rows = {x["name"]: x["eastasia:rows"] for x in loader.descriptor()["resources"]}
    assert [line.split()[0] for line in lines] == list(ead.tables())
    assert all(int(line.split()[1]) == rows[line.split()[0]] for line in lines)
    assert len(run_cli("tables", "--release", "0.1.0", cwd=tmp_path).out.splitlines()) == 9


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_show_prints_a_table(fmt, tmp_path):
    r = run_cli("show", "events", "--head", "3", "--format", fmt, cwd=tmp_path)
    assert r.code == 0 and r.err == "", r.text
    events = ead.load("events").head(3)
    if fmt == "csv":
        import io

        shown = pd.read_csv(io.StringIO(r.out), dtype=str)
        assert shown["event_id"].tolist() == events["event_id"].tolist()
        assert re.fullmatch(r"\d{4}(-\d{2}){0,2}", shown["start_date"].iloc[0])  # at its precision, no 00:00:00
    elif fmt == "json":
        shown = json.loads(r.out)
        assert [x["event_id"] for x in shown] == events["event_id"].tolist()
    else:
        lines = r.out.splitlines()
        assert lines[0].startswith("| event_id") and len(lines) == 2 + 3


def test_show_head_zero_prints_the_header_and_unknown_table_is_one_line(tmp_path):
    r = run_cli("show", "events", "--head", "0", cwd=tmp_path)
    assert r.code == 0 and r.out.splitlines() == [",".join(RELEASE_MODEL["events"].field_names)]  # the release's
    r = run_cli("show", "event", cwd=tmp_path)
    assert r.code == 2 and r.err.count("\n") == 1 and "Did you mean 'events'?" in r.err, r.text


def test_a_closed_pipe_ends_quietly(tmp_path):
    shell = f"'{sys.executable}' -m eastasia_data show events | head -1"
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout == ",".join(RELEASE_MODEL["events"].field_names) + "\n"
    # a table longer than a pipe's buffer, cut after one line: still no error, status 141 as for SIGPIPE
    shell = f"set -o pipefail; '{sys.executable}' -m eastasia_data show passages --format json | head -c 10"
    proc = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.stderr == "" and proc.returncode == 141 and len(proc.stdout) == 10


def test_path_prints_the_file_and_the_release_directory(tmp_path):
    r = run_cli("path", "events", cwd=tmp_path)
    assert r.code == 0 and Path(r.out.strip()) == ead.path("events")
    r = run_cli("path", "--release", "0.1.0", cwd=tmp_path)
    assert r.code == 0 and Path(r.out.strip()) == ead.release_dir("0.1.0")


def test_export_to_standard_output(tmp_path):
    target = tmp_path / "out.sqlite"
    with target.open("wb") as f:
        proc = subprocess.run([sys.executable, "-m", "eastasia_data", "export", "--format", "sqlite", "--out", "-"],
                              stdout=f, stderr=subprocess.PIPE, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0 and proc.stderr == b""
    con = sqlite3.connect(target)
    assert con.execute("SELECT count(*) FROM claims_with_authority").fetchone()[0] == len(ead.load("claims"))
    con.close()
    assert [p.name for p in tmp_path.iterdir()] == ["out.sqlite"]  # no file named "-"
    r = run_cli("export", "--format", "csv", "--out", "-", cwd=tmp_path)
    assert r.code == 2 and r.err.count("\n") == 1 and "show TABLE --format csv" in r.err, r.text
    assert not (tmp_path / "-").exists()


# -- the README's one-liners, run as written ------------------------------------------------------


def _one_liners() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### One-liners for other tools", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def _tool(line: str) -> str:
    if line.startswith("python"):
        return re.search(r"import (\w+)", line).group(1)
    return line.split()[0]


def test_the_readme_has_the_one_liners():
    assert [_tool(x) for x in _one_liners()] == ["polars", "duckdb", "Rscript", "frictionless"]


@pytest.mark.parametrize("line", _one_liners(), ids=_tool)
def test_a_readme_one_liner_runs(line, tmp_path):
    tool = _tool(line)
    bindir = Path(sys.executable).parent
    if tool == "Rscript" and shutil.which("Rscript") is None:
        pytest.skip("R is not installed here: the R one-liner is untested (not a pass)")
    env = {"PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(["bash", "-c", line.replace("python ", f"'{sys.executable}' ", 1)], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if tool in ("polars", "duckdb", "Rscript"):
        first = ead.load("events").sort_values("start_date") if tool == "duckdb" else ead.load("events")
        assert first["event_id"].iloc[0] in proc.stdout
    else:
        assert "VALID" in proc.stdout.upper() and "INVALID" not in proc.stdout.upper()


def test_the_next_release_is_a_major_one_and_check_version_agrees(tmp_path):
    """Dates stored as dates change the type Parquet readers see: 1.0.0 → 2.0.0 passes, 1.1.0 does not."""
    from checkout_copy import make_checkout, set_version

    repo = make_checkout(tmp_path / "repo")
    for later in [v for v in RELEASED if v not in ("0.1.0", "1.0.0")]:  # the state right after 1.0.0
        shutil.rmtree(repo / "releases" / f"eastasia-data-{later}")
    shutil.copy(REPO / "CHANGELOG.md", repo / "CHANGELOG.md")
    set_version(repo, "1.0.0")
    r = run_cli("--repo", str(repo), "check-version", cwd=tmp_path)  # the pull-request gate reports it
    assert r.code == 0 and "will need a MAJOR bump (to 2.0.0)" in r.out, r.text
    assert "type changed (start_date: datetime → date) requires a MAJOR bump" in r.out, r.text
    refused = run_cli("--repo", str(repo), "release", "--bump", "minor", "--sources-dir", str(SOURCES),
                      cwd=tmp_path)  # refused before writing
    assert refused.code == 1 and "a MINOR release is too small" in refused.err, refused.text


def test_a_pipe_closed_before_anything_is_read_ends_quietly(tmp_path):
    """`| true` never reads: the write (or the final flush) meets a closed pipe, and nothing is printed."""
    for command in ("tables", "versions", "show strategy_targets --format markdown", "path events"):
        proc = subprocess.run(["bash", "-c", f"sleep 0 | '{sys.executable}' -m eastasia_data {command} | true"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert proc.returncode == 0 and proc.stderr == "", (command, proc.stderr)


def test_the_readme_for_readers_python_block_runs(capsys):
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## For readers", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    lines = [line.split("  #", 1)[0].rstrip() for line in block.splitlines()]
    namespace: dict = {}
    for line in lines:
        if line.strip():
            exec(line if line.startswith("import") else f"_ = {line}", namespace)
            assert line.startswith("import") or namespace["_"] is not None


def test_the_reader_features_import_nothing_of_the_contributor_walk(tmp_path):
    code = """
import sys, contextlib, io
import eastasia_data as ead
from eastasia_data import cli
ead.versions(); ead.history("claims", "clm-a1-united-front"); ead.load("events", version="0.1.0")
ead.load("events", backend="polars"); ead.views.claims_with_authority(); ead.views.event_participants()
ead.path("events"); ead.describe("claims")
with contextlib.redirect_stdout(io.StringIO()):
    for args in (["tables"], ["show", "events", "--format", "markdown"], ["versions"], ["path"]):
        assert cli.main(args) == 0
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("pandera", "frictionless", "yaml")
                      or m.startswith("eastasia_data.curation"))))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_help_of_period_end_shows_period_end():
    import pydoc

    text = pydoc.render_doc(ead.period_end, renderer=pydoc.plaintext)
    signature = text.splitlines()[2]
    assert signature.startswith("period_end(values") and "period_ends" not in signature, text
    events = ead.load("events")
    from eastasia_data.dates import period_ends

    pd.testing.assert_series_equal(ead.period_end(events["end_date"], events["date_precision"]),
                                   period_ends(events["end_date"], events["date_precision"]))


def _views_database(connection, with_plover: bool):
    """The release's tables as text in ``connection``, views made; the events' columns added since 2.0.0
    (``views.LATER_COLUMNS``, PLOVER's among them) added empty if the release lacks them, or left out if not asked."""
    from eastasia_data.dates import format_dates

    for name in ("events", "event_actors", "event_sources", "actors", "sources", "claims"):
        frame = ead.load(name).copy()
        for column in frame.columns:
            if str(frame[column].dtype).startswith("datetime"):
                frame[column] = format_dates(frame[column], frame[MODEL[name].field(column).precision_field]
                                             if MODEL[name].field(column).precision_field else None)
            else:
                frame[column] = [None if v is None or v != v else str(v) for v in frame[column]]
        if name == "events":
            for column in views.LATER_COLUMNS["events"]:
                if not with_plover:
                    frame = frame.drop(columns=[column], errors="ignore")
                elif column not in frame:
                    frame[column] = None
        columns = ", ".join(f'"{c}" TEXT' for c in frame.columns)
        connection.execute(f'CREATE TABLE "{name}" ({columns})')
        marks = ", ".join("?" for _ in frame.columns)
        rows = [tuple(None if v is None or v != v else v for v in row) for row in frame.itertuples(index=False, name=None)]
        connection.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
    views.create_views(connection)


@pytest.mark.parametrize("engine", ["sqlite", "duckdb"])
def test_chronology_is_the_sql_view(engine):
    from eastasia_data.dates import format_dates

    con = sqlite3.connect(":memory:") if engine == "sqlite" else pytest.importorskip("duckdb").connect()
    _views_database(con, with_plover=True)
    cursor = con.execute('SELECT * FROM "chronology"')
    names = [d[0] for d in cursor.description]
    sql = pd.DataFrame(cursor.fetchall(), columns=names)
    frame = views.chronology()
    assert names == frame.columns.tolist()
    assert len(frame) == len(ead.load("events")) and frame["event_id"].is_monotonic_increasing
    for column in frame.columns:
        values = frame[column]
        if str(values.dtype).startswith("datetime"):
            values = pd.Series(format_dates(values, frame["date_precision"]))
        expected = [None if v is None or v != v else str(v) for v in values]
        got = [None if v is None or v != v else str(v) for v in sql[column]]
        if column in ("actors", "sources"):  # the order within a cell is the database's in SQL
            expected, got = ([None if v is None else sorted(v.split(views.LIST_SEPARATOR)) for v in x]
                             for x in (expected, got))
        assert got == expected, column


def test_chronology_derives_the_quad_class_from_the_category():
    c = views.chronology()
    quad_of = {cat: quad for quad, cats in views.QUADS.items() for cat in cats}
    assert sorted(quad_of) == sorted(MODEL["events"].field("category").enum)  # every category has its quad
    assert [quad_of[str(x)] for x in c["category"]] == [str(q) for q in c["quad"]]
    links = ead.load("event_actors")
    first = c.iloc[0]
    assert first["actors"].count("(") == (links["event_id"] == first["event_id"]).sum()


def test_a_release_without_the_plover_columns_gets_every_view_with_them_empty():
    con = sqlite3.connect(":memory:")
    _views_database(con, with_plover=False)
    made = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert made == set(views.SQL)
    plover = list(views.LATER_COLUMNS["events"])
    rows = con.execute(f'SELECT {", ".join(plover)} FROM "chronology"').fetchall()
    assert len(rows) == len(ead.load("events")) and {v for row in rows for v in row} == {None}


def test_the_sqlite_export_searches_the_actors_names(tmp_path):
    """Datasette's search box on actors: an FTS5 index over the names, in every language the release has."""
    from eastasia_data.publish.export import export
    from eastasia_data.publish.sql import search_columns
    from eastasia_data.publish.datasette import datasette_metadata

    db = export("sqlite", tmp_path / "e.sqlite")
    con = sqlite3.connect(db)
    found = con.execute("SELECT a.actor_id FROM actors_fts JOIN actors AS a ON a.rowid = actors_fts.rowid "
                        "WHERE actors_fts MATCH 'Putin'").fetchall()
    assert found == [("act-vladimir-putin",)]
    indexed = [r[1] for r in con.execute("PRAGMA table_info(actors_fts)")]
    assert indexed == list(search_columns(loader.model()["actors"]))
    con.close()
    assert datasette_metadata("e")["databases"]["e"]["tables"]["actors"]["fts_table"] == "actors_fts"
    assert set(search_columns(MODEL["actors"])) >= {"name_ko", "name_zh", "name_ja", "name_ru"}  # the next release
