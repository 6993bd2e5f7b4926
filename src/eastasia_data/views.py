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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eastasia_data.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CORRECTIONS", "LATER_COLUMNS", "QUADS", "SEPARATOR", "SQL", "STATE_KINDS", "Entry", "cell_text",
           "chronology", "claims_with_authority", "corrections_register", "create_views", "entries",
           "event_participants", "history", "reasons", "row_key", "split_key", "view_columns", "view_sql"]

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


# The corrections register: how a corrected row is named, and the reason given for it.
#
# The table ``corrections`` (``data/corrections.csv``, shipped in every release from the one
# after 2.0.0) holds one row per correction of a released row: the table, the row's key as
# released (``row_key``), the columns, the release that made the correction and what was
# wrong. A row's key is its primary key's values in key order joined by ``" | "``
# (:func:`row_key`). :func:`history` and ``eastasia-data diff`` show the reason beside each
# corrected or removed row; ``check-version`` and ``release`` ask for an entry for each
# (:mod:`eastasia_data.curation.checks.corrections`). Nothing here imports pandas at import time.

#: The name of the corrections register's table.
CORRECTIONS = "corrections"
#: What joins the values of a composite key in ``row_key``.
SEPARATOR = " | "


def row_key(values: Iterable[Any]) -> str:
    """A row's key as the register writes it: its values in key order joined by ``" | "``.

    Examples
    --------
    >>> row_key(["evt-2013-09-07-xi-proposes-silk-road-economic-belt", "act-belt-and-road-initiative", "participant"])
    'evt-2013-09-07-xi-proposes-silk-road-economic-belt | act-belt-and-road-initiative | participant'
    >>> row_key(["clm-a1-kursk-reclaim-vital", None])  # a missing value is empty, as in the CSV
    'clm-a1-kursk-reclaim-vital | '
    """
    return SEPARATOR.join("" if v is None else str(v) for v in values)


def split_key(text: str) -> tuple[str, ...]:
    """The values of a ``row_key``, in key order.

    Examples
    --------
    >>> split_key("str-china-asean-regional-forum | act-asean")
    ('str-china-asean-regional-forum', 'act-asean')
    """
    return tuple(text.split(SEPARATOR))


@dataclass(frozen=True)
class Entry:
    """One row of the register, every cell as text (empty cells as ``""``)."""

    correction_id: str
    table_name: str
    row_key: str
    columns: str
    release: str
    what_was_wrong: str
    evidence_source_id: str
    reported_by: str
    status: str

    def reason(self) -> str:
        """The reason as shown beside the row: what was wrong, the evidence, the entry's id.

        Examples
        --------
        >>> Entry("cor-001", "events", "evt-x", "title", "1.0.0", "Misspelt.", "src-y", "issue 1", "corrected").reason()
        'Misspelt. (evidence: src-y; cor-001)'
        """
        evidence = f"evidence: {self.evidence_source_id}; " if self.evidence_source_id else ""
        return f"{self.what_was_wrong} ({evidence}{self.correction_id})"


def _cell(value: Any) -> str:
    if value is None or value != value:  # None, NaN, NA
        return ""
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def entries(frame: Any) -> list[Entry]:
    """The register's rows, from its frame as loaded (a release) or as read (a checkout).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([{"correction_id": "cor-001", "table_name": "events", "row_key": "evt-x",
    ...                        "columns": "title", "release": None, "what_was_wrong": "Misspelt.",
    ...                        "evidence_source_id": None, "reported_by": "issue 1", "status": "corrected"}])
    >>> entries(frame)[0].release
    ''
    """
    blank = [""] * len(frame)
    cells = [list(map(_cell, frame[n].tolist())) if n in frame.columns else blank for n in Entry.__dataclass_fields__]
    return [Entry(*values) for values in zip(*cells)]  # column by column: the register can be long


def reasons(frame: Any, *, statuses: tuple[str, ...] = ("corrected",)) -> dict[tuple[str, str, str], list[Entry]]:
    """The register's entries by (table, row_key, release), those of the given statuses only.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([{"correction_id": "cor-001", "table_name": "events", "row_key": "evt-x",
    ...                        "release": "1.1.0", "what_was_wrong": "Misspelt.", "status": "corrected"}])
    >>> [e.correction_id for e in reasons(frame)[("events", "evt-x", "1.1.0")]]
    ['cor-001']
    """
    out: dict[tuple[str, str, str], list[Entry]] = {}
    for e in entries(frame):
        if e.status in statuses:
            out.setdefault((e.table_name, e.row_key, e.release), []).append(e)
    return out


# History: one row across the releases.

def _key_values(table, key) -> dict[str, str]:
    pk = table.primary_key
    if isinstance(key, dict):
        values = {str(k): str(v) for k, v in key.items()}
        if set(values) != set(pk):
            raise UsageError(
                f"table {table.name!r} is keyed by {', '.join(pk)}; give a value for each (got {', '.join(values)})")
        return values
    parts = (key,) if isinstance(key, str) else tuple(key)
    if len(parts) != len(pk):
        raise UsageError(
            f"table {table.name!r} is keyed by ({', '.join(pk)}); give {len(pk)} value(s) in that order, or a dict")
    return dict(zip(pk, map(str, parts)))


def cell_text(value: Any) -> str | None:
    """A cell as :func:`history` shows it: text, a date as ``YYYY-MM-DD``, None for a missing value.

    Examples
    --------
    >>> import pandas as pd
    >>> cell_text(pd.Timestamp("2024-06-19")), cell_text(float("nan")), cell_text(3)
    ('2024-06-19', None, '3')
    """
    if value is None or value != value:  # None, NaN, NaT
        return None
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def history(table: str, key) -> pd.DataFrame:
    """One row of a table in every release, with the CHANGELOG entries that changed it.

    Parameters
    ----------
    table : str
        A table name.
    key : str, tuple or dict
        The row's primary key: its value, the values of a composite key in key order,
        or ``{column: value}``.

    Returns
    -------
    pandas.DataFrame
        One row per release, oldest first: ``version``, ``status`` (``added``, ``changed``,
        ``unchanged``, ``removed`` or ``absent``), ``changed`` (the columns whose value
        differs from the release before), ``changelog`` (the entries of that version's
        CHANGELOG section that name the key, one per line), ``reason`` (for a row that
        version changed or removed: what was wrong, from the corrections register, one
        entry per line; the register is read from the newest release that ships one, so
        corrections made before the register existed are explained too), then the row's
        columns as text (missing where the release has no such row or column). A renamed key
        is a removal plus an addition; the CHANGELOG entry of the addition names the old key.

    Raises
    ------
    UnknownTableError
        ``table`` is in no release.
    UnknownKeyError
        No release has a row with that key (the closest key of the last release is suggested).

    Examples
    --------
    >>> import eastasia_data as ead
    >>> h = ead.history("claims", "clm-a2-military-threat-unlikely")
    >>> h[["version", "status", "verdict"]].values.tolist()[:2]
    [['0.1.0', 'added', 'supported'], ['1.0.0', 'changed', 'unverifiable']]
    >>> "`supported` → `unverifiable`" in h["changelog"].iloc[1]
    True
    >>> ead.history("event_actors", ("evt-1950-06-25-korean-war", "act-north-korea", "actor"))["status"].tolist()[-1]
    'unchanged'
    >>> ead.history("claims", "clm-a2-military-threat-unlikly")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eastasia_data.errors.UnknownKeyError: no release of claims has a row with claim_id 'clm-a2-military-threat-unlikly'; did you mean 'clm-a2-military-threat-unlikely'?
    """
    import pandas as pd

    from eastasia_data.errors import UnknownTableError
    from eastasia_data.loader import load
    from eastasia_data.releases import model
    from eastasia_data.releases import changelog, registry

    releases = [r["version"] for r in registry()["releases"]]
    found = [v for v in releases if table in model(v)]
    if not found:
        raise UnknownTableError(f"no release has a table named {table!r} (see eastasia_data.tables())")
    wanted = _key_values(model(found[-1])[table], key)
    key_text = row_key(wanted[c] for c in model(found[-1])[table].primary_key)
    register = corrections_register(releases)
    entries = changelog().get("versions", {})
    out, previous = [], None
    for version in releases:
        row = None
        if table in model(version):
            frame = load(table, version=version)
            mask = pd.Series(True, index=frame.index)
            for column, value in wanted.items():
                mask &= frame[column].astype("str") == value if column in frame else False
            if mask.any():
                row = {c: cell_text(v) for c, v in frame[mask].iloc[0].items()}
        changed: list[str] = []
        if row is None:
            status = "removed" if previous is not None else "absent"
        elif previous is None:
            status, changed = "added", []
        else:
            changed = [c for c in row if row.get(c) != previous.get(c)]
            status = "changed" if changed else "unchanged"
        named = [e for section in entries.get(version, {}).get("sections", {}).values() for e in section
                 if any(f"`{v}`" in e for c, v in wanted.items() if not model(found[-1])[table].is_categorical(c))]
        why = register.get((table, key_text, version), []) if status in ("changed", "removed") else []
        out.append({"version": version, "status": status, "changed": ", ".join(changed),
                    "changelog": "\n".join(named) if status != "unchanged" and status != "absent" else "",
                    "reason": "\n".join(e.reason() for e in why) or None, **(row or {})})
        previous = row
    if all(entry["status"] == "absent" for entry in out):
        _no_such_key(table, wanted, found[-1])
    # Every column text: a cell the row lacks (or a release lacks the row) is missing alike, NaN.
    return pd.DataFrame(out).astype("str")


def _no_such_key(table: str, wanted: dict[str, str], version: str) -> None:
    """Raise :class:`UnknownKeyError` for a key found in no release, suggesting the closest of ``version``."""
    import difflib

    from eastasia_data.errors import UnknownKeyError
    from eastasia_data.loader import load

    frame = load(table, version=version)
    joined = "|".join(wanted.values())
    keys = frame[list(wanted)].astype("str").agg("|".join, axis=1).tolist()
    close = difflib.get_close_matches(joined, keys, n=1)
    shown = ", ".join(f"{c} {v!r}" for c, v in wanted.items())
    hint = f"; did you mean {close[0]!r}?" if close else f"; see ead.load({table!r}, version={version!r})"
    raise UnknownKeyError(f"no release of {table} has a row with {shown}{hint}")


def corrections_register(releases: list[str]) -> dict[tuple[str, str, str], list[Entry]]:
    """The corrections register of the newest release that ships one, by (table, row_key, release); {} if none does.

    Releases up to 2.0.0 have no register; the register of a later release lists the
    corrections made by the earlier ones too. What :func:`history` reads its reasons from.

    Examples
    --------
    >>> corrections_register(["0.1.0", "1.0.0"])  # no release up to 2.0.0 ships a register
    {}
    >>> import eastasia_data as ead
    >>> register = corrections_register(ead.versions()["version"].tolist())
    >>> len(register) > 0, all(e.status == "corrected" for found in register.values() for e in found)
    (True, True)
    """
    from eastasia_data.loader import load
    from eastasia_data.releases import model

    for version in reversed(releases):
        if CORRECTIONS in model(version):
            return reasons(load(CORRECTIONS, version=version))
    return {}
