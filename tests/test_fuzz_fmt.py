"""Valid data stays valid, and comes back unchanged, through ``fmt``, however its files were re-saved.

Each example re-saves some tables the way an editor might (rows shuffled, every value quoted,
CRLF line ends, a byte-order mark, text decomposed to NFD, columns in another order), runs
``fmt``, and expects the canonical bytes back and a valid report.
"""

from __future__ import annotations

import csv
import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import MODEL, TABLES
from hypothesis import given
from hypothesis import strategies as st

from eastasia_data import paths
from eastasia_data.curation.fmt import fmt
from eastasia_data.curation.validate import validate

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def canonical(tmp_path_factory, sources_dir) -> tuple[Path, dict[str, bytes]]:
    """A copy of data/ put through fmt once: it must still be valid, and fmt must then leave it alone."""
    data = tmp_path_factory.mktemp("fmt") / "data"
    shutil.copytree(paths.data_dir(), data)
    before = validate(data, sources_dir)
    assert before.valid, before.render()
    fmt(data)
    after = validate(data, sources_dir)
    assert after.valid, after.render()
    for name, frame in before.frames().items():
        key = list(MODEL[name].primary_key)
        assert frame.sort_values(key, ignore_index=True).equals(after.frames()[name].sort_values(key, ignore_index=True)), name
    assert {r.status for r in fmt(data)} == {"canonical"}
    return data, {t: (data / MODEL[t].csv_name).read_bytes() for t in TABLES}


def resave(data: bytes, rng, quoting: int, crlf: bool, bom: bool, nfd: bool, reorder: bool) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    rng.shuffle(body)
    order = list(range(len(header)))
    if reorder:
        rng.shuffle(order)
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator="\r\n" if crlf else "\n")
    for row in [header, *body]:
        cells = [row[i] for i in order]
        writer.writerow([unicodedata.normalize("NFD", c) for c in cells] if nfd else cells)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@given(tables=st.sets(st.sampled_from(TABLES), min_size=1), rng=st.randoms(use_true_random=False),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
       crlf=st.booleans(), bom=st.booleans(), nfd=st.booleans(), reorder=st.booleans())
def test_resaved_data_comes_back_unchanged_and_valid(canonical, sources_dir, tables, rng, quoting, crlf, bom, nfd, reorder):
    data, expected = canonical
    try:
        for t in tables:
            (data / MODEL[t].csv_name).write_bytes(resave(expected[t], rng, quoting, crlf, bom, nfd, reorder))
        results = fmt(data)
        assert "refused" not in {r.status for r in results}, [r.as_text() for r in results]
        for t in TABLES:
            assert (data / MODEL[t].csv_name).read_bytes() == expected[t], t
        report = validate(data, sources_dir)
        assert report.valid, report.render()
    finally:
        for t in TABLES:
            (data / MODEL[t].csv_name).write_bytes(expected[t])
