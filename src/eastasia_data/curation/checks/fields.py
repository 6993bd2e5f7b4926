"""Cross-field rules within a row: dates against their precision and order, and the schema's ``rules``.

All checks are vectorised over the column; a problem names the column a
contributor has to change.
"""

from __future__ import annotations

import pandas as pd

from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.dates import PARTIAL_SHAPE, PRECISIONS, parse_dates
from eastasia_data.model import Rule

_SHAPE = {p.name: p.shape for p in PRECISIONS.values()}


def _positions(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask[mask.fillna(False).astype(bool)].index]


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
    >>> from eastasia_data.curation.reader import read_checkout
    >>> tf = read_checkout()["events"]
    >>> tf.frame.loc[0, "end_date"] = "1900-01-01"
    >>> [p.rule for p in check_dates(tf)]
    ['date-order']
    """
    frame, problems = tf.frame, list[Problem]()
    if frame is None:
        return problems
    dated: dict[str, list[str]] = {}
    for f in tf.table.fields:
        if f.precision_field and f.name in frame.columns:
            dated.setdefault(f.precision_field, []).append(f.name)
    for precision_field, dates in dated.items():  # a precision says how precise a date is: no date, no precision
        if precision_field not in frame.columns:
            continue
        no_date = frame[precision_field].notna() & frame[dates].isna().all(axis=1)
        for i in _positions(no_date):
            problems.append(tf.problem(i, precision_field, frame[precision_field].iat[i], "precision",
                                       f"is given, but {' and '.join(dates)} {'is' if len(dates) == 1 else 'are'} empty",
                                       f"fill in {dates[0]}, or leave {precision_field} empty"))
    for f in tf.table.fields:
        if f.name not in frame.columns:
            continue
        values = frame[f.name]
        if f.precision_field and f.precision_field in frame.columns:
            precision = frame[f.precision_field]
            expected = precision.map({p.name: p.length for p in PRECISIONS.values()})
            # A value that is not a date at all is the date rule's (one problem per cell, not two).
            shaped = values.str.fullmatch(PARTIAL_SHAPE).fillna(False).astype(bool)
            bad = values.notna() & expected.notna() & shaped & (values.str.len() != expected)
            for i in _positions(bad):
                p = str(precision.iat[i])
                problems.append(tf.problem(i, f.name, values.iat[i], "precision",
                                           f"disagrees with {f.precision_field} {p!r}, which takes the form {_SHAPE[p]}",
                                           f"write the date as {_SHAPE[p]} or correct {f.precision_field}"))
        if f.not_before and f.not_before in frame.columns:
            end = parse_dates(values)
            start = parse_dates(frame[f.not_before])
            bad = end.notna() & start.notna() & (end < start)
            for i in _positions(bad):
                problems.append(tf.problem(i, f.name, values.iat[i], "date-order",
                                           f"is before {f.not_before} {frame[f.not_before].iat[i]!r}",
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
    >>> from eastasia_data.curation.reader import read_checkout
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
        applies = pd.Series(True, index=frame.index)
        for col, values in rule.when:
            applies &= frame[col].notna() if values is None else frame[col].isin(values)
        when = _describe_when(rule)
        for col in rule.require:
            for i in _positions(applies & frame[col].isna()):
                problems.append(tf.problem(i, col, None, rule.name, f"is empty but required when {when}",
                                           rule.description))
        for col in rule.forbid:
            for i in _positions(applies & frame[col].notna()):
                problems.append(tf.problem(i, col, frame[col].iat[i], rule.name, f"must be empty when {when}",
                                           rule.description))
        for col, allowed in rule.allow:
            for i in _positions(applies & frame[col].notna() & ~frame[col].isin(allowed)):
                problems.append(tf.problem(i, col, frame[col].iat[i], rule.name,
                                           f"must be one of {', '.join(allowed)} when {when}", rule.description))
    return problems


def check_fields(tf: TableFile) -> list[Problem]:
    """Every cross-field problem of one table: :func:`check_dates` and :func:`check_rules`.

    Examples
    --------
    >>> from eastasia_data.curation.reader import read_checkout
    >>> tf = read_checkout()["claims"]
    >>> check_fields(tf)
    []
    """
    if tf.frame is None or tf.frame.empty:
        return []
    return check_dates(tf) + check_rules(tf)
