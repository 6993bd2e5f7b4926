"""The two ``datapackage.json`` files: the checkout's (CSV tables) and a release's (Parquet files).

Both are derived from the model and the package facts (:class:`eastasia_data.model.Package`,
from ``pyproject.toml``); nothing here is written by hand.

Frictionless 5 validates Parquet resources but cannot count their bytes (a ``bytes``
property fails with "actual is None") and ignores their ``hash``. A release descriptor
therefore carries ``hash`` (``sha256:…``), which frictionless accepts and ``verify``
checks, and records the size as ``eastasia:bytes``, a property frictionless leaves alone.

Examples
--------
>>> from eastasia_data.curation.descriptor import root_descriptor
>>> from eastasia_data.curation.schemas import read_model
>>> root_descriptor(read_model())["resources"][0]["path"]
'data/actors.csv'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from eastasia_data import paths
from eastasia_data.model import Package, Table

PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
GENERATED_NOTE = "by `eastasia-data generate` from schemas/; do not edit by hand"


def checkout_package(checkout: paths.Checkout | None = None) -> Package:
    """The package facts of a checkout, from its ``pyproject.toml``.

    Examples
    --------
    >>> checkout_package().title.startswith("eastasia-data")
    True
    """
    return Package.from_pyproject((checkout or paths.checkout()).pyproject())


def sha256(data: bytes) -> str:
    """The SHA-256 of ``data``, lowercase hexadecimal.

    Examples
    --------
    >>> sha256(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def archived_sources(package: Package, frame) -> list[dict[str, str]]:
    """The archived texts as Data Package ``sources`` (title and, where known, URL).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"archive_file": ["a.txt", None], "title": ["A", "B"], "url": [None, "u"]})
    >>> archived_sources(checkout_package(), frame)
    [{'title': 'A'}]
    """
    if package.archive is None:
        return []
    a = package.archive
    out = []
    for title, url in zip(frame.loc[frame[a.file].notna(), a.title], frame.loc[frame[a.file].notna(), a.url]):
        item = {"title": title}
        if isinstance(url, str):
            item["path"] = url
        out.append(item)
    return out


def release_descriptor(package: Package, model: Mapping[str, Table], files: Mapping[str, bytes],
                       rows: Mapping[str, int], sources: list[dict[str, str]], created: str) -> dict[str, Any]:
    """A release's ``datapackage.json`` (Data Package v2): one Parquet resource per table.

    Parameters
    ----------
    package : Package
        The package facts (version, title, licences, ...).
    model : mapping of str to Table
        The tables.
    files : mapping of str to bytes
        Each table's Parquet bytes (for the hash and size).
    rows : mapping of str to int
        Each table's row count.
    sources : list of dict
        The archived articles, as Data Package ``sources``.
    created : str
        RFC 3339 time of the release.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> model = {"strategy_targets": read_model()["strategy_targets"]}
    >>> d = release_descriptor(checkout_package(), model, {"strategy_targets": b"PAR1"},
    ...                        {"strategy_targets": 0}, [], "2026-01-01T00:00:00Z")
    >>> d["resources"][0]["path"], d["resources"][0]["eastasia:bytes"]
    ('strategy_targets.parquet', 4)
    """
    resources = []
    for name, table in model.items():
        data = files[name]
        resources.append({
            "name": name,
            "path": f"{name}.parquet",
            "format": "parquet",
            "mediatype": PARQUET_MEDIATYPE,
            "hash": f"sha256:{sha256(data)}",
            "eastasia:bytes": len(data),
            "eastasia:rows": rows[name],
            "description": table.description,
            "schema": table.to_table_schema(stored=True),
        })
    props = package.to_descriptor()
    head = {k: props.pop(k) for k in ("$schema", "name", "title", "description", "version")}
    return {**head, "created": created, "licenses": props.pop("licenses"), "sources": sources,
            "contributors": props.pop("contributors"), **props, "resources": resources}


def root_descriptor(model: Mapping[str, Table], package: Package | None = None) -> dict[str, Any]:
    """The checkout's ``datapackage.json``: the CSV tables, described from ``schemas/``.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> root_descriptor(read_model())["eastasia:generated"].startswith("by `eastasia-data generate`")
    True
    """
    package = package or checkout_package()
    return {
        **package.to_descriptor(),
        "eastasia:generated": GENERATED_NOTE,
        "resources": [
            {
                "name": name,
                "path": f"data/{table.csv_name}",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": table.description,
                "schema": table.to_table_schema(),
            }
            for name, table in model.items()
        ],
    }


def descriptor_bytes(descriptor: Mapping[str, Any]) -> bytes:
    """A descriptor as the bytes written to disk: UTF-8 JSON, two-space indent, final newline.

    Examples
    --------
    >>> descriptor_bytes({"name": "Пхеньян"}).decode("utf-8").splitlines()
    ['{', '  "name": "Пхеньян"', '}']
    """
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
