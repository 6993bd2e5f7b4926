"""How each kind of column is typed in every target: pandas, Arrow (Parquet), SQLite and DuckDB.

A column's *kind* is its Table Schema type, except that a column with allowed values is a
``category`` and a date of reduced precision (one with a ``precisionField``) a
``partial_date``. :data:`TYPES` is the one table of types; the model, the loader, the
build, the exports and the docs all read it.

Dates are written to SQL as ISO text at their precision (see ``eastasia_data.export``),
so they are ``TEXT``/``VARCHAR`` there.

Examples
--------
>>> from eastasia_data.types import TYPES
>>> TYPES["partial_date"].pandas, TYPES["partial_date"].sqlite
('datetime64[ms]', 'TEXT')
>>> TYPES["integer"].duckdb
'BIGINT'
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
        ColumnType("date", "datetime64[ms]", "timestamp", "TEXT", "VARCHAR"),
        ColumnType("partial_date", "datetime64[ms]", "timestamp", "TEXT", "VARCHAR"),
        ColumnType("category", "category", "dictionary", "TEXT", "VARCHAR"),
    )
}

#: Table Schema types a schema file may use.
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")


def arrow_type(kind: str):
    """The pyarrow type of a kind of column (categories: int8 codes into string values).

    Examples
    --------
    >>> str(arrow_type("partial_date")), str(arrow_type("category"))
    ('timestamp[ms]', 'dictionary<values=string, indices=int8, ordered=0>')
    """
    import pyarrow as pa

    if kind == "category":
        return pa.dictionary(pa.int8(), pa.string())
    if kind in ("date", "partial_date"):
        return pa.timestamp("ms")
    return getattr(pa, TYPES[kind].arrow)()


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
