"""Per-table rules as Pandera schemas, built from the model.

Two schemas are derived from each table:

* :func:`text_schema` checks the CSV as read, every cell still text. Types are
  checked as values with one vectorised parse per column (a date column is
  parsed once with ``pd.to_datetime(errors="coerce")``), never by Pandera's
  coercion, which falls back to a per-row path on bad values (pandera #876).
* :func:`frame_schema` checks a typed frame as :func:`eastasia_data.loader`
  returns it: the dtypes of the model and the same value constraints.

Why not ``pandera.io.pandas_io.from_frictionless_schema``: it coerces every
column (the slow path above), drops foreign keys and our extensions, and turns
enums into categoricals before the values are checked; building from the model
keeps one definition and full control of the messages.

Examples
--------
>>> from eastasia_data.curation.schemas import read_model
>>> from eastasia_data.curation.checks.table import text_schema
>>> schema = text_schema(read_model()["events"])
>>> sorted(schema.columns)[:3]
['basis', 'basis_note', 'category']
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.dates import DAY_SHAPE, PARTIAL_SHAPE, iso_forms, parse_dates
from eastasia_data.model import Field, Table

URI = r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s]+"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _fits_int64(s: pd.Series) -> pd.Series:
    """Whether each integer (as text) fits a 64-bit signed integer; text that is not an integer passes (``type`` reports it)."""
    negative = s.str.startswith("-")
    digits = s.str.lstrip("+-").str.lstrip("0")
    n = digits.str.len()
    bound = negative.map({True: str(-INT64_MIN), False: str(INT64_MAX)}).astype("str")
    return ~s.str.fullmatch(r"[+-]?[0-9]+") | (n < 19) | ((n == 19) & (digits <= bound))


def _check(fn, name: str, error: str) -> pa.Check:
    return pa.Check(fn, name=name, error=error, ignore_na=True)


def value_checks(f: Field) -> list[pa.Check]:
    """The checks on one column's non-empty values, as text.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> [c.name for c in value_checks(read_model()["events"].field("start_date"))]
    ['pattern', 'date']
    """
    checks: list[pa.Check] = []
    if f.pattern:
        rx = re.compile(f.pattern)
        checks.append(_check(lambda s, rx=rx: s.str.fullmatch(rx), "pattern", f"does not match the pattern {f.pattern}"))
    if f.categories:
        allowed = list(f.enum)
        checks.append(_check(lambda s, a=allowed: s.isin(a), "enum", "is not one of the allowed values"))
    if f.type == "integer":
        checks.append(_check(lambda s: s.str.fullmatch(r"[+-]?[0-9]+"), "type", "is not an integer"))
        checks.append(_check(_fits_int64, "range", "is outside the 64-bit range a release can store "
                                                   f"({INT64_MIN:,} to {INT64_MAX:,})"))
    elif f.type == "number":
        checks.append(_check(lambda s: pd.Series(pd.to_numeric(s, errors="coerce")).notna(), "type", "is not a number"))
        checks.append(_check(lambda s: ~np.isinf(pd.Series(pd.to_numeric(s, errors="coerce")).astype("float64")), "range",
                             "is not a finite number (infinite, or too large to store)"))
    elif f.type == "boolean":
        checks.append(_check(lambda s: s.isin(["true", "false"]), "type", "is not a boolean (true or false)"))
    elif f.type == "date":
        checks.append(_check(lambda s: s.str.fullmatch(DAY_SHAPE), "type", "is not a date in the form YYYY-MM-DD"))
    if f.type == "date" or f.is_partial_date:
        checks.append(_check(lambda s: parse_dates(s).notna() | ~s.str.fullmatch(PARTIAL_SHAPE),
                             "date", "is not a calendar date"))
    if f.format == "uri":
        checks.append(_check(lambda s: s.str.fullmatch(URI), "format", "is not an absolute URI"))
    if f.min_length is not None:
        checks.append(_check(lambda s, n=f.min_length: s.str.len() >= n, "minLength", f"is shorter than {f.min_length} characters"))
    if f.max_length is not None:
        checks.append(_check(lambda s, n=f.max_length: s.str.len() <= n, "maxLength", f"is longer than {f.max_length} characters"))
    if f.minimum is not None:
        checks.append(_check(lambda s, m=f.minimum: pd.Series(pd.to_numeric(s, errors="coerce")).fillna(m) >= m, "range", f"is below the minimum {f.minimum}"))
    if f.maximum is not None:
        checks.append(_check(lambda s, m=f.maximum: pd.Series(pd.to_numeric(s, errors="coerce")).fillna(m) <= m, "range", f"is above the maximum {f.maximum}"))
    return checks


def unique_among_filled(f: Field, table: Table) -> tuple[bool, list[pa.Check]]:
    """Pandera's own ``unique`` for required columns; a check that ignores empty cells otherwise.

    Returns
    -------
    tuple of (bool, list of pandera.Check)
        Whether to set Pandera's ``unique``, and the extra checks to add instead.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> sources = read_model()["sources"]
    >>> unique_among_filled(sources.field("source_id"), sources)
    (True, [])
    >>> unique, checks = unique_among_filled(sources.field("archive_file"), sources)
    >>> unique, [c.name for c in checks]
    (False, ['unique'])
    """
    unique = f.unique or table.primary_key == (f.name,)
    if not unique or f.required:
        return unique, []
    return False, [pa.Check(lambda s: ~s.duplicated(keep=False), name="unique", error="appears in more than one row",
                            ignore_na=True)]


def text_schema(table: Table, columns: list[str] | None = None) -> pa.DataFrameSchema:
    """The Pandera schema for the table's CSV, every column as text (``columns``: those present).

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> schema = text_schema(read_model()["event_actors"])
    >>> schema.unique
    ['event_id', 'actor_id', 'role']
    """
    present = set(columns) if columns is not None else set(table.field_names)
    cols = {}
    for f in table.fields:
        if f.name not in present:
            continue
        unique, extra = unique_among_filled(f, table)
        cols[f.name] = pa.Column(None, nullable=not f.required, unique=unique, checks=value_checks(f) + extra,
                                 required=True, coerce=False, description=f.description)
    pk = list(table.primary_key)
    composite = len(pk) > 1 and set(pk) <= present
    return pa.DataFrameSchema(cols, name=table.name, unique=pk if composite else None, strict=False,
                              description=table.description)


def frame_schema(table: Table) -> pa.DataFrameSchema:
    """The Pandera schema for the table as loaded: the model's dtypes and required columns.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> release = ead.loader.model()  # the tables as the release loaded here has them
    >>> frame_schema(release["events"]).validate(ead.load("events")).shape[0] > 0
    True
    """
    cols = {}
    for f in table.fields:
        dtype: object
        if f.categories:
            dtype = pd.CategoricalDtype(list(f.enum), ordered=f.ordered)
        elif f.pandas_dtype == "str":
            dtype = pd.StringDtype(na_value=float("nan"))
        else:
            dtype = f.pandas_dtype
        checks = [c for c in value_checks(f) if c.name in ("pattern", "minLength", "maxLength")] if f.pandas_dtype == "str" else []
        unique, extra = unique_among_filled(f, table)
        cols[f.name] = pa.Column(dtype, nullable=not f.required, unique=unique, checks=checks + extra, coerce=False,
                                 description=f.description)
    pk = list(table.primary_key)
    return pa.DataFrameSchema(cols, name=table.name, unique=pk if len(pk) > 1 else None, strict=True, ordered=True)


def _hint(f: Field | None, rule: str, value: str | None) -> str:
    if f is None:
        return ""
    if rule == "enum":
        close = difflib.get_close_matches(str(value), list(f.enum), n=1)
        allowed = ", ".join(f.enum)
        return (f"did you mean {close[0]!r}? " if close else "") + f"allowed: {allowed}"
    if rule == "pattern" and f.kind in ("date", "partial_date") and iso_forms(value or ""):
        rule = "date"  # a date written another way: show it in ISO form
    if rule == "pattern":
        if value is not None and f.pattern and re.fullmatch(f.pattern, value.strip().lower()):
            return f"ids are lowercase: write {value.strip().lower()!r}"
        lowercase = f.pattern is not None and "a-z" in f.pattern and "A-Z" not in f.pattern
        return (f"the value must match {f.pattern} in full" +
                ("; ids are lowercase letters and digits joined by hyphens" if lowercase else ""))
    if rule == "date":
        forms = iso_forms(value or "")
        if len(forms) == 1:
            return f"write it as {forms[0]} (ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY)"
        if len(forms) == 2:
            return (f"write it as {forms[0]} if the month comes first (as US spreadsheets write it), or {forms[1]} "
                    "if the day does (ISO 8601: YYYY-MM-DD)")
        return "write a real date as YYYY, YYYY-MM or YYYY-MM-DD"
    if rule == "required":
        return "fill it in; see the column's description in docs/ or schemas/"
    if rule == "unique":
        return "every row needs its own value; never reuse an id"
    return ""


def check_table(tf: TableFile) -> list[Problem]:
    """Run the table's text schema over the file's rows; one problem per failing cell or row.

    Examples
    --------
    >>> from eastasia_data.curation.reader import read_checkout
    >>> tf = read_checkout()["events"]
    >>> tf.frame.loc[0, "category"] = "AGRE"
    >>> [(p.rule, p.hint) for p in check_table(tf)]
    [('enum', "did you mean 'AGREE'? allowed: AGREE, CONSULT, SUPPORT, CONCEDE, COOPERATE, AID, RETREAT, REQUEST, ACCUSE, REJECT, THREATEN, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT")]
    """
    if tf.frame is None or tf.frame.empty:
        return []
    table = tf.table
    known = [c for c in tf.frame.columns if c in table.field_names]
    schema = text_schema(table, known)
    try:
        schema.validate(tf.frame[known], lazy=True)
        return []
    except SchemaErrors as exc:
        cases = exc.failure_cases
    problems: list[Problem] = []
    cases = cases.drop_duplicates(subset=["index", "column", "check", "failure_case"])
    # failure_cases name a check by its error text when one is given: map it back to the rule.
    by_error = {c.error: c.name for col in schema.columns.values() for c in col.checks}
    for row in cases.itertuples(index=False):
        check = str(row.check)
        column = None if pd.isna(row.column) else str(row.column)
        idx = None if pd.isna(row.index) else int(row.index)
        value = None if pd.isna(row.failure_case) else str(row.failure_case)
        if check == "not_nullable":
            rule, message = "required", "is empty but required"
        elif check == "field_uniqueness":
            rule, message = "unique", "appears in more than one row"
        elif check == "multiple_fields_uniqueness":
            rule, message = "primary-key", "the primary key " + " + ".join(table.primary_key) + " appears in more than one row"
            column = None
            value = "|".join(str(tf.frame.at[idx, k]) for k in table.primary_key) if idx is not None else value
        elif check in by_error:
            rule, message = by_error[check], check
        else:
            rule, message = check, f"fails the check {check}"
        f = table.field(column) if column in table.field_names else None
        problems.append(tf.problem(idx, column, value, rule, message, _hint(f, rule, value)))
    return list(dict.fromkeys(problems))
