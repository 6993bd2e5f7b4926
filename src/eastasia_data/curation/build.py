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
  same content changes nothing; with different content it is refused;
* **bundled**: a new release gets its zip beside it, ``<out>/eastasia-data-<version>.zip``
  (:mod:`eastasia_data.curation.bundle`).

The descriptor is written by :mod:`eastasia_data.curation.descriptor`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eastasia_data import paths
from eastasia_data.curation.descriptor import (
    archived_sources,
    checkout_package,
    descriptor_bytes,
    release_descriptor,
)
from eastasia_data.errors import BuildError, InvalidDataError, UsageError
from eastasia_data.model import Table

__all__ = ["BuildError", "BuildResult", "arrow_table", "build", "created_timestamp", "parquet_bytes"]


@dataclass
class BuildResult:
    path: Path
    version: str
    status: str  # "built" or "unchanged"


def created_timestamp(repo: Path | None = None) -> str:
    """RFC 3339 time of the release: ``SOURCE_DATE_EPOCH`` if set, else the last commit's time.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"SOURCE_DATE_EPOCH": "1700000000"}):
    ...     created_timestamp()
    '2023-11-14T22:13:20Z'
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and not _EPOCH.fullmatch(epoch):
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: not a number of seconds since 1970 between 0 and "
                         f"{_LAST_EPOCH} (unset it, or set e.g. 1700000000)")
    if not epoch:
        epoch = paths.last_commit_epoch(repo or paths.checkout().root)
    if not _EPOCH.fullmatch(epoch):
        raise BuildError("cannot date the release: set SOURCE_DATE_EPOCH or build inside a git checkout")
    if int(epoch) > _LAST_EPOCH:
        raise UsageError(f"SOURCE_DATE_EPOCH={epoch!r}: after the year 9999 (unset it, or set e.g. 1700000000)")
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


#: SOURCE_DATE_EPOCH as the reproducible-builds specification has it: ASCII digits only.
_EPOCH = re.compile(r"[0-9]{1,12}")
#: 9999-12-31T23:59:59Z, the last second RFC 3339 can write.
_LAST_EPOCH = 253402300799


def arrow_table(table: Table, frame):
    """The text frame of a valid table as an Arrow table with the model's types.

    Examples
    --------
    >>> import pandas as pd
    >>> from eastasia_data.curation.schemas import read_model
    >>> frame = pd.DataFrame({"strategy_id": ["str-x"], "actor_id": ["act-y"]}, dtype="str")
    >>> arrow_table(read_model()["strategy_targets"], frame).schema.names
    ['strategy_id', 'actor_id']

    Dates are Parquet ``date32`` (releases up to 1.0.0 wrote ``timestamp[ms]``), and a
    category the schema declares ordered is an ordered dictionary:

    >>> events = read_model()["events"]
    >>> frame = pd.DataFrame({f: [None] for f in events.field_names}, dtype="str")
    >>> str(arrow_table(events, frame).schema.field("start_date").type)
    'date32[day]'
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from eastasia_data.curation.checks.kernels import first_day, integers, numbers, present, text_array
    from eastasia_data.types import arrow_type

    arrays, fields = [], []
    for f in table.fields:
        values = frame[f.name]
        kind = f.kind
        if kind == "category":
            cat = pd.Categorical(values, categories=list(f.enum))
            codes = pa.array(cat.codes, type=pa.int8(), mask=cat.codes < 0)
            array = pa.DictionaryArray.from_arrays(codes, pa.array(list(f.enum), pa.string()), ordered=f.ordered)
        elif kind in ("partial_date", "date"):  # date32: a calendar day, not an instant
            days = first_day(text_array(values))
            array = pc.strptime(days, format="%Y-%m-%d", unit="s", error_is_null=True).cast(arrow_type(kind))
        elif kind == "integer":
            array = integers(text_array(values)).cast(arrow_type(kind))
        elif kind == "number":
            # the values validation accepted, parsed by the same kernel (correctly rounded)
            text = text_array(values)
            array = pa.array(numbers(text), type=arrow_type(kind), mask=~present(text))
        elif kind == "boolean":
            array = pa.array(values.map({"true": True, "false": False}).astype("boolean"), type=arrow_type(kind))
        else:  # the text as read, without a round trip through Python objects
            array = text_array(values).cast(arrow_type(kind))
        arrays.append(array)
        fields.append(pa.field(f.name, array.type, nullable=not f.required,
                               metadata={"description": f.description}))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata={"table": table.name}))


def parquet_bytes(arrow) -> bytes:
    """An Arrow table as Parquet bytes, written the same way every time (zstd, dictionaries, statistics).

    Examples
    --------
    >>> import pyarrow as pa
    >>> data = parquet_bytes(pa.table({"x": ["a", "b"]}))
    >>> data[:4], data == parquet_bytes(pa.table({"x": ["a", "b"]}))
    (b'PAR1', True)
    """
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(arrow, buf, compression="zstd", compression_level=3, store_schema=True,
                   write_statistics=True, use_dictionary=True)
    return buf.getvalue()


def _same_release(target: Path, files: dict[str, bytes], descriptor: dict[str, Any]) -> list[str]:
    """The names of the files that differ between a built release and the one about to be built."""
    differing = []
    present = {p.name for p in target.iterdir()}
    wanted = {f"{n}.parquet" for n in files} | {paths.DESCRIPTOR}
    differing += sorted(present ^ wanted)
    for name, data in files.items():
        path = target / f"{name}.parquet"
        if path.is_file() and path.read_bytes() != data:
            differing.append(path.name)
    try:
        old = json.loads((target / paths.DESCRIPTOR).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if not isinstance(old, dict):  # unreadable or not a descriptor: never "unchanged"
        differing.append(paths.DESCRIPTOR)
    else:
        old = {k: v for k, v in old.items() if k != "created"}
        new = {k: v for k, v in descriptor.items() if k != "created"}
        if old != new:
            differing.append(paths.DESCRIPTOR)
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
    InvalidDataError
        The data is invalid (``.report`` holds the problems).
    BuildError
        This version was already built with other content.

    Examples
    --------
    >>> import tempfile
    >>> result = build(tempfile.mkdtemp())
    >>> result.status, sorted(p.name for p in result.path.iterdir())[:2]
    ('built', ['actors.parquet', 'claim_sources.parquet'])
    """
    from eastasia_data.curation.validate import validate

    if report is None:
        report = validate(**validate_args)
    if not report.valid:
        raise InvalidDataError(f"the data is not valid ({report.summary}); nothing was built", report)
    checkout = paths.checkout()
    package = checkout_package(checkout)
    version = package.version
    created = created_timestamp(checkout.root)
    frames = report.frames()
    files = {name: parquet_bytes(arrow_table(t, frames[name])) for name, t in report.tables.items()}
    rows = {name: len(frames[name]) for name in report.tables}
    archive = package.archive
    sources = archived_sources(package, frames[archive.table]) if archive and archive.table in frames else []
    descriptor = release_descriptor(package, report.tables, files, rows, sources, created)
    _add_agreement(descriptor, report)

    out = Path(out_dir) if out_dir else checkout.releases_dir
    _refuse_inside_a_release(out)
    target = out / paths.release_dirname(version)
    if target.exists() or target.is_symlink():
        return _existing(target, version, files, descriptor)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=out))
    try:
        for name, data in files.items():
            (tmp / f"{name}.parquet").write_bytes(data)
        (tmp / paths.DESCRIPTOR).write_bytes(descriptor_bytes(descriptor))
        os.rename(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if target.is_dir():  # another build finished first: the same release, or a refusal
            return _existing(target, version, files, descriptor, raced=True)
        raise
    except BaseException:  # a signal or Ctrl-C as well: leave nothing behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildResult(target, version, "built")


def _add_agreement(descriptor: dict[str, Any], report) -> None:
    """State the coders' agreement in the descriptor (``agreement``), when the codings table has rows.

    A release without independent codings gets no ``agreement`` property, so the descriptors of
    releases made before the codings table existed are rebuilt byte for byte.
    """
    from eastasia_data.curation.agreement import TABLE, agreement, descriptor_object

    frame = report.frames().get(TABLE)
    if frame is not None and len(frame):
        resources = descriptor.pop("resources")  # the figures go before the long list of resources
        list_fields = {f"{t.name}.{f.name}": f.delimiter or "," for t in report.tables.values() for f in t.fields
                       if f.is_list}
        descriptor["agreement"] = descriptor_object(agreement(frame, list_fields=list_fields))
        descriptor["resources"] = resources


def _existing(target: Path, version: str, files, descriptor, raced: bool = False) -> BuildResult:
    if target.is_symlink() or not target.is_dir():
        raise BuildError(f"{target} exists and is not a release directory; remove it and build again")
    differing = _same_release(target, files, descriptor)
    if not differing:
        return BuildResult(target, version, "unchanged")
    if raced:
        raise BuildError(f"another build wrote {target} at the same time, with different content "
                         f"({', '.join(differing)}); check which data it built, then build again")
    raise BuildError(
        f"{target} is already built with different content ({', '.join(differing)}); a built version is "
        f"immutable: bump the version in pyproject.toml (see docs/versioning.md) and build again"
    )


def _refuse_inside_a_release(out: Path) -> None:
    """A release directory holds only its own files: refuse an output directory in (or at) one."""
    here = Path(os.path.abspath(out))
    for directory in (here, *here.parents):
        if (re.fullmatch(rf"{re.escape(paths.PROJECT_NAME)}-[0-9]+\.[0-9]+\.[0-9]+\S*", directory.name)
                and (directory / paths.DESCRIPTOR).is_file() and not paths.is_checkout(directory)):
            raise BuildError(f"--out {out} lies inside the release {directory}; a built release is never "
                             "written into: choose a directory outside it")
