"""How each kind of column is typed in every target: pandas, Arrow (Parquet), SQLite and DuckDB.

A column's *kind* is its Table Schema type, except that a column with allowed values is a
``category`` and a date of reduced precision (one with a ``precisionField``) a
``partial_date``; a Table Schema v2 ``list`` field (whose ``categories``, if any, are the allowed
*items*) is a ``list``, kept everywhere as its delimited text. :data:`TYPES` is the one table of types; the model, the loader, the
build, the exports and the docs all read it.

Dates are written to SQL as ISO text at their precision (see ``eastasia_data.publish.export``),
so they are ``TEXT``/``VARCHAR`` there. In Parquet they are ``date32`` (a calendar day, which
polars and DuckDB show as ``DATE``); releases up to 1.0.0 stored them as ``timestamp[ms]``
and :func:`arrow_dates` reads both. ``load()`` returns them as ``datetime64[ms]`` either way.

Examples
--------
>>> from eastasia_data.types import TYPES
>>> TYPES["partial_date"].pandas, TYPES["partial_date"].sqlite
('datetime64[ms]', 'TEXT')
>>> TYPES["integer"].duckdb
'BIGINT'
>>> TYPES["partial_date"].arrow
'date32'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class ColumnType:
    """One kind of column in each target."""

    kind: str
    pandas: str
    arrow: str
    sqlite: str
    duckdb: str


#: Kind of column → its type in each target. ``arrow`` is the pyarrow factory's name.
TYPES: dict[str, ColumnType] = {
    t.kind: t
    for t in (
        ColumnType("string", "str", "string", "TEXT", "VARCHAR"),
        ColumnType("integer", "Int64", "int64", "INTEGER", "BIGINT"),
        ColumnType("number", "float64", "float64", "REAL", "DOUBLE"),
        ColumnType("boolean", "boolean", "bool_", "INTEGER", "BOOLEAN"),
        ColumnType("date", "datetime64[ms]", "date32", "TEXT", "VARCHAR"),
        ColumnType("partial_date", "datetime64[ms]", "date32", "TEXT", "VARCHAR"),
        ColumnType("category", "category", "dictionary", "TEXT", "VARCHAR"),
        # a Table Schema v2 list field: kept in every target as its delimited text (items in order)
        ColumnType("list", "str", "string", "TEXT", "VARCHAR"),
    )
}

#: Table Schema types a schema file may use.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "list")


def arrow_type(kind: str, ordered: bool = False):
    """The pyarrow type of a kind of column (categories: int8 codes into string values, ordered or not).

    Examples
    --------
    >>> str(arrow_type("partial_date")), str(arrow_type("category"))
    ('date32[day]', 'dictionary<values=string, indices=int8, ordered=0>')
    >>> str(arrow_type("category", ordered=True))
    'dictionary<values=string, indices=int8, ordered=1>'
    """
    import pyarrow as pa

    if kind == "category":
        return pa.dictionary(pa.int8(), pa.string(), ordered=ordered)
    return getattr(pa, TYPES[kind].arrow)()


def arrow_dates(table, fields, to: str = "date32"):
    """``table`` with the date columns named in ``fields`` cast to ``date32`` or ``timestamp[ms]``.

    A release stores its dates as one or the other (``timestamp[ms]`` up to 1.0.0); this
    makes what a reader gets independent of which.

    Parameters
    ----------
    table : pyarrow.Table
    fields : iterable of str
        The date columns.
    to : {"date32", "timestamp"}

    Examples
    --------
    >>> import datetime as dt, pyarrow as pa
    >>> t = pa.table({"d": pa.array([dt.datetime(2024, 6, 1)], pa.timestamp("ms"))})
    >>> str(arrow_dates(t, ["d"]).schema.field("d").type)
    'date32[day]'
    >>> str(arrow_dates(arrow_dates(t, ["d"]), ["d"], to="timestamp").schema.field("d").type)
    'timestamp[ms]'
    """
    import pyarrow as pa

    target = pa.date32() if to == "date32" else pa.timestamp("ms")
    for name in fields:
        i = table.schema.get_field_index(name)
        if i >= 0 and table.schema.field(i).type != target:
            f = table.schema.field(i)
            table = table.set_column(i, f.with_type(target), table.column(i).cast(target))
    return table


@lru_cache(maxsize=1)
def nullable_types_mapper():
    """A ``types_mapper`` for ``pyarrow.Table.to_pandas``: int64 and bool to pandas' nullable dtypes.

    Without it a column of integers with a missing value would come back as float64.

    Examples
    --------
    >>> import pyarrow as pa
    >>> str(pa.table({"n": pa.array([1, None])}).to_pandas(types_mapper=nullable_types_mapper())["n"].dtype)
    'Int64'
    """
    import pandas as pd
    import pyarrow as pa

    return {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get
