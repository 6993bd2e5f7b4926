"""The SQL exports: ``CREATE TABLE`` from the model, insertion in key order, and the SQLite and DuckDB writers.

* **Keys are real constraints**: each table's primary key is a ``PRIMARY KEY``, required
  columns are ``NOT NULL`` and columns with allowed values carry a ``CHECK (… IN (…))``,
  in SQLite and DuckDB. In SQLite each foreign key is a ``FOREIGN KEY … REFERENCES`` too;
  tables are created parents first, and rows of a table that refers to itself
  (``actors.state_actor_id``) are inserted parents first, so the constraints hold while
  the file is written. DuckDB keeps an index of at least one storage block for every
  foreign key, which alone would make its file more than twice the SQLite one; there
  each foreign key is stated in the column's comment (``References actors.actor_id.``)
  and checked by a query before the file is kept, so no export holds a dangling key.
* The joined views of :mod:`eastasia_data.views` are created as SQL ``VIEW`` s, and the
  SQLite file gets a full-text index for Datasette's search box (:func:`create_search`).

Examples
--------
>>> import sqlite3
>>> from eastasia_data.releases import model
>>> con = sqlite3.connect(":memory:")
>>> _ = con.execute(create_table_sql(model()["actors"], "sqlite"))
>>> con.execute("SELECT count(*) FROM actors").fetchone()
(0,)
"""

from __future__ import annotations

from pathlib import Path

from eastasia_data import views
from eastasia_data.errors import ExportError
from eastasia_data.model import Table
from eastasia_data.publish.tables import column_description, references, table_order

__all__ = ["DECLARES_FOREIGN_KEYS", "DUCKDB_BLOCK_SIZE", "SEARCHABLE", "create_search", "create_table_sql",
           "dangling_keys", "insertion_batches", "search_columns", "write_duckdb", "write_sqlite"]


#: Whether a database's tables declare their foreign keys. SQLite checks them at no cost in
#: size; DuckDB would keep an index of at least one 16 KiB block for each of them (0.47 MB
#: became 0.85 MB, 2.6 times the SQLite file), so there they are checked by
#: :func:`dangling_keys` and stated in the column comments instead.
DECLARES_FOREIGN_KEYS = {"sqlite": True, "duckdb": False}

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


def write_sqlite(path: Path, schemas, texts) -> None:
    """Write the tables (``texts``, as :func:`~eastasia_data.publish.tables.text_columns` gives them) to a new SQLite file.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> from pathlib import Path
    >>> from eastasia_data.publish.tables import release_texts
    >>> schemas, texts = release_texts()
    >>> path = Path(tempfile.mkdtemp()) / "e.sqlite"
    >>> write_sqlite(path, schemas, texts)
    >>> sqlite3.connect(path).execute("SELECT count(*) FROM claims_with_authority").fetchone()[0] == len(texts["claims"])
    True
    """
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


def write_duckdb(path: Path, schemas, texts) -> None:
    """Write the tables (``texts``, as :func:`~eastasia_data.publish.tables.text_columns` gives them) to a new DuckDB file.

    Examples
    --------
    >>> import duckdb, tempfile
    >>> from pathlib import Path
    >>> from eastasia_data.publish.tables import release_texts
    >>> schemas, texts = release_texts()
    >>> path = Path(tempfile.mkdtemp()) / "e.duckdb"
    >>> write_duckdb(path, schemas, texts)
    >>> duckdb.connect(str(path), read_only=True).execute("SELECT count(*) FROM events").fetchone()[0] == len(texts["events"])
    True
    """
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
