"""Compare two versions of the dataset table by table, by primary key.

Each side is a :class:`~eastasia_data.curation.snapshot.Snapshot` (a release, a checkout or
a git revision, read by :mod:`eastasia_data.curation.snapshot`).

Every difference is a :class:`Change` carrying the version bump the data versioning
policy (``docs/versioning.md``) asks for; :attr:`Diff.bump` is the largest of them.

Examples
--------
>>> from eastasia_data.curation.diff import diff
>>> from eastasia_data.curation.snapshot import open_snapshot
>>> from eastasia_data.loader import release_dir
>>> release = open_snapshot(release_dir())
>>> diff(release, release).changes
[]
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from eastasia_data.corrections import TABLE as CORRECTIONS
from eastasia_data.corrections import Entry, entries, row_key
from eastasia_data.curation.snapshot import (
    Snapshot,
    TableState,
)
from eastasia_data.curation.versioning import BUMPS, POLICY, parse
from eastasia_data.errors import VersionError

__all__ = ["CellChange", "Change", "CorrectedRow", "Diff", "TableRows", "diff", "show"]


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots, with the bump it requires."""

    table: str
    kind: str
    detail: str

    @property
    def bump(self) -> str:
        """The version bump this kind of change requires, from :data:`POLICY`.

        Examples
        --------
        >>> Change("events", "rows added", "2 row(s)").bump
        'minor'
        """
        return POLICY[self.kind]

    def as_text(self) -> str:
        """The change as one line: ``table: kind: detail [bump]``.

        Examples
        --------
        >>> Change("events", "rows removed", "1 row(s)").as_text()
        'events: rows removed: 1 row(s) [major]'
        """
        return f"{self.table}: {self.kind}: {self.detail} [{self.bump}]"


@dataclass
class CellChange:
    key: tuple[str, ...]
    column: str
    before: str
    after: str


@dataclass
class TableRows:
    """Row-level differences of one table: keys added and removed, and each changed cell."""

    table: str
    key: tuple[str, ...]
    added: list[tuple[str, ...]] = field(default_factory=list)
    removed: list[tuple[str, ...]] = field(default_factory=list)
    cells: list[CellChange] = field(default_factory=list)

    @property
    def changed_keys(self) -> list[tuple[str, ...]]:
        """The keys of the rows with at least one changed cell, in order of first change.

        Examples
        --------
        >>> rows = TableRows("events", ("event_id",), cells=[CellChange(("evt-a",), "title", "x", "y"),
        ...                                                  CellChange(("evt-a",), "summary", "x", "y")])
        >>> rows.changed_keys
        [('evt-a',)]
        """
        return list(dict.fromkeys(c.key for c in self.cells))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.cells)


@dataclass(frozen=True)
class CorrectedRow:
    """A row of the old side that the new side changed or removed: what the corrections register is for."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # the columns whose values changed; empty for a removed row
    removed: bool

    @property
    def row_key(self) -> str:
        """The key as the register names it (values joined by ``" | "``).

        Examples
        --------
        >>> CorrectedRow("strategy_targets", ("str-a", "act-b"), (), True).row_key
        'str-a | act-b'
        """
        return row_key(self.key)


@dataclass
class Diff:
    old: Snapshot
    new: Snapshot
    changes: list[Change]
    rows: dict[str, TableRows]

    def corrected_rows(self) -> list[CorrectedRow]:
        """Every row of the old side changed or removed on the new side: the rows the corrections register is for.

        Left out are the register itself and the coding ledger (the package's
        ``eastasia:archive`` ``ledger``): a passage becomes ``coded`` when a new row cites it,
        which completes the coding rather than corrects it (an entry may still be made).

        Examples
        --------
        >>> import dataclasses
        >>> from eastasia_data.loader import release_dir
        >>> from eastasia_data.curation.snapshot import from_release
        >>> old = from_release(release_dir(), "old")
        >>> events = old.tables["events"]
        >>> frame = events.frame.iloc[1:].copy()
        >>> frame.loc[frame.index[0], "title"] = "Renamed"
        >>> new = dataclasses.replace(old, label="new",
        ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
        >>> [(r.removed, r.columns) for r in diff(old, new).corrected_rows()]
        [(True, ()), (False, ('title',))]
        """
        out = []
        ledger = (self.new.package.get("eastasia:archive") or {}).get("ledger")
        for name, r in self.rows.items():
            if name in (CORRECTIONS, ledger):
                continue
            out += [CorrectedRow(name, k, (), True) for k in r.removed]
            columns: dict[tuple[str, ...], list[str]] = {}
            for c in r.cells:
                columns.setdefault(c.key, []).append(c.column)
            out += [CorrectedRow(name, k, tuple(cols), False) for k, cols in columns.items()]
        return out

    def corrections(self, *, pending: bool = True) -> dict[tuple[str, str], list[Entry]]:
        """The new side's corrections entries (status ``corrected``) that fall between the two sides.

        An entry falls between them when its ``release`` is after the old side's version and
        at most the new side's (either side without a version: any release), or, with
        ``pending``, when ``release`` is empty (corrected, not released yet). Keyed by
        ``(table, row_key)``.

        Examples
        --------
        >>> from eastasia_data.loader import release_dir
        >>> from eastasia_data.curation.snapshot import from_release
        >>> release = from_release(release_dir(), "a release")
        >>> diff(release, release).corrections()
        {}
        """
        state = self.new.tables.get(CORRECTIONS)
        if state is None or state.frame is None:
            return {}
        out: dict[tuple[str, str], list[Entry]] = {}
        for e in entries(state.frame):
            if e.status != "corrected" or not (e.release and self._between(e.release) or pending and not e.release):
                continue
            out.setdefault((e.table_name, e.row_key), []).append(e)
        return out

    def _between(self, release: str) -> bool:
        try:
            version = parse(release)
            after_old = self.old.version is None or parse(self.old.version) < version
            up_to_new = self.new.version is None or version <= parse(self.new.version)
        except VersionError:
            return False
        return after_old and up_to_new

    @property
    def bump(self) -> str | None:
        """The bump the changes require: ``major``, ``minor``, ``patch``, or None when there are none.

        Examples
        --------
        >>> import dataclasses
        >>> from eastasia_data.loader import release_dir
        >>> from eastasia_data.curation.snapshot import from_release
        >>> old = from_release(release_dir(), "old")
        >>> events = old.tables["events"]
        >>> frame = events.frame.iloc[1:].copy()
        >>> frame.loc[frame.index[0], "title"] = "Renamed"
        >>> new = dataclasses.replace(old, label="new",
        ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
        >>> diff(old, old).bump, diff(old, new).bump
        (None, 'major')
        """
        if not self.changes:
            return None
        return max((c.bump for c in self.changes), key=BUMPS.index)

    def reasons(self, bump: str) -> list[Change]:
        """The changes that require ``bump``.

        Examples
        --------
        >>> import dataclasses
        >>> from eastasia_data.loader import release_dir
        >>> from eastasia_data.curation.snapshot import from_release
        >>> old = from_release(release_dir(), "old")
        >>> events = old.tables["events"]
        >>> frame = events.frame.iloc[1:].copy()
        >>> frame.loc[frame.index[0], "title"] = "Renamed"
        >>> new = dataclasses.replace(old, label="new",
        ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
        >>> [c.kind for c in diff(old, new).reasons("patch")]
        ['values changed']
        """
        return [c for c in self.changes if c.bump == bump]


# ---------------------------------------------------------------------------------------------
# Comparing


def show(value) -> str:
    """A cell as text for comparison and display: dates without a midnight time, empty as ''.

    Examples
    --------
    >>> import pandas as pd
    >>> show(None), show(pd.Timestamp("2024-06-19")), show("Pyongyang")
    ('', '2024-06-19', 'Pyongyang')
    """
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_LOWER_BOUNDS = ("minLength", "minimum")
_UPPER_BOUNDS = ("maxLength", "maximum")
_TIGHTEN_WHEN_ADDED = ("pattern", "precisionField", "notBefore", "excerptOf", "rowKeyOf", "columnOf", "valueOf", "format")


def _enum(f: dict[str, Any]) -> list[str]:
    if "categories" in f:
        return [c["value"] if isinstance(c, dict) else c for c in f["categories"]]
    return list(f.get("constraints", {}).get("enum", []))


def _field_changes(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    name = new["name"]
    out = []

    def add(kind, detail):
        out.append(Change(table, kind, f"{name}: {detail}"))

    if old.get("type") != new.get("type") or ("categories" in old) != ("categories" in new):
        before = str(old.get("type")) + (" with categories" if "categories" in old else "")
        after = str(new.get("type")) + (" with categories" if "categories" in new else "")
        add("type changed", f"{before} → {after}")
    oc, nc = old.get("constraints", {}), new.get("constraints", {})
    for key in ("required", "unique"):
        if bool(oc.get(key)) != bool(nc.get(key)):
            add("constraint tightened" if nc.get(key) else "constraint relaxed", f"{key} {bool(oc.get(key))} → {bool(nc.get(key))}")
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        a, b = oc.get(key), nc.get(key)
        if a == b:
            continue
        lower = key in _LOWER_BOUNDS
        if a is None:
            tighter = True
        elif b is None:
            tighter = False
        else:
            tighter = b > a if lower else b < a
        add("constraint tightened" if tighter else "constraint relaxed", f"{key} {a} → {b}")
    for key in _TIGHTEN_WHEN_ADDED:
        a = oc.get(key) if key == "pattern" else old.get(key)
        b = nc.get(key) if key == "pattern" else new.get(key)
        if a != b:
            add("constraint relaxed" if b is None else "constraint tightened", f"{key} {a!r} → {b!r}")
    if bool(old.get("categoriesOrdered")) != bool(new.get("categoriesOrdered")):
        # An ordered categorical is another pandas dtype: comparisons and sorting change.
        add("type changed", "categories " + ("ordered" if new.get("categoriesOrdered") else "no longer ordered"))
    if "categories" in old and "categories" in new or "enum" in oc and "enum" in nc:
        a, b = _enum(old), _enum(new)
        gone, came = [v for v in a if v not in b], [v for v in b if v not in a]
        if gone:
            add("constraint tightened", "allowed values removed: " + ", ".join(gone))
        if came:
            add("constraint relaxed", "allowed values added: " + ", ".join(came))
        if not gone and not came and a != b:
            add("constraint tightened", "allowed values reordered (the category order changes)")
    if old.get("description") != new.get("description"):
        add("description changed", "column description reworded")
    if "categories" in old and "categories" in new and old["categories"] != new["categories"] and _enum(old) == _enum(new):
        add("description changed", "category labels reworded")
    return out


def _schema_changes(name: str, old: TableState, new: TableState) -> list[Change]:
    out = []
    of = {f["name"]: f for f in old.schema["fields"]}
    nf = {f["name"]: f for f in new.schema["fields"]}
    old_names, new_names = list(of), list(nf)
    removed = [n for n in old_names if n not in nf]
    added = [n for n in new_names if n not in of]
    for n in removed:
        out.append(Change(name, "field removed", n))
    kept_old = [n for n in old_names if n in nf]
    kept_new = [n for n in new_names if n in of]
    if kept_old != kept_new:
        moved = [n for i, n in enumerate(kept_new) if kept_old[i] != n]
        out.append(Change(name, "field moved", "order of " + ", ".join(moved) + " changed"))
    for n in added:
        after_all_old = all(new_names.index(n) > new_names.index(k) for k in kept_new)
        if after_all_old:
            out.append(Change(name, "field appended", f"{n} ({nf[n].get('type')})"))
        else:
            out.append(Change(name, "field inserted", f"{n} ({nf[n].get('type')}) before existing columns"))
    for n in kept_new:
        out += _field_changes(name, of[n], nf[n])
    opk, npk = old.schema.get("primaryKey", []), new.schema.get("primaryKey", [])
    if opk != npk:
        out.append(Change(name, "primary key changed", f"({', '.join(opk)}) → ({', '.join(npk)})"))
    for key, label in (("foreignKeys", "foreign key"), ("rules", "rule")):
        a = [json.dumps(x, sort_keys=True) for x in old.schema.get(key, [])]
        b = [json.dumps(x, sort_keys=True) for x in new.schema.get(key, [])]
        for item in b:
            if item not in a:
                harmless = key == "rules" and _only_new_fields(json.loads(item), set(added))
                out.append(Change(name, "rule on new fields" if harmless else "constraint tightened",
                                  f"{label} added or changed: {_brief(item)}"))
        for item in a:
            if item not in b:
                out.append(Change(name, "constraint relaxed", f"{label} removed or changed: {_brief(item)}"))
    if old.description != new.description:
        out.append(Change(name, "description changed", "table description reworded"))
    return out


def _only_new_fields(rule: dict, new: set[str]) -> bool:
    """Whether a rule added with these new (appended) fields can reject no row that was valid before.

    Old rows have the new fields empty: a rule that only forbids or limits the values of new
    fields, or that applies only when a new field is filled, never rejects them; one that
    requires a new field where old fields hold some values would.

    Examples
    --------
    >>> _only_new_fields({"when": {"category": ["CONSULT"]}, "allow": {"mode": ["visit"]}}, {"mode"})
    True
    >>> _only_new_fields({"when": {"kind": ["state"]}, "require": ["name_ko"]}, {"name_ko"})
    False
    >>> _only_new_fields({"when": {"name_ko": "present"}, "require": ["names_source_url"]},
    ...                  {"name_ko", "names_source_url"})
    True
    """
    constrained = set(rule.get("require", [])) | set(rule.get("forbid", [])) | set(rule.get("allow", {}))
    if not constrained <= new:
        return False
    gated_by_new = any(column in new and values == "present" for column, values in rule.get("when", {}).items())
    return gated_by_new or not rule.get("require")


def _brief(item: str) -> str:
    data = json.loads(item)
    if "name" in data:
        return data["name"]
    if "reference" in data:
        return f"({', '.join(data['fields'])}) → {data['reference']['resource']}"
    return item


def _keys(frame, key: list[str]) -> list[tuple[str, ...]]:
    return list(zip(*(_shown(frame[k]) for k in key)))


def _shown(series) -> list[str]:
    """:func:`show` of every cell of a column; text columns (most keys) without a call per cell.

    Examples
    --------
    >>> import pandas as pd
    >>> _shown(pd.Series(["a", None], dtype="str")), _shown(pd.Series([1, None], dtype="Int64"))
    (['a', ''], ['1', ''])
    """
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        text = pd.api.types.is_string_dtype(dtype.categories.dtype)
    else:
        text = pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)
    if not text:
        return [show(v) for v in series]
    values = series.to_numpy(dtype=object, na_value="")
    return values.tolist()


def _row_changes(name: str, old: TableState, new: TableState) -> TableRows:
    key = list(new.schema.get("primaryKey", []))
    rows = TableRows(name, tuple(key))
    if key != list(old.schema.get("primaryKey", [])) or not key:
        return rows  # rows cannot be matched; the key change is reported as a schema change
    okeys, nkeys = _keys(old.frame, key), _keys(new.frame, key)
    oidx, nidx = dict(zip(okeys, range(len(okeys)))), dict(zip(nkeys, range(len(nkeys))))
    rows.added = sorted(k for k in nidx if k not in oidx)
    rows.removed = sorted(k for k in oidx if k not in nidx)
    common = [c for c in new.frame.columns if c in old.frame.columns and c not in key]
    shared = sorted(k for k in nidx if k in oidx)
    if shared and common:
        a_rows = old.frame.iloc[[oidx[k] for k in shared]].reset_index(drop=True)
        b_rows = new.frame.iloc[[nidx[k] for k in shared]].reset_index(drop=True)
        found = []
        for j, column in enumerate(common):
            if a_rows[column].equals(b_rows[column]):
                continue  # the same values and type: nothing to render (most columns of most diffs)
            a, b = a_rows[column].map(show).to_numpy(), b_rows[column].map(show).to_numpy()
            found += [(i, j, a[i], b[i]) for i in (a != b).nonzero()[0]]
        for i, j, before, after in sorted(found):
            rows.cells.append(CellChange(shared[i], common[j], before, after))
    return rows


def diff(old: Snapshot, new: Snapshot) -> Diff:
    """Every difference between two snapshots, table by table.

    Returns
    -------
    Diff
        ``changes`` (schema and row changes, each with its bump), ``rows`` (per table:
        keys added and removed, each changed cell before → after) and ``bump``.

    Examples
    --------
    >>> import dataclasses
    >>> from eastasia_data.loader import release_dir
    >>> from eastasia_data.curation.snapshot import from_release
    >>> old = from_release(release_dir(), "old")
    >>> events = old.tables["events"]
    >>> frame = events.frame.iloc[1:].copy()
    >>> frame.loc[frame.index[0], "title"] = "Renamed"
    >>> new = dataclasses.replace(old, label="new",
    ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
    >>> [c.as_text() for c in diff(old, new).changes]
    ['events: rows removed: 1 row(s) [major]', 'events: values changed: 1 cell(s) in 1 row(s) [patch]']
    """
    changes: list[Change] = []
    rows: dict[str, TableRows] = {}
    for name in old.tables:
        if name not in new.tables:
            changes.append(Change(name, "table removed", f"{len(old.tables[name].frame)} rows"))
    for name, table in new.tables.items():
        if name not in old.tables:
            changes.append(Change(name, "table added", f"{len(table.frame)} rows"))
            continue
        changes += _schema_changes(name, old.tables[name], table)
        r = _row_changes(name, old.tables[name], table)
        rows[name] = r
        if r.added:
            kind = "corrections recorded" if name == CORRECTIONS else "rows added"
            changes.append(Change(name, kind, f"{len(r.added)} row(s)"))
        if r.removed:
            changes.append(Change(name, "rows removed", f"{len(r.removed)} row(s)"))
        if r.cells:
            changes.append(Change(name, "values changed", f"{len(r.cells)} cell(s) in {len(r.changed_keys)} row(s)"))
    if old.package and new.package:
        for key in sorted(set(old.package) | set(new.package)):
            if old.package.get(key) != new.package.get(key):
                changes.append(Change("(package)", "description changed", f"package {key} changed"))
    elif old.description and new.description and old.description != new.description:
        changes.append(Change("(package)", "description changed", "package description reworded"))
    return Diff(old, new, changes, rows)
