"""CSV bytes → a frame of strings with the physical line of every row, plus file-level problems.

Reading is strict where a contributor's editor can go wrong: encoding (UTF-8, no
byte-order mark, no NUL), line ends (LF), RFC 4180 quoting, rows as wide as the
header, and the header itself against the schema. Clean files take a fast path
(pyarrow's CSV reader); a file with any syntax trouble is re-read with Python's
``csv`` module, which names every bad row and counts quoted newlines right.

Every cell is kept as text; an empty cell becomes missing (NA). Types are
checked later, as values (see ``checks/table.py``).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from eastasia_data.curation.problems import Problem
from eastasia_data.curation.rules import (
    BYTE_ORDER_MARK,
    COLUMN_ORDER,
    CSV_SYNTAX,
    DELIMITER,
    ENCODING,
    FILE,
    FILE_SIZE,
    HEADER,
    LINE_ENDS,
    MISSING_OPTIONAL_COLUMN,
    NO_ROWS,
    ROW_WIDTH,
    SYMLINK,
    TRAILING_BLANK_LINE,
    ids,
)
from eastasia_data.errors import UnsafeFileError
from eastasia_data.files import (
    MAX_TABLE_BYTES,
    LineIndex,
    decode_utf8,
    is_utf8,
    read_bytes,
    symlink_on_the_way,
)
from eastasia_data.model import Table

BOM = b"\xef\xbb\xbf"
#: Largest cell the careful reader accepts; far larger cells are still reported by the cell-size check.
_FIELD_LIMIT = 1 << 30
FMT_HINT = "run `eastasia-data fmt` to rewrite the file canonically"
#: Rules whose problems leave the bytes parseable as they are (the fast path stays open).
_PARSES = ids("parses")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NOT_SPACE = re.compile(r"\S")
_LINE_BREAK_BYTES = re.compile(rb"\r\n|\r|\n")
#: A byte that is a character no reading of Unicode calls white space (str's ``\s`` also takes U+001C-U+001F).
_ASCII_NOT_SPACE = re.compile(rb"[^\s\x1c-\x1f\x80-\xff]")


def _has_rows(content: bytes | str) -> bool:
    """Whether anything but white space follows the header's line (``\\S`` in the text's Unicode sense).

    The bytes of a valid UTF-8 file are searched for a plain ASCII character first; only a file
    whose rows hold no such character has the rest decoded.

    Examples
    --------
    >>> _has_rows(b"a,b\\n1,2\\n"), _has_rows(b"a,b\\n \\n"), _has_rows("a,b\\n\\u00a0"), _has_rows(b"a,b\\n\\xc2\\xa0")
    (True, False, False, False)
    """
    if isinstance(content, str):
        line_end = _LINE_BREAK.search(content)
        return line_end is not None and _NOT_SPACE.search(content, line_end.end()) is not None
    byte_end = _LINE_BREAK_BYTES.search(content)
    if byte_end is None:
        return False
    if _ASCII_NOT_SPACE.search(content, byte_end.end()):
        return True
    return _NOT_SPACE.search(content[byte_end.end():].decode("utf-8")) is not None


@dataclass
class TableFile:
    """One table's CSV as read: its rows as text, where each row starts, and what was wrong."""

    table: Table
    display: str
    frame: pd.DataFrame | None = None
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    header: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The key columns as Arrow arrays, read once while the frame is held fixed (see :func:`fixed_keys`).
    _keys: list | None = field(default=None, init=False, repr=False, compare=False)
    _fixed: bool = field(default=False, init=False, repr=False, compare=False)

    def line_of(self, position: int) -> int:
        """Physical line (1-based) where the row at ``position`` starts.

        Examples
        --------
        >>> from eastasia_data.curation.schemas import read_model
        >>> from eastasia_data.paths import data_dir
        >>> tf = read_table_file(read_model()["events"], data_dir() / "events.csv", "data/events.csv")
        >>> tf.line_of(0)
        2
        """
        return int(self.lines[position])

    def problem(self, position: int | None, column: str | None, value, rule: str, message: str,
                hint: str = "") -> Problem:
        """A :class:`~eastasia_data.curation.problems.Problem` at the row ``position`` (``None``: the whole file).

        The problem names the row by its table and primary key as well as by its line.

        Examples
        --------
        >>> from eastasia_data.curation.rules import REQUIRED
        >>> from eastasia_data.curation.schemas import read_model
        >>> from eastasia_data.paths import data_dir
        >>> tf = read_table_file(read_model()["events"], data_dir() / "events.csv", "data/events.csv")
        >>> p = tf.problem(0, "title", "x", REQUIRED, "is a demonstration")
        >>> p.as_text()
        "data/events.csv:2: title: 'x' is a demonstration (rule: required)"
        >>> p.table, p.key == (tf.frame["event_id"].iloc[0],)
        ('events', True)
        """
        line = None if position is None else self.line_of(position)
        return Problem(self.display, line, column, None if value is None else str(value), rule, message, hint,
                       table=self.table.name, key=None if position is None else self.key_of(position))

    def key_of(self, position: int) -> tuple[str, ...] | None:
        """The primary key's values of the row at ``position`` (``None`` when a key column is missing or empty).

        Examples
        --------
        >>> from eastasia_data.curation.schemas import read_model
        >>> from eastasia_data.paths import data_dir
        >>> tf = read_table_file(read_model()["event_actors"], data_dir() / "event_actors.csv", "data/event_actors.csv")
        >>> len(tf.key_of(0))
        3
        """
        key = self.table.primary_key
        if self.frame is None or not key or not set(key) <= set(self.frame.columns):
            return None
        if self._fixed:  # the frame does not change meanwhile: its key columns are taken once, not per problem
            if self._keys is None:
                from eastasia_data.curation.checks.kernels import text_array

                self._keys = [text_array(self.frame[k]) for k in key]
            values = tuple(v for column in self._keys if isinstance(v := column[position].as_py(), str))
        else:
            values = tuple(v for k in key if isinstance(v := self.frame[k].iat[position], str))
        return values if len(values) == len(key) else None


@contextmanager
def fixed_keys(files):
    """Within the block the tables' frames are not changed, so a problem reads its row's key from columns taken once.

    ``validate`` runs its checks inside it: a problem names its row by key, and at 1% of a
    million rows broken, reading each key through pandas cost a second.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> with fixed_keys(files.values()):
    ...     files["claims"].key_of(0) == (files["claims"].frame["claim_id"].iat[0],)
    True
    """
    files = list(files)
    for tf in files:
        tf._fixed = True
    try:
        yield
    finally:
        for tf in files:
            tf._fixed, tf._keys = False, None


def _decode(data: bytes, display: str, problems: list[Problem], index: LineIndex) -> str:
    """Decode UTF-8 in one pass, reporting each line that holds invalid bytes; U+FFFD replaces them."""
    text, bad = decode_utf8(data)
    reported: set[int] = set()
    for offset in bad:
        line = index.line_of(offset)
        if line not in reported:
            reported.add(line)
            problems.append(
                Problem(display, line, None, data[offset: offset + 4].hex(" "), ENCODING,
                        f"holds bytes that are not UTF-8 (at byte {offset})", "save the file as UTF-8")
            )
    return text


def _check_bytes(data: bytes, display: str) -> tuple[bytes, LineIndex, list[Problem]]:
    problems: list[Problem] = []
    if data.startswith(BOM):
        problems.append(Problem(display, 1, None, None, BYTE_ORDER_MARK, "starts with a UTF-8 byte-order mark",
                                "save as UTF-8 without BOM, or " + FMT_HINT))
        data = data[len(BOM):]
    index = LineIndex(data)
    if b"\x00" in data:
        nul = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
        for line in sorted({index.line_of(int(i)) for i in nul[:1000]}):
            problems.append(Problem(display, line, None, None, ENCODING, "holds a NUL byte",
                                    "remove the NUL bytes; the file may not be text"))
        data = data.replace(b"\x00", b"")
        index = LineIndex(data)
    if b"\r" in data:
        problems.append(Problem(display, index.line_of(data.index(b"\r")), None, None, LINE_ENDS,
                                "uses CR or CRLF line ends; the canonical form is LF", FMT_HINT))
    return data, index, problems


#: A quoted value as RFC 4180 has it: it opens at the start of a field, doubles every quote inside,
#: and closes just before a comma, a line end or the end of the file. Possessive, so linear.
_QUOTED = re.compile(rb'"(?<![^,\r\n]")[^"]*+(?:""[^"]*+)*+"(?=[,\r\n]|\Z)')
#: How many stray quotes a file reports before it stops counting.
_STRAY_LIMIT = 20


#: Bytes that may stand just before a quote that opens a value, or just after one that closes it.
_SEPARATOR_BYTES = np.array([0x2C, 0x0A, 0x0D], dtype=np.uint8)


def _quotes_well_formed(data: bytes, quotes: np.ndarray) -> bool:
    """Whether every quote of ``data`` (at the offsets ``quotes``) is part of a value :data:`_QUOTED` matches.

    Counted from the start of the file, the quotes alternate between entering and leaving a
    quoted value. Every quote that enters one must open a value (at the start of the file or
    after a comma or a line end) or be the second of a doubled quote; every quote that leaves
    one must close a value (before a comma, a line end or the end of the file) or be the first
    of a doubled quote; and the last one must leave. That is the regex's language, decided in
    a few vectorised passes over the quotes' offsets rather than a scan of every byte.

    Examples
    --------
    >>> def check(raw):
    ...     return _quotes_well_formed(raw, np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == 0x22))
    >>> check(b'a,"b, c",d\\n"a ""b"" c",""\\n'), check(b'a,Korean War",d\\n'), check(b'a,"open\\n')
    (True, False, False)
    """
    if len(quotes) % 2:
        return False
    buf = np.frombuffer(data, dtype=np.uint8)
    entering, leaving = quotes[0::2], quotes[1::2]
    # Entering: the file's start, a separator before it, or the quote just before it (a doubled quote).
    before = buf[np.maximum(entering - 1, 0)]
    doubled_in = np.zeros(len(entering), dtype=bool)
    doubled_in[1:] = entering[1:] - 1 == leaving[:-1]
    if not np.all((entering == 0) | np.isin(before, _SEPARATOR_BYTES) | doubled_in):
        return False
    # Leaving: the file's end, a separator after it, or the quote just after it (a doubled quote).
    after = buf[np.minimum(leaving + 1, len(buf) - 1)]
    doubled_out = np.zeros(len(leaving), dtype=bool)
    doubled_out[:-1] = leaving[:-1] + 1 == entering[1:]
    return bool(np.all((leaving == len(buf) - 1) | np.isin(after, _SEPARATOR_BYTES) | doubled_out))


def _check_quotes(data: bytes, display: str, index: LineIndex) -> list[Problem]:
    """Report every double quote that is not part of a well-formed quoted value, one problem per line.

    A quote inside an unquoted value (``Korean War"``, ``Korean ""War``), text after a closing
    quote and a quote that never closes are all outside RFC 4180; pyarrow and Python's csv
    module would quietly keep them as part of the value.
    """
    if b'"' not in data:
        return []
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x22)
    if _quotes_well_formed(data, quotes):  # the common case, decided without the regex engine
        return []
    spans = np.array([m.span() for m in _QUOTED.finditer(data)], dtype=np.int64).reshape(-1, 2)
    if len(spans):
        at = np.searchsorted(spans[:, 0], quotes, side="right") - 1
        covered = (at >= 0) & (quotes < spans[np.maximum(at, 0), 1])
    else:
        covered = np.zeros(len(quotes), dtype=bool)
    problems: list[Problem] = []
    seen: set[int] = set()
    for q in quotes[~covered]:
        line = index.line_of(int(q))
        if line in seen:
            continue
        seen.add(line)
        around = data[max(0, q - 20): q + 21].decode("utf-8", errors="replace").splitlines()
        problems.append(Problem(display, line, None, " ".join(around), CSV_SYNTAX,
                                "has a double quote in the middle of a value (RFC 4180 allows one only to open or close a quoted value)",
                                'quote the whole value and double every quote inside it: "say ""hi"""'))
        if len(problems) >= _STRAY_LIMIT:
            break
    return problems


#: Separators a spreadsheet may save instead of the comma, by name.
_SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _check_header(table: Table, header: list[str], display: str) -> list[Problem]:
    expected = list(table.field_names)
    if header == expected:
        return []
    if len(header) == 1:  # one column: perhaps the whole header, joined by another separator
        for sep, name in _SEPARATORS.items():
            parts = header[0].split(sep)
            if len(parts) > 1 and len(set(parts) & set(expected)) >= max(1, len(expected) // 2):
                return [Problem(display, 1, None, None, DELIMITER, f"separates its values with {name}, not commas",
                                "save it as comma-separated values (CSV UTF-8), or restore it with git and edit it "
                                "in a text editor")]
    problems = []

    def add(column, message, hint, rule=HEADER):
        problems.append(Problem(display, 1, column, None, rule, message, hint))

    seen: set[str] = set()
    for name in header:
        if name in seen:
            add(name, "column appears more than once in the header", "keep one column of each name")
        seen.add(name)
    missing = [n for n in expected if n not in seen]
    unexpected = [n for n in dict.fromkeys(header) if n not in expected]
    for name in unexpected:
        close = difflib.get_close_matches(name, missing, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"the schema's columns are: {', '.join(expected)}"
        add(name, "is not a column of this table", hint)
    for name in missing:
        if table.field(name).required:
            add(name, "column is missing from the header",
                f"add it (schemas/{table.name}.yaml lists the columns in order)")
        else:
            add(name, "optional column is missing from the header",
                f"run `eastasia-data fmt` to add it empty, or add it (schemas/{table.name}.yaml lists the columns)",
                MISSING_OPTIONAL_COLUMN)
    if not missing and not unexpected and len(header) == len(expected):
        add(None, "columns are out of order", "put them in the schema's order: " + ", ".join(expected), COLUMN_ORDER)
    return problems


def _fast_parse(data: bytes, header: list[str]) -> pd.DataFrame | None:
    """pyarrow's reader, for well-formed files; None when the file needs the careful path."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    bad: list = []

    def on_invalid(row):
        bad.append(row)
        return "skip"

    if len(set(header)) != len(header):
        return None
    # Blocks of 4 MiB, or of the file's size rounded up when smaller: a first block of 4 MiB
    # costs about 10 ms to allocate, more than parsing all the real data's files together.
    block = min(1 << 22, max(1 << 16, 1 << len(data).bit_length()))
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            # On the calling thread: with pyarrow's thread pool, about one process in 80 on a loaded
            # machine aborted at exit ("terminate called without an active exception", arrow#34314).
            read_options=pacsv.ReadOptions(use_threads=False, block_size=block),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.large_string() for name in header},  # what pandas holds: no cast
                null_values=[""],  # an empty cell is missing, as on the careful path
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if bad or table.column_names != header:
        return None
    return table.to_pandas()


def _careful_parse(text: str, display: str, width: int, problems: list[Problem],
                   table: Table | None = None, header: list[str] | None = None) -> tuple[list[list[str]], list[int]]:
    """Python's csv module, strict: every ragged row and the first quoting error, with physical lines.

    A row that is not taken is still named by its table and key (its key cells, read as far as
    they go), so that the rows referring to it can be traced to it.
    """
    key = table.primary_key if table is not None else ()
    positions = tuple(header.index(k) for k in key) if header and key and set(key) <= set(header) else None
    with _large_fields():
        return _careful_rows(text, display, width, problems, table.name if table is not None else None, positions)


@contextmanager
def _large_fields():
    """Let the csv module read cells of any size: a multi-megabyte cell is a cell-size problem, not a syntax error."""
    limit = csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def _key_cells(cells: list[str], positions: tuple[int, ...] | None) -> tuple[str, ...] | None:
    if positions is None or not all(p < len(cells) for p in positions):
        return None
    return tuple(cells[p] for p in positions)


def _line_cells(text: str, line: int) -> list[str]:
    """The cells of the physical line ``line`` of ``text``, read on their own (a row the reader could not take)."""
    physical = text.split("\n", line)[line - 1] if line >= 1 else ""
    try:
        return next(csv.reader(io.StringIO(physical)), [])
    except csv.Error:
        return []


def _careful_rows(text: str, display: str, width: int, problems: list[Problem], table: str | None = None,
                  positions: tuple[int, ...] | None = None) -> tuple[list[list[str]], list[int]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    blanks: list[int] = []  # blank lines not yet followed by a row
    try:
        next(reader)  # header, checked separately
        start = reader.line_num + 1
        for row in reader:
            if not row:
                blanks.append(start)
                start = reader.line_num + 1
                continue
            for line in blanks:
                problems.append(Problem(display, line, None, None, CSV_SYNTAX, "is a blank line", "delete the blank line",
                                        table=table))
            blanks = []
            if len(row) != width:
                problems.append(Problem(display, start, None, None, ROW_WIDTH,
                                        f"has {len(row)} fields; the header has {width}",
                                        "check for a missing or extra comma, or an unquoted comma inside a value",
                                        table=table, key=_key_cells(row, positions)))
            else:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.append(Problem(display, start, None, None, CSV_SYNTAX,
                                f"cannot be parsed as CSV ({exc}); rows from here on were not checked",
                                "look for an unbalanced double quote: quote a whole value and double any quote inside it",
                                table=table, key=_key_cells(_line_cells(text, start), positions)))
        blanks = []
    for line in blanks:  # blank lines at the end: an editor's artefact that fmt removes
        problems.append(Problem(display, line, None, None, TRAILING_BLANK_LINE, "is a blank line at the end of the file",
                                FMT_HINT, table=table))
    return rows, lines


def read_table_file(table: Table, path: Path, display: str, *, limit: int = MAX_TABLE_BYTES) -> TableFile:
    """Read ``path`` as the CSV of ``table``; never raises on bad content.

    Parameters
    ----------
    table : Table
        The table the file should hold.
    path : pathlib.Path
        The CSV file.
    display : str
        How messages name the file (e.g. ``data/events.csv``).
    limit : int, optional
        The size cap in bytes (default :data:`eastasia_data.files.MAX_TABLE_BYTES`); a larger
        file is reported (rule ``file-size``) and not read. ``path`` and ``data/`` must not be
        symbolic links (rule ``symlink``).

    Returns
    -------
    TableFile
        The rows as text (empty cells missing), the physical line of each row, and the
        problems of the file itself (encoding, line ends, quoting, width, header).

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> from eastasia_data.paths import data_dir
    >>> tf = read_table_file(read_model()["events"], data_dir() / "events.csv", "data/events.csv")
    >>> tf.problems, tf.frame.columns[0]
    ([], 'event_id')
    >>> [p.rule for p in read_table_file(read_model()["events"], data_dir() / "nope.csv", "nope.csv").problems]
    ['file']
    """
    result = TableFile(table=table, display=display)
    root = path.parent.parent
    link = symlink_on_the_way(path, root)
    if link is not None:
        where = "is a symbolic link" if link == path else f"lies in {link.name}/, a symbolic link"
        result.problems.append(Problem(display, None, None, None, SYMLINK,
                                       f"{where}; links under data/ are not followed",
                                       "replace the link by the file itself"))
        return result
    if not path.exists():
        result.problems.append(Problem(display, None, None, None, FILE, "is missing",
                                       f"create it with the header: {','.join(table.field_names)}"))
        return result
    try:
        data = read_bytes(path, root=root, limit=limit)
    except UnsafeFileError as exc:
        too_big = exc.reason == "too-big"
        result.problems.append(Problem(display, None, None, None, FILE_SIZE if too_big else FILE,
                                       str(exc).removeprefix(str(path)).lstrip(" ,;"),
                                       "split or shorten the table" if too_big else "make it a plain file"))
        return result
    if not data or data.isspace():  # (strip() would copy the whole file)
        result.problems.append(Problem(display, None, None, None, HEADER, "is empty; a CSV needs at least its header",
                                       f"start it with the header: {','.join(table.field_names)}"))
        return result
    data, index, problems = _check_bytes(data, display)
    result.problems.extend(problems)
    # Valid UTF-8 (the rule) is not decoded whole: the header and any row the checks below need
    # are decoded as they are read. Bytes that are not UTF-8 are decoded at once, each one noted.
    text = None if is_utf8(data) else _decode(data, display, result.problems, index)
    try:
        with _large_fields():
            stream = io.StringIO(text, newline="") if text is not None else io.TextIOWrapper(
                io.BytesIO(data), encoding="utf-8", newline="")
            header = next(csv.reader(stream))
    except (csv.Error, StopIteration) as exc:
        result.problems.append(Problem(display, 1, None, None, CSV_SYNTAX, f"header cannot be parsed ({exc})",
                                       f"the header is: {','.join(table.field_names)}"))
        return result
    result.header = header
    result.problems.extend(_check_header(table, header, display))
    result.problems.extend(_check_quotes(data, display, index))
    if not _has_rows(data if text is None else text) and not table.empty_allowed:
        result.problems.append(Problem(display, None, None, None, NO_ROWS, "has a header but no rows",
                                       f"add the table's rows, or restore the file from git (`git checkout {display}`)"))

    clean = all(p.rule in _PARSES for p in result.problems)
    # clean implies the bytes decoded without error, so they are the text's UTF-8 already
    frame = None
    if clean:
        newlines = data.count(b"\n") - data.endswith(b"\n")
        del text  # not held while pyarrow parses: the text of a large file is twice its bytes
        frame = _fast_parse(data, header)
        text = data.decode("utf-8") if frame is None or newlines != len(frame) else ""
        if frame is not None:
            # One record per line exactly when the newlines (bar a final one) number the rows.
            if newlines == len(frame):
                lines = np.arange(2, len(frame) + 2, dtype=np.int64)
            else:
                frame = None  # quoted newlines or blank lines: count lines the careful way
    if frame is None:
        if text is None:
            text = data.decode("utf-8")
        width = len(header)
        rows, line_list = _careful_parse(text, display, width, result.problems, table, header)
        names = header if len(set(header)) == len(header) else [f"{h}#{i}" for i, h in enumerate(header)]
        columns = list(zip(*rows)) if rows else [() for _ in names]
        frame = pd.DataFrame({n: pd.array(list(c), dtype="str") for n, c in zip(names, columns)})
        lines = np.asarray(line_list, dtype=np.int64)
        frame = frame.astype("str")
        for name in frame.columns:
            col = frame[name]
            frame[name] = col.mask(col == "")
    result.frame = frame
    result.lines = lines
    return result
