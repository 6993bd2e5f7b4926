"""A release as text tables: what every writer of ``publish/`` starts from.

The model and the loaded tables with dates as ISO text at their precision
(:func:`text_columns`, :func:`release_texts`), the order that puts parents first
(:func:`table_order`), and a column's description and references as a database reader
sees them (:func:`column_description`, :func:`references`). No writer imports another
writer or the dispatcher (:mod:`eastasia_data.publish.export`); they all import this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eastasia_data.dates import format_dates
from eastasia_data.errors import ExportError
from eastasia_data.model import Table

__all__ = ["column_description", "references", "release_texts", "table_order", "text_columns"]


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


def release_texts(frames: Mapping[str, Any] | None = None) -> tuple[dict[str, Table], dict[str, Any]]:
    """The shipped release's tables and their text (:func:`text_columns`), checked against their hashes.

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        Tables to use instead of the release's, as :func:`eastasia_data.load` returns them;
        every table not given is loaded (with ``verify=True``).

    Returns
    -------
    (dict of str to Table, dict of str to DataFrame)
        The model and the text of each table, by name.

    Raises
    ------
    ExportError
        ``frames`` names a table the release does not have.

    Examples
    --------
    >>> tables, texts = release_texts()
    >>> sorted(set(texts["events"]["start_date"].map(len))), sorted(tables) == sorted(texts)
    ([4, 7, 10], True)
    """
    from eastasia_data.loader import load
    from eastasia_data.releases import model

    tables = model()
    given = dict(frames or {})
    unknown = sorted(set(given) - set(tables))
    if unknown:
        raise ExportError(f"not tables of the release: {', '.join(unknown)}")
    texts = {name: text_columns(given[name] if name in given else load(name, verify=True), t) for name, t in tables.items()}
    return tables, texts


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
