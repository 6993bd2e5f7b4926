"""Datasette over the release: the metadata the SQLite export carries, and the arguments it is served with.

`Datasette <https://datasette.io>`_ reads a database's titles, licence, source, table and
column descriptions, facets and canned queries from one metadata file. Everything in it
is derived here from the model of the release and its package facts, never written twice:

* title, description, licence and source from the package facts of the release
  descriptor (the data licence is the first one listed); the source links to the
  repository only when the package facts name one, which they do not yet;
* each table's description, and each column's description followed by its allowed
  values and their meaning (:func:`eastasia_data.publish.tables.column_description`);
* each SQL view's description (:mod:`eastasia_data.views`), each of its columns described
  as the column it is read from;
* a facet for every column with allowed values (so the claims page opens with the
  verdict, the kind and the claimant counted);
* a few canned queries (:data:`CANNED_QUERIES`), checked against the database when it is
  written, so a query that no longer fits the tables fails the export rather than the
  reader.

``eastasia-data export --format sqlite --out eastasia.sqlite`` writes
``eastasia.metadata.json`` beside the database; ``eastasia-data serve``
(:func:`eastasia_data.cli.cmd_serve`) exports both into a temporary directory and serves
them on 127.0.0.1 until interrupted. Datasette comes with the ``serve`` extra.

Examples
--------
>>> from eastasia_data.publish.datasette import datasette_metadata
>>> meta = datasette_metadata("eastasia")
>>> meta["databases"]["eastasia"]["tables"]["claims"]["facets"]
['claimant', 'kind', 'verdict']
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eastasia_data.errors import ExportError, UsageError
from eastasia_data.model import Package, Table

#: The canned queries of the Datasette metadata: name -> title, description, SQL.
#: Named parameters (``:actor_id``) become a form on the query's page.
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "contradicted_claims": {
        "title": "Contradicted claims and the authorities that contradict them",
        "description": "Every claim whose verdict is contradicted, with the article making it, "
                       "what the authority establishes instead, the authority's own words, and the "
                       "authority itself with the day the curators read it and where.",
        "sql": """SELECT claim_id, article, paraphrase, verdict_note, authority_excerpt, authority,
       authority_publisher, authority_url, authority_accessed, authority_read_url
FROM claims_with_authority
WHERE verdict = 'contradicted'
ORDER BY article, claim_id""",
    },
    "verdicts_by_article": {
        "title": "Verdicts by article",
        "description": "How many claims of each article received each verdict.",
        "sql": """SELECT article.title AS article, c.verdict, COUNT(*) AS claims
FROM claims c JOIN sources article ON article.source_id = c.source_id
GROUP BY article.title, c.verdict
ORDER BY article.title, claims DESC""",
    },
    "events_of_actor": {
        "title": "The events an actor takes part in",
        "description": "Give an actor_id (for example act-north-korea): its events, newest first, "
                       "with who took part and in what role. A state's events include those of its "
                       "people, bodies and forces (the roll-up of the event_participants view).",
        "sql": """SELECT start_date, date_precision, title, actor, role, category
FROM event_participants
WHERE actor_id = :actor_id OR state_actor_id = :actor_id
ORDER BY start_date DESC, event_id, actor_id""",
    },
}


def metadata_path(database: str | Path) -> Path:
    """Where the Datasette metadata of a database file is written: beside it, ``<stem>.metadata.json``.

    Examples
    --------
    >>> metadata_path("out/eastasia.sqlite").as_posix()
    'out/eastasia.metadata.json'
    """
    database = Path(database)
    return database.with_name(f"{database.stem}.metadata.json")


def datasette_metadata(database: str, tables: Mapping[str, Table] | None = None,
                       descriptor: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Datasette metadata of the release's SQLite export.

    Parameters
    ----------
    database : str
        The database's name in Datasette: the file name without its suffix.
    tables : mapping of str to Table, optional
        The tables (default: the model of the release).
    descriptor : mapping, optional
        The release descriptor whose package facts are used (default: the release's).

    Returns
    -------
    dict
        Datasette's metadata structure (``title``, ``license``, ``databases`` → tables →
        descriptions, columns, facets; canned ``queries``), ready for ``json.dump``.

    Examples
    --------
    >>> meta = datasette_metadata("eastasia")
    >>> meta["license"], meta["license_url"]
    ('CC-BY-4.0', 'https://creativecommons.org/licenses/by/4.0/')
    >>> meta["databases"]["eastasia"]["tables"]["claims"]["columns"]["verdict"][:28]
    "The curators' verdict, on a "
    """
    from eastasia_data.publish.sql import search_columns
    from eastasia_data.publish.tables import column_description
    from eastasia_data.releases import descriptor as release_descriptor
    from eastasia_data.releases import model

    tables = model() if tables is None else tables
    d = release_descriptor() if descriptor is None else descriptor
    package = Package.from_descriptor(d)
    out: dict[str, Any] = {"title": package.title, "description": package.description}
    if package.licenses:
        licence = package.licenses[0]
        out["license"] = licence.get("name") or licence.get("title")
        if licence.get("path"):
            out["license_url"] = licence["path"]
    out["source"] = f"{package.name} {package.version}" + (f" (doi:{package.doi})" if package.doi else "")
    if package.repository:
        out["source_url"] = package.repository
    out["databases"] = {database: {
        "description": f"{package.title}, release {package.version}.",
        "tables": {
            name: {
                "description": table.description,
                "columns": {f.name: column_description(f) for f in table.fields},
                **({"facets": sorted(f.name for f in table.fields if f.categories)}
                   if any(f.categories for f in table.fields) else {}),
                **({"fts_table": f"{name}_fts", "fts_pk": "rowid"} if search_columns(table) else {}),
            }
            for name, table in sorted(tables.items())
        } | _view_metadata(tables),
        "queries": {name: dict(query) for name, query in CANNED_QUERIES.items()},
    }}
    return out


def _view_metadata(tables: Mapping[str, Table]) -> dict[str, Any]:
    """The SQL views' descriptions: each column described as the column of the table it is read from."""
    from eastasia_data.publish.tables import column_description
    from eastasia_data.views import SQL, view_columns

    out = {}
    for name in SQL:
        columns = {}
        for column, (table, source) in view_columns(name).items():
            t = tables.get(table)
            if t is not None and source in t.field_names:
                columns[column] = column_description(t.field(source))
                if column != source:  # renamed: a column of the article, the authority, the actor, its state
                    columns[column] = f"Of the {column.split('_')[0]} ({table}.{source}): " + columns[column]
        if columns:
            out[name] = {"description": _view_summary(name), "columns": columns}
    return out


def _view_summary(name: str) -> str:
    from eastasia_data import views

    doc = getattr(views, name).__doc__ or ""
    return " ".join(doc.strip().split("\n\n")[0].split()).rstrip(".") + f" (the SQL view {name})."


def check_queries(path: Path) -> None:
    """Compile every canned query against the database at ``path``; refuse one that does not fit.

    Raises
    ------
    ExportError
        A query names a table or column the database does not have.

    Examples
    --------
    >>> import tempfile
    >>> from eastasia_data.publish.export import export
    >>> check_queries(export("sqlite", Path(tempfile.mkdtemp()) / "e.sqlite")) is None
    True
    """
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for name, query in CANNED_QUERIES.items():
            try:
                con.execute("EXPLAIN " + query["sql"], {"actor_id": ""})
            except sqlite3.Error as exc:
                raise ExportError(f"the canned query {name} does not fit the tables ({exc}); "
                                  "fix it in eastasia_data.publish.datasette.CANNED_QUERIES") from None
    finally:
        con.close()


def write_metadata(database: Path, target: Path | None = None) -> Path:
    """Write the Datasette metadata of the SQLite file ``database`` (default: beside it).

    Examples
    --------
    >>> import tempfile
    >>> from eastasia_data.publish.export import export
    >>> db = export("sqlite", Path(tempfile.mkdtemp()) / "eastasia.sqlite")
    >>> metadata_path(db).is_file()  # export writes it already; this rewrites it
    True
    >>> write_metadata(db).name
    'eastasia.metadata.json'
    """
    check_queries(database)
    target = metadata_path(database) if target is None else target
    meta = datasette_metadata(Path(database).stem)
    target.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def datasette_args(database: Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The arguments of ``datasette serve`` for the exported database and its metadata.

    The database is served immutable (read-only, counted once) on ``host`` only.

    Examples
    --------
    >>> datasette_args(Path("/tmp/x/eastasia.sqlite"), 8001)  # doctest: +NORMALIZE_WHITESPACE
    ['serve', '--immutable', '/tmp/x/eastasia.sqlite', '--metadata', '/tmp/x/eastasia.metadata.json',
     '--host', '127.0.0.1', '--port', '8001']
    """
    return ["serve", "--immutable", str(database), "--metadata", str(metadata_path(database)),
            "--host", host, "--port", str(port)]


def check_port_free(port: int, host: str = "127.0.0.1") -> None:
    """Refuse a port that another program listens on, as Datasette would find it only after starting.

    The port is bound and let go at once, with the address reuse the server itself asks for.

    Raises
    ------
    UsageError
        The port is in use (or may not be bound).

    Examples
    --------
    >>> import socket
    >>> with socket.socket() as busy:
    ...     busy.bind(("127.0.0.1", 0)); busy.listen()
    ...     check_port_free(busy.getsockname()[1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eastasia_data.errors.UsageError: port ... on 127.0.0.1 is in use (...); pass --port N with a free one
    """
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"port {port} on {host} is in use ({exc.strerror or exc}); "
                             "pass --port N with a free one") from None
