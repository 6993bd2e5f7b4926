"""The user's walk: the shipped release descriptor names the tables; ``load`` reads one Parquet file.

Nothing here parses schemas or imports pandera or frictionless. Files are opened
only inside the release directory, and only as Parquet and JSON.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eastasia_data import paths
from eastasia_data.errors import (
    IntegrityError,
    UnknownTableError,
    UnsafeFileError,
    UsageError,
    require,
)
from eastasia_data.files import (
    MAX_DESCRIPTOR_BYTES,
    MAX_TABLE_BYTES,
    confined,
    read_bytes,
)
from eastasia_data.model import Table, model_from_descriptor
from eastasia_data.types import arrow_dates, nullable_types_mapper

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BACKENDS", "IntegrityError", "UnknownTableError", "actual_hashes", "anchor_description", "describe",
           "descriptor", "from_arrow", "load", "load_all", "path", "read_release_table", "release_dir", "tables",
           "verify_release"]

#: What :func:`load` can return: a pandas DataFrame, a pyarrow Table or a polars DataFrame.
BACKENDS = ("pandas", "arrow", "polars")


def release_dir(version: str | None = None) -> Path:
    """The directory of a release: Parquet per table plus ``datapackage.json``.

    With no version, the release this package ships: in an installed wheel it is
    ``eastasia_data/release/``; in a checkout, the built release of the checkout's version
    under ``releases/``. With a version, see :func:`eastasia_data.releases.release_dir`
    (an older release may be downloaded).

    Raises
    ------
    FileNotFoundError
        Neither is there (in a checkout: run ``eastasia-data build``).

    Examples
    --------
    >>> (release_dir() / "datapackage.json").is_file()
    True
    """
    if version is not None:
        from eastasia_data.releases import release_dir as versioned

        return versioned(version)
    if (paths.SHIPPED_RELEASE / paths.DESCRIPTOR).is_file():
        return paths.SHIPPED_RELEASE
    source = paths.source_checkout()
    if source is not None:
        built = source.release_dir()
        if (built / paths.DESCRIPTOR).is_file():
            return built
    raise FileNotFoundError(
        "this installation ships no release; in a checkout, run `eastasia-data build` first"
    )


def checkout_version() -> str | None:
    """The version of the source checkout this package runs from, if it runs from one.

    An editable install's metadata keeps the version it was installed with; the checkout's
    ``pyproject.toml`` says what it is now.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> checkout_version() in (None, ead.__version__)
    True
    """
    source = paths.source_checkout()
    if source is None:
        return None
    try:
        return source.version
    except Exception:  # an unreadable pyproject in a source checkout: fall back to the metadata
        return None


@lru_cache(maxsize=8)
def _descriptor(path: Path, mtime_ns: int) -> dict[str, Any]:
    try:
        data = read_bytes(path, root=path.parent, limit=MAX_DESCRIPTOR_BYTES)
        descriptor = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise IntegrityError(f"{path} is not UTF-8: the release descriptor is damaged; reinstall eastasia-data") from None
    except ValueError as exc:
        raise IntegrityError(f"{path} is not valid JSON ({exc}): the release descriptor is damaged; "
                             "reinstall eastasia-data") from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) and isinstance(r.get("name"), str)
                                                  and isinstance(r.get("path"), str) for r in resources):
        raise IntegrityError(f"{path} does not describe a release (each resource needs a name and a path): "
                             "the release descriptor is damaged; reinstall eastasia-data")
    return descriptor


@lru_cache(maxsize=8)
def _model(path: Path, mtime_ns: int) -> dict[str, Table]:
    return model_from_descriptor(_descriptor(path, mtime_ns))


def _dir(version: str | None) -> Path:
    """The release directory of ``version``; None is the shipped release (looked up as ``release_dir()``)."""
    return release_dir() if version is None else release_dir(version)


def _key(version: str | None = None) -> tuple[Path, int]:
    path = _dir(version) / paths.DESCRIPTOR
    return path, path.stat().st_mtime_ns


def descriptor(version: str | None = None) -> dict[str, Any]:
    """The release descriptor (``datapackage.json``) as a dict (default: the shipped release).

    Examples
    --------
    >>> d = descriptor()
    >>> d["name"], "events" in [r["name"] for r in d["resources"]]
    ('eastasia-data', True)
    >>> descriptor("0.1.0")["version"]
    '0.1.0'
    """
    return _descriptor(*_key(version))


def model(version: str | None = None) -> dict[str, Table]:
    """The tables of a release, as the model (built from its descriptor, no YAML).

    Examples
    --------
    >>> model()["events"].primary_key
    ('event_id',)
    >>> "passages" in model("0.1.0")
    False
    """
    return _model(*_key(version))


def _resources(version: str | None = None) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in descriptor(version)["resources"]}


def _resource(name: str, version: str | None = None) -> dict[str, Any]:
    resources = _resources(version)
    if name not in resources:
        import difflib

        close = difflib.get_close_matches(str(name), list(resources), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        where = f" in release {version}" if version else ""
        raise UnknownTableError(
            f"no table named {name!r}{where}.{hint} The tables are: {', '.join(sorted(resources))} "
            "(see eastasia_data.tables())"
        )
    return resources[name]


def _resource_path(resource: dict[str, Any], version: str | None = None) -> Path:
    directory = _dir(version)
    try:
        path = confined(directory, resource["path"])
    except UnsafeFileError:
        raise IntegrityError(f"resource {resource['name']!r} points outside the release: {resource['path']!r}") from None
    if path.suffix != ".parquet":
        raise IntegrityError(f"resource {resource['name']!r} points outside the release: {resource['path']!r}")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(read_bytes(path, root=path.parent, limit=MAX_TABLE_BYTES)).hexdigest()


def _recorded_hash(resource: dict[str, Any]) -> str:
    recorded = resource.get("hash")
    if not isinstance(recorded, str) or not recorded.startswith("sha256:"):
        raise IntegrityError(f"resource {resource['name']!r} records no sha256 hash in the release descriptor: "
                             "the descriptor is damaged; reinstall eastasia-data")
    return recorded.removeprefix("sha256:")


def _check_anchor(names: list[str] | None = None) -> None:
    """Raise IntegrityError if the descriptor (and ``names``) differ from the anchor outside the descriptor."""
    from eastasia_data.integrity import anchor_for

    anchor = anchor_for(release_dir())
    if anchor is not None:
        problems = anchor.check(release_dir(), [paths.DESCRIPTOR, *(names or ())])
        if problems:
            raise IntegrityError(problems[0])


def _check_hash(resource: dict[str, Any], path: Path) -> None:
    expected = _recorded_hash(resource)
    try:
        actual = _sha256(path)
    except FileNotFoundError:
        raise IntegrityError(f"{path}: missing from the installed release; reinstall eastasia-data") from None
    if actual != expected:
        raise IntegrityError(
            f"{path} does not match the release descriptor (sha256 {actual}, expected {expected}): "
            "the file was altered; reinstall eastasia-data"
        )


def tables(version: str | None = None) -> dict[str, str]:
    """The tables of the release, each with a one-line description.

    Returns
    -------
    dict of str to str
        Table name → what one row of it is, in release order.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> "events" in ead.tables()
    True
    >>> len(ead.tables("0.1.0"))
    9
    """
    return {name: table.summary for name, table in model(version).items()}


def path(name: str, version: str | None = None) -> Path:
    """The Parquet file of one table, for polars, DuckDB, R or any other tool.

    Parameters
    ----------
    name : str
        A table name; see :func:`tables`.
    version : str, optional
        A released version (see :func:`eastasia_data.versions`); default the shipped one.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.path("events").name, ead.path("events").is_file()
    ('events.parquet', True)
    >>> ead.path("events", version="0.1.0").parent.name
    'eastasia-data-0.1.0'
    """
    return _resource_path(_resource(name, version), version)


def read_release_table(directory: Path, name: str, *, backend: str = "pandas"):
    """Read table ``name`` from the release in ``directory`` (any release, even one not registered).

    What :func:`load` does once it has found the release; tests use it on a scratch build.

    Examples
    --------
    >>> read_release_table(release_dir(), "events", backend="arrow").schema.field("start_date").type
    DataType(date32[day])
    """
    import pyarrow.parquet as pq

    desc_path = Path(directory) / paths.DESCRIPTOR
    tables = _model(desc_path, desc_path.stat().st_mtime_ns)
    resources = {r["name"]: r for r in _descriptor(desc_path, desc_path.stat().st_mtime_ns)["resources"]}
    if name not in resources:
        raise UnknownTableError(f"no table named {name!r} in {directory}")
    file = (Path(directory) / resources[name]["path"]).resolve()
    if file.parent != Path(directory).resolve() or file.suffix != ".parquet":
        raise IntegrityError(f"resource {name!r} points outside the release: {resources[name]['path']!r}")
    return from_arrow(pq.ParquetFile(file).read(), tables[name], backend)


def from_arrow(arrow, table: Table, backend: str = "pandas"):
    """An Arrow table of a release's table as :func:`load` returns it, whichever way its dates are stored.

    pandas gets dates as ``datetime64[ms]`` and nullable integers; Arrow and polars get
    dates as ``date32`` days. Anything that reads a release's Parquet itself should go
    through here, so that releases storing timestamps (up to 1.0.0) and dates agree.

    Parameters
    ----------
    arrow : pyarrow.Table
    table : Table
        The table's model (names the date columns).
    backend : {"pandas", "arrow", "polars"}

    Examples
    --------
    >>> import pyarrow.parquet as pq
    >>> arrow = pq.read_table(path("events"))
    >>> str(from_arrow(arrow, model()["events"])["start_date"].dtype)
    'datetime64[ms]'
    """
    dates = [f.name for f in table.fields if f.kind in ("date", "partial_date")]
    if backend == "pandas":  # date32 (from 2.0.0) and timestamp[ms] (up to 1.0.0) both become datetime64[ms]
        frame = arrow.to_pandas(types_mapper=nullable_types_mapper(), date_as_object=False)
        if not arrow.num_rows:  # the Parquet of an empty table holds no dictionary: categories from the model
            for f in table.fields:
                if f.kind == "category" and f.name in frame.columns:
                    frame[f.name] = frame[f.name].cat.set_categories(list(f.enum), ordered=f.ordered)
        return frame
    arrow = arrow_dates(arrow, dates, to="date32")
    if backend == "arrow":
        return arrow
    polars = require("polars", "polars", "load(..., backend='polars')")
    return polars.from_arrow(arrow)


def load(name: str, *, version: str | None = None, backend: str = "pandas", verify: bool = False) -> Any:
    """Load one table, as a pandas DataFrame with the schema's dtypes (or Arrow, or polars).

    Parameters
    ----------
    name : str
        A table name; see :func:`tables`.
    version : str, optional
        A released version, e.g. ``"0.1.0"`` (see :func:`eastasia_data.versions`); default
        the release this package ships. Older releases ship in the wheel within a size
        budget; past it, one is downloaded once and cached (see :mod:`eastasia_data.releases`).
    backend : {"pandas", "arrow", "polars"}, default "pandas"
        ``"arrow"`` returns a ``pyarrow.Table``, ``"polars"`` a ``polars.DataFrame`` (the
        ``polars`` extra); both hold dates as ``date32`` days.
    verify : bool, default False
        Check the file's sha256 against the release descriptor first.

    Returns
    -------
    pandas.DataFrame
        Ids and text as ``str`` dtype; columns with allowed values as ``category`` carrying
        every allowed value in schema order (ordered where the schema says the order is a
        scale: ``claims.verdict`` and ``sources.reliability`` from the release after 1.0.0);
        dates as ``datetime64[ms]`` holding the first day of the period their precision
        column states (:func:`eastasia_data.period_end` gives the last); integers as ``Int64``.

    Raises
    ------
    UnknownTableError
        ``name`` is not a table; the message lists the valid names.
    UnknownVersionError
        ``version`` was never released; the message lists the versions.
    IntegrityError
        With ``verify=True`` (always, for a download), the file was altered.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> events = ead.load("events")
    >>> str(events["event_id"].dtype), str(events["start_date"].dtype)
    ('str', 'datetime64[ms]')
    >>> list(events["date_precision"].cat.categories)
    ['day', 'month', 'year']
    >>> len(ead.load("events", version="0.1.0")) < len(events)
    True
    >>> ead.load("events", backend="arrow").schema.field("start_date").type
    DataType(date32[day])
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if backend not in BACKENDS:
        raise UsageError(f"backend={backend!r}: use one of {', '.join(BACKENDS)}")
    resource = _resource(name, version)
    file = _resource_path(resource, version)
    if verify:
        if version is None:
            _check_anchor([file.name])
        _check_hash(resource, file)
    if file.is_symlink():
        raise IntegrityError(f"resource {name!r} points outside the release: {file} is a symbolic link")
    # ParquetFile reads the one file directly; read_table would go through pyarrow.dataset, which
    # costs a 0.1-0.3 s import on the first call and about 1 ms per call on small tables.
    try:
        arrow = pq.ParquetFile(file).read()
    except FileNotFoundError:
        raise IntegrityError(f"{file}: missing from the installed release; reinstall eastasia-data") from None
    except (pa.ArrowException, OSError) as exc:
        raise IntegrityError(f"{file} cannot be read as Parquet ({exc}): the file is damaged; "
                             "run `eastasia-data verify`, then reinstall eastasia-data") from None
    return from_arrow(arrow, model(version)[name], backend)


def load_all(*, version: str | None = None, backend: str = "pandas", verify: bool = False) -> dict[str, Any]:
    """Every table, as ``{name: DataFrame}``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> frames = ead.load_all()
    >>> sorted(frames) == sorted(ead.tables())
    True
    """
    return {name: load(name, version=version, backend=backend, verify=verify) for name in _resources(version)}


def describe(name: str, version: str | None = None) -> pd.DataFrame:
    """The documentation of a table's columns, as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``type``, ``dtype`` (as :func:`load` returns it),
        ``required``, ``allowed`` (the allowed values, comma-separated), ``ordered`` (the
        allowed values are a scale, in that order), ``labels`` (a dict: each allowed value
        → its meaning; empty when any value is allowed) and ``description``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> d = ead.describe("events").set_index("column")
    >>> d.loc["date_precision", "allowed"]
    'day, month, year'
    >>> d.loc["basis", "labels"]["mentioned"]
    'An article names or describes the event'
    """
    import pandas as pd

    _resource(name, version)  # an unknown name raises, naming the valid ones
    rows = [
        {
            "column": f.name,
            "type": f.type,
            "dtype": f.pandas_dtype,
            "required": f.required,
            "allowed": ", ".join(f.enum),
            "ordered": f.ordered,
            "labels": {c.value: c.label for c in f.categories},
            "description": f.description,
        }
        for f in model(version)[name].fields
    ]
    return pd.DataFrame(rows).astype({"required": "bool", "ordered": "bool"})


def verify_release() -> list[str]:
    """Check the release descriptor and every shipped file; return the problems found.

    First against the anchor outside the descriptor (:mod:`eastasia_data.integrity`: the
    wheel's RECORD, or the release as committed in git), so that an edited descriptor is
    caught too; then every resource against the size and sha256 its descriptor records.
    :func:`verify_releases` checks every release the installation ships this way.

    Examples
    --------
    >>> from eastasia_data.loader import verify_release
    >>> verify_release()
    []
    """
    return _verify_directory(release_dir())


def _verify_directory(directory: Path) -> list[str]:
    """The problems of the release in ``directory``: against its anchor, then against its own descriptor."""
    from eastasia_data.integrity import anchor_for

    anchor = anchor_for(directory)
    problems = anchor.check(directory) if anchor is not None else []
    path = directory / paths.DESCRIPTOR
    try:
        resources = _descriptor(path, path.stat().st_mtime_ns)["resources"]
    except FileNotFoundError:
        return problems + [f"{path}: missing from the installed release"]
    except IntegrityError as exc:
        return problems + [str(exc)]
    for resource in resources:
        try:
            file = confined(directory, resource["path"])
            if file.suffix != ".parquet":
                raise UnsafeFileError(resource["path"])
        except UnsafeFileError:
            problems.append(f"resource {resource['name']!r} points outside the release: {resource['path']!r}")
            continue
        if any(str(file) in p for p in problems):
            continue  # the anchor named it already: one line per file
        try:
            expected = _recorded_hash(resource)
        except IntegrityError as exc:
            problems.append(str(exc))
            continue
        try:
            data = read_bytes(file, root=file.parent, limit=MAX_TABLE_BYTES)
        except FileNotFoundError:
            problems.append(f"{file}: missing from the installed release")
            continue
        except UnsafeFileError as exc:
            problems.append(f"resource {resource['name']!r}: {exc}")
            continue
        size = resource.get("eastasia:bytes")
        if size is not None and len(data) != size:
            problems.append(f"{file}: {len(data)} bytes, the descriptor says {size}: the file was altered")
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            problems.append(f"{file} does not match the release descriptor (sha256 {actual}, expected {expected}): "
                            "the file was altered; reinstall eastasia-data")
    return list(dict.fromkeys(problems))


def shipped_releases() -> list[tuple[str, Path]]:
    """Every release this installation holds, oldest first: (version, directory).

    The release it loads by default, and the older ones that ``load(version=…)`` reads
    without a download: in a wheel ``eastasia_data/releases/``, in a checkout ``releases/``.

    Examples
    --------
    >>> [v for v, _ in shipped_releases()][:2]
    ['0.1.0', '1.0.0']
    """
    from eastasia_data.releases import SHIPPED_OLDER

    def version_key(version: str) -> tuple:
        parts = version.split(".")
        return (0, *map(int, parts)) if all(p.isdigit() for p in parts) else (1, version)

    found: dict[str, Path] = {}
    folders = [SHIPPED_OLDER]
    source = paths.source_checkout()
    if source is not None:
        folders.append(source.releases_dir)
    prefix = paths.release_dirname("")
    for folder in folders:
        if not folder.is_dir():
            continue
        for directory in sorted(folder.iterdir()):
            if directory.is_dir() and not directory.is_symlink() and directory.name.startswith(prefix):
                found.setdefault(directory.name.removeprefix(prefix), directory)
    try:
        current = release_dir()
    except FileNotFoundError:
        current = None
    if current is not None:
        try:
            version = str(json.loads((current / paths.DESCRIPTOR).read_bytes().decode("utf-8"))["version"])
        except (OSError, ValueError, KeyError, TypeError):
            version = checkout_version() or "the shipped release"
        found[version] = current
    return sorted(found.items(), key=lambda item: version_key(item[0]))


def verify_releases() -> list[tuple[str, Path, str, list[str]]]:
    """Check every release the installation ships (:func:`shipped_releases`), each against its anchor.

    Returns (version, directory, what it was anchored in, problems) per release. An older
    release is also checked against the sha256 of each file in the registry of releases.

    Examples
    --------
    >>> all(problems == [] for _, _, _, problems in verify_releases())
    True
    """
    from eastasia_data.releases import registry
    from eastasia_data.integrity import anchor_for

    recorded = {entry["version"]: entry.get("files") or {} for entry in registry().get("releases", [])}
    out = []
    for version, directory in shipped_releases():
        problems = _verify_directory(directory)
        for name, digest in sorted(recorded.get(version, {}).items()):
            file = directory / name
            if any(str(file) in p for p in problems):
                continue  # already named: one line per file
            try:
                actual = "sha256:" + hashlib.sha256(read_bytes(file, root=directory, limit=MAX_TABLE_BYTES)).hexdigest()
            except FileNotFoundError:
                problems.append(f"{file}: missing from the installed release")
                continue
            except UnsafeFileError as exc:
                problems.append(f"{file}: {exc}")
                continue
            if actual != digest:
                problems.append(f"{file}: differs from the registry of releases (registry.json): the file was altered")
        anchor = anchor_for(directory)
        what = [f"anchored in {anchor.what}"] if anchor is not None else []
        if version in recorded:
            what.append("the registry's sha256 values")
        out.append((version, directory, " and ".join(what) or "not anchored: only its descriptor was checked",
                    list(dict.fromkeys(problems))))
    return out


def anchor_description() -> str:
    """What the release was checked against besides its own descriptor, for ``verify`` to state.

    Examples
    --------
    >>> anchor_description().startswith(("anchored in", "not anchored"))
    True
    """
    from eastasia_data.integrity import anchor_for

    anchor = anchor_for(release_dir())
    if anchor is None:
        return "not anchored: no wheel RECORD or git commit covers this release, so only its descriptor was checked"
    return f"anchored in {anchor.what}"


def actual_hashes(version: str | None = None) -> dict[str, str]:
    """The sha256 of each table's Parquet file as it is on disk now (``sha256:<hex>``), by table name.

    What :func:`eastasia_data.cite` names, so that a citation states the data actually present.

    Examples
    --------
    >>> hashes = actual_hashes()
    >>> hashes["events"] == _resource("events")["hash"]
    True
    >>> actual_hashes("0.1.0")["events"] == _resource("events", "0.1.0")["hash"]
    True
    """
    out = {}
    for resource in descriptor(version)["resources"]:
        path = _resource_path(resource, version)
        try:
            out[resource["name"]] = "sha256:" + _sha256(path)
        except FileNotFoundError:
            raise IntegrityError(f"{path}: missing from the installed release; reinstall eastasia-data") from None
    return out
