"""Property-based fuzzing of the validator: whatever the files hold, the answer is a report.

CI runs a modest number of examples per property (the ``ci`` profile in conftest.py);
``HYPOTHESIS_PROFILE=thorough`` runs many more.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import MODEL, REPO, TABLES
from hypothesis import assume, given
from hypothesis import strategies as st

from eastasia_data import paths
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.validate import validate

pytestmark = pytest.mark.slow

#: Characters that trouble CSV readers and text checks, mixed into generated text.
TRICKY = st.sampled_from(list(',"\n\r\t\x00\x1b \u00a0\u200b\u2028\ufeff\u0301\u2019=+-@\ufffd') + ["\r\n", '""', "act-", "evt-"])
CELL = st.one_of(st.text(max_size=40), st.lists(st.one_of(TRICKY, st.text(max_size=5)), max_size=12).map("".join))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """One copy of data/ for the module; each example rewrites one file and puts it back."""
    target = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(paths.data_dir(), target)
    return target


def physical_lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 1


def run_on(scratch: Path, sources: Path, table: str, data: bytes):
    """Validate with ``table``'s file replaced by ``data``; restore it after."""
    path = scratch / MODEL[table].csv_name
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        report = validate(scratch, sources)
    finally:
        path.write_bytes(original)
    assert isinstance(report.valid, bool)
    for p in report.problems:
        assert isinstance(p, Problem) and p.file and p.rule and p.message
        assert p.line is None or 1 <= p.line <= max(physical_lines(data), 1) or Path(p.file).name != path.name, p
    for fmt in ("text", "json", "github"):
        rendered = report.render(fmt)
        assert isinstance(rendered, str)
    # One line per problem, plus the summary: nothing a file holds can break a line of output.
    assert len(report.render("text").splitlines()) == len(report.problems) + 1
    assert len(report.render("github").splitlines()) == len(report.problems) + 1
    return report, path


CSVISH = st.lists(
    st.lists(st.one_of(CELL, st.sampled_from([f.name for t in MODEL.values() for f in t.fields])), max_size=6)
    .map(lambda cells: ",".join(cells)),
    max_size=8,
).map(lambda lines: "\n".join(lines).encode("utf-8", errors="surrogatepass"))


@given(table=st.sampled_from(TABLES),
       data=st.one_of(st.binary(max_size=400), CSVISH, st.binary(max_size=40).map(lambda b: b"\xef\xbb\xbf" + b)))
def test_arbitrary_bytes_give_a_report(scratch, sources_dir, table, data):
    report, path = run_on(scratch, sources_dir, table, data)
    assert not report.valid
    assert any(Path(p.file).name == path.name for p in report.problems)


def mutate(text: str, kind: str, row: int, column: int, value: str, cut: int) -> tuple[str, int | None]:
    """One change to a valid CSV; returns the new text and the line of the changed row (None: unknown)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    if not body and kind not in ("cut", "insert"):  # a table with no rows yet (its schema may allow that)
        return text, None
    row %= max(len(body), 1)
    line = row + 2
    if kind == "cell":
        body[row][column % len(header)] = value
    elif kind == "drop-row":
        del body[row]
        line = None
    elif kind == "duplicate-row":
        body.append(list(body[row]))
        line = len(body) + 1
    elif kind == "swap-cells":
        r = body[row]
        a, b = column % len(header), (column + 1) % len(header)
        r[a], r[b] = r[b], r[a]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    new = out.getvalue()
    if kind == "cut":
        new, line = new[: cut % (len(new) + 1)], None
    elif kind == "insert":
        at = cut % (len(new) + 1)
        new, line = new[:at] + value + new[at:], None
    return new, line


@given(table=st.sampled_from(TABLES),
       kind=st.sampled_from(["cell", "cell", "cell", "drop-row", "duplicate-row", "swap-cells", "cut", "insert"]),
       row=st.integers(0, 10_000), column=st.integers(0, 50), value=CELL, cut=st.integers(0, 1_000_000))
def test_mutated_rows_give_a_report_naming_the_row(scratch, sources_dir, table, kind, row, column, value, cut):
    original = (scratch / MODEL[table].csv_name).read_text(encoding="utf-8")
    text, line = mutate(original, kind, row, column, value, cut)
    assume(text != original)
    report, path = run_on(scratch, sources_dir, table, text.encode("utf-8", errors="surrogatepass"))
    if line is None or "\n" in value or "\r" in value:
        return
    own = [p for p in report.problems if Path(p.file).name == path.name and p.rule not in ("foreign-key", "lookalike-id")]
    if own:
        assert line in {p.line for p in own}, (line, own)


@given(quoted=st.sets(st.sampled_from(TABLES)), style=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC, csv.QUOTE_MINIMAL]))
def test_valid_data_requoted_stays_valid_and_reads_the_same(scratch, sources_dir, quoted, style):
    """Quoting more than needed is still RFC 4180: the tables read the same and stay valid."""
    baseline = validate(scratch, sources_dir)
    assert baseline.valid, baseline.render()
    originals = {t: (scratch / MODEL[t].csv_name).read_bytes() for t in quoted}
    try:
        for t in quoted:
            rows = list(csv.reader(io.StringIO(originals[t].decode("utf-8"), newline="")))
            out = io.StringIO()
            csv.writer(out, lineterminator="\n", quoting=style).writerows(rows)
            (scratch / MODEL[t].csv_name).write_text(out.getvalue(), encoding="utf-8", newline="")
        report = validate(scratch, sources_dir)
    finally:
        for t, data in originals.items():
            (scratch / MODEL[t].csv_name).write_bytes(data)
    assert report.valid, report.render()
    for name, frame in report.frames().items():
        assert frame.equals(baseline.frames()[name]), name
        assert (report.files[name].lines == baseline.files[name].lines).all(), name


def test_a_form_feed_as_a_source_id_keeps_every_problem_on_one_line(tmp_path, sources_dir):
    """Found by the mutation test above: a source id quoted raw inside a ledger message split its line."""
    from eastasia_data.curation.validate import validate

    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    path = data / "actors.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    header = lines[0].split(",")
    cells = next(csv.reader([lines[1]]))
    cells[header.index("source_id")] = "\x0c"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    lines[1] = buf.getvalue().rstrip("\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    report = validate(data, sources_dir, schemas_dir=REPO / "schemas")
    assert report.problems
    assert len(report.render("text").splitlines()) == len(report.problems) + 1
    assert "\\x0c" in report.render("text") and "\x0c" not in report.render("text")
