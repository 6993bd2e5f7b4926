"""Problems found in the data, and how they are shown to people.

A problem is a record, not an exception or a string: every check returns a list
of them, so one run reports everything, and the three renderers (text, JSON,
GitHub Actions annotations) live here and nowhere else.

Examples
--------
>>> from eastasia_data.curation.problems import Problem, render_text
>>> p = Problem("data/events.csv", 14, "start_date", "2019-02-30", "date",
...             "is not a calendar date", "write a real date, e.g. 2019-02-28")
>>> print(p.as_text())
data/events.csv:14: start_date: '2019-02-30' is not a calendar date (rule: date); hint: write a real date, e.g. 2019-02-28
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eastasia_data.curation.rules import CatalogRule

#: Characters that would end a line of a report (``str.splitlines`` breaks at all of them) or not show.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control or line-breaking character escaped, so that a report line stays one line.

    A value quoted inside a message (a source id, a file name, a category of a schema file)
    may hold a line break or another control character.

    Examples
    --------
    >>> one_line("source '\\x0c' and a\\nbreak")
    "source '\\\\x0c' and a\\\\nbreak"
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)

#: How many characters of an offending value a message shows.
VALUE_PREVIEW = 80


def preview(value: object) -> str:
    """A short, printable rendering of a cell value for a message.

    Parameters
    ----------
    value : object
        The cell value; ``None`` shows as an empty string.

    Returns
    -------
    str
        ``repr`` of the text, cut to :data:`VALUE_PREVIEW` characters with an ellipsis.

    Examples
    --------
    >>> preview("2019-02-30")
    "'2019-02-30'"
    >>> len(preview("x" * 500)) == VALUE_PREVIEW + 2
    True
    """
    text = "" if value is None else str(value)
    if len(text) > VALUE_PREVIEW:
        text = text[: VALUE_PREVIEW - 1] + "…"
    return repr(text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located as precisely as it can be.

    ``line`` is the physical line in the file (1 is the header), or ``None``
    for problems of a whole file; ``column`` is ``None`` for problems of a
    whole row or file. ``rule`` is given as the catalogue's
    :class:`~eastasia_data.curation.rules.CatalogRule` (or, for a cross-field rule
    of a schema file, its name) and kept as its id; a catalogue rule's own hint
    stands in when the check gives none. ``table`` and ``key`` say which row it
    is by its identity, the table and the primary key's values, where the row
    was read (``None`` for a problem of no row, or of a row whose key could not be read).

    Examples
    --------
    >>> from eastasia_data.curation.rules import PATTERN
    >>> p = Problem("data/events.csv", 5, "event_id", "EVT-1", PATTERN, "does not match", table="events", key=("EVT-1",))
    >>> p.rule, p.table, p.key
    ('pattern', 'events', ('EVT-1',))
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    hint: str = ""
    severity: str = field(default="error", compare=False)
    table: str | None = field(default=None, compare=False)
    key: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.rule, CatalogRule):  # keep its id, and its hint when the check gives none
            object.__setattr__(self, "hint", self.hint or self.rule.hint)
            object.__setattr__(self, "rule", self.rule.id)
        if self.key is not None:
            object.__setattr__(self, "key", tuple(self.key))

    def as_text(self) -> str:
        """The problem as one line: ``file:line: column: 'value' message (rule: …); hint: …``.

        Examples
        --------
        >>> Problem("data/actors.csv", None, None, None, "file", "is missing").as_text()
        'data/actors.csv: is missing (rule: file)'
        """
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where + ":"]
        if self.column:  # a column name comes from the file's header: show odd characters escaped
            parts.append(f"{self.column if self.column.isprintable() else repr(self.column)}:")
        if self.value is not None:
            parts.append(preview(self.value))
        parts.append(f"{self.message} (rule: {self.rule})")
        text = " ".join(parts)
        if self.hint:
            text += f"; hint: {self.hint}"
        return one_line(text)

    def as_github(self) -> str:
        """The problem as a GitHub Actions workflow command, so it shows on the pull request's diff.

        Examples
        --------
        >>> Problem("data/events.csv", 3, "title", "", "required", "is empty").as_github()
        "::error file=data/events.csv,line=3,title=required::data/events.csv:3: title: '' is empty (rule: required)"
        """
        esc = workflow_text

        def esc_prop(s: str) -> str:
            return esc(s).replace(":", "%3A").replace(",", "%2C")

        props = [f"file={esc_prop(self.file)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
        props.append(f"title={esc_prop(self.rule)}")
        kind = "error" if self.severity == "error" else "warning"
        return f"::{kind} {','.join(props)}::{esc(self.as_text())}"


def workflow_text(text: str) -> str:
    """``text`` escaped as the message of a GitHub Actions workflow command (``::notice::…``).

    Examples
    --------
    >>> workflow_text("50% done" + chr(10) + "next")
    '50%25 done%0Anext'
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def display_path(path: Path) -> str:
    """A path as a contributor would type it: relative to the working directory when inside it.

    The file itself is not resolved, so a symbolic link is named as the link, not as its target.

    Examples
    --------
    >>> display_path(Path.cwd() / "data" / "events.csv")
    'data/events.csv'
    """
    import os

    absolute = Path(os.path.abspath(path))  # normalised, no link followed
    for base in (Path.cwd(), Path.cwd().resolve()):
        try:
            return str(absolute.relative_to(base))
        except ValueError:
            pass
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def sort_key(p: Problem) -> tuple:
    """The order problems are reported in: by file, line, column, rule and value.

    Examples
    --------
    >>> a = Problem("data/b.csv", 2, "x", None, "r", "m")
    >>> b = Problem("data/a.csv", 9, "x", None, "r", "m")
    >>> [p.file for p in sorted([a, b], key=sort_key)]
    ['data/a.csv', 'data/b.csv']
    """
    return (p.file, p.line if p.line is not None else -1, p.column or "", p.rule, p.value or "")


def summary_line(problems: list[Problem], tables: int, rows: int, notes: list[str]) -> str:
    """The last line of a report: how many problems in how many files, what was checked, and notes.

    Parameters
    ----------
    problems : list of Problem
        Everything found; warnings are not counted as problems.
    tables, rows : int
        How many tables and rows were checked.
    notes : list of str
        Remarks appended after a semicolon each (e.g. a check that was skipped).

    Returns
    -------
    str
        The summary line.

    Examples
    --------
    >>> summary_line([], 9, 450, [])
    'valid: checked 9 tables, 450 rows'
    >>> summary_line([Problem("data/a.csv", 2, "x", None, "r", "m")], 9, 450, ["no archive"])
    '1 problem in 1 file: checked 9 tables, 450 rows; no archive'
    """
    errors = sum(1 for p in problems if p.severity == "error")
    files = len({p.file for p in problems if p.severity == "error"})
    head = f"{errors} problem{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}" if errors else "valid"
    text = f"{head}: checked {tables} tables, {rows} rows"
    for note in notes:
        text += f"; {note}"
    return text


def render_text(problems: list[Problem], summary: str) -> str:
    """One line per problem, then the summary.

    Examples
    --------
    >>> print(render_text([Problem("data/a.csv", 2, "x", "?", "r", "is odd")], "1 problem"))
    data/a.csv:2: x: '?' is odd (rule: r)
    1 problem
    """
    lines = [p.as_text() for p in problems]
    lines.append(summary)
    return "\n".join(lines)


def render_json(problems: list[Problem], summary: str, valid: bool, notes: list[str]) -> str:
    """The report as a JSON object: ``valid``, ``summary``, ``notes`` and ``problems`` (one object each).

    Examples
    --------
    >>> import json
    >>> report = json.loads(render_json([Problem("data/a.csv", 2, "x", "?", "r", "is odd")], "1 problem", False, []))
    >>> report["valid"], report["problems"][0]["line"]
    (False, 2)
    """
    return json.dumps(
        {"valid": valid, "summary": summary, "notes": notes, "problems": [asdict(p) for p in problems]},
        ensure_ascii=False,
        indent=2,
    )


def render_github(problems: list[Problem], summary: str) -> str:
    """One GitHub Actions annotation per problem, then the summary.

    Examples
    --------
    >>> print(render_github([], "valid"))
    valid
    """
    lines = [p.as_github() for p in problems]
    lines.append(summary)
    return "\n".join(lines)
