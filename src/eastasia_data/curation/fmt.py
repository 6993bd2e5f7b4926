"""The canonical form of the CSV tables, so that a diff of ``data/`` shows only real changes.

A table's CSV is canonical when it is, byte for byte, what :func:`canonical_text` writes:

* UTF-8 without a byte-order mark, LF line ends (also inside quoted values);
* the header in the schema's column order;
* rows sorted by primary key (compared as a tuple of strings, by code point);
* Python's ``csv.writer`` with ``quoting=QUOTE_MINIMAL``: a value is quoted only when it
  holds a comma, a double quote or a line end, and a quote inside it is doubled;
* every value (and the header) in Unicode normalisation form NFC.

Formatting is lossless: every row and every cell of the file comes back, only re-ordered,
re-quoted and normalised as above. A file the project's reader cannot parse completely
(a ragged row, an unbalanced quote, bytes that are not UTF-8, a missing or unknown column)
is refused with the reader's problems, and left as it was.

Examples
--------
>>> from eastasia_data.curation.fmt import fmt
>>> {r.status for r in fmt(check=True)}
{'canonical'}
"""

from __future__ import annotations

# pandas, pyarrow and the reader are imported where a file is read: a checkout whose files are all
# known canonical (the cache) is checked without them.

import csv
import io
import json
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from eastasia_data import paths
from eastasia_data.curation.problems import Problem, display_path
from eastasia_data.curation.rules import fmt_can_rewrite
from eastasia_data.curation.schemas import read_model
from eastasia_data.errors import EastAsiaError
from eastasia_data.files import read_bytes
from eastasia_data.model import Table


@dataclass
class FmtResult:
    """What ``fmt`` did (or, with ``check``, would do) to one CSV file.

    ``status`` is ``canonical`` (already so), ``rewritten``, ``not canonical`` (only with
    ``check``) or ``refused`` (cannot be parsed losslessly; ``problems`` says why).
    """

    display: str
    status: str
    reasons: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_text(self) -> str:
        """One line for the file: its status and, when it is not canonical, why.

        Examples
        --------
        >>> FmtResult("data/events.csv", "rewritten", ["CR or CRLF line ends"]).as_text()
        'data/events.csv: rewritten (CR or CRLF line ends)'
        """
        if self.status == "refused":
            return f"{self.display}: refused, cannot be read losslessly ({len(self.problems)} problem(s) below)"
        if self.reasons:
            return f"{self.display}: {self.status} ({'; '.join(self.reasons)})"
        return f"{self.display}: {self.status}"


def _normal(value: str) -> str:
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))


def _canonical_cells(values) -> list[str]:
    """One column's cells as canonical text: missing as empty, line ends as LF, NFC.

    A column of text is handled in Arrow, and only its cells beyond ASCII are normalised, by
    Python's :mod:`unicodedata` as every other cell would be (an ASCII text is its own NFC).
    A cell that is not text (a frame built by hand) is empty, as a missing one is.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from eastasia_data.curation.checks.kernels import bools, text_array

    try:
        cells = text_array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        cells = pa.array([v if isinstance(v, str) else None for v in values], type=pa.large_string())
    cells = cells.fill_null("")
    if pc.any(pc.match_substring(cells, "\r")).as_py():
        cells = pc.replace_substring(pc.replace_substring(cells, "\r\n", "\n"), "\r", "\n")
    out = cells.to_pylist()
    for i in np.flatnonzero(~bools(pc.string_is_ascii(cells))):
        out[i] = unicodedata.normalize("NFC", out[i])
    return out


def canonical_rows(table: Table, frame) -> list[list[str]]:
    """The rows of a read table as canonical text cells, in schema column order, sorted by key.

    Rows are sorted by the key's canonical values compared as strings, code point by code
    point (Arrow's stable sort of their UTF-8 bytes, which orders them alike).

    Examples
    --------
    >>> import pandas as pd
    >>> from eastasia_data.curation.schemas import read_model
    >>> table = read_model()["event_sources"]
    >>> frame = pd.DataFrame([{n: None for n in table.field_names}] * 2)
    >>> frame["event_id"], frame["source_id"] = ["evt-b", "evt-a"], ["src-x", "src-x"]
    >>> [row[:2] for row in canonical_rows(table, frame)]
    [['evt-a', 'src-x'], ['evt-b', 'src-x']]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    names = list(table.field_names)
    columns = [_canonical_cells(frame[n]) for n in names]
    if table.primary_key and len(frame):
        keys = pa.table({str(i): pa.array(columns[names.index(k)], type=pa.large_string())
                         for i, k in enumerate(table.primary_key)})
        order = pc.sort_indices(keys, sort_keys=[(str(i), "ascending") for i in range(len(table.primary_key))])
        positions = order.to_numpy()
        columns = [[column[i] for i in positions] for column in columns]
    return [list(row) for row in zip(*columns)]


def canonical_text(table: Table, frame) -> str:
    """The canonical CSV text of a read table (see the module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> from eastasia_data.curation.schemas import read_model
    >>> table = read_model()["strategy_targets"]
    >>> frame = pd.DataFrame({"strategy_id": ["str-b", "str-a"], "actor_id": ["act-x", "act-y, z"]})
    >>> print(canonical_text(table, frame), end="")
    strategy_id,actor_id
    str-a,"act-y, z"
    str-b,act-x
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([_normal(n) for n in table.field_names])
    writer.writerows(canonical_rows(table, frame))
    return buf.getvalue()


def _reasons(data: bytes, header: list[str], table: Table, frame, text: str) -> list[str]:
    """Why a file is not canonical, in words a contributor can act on."""
    from eastasia_data.curation.reader import BOM

    reasons = []
    if data.startswith(BOM):
        reasons.append("starts with a byte-order mark")
    if b"\r" in data:
        reasons.append("CR or CRLF line ends")
    if header != list(table.field_names):
        reasons.append("columns not in schema order")
    keys = [tuple("" if not isinstance(v, str) else v for v in row)
            for row in frame[list(table.primary_key)].itertuples(index=False, name=None)] if table.primary_key else []
    if keys != sorted(keys):
        reasons.append("rows not sorted by primary key (" + ", ".join(table.primary_key) + ")")
    original = data.decode("utf-8", errors="replace")
    if unicodedata.normalize("NFC", original) != original:
        reasons.append("text not in Unicode NFC")
    if data.rstrip(b"\r\n") + b"\n" != data and data.endswith((b"\n\n", b"\r\n\r\n")):
        reasons.append("blank lines at the end")
    elif not data.endswith(b"\n"):
        reasons.append("no line end after the last row")
    if not reasons:
        reasons.append("quoting or spacing differs from csv.writer's minimal quoting")
    return reasons


def _trim(tf, frame) -> list[str]:
    """Trim whitespace at the ends of every cell but verbatim excerpts; one reason per cell changed."""
    import numpy as np
    import pyarrow.compute as pc

    from eastasia_data.curation.checks.hygiene import PADDED
    from eastasia_data.curation.checks.kernels import bools, text_array

    excerpts = {f.name for f in tf.table.fields if f.excerpt_of}
    reasons = []
    for f in tf.table.fields:
        if f.name in excerpts or f.name not in frame.columns:
            continue
        # The few cells with whitespace at an end, found in one RE2 pass; then Python's strip on those.
        padded = np.flatnonzero(bools(pc.match_substring_regex(text_array(frame[f.name]), PADDED)))
        for i in padded:
            reasons.append(f"trimmed whitespace at line {tf.line_of(int(i))}, column {f.name}")
        if len(padded):
            rows = frame.index[padded]
            frame.loc[rows, f.name] = [v.strip() for v in frame.loc[rows, f.name]]
    return reasons


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: The cache's kind for files found canonical (see :func:`format_file`).
CANONICAL = "canonical"


def _canonical_key(cache, table: Table, data: bytes) -> str:
    schema = json.dumps(table.to_table_schema(), sort_keys=True, ensure_ascii=False).encode("utf-8")
    return cache.key(CANONICAL, table.name.encode("utf-8"), schema, data)


def _known_canonical(cache, table: Table, path: Path) -> bool:
    """Whether the cache holds that these very bytes, under this schema, were found canonical."""
    if cache is None:
        return False
    try:
        data = read_bytes(path, root=path.parent.parent)
    except (OSError, EastAsiaError):  # missing, a link, too big: the reader says so
        return False
    return cache.get(CANONICAL, _canonical_key(cache, table, data)) is True


def format_file(table: Table, path: Path, display: str | None = None, *, check: bool = False,
                cache=None) -> FmtResult:
    """Rewrite one table's CSV canonically (or, with ``check``, only report whether it is).

    With a ``cache`` (:class:`~eastasia_data.curation.cache.Cache`), a file is remembered once
    found canonical, by its bytes and its table's schema (and, through the cache's key, the
    package version and the code), and the same bytes are not read and written out again
    on the next run, as Black and Ruff remember the files they formatted. Only a canonical
    file is remembered: any other is formatted, or reported, afresh.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from eastasia_data.curation.schemas import read_model
    >>> path = Path(tempfile.mkdtemp()) / "strategy_targets.csv"
    >>> _ = path.write_bytes(b"strategy_id,actor_id\\r\\nstr-b,act-x\\r\\nstr-a,act-y\\r\\n")
    >>> format_file(read_model()["strategy_targets"], path, "st.csv", check=True).status
    'not canonical'
    >>> format_file(read_model()["strategy_targets"], path, "st.csv").status, path.read_text().splitlines()[1]
    ('rewritten', 'str-a,act-y')
    """
    display = display or str(path)
    if _known_canonical(cache, table, path):
        return FmtResult(display, "canonical")
    from eastasia_data.curation.reader import read_table_file

    tf = read_table_file(table, path, display)
    blocking = [p for p in tf.problems if not fmt_can_rewrite(p.rule)]
    if blocking or tf.frame is None:
        return FmtResult(display, "refused", problems=blocking)
    frame = tf.frame.copy()
    added = [f.name for f in table.fields if f.name not in frame.columns]
    for name in added:  # only optional columns get here: a missing required one is refused above
        frame[name] = None
    trimmed = _trim(tf, frame)
    text = canonical_text(table, frame)
    data = read_bytes(path, root=path.parent.parent)  # as the reader opened it: guarded, never through a link
    new = text.encode("utf-8")
    if data == new:
        if cache is not None:
            cache.put(CANONICAL, _canonical_key(cache, table, data), True)
        return FmtResult(display, "canonical")
    reasons = [f"added the empty column {name}" for name in added] + trimmed
    reasons += [r for r in _reasons(data, tf.header, table, frame, text) if not (added and r.startswith("columns"))]
    if check:
        return FmtResult(display, "not canonical", reasons)
    _write_atomic(path, new)
    return FmtResult(display, "rewritten", reasons)


def fmt(data_dir: str | Path | None = None, *, schemas_dir: str | Path | None = None,
        check: bool = False) -> list[FmtResult]:
    """Rewrite every table's CSV in ``data_dir`` canonically; with ``check``, change nothing.

    Parameters
    ----------
    data_dir : path, optional
        Directory of the CSV tables; default the checkout's ``data/``.
    schemas_dir : path, optional
        Directory of the schemas; default the checkout's ``schemas/``.
    check : bool, default False
        Only report which files are not canonical.

    Returns
    -------
    list of FmtResult
        One per table, in table order.

    Examples
    --------
    >>> {r.status for r in fmt(check=True)}
    {'canonical'}
    """
    from eastasia_data.curation.cache import checkout_cache

    model = read_model(Path(schemas_dir) if schemas_dir else None)
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    cache = checkout_cache()
    return [format_file(t, data_dir / t.csv_name, display_path(data_dir / t.csv_name), check=check, cache=cache)
            for t in model.values()]
