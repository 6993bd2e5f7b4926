"""How a :class:`~eastasia_data.curation.diff.Diff` is shown: plain text, Markdown (for a pull-request
comment), JSON (described by the JSON Schema ``diff.schema.json`` beside this module) and a
draft Keep a Changelog entry.

Examples
--------
>>> from eastasia_data.curation.diff import diff
>>> from eastasia_data.curation.snapshot import open_snapshot
>>> from eastasia_data.curation.diff_render import render_text
>>> from eastasia_data.releases import release_dir
>>> release = open_snapshot(release_dir())
>>> print(render_text(diff(release, release)).splitlines()[-1])
no differences
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from eastasia_data.views import row_key
from eastasia_data.curation.diff import Diff, TableRows
from eastasia_data.publish import escape

#: How many changed cells (or added/removed keys) each table lists before summarising the rest.
LIST_LIMIT = 200


def _key(key: tuple[str, ...]) -> str:
    """A row's key as shown: the id itself, or a composite key in parentheses."""
    return key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"


def _rows_list(keys: list[tuple[str, ...]], limit: int = 10) -> str:
    shown = ", ".join(escape.markdown_code(_key(k)) for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _cell(value: str) -> str:
    return repr(value) if value != "" else "(empty)"


def _heading(d: Diff) -> str:
    def side(s):
        shown = s.version and f"release {s.version} " not in f"{s.label} "  # "release 1.0.0 (...)" says it already
        return f"{s.label}" + (f" (version {s.version})" if shown else "")

    return f"{side(d.old)} → {side(d.new)}"


def _bump_line(d: Diff) -> str:
    if d.bump is None:
        return "no differences"
    kinds = sorted({c.kind for c in d.reasons(d.bump)})
    return f"required version bump: {d.bump.upper()} (because of: {', '.join(kinds)})"


Why = Callable[[str, tuple[str, ...]], "str | None"]


def reasons(d: Diff) -> Why:
    """A look-up of the reason the new side's corrections register gives for a corrected or removed row.

    The reason is each entry's ``what_was_wrong``, its evidence and its id; None when the
    register has no entry for the row (or the new side has no register).

    Examples
    --------
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> from eastasia_data.releases import release_dir
    >>> release = from_release(release_dir(), "a release")
    >>> reasons(diff(release, release))("events", ("evt-x",)) is None
    True
    """
    found: dict | None = None  # read from the register at the first row that asks (a diff without corrected rows never does)

    def why(table: str, key: tuple[str, ...]) -> str | None:
        nonlocal found
        if found is None:
            found = d.corrections()
        entries = found.get((table, row_key(key)))
        return " ".join(e.reason() for e in entries) if entries else None

    return why


def _last_of_each_key(cells: list) -> set[int]:
    """Positions of the last cell of each row among cells grouped by row."""
    return {i for i, c in enumerate(cells) if i + 1 == len(cells) or cells[i + 1].key != c.key}


def _row_lines(r: TableRows, why: Why = lambda table, key: None) -> list[str]:
    lines = []
    for k in r.added[:LIST_LIMIT]:
        lines.append(f"  + {_key(k)}")
    for k in r.removed[:LIST_LIMIT]:
        lines.append(f"  - {_key(k)}")
        if reason := why(r.table, k):
            lines.append(f"      why: {reason}")
    shown = r.cells[:LIST_LIMIT]
    last = _last_of_each_key(shown)
    for i, c in enumerate(shown):
        lines.append(f"  ~ {_key(c.key)}: {c.column}: {_cell(c.before)} → {_cell(c.after)}")
        if i in last and (reason := why(r.table, c.key)):
            lines.append(f"      why: {reason}")
    hidden = max(0, len(r.added) - LIST_LIMIT) + max(0, len(r.removed) - LIST_LIMIT) + max(0, len(r.cells) - LIST_LIMIT)
    if hidden:
        lines.append(f"  … and {hidden} more")
    return lines


def render_text(d: Diff) -> str:
    """The diff as plain text: a heading, one line per change, then the rows and cells.

    Examples
    --------
    >>> import dataclasses
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> from eastasia_data.releases import release_dir
    >>> old = from_release(release_dir(), "old")
    >>> events = old.tables["events"]
    >>> frame = events.frame.iloc[1:].copy()
    >>> frame.loc[frame.index[0], "title"] = "Renamed"
    >>> new = dataclasses.replace(old, label="new",
    ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
    >>> d = diff(old, new)
    >>> lines = render_text(d).splitlines()
    >>> lines[1], lines[-1]
    ('events:', 'required version bump: MAJOR (because of: rows removed)')
    """
    out = [_heading(d)]
    why = reasons(d)
    tables = list(dict.fromkeys(c.table for c in d.changes))
    for table in tables:
        out.append(f"{table}:")
        for c in d.changes:
            if c.table == table:
                out.append(f"  {c.kind}: {c.detail} [{c.bump}]")
        if table in d.rows and d.rows[table]:
            out += ["  " + line for line in _row_lines(d.rows[table], why)]
    out.append(_bump_line(d))
    return escape.terminal("\n".join(out), lines=True)  # keys and reasons are data: no escape sequence acts


_md = escape.markdown


def render_markdown(d: Diff) -> str:
    """The diff as Markdown, suitable for a pull-request comment.

    Examples
    --------
    >>> import dataclasses
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> from eastasia_data.releases import release_dir
    >>> old = from_release(release_dir(), "old")
    >>> events = old.tables["events"]
    >>> frame = events.frame.iloc[1:].copy()
    >>> frame.loc[frame.index[0], "title"] = "Renamed"
    >>> new = dataclasses.replace(old, label="new",
    ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
    >>> d = diff(old, new)
    >>> render_markdown(d).splitlines()[2]
    '**required version bump: MAJOR (because of: rows removed)**'
    """
    out = [f"## Data diff: {_md(_heading(d))}", "", f"**{_bump_line(d)}**"]
    why = reasons(d)
    tables = list(dict.fromkeys(c.table for c in d.changes))
    for table in tables:
        out += ["", f"### {escape.markdown_code(table)}", ""]
        for c in d.changes:
            if c.table == table:
                out.append(f"- {c.kind}: {_md(c.detail)} (**{c.bump}**)")
        r = d.rows.get(table)
        if r is None or not r:
            continue
        key = ", ".join(r.key)
        if r.added:
            out += ["", f"Rows added ({_md(key)}): " + ", ".join(escape.markdown_code(_key(k)) for k in r.added[:LIST_LIMIT])]
        if r.removed:
            out += ["", f"Rows removed ({_md(key)}): " + ", ".join(escape.markdown_code(_key(k)) for k in r.removed[:LIST_LIMIT])]
            explained = [(k, reason) for k in r.removed[:LIST_LIMIT] if (reason := why(table, k))]
            if explained:
                out += ["", "Why they were removed (corrections register):", ""]
                out += [f"- {escape.markdown_code(_key(k))}: {_md(reason)}" for k, reason in explained]
        if r.cells:
            shown = r.cells[:LIST_LIMIT]
            last = _last_of_each_key(shown)
            why_of = {i: why(table, shown[i].key) for i in last}
            if any(why_of.values()):  # a column for the register's reasons, on the last line of each row
                out += ["", f"| {_md(key)} | column | before | after | why |", "|---|---|---|---|---|"]
            else:
                out += ["", f"| {_md(key)} | column | before | after |", "|---|---|---|---|"]
            for i, cell in enumerate(shown):
                line = (f"| {escape.markdown_code(_key(cell.key), table=True)} "
                        f"| {escape.markdown_code(cell.column, table=True)} | {_md(_cell(cell.before))} "
                        f"| {_md(_cell(cell.after))} |")
                out.append(line + (f" {_md(why_of.get(i) or '')} |" if any(why_of.values()) else ""))
        if max(len(r.added), len(r.removed), len(r.cells)) > LIST_LIMIT:
            out += ["", f"_Lists cut at {LIST_LIMIT} items._"]
    return "\n".join(out) + "\n"


#: Keep a Changelog section of each kind of change.
SECTION = {
    "table added": "Added", "field appended": "Added", "rule on new fields": "Added", "rows added": "Added",
    "table removed": "Removed", "field removed": "Removed", "rows removed": "Removed",
    "values changed": "Fixed", "corrections recorded": "Fixed",
}
SECTIONS = ("Added", "Changed", "Removed", "Fixed")


def render_changelog(d: Diff, version: str | None = None, date: str | None = None) -> str:
    """A draft Keep a Changelog entry for the changes (edit the wording before committing it).

    ``version`` defaults to the new side's version; when there is none, or it is still the old
    side's version (not bumped yet), the entry is ``[Unreleased]``.

    Examples
    --------
    >>> import dataclasses
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> from eastasia_data.releases import release_dir
    >>> old = from_release(release_dir(), "old")
    >>> events = old.tables["events"]
    >>> frame = events.frame.iloc[1:].copy()
    >>> frame.loc[frame.index[0], "title"] = "Renamed"
    >>> new = dataclasses.replace(old, label="new",
    ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
    >>> d = diff(old, new)
    >>> entry = render_changelog(d)
    >>> entry.splitlines()[0], "### Removed" in entry and "### Fixed" in entry
    ('## [Unreleased]', True)
    """
    if version is None and d.new.version != d.old.version:
        version = d.new.version
    head = f"## [{version}] - {date or dt.date.today().isoformat()}" if version else "## [Unreleased]"
    sections: dict[str, list[str]] = {s: [] for s in SECTIONS}
    why = reasons(d)
    for c in d.changes:
        table = escape.markdown_code(c.table)
        if c.kind in ("rows added", "corrections recorded"):
            keys = d.rows[c.table].added
            item = f"{table}: {len(keys)} row(s): {_rows_list(keys)}."
        elif c.kind == "rows removed":
            keys = d.rows[c.table].removed
            item = f"{table}: {len(keys)} row(s): {_rows_list(keys)}."
            for k in keys[:LIST_LIMIT]:
                if reason := why(c.table, k):
                    item += f"\n  - {escape.markdown_code(_key(k))}: {_md(reason)}"
        elif c.kind == "values changed":
            r = d.rows[c.table]
            cols = _md(", ".join(sorted({x.column for x in r.cells})))
            item = f"{table}: corrected {len(r.cells)} value(s) in {len(r.changed_keys)} row(s) (columns {cols})."
            shown = r.cells[:LIST_LIMIT]
            last = _last_of_each_key(shown)
            for i, cell in enumerate(shown):
                item += (f"\n  - {escape.markdown_code(_key(cell.key))} {_md(cell.column)}: "
                         f"{_md(_cell(cell.before))} → {_md(_cell(cell.after))}")
                if i in last and (reason := why(c.table, cell.key)):
                    item += f"\n    - why: {_md(reason)}"
            if len(r.cells) > LIST_LIMIT:
                item += f"\n  - … and {len(r.cells) - LIST_LIMIT} more"
        else:
            item = f"{table}: {c.kind}: {_md(c.detail)}."
        sections[SECTION.get(c.kind, "Changed")].append(f"- {item}")
    out = [head]
    for name in SECTIONS:
        if sections[name]:
            out += ["", f"### {name}", *sections[name]]
    if not d.changes:
        out += ["", "- No change to the data."]
    return "\n".join(out) + "\n"


def as_dict(d: Diff) -> dict:
    """The diff as plain data, in the shape ``diff.schema.json`` describes (what ``--format json`` prints).

    Examples
    --------
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> from eastasia_data.releases import release_dir
    >>> release = from_release(release_dir(), "a release")
    >>> as_dict(diff(release, release))["bump"] is None
    True
    """
    def side(s):
        return {"label": s.label, "version": s.version}

    found = d.corrections()

    def why(name: str, r: TableRows) -> dict:
        keys = list(dict.fromkeys([*r.removed, *r.changed_keys]))
        out = [{"key": list(k), "correction_id": e.correction_id, "what_was_wrong": e.what_was_wrong,
                "evidence_source_id": e.evidence_source_id, "reported_by": e.reported_by}
               for k in keys for e in found.get((name, row_key(k)), [])]
        return {"why": out} if out else {}

    return {
        "old": side(d.old),
        "new": side(d.new),
        "bump": d.bump,
        "changes": [{"table": c.table, "kind": c.kind, "detail": c.detail, "bump": c.bump} for c in d.changes],
        "tables": {
            name: {
                "key": list(r.key),
                "added": [list(k) for k in r.added],
                "removed": [list(k) for k in r.removed],
                "changed": [{"key": list(c.key), "column": c.column, "before": c.before, "after": c.after}
                            for c in r.cells],
                **why(name, r),
            }
            for name, r in d.rows.items() if r
        },
    }


def render_json(d: Diff) -> str:
    """The diff as JSON (see :func:`as_dict` and ``diff.schema.json``).

    Examples
    --------
    >>> import json
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> from eastasia_data.releases import release_dir
    >>> release = from_release(release_dir(), "a release")
    >>> json.loads(render_json(diff(release, release)))["changes"]
    []
    """
    import json

    return json.dumps(as_dict(d), ensure_ascii=False, indent=2) + "\n"
