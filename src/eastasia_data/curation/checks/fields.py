"""Cross-field rules within a row: dates against their precision and order, and the schema's ``rules``.

All checks are vectorised over the column with Arrow compute kernels and NumPy
masks (pandas' own operations cost about a tenth of a millisecond each on a small
column, which made this layer the slowest on the real data); a problem names the
column a contributor has to change.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data.curation.checks.kernels import bools, first_day, fullmatch, one_of, present, text_array
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import DATE_ORDER, PRECISION
from eastasia_data.dates import PARTIAL_SHAPE, PRECISIONS
from eastasia_data.model import Rule

_SHAPE = {p.name: p.shape for p in PRECISIONS.values()}
_NAMES = pa.array([p.name for p in PRECISIONS.values()], type=pa.large_string())
_LENGTHS = np.array([p.length for p in PRECISIONS.values()] + [-1])


def _positions(mask: np.ndarray) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def _describe_when(rule: Rule) -> str:
    parts = []
    for col, values in rule.when:
        if values is None:
            parts.append(f"{col} is filled in")
        elif len(values) == 1:
            parts.append(f"{col} is {values[0]!r}")
        else:
            parts.append(f"{col} is one of {', '.join(values)}")
    return " and ".join(parts)


def check_dates(tf: TableFile) -> list[Problem]:
    """Check dates against their precision column and against the date they may not precede.

    Parameters
    ----------
    tf : TableFile
        One table as read.

    Returns
    -------
    list of Problem
        Rules ``precision`` (the text's shape disagrees with the stated precision) and
        ``date-order`` (an end before its start).

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> tf = read_checkout()["events"]
    >>> tf.frame.loc[0, "end_date"] = "1900-01-01"
    >>> [p.rule for p in check_dates(tf)]
    ['date-order']
    """
    frame, problems = tf.frame, list[Problem]()
    if frame is None:
        return problems
    column = {name: text_array(frame[name]) for name in frame.columns if name in tf.table.field_names}
    dated: dict[str, list[str]] = {}
    for f in tf.table.fields:
        if f.precision_field and f.name in column:
            dated.setdefault(f.precision_field, []).append(f.name)
    for precision_field, dates in dated.items():  # a precision says how precise a date is: no date, no precision
        if precision_field not in column:
            continue
        no_date = present(column[precision_field]) & ~np.logical_or.reduce([present(column[d]) for d in dates])
        for i in _positions(no_date):
            problems.append(tf.problem(i, precision_field, column[precision_field][i].as_py(), PRECISION,
                                       f"is given, but {' and '.join(dates)} {'is' if len(dates) == 1 else 'are'} empty",
                                       f"fill in {dates[0]}, or leave {precision_field} empty"))
    for f in tf.table.fields:
        if f.name not in column:
            continue
        values = column[f.name]
        if f.precision_field and f.precision_field in column and values.null_count < len(values):
            precision = column[f.precision_field]
            expected = _LENGTHS[np.asarray(pc.index_in(precision, value_set=_NAMES).fill_null(-1))]
            # A value that is not a date at all is the date rule's (one problem per cell, not two).
            length = np.asarray(pc.utf8_length(values).fill_null(-1))
            bad = present(values) & (expected >= 0) & fullmatch(PARTIAL_SHAPE)(values.fill_null("")) & (length != expected)
            for i in _positions(bad):
                p = str(precision[i].as_py())
                problems.append(tf.problem(i, f.name, values[i].as_py(), PRECISION,
                                           f"disagrees with {f.precision_field} {p!r}, which takes the form {_SHAPE[p]}",
                                           f"write the date as {_SHAPE[p]} or correct {f.precision_field}"))
        if f.not_before and f.not_before in column:
            bad = bools(pc.less(first_day(values), first_day(column[f.not_before])))
            for i in _positions(bad):
                problems.append(tf.problem(i, f.name, values[i].as_py(), DATE_ORDER,
                                           f"is before {f.not_before} {column[f.not_before][i].as_py()!r}",
                                           "swap the dates or correct one of them"))
    return problems


def check_rules(tf: TableFile) -> list[Problem]:
    """Check the table's cross-field ``rules`` (require, forbid or allow columns when others hold values).

    Parameters
    ----------
    tf : TableFile
        One table as read.

    Returns
    -------
    list of Problem
        One per row and column breaking a rule; the rule's name is the problem's rule.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> tf = read_checkout()["actors"]
    >>> china = tf.frame.index[tf.frame["actor_id"] == "act-china"][0]
    >>> tf.frame.loc[china, "iso3"] = None
    >>> [p.rule for p in check_rules(tf)]
    ['state-has-iso3']
    """
    frame, problems = tf.frame, list[Problem]()
    if frame is None:
        return problems
    for rule in tf.table.rules:
        columns = [c for c, _ in rule.when] + list(rule.require) + list(rule.forbid) + [c for c, _ in rule.allow]
        if any(c not in frame.columns for c in columns):
            continue  # a header problem was already reported
        column = {c: text_array(frame[c]) for c in dict.fromkeys(columns)}
        applies = np.ones(len(frame), dtype=bool)
        for col, values in rule.when:
            applies &= present(column[col]) if values is None else one_of(values)(column[col])
        if not applies.any():
            continue
        when = _describe_when(rule)
        for col in rule.require:
            for i in _positions(applies & ~present(column[col])):
                problems.append(tf.problem(i, col, None, rule.name, f"is empty but required when {when}",
                                           rule.description))
        for col in rule.forbid:
            for i in _positions(applies & present(column[col])):
                problems.append(tf.problem(i, col, column[col][i].as_py(), rule.name, f"must be empty when {when}",
                                           rule.description))
        for col, allowed in rule.allow:
            for i in _positions(applies & present(column[col]) & ~one_of(allowed)(column[col])):
                problems.append(tf.problem(i, col, column[col][i].as_py(), rule.name,
                                           f"must be one of {', '.join(allowed)} when {when}", rule.description))
    return problems


def check_fields(tf: TableFile) -> list[Problem]:
    """Every cross-field problem of one table: :func:`check_dates` and :func:`check_rules`.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> tf = read_checkout()["claims"]
    >>> check_fields(tf)
    []
    """
    if tf.frame is None or tf.frame.empty:
        return []
    return check_dates(tf) + check_rules(tf)
