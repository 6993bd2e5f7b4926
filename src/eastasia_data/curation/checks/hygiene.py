"""Hygiene of text: NFC, no control or invisible characters, no stray whitespace, no formulas, no deceptive text.

The rules of data cells (:func:`check_hygiene`) and of the schema files' own text
(:func:`text_problems`, run by :mod:`eastasia_data.curation.schemas`).

Checked on every non-empty text cell of every table at once: the columns' Arrow data
are taken as one array of chunks (no copy), the few suspect cells are picked out, and
only those are tested rule by rule with Arrow's compute kernels (RE2). A cell of ASCII
characters only is suspect by its bytes (a control byte, what it starts or ends with),
scanned with NumPy; any other cell by one regular expression of every rule. Compiling
the class of invisible characters costs about half a millisecond, so it is compiled
once per validation rather than once per column. Only cells with non-ASCII characters
are tested for NFC.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data.curation import rules
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile

#: Longest cell accepted, in characters; far above any real excerpt or summary.
MAX_CELL = 10_000

#: C0 and C1 controls, and the line and paragraph separators (U+2028, U+2029), which JavaScript,
#: JSON-in-HTML and many editors read as line breaks.
CONTROL = r"[\x00-\x1f\x7f-\x9f" + "\u2028\u2029]"
#: Letters of two of the look-alike scripts (Latin, Cyrillic, Greek) inside one word, a word being a
#: run of letters and marks: ``Mоscow`` with a Cyrillic ``о``. Names in Cyrillic, Hangul, Han or Kana
#: are words of their own and pass; so do Hangul, Han or Kana next to Latin (``K팝``), which no reader
#: takes for one another.
MIXED_SCRIPT = ("\\p{Latin}[\\p{L}\\p{M}]*[\\p{Cyrillic}\\p{Greek}]|[\\p{Cyrillic}\\p{Greek}][\\p{L}\\p{M}]*\\p{Latin}"
                "|\\p{Cyrillic}[\\p{L}\\p{M}]*\\p{Greek}|\\p{Greek}[\\p{L}\\p{M}]*\\p{Cyrillic}")
#: Most combining marks a letter may carry in a row (Vietnamese needs two; NFC composes most).
MAX_MARKS = 2
#: A stack of more than :data:`MAX_MARKS` non-spacing or enclosing marks (the "Zalgo" text that
#: spills over the lines around it).
MARK_STACK = f"[\\p{{Mn}}\\p{{Me}}]{{{MAX_MARKS + 1},}}"
# The patterns below hold the characters themselves, not \u escapes, and spell out Unicode
# whitespace instead of \s, so that RE2 (Arrow's engine) and Python's re read them alike.
#: Characters that show nothing, or may show nothing, and so can hide a difference. Decided by
#: Unicode category (Python's ``unicodedata``): every format character (Cf: zero-width characters,
#: joiners, direction marks, embeddings, overrides and the isolates of "Trojan Source", U+061C, the
#: byte-order mark, tag characters), every private-use (Co) and unassigned (Cn)
#: code point (noncharacters among them), plus the marks and fillers that render as nothing though
#: their category says otherwise. (Surrogates, Cs, cannot occur: text is decoded with replacement.)
_SHOW_NOTHING = (
    [0x034F]  # combining grapheme joiner (Mn)
    + list(range(0x180B, 0x1810))  # Mongolian free variation selectors and vowel separator
    + list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0))  # variation selectors (Mn)
    + [0x115F, 0x1160, 0x3164, 0xFFA0, 0x17B4, 0x17B5, 0x2800]  # Hangul and Khmer fillers, braille blank
    + [0x00AD]  # soft hyphen (Cf, listed for clarity)
)


def invisible_ranges() -> list[tuple[int, int]]:
    """The invisible code points as ranges (first, last), computed from this Python's Unicode database.

    Walks all 1,114,112 code points (about a quarter of a second); :data:`INVISIBLE`
    reads the stored result instead when it was made with the same Unicode version.

    Examples
    --------
    >>> (0x200B, 0x200F) in invisible_ranges()  # zero-width space to right-to-left mark
    True
    """
    extra = set(_SHOW_NOTHING)
    ranges: list[tuple[int, int]] = []
    for cp in range(0x110000):
        if cp in extra or unicodedata.category(chr(cp)) in ("Cf", "Co", "Cn"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return ranges


#: The ranges as computed, stored with the Unicode version they were computed with
#: (a generated file: ``eastasia-data generate`` rewrites it).
INVISIBLE_FILE = Path(__file__).with_name("invisible.json")


def render_invisible() -> str:
    """The content of :data:`INVISIBLE_FILE`, from this Python's Unicode database.

    A Python with another Unicode version than the stored file's leaves the file as it is
    (it computes its own ranges when it validates), so ``generate --check`` gives the same
    answer on every supported Python.

    Examples
    --------
    >>> json.loads(render_invisible())["ranges"][0]  # the soft hyphen
    [173, 173]
    """
    try:
        stored = INVISIBLE_FILE.read_text(encoding="utf-8")
        if json.loads(stored).get("unicode") not in (None, unicodedata.unidata_version):
            return stored
    except (OSError, ValueError):
        pass
    ranges = [list(r) for r in invisible_ranges()]
    return json.dumps({"unicode": unicodedata.unidata_version, "ranges": ranges}, separators=(",", ":")) + "\n"


def _stored_ranges() -> list[tuple[int, int]]:
    try:
        stored = json.loads(INVISIBLE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return invisible_ranges()
    if stored.get("unicode") != unicodedata.unidata_version:
        return invisible_ranges()  # another Python: its own Unicode database decides
    return [(a, b) for a, b in stored["ranges"]]


def _invisible_class(ranges: list[tuple[int, int]]) -> str:
    """One regular-expression class holding every invisible code point, as ranges of the characters themselves."""
    esc = lambda c: re.escape(chr(c))  # noqa: E731
    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges) + "]"


#: The one set shared by the hygiene check and the look-alike-key check.
INVISIBLE = _invisible_class(_stored_ranges())
#: Every character for which ``str.isspace()`` is true.
SPACE = "[\t-\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
#: A cell that starts or ends with whitespace (what ``str.strip`` removes), in RE2: ``\z`` is the end
#: of the text, where ``$`` would also match before a final newline. ``fmt`` trims what this finds.
PADDED = f"^{SPACE}|{SPACE}\\z"

#: Each rule: its id, an RE2 pattern that finds a breaking cell (``None``: the size rule), the
#: message and the hint.
_RULES = (
    (rules.CONTROL_CHARACTER, CONTROL,
     "holds a control character (newline, tab or other)", "keep a cell on one line, without tabs or control codes"),
    (rules.INVISIBLE_CHARACTER, INVISIBLE,
     "holds an invisible or unassigned character (zero-width, joiner, direction mark or isolate, soft hyphen, variation selector, tag, private-use or unassigned code point)", "delete it"),
    (rules.WHITESPACE, PADDED,
     "has leading or trailing whitespace", "trim the cell"),
    (rules.FORMULA, r"^[=+\-@]",
     "starts with =, +, - or @, which a spreadsheet would run as a formula", "reword the cell so it starts otherwise"),
    (rules.WORKFLOW_COMMAND, "^::",
     "starts with ::, which a CI runner (GitHub Actions) reads as a workflow command when it starts a line of the log",
     "reword the cell so it starts otherwise"),
    (rules.MIXED_SCRIPT, MIXED_SCRIPT,
     "mixes letters of different scripts (Latin, Cyrillic, Greek) inside one word, which a reader takes for another word",
     "retype the word in one script"),
    (rules.COMBINING_MARKS, MARK_STACK,
     f"stacks more than {MAX_MARKS} combining marks on one letter", "delete the extra marks"),
    (rules.CELL_SIZE, None,
     f"is longer than {MAX_CELL:,} characters", "shorten it: an excerpt is a sentence or two"),
)

#: The rules only characters beyond ASCII can break: invisible characters, mixed scripts, stacked marks.
_BEYOND_ASCII = (rules.INVISIBLE_CHARACTER, rules.MIXED_SCRIPT, rules.COMBINING_MARKS)

#: Any cell that one of the rules above could flag, but for its size.
_SUSPECT = "|".join(pattern for _, pattern, _, _ in _RULES if pattern)


def text_fields(tf: TableFile) -> list[str]:
    """The columns of one table that hygiene checks: every text column but those held to a list of values.

    A value on the list is schema text, which the schema reader holds to the same rules; one
    off the list is already reported there. A ``pattern`` does not switch hygiene off: a
    pattern such as ``.+`` or ``[^,]*`` lets any character through.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> fields = text_fields(read_checkout()["events"])
    >>> "summary" in fields, "event_id" in fields, "category" in fields  # free text; a pattern too; a list of values
    (True, True, False)
    """
    if tf.frame is None or tf.frame.empty:
        return []
    return [f.name for f in tf.table.fields
            if f.type == "string" and not f.categories and f.name in tf.frame.columns]


def _columns(files: Mapping[str, TableFile]):
    """The text cells of every table as one Arrow array of chunks, and where its cells came from.

    Returns (cells, columns): ``columns`` lists, for each column, its table, name and number
    of rows, in the order of ``cells``. The chunks are the columns' own Arrow data, empty
    cells (nulls) and all: nothing is copied, and one array means each kernel, and each
    pattern's compilation, runs once per validation. No rule flags an empty cell.
    """
    chunks: list[pa.Array] = []
    columns: list[tuple[TableFile, str, int]] = []
    for tf in files.values():
        for name in text_fields(tf):
            values = pa.array(tf.frame[name], type=pa.large_string(), from_pandas=True)  # type: ignore[index]
            chunks += values.chunks if isinstance(values, pa.ChunkedArray) else [values]
            columns.append((tf, name, len(values)))
    return pa.chunked_array(chunks, type=pa.large_string()), columns


def check_hygiene(files: Mapping[str, TableFile]) -> list[Problem]:
    """Check every text cell: control and invisible characters, stray whitespace, formulas, size, NFC.

    Parameters
    ----------
    files : mapping of str to TableFile
        The tables as read, by name.

    Returns
    -------
    list of Problem
        In the order of the tables, then columns, then rules, then rows.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> files["events"].frame.loc[0, "title"] = "=1+1"
    >>> [p.rule for p in check_hygiene(files)]
    ['formula']
    """
    cells, columns = _columns(files)
    return _check_cells(cells, columns)


def _byte_table(characters: str) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in characters]] = True
    return table


#: The ASCII characters :data:`SPACE` holds.
_ASCII_SPACE = "".join(chr(c) for c in range(128) if re.fullmatch(SPACE, chr(c)))
#: First bytes of an ASCII cell a rule may flag: white space (padded), ``=+-@`` (formula), ``:`` (``::``).
_ASCII_START = _byte_table(_ASCII_SPACE + "=+-@:")
#: Last bytes of an ASCII cell a rule may flag: white space (padded).
_ASCII_END = _byte_table(_ASCII_SPACE)
#: The ASCII control characters (C0 and DEL), which :data:`CONTROL` holds.
_CONTROL_BYTES = _byte_table("".join(chr(c) for c in range(128) if re.fullmatch(CONTROL, chr(c))))
#: The bytes of text scanned for control characters at a time.
_SCAN_BYTES = 1 << 20


def _byte_suspects(chunk: pa.Array) -> np.ndarray:
    """Places in ``chunk`` of the cells whose ASCII characters or size could break a rule, found in its bytes.

    In a cell of ASCII characters only, a rule can be broken only by a control character
    (any byte below 0x20, or 0x7F), by what it starts with or by what it ends with; the rules
    of invisible characters, scripts and marks need characters beyond ASCII. So the cells'
    bytes are scanned once with NumPy and their first and last bytes looked up, rather than
    each cell run through the regular expressions. Cells with other characters too are
    flagged here or not, and are tested in full by :func:`_hits` either way. A cell of more
    bytes than :data:`MAX_CELL` is flagged for its size, which counts characters (never
    more than the bytes).
    """
    n = len(chunk)
    if not n:
        return np.zeros(0, dtype=np.int64)
    _, offsets_buffer, data_buffer = chunk.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[chunk.offset: chunk.offset + n + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, dtype=np.uint8)
    sizes = np.diff(offsets)
    filled = sizes > 0
    if chunk.null_count:
        filled &= chunk.is_valid().to_numpy(zero_copy_only=False)
    starts, ends = offsets[:-1][filled], offsets[1:][filled] - 1
    flagged = sizes > MAX_CELL  # more bytes than the most characters a cell may have: perhaps too long
    flagged[filled] |= _ASCII_START[data[starts]] | _ASCII_END[data[ends]]
    for start in range(int(offsets[0]), int(offsets[-1]), _SCAN_BYTES):  # in blocks: no mask as large as the text
        block = data[start: min(start + _SCAN_BYTES, int(offsets[-1]))]
        controls = np.flatnonzero(_CONTROL_BYTES[block]) + start
        if len(controls):
            flagged[np.searchsorted(offsets, controls, side="right") - 1] = True
    return np.flatnonzero(flagged & filled)


def _take(cells: pa.ChunkedArray, places: np.ndarray) -> pa.Array:
    """The cells at ``places`` (ascending), taken chunk by chunk: Arrow's ``take`` on chunks would join them first."""
    bounds = np.cumsum([0] + [len(chunk) for chunk in cells.chunks])
    which = np.searchsorted(bounds, places, side="right") - 1
    parts = [cells.chunk(c).take(pa.array(places[which == c] - bounds[c])) for c in np.unique(which)]
    return pa.concat_arrays(parts) if parts else pa.array([], type=cells.type)


def _hits(cells: pa.Array | pa.ChunkedArray) -> list[tuple[int, int]]:
    """(place in ``cells``, rule order) of every rule each cell breaks; order ``len(_RULES)`` is NFC.

    The cells that could break a rule are found first, and only those are tested rule by rule:
    a cell beyond ASCII by the pattern of every rule at once (:data:`_SUSPECT`), an ASCII cell
    and a long one by its bytes (:func:`_byte_suspects`).
    """
    found: list[tuple[int, int]] = []
    if not len(cells):
        return found
    if isinstance(cells, pa.Array):
        cells = pa.chunked_array([cells], type=cells.type)
    places, base = [], 0
    for chunk in cells.chunks:
        places.append(_byte_suspects(chunk) + base)
        base += len(chunk)
    non_ascii = np.flatnonzero(~pc.string_is_ascii(cells).fill_null(True).to_numpy(zero_copy_only=False))
    if len(non_ascii):
        few = _take(cells, non_ascii)
        places.append(non_ascii[pc.match_substring_regex(few, _SUSPECT).fill_null(False).to_numpy(zero_copy_only=False)])
    flagged = np.unique(np.concatenate(places))
    if len(flagged):
        few = _take(cells, flagged)
        beyond = np.isin(flagged, non_ascii)  # the flagged cells with characters beyond ASCII
        for order, (rule, pattern, _, _) in enumerate(_RULES):
            if rule in _BEYOND_ASCII and not beyond.any():
                continue  # no ASCII text breaks it (and its pattern is the costliest to compile)
            hit = (pc.match_substring_regex(few, pattern) if pattern else pc.greater(pc.utf8_length(few), MAX_CELL))
            found += [(int(flagged[k]), order) for k in np.flatnonzero(hit.to_numpy(zero_copy_only=False))]
    if len(non_ascii):
        few = _take(cells, non_ascii)
        changed = np.flatnonzero(pc.not_equal(pc.utf8_normalize(few, "NFC"), few).to_numpy(zero_copy_only=False))
        found += [(int(non_ascii[k]), len(_RULES)) for k in changed]
    return found


_NFC = (rules.NFC, None, "is not in Unicode NFC", "run `eastasia-data fmt`, which normalises text to NFC")


def text_problems(texts: list[str]) -> list[tuple[int, str, str, str]]:
    """The hygiene rules each text breaks, as (index in ``texts``, rule, message, hint), in order.

    The same rules, with the same engine, as the data cells get: the schema reader runs them
    on every text of a schema file (descriptions, category values and labels, rule texts).

    Examples
    --------
    >>> [(i, rule) for i, rule, _, _ in text_problems(["fine", "=1+1", "M\u043escow", "a\u2028b"])]
    [(1, 'formula'), (2, 'mixed-script'), (3, 'control-character')]
    """
    cells = pa.array(texts, type=pa.large_string())
    out: list[tuple[int, str, str, str]] = []
    for place, order in sorted(_hits(cells)):
        rule, _, message, hint = _RULES[order] if order < len(_RULES) else _NFC
        out.append((place, rule, message, hint))
    return out


def _check_cells(cells: pa.ChunkedArray, columns: list[tuple[TableFile, str, int]]) -> list[Problem]:
    """The hygiene problems of the cells :func:`_columns` gathered."""
    if not len(cells):
        return []
    starts = np.cumsum([0] + [rows for _, _, rows in columns])
    found: list[tuple[int, int, int, int]] = []  # column, rule order, row, place in cells
    hits = _hits(cells)
    if hits:
        places = np.array([p for p, _ in hits])
        column = np.searchsorted(starts, places, side="right") - 1
        found = [(int(c), order, p - int(starts[c]), p) for (p, order), c in zip(hits, column)]
    problems = []
    for c, order, position, place in sorted(found):
        tf, name, _ = columns[c]
        rule, _, message, hint = _RULES[order] if order < len(_RULES) else _NFC
        problems.append(tf.problem(position, name, cells[place].as_py(), rule, message, hint))
    return problems
