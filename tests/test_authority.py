"""Issue 22, section 2: the authority's own words and when it was read, in every output, and the script that fills them in.

The data is filled in by the curators; these tests use scratch tables with the columns filled,
and the shipped release (made before the columns existed) for what an older release gives.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO, run_cli
from csvedit import read_rows

import eastasia_data as ead
from eastasia_data import views
from eastasia_data.curation.schemas import read_model

MODEL = read_model()
SCRIPT = REPO / "scripts" / "apply_authority.py"
SDO = "http://schema.org/"


# -- the views ------------------------------------------------------------------------------------


def _tiny_database(with_new_columns: bool) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:")
    extra_claim = ", authority_excerpt" if with_new_columns else ""
    extra_source = ", accessed, read_url" if with_new_columns else ""
    con.execute(f"CREATE TABLE claims(claim_id, source_id, paraphrase, kind, verdict, verdict_note, "
                f"authority_source_id, event_id{extra_claim})")
    con.execute(f"CREATE TABLE sources(source_id, title, publisher, reliability, url{extra_source})")
    for t in ("events(event_id, start_date, end_date, date_precision, title, category)",
              "actors(actor_id, name, kind, state_actor_id)", "event_actors(event_id, actor_id, role)"):
        con.execute("CREATE TABLE " + t)
    article = ("src-a", "An article", None, "low", "https://example.org/a") + (("2026-12-01", None) if with_new_columns else ())
    authority = ("src-b", "A treaty", "A ministry", "high", "https://example.org/b") + (
        ("2026-12-02", "https://example.org/copy-of-b") if with_new_columns else ())
    marks = ", ".join("?" for _ in article)
    con.executemany(f"INSERT INTO sources VALUES ({marks})", [article, authority])
    claim = ("clm-a1-x", "src-a", "A claim.", "fact", "supported", "The treaty says so.", "src-b", None)
    claim += ("The parties shall help each other.",) if with_new_columns else ()
    con.execute(f"INSERT INTO claims VALUES ({', '.join('?' for _ in claim)})", claim)
    views.create_views(con)
    return con


@pytest.mark.parametrize("with_new_columns", [True, False], ids=["filled", "older-release"])
def test_the_sql_view_carries_the_authoritys_words_and_reading(with_new_columns):
    con = _tiny_database(with_new_columns)
    row = pd.read_sql_query("SELECT * FROM claims_with_authority", con).iloc[0]
    assert row.index[-4:].tolist() == ["authority_excerpt", "authority_url", "authority_accessed", "authority_read_url"]
    assert row["authority_url"] == "https://example.org/b"
    if with_new_columns:
        assert row["authority_excerpt"] == "The parties shall help each other."
        assert (row["authority_accessed"], row["authority_read_url"]) == ("2026-12-02", "https://example.org/copy-of-b")
    else:  # a release without the columns: the view has them, empty
        assert row[["authority_excerpt", "authority_accessed", "authority_read_url"]].isna().all()


def test_the_view_function_has_the_columns_of_the_sql_view_for_an_older_release():
    sql = _tiny_database(False).execute("SELECT * FROM claims_with_authority LIMIT 0").description
    for version in ("0.1.0", "1.0.0", "2.0.0"):  # releases made before the columns existed
        assert "authority_excerpt" not in ead.load("claims", version=version).columns
        frame = views.claims_with_authority(version=version)
        assert frame.columns.tolist() == [d[0] for d in sql]
        assert frame["authority_excerpt"].isna().all() and str(frame["authority_excerpt"].dtype) == "str"
        assert str(frame["authority_accessed"].dtype) == "datetime64[ms]"
        assert frame["authority_url"].notna().any()


def test_the_view_function_joins_the_new_columns_where_the_release_has_them(monkeypatch):
    real_load = ead.loader.load
    claims, sources = real_load("claims"), real_load("sources")
    rated = claims["verdict"].astype(str).isin(["supported", "partly_supported", "contradicted"])
    filled_claims = claims.assign(authority_excerpt=pd.Series(
        ["Words of " + a if r else None for a, r in zip(claims["authority_source_id"].astype(object), rated)],
        dtype="str"))
    filled_sources = sources.assign(accessed=pd.Series(pd.Timestamp("2026-12-01"), index=sources.index).astype("datetime64[ms]"),
                                    read_url=pd.Series("https://example.org/copy-of-" + sources["source_id"], dtype="str"))
    tables = {"claims": filled_claims, "sources": filled_sources}
    monkeypatch.setattr(ead.loader, "load", lambda name, **kw: tables[name] if name in tables else real_load(name, **kw))
    v = views.claims_with_authority().set_index("claim_id")
    first = claims[rated].iloc[0]
    assert v.loc[first["claim_id"], "authority_excerpt"] == "Words of " + first["authority_source_id"]
    assert v.loc[first["claim_id"], "authority_read_url"] == "https://example.org/copy-of-" + first["authority_source_id"]
    assert v.loc[first["claim_id"], "authority_accessed"] == pd.Timestamp("2026-12-01")
    opinion = claims.loc[claims["verdict"] == "not_rated", "claim_id"].iloc[0]
    assert pd.isna(v.loc[opinion, "authority_excerpt"]) and pd.isna(v.loc[opinion, "authority_accessed"])


# -- ClaimReview ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_claimreview_quotes_the_authority_and_links_the_copy_read():
    from pyld import jsonld
    from test_schemaorg import one, schema_org_loader, value

    from eastasia_data.publish.tables import release_texts
    from eastasia_data.publish.schemaorg import claim_reviews

    tables, texts = release_texts(None)
    texts = dict(texts)
    claims, sources = texts["claims"].copy(), texts["sources"].copy()
    rated = claims["verdict"].isin(["supported", "partly_supported", "contradicted"])
    claims["authority_excerpt"] = [f"The words of {a} that settle it." if r else None
                                   for a, r in zip(claims["authority_source_id"], rated)]
    authorities = claims.loc[rated, "authority_source_id"].drop_duplicates()
    with_url = set(sources.loc[sources["url"].notna(), "source_id"])
    copy_only, copy_too = [a for a in authorities if a in with_url][:2]
    sources["accessed"] = "2026-11-17"
    sources["read_url"] = None
    sources.loc[sources["source_id"] == copy_only, ["url", "read_url"]] = [None, "https://example.org/only-copy"]
    sources.loc[sources["source_id"] == copy_too, "read_url"] = "https://example.org/copy"
    texts["claims"], texts["sources"] = claims, sources
    expanded = jsonld.expand(claim_reviews(texts, tables), {"documentLoader": schema_org_loader})
    by_id = {value(r, "identifier"): r for r in expanded}
    urls = sources.set_index("source_id")["url"]
    for claim in claims[rated].itertuples():
        authority = by_id[claim.claim_id][SDO + "citation"][0]
        assert value(authority, "identifier") == claim.authority_source_id
        quote = one(authority, "hasPart")
        assert quote["@type"] == [SDO + "Quotation"] and value(quote, "text") == claim.authority_excerpt
        if claim.authority_source_id == copy_only:  # known only by the copy read: that copy's address
            assert value(authority, "url") == "https://example.org/only-copy"
        elif isinstance(urls[claim.authority_source_id], str):  # the document's own address, even when a copy was read
            assert value(authority, "url") == urls[claim.authority_source_id]
    assert any(c == copy_too for c in claims.loc[rated, "authority_source_id"])
    for claim in claims[claims["verdict"] == "unverifiable"].itertuples():
        assert all(SDO + "hasPart" not in c for c in by_id[claim.claim_id].get(SDO + "citation", []))
    text = json.dumps(expanded)
    assert "2026-11-17" not in text and "https://example.org/copy\"" not in text  # no schema.org property for them


# -- Datasette ------------------------------------------------------------------------------------


def test_datasette_describes_the_new_columns_and_the_view():
    from eastasia_data.publish.datasette import CANNED_QUERIES, datasette_metadata

    meta = datasette_metadata("eastasia", tables=MODEL)["databases"]["eastasia"]
    claims, sources = meta["tables"]["claims"]["columns"], meta["tables"]["sources"]["columns"]
    assert claims["authority_excerpt"].startswith(MODEL["claims"].field("authority_excerpt").description)
    assert sources["accessed"].startswith(MODEL["sources"].field("accessed").description)
    assert sources["read_url"].startswith(MODEL["sources"].field("read_url").description)
    view = meta["tables"]["claims_with_authority"]["columns"]
    assert list(view)[-4:] == ["authority_excerpt", "authority_url", "authority_accessed", "authority_read_url"]
    assert view["authority_accessed"].startswith("Of the authority (sources.accessed): The day (YYYY-MM-DD)")
    assert view["authority_excerpt"] == claims["authority_excerpt"]
    assert "authority_excerpt" in CANNED_QUERIES["contradicted_claims"]["sql"]
    for older in (_tiny_database(False), _tiny_database(True)):  # the canned query runs over any release
        older.execute(CANNED_QUERIES["contradicted_claims"]["sql"]).fetchall()


# -- the schema's rules ---------------------------------------------------------------------------


def test_the_rules_are_in_the_schemas():
    rules = {r.name: r for t in ("claims", "sources") for r in MODEL[t].rules}
    assert rules["verdict-quotes-authority"].require == ("authority_excerpt",)
    assert dict(rules["verdict-quotes-authority"].when)["verdict"] == ("supported", "partly_supported", "contradicted")
    assert rules["opinion-quotes-no-authority"].forbid == ("authority_excerpt",)
    assert rules["url-needs-accessed"].require == rules["read-url-needs-accessed"].require == ("accessed",)
    assert MODEL["sources"].field("accessed").kind == "date"
    assert MODEL["sources"].field("read_url").format == "uri"


# -- scripts/apply_authority.py -------------------------------------------------------------------


def _apply(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, timeout=300)


def _pick(data):
    _, claims = read_rows(data / "claims.csv")
    _, sources = read_rows(data / "sources.csv")
    claim = next(r for r in claims if r["verdict"] == "contradicted")
    source = next(r for r in sources if r["url"])
    return claim, source


def test_apply_authority_writes_the_cells_canonically_and_once(data_copy, tmp_path):
    claim, source = _pick(data_copy)
    side = tmp_path / "side.json"
    side.write_text(json.dumps({
        "claims": {claim["claim_id"]: {"authority_excerpt": "  The parties shall not.  ",
                                       "verdict_note_append": "The quote settles the date."}},
        "sources": {source["source_id"]: {"accessed": "2026-12-01", "read_url": "https://example.org/copy"}},
    }), encoding="utf-8")
    first = _apply(side, "--data-dir", data_copy)
    assert first.returncode == 0, first.stderr
    assert first.stderr == "" and "data/claims.csv: 1 of 1 claims changed" in first.stdout.replace(str(data_copy), "data")
    claims = {r["claim_id"]: r for r in read_rows(data_copy / "claims.csv")[1]}
    sources = {r["source_id"]: r for r in read_rows(data_copy / "sources.csv")[1]}
    assert claims[claim["claim_id"]]["authority_excerpt"] == "The parties shall not."
    assert claims[claim["claim_id"]]["verdict_note"] == claim["verdict_note"] + " The quote settles the date."
    assert (sources[source["source_id"]]["accessed"], sources[source["source_id"]]["read_url"]) == (
        "2026-12-01", "https://example.org/copy")
    check = run_cli("fmt", "--check", "--data-dir", str(data_copy))
    assert check.code == 0, check.text
    before = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    again = _apply(side, "--data-dir", data_copy)
    assert again.returncode == 0 and "0 of 1 claims changed" in again.stdout
    assert {p.name: p.read_bytes() for p in data_copy.iterdir()} == before


def test_apply_authority_refuses_unknown_ids_and_writes_nothing(data_copy, tmp_path):
    claim, source = _pick(data_copy)
    side = tmp_path / "side.json"
    side.write_text(json.dumps({
        "claims": {claim["claim_id"]: {"authority_excerpt": "Fine."}, "clm-a9-nowhere": {"authority_excerpt": "x"}},
        "sources": {"src-nowhere": {"accessed": "2026-12-01"}, source["source_id"]: {"acessed": "2026-12-01"}},
        "events": {},
    }), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    r = _apply(side, "--data-dir", data_copy)
    assert r.returncode == 1 and r.stdout == "" and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert any("unknown claim_id 'clm-a9-nowhere'" in line for line in lines)
    assert any("unknown source_id 'src-nowhere'" in line for line in lines)
    assert any("unknown key 'acessed'" in line for line in lines)
    assert any("unknown part 'events'" in line for line in lines)
    assert lines[-1].startswith("nothing written: 4 problem(s)")
    assert {p.name: p.read_bytes() for p in data_copy.iterdir()} == before


def test_apply_authority_refuses_two_side_files_that_disagree(data_copy, tmp_path):
    claim, _ = _pick(data_copy)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"claims": {claim["claim_id"]: {"authority_excerpt": "One."}}}), encoding="utf-8")
    b.write_text(json.dumps({"claims": {claim["claim_id"]: {"authority_excerpt": "Another."}}}), encoding="utf-8")
    r = _apply(a, b, "--data-dir", data_copy)
    assert r.returncode == 1 and f"{claim['claim_id']}: authority_excerpt differs from the value in {a}" in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    r = _apply(bad, "--data-dir", data_copy)
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 2 and "cannot be read as JSON" in r.stderr
