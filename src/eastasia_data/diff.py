"""Compare two versions of the dataset table by table, by primary key.

A version is read as a *snapshot*: per table, the Table Schema its release describes and
the rows as :func:`eastasia_data.load` returns them. A snapshot comes from

* a **release directory** (``releases/eastasia-data-X.Y.Z/`` or an installed release):
  its ``datapackage.json`` and Parquet files, as shipped;
* a **checkout directory** holding ``data/`` and ``schemas/`` (and ``pyproject.toml``):
  the CSV tables are validated and typed exactly as ``eastasia-data build`` would store
  them, without writing anything;
* a **git revision** of this repository (``HEAD~1``, ``v0.1.0``, ``main``): the release
  that revision committed for its own version, when there is one; otherwise its
  ``data/`` and ``schemas/``, built in memory as above.

Every difference is a :class:`Change` carrying the version bump the data versioning
policy (``docs/versioning.md``) asks for; :attr:`Diff.bump` is the largest of them.

Examples
--------
>>> from eastasia_data.diff import diff, open_snapshot
>>> from eastasia_data.loader import release_dir
>>> release = open_snapshot(release_dir())
>>> diff(release, release).changes
[]
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eastasia_data import paths

#: The bumps, smallest first.
BUMPS = ("patch", "minor", "major")

#: Every kind of change ``diff`` reports, with the bump the versioning policy requires.
POLICY: dict[str, str] = {
    "table removed": "major",
    "field removed": "major",
    "field moved": "major",
    "field inserted": "major",
    "type changed": "major",
    "constraint tightened": "major",
    "primary key changed": "major",
    "rows removed": "major",
    "table added": "minor",
    "field appended": "minor",
    "constraint relaxed": "minor",
    "rows added": "minor",
    "values changed": "patch",
    "description changed": "patch",
}


class SnapshotError(ValueError):
    """A version cannot be read; the message says what was given and what is accepted."""


class InvalidDataError(SnapshotError):
    """A checkout's tables do not validate, so they cannot be typed as a release would store them."""


@dataclass
class TableState:
    """One table of a snapshot: its stored Table Schema, description and typed rows."""

    name: str
    schema: dict[str, Any]
    description: str
    frame: Any  # pandas.DataFrame


@dataclass
class Snapshot:
    label: str
    version: str | None
    tables: dict[str, TableState]
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots, with the bump it requires."""

    table: str
    kind: str
    detail: str

    @property
    def bump(self) -> str:
        return POLICY[self.kind]

    def as_text(self) -> str:
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
        return list(dict.fromkeys(c.key for c in self.cells))

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.cells)


@dataclass
class Diff:
    old: Snapshot
    new: Snapshot
    changes: list[Change]
    rows: dict[str, TableRows]

    @property
    def bump(self) -> str | None:
        """The bump the changes require: ``major``, ``minor``, ``patch``, or None when there are none."""
        if not self.changes:
            return None
        return max((c.bump for c in self.changes), key=BUMPS.index)

    def reasons(self, bump: str) -> list[Change]:
        """The changes that require ``bump``."""
        return [c for c in self.changes if c.bump == bump]


# ---------------------------------------------------------------------------------------------
# Reading snapshots


def _types_mapper():
    from eastasia_data.loader import _types_mapper as mapper

    return mapper()


def from_release(directory: str | Path, label: str | None = None) -> Snapshot:
    """A built release: its descriptor and Parquet files."""
    import pyarrow.parquet as pq

    directory = Path(directory)
    try:
        descriptor = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{directory}: not a release directory ({exc})") from None
    tables = {}
    for r in descriptor.get("resources", []):
        frame = pq.read_table(directory / r["path"]).to_pandas(types_mapper=_types_mapper())
        tables[r["name"]] = TableState(r["name"], r["schema"], r.get("description", ""), frame)
    return Snapshot(label or str(directory), descriptor.get("version"), tables,
                    descriptor.get("title", ""), descriptor.get("description", ""))


def from_checkout(directory: str | Path, label: str | None = None, *, sources_dir: str | Path | None = None) -> Snapshot:
    """A checkout's ``data/`` and ``schemas/``, typed as a release would store them (nothing is written)."""
    from eastasia_data.release import arrow_table
    from eastasia_data.validation import validate

    directory = Path(directory)
    if not (directory / "data").is_dir() or not (directory / "schemas").is_dir():
        raise SnapshotError(f"{directory}: not a checkout (it needs data/ and schemas/)")
    report = validate(directory / "data", sources_dir, schemas_dir=directory / "schemas", require_archive=False)
    if not report.valid:
        first = report.problems[0].as_text()
        raise InvalidDataError(f"{label or directory}: the data is not valid ({report.summary}); first: {first}")
    frames = report.frames()
    tables = {
        name: TableState(name, t.to_table_schema(stored=True), t.description,
                         arrow_table(t, frames[name]).to_pandas(types_mapper=_types_mapper()))
        for name, t in report.tables.items()
    }
    meta = _pyproject(directory)
    return Snapshot(label or str(directory), meta.get("version"), tables, "", meta.get("description", ""))


def _pyproject(directory: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((directory / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return {}


def _git(*args: str, repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)


def is_revision(rev: str, repo: Path | None = None) -> bool:
    """Whether ``rev`` names a commit of the repository."""
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", repo=repo or paths.REPO_DIR).returncode == 0
    except OSError:
        return False


def from_git(rev: str, repo: Path | None = None, *, sources_dir: str | Path | None = None) -> Snapshot:
    """A revision of the repository: its committed release of its own version, else its data built in memory."""
    repo = repo or paths.REPO_DIR
    shown = _git("show", f"{rev}:pyproject.toml", repo=repo)
    if shown.returncode != 0:
        raise SnapshotError(f"{rev}: no pyproject.toml at this revision")
    version = tomllib.loads(shown.stdout.decode("utf-8"))["project"]["version"]
    release = f"releases/eastasia-data-{version}"
    has_release = _git("cat-file", "-e", f"{rev}:{release}/datapackage.json", repo=repo).returncode == 0
    members = [release] if has_release else ["pyproject.toml", "data", "schemas"]
    archive = _git("archive", "--format=tar", rev, *members, repo=repo)
    if archive.returncode != 0:
        raise SnapshotError(f"{rev}: cannot read {', '.join(members)} ({archive.stderr.decode().strip()})")
    with tempfile.TemporaryDirectory(prefix="eastasia-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        if has_release:
            return from_release(Path(tmp) / release, f"{rev} ({release})")
        return from_checkout(Path(tmp), f"{rev} (data/, unreleased {version})", sources_dir=sources_dir)


def open_snapshot(spec: str | Path, *, repo: Path | None = None, sources_dir: str | Path | None = None) -> Snapshot:
    """Read a version named on the command line: a release directory, a checkout directory or a git revision.

    Raises
    ------
    SnapshotError
        ``spec`` is none of these.
    """
    path = Path(spec)
    if (path / "datapackage.json").is_file() and not (path / "data").is_dir():
        return from_release(path, str(spec))
    if path.is_dir() and (path / "data").is_dir():
        return from_checkout(path, str(spec), sources_dir=sources_dir)
    if is_revision(str(spec), repo):
        return from_git(str(spec), repo, sources_dir=sources_dir)
    raise SnapshotError(
        f"{spec}: not a release directory (holding datapackage.json), a checkout (holding data/ and "
        "schemas/) or a git revision of this repository"
    )


# ---------------------------------------------------------------------------------------------
# Comparing


def show(value) -> str:
    """A cell as text for comparison and display: dates without a midnight time, empty as ''."""
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
_TIGHTEN_WHEN_ADDED = ("pattern", "precisionField", "notBefore", "excerptOf", "format")


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
        before = old.get("type") + (" with categories" if "categories" in old else "")
        after = new.get("type") + (" with categories" if "categories" in new else "")
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
                out.append(Change(name, "constraint tightened", f"{label} added or changed: {_brief(item)}"))
        for item in a:
            if item not in b:
                out.append(Change(name, "constraint relaxed", f"{label} removed or changed: {_brief(item)}"))
    if old.description != new.description:
        out.append(Change(name, "description changed", "table description reworded"))
    return out


def _brief(item: str) -> str:
    data = json.loads(item)
    if "name" in data:
        return data["name"]
    if "reference" in data:
        return f"({', '.join(data['fields'])}) → {data['reference']['resource']}"
    return item


def _keys(frame, key: list[str]) -> list[tuple[str, ...]]:
    return [tuple(show(v) for v in row) for row in frame[key].itertuples(index=False, name=None)]


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
        a = old.frame.iloc[[oidx[k] for k in shared]][common].map(show).to_numpy()
        b = new.frame.iloc[[nidx[k] for k in shared]][common].map(show).to_numpy()
        for i, j in zip(*(a != b).nonzero()):
            rows.cells.append(CellChange(shared[i], common[j], a[i, j], b[i, j]))
    return rows


def diff(old: Snapshot, new: Snapshot) -> Diff:
    """Every difference between two snapshots, table by table.

    Returns
    -------
    Diff
        ``changes`` (schema and row changes, each with its bump), ``rows`` (per table:
        keys added and removed, each changed cell before → after) and ``bump``.
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
            changes.append(Change(name, "rows added", f"{len(r.added)} row(s)"))
        if r.removed:
            changes.append(Change(name, "rows removed", f"{len(r.removed)} row(s)"))
        if r.cells:
            changes.append(Change(name, "values changed", f"{len(r.cells)} cell(s) in {len(r.changed_keys)} row(s)"))
    if old.description and new.description and old.description != new.description:
        changes.append(Change("(package)", "description changed", "package description reworded"))
    return Diff(old, new, changes, rows)
