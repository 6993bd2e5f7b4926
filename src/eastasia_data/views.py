"""Joined views that every reader would otherwise write: as functions, and as SQL views in the exports.

Each view is one SQL ``SELECT`` (:data:`SQL`), valid in SQLite and DuckDB, which the
SQLite and DuckDB exports create as a ``VIEW``; the function of the same name returns the
same rows from the release as a pandas DataFrame with the release's dtypes.

* :func:`claims_with_authority`: each claim with the article making it and the authority
  its verdict rests on (title, publisher, reliability, url), the authority's own words that
  settle it, and when and where the curators read the authority;
* :func:`event_participants`: each event with each actor taking part, its role, and the
  state the actor is or belongs to (``state_actor_id``: the roll-up of people, government
  bodies and armed forces to their state), so that "the events North Korea takes part in"
  counts those of the Korean People's Army and of Kim Jong Un too;
* :func:`chronology`: each event, in order, with its PLOVER coding (category, quad class,
  mode, context, CAMEO root), its actors with their roles and its sources, one row per event.

Examples
--------
>>> import eastasia_data as ead
>>> claims = ead.views.claims_with_authority()
>>> claims.columns[:3].tolist()
['claim_id', 'article_source_id', 'article']
>>> sorted(SQL)
['chronology', 'claims_with_authority', 'event_participants']

Columns added to the tables after a release (:data:`LATER_COLUMNS`) are missing from that
release's tables; the views still have them, empty, so that a view has the same columns
for every release.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LATER_COLUMNS", "QUADS", "SQL", "STATE_KINDS", "chronology", "claims_with_authority", "create_views",
           "event_participants", "view_columns", "view_sql"]

#: The kinds of actor that are their own state in the roll-up: every other actor rolls up to its
#: ``state_actor_id`` (people, government bodies, armed forces, initiatives), or to none
#: (organisations and forums).
STATE_KINDS = ("state", "former_state", "territory")

#: PLOVER quad class → its event categories (PLOVER manual, DRAFT Version 2.0, each category's
#: "Quad category"). The quad class is derived from the category, never typed by hand.
QUADS: dict[str, tuple[str, ...]] = {
    "verbal_cooperation": ("AGREE", "CONSULT", "SUPPORT", "CONCEDE"),
    "material_cooperation": ("COOPERATE", "AID", "RETREAT"),
    "verbal_conflict": ("REQUEST", "ACCUSE", "REJECT", "THREATEN"),
    "material_conflict": ("PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"),
}

#: The events columns :func:`chronology` shows (a release before 3.0 lacks the PLOVER ones: missing there).
CHRONOLOGY_EVENT_COLUMNS = ("event_id", "start_date", "end_date", "date_precision", "title", "category", "mode",
                            "context", "cameo_root", "location", "basis", "wikidata_qid")

#: Separator of the actors and sources listed in one cell of :func:`chronology`.
LIST_SEPARATOR = "; "


def _quad_sql(column: str) -> str:
    whens = " ".join(f"WHEN {column} IN ({', '.join(repr(c) for c in cats)}) THEN '{quad}'"
                     for quad, cats in QUADS.items())
    return f"CASE {whens} END"


#: View name → its SQL, for SQLite and DuckDB alike.
SQL: dict[str, str] = {
    "claims_with_authority": """
SELECT c.claim_id, c.source_id AS article_source_id, a.title AS article, c.paraphrase, c.kind,
       c.verdict, c.verdict_note, c.authority_source_id, s.title AS authority,
       s.publisher AS authority_publisher, s.reliability AS authority_reliability, c.event_id,
       c.authority_excerpt, s.url AS authority_url, s.accessed AS authority_accessed,
       s.read_url AS authority_read_url
FROM claims AS c
JOIN sources AS a ON a.source_id = c.source_id
LEFT JOIN sources AS s ON s.source_id = c.authority_source_id
ORDER BY c.claim_id""",
    "event_participants": """
SELECT e.event_id, e.start_date, e.end_date, e.date_precision, e.title, e.category,
       ea.actor_id, ac.name AS actor, ac.kind AS actor_kind, ea.role,
       st.actor_id AS state_actor_id, st.name AS state
FROM event_actors AS ea
JOIN events AS e ON e.event_id = ea.event_id
JOIN actors AS ac ON ac.actor_id = ea.actor_id
LEFT JOIN actors AS st ON st.actor_id = CASE WHEN ac.kind IN ('state', 'former_state', 'territory')
                                             THEN ac.actor_id ELSE ac.state_actor_id END
ORDER BY e.event_id, ea.actor_id, ea.role""",
    "chronology": f"""
SELECT e.event_id, e.start_date, e.end_date, e.date_precision, e.title, e.category,
       {_quad_sql("e.category")} AS quad, e.mode, e.context, e.cameo_root, e.location, e.basis, e.wikidata_qid,
       (SELECT group_concat(p.actor_role, '{LIST_SEPARATOR}')
        FROM (SELECT ea.event_id, ac.name || ' (' || ea.role || ')' AS actor_role
              FROM event_actors AS ea JOIN actors AS ac ON ac.actor_id = ea.actor_id
              ORDER BY ea.event_id, ea.role, ea.actor_id) AS p
        WHERE p.event_id = e.event_id) AS actors,
       (SELECT group_concat(q.source_id, '{LIST_SEPARATOR}')
        FROM (SELECT es.event_id, es.source_id FROM event_sources AS es ORDER BY es.event_id, es.source_id) AS q
        WHERE q.event_id = e.event_id) AS sources
FROM events AS e
ORDER BY e.event_id""",
}

#: Columns the views read that releases up to 2.0.0 lack: table -> its columns added since,
#: with the dtype ``load()`` gives them. In such a release a view has them empty (``NULL``
#: in SQL, missing values of that dtype in pandas).
LATER_COLUMNS: dict[str, dict[str, str]] = {
    "claims": {"authority_excerpt": "str"},
    "sources": {"accessed": "datetime64[ms]", "read_url": "str"},
    "events": {"mode": "str", "context": "str", "cameo_root": "str", "wikidata_qid": "str"},
}

#: The alias each view gives a table (``claims AS c``), to find its columns in the SQL.
_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+([a-z_]+)\s+AS\s+([a-z]+)\b")


def view_sql(name: str, columns: dict[str, set[str]] | None = None) -> str:
    """The SQL of view ``name`` for tables that have ``columns`` (table -> its column names).

    A column of :data:`LATER_COLUMNS` that its table lacks is read as ``NULL``, so the view
    can be made over an older release and still has every column.

    Examples
    --------
    >>> sql = view_sql("claims_with_authority", {"claims": {"claim_id"}, "sources": {"url"}})
    >>> "NULL AS authority_excerpt" in sql, "s.url AS authority_url" in sql
    (True, True)
    """
    sql = SQL[name].strip()
    if columns is None:
        return sql
    for table, alias in _ALIAS.findall(sql):
        for column in LATER_COLUMNS.get(table, ()):
            if table in columns and column not in columns[table]:
                sql = re.sub(rf"\b{alias}\.{column}\b(?! AS)", f"NULL AS {column}", sql)
                sql = re.sub(rf"\b{alias}\.{column} AS\b", "NULL AS", sql)
    return sql


_SELECTED = re.compile(r"\b([a-z]+)\.([a-z_0-9]+)(?:\s+AS\s+([a-z_0-9]+))?")


def view_columns(name: str) -> dict[str, tuple[str, str]]:
    """Each column of view ``name`` -> the table and column it is read from, in the view's order.

    Examples
    --------
    >>> cols = view_columns("claims_with_authority")
    >>> cols["authority_excerpt"], cols["authority_accessed"]
    (('claims', 'authority_excerpt'), ('sources', 'accessed'))
    """
    sql = SQL[name]
    select = sql[: sql.index("FROM")]
    tables = {alias: table for table, alias in _ALIAS.findall(sql)}
    # Columns of a subquery's own alias (chronology's actor and source lists) name no table: left out.
    return {(label or column): (tables[alias], column) for alias, column, label in _SELECTED.findall(select)
            if alias in tables}


def create_views(connection) -> None:
    """Create every view of :data:`SQL` in an open SQLite or DuckDB connection holding the tables.

    Examples
    --------
    >>> import sqlite3
    >>> con = sqlite3.connect(":memory:")
    >>> for t in ("claims(claim_id, source_id, paraphrase, kind, verdict, verdict_note, authority_source_id, event_id)",
    ...           "sources(source_id, title, publisher, reliability, url)", "events(event_id, start_date, end_date,"
    ...           " date_precision, title, category, location, basis)", "actors(actor_id, name, kind, state_actor_id)",
    ...           "event_actors(event_id, actor_id, role)", "event_sources(event_id, source_id)"):
    ...     _ = con.execute("CREATE TABLE " + t)
    >>> create_views(con)
    >>> con.execute("SELECT count(*) FROM event_participants").fetchone()
    (0,)
    >>> con.execute("SELECT authority_excerpt, authority_accessed FROM claims_with_authority").fetchall()
    []
    """
    columns = {}
    for table in LATER_COLUMNS:
        cursor = connection.execute(f'SELECT * FROM "{table}" LIMIT 0')
        columns[table] = {d[0] for d in cursor.description}
    for name in SQL:
        connection.execute(f'CREATE VIEW "{name}" AS {view_sql(name, columns)}')


def claims_with_authority(*, version: str | None = None) -> pd.DataFrame:
    """Each claim with the article making it and the authority its verdict rests on.

    Parameters
    ----------
    version : str, optional
        A released version (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        The columns of the SQL view ``claims_with_authority``: ``claim_id``,
        ``article_source_id``, ``article`` (its title), ``paraphrase``, ``kind``, ``verdict``,
        ``verdict_note``, ``authority_source_id``, ``authority`` (its title),
        ``authority_publisher``, ``authority_reliability``, ``event_id``,
        ``authority_excerpt`` (the authority's words that settle the claim),
        ``authority_url``, ``authority_accessed`` (the day the curators read the authority)
        and ``authority_read_url`` (where they read it, when not at its url); one row per
        claim, sorted by ``claim_id``. An opinion has no authority (missing values). A
        release made before these columns existed (up to 2.0.0) has them empty.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> v = ead.views.claims_with_authority()
    >>> len(v) == len(ead.load("claims")), str(v["verdict"].dtype)
    (True, 'category')
    """
    from eastasia_data.loader import load

    claims = _with_later_columns(load("claims", version=version), "claims")
    sources = _with_later_columns(load("sources", version=version), "sources").set_index("source_id")
    out = (claims.join(sources["title"].rename("article"), on="source_id")
           .join(sources[["title", "publisher", "reliability", "url", "accessed", "read_url"]]
                 .rename(columns={"title": "authority", "publisher": "authority_publisher",
                                  "reliability": "authority_reliability", "url": "authority_url",
                                  "accessed": "authority_accessed", "read_url": "authority_read_url"}),
                 on="authority_source_id")
           .rename(columns={"source_id": "article_source_id"}))
    columns = ["claim_id", "article_source_id", "article", "paraphrase", "kind", "verdict", "verdict_note",
               "authority_source_id", "authority", "authority_publisher", "authority_reliability", "event_id",
               "authority_excerpt", "authority_url", "authority_accessed", "authority_read_url"]
    return out[columns].sort_values("claim_id", ignore_index=True)


def _with_later_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """``frame`` with the columns of :data:`LATER_COLUMNS` its release lacks, empty, of the dtype ``load()`` gives them."""
    import pandas as pd

    missing = {c: dtype for c, dtype in LATER_COLUMNS[table].items() if c not in frame.columns}
    return frame.assign(**{c: pd.Series(None, index=frame.index, dtype=dtype) for c, dtype in missing.items()})


def event_participants(*, version: str | None = None) -> pd.DataFrame:
    """Each event with each actor taking part in it, its role, and the state the actor stands for.

    Actors are hierarchical: a person, a government body or an armed force belongs to a
    state (its ``state_actor_id`` in ``actors``), and an event often names only them (the
    Korean People's Army, not North Korea). The ``state_actor_id`` column of this view rolls
    every actor up to its state, so one filter on it finds the events a state takes part in
    directly or through its people, bodies and forces; the ``actor`` column says through whom.

    Parameters
    ----------
    version : str, optional
        A released version (default: the shipped one).

    Returns
    -------
    pandas.DataFrame
        The columns of the SQL view ``event_participants``: ``event_id``, ``start_date``,
        ``end_date``, ``date_precision``, ``title``, ``category``, ``actor_id``, ``actor``
        (its name), ``actor_kind``, ``role``, ``state_actor_id`` and ``state`` (its name);
        one row per event and actor, sorted by event, actor and role. ``state_actor_id`` is
        the actor itself for a state, former state or territory (:data:`STATE_KINDS`), its
        ``state_actor_id`` for any other actor that has one, and missing for the rest
        (organisations and forums such as the United Nations or ASEAN).

    Examples
    --------
    >>> import eastasia_data as ead
    >>> p = ead.views.event_participants()
    >>> len(p) == len(ead.load("event_actors")), str(p["start_date"].dtype)
    (True, 'datetime64[ms]')

    The events North Korea takes part in, itself or through its army or its leader:

    >>> nk = p[p["state_actor_id"] == "act-north-korea"]
    >>> nk["event_id"].nunique() > p.loc[p["actor_id"] == "act-north-korea", "event_id"].nunique()
    True
    >>> through = nk.loc[nk["actor_id"] != "act-north-korea", "actor_id"].unique()  # its people, bodies, forces
    >>> actors = ead.load("actors").set_index("actor_id")
    >>> len(through) > 0 and bool((actors.loc[through, "state_actor_id"] == "act-north-korea").all())
    True
    """
    from eastasia_data.loader import load

    links = load("event_actors", version=version)
    events = load("events", version=version).set_index("event_id")
    actors = load("actors", version=version).set_index("actor_id")
    own = actors["kind"].astype("str").isin(STATE_KINDS)
    state_of = actors["state_actor_id"].where(~own, actors.index.to_series())
    rollup = state_of.to_frame("state_actor_id").assign(state=state_of.map(actors["name"]).astype(actors["name"].dtype))
    out = (links.join(events[["start_date", "end_date", "date_precision", "title", "category"]], on="event_id")
           .join(actors[["name", "kind"]].rename(columns={"name": "actor", "kind": "actor_kind"}), on="actor_id")
           .join(rollup, on="actor_id"))
    columns = ["event_id", "start_date", "end_date", "date_precision", "title", "category", "actor_id", "actor",
               "actor_kind", "role", "state_actor_id", "state"]
    out = out[columns]
    out = out.assign(_role=out["role"].astype("str")).sort_values(["event_id", "actor_id", "_role"], ignore_index=True)
    return out.drop(columns="_role")


def chronology(*, version: str | None = None) -> pd.DataFrame:
    """The events in order, each with its PLOVER coding, its actors and roles, and its sources.

    One row per event, sorted by ``event_id`` (which begins with the start date). The quad
    class is derived from the category (:data:`QUADS`); ``actors`` lists ``name (role)`` and
    ``sources`` the source ids, each joined by ``"; "`` (here actors by role, then id, and
    sources by id; the SQL view lists the same items in the database's order, as SQLite before
    3.44 cannot order an aggregate). ``context`` is the Table Schema list as stored (``military;diplomatic``). Filter on
    ``basis`` to keep one layer: ``chronology`` for the timeline from 13 September 2023 on,
    ``mentioned`` and ``alluded_to`` for the articles' layer.

    Parameters
    ----------
    version : str, optional
        A released version (default: the shipped one). Releases before the PLOVER columns
        existed give them as missing values.

    Returns
    -------
    pandas.DataFrame
        The columns of the SQL view ``chronology`` of the SQLite and DuckDB exports:
        ``event_id``, ``start_date``, ``end_date``, ``date_precision``, ``title``,
        ``category``, ``quad``, ``mode``, ``context``, ``cameo_root``, ``location``, ``basis``,
        ``wikidata_qid``, ``actors`` and ``sources``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> c = ead.views.chronology()
    >>> len(c) == len(ead.load("events")), c["event_id"].is_monotonic_increasing
    (True, True)
    >>> row = c.set_index("event_id").loc["evt-2024-06-19-putin-pyongyang-summit"]
    >>> str(row["category"]), row["quad"]
    ('CONSULT', 'verbal_cooperation')
    >>> links = ead.views.event_participants().query("event_id == 'evt-2024-06-19-putin-pyongyang-summit'")
    >>> all(f"{actor} ({role})" in row["actors"] for actor, role in zip(links["actor"], links["role"]))
    True
    """
    import pandas as pd

    from eastasia_data.loader import load

    events = load("events", version=version)
    for column in CHRONOLOGY_EVENT_COLUMNS:
        if column not in events.columns:
            events[column] = pd.Series(pd.NA, index=events.index, dtype="str")
    quad_of = {c: quad for quad, cats in QUADS.items() for c in cats}
    events["quad"] = pd.Categorical(events["category"].astype("str").map(quad_of), categories=list(QUADS))
    links = load("event_actors", version=version)
    names = load("actors", version=version).set_index("actor_id")["name"].astype("str")
    links = links.assign(_role=links["role"].astype("str"), _name=links["actor_id"].map(names))
    links = links.sort_values(["event_id", "_role", "actor_id"])
    actors = (links["_name"] + " (" + links["_role"] + ")").groupby(links["event_id"]).agg(LIST_SEPARATOR.join)
    cited = load("event_sources", version=version).sort_values(["event_id", "source_id"])
    sources = cited["source_id"].astype("str").groupby(cited["event_id"]).agg(LIST_SEPARATOR.join)
    columns = list(CHRONOLOGY_EVENT_COLUMNS[:6]) + ["quad"] + list(CHRONOLOGY_EVENT_COLUMNS[6:])
    out = events[columns].assign(actors=events["event_id"].map(actors).astype("str"),
                                 sources=events["event_id"].map(sources).astype("str"))
    return out.sort_values("event_id", ignore_index=True)
