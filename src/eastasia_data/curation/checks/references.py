"""Across tables: cells that name a row, a column or a value of another table (the ``codings`` table).

A schema marks such columns with ``rowKeyOf``, ``columnOf`` and ``valueOf`` (see
:mod:`eastasia_data.model`). For each row of such a table:

* ``row-key``: the ``rowKeyOf`` column names an existing row of the table named in the row, by
  its primary key's values in key order joined by `` | ``;
* ``coded-column``: the ``columnOf`` column names a column of that table;
* ``coded-value``: the ``valueOf`` column holds an allowed value of that column (when the column
  has categories).

A row whose table is not a table of the dataset is left to the ``enum`` rule of its column (or,
without categories there, reported here under ``row-key``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data.curation.checks.kernels import Suggester, bools, row_keys, text_array
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import CODED_COLUMN, CODED_VALUE, ROW_KEY
from eastasia_data.model import Table
from eastasia_data.views import SEPARATOR as KEY_SEPARATOR


def key_hint(table: Table) -> str:
    """How a row key of ``table`` is written, naming its key columns.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> key_hint(read_model()["claims"])
    'a row key of claims is its claim_id'
    >>> key_hint(read_model()["event_actors"])
    "a row key of event_actors is event_id | actor_id | role (the key's values in this order, joined by ' | ')"
    """
    key = table.primary_key
    if len(key) == 1:
        return f"a row key of {table.name} is its {key[0]}"
    return f"a row key of {table.name} is {KEY_SEPARATOR.join(key)} (the key's values in this order, joined by ' | ')"


def _key_array(tf: TableFile):
    frame, key = tf.frame, tf.table.primary_key
    if frame is None or not key or any(c not in frame.columns for c in key):
        return pa.array([], type=pa.large_string())
    return row_keys(frame, key)


def _found(tf: TableFile, column: str, table_column: str, files: dict[str, TableFile]) -> np.ndarray:
    """The rows whose ``column`` is the key of a row of the table their ``table_column`` names, found in Arrow.

    Those rows give :func:`_row_keys` nothing to report; the others are checked one by one.
    """
    assert tf.frame is not None
    names, values = text_array(tf.frame[table_column]), text_array(tf.frame[column])
    found = np.zeros(len(tf.frame), dtype=bool)
    for name in pc.unique(names).drop_null().to_pylist():
        target = files.get(name)
        if target is not None and target.frame is not None:
            found |= bools(pc.equal(names, name)) & bools(pc.is_in(values, value_set=_key_array(target)))
    return found


def check_references(files: dict[str, TableFile]) -> list[Problem]:
    """Check the cells that name a row, a column or a value of another table.

    Parameters
    ----------
    files : dict of str to TableFile
        The tables as read.

    Returns
    -------
    list of Problem
        Rules ``row-key``, ``coded-column`` and ``coded-value``.

    Examples
    --------
    >>> import pandas as pd
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> files["codings"].frame = pd.DataFrame(
    ...     {"table_name": ["claims"], "row_key": ["clm-nope"], "field": ["verdict"], "coder": ["coder-a"],
    ...      "round": ["1"], "value": ["maybe"], "note": [None], "adjudication": [None]}, dtype="str")
    >>> files["codings"].lines = [2]
    >>> [p.rule for p in check_references(files)]
    ['row-key', 'coded-value']
    """
    problems: list[Problem] = []
    for tf in files.values():
        frame, table = tf.frame, tf.table
        if frame is None or not len(frame):
            continue
        for f in table.fields:
            if f.row_key_of and {f.name, f.row_key_of} <= set(frame.columns):
                problems += _row_keys(tf, f.name, f.row_key_of, files)
            if f.column_of and {f.name, f.column_of} <= set(frame.columns):
                problems += _columns(tf, f.name, f.column_of, files)
            if f.value_of and f.value_of in frame.columns and f.name in frame.columns:
                owner = table.field(f.value_of).column_of
                if owner is not None and owner in frame.columns:
                    problems += _values(tf, f.name, f.value_of, owner, files)
    return problems


def _row_keys(tf: TableFile, column: str, table_column: str, files: dict[str, TableFile]) -> list[Problem]:
    problems: list[Problem] = []
    assert tf.frame is not None
    known: dict[str, set[str]] = {}
    suggesters: dict[str, Suggester] = {}
    enumerated = bool(tf.table.field(table_column).categories)
    rest = np.flatnonzero(~_found(tf, column, table_column, files))
    subset = tf.frame.iloc[rest]
    for i, name, value in zip(rest.tolist(), subset[table_column].tolist(), subset[column].tolist()):
        if not isinstance(value, str) or not isinstance(name, str):
            continue  # an empty cell is the required rule's
        target = files.get(name)
        if target is None:
            if not enumerated:
                problems.append(tf.problem(i, table_column, name, ROW_KEY, "is not a table of the dataset",
                                           f"name one of: {', '.join(sorted(files))}"))
            continue
        if target.frame is None:
            continue  # the table could not be read: its own problems say why
        if name not in known:
            known[name] = set(_key_array(target).to_pylist())
        if value in known[name]:
            continue
        if name not in suggesters:
            suggesters[name] = Suggester(sorted(known[name]))
        close = suggesters[name].closest(value)
        hint = (f"did you mean {close!r}? " if close else "") + key_hint(target.table)
        problems.append(tf.problem(i, column, value, ROW_KEY, f"names no row of {target.display}", hint))
    return problems


def _columns(tf: TableFile, column: str, table_column: str, files: dict[str, TableFile]) -> list[Problem]:
    problems: list[Problem] = []
    assert tf.frame is not None
    listed = tf.table.field(column).enum
    for i, (name, value) in enumerate(zip(tf.frame[table_column].tolist(), tf.frame[column].tolist())):
        target = files.get(name) if isinstance(name, str) else None
        if target is None or not isinstance(value, str) or value in target.table.field_names:
            continue
        if listed and value not in listed:
            continue  # not a codable column at all: the enum rule of the column says so
        choices = [c for c in target.table.field_names if not listed or c in listed]
        problems.append(tf.problem(i, column, value, CODED_COLUMN, f"is not a column of {name}",
                                   f"the coded columns of {name} are: {', '.join(choices)}"))
    return problems


def _values(tf: TableFile, column: str, field_column: str, table_column: str,
            files: dict[str, TableFile]) -> list[Problem]:
    problems: list[Problem] = []
    frame = tf.frame
    assert frame is not None
    judged: dict[tuple, tuple[str, str] | None] = {}  # a long table repeats few (table, column, value) triples
    for i, triple in enumerate(zip(frame[table_column].tolist(), frame[field_column].tolist(),
                                   frame[column].tolist())):
        if triple not in judged:
            judged[triple] = _coded_value(files, *triple)
        found = judged[triple]
        if found is not None:
            problems.append(tf.problem(i, column, triple[2], CODED_VALUE, *found))
    return problems


def _coded_value(files: dict[str, TableFile], name, coded, value) -> tuple[str, str] | None:
    """What is wrong with ``value`` as a value of the column ``coded`` of the table ``name`` (None: nothing)."""
    target = files.get(name) if isinstance(name, str) else None
    if target is None or not isinstance(coded, str) or not isinstance(value, str):
        return None
    if coded not in target.table.field_names:
        return None  # the coded-column rule says so
    target_field = target.table.field(coded)
    allowed = target_field.enum
    if allowed and target_field.is_list:  # a set of codes: every item allowed, none twice
        items = target_field.items(value)
        bad = [x for x in items if x not in allowed]
        if bad or len(set(items)) != len(items):
            return (f"has an item that is not an allowed value of {name}.{coded}"
                    + (f" ({bad[0]!r})" if bad else " (an item repeated)"),
                    f"join items with {target_field.delimiter!r}, each once; the allowed values are: "
                    f"{', '.join(allowed)}")
    elif allowed and value not in allowed:
        return f"is not an allowed value of {name}.{coded}", f"the allowed values are: {', '.join(allowed)}"
    return None
