"""Hygiene of text cells: NFC, no control or invisible characters, no stray whitespace, no formulas.

Checked on every non-empty text cell, vectorised; only cells with non-ASCII
characters are tested for NFC.
"""

from __future__ import annotations

from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile

#: Longest cell accepted, in characters; far above any real excerpt or summary.
MAX_CELL = 10_000

CONTROL = r"[\x00-\x1f\x7f-\x9f]"
# The patterns below hold the characters themselves, not \u escapes, and spell out Unicode
# whitespace instead of \s: pandas then runs them in pyarrow (RE2) rather than falling back to
# Python's re one cell at a time, which made this layer the slowest on large tables.
#: Characters that show nothing (or nearly nothing) and can hide a difference: the soft hyphen, the
#: combining grapheme joiner, the Arabic letter mark, Hangul and Khmer fillers, Mongolian
#: selectors, zero-width characters and joiners, direction marks, embeddings, overrides and
#: isolates ("Trojan Source"), invisible operators, variation selectors, the byte-order mark and
#: tag characters. The one set shared by the hygiene check and the look-alike-key check.
INVISIBLE = ("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e"
             "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]")
#: Every character for which ``str.isspace()`` is true.
SPACE = "[\t-\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"

_RULES = (
    ("control-character", lambda s: s.str.contains(CONTROL, regex=True),
     "holds a control character (newline, tab or other)", "keep a cell on one line, without tabs or control codes"),
    ("invisible-character", lambda s: s.str.contains(INVISIBLE, regex=True),
     "holds an invisible character (zero-width space, joiner, direction mark or soft hyphen)", "delete it"),
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
    >>> from eastasia_data.curation.schemas import read_model
    >>> from eastasia_data.paths import data_dir
    >>> from eastasia_data.curation.reader import read_table_file
    >>> tf = read_table_file(read_model()["events"], data_dir() / "events.csv", "data/events.csv")
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
