"""The user's walk: the shipped release descriptor names the tables; ``load`` reads one Parquet file.

Nothing here parses schemas or imports pandera or frictionless. Files are opened
only inside the release directory, and only as Parquet and JSON. Which release is read
is :mod:`eastasia_data.releases`' business: every function takes ``version=`` (a released
version, default the shipped one) or ``release=`` (a release directory, such as a scratch
build), as scikit-learn's loaders take ``data_home=``.

Examples
--------
>>> from eastasia_data.releases import release_dir
>>> len(load("events", release=release_dir("0.1.0"))) == len(load("events", version="0.1.0"))
True
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eastasia_data import integrity, paths
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
from eastasia_data.model import Table
from eastasia_data.releases import descriptor, model, registry, release_dir, shipped_releases
from eastasia_data.types import arrow_dates, nullable_types_mapper

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BACKENDS", "IntegrityError", "UnknownTableError", "actual_hashes", "anchor_description", "describe",
           "from_arrow", "load", "load_all", "path", "tables", "verify_release", "verify_releases"]

#: A release directory (``release=``), as a path or its text.
Where = str | Path | None

#: What :func:`load` can return: a pandas DataFrame, a pyarrow Table or a polars DataFrame.
BACKENDS = ("pandas", "arrow", "polars")


def _resources(version: str | None = None, release: Where = None) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in descriptor(version, release=release)["resources"]}


def _resource(name: str, version: str | None = None, release: Where = None) -> dict[str, Any]:
    resources = _resources(version, release)
    if name not in resources:
        import difflib

        close = difflib.get_close_matches(str(name), list(resources), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        where = f" in release {version}" if version else f" in {release}" if release is not None else ""
        raise UnknownTableError(
            f"no table named {name!r}{where}.{hint} The tables are: {', '.join(sorted(resources))} "
            "(see eastasia_data.tables())"
        )
    return resources[name]


def _resource_path(resource: dict[str, Any], version: str | None = None, release: Where = None) -> Path:
    directory = release_dir(version, release=release)
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


def _check_anchor(names: list[str] | None = None, release: Where = None) -> None:
    """Raise IntegrityError if the descriptor (and ``names``) differ from the anchor outside the descriptor."""
    directory = release_dir(release=release)
    anchor = integrity.anchor_for(directory)
    if anchor is not None:
        problems = anchor.check(directory, [paths.DESCRIPTOR, *(names or ())])
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


def tables(version: str | None = None, *, release: Where = None) -> dict[str, str]:
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
    return {name: table.summary for name, table in model(version, release=release).items()}


def path(name: str, version: str | None = None, *, release: Where = None) -> Path:
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
    return _resource_path(_resource(name, version, release), version, release)


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
        # Only here does the model shape the frame (curation.snapshot.TableState.same_rows relies on it).
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


def load(name: str, *, version: str | None = None, release: Where = None, backend: str = "pandas",
         verify: bool = False) -> Any:
    """Load one table, as a pandas DataFrame with the schema's dtypes (or Arrow, or polars).

    Parameters
    ----------
    name : str
        A table name; see :func:`tables`.
    version : str, optional
        A released version, e.g. ``"0.1.0"`` (see :func:`eastasia_data.versions`); default
        the release this package ships. Older releases ship in the wheel within a size
        budget; past it, one is downloaded once and cached (see :mod:`eastasia_data.releases`).
    release : str or Path, optional
        A release directory to read instead (a scratch build, or a copy); not with ``version``.
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
    resource = _resource(name, version, release)
    file = _resource_path(resource, version, release)
    if verify:
        if version is None:
            _check_anchor([file.name], release)
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
    return from_arrow(arrow, model(version, release=release)[name], backend)


def load_all(*, version: str | None = None, release: Where = None, backend: str = "pandas",
             verify: bool = False) -> dict[str, Any]:
    """Every table, as ``{name: DataFrame}``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> frames = ead.load_all()
    >>> sorted(frames) == sorted(ead.tables())
    True
    """
    if not verify:  # the release found once for every table (verify checks each file against its anchor, as load does)
        release, version = release_dir(version, release=release), None
    return {name: load(name, version=version, release=release, backend=backend, verify=verify)
            for name in _resources(version, release)}


def describe(name: str, version: str | None = None, *, release: Where = None) -> pd.DataFrame:
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

    _resource(name, version, release)  # an unknown name raises, naming the valid ones
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
        for f in model(version, release=release)[name].fields
    ]
    return pd.DataFrame(rows).astype({"required": "bool", "ordered": "bool"})


def verify_release(*, release: Where = None) -> list[str]:
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
    return _verify_directory(release_dir(release=release))


def _verify_directory(directory: Path) -> list[str]:
    """The problems of the release in ``directory``: against its anchor, then against its own descriptor."""
    anchor = integrity.anchor_for(directory)
    problems = anchor.check(directory) if anchor is not None else []
    path = directory / paths.DESCRIPTOR
    if not path.is_file():
        return problems + [f"{path}: missing from the installed release"]
    try:
        resources = descriptor(release=directory)["resources"]
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


def verify_releases() -> list[tuple[str, Path, str, list[str]]]:
    """Check every release the installation ships (:func:`shipped_releases`), each against its anchor.

    Returns (version, directory, what it was anchored in, problems) per release. An older
    release is also checked against the sha256 of each file in the registry of releases.

    Examples
    --------
    >>> all(problems == [] for _, _, _, problems in verify_releases())
    True
    """
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
        anchor = integrity.anchor_for(directory)
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
    anchor = integrity.anchor_for(release_dir())
    if anchor is None:
        return "not anchored: no wheel RECORD or git commit covers this release, so only its descriptor was checked"
    return f"anchored in {anchor.what}"


def actual_hashes(version: str | None = None, *, release: Where = None) -> dict[str, str]:
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
    for resource in descriptor(version, release=release)["resources"]:
        path = _resource_path(resource, version, release)
        try:
            out[resource["name"]] = "sha256:" + _sha256(path)
        except FileNotFoundError:
            raise IntegrityError(f"{path}: missing from the installed release; reinstall eastasia-data") from None
    return out
