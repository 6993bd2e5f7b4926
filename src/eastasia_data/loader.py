"""The user's walk: the shipped release descriptor names the tables; ``load`` reads one Parquet file.

Nothing here parses schemas or imports pandera or frictionless. Files are opened
only inside the release directory, and only as Parquet and JSON.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from eastasia_data import paths

#: Nullable pandas dtypes for Arrow types whose default conversion would lose missing values.
_NULLABLE = None


class UnknownTableError(KeyError):
    """The table name is not one of the release's tables."""

    def __str__(self) -> str:
        return str(self.args[0])


class IntegrityError(RuntimeError):
    """A shipped file does not match the hash in the release descriptor."""


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
    shipped = paths.PACKAGE_DIR / "release"
    if (shipped / "datapackage.json").is_file():
        return shipped
    built = sorted(paths.releases_dir().glob("eastasia-data-*/datapackage.json"))
    if built:
        version = _checkout_version()
        for path in built:
            if path.parent.name == f"eastasia-data-{version}":
                return path.parent
    raise FileNotFoundError(
        "this installation ships no release; in a checkout, run `eastasia-data build` first"
    )


@lru_cache(maxsize=1)
def _checkout_version() -> str | None:
    """The version in the checkout's pyproject.toml, read once per process (``load`` asks on every call)."""
    import tomllib

    try:
        return tomllib.loads((paths.REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, ValueError):
        return None


@lru_cache(maxsize=None)
def _descriptor(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))


def descriptor() -> dict[str, Any]:
    """The release descriptor (``datapackage.json``) as a dict.

    Examples
    --------
    >>> d = descriptor()
    >>> d["name"], "events" in [r["name"] for r in d["resources"]]
    ('eastasia-data', True)
    """
    return _descriptor(release_dir())


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
    directory = release_dir().resolve()
    path = (directory / resource["path"]).resolve()
    if path.parent != directory or path.suffix != ".parquet":
        raise IntegrityError(f"resource {resource['name']!r} points outside the release: {resource['path']!r}")
    return path


def _check_hash(resource: dict[str, Any], path: Path) -> None:
    expected = resource["hash"].removeprefix("sha256:")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
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
    out = {}
    for r in descriptor()["resources"]:
        text = " ".join(r.get("description", "").split())
        out[r["name"]] = text.split(". ")[0].rstrip(".") + "."
    return out


def load(name: str, *, verify: bool = False):
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

    resource = _resource(name)
    path = _resource_path(resource)
    if verify:
        _check_hash(resource, path)
    # ParquetFile reads the one file directly; read_table would go through pyarrow.dataset, which
    # costs a 0.1-0.3 s import on the first call and about 1 ms per call on small tables.
    return pq.ParquetFile(path).read().to_pandas(types_mapper=_types_mapper())


def _types_mapper():
    global _NULLABLE
    if _NULLABLE is None:
        import pandas as pd
        import pyarrow as pa

        _NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
    return _NULLABLE


def load_all(*, verify: bool = False) -> dict:
    """Every table, as ``{name: DataFrame}``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> frames = ead.load_all()
    >>> sorted(frames) == sorted(ead.tables())
    True
    """
    return {name: load(name, verify=verify) for name in _resources()}


def describe(name: str):
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

    schema = _resource(name)["schema"]
    rows = []
    for f in schema["fields"]:
        constraints = f.get("constraints", {})
        if "categories" in f:
            dtype = "category"
        elif "precisionField" in f or f["type"] == "date":
            dtype = "datetime64[ms]"
        else:
            dtype = {"string": "str", "integer": "Int64", "number": "float64", "boolean": "boolean"}[f["type"]]
        rows.append({
            "column": f["name"],
            "type": f["type"],
            "dtype": dtype,
            "required": bool(constraints.get("required", False)),
            "allowed": ", ".join(constraints.get("enum", [])),
            "description": f.get("description", ""),
        })
    return pd.DataFrame(rows).astype({"required": "bool"})


def verify_release() -> list[str]:
    """Check every shipped file against the release descriptor; return the problems found.

    Examples
    --------
    >>> from eastasia_data.loader import verify_release
    >>> verify_release()
    []
    """
    problems = []
    for resource in descriptor()["resources"]:
        try:
            path = _resource_path(resource)
        except IntegrityError as exc:
            problems.append(str(exc))
            continue
        if not path.is_file():
            problems.append(f"{path}: missing from the installed release")
            continue
        size = resource.get("eastasia:bytes")
        if size is not None and path.stat().st_size != size:
            problems.append(f"{path}: {path.stat().st_size} bytes, the descriptor says {size}: the file was altered")
            continue
        try:
            _check_hash(resource, path)
        except IntegrityError as exc:
            problems.append(str(exc))
    return problems
