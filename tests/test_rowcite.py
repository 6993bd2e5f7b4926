"""Row citations (issue 24): cite a handful of rows, recompute them, and catch every tampering."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import rfc8785
from conftest import REPO, run_cli

import eastasia_data as ead
from eastasia_data.citation import rows as rowcite
from eastasia_data.releases import descriptor, model, release_dir

CLAIMS = ["clm-a1-3000-more-early-2025", "clm-a1-altered-strategic-calculus"]
PAIR = "clm-a1-china-key-ally | src-article-china-watching-warily"
ROWS = {"claims": CLAIMS, "claim_sources": [PAIR]}


def _recipe() -> dict:
    """The Python lines of docs/citing-rows.md, run as a reader would run them."""
    text = (REPO / "docs" / "citing-rows.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1, "docs/citing-rows.md should hold one Python block: the recipe"
    namespace: dict = {}
    exec(compile(blocks[0], "docs/citing-rows.md", "exec"), namespace)
    return namespace


def _rows_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


@pytest.mark.parametrize("style", ["apa", "bibtex", "cff"])
def test_a_row_citation_names_the_release_the_rows_and_their_hashes(style):
    text = ead.cite(style, rows=ROWS)
    assert text.startswith(ead.cite(style).rstrip("\n"))
    assert re.search(rf"Rows of eastasia-data {re.escape(ead.__version__)} \(set hash sha256:[0-9a-f]{{64}}\)", text)
    listed = [re.sub(r"^# ", "", line) for line in text.splitlines() if re.match(r"^(# )?- ", line)]
    assert [line.split(" sha256:")[0] for line in listed] == [
        f"- claims[{CLAIMS[0]}]", f"- claims[{CLAIMS[1]}]", f"- claim_sources[{PAIR}]"]
    assert all(re.search(r" sha256:[0-9a-f]{16}$", line) for line in listed)  # no site-url yet: no permalink
    assert ead.verify_citation(text) == []


def test_the_cli_cites_and_verifies_from_standard_input_and_a_file(tmp_path):
    run = run_cli("cite", "--style", "apa", "--rows", ",".join(CLAIMS), "--rows", f"claim_sources:{PAIR}")
    assert run.code == 2 and "--rows" in run.err and "TABLE:KEY" in run.err  # a table is required
    run = run_cli("cite", "--style", "apa", "--rows", "claims:" + ",".join(CLAIMS), "--rows", f"claim_sources:{PAIR}")
    assert run.code == 0, run.err
    assert run.out == ead.cite("apa", rows=ROWS)
    file = tmp_path / "citation.txt"
    file.write_text(run.out, encoding="utf-8")
    checked = run_cli("verify-citation", str(file))
    assert checked.code == 0 and checked.out == f"verified: 3 rows of eastasia-data {ead.__version__} as cited\n"
    piped = subprocess_stdin(run.out)
    assert piped.returncode == 0 and "verified: 3 rows" in piped.stdout


def subprocess_stdin(text: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "eastasia_data", "verify-citation"], input=text,
                          capture_output=True, text=True, cwd=REPO, timeout=300)


def test_an_unknown_row_is_refused_by_name():
    run = run_cli("cite", "--rows", "claims:clm-no-such-claim")
    assert run.code != 0 and "clm-no-such-claim" in run.err and "Traceback" not in run.err


def test_permalinks_follow_the_sites_scheme(monkeypatch):
    monkeypatch.setattr(rowcite, "site_url", lambda: "https://example.org/ead/")
    text = ead.cite("apa", rows=ROWS)
    v = ead.__version__
    assert f"https://example.org/ead/{v}/claims/{CLAIMS[0]}/" in text
    assert f"https://example.org/ead/{v}/claim_sources/clm-a1-china-key-ally/src-article-china-watching-warily/" in text
    assert rowcite.permalink("https://x.org", "1.0.0", "t", ["a b/c", "é"]) == "https://x.org/1.0.0/t/a%20b%2Fc/%C3%A9/"
    assert ead.verify_citation(text) == []


# --- tampering: each is caught, and named ---------------------------------------------------

def _cited() -> str:
    return ead.cite("apa", rows=ROWS)


def test_a_rows_value_changed_in_the_release_is_named(tmp_path):
    copy = tmp_path / "release"
    shutil.copytree(release_dir(), copy)
    table = pq.read_table(copy / "claims.parquet")
    column = table.column("paraphrase").to_pylist()
    index = table.column("claim_id").to_pylist().index(CLAIMS[1])
    column[index] = column[index] + " (altered)"
    pq.write_table(table.set_column(table.schema.get_field_index("paraphrase"), "paraphrase",
                                    __import__("pyarrow").array(column, table.schema.field("paraphrase").type)),
                   copy / "claims.parquet")
    text = _cited()
    assert rowcite.verify_citation(text, directory=release_dir()) == []
    problems = rowcite.verify_citation(text, directory=copy)
    assert len(problems) == 1 and problems[0].startswith(f"claims[{CLAIMS[1]}]: the row's hash")


def test_a_forged_row_hash_is_named():
    text = _cited()
    line = next(x for x in _rows_lines(text) if CLAIMS[0] in x)
    short = line.split(" sha256:")[1][:16]
    forged = text.replace(f"sha256:{short}", "sha256:" + ("0" if short[0] != "0" else "1") + short[1:])
    run = run_cli("verify-citation", str(_write(forged)))
    assert run.code == 1 and run.err.startswith(f"error: claims[{CLAIMS[0]}]: the row's hash")
    assert "Traceback" not in run.err


def test_a_row_removed_from_the_list_breaks_the_set_hash():
    text = _cited()
    removed = "\n".join(x for x in text.splitlines() if CLAIMS[1] not in x) + "\n"
    problems = ead.verify_citation(removed)
    assert len(problems) == 1 and "the set hash" in problems[0] and "row list" in problems[0]
    run = run_cli("verify-citation", str(_write(removed)))
    assert run.code == 1 and "set hash" in run.err


def test_a_row_added_to_the_list_breaks_the_set_hash():
    other = ead.cite("apa", rows={"claims": ["clm-a1-analysts-undermine-beijing"]})
    extra = _rows_lines(other)[0]
    text = _cited().replace(f"- claim_sources[", extra + "\n- claim_sources[")
    problems = ead.verify_citation(text)
    assert len(problems) == 1 and "the set hash" in problems[0]


def test_a_forged_set_hash_is_refused():
    text = _cited()
    real = re.search(r"set hash (sha256:[0-9a-f]{64})", text)[1]
    forged = text.replace(real, "sha256:" + hashlib.sha256(b"forged").hexdigest())
    problems = ead.verify_citation(forged)
    assert len(problems) == 1 and problems[0].startswith("the set hash sha256:")
    assert run_cli("verify-citation", str(_write(forged))).code == 1


def _changed_row(old: str, new: str) -> tuple[str, str]:
    """A row (table, key) that both releases hold with different values."""
    from eastasia_data.loader import tables

    for table in tables(old):
        if table not in tables(new):
            continue
        old_rows = rowcite._release_rows(old, table)[1]
        new_rows = rowcite._release_rows(new, table)[1]
        for k in sorted(old_rows):
            if k in new_rows and rowcite.row_hash(old_rows[k]) != rowcite.row_hash(new_rows[k]):
                return table, k
    raise AssertionError(f"no row differs between {old} and {new}")


def test_another_release_is_refused():
    current = ead.__version__
    previous = next(r["version"] for r in __import__("eastasia_data.releases", fromlist=["x"]).registry()["releases"])
    table, key = _changed_row(previous, current)  # the first release, which differs most
    text = ead.cite("apa", version=previous, rows={table: [key]})
    assert ead.verify_citation(text) == []
    # the rows block alone says another release: the release named does not match
    moved = text.replace(f"Rows of eastasia-data {previous} ", f"Rows of eastasia-data {current} ")
    problems = ead.verify_citation(moved)
    assert any(p.startswith("the release does not match") for p in problems)
    assert any(p.startswith(f"{table}[{key}]: the row's hash in release {current}") for p in problems)
    # every version number changed: the content hash and the row's hash still say no
    everywhere = text.replace(f"(Version {previous})", f"(Version {current})").replace(
        f"Rows of eastasia-data {previous} ", f"Rows of eastasia-data {current} ")
    problems = ead.verify_citation(everywhere)
    assert any("content hash" in p for p in problems) and any(p.startswith(f"{table}[{key}]") for p in problems)
    never = text.replace(f"Rows of eastasia-data {previous} ", "Rows of eastasia-data 99.0.0 ")
    assert ead.verify_citation(never) == ["the release 99.0.0 that the citation names was never released"]


def test_text_without_a_rows_block_is_refused():
    run = run_cli("verify-citation", str(_write(ead.cite("apa"))))
    assert run.code == 1 and "no rows block" in run.err


def _write(text: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "citation.txt"
    path.write_text(text, encoding="utf-8")
    return path


# --- the canonical form: RFC 8785, and the documented recipe ----------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    # RFC 8785, section 3.2.2.2 (strings) and 3.2.3 (sorting): the behaviour the recipe relies on
    ({"b": 1, "a": [None, True, False]}, b'{"a":[null,true,false],"b":1}'),
    ({"s": "\u20ac$\u000f\nA'B\"\\\\\"/"}, '{"s":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'.encode()),
    ({"\u20ac": 1, "\r": 2, "1": 3, "\u00f6": 4}, '{"\\r":2,"1":3,"\u00f6":4,"\u20ac":1}'.encode()),
])
def test_jcs_follows_rfc_8785(value, expected):
    assert rowcite.jcs(value) == expected
    assert _recipe()["jcs"](value) == expected


def test_the_documented_recipe_recomputes_every_row_of_every_release():
    recipe = _recipe()
    from eastasia_data.releases import registry

    for version in [r["version"] for r in registry()["releases"]]:
        for resource in descriptor(version)["resources"]:
            table = resource["name"]
            key = model(version)[table].primary_key
            by_recipe = recipe["rows_by_key"](ead.path(table, version=version), key)
            _, stored = rowcite._release_rows(version, table)
            assert by_recipe.keys() == stored.keys(), (version, table)
            for k, row in stored.items():
                assert recipe["jcs"](by_recipe[k]) == rfc8785.dumps({c: rowcite.canonical_value(v) for c, v in row.items()})
                assert recipe["row_hash"](by_recipe[k]) == rowcite.row_hash(row), (version, table, k)


def test_the_documented_recipe_reproduces_a_citation():
    recipe = _recipe()
    text = _cited()
    claims = recipe["rows_by_key"](ead.path("claims"), ["claim_id"])
    pairs = recipe["rows_by_key"](ead.path("claim_sources"), ["claim_id", "source_id"])
    cited = {"claims": [claims[k] for k in CLAIMS], "claim_sources": [pairs[PAIR]]}
    assert f"(set hash {recipe['set_hash'](cited)})" in text
    for k in CLAIMS:
        assert f"- claims[{k}] {recipe['row_hash'](claims[k])[:23]}" in text
