"""Root causes first: the foreign-key problems that follow from another problem are folded into one line.

A row that cannot be read (a missing comma makes it too short) or whose key is malformed (an
uppercase id, an id that breaks its pattern) leaves every row that refers to it dangling. Each
of those is then a ``foreign-key`` problem in another file, with a "did you mean" that points
back at the broken row: the root cause would be lost among its consequences. Here the
consequences of one root are summarised in one line per referring file, without a hint, and
listed after every root problem.

Examples
--------
>>> from eastasia_data.curation.validate import read_checkout
>>> from eastasia_data.curation.rules import FOREIGN_KEY, PATTERN
>>> files = read_checkout()
>>> root = Problem("data/events.csv", 5, "event_id", "EVT-1", PATTERN, "does not match", table="events", key=("EVT-1",))
>>> child = Problem("data/event_actors.csv", 9, "event_id", "evt-1", FOREIGN_KEY, "refers to …", "did you mean …",
...                 table="event_actors")
>>> folded = fold([root, child], files)
>>> [p.rule for p in folded], folded[1].hint
(['pattern', 'foreign-key'], '')
>>> print(folded[1].message)
1 row (line 9) refers to 'evt-1', which data/events.csv:5 does not define: a consequence of the problem reported there
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from eastasia_data.curation.checks.relations import skeleton
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import BYTE_ORDER_MARK, DATE, FOREIGN_KEY, LINE_ENDS, PATTERN, SPREADSHEET, TYPE, ids

#: Rules of a parent's row that leave the rows referring to it dangling: the row is not taken, or its key is malformed.
_LOSES_ROW = ids("loses_row")
_BREAKS_KEY = ids("breaks_key")


def fold(problems: list[Problem], files: Mapping[str, TableFile]) -> list[Problem]:
    """``problems`` with the foreign-key problems that follow from a root problem folded, roots first.

    A root is a problem of a row that was not taken (a catalogue rule with ``loses_row``) or
    whose key is malformed (``breaks_key``); the reader names each such row by its table and
    key (:attr:`Problem.key`), so no file is read again here.

    Parameters
    ----------
    problems : list of Problem
        Everything found, in report order.
    files : mapping of str to TableFile
        Every table as read (for the tables' keys and foreign keys).

    Returns
    -------
    list of Problem
        The problems that are not consequences, then one summary per (referring file, column, key).

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> lone = Problem("data/event_actors.csv", 9, "event_id", "evt-x", FOREIGN_KEY, "refers to …", "did you mean …",
    ...                table="event_actors")
    >>> fold([lone], files) == [lone]  # no root cause: nothing to fold
    True
    """
    roots: dict[str, dict[str, str]] = defaultdict(dict)  # parent table → {skeleton of a key: "file:line"}
    for p in problems:
        tf = files.get(p.table or "")
        if tf is None or p.line is None or not tf.table.primary_key:
            continue
        key = tf.table.primary_key
        where = f"{p.file}:{p.line}"
        if p.rule in _LOSES_ROW and p.key:
            roots[tf.table.name].setdefault(skeleton("|".join(p.key)), where)
        elif p.rule in _BREAKS_KEY and p.column in key and len(key) == 1 and p.value:
            roots[tf.table.name].setdefault(skeleton(p.value.strip()), where)  # a stray space is a bad key too
    if not roots:
        return problems
    kept: list[Problem] = []
    groups: dict[tuple[str, str, str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        tf = files.get(p.table or "")
        if p.rule == FOREIGN_KEY and tf is not None and p.value is not None:
            parent = next((fk.resource for fk in tf.table.foreign_keys if "+".join(fk.fields) == p.column), None)
            root = roots.get(parent or "", {}).get(skeleton(p.value.strip()))
            if root:
                groups[(p.file, p.column or "", p.value, root)].append(p)
                continue
        kept.append(p)
    for (file, column, value, root), items in groups.items():
        lines = sorted(p.line for p in items if p.line is not None)
        shown = ", ".join(map(str, lines[:10])) + (", …" if len(lines) > 10 else "")
        rows = f"{len(items)} row{'s' if len(items) != 1 else ''} (line{'s' if len(lines) != 1 else ''} {shown})"
        verb = "refer" if len(items) != 1 else "refers"
        kept.append(Problem(file, None, column, None, FOREIGN_KEY,
                            f"{rows} {verb} to {value!r}, which {root} does not define: "
                            "a consequence of the problem reported there", table=items[0].table))
    return kept


#: A date as a spreadsheet writes it back (month/day/year or day.month.year).
_SPREADSHEET_DATE = r"[0-9]{1,2}[/.][0-9]{1,2}[/.][0-9]{2,4}"


def name_spreadsheet_resaves(problems: list[Problem], files: Mapping[str, TableFile]) -> list[Problem]:
    """Add one problem naming a file that a spreadsheet re-saved, before its other problems.

    A spreadsheet that opens and saves a CSV typically adds a byte-order mark, writes CRLF
    line ends and rewrites every date in its locale's form: dozens of problems whose common
    cause is one save. Their lines stay (each date's hint shows its ISO form); this names the cause.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> files["events"].frame.loc[0, "start_date"] = "6/25/1950"
    >>> bom = Problem("data/events.csv", 1, None, None, BYTE_ORDER_MARK, "starts with a UTF-8 byte-order mark")
    >>> named = name_spreadsheet_resaves([bom], files)
    >>> named[0].rule, named[0].line
    ('spreadsheet', None)
    """
    by_display = {tf.display: tf for tf in files.values()}
    marks = defaultdict(set)
    for p in problems:
        if p.rule in (BYTE_ORDER_MARK, LINE_ENDS):
            marks[p.file].add(p.rule)
    out = []
    for file, seen in sorted(marks.items()):
        tf = by_display.get(file)
        if tf is None or tf.frame is None:
            continue
        dates = 0
        for f in tf.table.fields:
            if f.kind in ("date", "partial_date") and f.name in tf.frame.columns:
                dates += int(tf.frame[f.name].str.fullmatch(_SPREADSHEET_DATE).fillna(False).astype(bool).sum())
        if not dates:
            continue
        signs = [s for s in ("a byte-order mark" if BYTE_ORDER_MARK in seen else "",
                             "CR or CRLF line ends" if LINE_ENDS in seen else "",
                             f"{dates} date{'s' if dates != 1 else ''} rewritten in a spreadsheet's form") if s]
        out.append(Problem(file, None, None, None, SPREADSHEET,
                           "looks opened and saved by a spreadsheet: " + ", ".join(signs),
                           f"restore it with `git checkout -- {file}` and make the change in a text editor; or run "
                           "`eastasia-data fmt` and write each date back in the ISO form its line below shows"))
    return out + problems


#: A date written with slashes, day and month in either order: its two numbers and year.
_SLASHED = r"\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{2,4})\s*"


def settle_ambiguous_dates(problems: list[Problem], files: Mapping[str, TableFile]) -> list[Problem]:
    """Give a date that reads either way (``6/7/1961``) the one reading its file's other dates settle.

    When some slashed date of the same file can only be day first (``25/6/1950``) and none can
    only be month first, or the reverse, an ambiguous date's hint gives that reading alone.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> files["events"].frame.loc[0, "start_date"] = "25/6/1950"
    >>> p = Problem("data/events.csv", 3, "start_date", "6/7/1961", PATTERN, "does not match", "either reading")
    >>> settle_ambiguous_dates([p], files)[0].hint
    'write it as 1961-07-06 (ISO 8601: YYYY-MM-DD): the file writes the day first, as in 25/6/1950'
    """
    import re
    from dataclasses import replace

    from eastasia_data.dates import iso_forms

    by_display = {tf.display: tf for tf in files.values()}
    settled: dict[str, tuple[int, str] | None] = {}

    def convention(file: str) -> tuple[int, str] | None:
        """(index of the reading in iso_forms' order, an example) for the file, or None if unsettled."""
        if file not in settled:
            tf = by_display.get(file)
            day_first, month_first = [], []
            if tf is not None and tf.frame is not None:
                for f in tf.table.fields:
                    if f.kind in ("date", "partial_date") and f.name in tf.frame.columns:
                        for value in tf.frame[f.name].dropna():
                            m = re.fullmatch(_SLASHED, str(value))
                            if m and int(m.group(1)) > 12 >= int(m.group(2)):
                                day_first.append(str(value).strip())
                            elif m and int(m.group(2)) > 12 >= int(m.group(1)):
                                month_first.append(str(value).strip())
            settled[file] = ((1, day_first[0]) if day_first and not month_first else
                             (0, month_first[0]) if month_first and not day_first else None)
        return settled[file]

    out = []
    for p in problems:
        forms = iso_forms(p.value) if p.value and p.rule in (PATTERN, TYPE, DATE) else []
        found = convention(p.file) if len(forms) == 2 and re.fullmatch(_SLASHED, p.value or "") else None
        if found is not None:
            index, example = found
            order = "the day first" if index == 1 else "the month first"
            p = replace(p, hint=f"write it as {forms[index]} (ISO 8601: YYYY-MM-DD): the file writes {order}, "
                                f"as in {example}")
        out.append(p)
    return out
