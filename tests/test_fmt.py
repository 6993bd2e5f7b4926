"""`fmt` rewrites the CSVs canonically, losing nothing; `fmt --check` names what is not canonical."""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from pathlib import Path

import pytest
from conftest import MODEL, TABLES, run_cli
from csvedit import read_rows, write_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eastasia_data.curation.fmt import fmt, format_file


def _shuffle_rows(path: Path) -> None:
    header, rows = read_rows(path)
    random.Random(1).shuffle(rows)
    if rows == sorted(rows, key=lambda r: r[header[0]]):
        rows.reverse()
    write_rows(path, header, rows)


def _quote_all(path: Path) -> None:
    header, rows = read_rows(path)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def _reorder_columns(path: Path) -> None:
    header, rows = read_rows(path)
    write_rows(path, header[1:] + header[:1], rows)


def _decompose(path: Path) -> None:
    text = path.read_text(encoding="utf-8").replace("Korea", "Kore\u0301a")  # an accent only NFD can hold apart
    path.write_text(text, encoding="utf-8", newline="")


def _pad_name(path: Path) -> None:
    header, rows = read_rows(path)
    rows[1]["name"] = " " + rows[1]["name"] + "  "
    write_rows(path, header, rows)


#: breakage → (how to make it, a fragment of the reason fmt --check gives)
BREAKAGES = {
    "blank lines at the end": (lambda p: p.write_bytes(p.read_bytes() + b"\n\n"), "blank lines at the end"),
    "no final line end": (lambda p: p.write_bytes(p.read_bytes().rstrip(b"\n")), "no line end after the last row"),
    "whitespace around a name": (_pad_name, "trimmed whitespace at line 3, column name"),
    "row order": (_shuffle_rows, "rows not sorted by primary key"),
    "crlf": (lambda p: p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n")), "CR or CRLF line ends"),
    "bom": (lambda p: p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes()), "byte-order mark"),
    "column order": (_reorder_columns, "columns not in schema order"),
    "quoting": (_quote_all, "quoting or spacing differs"),
}


def test_committed_data_is_canonical():
    run = run_cli("fmt", "--check")
    assert run.code == 0, run.text
    assert run.out.strip() == f"{len(TABLES)} files: {len(TABLES)} canonical"


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_check_names_the_file_and_fmt_restores_it(breakage, data_copy):
    table = "event_actors" if breakage == "row order" else "actors"  # a composite key, and a single one
    path = data_copy / f"{table}.csv"
    original = path.read_bytes()
    make, reason = BREAKAGES[breakage]
    make(path)
    assert path.read_bytes() != original
    run = run_cli("fmt", "--check", "--data-dir", str(data_copy))
    assert run.code == 1
    assert f"{table}.csv: not canonical (" in run.out and reason in run.out
    assert path.read_bytes() != original  # --check changes nothing
    run = run_cli("fmt", "--data-dir", str(data_copy))
    assert run.code == 0 and f"{table}.csv: rewritten" in run.out
    assert path.read_bytes() == original  # lossless: the canonical file comes back byte for byte
    assert [r.status for r in fmt(data_copy)] == ["canonical"] * len(TABLES)  # idempotent


def test_nfd_text_is_normalised(data_copy):
    path = data_copy / "actors.csv"
    _decompose(path)
    run = run_cli("fmt", "--check", "--data-dir", str(data_copy))
    assert run.code == 1 and "text not in Unicode NFC" in run.out
    assert run_cli("fmt", "--data-dir", str(data_copy)).code == 0
    text = path.read_text(encoding="utf-8")
    assert "Kor\u00e9a" in text and unicodedata.is_normalized("NFC", text)


def test_unparseable_file_is_refused_and_left_alone(data_copy):
    path = data_copy / "actors.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] += ",one too many"
    broken = "\n".join(lines)
    path.write_text(broken, encoding="utf-8", newline="")
    run = run_cli("fmt", "--data-dir", str(data_copy))
    assert run.code == 1
    assert "actors.csv: refused, cannot be read losslessly" in run.out
    width = len(MODEL["actors"].fields)
    assert f"actors.csv:4: has {width + 1} fields; the header has {width} (rule: row-width)" in run.out
    assert path.read_text(encoding="utf-8") == broken


TABLE = MODEL["actors"]
cell = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.dictionaries(st.text("abcxyz-é\u0301", min_size=1, max_size=6),
                            st.lists(cell, min_size=len(TABLE.fields) - 1, max_size=len(TABLE.fields) - 1),
                            max_size=12),
       quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL, csv.QUOTE_NONNUMERIC]),
       crlf=st.booleans())
def test_fmt_is_lossless_and_idempotent(rows, quoting, crlf, tmp_path):
    """Any parseable file keeps every row and cell (up to NFC, LF, and whitespace trimmed at the ends of
    cells that are not verbatim excerpts) and a second fmt changes nothing."""
    keys = {unicodedata.normalize("NFC", k).strip() for k in rows}
    if len(keys) != len(rows):
        return  # two keys equal after NFC would be one row twice: not a valid table
    if quoting == csv.QUOTE_MINIMAL and any("\r" in x for v in rows.values() for x in v):
        quoting = csv.QUOTE_ALL  # csv.writer leaves a lone CR unquoted under LF line ends: a broken file
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=quoting)
    w.writerow(TABLE.field_names)
    items = list(rows.items())
    random.Random(len(items)).shuffle(items)
    w.writerows([[k, *v] for k, v in items])
    path = tmp_path / "actors.csv"
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")

    first = format_file(TABLE, path)
    assert first.status in ("rewritten", "canonical"), first.problems
    once = path.read_bytes()
    assert format_file(TABLE, path).status == "canonical" and path.read_bytes() == once

    def norm(v, column):
        v = unicodedata.normalize("NFC", v.replace("\r\n", "\n").replace("\r", "\n"))
        return v if column.excerpt_of else v.strip()

    expected = sorted([norm(x, f) for x, f in zip([k, *v], TABLE.fields)] for k, v in rows.items())
    got = list(csv.reader(io.StringIO(once.decode("utf-8"), newline="")))
    assert got[0] == list(TABLE.field_names)
    assert got[1:] == expected


def test_an_optional_column_added_to_the_schema_is_added_empty(data_copy):
    """A new optional column needs one edit of the schema: fmt then adds it, empty, to the CSV."""
    optional = next(f.name for f in MODEL["actors"].fields if not f.required)
    path = data_copy / "actors.csv"
    header, rows = read_rows(path)
    write_rows(path, [h for h in header if h != optional], [{k: v for k, v in r.items() if k != optional} for r in rows])
    check = run_cli("fmt", "--check", "--data-dir", str(data_copy))
    assert check.code == 1 and f"actors.csv: not canonical (added the empty column {optional}" in check.out
    assert run_cli("fmt", "--data-dir", str(data_copy)).code == 0
    new_header, new_rows = read_rows(path)
    assert new_header == list(MODEL["actors"].field_names)
    assert all(r[optional] == "" for r in new_rows) and len(new_rows) == len(rows)


def test_a_missing_required_column_is_refused(data_copy):
    required = next(f.name for f in MODEL["actors"].fields if f.required and f.name not in MODEL["actors"].primary_key)
    path = data_copy / "actors.csv"
    header, rows = read_rows(path)
    write_rows(path, [h for h in header if h != required], [{k: v for k, v in r.items() if k != required} for r in rows])
    before = path.read_bytes()
    run = run_cli("fmt", "--data-dir", str(data_copy))
    assert run.code == 1 and "actors.csv: refused" in run.out and f"{required}: column is missing" in run.out
    assert path.read_bytes() == before
