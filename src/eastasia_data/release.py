"""Releases: valid tables → typed Parquet files plus a Data Package v2 descriptor.

A release lives in ``<out>/eastasia-data-<version>/`` (default ``releases/``, kept in
git, so every published version stays in the history). Building is:

* **validated**: only data that passes :func:`eastasia_data.validate` is built;
* **reproducible**: the same commit gives the same bytes. Parquet files are written from
  Arrow tables made here (no pandas metadata, so no pandas version inside), with fixed
  compression; ``created`` comes from ``SOURCE_DATE_EPOCH`` or the last commit. Only the
  ``created_by`` stamp of pyarrow remains, which is why the release environment pins pyarrow;
* **atomic**: files are written to a temporary directory beside the target and renamed
  into place, so a failed build leaves nothing behind;
* **immutable**: a version already built is never overwritten. Building it again with the
  same content changes nothing; with different content it is refused.

Frictionless 5 validates Parquet resources but cannot count their bytes (a ``bytes``
property fails with "actual is None") and ignores their ``hash``. The descriptor therefore
carries ``hash`` (``sha256:…``), which frictionless accepts and :func:`verify_release`
checks, and records the size as ``eastasia:bytes``, a property frictionless leaves alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eastasia_data import paths
from eastasia_data.model import Table

PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
DESCRIPTOR = "datapackage.json"
LICENSES = [
    {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
     "title": "Creative Commons Attribution 4.0 International (data)"},
    {"name": "MIT", "path": "https://opensource.org/license/mit", "title": "MIT License (code)"},
]
CONTRIBUTORS = [{"title": "eastasia-data contributors", "roles": ["author"]}]
TITLE = "eastasia-data: the Russia-North Korea alignment and the responses to it"


class BuildError(RuntimeError):
    """The release cannot be built; the message says why and what to do."""


@dataclass
class BuildResult:
    path: Path
    version: str
    status: str  # "built" or "unchanged"


def project_metadata(repo: Path | None = None) -> dict[str, Any]:
    """The ``[project]`` table of the checkout's pyproject.toml."""
    path = (repo or paths.REPO_DIR) / "pyproject.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise BuildError(f"cannot read the version from {path}: {exc}") from None


def created_timestamp(repo: Path | None = None) -> str:
    """RFC 3339 time of the release: ``SOURCE_DATE_EPOCH`` if set, else the last commit's time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        try:
            epoch = subprocess.run(
                ["git", "log", "-1", "--format=%ct"], cwd=repo or paths.REPO_DIR,
                capture_output=True, text=True, check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            epoch = ""
    if not epoch.isdigit():
        raise BuildError("cannot date the release: set SOURCE_DATE_EPOCH or build inside a git checkout")
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def arrow_table(table: Table, frame):
    """The text frame of a valid table as an Arrow table with the model's types."""
    import pandas as pd
    import pyarrow as pa

    from eastasia_data.checks.table import parse_partial_dates

    arrays, fields = [], []
    for f in table.fields:
        values = frame[f.name]
        if f.categories:
            cat = pd.Categorical(values, categories=list(f.enum))
            codes = pa.array(cat.codes, type=pa.int8(), mask=cat.codes < 0)
            array = pa.DictionaryArray.from_arrays(codes, pa.array(list(f.enum), pa.string()))
        elif f.is_partial_date or f.type == "date":
            array = pa.array(parse_partial_dates(values), type=pa.timestamp("ms"))
        elif f.type == "integer":
            array = pa.array(pd.to_numeric(values).astype("Int64"), type=pa.int64())
        elif f.type == "number":
            array = pa.array(pd.to_numeric(values), type=pa.float64())
        elif f.type == "boolean":
            array = pa.array(values.map({"true": True, "false": False}).astype("boolean"), type=pa.bool_())
        else:
            array = pa.array(values.astype(object).where(values.notna(), None), type=pa.string())
        arrays.append(array)
        fields.append(pa.field(f.name, array.type, nullable=not f.required,
                               metadata={"description": f.description}))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"table": table.name}))


def parquet_bytes(arrow) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(arrow, buf, compression="zstd", compression_level=3, store_schema=True,
                   write_statistics=True, use_dictionary=True)
    return buf.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def release_descriptor(model: dict[str, Table], files: dict[str, bytes], rows: dict[str, int],
                       sources: list[dict[str, str]], meta: dict[str, Any], created: str) -> dict[str, Any]:
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
    props = package_properties(meta)
    order = ("$schema", "name", "title", "description", "version", "created", "licenses", "sources", "contributors")
    props.update(created=created, sources=sources)
    return {**{k: props[k] for k in order}, "resources": resources}


def package_properties(meta: dict[str, Any]) -> dict[str, Any]:
    """The package-level properties shared by the root and the release descriptor."""
    return {
        "$schema": PROFILE,
        "name": "eastasia-data",
        "title": TITLE,
        "description": meta["description"],
        "version": meta["version"],
        "licenses": LICENSES,
        "contributors": CONTRIBUTORS,
    }


def descriptor_bytes(descriptor: dict[str, Any]) -> bytes:
    return (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _archived_sources(frame) -> list[dict[str, str]]:
    out = []
    for row in frame[frame["archive_file"].notna()].itertuples(index=False):
        item = {"title": row.title}
        if isinstance(row.url, str):
            item["path"] = row.url
        out.append(item)
    return out


def _same_release(target: Path, files: dict[str, bytes], descriptor: dict[str, Any]) -> list[str]:
    """The names of the files that differ between a built release and the one about to be built."""
    differing = []
    present = {p.name for p in target.iterdir()}
    wanted = {f"{n}.parquet" for n in files} | {DESCRIPTOR}
    differing += sorted(present ^ wanted)
    for name, data in files.items():
        path = target / f"{name}.parquet"
        if path.is_file() and path.read_bytes() != data:
            differing.append(path.name)
    try:
        old = json.loads((target / DESCRIPTOR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if old is not None:
        old = {k: v for k, v in old.items() if k != "created"}
        new = {k: v for k, v in descriptor.items() if k != "created"}
        if old != new:
            differing.append(DESCRIPTOR)
    return sorted(set(differing))


def build(out_dir: str | Path | None = None, *, report=None, **validate_args) -> BuildResult:
    """Validate the tables and write ``<out_dir>/eastasia-data-<version>/``.

    Parameters
    ----------
    out_dir : path, optional
        Parent directory of the release; default ``releases/`` in the checkout.
    report : Report, optional
        A validation report already made, to avoid validating twice.
    **validate_args
        Passed to :func:`eastasia_data.validate` (``data_dir``, ``sources_dir``, ...).

    Returns
    -------
    BuildResult
        Where the release is and whether it was ``built`` now or already there ``unchanged``.

    Raises
    ------
    BuildError
        The data is invalid (``.report`` holds the problems), or this version was already
        built with other content.

    Examples
    --------
    >>> import tempfile, eastasia_data.release as release
    >>> result = release.build(tempfile.mkdtemp())
    >>> result.status, sorted(p.name for p in result.path.iterdir())[:2]
    ('built', ['actors.parquet', 'claim_sources.parquet'])
    """
    from eastasia_data.validation import validate

    if report is None:
        report = validate(**validate_args)
    if not report.valid:
        err = BuildError(f"the data is not valid ({report.summary}); nothing was built")
        err.report = report
        raise err
    meta = project_metadata()
    version = meta["version"]
    created = created_timestamp()
    frames = report.frames()
    files = {name: parquet_bytes(arrow_table(t, frames[name])) for name, t in report.tables.items()}
    rows = {name: len(frames[name]) for name in report.tables}
    descriptor = release_descriptor(report.tables, files, rows, _archived_sources(frames["sources"]), meta, created)

    out = Path(out_dir) if out_dir else paths.releases_dir()
    target = out / f"eastasia-data-{version}"
    if target.exists():
        differing = _same_release(target, files, descriptor)
        if not differing:
            return BuildResult(target, version, "unchanged")
        raise BuildError(
            f"{target} is already built with different content ({', '.join(differing)}); a built version is "
            f"immutable: bump the version in pyproject.toml (see docs/versioning.md) and build again"
        )
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=out))
    try:
        for name, data in files.items():
            (tmp / f"{name}.parquet").write_bytes(data)
        (tmp / DESCRIPTOR).write_bytes(descriptor_bytes(descriptor))
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(target, version, "built")


def root_descriptor(model: dict[str, Table]) -> dict[str, Any]:
    """The checkout's ``datapackage.json``: the CSV tables, described from ``schemas/``."""
    return {
        **package_properties(project_metadata()),
        "eastasia:generated": "by `eastasia-data generate` from schemas/; do not edit by hand",
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
