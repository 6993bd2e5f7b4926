"""Versions of the dataset read for comparison: *snapshots*.

A snapshot is, per table, the Table Schema its release describes and the rows as
:func:`eastasia_data.load` returns them. It comes from

* a **release directory** (``releases/eastasia-data-X.Y.Z/`` or an installed release):
  its ``datapackage.json`` and Parquet files, as shipped;
* a **version number** (``1.0.0`` or ``v1.0.0``): the checkout's built release of it;
* a **checkout directory** holding ``data/`` and ``schemas/`` (and ``pyproject.toml``):
  the CSV tables are read and typed exactly as ``eastasia-data build`` would store them,
  without writing anything;
* a **git revision** of this repository (``HEAD~1``, ``main``, a tag): its ``data/`` and
  ``schemas/`` at that revision, read as a checkout; so the diff of a pull request is its
  data change, whatever releases it holds.

A checkout is read as ``diff`` needs it, not validated in full: the files must parse and
the primary keys be unique, or :class:`~eastasia_data.errors.InvalidDataError` names the
first problems and points to ``eastasia-data validate``. No pandera is imported.

Examples
--------
>>> from eastasia_data.curation.snapshot import open_snapshot
>>> from eastasia_data.releases import release_dir
>>> "events" in open_snapshot(release_dir()).tables
True
"""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eastasia_data import paths
from eastasia_data.curation.rules import DATE, ENUM, PRIMARY_KEY, TYPE, ids
from eastasia_data.curation.versioning import SEMVER, parse, released_versions
from eastasia_data.errors import EastAsiaError, InvalidDataError, ModelError, SnapshotError
from eastasia_data.loader import from_arrow
from eastasia_data.model import Table, model_from_descriptor

__all__ = ["InvalidDataError", "Snapshot", "SnapshotError", "TableState", "from_checkout", "from_git",
           "from_release", "is_revision", "open_snapshot"]


class _Frame:
    """:attr:`TableState.frame`: the frame given, or else one made from the state's Arrow table when first read."""

    def __get__(self, state, owner=None):
        if state is None:
            return None  # the field's default
        frame = state.__dict__.get("_frame")
        if frame is None and state.arrow is not None:
            import pyarrow as pa

            try:
                frame = state.__dict__["_frame"] = from_arrow(state.arrow, state.table)
            except (pa.ArrowException, ValueError, TypeError) as exc:  # as reading a release's file says it
                raise SnapshotError(f"{state.origin}: resource {state.name!r} cannot be read ({exc})") from None
        return frame

    def __set__(self, state, frame) -> None:
        state.__dict__["_frame"] = frame
        state.__dict__["_given"] = frame is not None


@dataclass
class TableState:
    """One table of a snapshot: its definition (fields, keys, rules, description) and typed rows.

    A table keeps the Arrow table it was read or typed as (``arrow``), and its pandas frame is
    made from it only when first read: :func:`~eastasia_data.curation.diff.diff` compares two
    such tables in Arrow first, and needs no frame for a table that did not change.
    """

    name: str
    table: Table
    frame: Any = _Frame()  # pandas.DataFrame
    arrow: Any = field(default=None, repr=False, compare=False)  # pyarrow.Table, typed as a release stores it
    origin: str = field(default="", repr=False, compare=False)  # where the rows were read (for an error)

    def same_rows(self, other: TableState) -> bool:
        """Whether both hold the same rows, known from their Arrow tables without a frame.

        False whenever either was given a frame of its own (``dataclasses.replace(state, frame=...)``),
        which may differ from its Arrow table.

        Examples
        --------
        >>> from eastasia_data import paths
        >>> a, b = (from_checkout(paths.checkout().root).tables["events"] for _ in range(2))
        >>> a.same_rows(b)
        True
        >>> import dataclasses
        >>> a.same_rows(dataclasses.replace(b, frame=b.frame.iloc[1:]))
        False
        """
        if self.arrow is None or other.arrow is None or self.__dict__.get("_given") or other.__dict__.get("_given"):
            return False
        # Equal Arrow rows make equal frames: from_arrow reads the model only for an empty table's categories.
        return self.arrow.equals(other.arrow) and (self.arrow.num_rows > 0 or self.table == other.table)

    @property
    def description(self) -> str:
        """The table's description.

        Examples
        --------
        >>> from eastasia_data.releases import release_dir
        >>> from_release(release_dir(), "the release").tables["events"].description.split(",")[0]
        'Dated or datable events'
        """
        return self.table.description


@dataclass
class Snapshot:
    """One version of the dataset: its label (what was read), version, tables and package facts."""

    label: str
    version: str | None
    tables: dict[str, TableState]
    title: str = ""
    description: str = ""
    #: The package-level descriptor properties that describe the data (title, licences, ...; not the version).
    package: dict[str, Any] = field(default_factory=dict)


#: Package-level descriptor properties that are not facts about the package (they follow from the data or build).
#: ``agreement`` follows from the codings table, which is compared row by row.
_NOT_FACTS = ("$schema", "version", "created", "sources", "resources", "eastasia:generated", "agreement")


def package_facts(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The package facts of a descriptor, for comparison.

    Examples
    --------
    >>> package_facts({"name": "x", "version": "1.0.0", "keywords": ["a"], "agreement": {"claims.kind": {}}})
    {'name': 'x', 'keywords': ['a']}
    """
    return {k: v for k, v in descriptor.items() if k not in _NOT_FACTS}




def read_release_files(directory: Path) -> tuple[dict[str, Any], dict[str, TableState]]:
    """A release's descriptor and its tables, every file opened through :mod:`eastasia_data.files`.

    The descriptor is capped in size and must be JSON; every path it names must be a plain
    file name inside ``directory`` (no ``..``, no absolute path, no symlink), a Parquet file
    that pyarrow can read.

    Raises
    ------
    SnapshotError
        Any of these fails; the message names the file and the reason.

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> descriptor, tables = read_release_files(release_dir())
    >>> sorted(tables) == sorted(r["name"] for r in descriptor["resources"])
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eastasia_data.errors import UnsafeFileError
    from eastasia_data.files import (
        MAX_DESCRIPTOR_BYTES,
        MAX_TABLE_BYTES,
        confined,
        read_bytes,
    )

    try:
        descriptor = json.loads(read_bytes(directory / "datapackage.json", root=directory,
                                           limit=MAX_DESCRIPTOR_BYTES).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{directory}: not a release directory ({exc})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise SnapshotError(f"{directory}/datapackage.json: not a release descriptor (no list of resources)")
    tables = {}
    for r in descriptor.get("resources", []):
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            raise SnapshotError(f"{directory}/datapackage.json: a resource without a name")
        try:
            path = confined(directory, str(r.get("path")))
            data = read_bytes(path, root=directory, limit=MAX_TABLE_BYTES)
            table = model_from_descriptor({"resources": [r]})[r["name"]]
            # ParquetFile, not read_table: read_table goes through pyarrow.dataset (an import of 10-20 ms)
            arrow = pq.ParquetFile(pa.BufferReader(data)).read()
            tables[r["name"]] = TableState(r["name"], table, arrow=arrow, origin=str(directory))
        except (UnsafeFileError, OSError, pa.ArrowException, ModelError) as exc:
            raise SnapshotError(f"{directory}: resource {r['name']!r} cannot be read ({exc})") from None
    return descriptor, tables


def from_release(directory: str | Path, label: str | None = None) -> Snapshot:
    """A built release: its descriptor and Parquet files.

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> snapshot = from_release(release_dir())
    >>> "events" in snapshot.tables and snapshot.version is not None
    True
    """
    directory = Path(directory)
    descriptor, tables = read_release_files(directory)
    return Snapshot(label or str(directory), descriptor.get("version"), tables,
                    descriptor.get("title", ""), descriptor.get("description", ""), package_facts(descriptor))


def from_checkout(directory: str | Path, label: str | None = None, *, sources_dir: str | Path | None = None) -> Snapshot:
    """A checkout's ``data/`` and ``schemas/``, typed as a release would store them (nothing is written).

    Examples
    --------
    >>> from eastasia_data import paths
    >>> snapshot = from_checkout(paths.checkout().root, "working tree")
    >>> str(snapshot.tables["events"].frame["start_date"].dtype)
    'datetime64[ms]'
    """
    from eastasia_data.curation.cache import checkout_cache
    from eastasia_data.curation.schemas import read_model

    directory = Path(directory)
    if not (directory / "data").is_dir() or not (directory / "schemas").is_dir():
        raise SnapshotError(f"{directory}: not a checkout (it needs data/ and schemas/)")
    label = label or str(directory)
    model = read_model(directory / "schemas")
    typed = _TypedTables(checkout_cache(), directory / "data")
    arrows = {name: typed.get(t) for name, t in model.items()}
    missing = {name: t for name, t in model.items() if arrows[name] is None}
    if missing:
        arrows |= _read_and_type(missing, directory / "data", label, typed)
    tables = {name: TableState(name, t, arrow=arrows[name], origin=label) for name, t in model.items()}
    meta = _project(directory)
    try:
        from eastasia_data.model import Package

        facts = package_facts(Package.from_pyproject(paths.read_pyproject(directory / "pyproject.toml")).to_descriptor())
    except Exception:  # an old revision without [tool.eastasia-data]: no facts to compare
        facts = {}
    return Snapshot(label, meta.get("version"), tables, facts.get("title", ""), meta.get("description", ""), facts)


def _read_and_type(model: dict[str, Table], data_dir: Path, label: str, typed: _TypedTables) -> dict[str, Any]:
    """The tables of ``model`` read from their CSVs and typed as a release stores them (kept in ``typed``).

    Raises
    ------
    InvalidDataError
        A file cannot be read, a primary key repeats or a cell cannot be typed.
    """
    from eastasia_data.curation.build import arrow_table
    from eastasia_data.curation.problems import display_path
    from eastasia_data.curation.reader import read_table_file

    files = {name: read_table_file(t, data_dir / t.csv_name, display_path(data_dir / t.csv_name))
             for name, t in model.items()}
    problems = [p for tf in files.values() for p in tf.problems if p.severity == "error" and p.rule in _UNREADABLE]
    for tf in files.values():
        if tf.frame is None:
            continue
        if tf.table.primary_key and set(tf.table.primary_key) <= set(tf.frame.columns):
            dup = tf.frame.duplicated(list(tf.table.primary_key), keep="first")
            problems += [tf.problem(int(i), None, None, PRIMARY_KEY, "repeats the primary key of an earlier row")
                         for i in dup[dup].index[:5]]
        problems += _untypable(tf)
    if problems:
        shown = "; ".join(p.as_text() for p in problems[:3])
        raise InvalidDataError(f"{label}: the tables cannot be compared ({len(problems)} problem(s): {shown}); "
                               "run `eastasia-data validate` there for every problem")
    arrows = {name: arrow_table(t, files[name].frame) for name, t in model.items()}
    for name, t in model.items():
        typed.put(t, arrows[name])
    return arrows


class _TypedTables:
    """A checkout's tables typed as a release stores them, kept in the cache (``typed``) between runs.

    An entry is the Arrow IPC stream of one table, keyed by the CSV's bytes and the table's
    schema (and, through the cache's key, the package version and the code that reads and
    types it), and is written only for a table that was read and typed without a problem.
    So an unchanged side of a ``diff`` or ``check-version`` is not read and typed again; a
    changed file, schema or code makes a new key, and the file is read as before.
    """

    KIND = "typed"

    def __init__(self, cache, data_dir: Path) -> None:
        self.cache = cache
        self.data_dir = data_dir
        self._keys: dict[str, str | None] = {}

    def _key(self, table: Table) -> str | None:
        if table.name not in self._keys:
            from eastasia_data.files import read_bytes

            try:
                data = read_bytes(self.data_dir / table.csv_name, root=self.data_dir)
            except (OSError, EastAsiaError):  # missing, a link, too big: the reader reports it
                self._keys[table.name] = None
            else:
                schema = json.dumps(table.to_table_schema(), sort_keys=True, ensure_ascii=False).encode("utf-8")
                self._keys[table.name] = self.cache.key(self.KIND, table.name.encode("utf-8"), schema, data)
        return self._keys[table.name]

    def get(self, table: Table):
        """The typed Arrow table kept for this CSV and schema, or None."""
        if self.cache is None or (key := self._key(table)) is None:
            return None
        data = self.cache.get_bytes(self.KIND, key)
        if data is None:
            return None
        import pyarrow as pa

        try:
            with pa.ipc.open_stream(data) as stream:
                arrow = stream.read_all()
        except (pa.ArrowException, OSError, ValueError):
            return None
        return arrow if arrow.schema.names == list(table.field_names) else None

    def put(self, table: Table, arrow) -> None:
        """Keep ``arrow``, the typed table read from the current CSV (failures to write are ignored)."""
        if self.cache is None or (key := self._key(table)) is None:
            return
        import pyarrow as pa

        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, arrow.schema) as writer:
            writer.write_table(arrow)
        self.cache.put_bytes(self.KIND, key, sink.getvalue().to_pybytes())


def _untypable(tf) -> list:
    """Cells that typing as a release would lose: values outside the categories, dates and numbers that do not parse."""
    import numpy as np

    from eastasia_data.curation.checks.kernels import (
        first_day,
        fits_int64,
        fullmatch,
        numbers,
        one_of,
        present,
        text_array,
    )

    out = []
    for f in tf.table.fields:
        if f.name not in tf.frame.columns or f.kind not in ("category", "date", "partial_date", "integer", "number"):
            continue
        values = text_array(tf.frame[f.name])
        filled = present(values)
        if f.kind == "category":
            bad = filled & ~one_of(f.enum)(values.fill_null(""))
            rule, message = ENUM, "is not one of the allowed values"
        elif f.kind in ("date", "partial_date"):
            bad = filled & ~present(first_day(values))
            rule, message = DATE, "is not a date"
        elif f.kind == "integer":  # what an int64 column can hold, as the type and range rules say
            text = values.fill_null("")
            bad = filled & ~(fullmatch(r"[+-]?[0-9]+")(text) & fits_int64(text))
            rule, message = TYPE, "is not a whole number that a release can store"
        else:
            bad = filled & np.isnan(numbers(values))
            rule, message = TYPE, "is not a number"
        out += [tf.problem(int(i), f.name, values[int(i)].as_py(), rule, message) for i in np.flatnonzero(bad)[:5]]
    return out


#: Reader problems that leave a table unreadable for comparison (other problems are validate's business).
_UNREADABLE = ids("unreadable")


def _project(directory: Path) -> dict[str, Any]:
    """``[project]`` of a checkout's pyproject.toml; empty when there is none to read."""
    try:
        return dict(paths.read_pyproject(directory / "pyproject.toml").get("project", {}))
    except paths.UsageError:
        return {}


def is_revision(rev: str, repo: Path | None = None) -> bool:
    """Whether ``rev`` names a commit of the repository.

    Examples
    --------
    >>> is_revision("HEAD"), is_revision("no-such-revision")
    (True, False)
    """
    return paths.git(repo or paths.checkout().root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").ok


def from_git(rev: str, repo: Path | None = None, *, sources_dir: str | Path | None = None) -> Snapshot:
    """The ``data/`` and ``schemas/`` of a revision of the repository, read as a checkout.

    Examples
    --------
    >>> snapshot = from_git("HEAD")
    >>> snapshot.label.startswith("HEAD (data/ and schemas/ at ") and "events" in snapshot.tables
    True
    """
    repo = repo or paths.checkout().root
    commit = paths.git(repo, "rev-parse", "--short", f"{rev}^{{commit}}")
    if not commit.ok:
        raise SnapshotError(f"{rev}: not a revision of {repo}")
    short = commit.text
    archive = paths.git(repo, "archive", "--format=tar", rev, "pyproject.toml", "data", "schemas")
    if not archive.ok:
        raise SnapshotError(f"{rev}: cannot read pyproject.toml, data/ and schemas/ there ({archive.stderr})")
    with tempfile.TemporaryDirectory(prefix="eastasia-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        return from_checkout(Path(tmp), f"{rev} (data/ and schemas/ at {short})", sources_dir=sources_dir)


def from_version(version: str, repo: Path | None = None) -> Snapshot:
    """The checkout's built release of ``version`` (``1.0.0`` or ``v1.0.0``).

    Examples
    --------
    >>> from eastasia_data import paths
    >>> from_version("v" + paths.checkout().version).label.startswith("release ")
    True
    """
    number = version.removeprefix("v")
    parse(number)
    checkout = paths.Checkout(repo) if repo else paths.checkout_or_none()
    if checkout is None:  # a reader outside any checkout: the releases this installation has
        from eastasia_data.releases import release_dir

        directory = release_dir(number)
        return from_release(directory, f"release {number}")
    directory = checkout.release_dir(number)
    if not (directory / paths.DESCRIPTOR).is_file():
        built = ", ".join(released_versions(checkout.releases_dir)) or "none"
        raise SnapshotError(f"{version}: no release of that version in {checkout.releases_dir} (built: {built})")
    return from_release(directory, f"release {number} ({directory.relative_to(checkout.root)})")


def open_snapshot(spec: str | Path, *, repo: Path | None = None, sources_dir: str | Path | None = None) -> Snapshot:
    """Read a version named on the command line: a release directory, a version number, a checkout or a git revision.

    Raises
    ------
    SnapshotError
        ``spec`` is none of these.

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> open_snapshot(release_dir()).version == from_release(release_dir()).version
    True
    >>> open_snapshot("no-such-thing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eastasia_data.errors.SnapshotError: no-such-thing: not a release directory ...
    """
    path = Path(spec)
    if (path / "datapackage.json").is_file() and not (path / "data").is_dir():
        return from_release(path, f"release directory {spec}")
    if path.is_dir() and (path / "data").is_dir():
        return from_checkout(path, f"checkout {spec}", sources_dir=sources_dir)
    if SEMVER.fullmatch(str(spec).removeprefix("v")):
        return from_version(str(spec), repo)
    if is_revision(str(spec), repo):
        return from_git(str(spec), repo, sources_dir=sources_dir)
    raise SnapshotError(
        f"{spec}: not a release directory (holding datapackage.json), a version number (1.0.0 or v1.0.0), "
        "a checkout (holding data/ and schemas/) or a git revision of this repository"
    )
