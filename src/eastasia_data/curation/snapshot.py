"""Versions of the dataset read for comparison: *snapshots*.

A snapshot is, per table, the Table Schema its release describes and the rows as
:func:`eastasia_data.load` returns them. It comes from

* a **release directory** (``releases/eastasia-data-X.Y.Z/`` or an installed release):
  its ``datapackage.json`` and Parquet files, as shipped;
* a **checkout directory** holding ``data/`` and ``schemas/`` (and ``pyproject.toml``):
  the CSV tables are validated and typed exactly as ``eastasia-data build`` would store
  them, without writing anything;
* a **git revision** of this repository (``HEAD~1``, ``v0.1.0``, ``main``): the release
  that revision committed for its own version, when there is one; otherwise its
  ``data/`` and ``schemas/``, built in memory as above.

Examples
--------
>>> from eastasia_data.curation.snapshot import open_snapshot
>>> from eastasia_data.loader import release_dir
>>> "events" in open_snapshot(release_dir()).tables
True
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eastasia_data import paths
from eastasia_data.errors import InvalidDataError, SnapshotError
from eastasia_data.types import nullable_types_mapper

__all__ = ["InvalidDataError", "Snapshot", "SnapshotError", "TableState", "from_checkout", "from_git",
           "from_release", "is_revision", "open_snapshot"]


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




def read_release_files(directory: Path):
    """A release's descriptor and its tables as frames, every file opened through :mod:`eastasia_data.files`.

    The descriptor is capped in size and must be JSON; every path it names must be a plain
    file name inside ``directory`` (no ``..``, no absolute path, no symlink), a Parquet file
    that pyarrow can read.

    Raises
    ------
    SnapshotError
        Any of these fails; the message names the file and the reason.

    Examples
    --------
    >>> from eastasia_data.loader import release_dir
    >>> descriptor, frames = read_release_files(release_dir())
    >>> sorted(frames) == sorted(r["name"] for r in descriptor["resources"])
    True
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eastasia_data.errors import UnsafeFileError
    from eastasia_data.files import MAX_DESCRIPTOR_BYTES, MAX_TABLE_BYTES, confined, read_bytes

    try:
        descriptor = json.loads(read_bytes(directory / "datapackage.json", root=directory,
                                           limit=MAX_DESCRIPTOR_BYTES).decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{directory}: not a release directory ({exc})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources", []), list):
        raise SnapshotError(f"{directory}/datapackage.json: not a release descriptor (no list of resources)")
    frames = {}
    for r in descriptor.get("resources", []):
        if not isinstance(r, dict) or not isinstance(r.get("name"), str):
            raise SnapshotError(f"{directory}/datapackage.json: a resource without a name")
        try:
            path = confined(directory, r.get("path"))
            data = read_bytes(path, root=directory, limit=MAX_TABLE_BYTES)
            frames[r["name"]] = pq.read_table(pa.BufferReader(data)).to_pandas(types_mapper=nullable_types_mapper())
        except (UnsafeFileError, OSError, pa.ArrowException) as exc:
            raise SnapshotError(f"{directory}: resource {r['name']!r} cannot be read ({exc})") from None
    return descriptor, frames


def from_release(directory: str | Path, label: str | None = None) -> Snapshot:
    """A built release: its descriptor and Parquet files.

    Examples
    --------
    >>> from eastasia_data.loader import release_dir
    >>> snapshot = from_release(release_dir())
    >>> "events" in snapshot.tables and snapshot.version is not None
    True
    """
    directory = Path(directory)
    descriptor, files = read_release_files(directory)
    tables = {}
    for r in descriptor.get("resources", []):
        frame = files[r["name"]]
        tables[r["name"]] = TableState(r["name"], r["schema"], r.get("description", ""), frame)
    return Snapshot(label or str(directory), descriptor.get("version"), tables,
                    descriptor.get("title", ""), descriptor.get("description", ""))


def from_checkout(directory: str | Path, label: str | None = None, *, sources_dir: str | Path | None = None) -> Snapshot:
    """A checkout's ``data/`` and ``schemas/``, typed as a release would store them (nothing is written).

    Examples
    --------
    >>> from eastasia_data import paths
    >>> snapshot = from_checkout(paths.checkout().root, "working tree")
    >>> str(snapshot.tables["events"].frame["start_date"].dtype)
    'datetime64[ms]'
    """
    from eastasia_data.curation.build import arrow_table
    from eastasia_data.curation.validate import validate

    directory = Path(directory)
    if not (directory / "data").is_dir() or not (directory / "schemas").is_dir():
        raise SnapshotError(f"{directory}: not a checkout (it needs data/ and schemas/)")
    report = validate(directory / "data", sources_dir, schemas_dir=directory / "schemas", require_archive=False)
    if not report.valid:
        first = report.problems[0].as_text()
        raise InvalidDataError(f"{label or directory}: the data is not valid ({report.summary}); first: {first}",
                               report)
    frames = report.frames()
    tables = {
        name: TableState(name, t.to_table_schema(stored=True), t.description,
                         arrow_table(t, frames[name]).to_pandas(types_mapper=nullable_types_mapper()))
        for name, t in report.tables.items()
    }
    meta = _project(directory)
    return Snapshot(label or str(directory), meta.get("version"), tables, "", meta.get("description", ""))


def _project(directory: Path) -> dict[str, Any]:
    """``[project]`` of a checkout's pyproject.toml; empty when there is none to read."""
    try:
        return dict(paths.read_pyproject(directory / "pyproject.toml").get("project", {}))
    except paths.UsageError:
        return {}


def _git(*args: str, repo: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=False)


def is_revision(rev: str, repo: Path | None = None) -> bool:
    """Whether ``rev`` names a commit of the repository.

    Examples
    --------
    >>> is_revision("HEAD"), is_revision("no-such-revision")
    (True, False)
    """
    try:
        return _git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", repo=repo or paths.checkout().root).returncode == 0
    except OSError:
        return False


def from_git(rev: str, repo: Path | None = None, *, sources_dir: str | Path | None = None) -> Snapshot:
    """A revision of the repository: its committed release of its own version, else its data built in memory.

    Examples
    --------
    >>> snapshot = from_git("HEAD")
    >>> snapshot.label.startswith("HEAD") and "events" in snapshot.tables
    True
    """
    repo = repo or paths.checkout().root
    shown = _git("show", f"{rev}:pyproject.toml", repo=repo)
    if shown.returncode != 0:
        raise SnapshotError(f"{rev}: no pyproject.toml at this revision")
    import tomllib

    try:
        version = tomllib.loads(shown.stdout.decode("utf-8"))["project"]["version"]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError):
        raise SnapshotError(f"{rev}: its pyproject.toml names no [project] version") from None
    release = f"releases/{paths.release_dirname(version)}"
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

    Examples
    --------
    >>> from eastasia_data.loader import release_dir
    >>> open_snapshot(release_dir()).version == from_release(release_dir()).version
    True
    >>> open_snapshot("no-such-thing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eastasia_data.errors.SnapshotError: no-such-thing: not a release directory ...
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
