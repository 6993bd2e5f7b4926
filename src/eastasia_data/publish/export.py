"""Exports of the release for the tools people already have: SQLite, DuckDB, Excel and CSV.

Every export is made from the shipped release (:func:`eastasia_data.load` and the model of
the release descriptor), so it works from an installed wheel as well as from a checkout.
Column types come from :data:`eastasia_data.types.TYPES`, dates are written by
:mod:`eastasia_data.dates`.

Choices, the same in every format:

* **Dates are ISO 8601 text at their stated precision** (``2024``, ``2024-10`` or
  ``2024-10-23``), exactly as curated, next to the column that states the precision. A
  ``DATE`` column would have to invent a day for an event known only to the month; text
  keeps what is known and still sorts in time order.
* **Keys are real constraints**: each table's primary key is a ``PRIMARY KEY``, required
  columns are ``NOT NULL`` and columns with allowed values carry a ``CHECK (… IN (…))``,
  in SQLite and DuckDB. In SQLite each foreign key is a ``FOREIGN KEY … REFERENCES`` too;
  tables are created parents first, and rows of a table that refers to itself
  (``actors.state_actor_id``) are inserted parents first, so the constraints hold while
  the file is written. DuckDB keeps an index of at least one storage block for every
  foreign key, which alone would make its file more than twice the SQLite one; there
  each foreign key is stated in the column's comment (``References actors.actor_id.``)
  and checked by a query before the file is kept, so no export holds a dangling key.
* **Spreadsheet safety.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return could run as a formula when a spreadsheet opens the file. In CSV such a
  cell gets a leading apostrophe (``'=1+1``), the usual neutraliser; in XLSX the cell is
  stored as a text cell marked "quote prefix", so it shows its value unchanged and never
  runs. The curated data holds no such cell (``validate`` forbids them), but a frame you
  modified and export yourself might.
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
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eastasia_data import views
from eastasia_data.dates import format_dates
from eastasia_data.errors import ExportError, require
from eastasia_data.model import Table

#: Whether a database's tables declare their foreign keys. SQLite checks them at no cost in
#: size; DuckDB would keep an index of at least one 16 KiB block for each of them (0.47 MB
#: became 0.85 MB, 2.6 times the SQLite file), so there they are checked by
#: :func:`dangling_keys` and stated in the column comments instead.
DECLARES_FOREIGN_KEYS = {"sqlite": True, "duckdb": False}

FORMATS = ("sqlite", "duckdb", "xlsx", "csv", "claimreview", "croissant")
#: The optional package each format needs, and the extra that installs it.
NEEDS = {"duckdb": "duckdb", "xlsx": "openpyxl"}
#: First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

def neutralise(value: Any) -> Any:
    """Make a text cell safe to open in a spreadsheet: prefix an apostrophe to a formula.

    Parameters
    ----------
    value : object
        A cell value; only strings are changed.

    Returns
    -------
    object
        ``value`` with a leading ``'`` when it is a string starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return; otherwise ``value`` itself.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://example.org\\")")
    '\\'=HYPERLINK("http://example.org")'
    >>> neutralise("Pyongyang"), neutralise(3)
    ('Pyongyang', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_order(model: Mapping[str, Table]) -> list[str]:
    """The tables in an order where every table comes after the tables it refers to.

    Parameters
    ----------
    model : mapping of str to Table
        The tables.

    Returns
    -------
    list of str
        Table names, parents before children, otherwise alphabetical. A table that
        refers to itself does not depend on itself.

    Examples
    --------
    >>> from eastasia_data.releases import model
    >>> order = table_order(model())
    >>> order.index("sources") < order.index("claims")
    True
    """
    deps = {name: {fk.resource for fk in table.foreign_keys} - {name} for name, table in model.items()}
    order: list[str] = []
    while len(order) < len(deps):
        ready = sorted(n for n, d in deps.items() if n not in order and d <= set(order))
        if not ready:
            raise ExportError(f"the foreign keys form a cycle among {sorted(set(deps) - set(order))}")
        order.extend(ready)
    return order


def text_columns(frame, table: Table):
    """The frame with dates as ISO text at their precision and categories as plain text.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as :func:`eastasia_data.load` returns it.
    table : Table
        The table's model.

    Returns
    -------
    pandas.DataFrame
        A copy in which date columns hold ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as their
        precision column says (``YYYY-MM-DD`` when there is none), category columns hold
        their values as ``str``, and every missing value is ``None``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> from eastasia_data.releases import model
    >>> events = text_columns(ead.load("events"), model()["events"])
    >>> row = events.set_index("event_id").loc["evt-2024-10-nk-troops-deployed-to-russia"]
    >>> row["start_date"], row["date_precision"]
    ('2024-10', 'month')
    """
    import pandas as pd

    out = frame.copy()
    for f in table.fields:
        name = f.name
        column = frame[name]
        if f.kind in ("date", "partial_date"):
            precisions = frame[f.precision_field].astype(object) if f.precision_field else None
            out[name] = pd.Series(format_dates(column, precisions), index=frame.index, dtype=object)
        elif f.kind in ("category", "string"):
            out[name] = pd.Series([None if pd.isna(v) else str(v) for v in column], index=frame.index, dtype=object)
        else:
            out[name] = pd.Series([None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in column],
                                  index=frame.index, dtype=object)
    return out


def create_table_sql(table: Table, dialect: str) -> str:
    """The ``CREATE TABLE`` statement for one table, with its keys and value checks.

    Parameters
    ----------
    table : Table
        The table's model.
    dialect : {"sqlite", "duckdb"}
        Which database the statement is for (column types differ, and only SQLite's
        statement declares the foreign keys: see :data:`DECLARES_FOREIGN_KEYS`).

    Returns
    -------
    str
        One statement: columns with types and ``NOT NULL``, ``UNIQUE`` and ``CHECK``
        constraints, then ``PRIMARY KEY`` and, for SQLite, one ``FOREIGN KEY`` per
        foreign key.

    Examples
    --------
    >>> from eastasia_data.model import parse_table
    >>> table = parse_table("event_actors", {"primaryKey": ["event_id"], "fields": [
    ...     {"name": "event_id", "description": "", "constraints": {"required": True}},
    ...     {"name": "role", "description": "", "categories": ["actor", "recipient"]}]})
    >>> print(create_table_sql(table, "sqlite"))
    CREATE TABLE "event_actors" (
      "event_id" TEXT NOT NULL,
      "role" TEXT CHECK ("role" IN ('actor', 'recipient')),
      PRIMARY KEY ("event_id")
    )
    """
    lines = []
    for f in table.fields:
        parts = [_quote(f.name), getattr(f.column_type, dialect)]
        if f.required or f.name in table.primary_key:
            parts.append("NOT NULL")
        if f.unique and table.primary_key != (f.name,):
            parts.append("UNIQUE")
        if f.enum and not f.is_list:
            allowed = ", ".join(_literal(v) for v in f.enum)
            parts.append(f"CHECK ({_quote(f.name)} IN ({allowed}))")
        lines.append(" ".join(parts))
    if table.primary_key:
        lines.append(f"PRIMARY KEY ({_columns(table.primary_key)})")
    for fk in table.foreign_keys if DECLARES_FOREIGN_KEYS[dialect] else ():
        lines.append(f"FOREIGN KEY ({_columns(fk.fields)}) "
                     f"REFERENCES {_quote(fk.resource)} ({_columns(fk.reference_fields)})")
    return f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _columns(names) -> str:
    return ", ".join(_quote(n) for n in ([names] if isinstance(names, str) else names))


def insertion_batches(frame, table: Table) -> list:
    """Split a table's rows so that rows referring to the same table come after their targets.

    A database that checks a foreign key row by row (SQLite with ``foreign_keys`` on)
    refuses a child inserted before its parent; inserting the batches in order never does.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table's rows.
    table : Table
        Its model.

    Returns
    -------
    list of pandas.DataFrame
        One frame when the table does not refer to itself; otherwise the rows whose
        reference is empty, then the rows referring only to those, and so on.

    Examples
    --------
    >>> import pandas as pd
    >>> from eastasia_data.model import parse_table
    >>> table = parse_table("t", {"primaryKey": ["id"], "fields": [
    ...     {"name": "id", "description": ""}, {"name": "parent", "description": ""}],
    ...     "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "t", "fields": ["id"]}}]})
    >>> frame = pd.DataFrame({"id": ["a", "b", "c"], "parent": ["b", None, "a"]})
    >>> [batch["id"].tolist() for batch in insertion_batches(frame, table)]
    [['b'], ['a'], ['c']]
    """
    self_fks = [fk for fk in table.foreign_keys if fk.resource == table.name]
    if not self_fks:
        return [frame]
    key = list(table.primary_key)
    remaining = frame
    inserted: set[tuple] = set()
    batches = []
    while len(remaining):
        ready = []
        for _, row in remaining.iterrows():
            ok = True
            for fk in self_fks:
                values = tuple(row[c] for c in fk.fields)
                if not any(v is None or v != v for v in values) and values not in inserted:
                    ok = False
            ready.append(ok)
        if not any(ready):  # a cycle or a dangling reference: let the database report it
            batches.append(remaining)
            break
        batch = remaining[ready]
        batches.append(batch)
        inserted |= {tuple(r) for r in batch[key].itertuples(index=False)}
        remaining = remaining[[not r for r in ready]]
    return batches


def _release_tables(frames: Mapping[str, Any] | None) -> tuple[dict[str, Table], dict[str, Any]]:
    from eastasia_data.loader import load, model

    tables = model()
    given = dict(frames or {})
    unknown = sorted(set(given) - set(tables))
    if unknown:
        raise ExportError(f"not tables of the release: {', '.join(unknown)}")
    texts = {name: text_columns(given[name] if name in given else load(name, verify=True), t) for name, t in tables.items()}
    return tables, texts


def _write_sqlite(path: Path, schemas, texts) -> None:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        with con:
            for name in table_order(schemas):
                con.execute(create_table_sql(schemas[name], "sqlite"))
                columns = list(texts[name].columns)
                sql = (f"INSERT INTO {_quote(name)} ({_columns(columns)}) "
                       f"VALUES ({', '.join('?' for _ in columns)})")
                try:
                    for batch in insertion_batches(texts[name], schemas[name]):
                        con.executemany(sql, batch.itertuples(index=False, name=None))
                except sqlite3.IntegrityError as exc:
                    raise ExportError(f"table {name}: a row breaks a constraint ({exc})") from None
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ExportError(f"{len(problems)} row(s) break a foreign key, e.g. {problems[0]}")
        with con:
            views.create_views(con)
            create_search(con, schemas)
    finally:
        con.close()


#: Table → the text columns a full-text index covers in the SQLite export (Datasette's search box):
#: the actors' names in English, Korean, Chinese, Japanese and Russian.
SEARCHABLE: dict[str, tuple[str, ...]] = {"actors": ("name", "name_ko", "name_zh", "name_ja", "name_ru")}


def search_columns(table) -> tuple[str, ...]:
    """The columns of ``table`` (a model Table) that the SQLite export's full-text index covers.

    Only those the table has: a release before the names in other languages indexes ``name`` alone.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> search_columns(read_model()["actors"])
    ('name', 'name_ko', 'name_zh', 'name_ja', 'name_ru')
    """
    return tuple(c for c in SEARCHABLE.get(table.name, ()) if c in table.field_names)


def create_search(con, schemas) -> None:
    """Create ``<table>_fts``, an FTS5 index over :data:`SEARCHABLE`'s columns, for each table that has them.

    It is an external-content index (``content=<table>``), which Datasette detects and searches
    from the table's page.

    Examples
    --------
    >>> import sqlite3
    >>> from eastasia_data.curation.schemas import read_model
    >>> con = sqlite3.connect(":memory:")
    >>> _ = con.execute(create_table_sql(read_model()["actors"], "sqlite"))
    >>> _ = con.execute("INSERT INTO actors (actor_id, name, kind, source_id, name_ko) "
    ...                 "VALUES ('act-x', 'Example', 'state', 'src-x', '예시')")
    >>> create_search(con, {"actors": read_model()["actors"]})
    >>> con.execute("SELECT rowid FROM actors_fts WHERE actors_fts MATCH '예시'").fetchall()
    [(1,)]
    """
    for name, table in schemas.items():
        columns = search_columns(table)
        if not columns:
            continue
        con.execute(f"CREATE VIRTUAL TABLE {_quote(name + '_fts')} USING fts5({_columns(columns)}, "
                    f"content={_quote(name)}, content_rowid='rowid')")
        con.execute(f"INSERT INTO {_quote(name + '_fts')}({_quote(name + '_fts')}) VALUES ('rebuild')")


def column_description(f) -> str:
    """A column's description for a database reader: its meaning, then its allowed values.

    Used for DuckDB's ``COMMENT ON COLUMN`` (followed there by :func:`references`) and for
    the column descriptions of the Datasette metadata, so both say the same as the data dictionary.

    Parameters
    ----------
    f : Field
        The column's model.

    Returns
    -------
    str

    Examples
    --------
    >>> from eastasia_data.releases import model
    >>> print(column_description(model()["event_actors"].field("role")))  # doctest: +ELLIPSIS
    The actor's part in the event. Values: actor (...); recipient (...); participant (...).
    """
    text = f.description.strip()
    if f.categories:
        values = "; ".join(f"{c.value} ({c.label})" if c.label else c.value for c in f.categories)
        what = f"Items (joined by {f.delimiter!r})" if f.is_list else "Values"
        text = f"{text} {what}: {values}."
    return text


def references(table: Table, name: str) -> str:
    """What a column refers to, as a sentence for a database comment (empty if nothing).

    Examples
    --------
    >>> from eastasia_data.releases import model
    >>> references(model()["event_actors"], "actor_id")
    'References actors.actor_id.'
    >>> references(model()["event_actors"], "role")
    ''
    """
    targets = [f"{fk.resource}.{ref}" for fk in table.foreign_keys
               for own, ref in zip(fk.fields, fk.reference_fields) if own == name]
    return f"References {', '.join(targets)}." if targets else ""


def dangling_keys(con, table: Table) -> list[str]:
    """The foreign keys of one table whose values point at no row, checked with SQL.

    Parameters
    ----------
    con
        A DB-API connection (DuckDB's or SQLite's) holding the table and its targets.
    table : Table
        The table's model.

    Returns
    -------
    list of str
        One line per broken foreign key: the columns, the target, how many rows and one
        example value; empty when every reference resolves.

    Examples
    --------
    >>> import sqlite3
    >>> from eastasia_data.model import parse_table
    >>> child = parse_table("child", {"fields": [{"name": "parent", "description": ""}],
    ...     "foreignKeys": [{"fields": ["parent"], "reference": {"resource": "parent", "fields": ["id"]}}]})
    >>> con = sqlite3.connect(":memory:")
    >>> _ = con.executescript("CREATE TABLE parent (id TEXT); INSERT INTO parent VALUES ('a');"
    ...                       "CREATE TABLE child (parent TEXT); INSERT INTO child VALUES ('a'), ('b'), (NULL);")
    >>> dangling_keys(con, child)
    ["foreign key parent → parent.id: 1 row(s) point at no row, e.g. ('b',)"]
    """
    found = []
    for fk in table.foreign_keys:
        own = [_quote(c) for c in fk.fields]
        match = " AND ".join(f"p.{_quote(r)} = c.{o}" for o, r in zip(own, fk.reference_fields))
        where = " AND ".join(f"c.{o} IS NOT NULL" for o in own)
        sql = (f"SELECT {', '.join('c.' + o for o in own)} FROM {_quote(table.name)} c WHERE {where} "
               f"AND NOT EXISTS (SELECT 1 FROM {_quote(fk.resource)} p WHERE {match})")
        rows = con.execute(sql).fetchall()
        if rows:
            found.append(f"foreign key {', '.join(fk.fields)} → {fk.resource}.{', '.join(fk.reference_fields)}: "
                         f"{len(rows)} row(s) point at no row, e.g. {tuple(rows[0])}")
    return found


#: DuckDB's smallest storage block. The default (256 KiB) gives every column segment and
#: every key's index blocks of its own, which made a 1,000-row export 11.8 MB.
DUCKDB_BLOCK_SIZE = 16_384


def _write_duckdb(path: Path, schemas, texts) -> None:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {_literal(str(path))} AS export (BLOCK_SIZE {DUCKDB_BLOCK_SIZE})")
        con.execute("USE export")
        for name in table_order(schemas):
            table = schemas[name]
            con.execute(create_table_sql(table, "duckdb"))
            con.execute(f"COMMENT ON TABLE {_quote(name)} IS {_literal(table.description)}")
            for f in table.fields:
                comment = " ".join(filter(None, [column_description(f), references(table, f.name)]))
                con.execute(f"COMMENT ON COLUMN {_quote(name)}.{_quote(f.name)} IS {_literal(comment)}")
            frame = texts[name]
            con.register("_rows", frame.astype(object).where(frame.notna(), None))
            try:
                con.execute(f"INSERT INTO {_quote(name)} SELECT * FROM _rows")
            except duckdb.ConstraintException as exc:
                raise ExportError(f"table {name}: a row breaks a constraint ({exc})") from None
            con.unregister("_rows")
        for name in table_order(schemas):
            dangling = dangling_keys(con, schemas[name])
            if dangling:
                raise ExportError(f"table {name}: a row breaks a constraint ({'; '.join(dangling)})")
        views.create_views(con)
        con.execute("CHECKPOINT export")
        con.execute("USE memory")
        con.execute("DETACH export")
    finally:
        con.close()


def _write_xlsx(path: Path, schemas, texts) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name in sorted(texts):
        sheet = book.create_sheet(name[:31])
        frame = texts[name]
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = bold
        key = [list(frame.columns).index(c) for c in schemas[name].primary_key]
        for values in frame.itertuples(index=False, name=None):
            for column, value in zip(frame.columns, values):
                problem = xlsx_problem(value)
                if problem:
                    row = ", ".join(str(values[i]) for i in key) or "?"
                    raise ExportError(f"table {name}, row {row}, column {column}: {problem}; "
                                      "Excel cannot hold it: export as csv, sqlite or duckdb instead")
            sheet.append(list(values))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_START)):
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8) + 2, 60)
    book.save(path)


def csv_field(value: Any) -> str:
    r"""One cell as an RFC 4180 field: quoted when it holds a comma, a quote or any line break.

    Python's ``csv`` writer quotes only the characters of its line terminator, so with
    ``\n`` line ends a bare carriage return stayed unquoted and split the record for an
    RFC 4180 reader. Here a cell is quoted when it holds ``,``, ``"`` or any character
    that :meth:`str.splitlines` breaks on (CR, LF, VT, FF, FS, GS, RS, NEL, U+2028,
    U+2029); quotes inside are doubled. A missing value is an empty field.

    Parameters
    ----------
    value : object
        The cell; None is missing, anything else is written as ``str(value)``.

    Returns
    -------
    str

    Examples
    --------
    >>> [csv_field(v) for v in ("Pyongyang", "a\rb", 'say "no" twice', None, 3)]
    ['Pyongyang', '"a\rb"', '"say ""no"" twice"', '', '3']
    """
    if value is None:
        return ""
    text = str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


#: Characters that make a CSV field need quotes: the separator, the quote, every line break.
_NEEDS_QUOTES = re.compile('[,"\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]')
#: The longest text an Excel cell holds.
XLSX_MAX_CELL = 32_767
#: Characters that XML 1.0, and so an XLSX file, cannot hold (openpyxl refuses them).
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xlsx_problem(value: Any) -> str | None:
    r"""Why a cell cannot be written to an Excel workbook, or None when it can.

    Excel holds at most 32,767 characters in a cell, and the XML an XLSX file is made of
    cannot hold control characters other than tab, LF and CR (nor U+FFFE, U+FFFF or
    lone surrogates). Rather than truncate or drop anything, the export refuses.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    str or None
        What is wrong, naming the first bad character by its code point.

    Examples
    --------
    >>> xlsx_problem("Pyongyang") is None
    True
    >>> xlsx_problem("a\x07b")
    'holds the control character U+0007 at position 2'
    >>> xlsx_problem("x" * 40_000)
    'holds 40000 characters, more than the 32767 an Excel cell can hold'
    """
    if not isinstance(value, str):
        return None
    if len(value) > XLSX_MAX_CELL:
        return f"holds {len(value)} characters, more than the {XLSX_MAX_CELL} an Excel cell can hold"
    bad = _XML_ILLEGAL.search(value)
    if bad:
        return f"holds the control character U+{ord(bad.group()):04X} at position {bad.start() + 1}"
    return None


def csv_text(texts) -> str:
    """A table as the CSV export writes it: a header, RFC 4180 fields, formulas neutralised, LF ends.

    Parameters
    ----------
    texts : pandas.DataFrame
        The table as :func:`text_columns` gives it.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"id": ["a", "b"], "note": ["=1+1", None]}, dtype=object)), end="")
    id,note
    a,'=1+1
    b,
    """
    # Cell by cell: DataFrame.map would infer a str dtype and turn each missing None into NaN ("nan").
    lines = [",".join(csv_field(c) for c in texts.columns)]
    lines += [",".join(csv_field(neutralise(v)) for v in row) for row in texts.itertuples(index=False, name=None)]
    return "\n".join(lines) + "\n"


def _write_csv(directory: Path, schemas, texts) -> None:
    directory.mkdir()
    for name in sorted(texts):
        (directory / f"{name}.csv").write_text(csv_text(texts[name]), encoding="utf-8", newline="")


def _write_json(path: Path, document: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_claimreview(path: Path, schemas, texts) -> None:
    from eastasia_data.publish.schemaorg import claim_reviews

    _write_json(path, claim_reviews(texts, schemas))


def _write_croissant(path: Path, schemas, texts) -> None:
    from eastasia_data.publish.schemaorg import croissant

    _write_json(path, croissant(schemas))


_WRITERS = {"sqlite": _write_sqlite, "duckdb": _write_duckdb, "xlsx": _write_xlsx, "csv": _write_csv,
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
    schemas, texts = _release_tables(frames)
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
