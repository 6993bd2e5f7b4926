"""Compare two versions of the dataset table by table, by primary key.

Each side is a :class:`~eastasia_data.curation.snapshot.Snapshot` (a release, a checkout or
a git revision, read by :mod:`eastasia_data.curation.snapshot`).

Every difference is a :class:`Change` carrying the version bump the data versioning
policy (``docs/versioning.md``) asks for; :attr:`Diff.bump` is the largest of them.

Examples
--------
>>> from eastasia_data.curation.diff import diff
>>> from eastasia_data.curation.snapshot import open_snapshot
>>> from eastasia_data.releases import release_dir
>>> release = open_snapshot(release_dir())
>>> diff(release, release).changes
[]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from eastasia_data.views import CORRECTIONS
from eastasia_data.views import Entry, entries, row_key
from eastasia_data.curation.snapshot import (
    Snapshot,
    TableState,
)
from eastasia_data.curation.versioning import BUMPS, POLICY, parse
from eastasia_data.errors import VersionError
from eastasia_data.model import Field, ForeignKey, Rule

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
        >>> from eastasia_data.releases import release_dir
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
        >>> from eastasia_data.releases import release_dir
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
        >>> from eastasia_data.releases import release_dir
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
        >>> from eastasia_data.releases import release_dir
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


#: How each attribute of a :class:`~eastasia_data.model.Field` is compared, by kind of change:
#: bounds (tightened when a lower one rises or an upper one falls), references and patterns
#: (tightened when added or changed), and the attributes compared on their own (the type, the
#: flags, the categories and the description). ``tests/test_diff.py`` checks that every
#: attribute of ``Field`` is named here, so a new schema property cannot go uncompared.
_LOWER_BOUNDS = ("min_length", "minimum")
_UPPER_BOUNDS = ("max_length", "maximum")
_TIGHTEN_WHEN_ADDED = ("pattern", "precision_field", "not_before", "excerpt_of", "authority_excerpt_of",
                       "row_key_of", "column_of", "value_of", "format")
_COMPARED_APART = ("name", "type", "stored_type", "item_type", "delimiter", "required", "unique", "categories",
                   "ordered", "description")
#: The names the schema files use, for the details of a change.
_SCHEMA_NAMES = {"min_length": "minLength", "max_length": "maxLength", "precision_field": "precisionField",
                 "not_before": "notBefore", "excerpt_of": "excerptOf", "authority_excerpt_of": "authorityExcerptOf",
                 "row_key_of": "rowKeyOf", "column_of": "columnOf", "value_of": "valueOf"}


def _stored_type(f: Field) -> str:
    """The type a release stores the column as: a partial date is a date (a datetime up to 1.0.0)."""
    if f.is_partial_date:
        return f.stored_type or "date"
    return f.type


def _field_changes(table: str, old: Field, new: Field) -> list[Change]:
    name = new.name
    out = []

    def add(kind, detail):
        out.append(Change(table, kind, f"{name}: {detail}"))

    if _stored_type(old) != _stored_type(new) or bool(old.categories) != bool(new.categories):
        before = _stored_type(old) + (" with categories" if old.categories else "")
        after = _stored_type(new) + (" with categories" if new.categories else "")
        add("type changed", f"{before} → {after}")
    if (old.item_type, old.delimiter) != (new.item_type, new.delimiter) and old.is_list and new.is_list:
        add("type changed", f"list delimiter {old.delimiter!r} → {new.delimiter!r}")
    for key in ("required", "unique"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            add("constraint tightened" if b else "constraint relaxed", f"{key} {a} → {b}")
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        a, b = getattr(old, key), getattr(new, key)
        if a == b:
            continue
        lower = key in _LOWER_BOUNDS
        if a is None:
            tighter = True
        elif b is None:
            tighter = False
        else:
            tighter = b > a if lower else b < a
        add("constraint tightened" if tighter else "constraint relaxed", f"{_SCHEMA_NAMES.get(key, key)} {a} → {b}")
    for key in _TIGHTEN_WHEN_ADDED:
        if key == "pattern" and (old.is_partial_date or new.is_partial_date):
            continue  # a release stores a partial date as a date: its text pattern is not part of it
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            add("constraint relaxed" if b is None else "constraint tightened",
                f"{_SCHEMA_NAMES.get(key, key)} {a!r} → {b!r}")
    if old.ordered != new.ordered:
        # An ordered categorical is another pandas dtype: comparisons and sorting change.
        add("type changed", "categories " + ("ordered" if new.ordered else "no longer ordered"))
    if old.categories and new.categories:
        a, b = old.enum, new.enum
        gone, came = [v for v in a if v not in b], [v for v in b if v not in a]
        if gone:
            add("constraint tightened", "allowed values removed: " + ", ".join(gone))
        if came:
            add("constraint relaxed", "allowed values added: " + ", ".join(came))
        if not gone and not came and a != b:
            add("constraint tightened", "allowed values reordered (the category order changes)")
    if old.description != new.description:
        add("description changed", "column description reworded")
    if old.categories and new.categories and old.categories != new.categories and old.enum == new.enum:
        add("description changed", "category labels reworded")
    return out


def _schema_changes(name: str, old: TableState, new: TableState) -> list[Change]:
    out = []
    of = {f.name: f for f in old.table.fields}
    nf = {f.name: f for f in new.table.fields}
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
            out.append(Change(name, "field appended", f"{n} ({_stored_type(nf[n])})"))
        else:
            out.append(Change(name, "field inserted", f"{n} ({_stored_type(nf[n])}) before existing columns"))
    for n in kept_new:
        out += _field_changes(name, of[n], nf[n])
    opk, npk = old.table.primary_key, new.table.primary_key
    if opk != npk:
        out.append(Change(name, "primary key changed", f"({', '.join(opk)}) → ({', '.join(npk)})"))
    for fk in new.table.foreign_keys:
        if fk not in old.table.foreign_keys:
            out.append(Change(name, "constraint tightened", f"foreign key added or changed: {_fk_text(fk)}"))
    for fk in old.table.foreign_keys:
        if fk not in new.table.foreign_keys:
            out.append(Change(name, "constraint relaxed", f"foreign key removed or changed: {_fk_text(fk)}"))
    for rule in new.table.rules:
        if rule not in old.table.rules:
            harmless = _only_new_fields(rule, set(added))
            out.append(Change(name, "rule on new fields" if harmless else "constraint tightened",
                              f"rule added or changed: {rule.name}"))
    for rule in old.table.rules:
        if rule not in new.table.rules:
            out.append(Change(name, "constraint relaxed", f"rule removed or changed: {rule.name}"))
    if old.description != new.description:
        out.append(Change(name, "description changed", "table description reworded"))
    return out


def _fk_text(fk: ForeignKey) -> str:
    return f"({', '.join(fk.fields)}) → {fk.resource}"


def _only_new_fields(rule: Rule, new: set[str]) -> bool:
    """Whether a rule added with these new (appended) fields can reject no row that was valid before.

    Old rows have the new fields empty: a rule that only forbids or limits the values of new
    fields, or that applies only when a new field is filled, never rejects them; one that
    requires a new field where old fields hold some values would.

    Examples
    --------
    >>> def rule(when, **then):
    ...     return Rule("r", "", tuple((c, None if v == "present" else tuple(v)) for c, v in when.items()),
    ...                 **{k: tuple(v.items()) if k == "allow" else tuple(v) for k, v in then.items()})
    >>> _only_new_fields(rule({"category": ["CONSULT"]}, allow={"mode": ("visit",)}), {"mode"})
    True
    >>> _only_new_fields(rule({"kind": ["state"]}, require=["name_ko"]), {"name_ko"})
    False
    >>> _only_new_fields(rule({"name_ko": "present"}, require=["names_source_url"]), {"name_ko", "names_source_url"})
    True
    """
    constrained = set(rule.require) | set(rule.forbid) | {column for column, _ in rule.allow}
    if not constrained <= new:
        return False
    gated_by_new = any(column in new and values is None for column, values in rule.when)
    return gated_by_new or not rule.require


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
    key = list(new.table.primary_key)
    rows = TableRows(name, tuple(key))
    if key != list(old.table.primary_key) or not key:
        return rows  # rows cannot be matched; the key change is reported as a schema change
    if old.same_rows(new) or old.frame.equals(new.frame):
        return rows  # the same rows in the same order (most tables of most diffs): nothing added, removed or changed
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
    >>> from eastasia_data.releases import release_dir
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
