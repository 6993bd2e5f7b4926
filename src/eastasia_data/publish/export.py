"""Exports of the release for the tools people already have: SQLite, DuckDB, Excel, CSV and JSON-LD.

This module is the dispatcher: it checks the format and the target, prepares the text
tables (:mod:`eastasia_data.publish.tables`), has the format's writer write into a scratch
directory beside the target (:mod:`~eastasia_data.publish.sql`,
:mod:`~eastasia_data.publish.sheets`, :mod:`~eastasia_data.publish.schemaorg`), and renames
the result into place.

Every export is made from the shipped release (:func:`eastasia_data.load` and the model of
the release descriptor), so it works from an installed wheel as well as from a checkout.
Column types come from :data:`eastasia_data.types.TYPES`, dates are written by
:mod:`eastasia_data.dates`.

Choices, the same in every format:

* **Dates are ISO 8601 text at their stated precision** (``2024``, ``2024-10`` or
  ``2024-10-23``), exactly as curated, next to the column that states the precision. A
  ``DATE`` column would have to invent a day for an event known only to the month; text
  keeps what is known and still sorts in time order.
* **Keys are real constraints** in SQLite and DuckDB (:mod:`eastasia_data.publish.sql`).
* **Spreadsheet safety**: no text cell runs as a formula in XLSX or CSV
  (:mod:`eastasia_data.publish.sheets`).
* **Nothing half-written**: each export is written beside its target and renamed into
  place; an existing target is replaced only with ``force=True``.

Examples
--------
>>> import sqlite3, tempfile
>>> from pathlib import Path
>>> from eastasia_data.publish.export import export
>>> path = export("sqlite", Path(tempfile.mkdtemp()) / "eastasia.sqlite")
>>> con = sqlite3.connect(path)
>>> con.execute("SELECT COUNT(*) FROM events").fetchone()[0] > 0
True
>>> con.close()
"""


from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eastasia_data.errors import ExportError, require
from eastasia_data.publish.sheets import write_csv, write_xlsx
from eastasia_data.publish.sql import write_duckdb, write_sqlite
from eastasia_data.publish.tables import release_texts

__all__ = ["FORMATS", "NEEDS", "export"]

FORMATS = ("sqlite", "duckdb", "xlsx", "csv", "claimreview", "croissant")
#: The optional package each format needs, and the extra that installs it.
NEEDS = {"duckdb": "duckdb", "xlsx": "openpyxl"}


def _write_json(path: Path, document: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

def _write_claimreview(path: Path, schemas, texts) -> None:
    from eastasia_data.publish.schemaorg import claim_reviews

    _write_json(path, claim_reviews(texts, schemas))

def _write_croissant(path: Path, schemas, texts) -> None:
    from eastasia_data.publish.schemaorg import croissant

    _write_json(path, croissant(schemas))


_WRITERS = {"sqlite": write_sqlite, "duckdb": write_duckdb, "xlsx": write_xlsx, "csv": write_csv,
            "claimreview": _write_claimreview, "croissant": _write_croissant}


def export(fmt: str, out: str | Path, *, frames: Mapping[str, Any] | None = None, force: bool = False) -> Path:
    """Write the release as a SQLite or DuckDB database, an Excel workbook, CSV files or JSON-LD.

    Parameters
    ----------
    fmt : {"sqlite", "duckdb", "xlsx", "csv", "claimreview", "croissant"}
        The format. ``duckdb`` needs the ``duckdb`` package and ``xlsx`` needs
        ``openpyxl`` (``pip install "eastasia-data[export]"``). ``sqlite`` also writes
        the Datasette metadata beside the database (:mod:`eastasia_data.publish.datasette`);
        ``claimreview`` and ``croissant`` write schema.org JSON-LD
        (:mod:`eastasia_data.publish.schemaorg`).
    out : str or path
        The file to write; for ``csv``, the directory to write one ``<table>.csv`` per
        table into.
    frames : mapping of str to DataFrame, optional
        Tables to export instead of the release's, as :func:`eastasia_data.load` returns
        them (possibly modified); every table not given is taken from the release, so
        the keys still have their parents.
    force : bool, default False
        Replace ``out`` if it exists (for ``csv``, the whole directory's export).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ExportError
        Unknown format, a missing optional package, ``out`` exists without ``force``, or
        rows that break a key.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = export("csv", Path(tempfile.mkdtemp()) / "tables")
    >>> sorted(p.name for p in out.iterdir())[:2]
    ['actors.csv', 'claim_sources.csv']
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt in NEEDS:
        require(NEEDS[fmt], "export", f"the {fmt} export")
    out = Path(out)
    if out.is_symlink():  # dangling or not: never write through a link, never replace one unasked
        if not force:
            raise ExportError(f"{out} exists (a symbolic link); choose another path or pass --force to replace it")
        if out.is_dir():
            raise ExportError(f"{out} is a symbolic link to a directory; give the directory itself")
    elif out.exists() and not force:
        raise ExportError(f"{out} exists; choose another path or pass --force to replace it")
    beside = _beside(fmt, out)
    for extra in beside:
        if extra.exists() and not force:
            raise ExportError(f"{extra} exists (the {fmt} export writes it beside {out.name}); "
                              "choose another path or pass --force to replace it")
    if not out.parent.is_dir():
        raise NotADirectoryError(f"{out.parent} is not a directory")
    if out.is_dir() and fmt != "csv":
        raise ExportError(f"{out} is a directory; give a file path for the {fmt} export")
    if out.is_file() and fmt == "csv":
        raise ExportError(f"{out} is a file; the csv export writes a directory")
    if fmt == "croissant" and frames:
        raise ExportError("the croissant export describes the release's own files; it takes no frames")
    schemas, texts = release_texts(frames)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as scratch:
        target = Path(scratch) / out.name
        _WRITERS[fmt](target, schemas, texts)
        for extra, write in beside.items():
            write(target, Path(scratch) / extra.name)
        if out.is_dir() and fmt == "csv":
            others = sorted(p.name for p in out.iterdir() if p.suffix != ".csv" or not p.is_file())
            if others:
                raise ExportError(f"{out} holds more than an export ({', '.join(others[:3])}); "
                                  "--force replaces only a directory of CSV files")
            old = Path(scratch) / "previous"
            out.rename(old)
            target.rename(out)
        else:
            os.replace(target, out)
        for extra in beside:
            os.replace(Path(scratch) / extra.name, extra)
    return out

def _beside(fmt: str, out: Path) -> dict[Path, Any]:
    """The files an export writes beside its target, and the function writing each."""
    if fmt == "sqlite":
        from eastasia_data.publish.datasette import metadata_path, write_metadata

        return {metadata_path(out): lambda database, target: write_metadata(database, target)}
    return {}
