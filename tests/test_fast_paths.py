"""Each shortcut the validator takes on clean input decides exactly as the slower reading it stands in for.

The shortcuts exist for speed at scale (bench/notes.md, issue 25): when one says "nothing to
report", the full reading must have found nothing either. Hypothesis draws inputs made of the
characters that matter to each rule.
"""

from __future__ import annotations

import copy

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from eastasia_data import files, paths
from eastasia_data.curation import reader
from eastasia_data.curation.checks import corrections, hygiene, kernels, references
from eastasia_data.curation.checks.corrections import Releases
from eastasia_data.curation.validate import read_checkout
from eastasia_data.curation.versioning import released_versions
from eastasia_data.views import row_key

#: Left out of the quick run: properties of the code, which no change to data/ or schemas/ can break.
pytestmark = pytest.mark.slow

CSV_BYTES = st.lists(st.sampled_from([b'"', b'""', b",", b"\n", b"\r", b"\r\n", b"a", b" ", b"\xc3\xa9"]),
                     max_size=40).map(b"".join)


@given(CSV_BYTES)
@example(b'a,"b, c",d\n"say ""hi""",""\n')
@example(b'"""",x')
@example(b'a,Korean War",d\n')
@example(b'a,"x"y,b')
@example(b'"a"\r"b"')
def test_the_quote_shortcut_accepts_exactly_what_the_rfc_4180_pattern_covers(data):
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x22)
    by_pattern = b'"' not in reader._QUOTED.sub(b"", data)
    assert reader._quotes_well_formed(data, quotes) is by_pattern or not quotes.size


def _strict_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@given(st.one_of(st.binary(max_size=30), st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))))
@example(b"\xed\xa0\x80")  # an encoded surrogate
@example(b"\xc0\xaf")  # an overlong form
@example(b"\xf4\x90\x80\x80")  # past U+10FFFF
def test_utf8_is_judged_without_decoding_as_a_strict_decode_judges_it(data):
    assert files.is_utf8(data) is _strict_utf8(data)


@given(st.lists(st.sampled_from(["a,b", "\n", "\r", "\r\n", " ", "\t", "\x1c", "\x85", "\u00a0", "\u2028", "\u3000",
                                 "x", "\u00e9"]), max_size=12).map("".join))
def test_the_rows_after_the_header_are_found_in_the_bytes_as_in_the_text(text):
    assert reader._has_rows(text.encode("utf-8")) is reader._has_rows(text)


HYGIENE_TEXT = st.lists(st.sampled_from([
    "a", "A", " ", "\t", "\n", "\x1c", "\x7f", "\x85", "\u00a0", "\u2028", "=", "+", "-", "@", ":", "::", "\u00e9",
    "e\u0301", "\u0301\u0301\u0301", "\u043e", "\u03b1", "\u200b", "\u00ad", "\ue000", "\U000e0041", "\u3000", "\ufe0f",
    "\u1100", "\ud55c"]), max_size=8).map("".join)


def _every_rule_on_every_cell(cells: pa.Array) -> list[tuple[int, int]]:
    found = []
    for order, (_, pattern, _, _) in enumerate(hygiene._RULES):
        hit = (pc.match_substring_regex(cells, pattern) if pattern
               else pc.greater(pc.utf8_length(cells), hygiene.MAX_CELL))
        found += [(int(k), order) for k in np.flatnonzero(hit.fill_null(False).to_numpy(zero_copy_only=False))]
    changed = pc.not_equal(pc.utf8_normalize(cells, "NFC"), cells).fill_null(False).to_numpy(zero_copy_only=False)
    return sorted(found + [(int(k), len(hygiene._RULES)) for k in np.flatnonzero(changed)])


@given(st.lists(st.lists(st.one_of(HYGIENE_TEXT, st.none(), st.just("x" * 10_001), st.just("\u00e9" * 5_001)),
                         min_size=1, max_size=6), max_size=4), st.integers(0, 2))
@example([["ok", None, "::x", "a\x7fb", " a", "a ", "=1", "+1", "-1", "@a", "a\x1fb", "\x0bz", "ok"]], 0)
@example([["skipped", "a\u2028b", "M\u043escow", "e\u0301\u0301\u0301", "\u200bz", "x" * 10_001], ["a\x00", "z\x1ez", "ok", "fine"]], 1)
def test_hygiene_finds_in_the_suspect_cells_what_every_rule_finds_in_every_cell(columns, cut):
    # Columns as a reader gives them: chunks of one array, with empty cells (None), some sliced (offsets not from 0).
    chunks = [pa.array(values, type=pa.large_string()).slice(min(cut, len(values) - 1)) for values in columns]
    cells = pa.chunked_array(chunks, type=pa.large_string())
    assert sorted(hygiene._hits(cells)) == _every_rule_on_every_cell(cells.combine_chunks())


@given(st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.sampled_from(["x", "y", None]),
                          st.sampled_from(["", "p", None])), max_size=30))
def test_rows_are_grouped_by_their_values_in_order_of_first_appearance(rows):
    expected: dict[tuple, list[int]] = {}
    for i, row in enumerate(rows):
        expected.setdefault(row, []).append(i)
    columns = [pa.array([row[k] for row in rows], type=pa.large_string()) for k in range(3)]
    assert [g.tolist() for g in kernels.groups(*columns)] == list(expected.values())


# -- the cross-table checks: rows settled in Arrow, the rest one by one -----------------------------

FILES = read_checkout()
RELEASES = Releases.of(paths.checkout())


def _every_row_one_by_one(monkeypatch, module, name):
    """Turn a check's shortcut off: it settles no row, so every row takes the one-by-one path."""
    monkeypatch.setattr(module, name, lambda tf, *args, **kwargs: np.zeros(len(tf.frame), dtype=bool))


def _key_of(table: str, row: int) -> str:
    tf = FILES[table]
    return row_key(tf.frame[c].iat[row] for c in tf.table.primary_key)


#: Cells a contributor could write in the corrections register: real keys and look-alikes, releases known
#: and not, columns real and not, empty cells.
CORRECTION_CELLS = {
    "table_name": st.sampled_from(["claims", "events", "event_actors", "actors", "nope", "", "corrections"]),
    "row_key": st.one_of(st.sampled_from([_key_of(t, r) for t in ("claims", "events", "event_actors", "actors")
                                          for r in (0, 1)]).flatmap(lambda k: st.sampled_from(
                                              [k, k + " | x", k.split(" | ")[0], k[:-1], k.upper(), " | " + k])),
                         st.sampled_from(["", "clm-nope", "a | b | c"])),
    "columns": st.sampled_from(["verdict", "verdict verdict_note", "title", "role", "nope", "", "Verdict",
                                "verdict  title"]),
    "release": st.sampled_from(["", "1.0.0", "2.0.0", "9.9.9", "1.0", "x", RELEASES.versions[-1]]),
}


#: Cells of the coding ledger: the tables, rows, columns and values it may name, and look-alikes.
CODING_CELLS = {
    "table_name": st.sampled_from(["claims", "events", "strategies", "nope", ""]),
    "row_key": st.one_of(st.sampled_from([_key_of(t, r) for t in ("claims", "events", "strategies") for r in (0, 1)])
                         .flatmap(lambda k: st.sampled_from([k, k[:-1], k + "x", k.upper()])), st.just("")),
    "field": st.sampled_from(["verdict", "mode", "context", "title", "nope", ""]),
    "value": st.sampled_from(["supported", "contradicted", "military", "military;economic", "military;military",
                              "nope", ""]),
}


#: Each check with a shortcut: the table whose cells are drawn, the cells, the check and the shortcut's name.
SETTLED = {
    "corrections": ("corrections", CORRECTION_CELLS, lambda files: corrections.check_corrections(files, RELEASES),
                    corrections, "_settled"),
    "codings": ("codings", CODING_CELLS, references.check_references, references, "_found"),
}


@pytest.mark.parametrize("check", sorted(SETTLED))
@given(data=st.data())
def test_rows_settled_in_arrow_give_the_problems_of_the_one_by_one_check(check, data, monkeypatch_module):
    table, cells, run, module, shortcut = SETTLED[check]
    files = dict(FILES)
    tf = files[table] = copy.copy(FILES[table])
    tf.frame = tf.frame.copy()
    rows = st.integers(0, len(tf.frame) - 1)
    for row, column in data.draw(st.lists(st.tuples(rows, st.sampled_from(sorted(cells))), max_size=8)):
        tf.frame.loc[row, column] = data.draw(cells[column]) or None
    fast = run(files)
    with monkeypatch_module.context() as m:
        _every_row_one_by_one(m, module, shortcut)
        slow = run(files)
    assert fast == slow


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as m:
        yield m


# -- diff: tables unchanged in Arrow need no frame ----------------------------------------------------


def test_a_diff_of_checkouts_is_the_same_with_and_without_comparing_in_arrow_first(tmp_path, monkeypatch):
    import shutil

    from eastasia_data.curation import snapshot
    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.diff_render import render_text

    for name in ("data", "schemas", "pyproject.toml"):
        (shutil.copytree if name != "pyproject.toml" else shutil.copy)(paths.checkout().root / name, tmp_path / name)
    events = tmp_path / "data" / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace("Kursk", "Kursk Oblast", 1), encoding="utf-8")
    monkeypatch.setenv("EASTASIA_NO_CACHE", "1")

    def compared():
        old = snapshot.from_checkout(paths.checkout().root, "before")
        new = snapshot.from_checkout(tmp_path, "after")
        return render_text(diff(old, new))

    fast = compared()
    monkeypatch.setattr(snapshot.TableState, "same_rows", lambda self, other: False)
    assert fast == compared() and "values changed: 1 cell(s) in 1 row(s)" in fast


def test_tables_with_the_same_arrow_rows_make_the_same_frames():
    import dataclasses

    from eastasia_data.curation import snapshot

    checkout = paths.checkout()
    now, again = (snapshot.from_checkout(checkout.root, "data/") for _ in range(2))
    pairs = [(now.tables[n], again.tables[n]) for n in now.tables]
    released = snapshot.from_release(checkout.release_dir(released_versions(checkout.releases_dir)[-1]), "release")
    pairs += [(released.tables[n], now.tables[n]) for n in now.tables if n in released.tables]
    for a, b in pairs:
        if a.same_rows(b):
            assert a.frame.equals(b.frame), a.name
    assert all(a.same_rows(b) for a, b in pairs[:len(now.tables)])
    # An empty table's frame takes its categories from the model: there, the definitions must agree too.
    events = now.tables["events"]
    empty = dataclasses.replace(events, frame=None, arrow=events.arrow.slice(0, 0))
    other = dataclasses.replace(empty, frame=None, table=dataclasses.replace(events.table, description="another"))
    assert empty.same_rows(dataclasses.replace(empty, frame=None)) and not empty.same_rows(other)
