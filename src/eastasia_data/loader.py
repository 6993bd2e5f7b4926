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
from eastasia_data.errors import IntegrityError, UnknownTableError, UnsafeFileError
from eastasia_data.files import MAX_DESCRIPTOR_BYTES, MAX_TABLE_BYTES, confined, read_bytes
from eastasia_data.model import Table, model_from_descriptor
from eastasia_data.types import nullable_types_mapper

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["IntegrityError", "UnknownTableError", "actual_hashes", "anchor_description", "describe", "descriptor",
           "load", "load_all", "release_dir", "tables", "verify_release"]


def release_dir() -> Path:
    """The directory of the release this package ships.

    In an installed wheel it is ``eastasia_data/release/``; in a checkout, the built
    release of the checkout's version under ``releases/``.

    Raises
    ------
    FileNotFoundError
        Neither is there (in a checkout: run ``eastasia-data build``).

    Examples
    --------
    >>> (release_dir() / "datapackage.json").is_file()
    True
    """
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


def _key() -> tuple[Path, int]:
    path = release_dir() / paths.DESCRIPTOR
    return path, path.stat().st_mtime_ns


def descriptor() -> dict[str, Any]:
    """The release descriptor (``datapackage.json``) as a dict.

    Examples
    --------
    >>> d = descriptor()
    >>> d["name"], "events" in [r["name"] for r in d["resources"]]
    ('eastasia-data', True)
    """
    return _descriptor(*_key())


def model() -> dict[str, Table]:
    """The tables of the release, as the model (built from its descriptor, no YAML).

    Examples
    --------
    >>> model()["events"].primary_key
    ('event_id',)
    """
    return _model(*_key())


def _resources() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in descriptor()["resources"]}


def _resource(name: str) -> dict[str, Any]:
    resources = _resources()
    if name not in resources:
        import difflib

        close = difflib.get_close_matches(str(name), list(resources), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownTableError(
            f"no table named {name!r}.{hint} The tables are: {', '.join(sorted(resources))} "
            "(see eastasia_data.tables())"
        )
    return resources[name]


def _resource_path(resource: dict[str, Any]) -> Path:
    directory = release_dir()
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


def tables() -> dict[str, str]:
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
    """
    return {name: table.summary for name, table in model().items()}


def load(name: str, *, verify: bool = False) -> pd.DataFrame:
    """Load one table as a pandas DataFrame with the schema's dtypes.

    Parameters
    ----------
    name : str
        A table name; see :func:`tables`.
    verify : bool, default False
        Check the file's sha256 against the release descriptor first.

    Returns
    -------
    pandas.DataFrame
        Ids and text as ``str`` dtype; columns with allowed values as ``category`` carrying
        every allowed value in schema order; dates as ``datetime64[ms]`` holding the first
        day of the period their precision column states; integers as ``Int64``.

    Raises
    ------
    UnknownTableError
        ``name`` is not a table; the message lists the valid names.
    IntegrityError
        With ``verify=True``, the file was altered.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> events = ead.load("events")
    >>> str(events["event_id"].dtype), str(events["start_date"].dtype)
    ('str', 'datetime64[ms]')
    >>> list(events["date_precision"].cat.categories)
    ['day', 'month', 'year']
    """
    import pyarrow.parquet as pq

    import pyarrow as pa

    resource = _resource(name)
    path = _resource_path(resource)
    if verify:
        _check_anchor([path.name])
        _check_hash(resource, path)
    if path.is_symlink():
        raise IntegrityError(f"resource {name!r} points outside the release: {path} is a symbolic link")
    # ParquetFile reads the one file directly; read_table would go through pyarrow.dataset, which
    # costs a 0.1-0.3 s import on the first call and about 1 ms per call on small tables.
    try:
        table = pq.ParquetFile(path).read()
    except FileNotFoundError:
        raise IntegrityError(f"{path}: missing from the installed release; reinstall eastasia-data") from None
    except (pa.ArrowException, OSError) as exc:
        raise IntegrityError(f"{path} cannot be read as Parquet ({exc}): the file is damaged; "
                             "run `eastasia-data verify`, then reinstall eastasia-data") from None
    return table.to_pandas(types_mapper=nullable_types_mapper())


def load_all(*, verify: bool = False) -> dict[str, pd.DataFrame]:
    """Every table, as ``{name: DataFrame}``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> frames = ead.load_all()
    >>> sorted(frames) == sorted(ead.tables())
    True
    """
    return {name: load(name, verify=verify) for name in _resources()}


def describe(name: str) -> pd.DataFrame:
    """The documentation of a table's columns, as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        One row per column: ``column``, ``type``, ``dtype`` (as :func:`load` returns it),
        ``required``, ``allowed`` (the allowed values, comma-separated) and ``description``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.describe("events").set_index("column").loc["date_precision", "allowed"]
    'day, month, year'
    """
    import pandas as pd

    _resource(name)  # an unknown name raises, naming the valid ones
    rows = [
        {
            "column": f.name,
            "type": f.type,
            "dtype": f.pandas_dtype,
            "required": f.required,
            "allowed": ", ".join(f.enum),
            "description": f.description,
        }
        for f in model()[name].fields
    ]
    return pd.DataFrame(rows).astype({"required": "bool"})


def verify_release() -> list[str]:
    """Check the release descriptor and every shipped file; return the problems found.

    First against the anchor outside the descriptor (:mod:`eastasia_data.integrity`: the
    wheel's RECORD, or the release as committed in git), so that an edited descriptor is
    caught too; then every resource against the size and sha256 its descriptor records.

    Examples
    --------
    >>> from eastasia_data.loader import verify_release
    >>> verify_release()
    []
    """
    from eastasia_data.integrity import anchor_for

    anchor = anchor_for(release_dir())
    problems = anchor.check(release_dir()) if anchor is not None else []
    try:
        resources = descriptor()["resources"]
    except IntegrityError as exc:
        return problems + [str(exc)]
    for resource in resources:
        try:
            path = _resource_path(resource)
            expected = _recorded_hash(resource)
        except IntegrityError as exc:
            problems.append(str(exc))
            continue
        try:
            data_size = read_bytes(path, root=path.parent, limit=MAX_TABLE_BYTES)
        except FileNotFoundError:
            problems.append(f"{path}: missing from the installed release")
            continue
        except UnsafeFileError as exc:
            problems.append(f"resource {resource['name']!r}: {exc}")
            continue
        size = resource.get("eastasia:bytes")
        if size is not None and len(data_size) != size:
            problems.append(f"{path}: {len(data_size)} bytes, the descriptor says {size}: the file was altered")
            continue
        actual = hashlib.sha256(data_size).hexdigest()
        if actual != expected:
            problems.append(f"{path} does not match the release descriptor (sha256 {actual}, expected {expected}): "
                            "the file was altered; reinstall eastasia-data")
    return list(dict.fromkeys(problems))


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


def actual_hashes() -> dict[str, str]:
    """The sha256 of each table's Parquet file as it is on disk now (``sha256:<hex>``), by table name.

    What :func:`eastasia_data.cite` names, so that a citation states the data actually present.

    Examples
    --------
    >>> hashes = actual_hashes()
    >>> hashes["events"] == _resource("events")["hash"]
    True
    """
    out = {}
    for resource in descriptor()["resources"]:
        path = _resource_path(resource)
        try:
            out[resource["name"]] = "sha256:" + _sha256(path)
        except FileNotFoundError:
            raise IntegrityError(f"{path}: missing from the installed release; reinstall eastasia-data") from None
    return out
