"""Hygiene of text cells: NFC, no control or invisible characters, no stray whitespace, no formulas.

Checked on every non-empty text cell, vectorised; only cells with non-ASCII
characters are tested for NFC.
"""

from __future__ import annotations

import re
import unicodedata

from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile

#: Longest cell accepted, in characters; far above any real excerpt or summary.
MAX_CELL = 10_000

CONTROL = r"[\x00-\x1f\x7f-\x9f]"
# The patterns below hold the characters themselves, not \u escapes, and spell out Unicode
# whitespace instead of \s: pandas then runs them in pyarrow (RE2) rather than falling back to
# Python's re one cell at a time, which made this layer the slowest on large tables.
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


def _invisible_class() -> str:
    """One regular-expression class holding every invisible code point, as ranges of the characters themselves."""
    extra = set(_SHOW_NOTHING)
    ranges: list[tuple[int, int]] = []
    for cp in range(0x110000):
        if cp in extra or unicodedata.category(chr(cp)) in ("Cf", "Co", "Cn"):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    esc = lambda c: re.escape(chr(c))  # noqa: E731
    return "[" + "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in ranges) + "]"


#: The one set shared by the hygiene check and the look-alike-key check.
INVISIBLE = _invisible_class()
#: Every character for which ``str.isspace()`` is true.
SPACE = "[\t-\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"

_RULES = (
    ("control-character", lambda s: s.str.contains(CONTROL, regex=True),
     "holds a control character (newline, tab or other)", "keep a cell on one line, without tabs or control codes"),
    ("invisible-character", lambda s: s.str.contains(INVISIBLE, regex=True),
     "holds an invisible or unassigned character (zero-width, joiner, direction mark or isolate, soft hyphen, variation selector, tag, private-use or unassigned code point)", "delete it"),
    ("whitespace", lambda s: s.str.contains(f"^{SPACE}|{SPACE}\\Z", regex=True),
     "has leading or trailing whitespace", "trim the cell"),
    ("formula", lambda s: s.str.match(r"[=+\-@]"),
     "starts with =, +, - or @, which a spreadsheet would run as a formula", "reword the cell so it starts otherwise"),
    ("cell-size", lambda s: s.str.len() > MAX_CELL,
     f"is longer than {MAX_CELL:,} characters", "shorten it: an excerpt is a sentence or two"),
)

#: Any cell that one of the rules above could flag.
_SUSPECT = f"{CONTROL}|{INVISIBLE}|^{SPACE}|{SPACE}\\Z|^[=+\\-@]"


def check_hygiene(tf: TableFile) -> list[Problem]:
    """Check every text cell: control and invisible characters, stray whitespace, formulas, size, NFC.

    Parameters
    ----------
    tf : TableFile
        One table as read.

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> from eastasia_data.curation.reader import read_checkout
    >>> tf = read_checkout()["events"]
    >>> tf.frame.loc[0, "title"] = "=1+1"
    >>> [p.rule for p in check_hygiene(tf)]
    ['formula']
    """
    frame = tf.frame
    if frame is None or frame.empty:
        return []
    problems: list[Problem] = []
    # Columns held to a pattern or a list of values are left out: a value that passes those checks
    # cannot hold these characters, and one that fails them is already reported there.
    text_fields = [f.name for f in tf.table.fields
                   if f.type == "string" and not f.pattern and not f.categories and f.name in frame.columns]
    for name in text_fields:
        values = frame[name].dropna()
        if values.empty:
            continue
        # One pass finds the few suspect cells; the rules then run on those alone.
        suspect = values[values.str.contains(_SUSPECT, regex=True) | (values.str.len() > MAX_CELL)]
        for rule, test, message, hint in _RULES:
            bad = test(suspect).fillna(False).astype(bool)
            for i in suspect.index[bad]:
                problems.append(tf.problem(int(i), name, suspect[i], rule, message, hint))
        non_ascii = values[~values.str.isascii()]
        for i in non_ascii.index[non_ascii.str.normalize("NFC") != non_ascii]:
            problems.append(tf.problem(int(i), name, non_ascii[i], "nfc", "is not in Unicode NFC",
                                       "run `eastasia-data fmt`, which normalises text to NFC"))
    return problems
