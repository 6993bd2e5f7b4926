"""Per-table rules as Pandera schemas, built from the model.

Every value rule is one kernel over an Arrow array of text (:mod:`.kernels`), wrapped as a
Pandera check (:class:`ValueRule`). Three schemas are derived from each table:

* :func:`screen_schema` is what :func:`check_table` runs: one check over the whole table
  that runs every rule of every column and answers once. A clean table costs one Pandera
  call; for a failing one, each check of a failing column then runs on its failing rows.
* :func:`text_schema` holds the same checks column by column, the ordinary Pandera form of
  the CSV's rules (the tests hold it and the screen to the same verdict). Types are checked
  as values, never by Pandera's coercion, which falls back to a per-row path on bad values
  (pandera #876).
* :func:`frame_schema` checks a typed frame as :func:`eastasia_data.loader` returns it: the
  dtypes of the model and the same value constraints.

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
['basis', 'basis_note', 'cameo_root']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from eastasia_data.curation.checks import kernels
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import DATE, ENUM, FORMAT, PATTERN, PRIMARY_KEY, RANGE, REQUIRED, TYPE, UNIQUE
from eastasia_data.dates import DAY_SHAPE, PARTIAL_SHAPE, iso_forms
from eastasia_data.model import Field, Table

#: A web address: http or https (any case), a host, then anything without whitespace. Other
#: schemes (``javascript:``, ``data:``, ``file://``, ``ftp://``) would run or fetch something
#: where a reader clicks the link, so they are refused.
URI = r"[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+(?:[/?#][^\s]*)?"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: A date as a spreadsheet shows it without its year: ``Aug-03``, ``3-Aug``.
NO_YEAR = r"\s*([A-Za-z]{3,9}[-/ ][0-9]{1,2}|[0-9]{1,2}[-/ ][A-Za-z]{3,9})\s*"


@dataclass(frozen=True)
class ValueRule:
    """One rule on a column's non-empty values: its id, its message and the kernel that tests it."""

    name: str
    error: str
    kernel: kernels.Kernel

    def check(self) -> pa.Check:
        """The rule as a Pandera check on a pandas Series of text (empty cells ignored).

        Examples
        --------
        >>> import pandas as pd
        >>> rule = ValueRule("enum", "is not one of the allowed values", kernels.one_of(["a"]))
        >>> rule.check()(pd.Series(["a", "b", None], dtype="str")).check_output.tolist()  # the empty cell is skipped
        [True, False]
        """
        return pa.Check(lambda s, k=self.kernel: pd.Series(k(kernels.text_array(s)), index=s.index),
                        name=self.name, error=self.error, ignore_na=True)


@lru_cache(maxsize=1024)
def value_rules(f: Field) -> tuple[ValueRule, ...]:
    """The rules on one column's non-empty values, as text; made once per field.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> [r.name for r in value_rules(read_model()["events"].field("start_date"))]
    ['pattern', 'date']
    """
    rules: list[ValueRule] = []
    add = lambda name, error, kernel: rules.append(ValueRule(name, error, kernel))  # noqa: E731
    if f.pattern:
        add(PATTERN, f"does not match the pattern {f.pattern}", kernels.fullmatch(f.pattern))
    if f.categories and f.is_list:
        add(ENUM, f"has an item that is not one of the allowed values (items joined by {f.delimiter!r}, each once)",
            kernels.items_of(f.enum, f.delimiter or ","))
    elif f.categories:
        add(ENUM, "is not one of the allowed values", kernels.one_of(f.enum))
    if f.type == "integer":
        add(TYPE, "is not an integer", kernels.fullmatch(r"[+-]?[0-9]+"))
        add(RANGE, f"is outside the 64-bit range a release can store ({INT64_MIN:,} to {INT64_MAX:,})",
            kernels.fits_int64)
    elif f.type == "number":
        add(TYPE, "is not a number", kernels.number)
        add(RANGE, "is not a finite number (infinite, or too large to store)", kernels.finite)
    elif f.type == "boolean":
        add(TYPE, "is not a boolean (true or false)", kernels.one_of(["true", "false"]))
    elif f.type == "date":
        add(TYPE, "is not a date in the form YYYY-MM-DD", kernels.fullmatch(DAY_SHAPE))
    if f.type == "date" or f.is_partial_date:
        add(DATE, "is not a calendar date", kernels.calendar_date(DAY_SHAPE, PARTIAL_SHAPE))
    if f.format == "uri":
        add(FORMAT, "is not an http or https URL", kernels.fullmatch(URI))
    if f.min_length is not None:
        add(RANGE, f"is shorter than {f.min_length} characters", kernels.length_at_least(f.min_length))
    if f.max_length is not None:
        add(RANGE, f"is longer than {f.max_length} characters", kernels.length_at_most(f.max_length))
    if f.minimum is not None:
        add(RANGE, f"is below the minimum {f.minimum}", kernels.at_least(f.minimum))
    if f.maximum is not None:
        add(RANGE, f"is above the maximum {f.maximum}", kernels.at_most(f.maximum))
    return tuple(rules)


def value_checks(f: Field) -> list[pa.Check]:
    """The checks on one column's non-empty values, as text.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> [c.name for c in value_checks(read_model()["events"].field("start_date"))]
    ['pattern', 'date']
    """
    return [r.check() for r in value_rules(f)]


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
    return False, [ValueRule(UNIQUE, "appears in more than one row", kernels.distinct).check()]


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
        if f.categories and not f.is_list:
            dtype = pd.CategoricalDtype(list(f.enum), ordered=f.ordered)
        elif f.pandas_dtype == "str":
            dtype = pd.StringDtype(na_value=float("nan"))
        else:
            dtype = f.pandas_dtype
        checks = [c for c in value_checks(f) if c.name in (PATTERN, RANGE)] if f.pandas_dtype == "str" else []
        unique, extra = unique_among_filled(f, table)
        cols[f.name] = pa.Column(dtype, nullable=not f.required, unique=unique, checks=checks + extra, coerce=False,
                                 description=f.description)
    pk = list(table.primary_key)
    return pa.DataFrameSchema(cols, name=table.name, unique=pk if len(pk) > 1 else None, strict=True, ordered=True)


def stray_space(value: str | None) -> str:
    """Which stray whitespace a value has, as a hint names it ("" when none).

    Examples
    --------
    >>> stray_space("act-x "), stray_space(" 2024-11-29"), stray_space(" a "), stray_space("a b")
    ('the trailing space', 'the leading space', 'the leading and trailing spaces', '')
    """
    if not value or value == value.strip():
        return ""
    lead, trail = value != value.lstrip(), value != value.rstrip()
    return "the leading and trailing spaces" if lead and trail else f"the {'leading' if lead else 'trailing'} space"


def _passes(f: Field, value: str) -> bool:
    """Whether ``value`` passes every value rule of ``f`` (so that a hint may suggest it)."""
    array = kernels.text_array(pd.Series([value], dtype="str"))
    return bool(value) and all(bool(r.kernel(array)[0]) for r in value_rules(f))


def _hint(f: Field | None, rule: str, value: str | None) -> str:
    if f is None:
        return ""
    if rule == ENUM and f.is_list:
        bad = [item for item in f.items(str(value or "")) if item not in f.enum] or [""]
        close = difflib.get_close_matches(bad[0], list(f.enum), n=1)
        return (f"item {bad[0]!r}: " + (f"did you mean {close[0]!r}? " if close else "")
                + f"join items with {f.delimiter!r}, each once; allowed: {', '.join(f.enum)}")
    if rule == ENUM:
        close = difflib.get_close_matches(str(value), list(f.enum), n=1)
        allowed = ", ".join(f.enum)
        return (f"did you mean {close[0]!r}? " if close else "") + f"allowed: {allowed}"
    space = stray_space(value)
    if space and value is not None and rule in (PATTERN, TYPE, DATE, FORMAT) and _passes(f, value.strip()):
        return f"remove {space}: write {value.strip()!r}"  # an id or a date alike: the fault is the space
    is_date = f.kind in ("date", "partial_date") or f.type == "date"
    if rule in (PATTERN, TYPE) and is_date and iso_forms(value or ""):
        rule = DATE  # a date written another way: show it in ISO form
    if rule == PATTERN:
        if value is not None and f.pattern and re.fullmatch(f.pattern, value.strip().lower()):
            return f"ids are lowercase: write {value.strip().lower()!r}" + (f" (and remove {space})" if space else "")
        if is_date:
            if value is not None and re.fullmatch(NO_YEAR, value):
                return (f"{value.strip()!r} has lost its year (a spreadsheet writes dates so): "
                        "write the full date as YYYY-MM-DD, from the source or from git")
            return "write the date in ISO 8601: YYYY-MM-DD, or YYYY-MM or YYYY when only the month or year is known"
        lowercase = f.pattern is not None and "a-z" in f.pattern and "A-Z" not in f.pattern
        return (f"the value must match {f.pattern} in full" +
                ("; ids are lowercase letters and digits joined by hyphens" if lowercase else ""))
    if rule == DATE:
        forms = iso_forms(value or "")
        if len(forms) == 1:
            return f"write it as {forms[0]} (ISO 8601: YYYY-MM-DD, YYYY-MM or YYYY)"
        if len(forms) == 2:
            return (f"write it as {forms[0]} if the month comes first (as US spreadsheets write it), or {forms[1]} "
                    "if the day does (ISO 8601: YYYY-MM-DD)")
        return "write a real date as YYYY, YYYY-MM or YYYY-MM-DD"
    if rule == REQUIRED:
        return "fill it in; see the column's description in docs/ or schemas/"
    if rule == UNIQUE:
        return "every row needs its own value; never reuse an id"
    return ""


def _column_results(frame: pd.DataFrame, table: Table, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """For each column, whether each row passes all of that column's rules; under the key's name, whether it is unique.

    The same kernels as the Pandera checks of :func:`text_schema`: required cells, the value
    rules, unique columns, and a primary key of several columns.
    """
    results: dict[str, np.ndarray] = {}
    for name in columns:
        f = table.field(name)
        values = kernels.text_array(frame[name])
        ok = np.ones(len(values), dtype=bool)
        where = None
        if values.null_count:
            present = values.is_valid()
            if f.required:  # as ``nullable`` in text_schema
                ok &= present.to_numpy(zero_copy_only=False)
            where = np.flatnonzero(present.to_numpy(zero_copy_only=False))
            values = values.filter(present)
        unique, _ = unique_among_filled(f, table)
        for kernel in [r.kernel for r in value_rules(f)] + ([kernels.distinct] if unique or f.unique else []):
            passed = kernel(values)
            if not passed.all():
                ok[~passed if where is None else where[~passed]] = False
        results[name] = ok
    key = list(table.primary_key)
    if len(key) > 1 and set(key) <= set(columns):
        results[" + ".join(key)] = ~frame.duplicated(key, keep=False).to_numpy()
    return results


#: The column results of the last screen run, so that a failing table is not tested twice.
_LAST_SCREEN: list[tuple[pd.DataFrame, tuple[str, ...], dict[str, np.ndarray]]] = []


@lru_cache(maxsize=1024)
def screen_schema(table: Table, columns: tuple[str, ...]) -> pa.DataFrameSchema:
    """One Pandera check over the whole table: whether every row passes every rule of every column.

    A clean table costs one Pandera call instead of one per column and check; only when
    this check fails does :func:`check_table` run :func:`text_schema` over the columns that
    failed, to name each cell and rule.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> tf = read_checkout()["events"]
    >>> screen_schema(tf.table, tuple(tf.frame.columns)).validate(tf.frame).shape == tf.frame.shape
    True
    """
    def every_rule(frame: pd.DataFrame) -> bool:
        # One answer for the table: a row-wise answer would have Pandera reshape the failing
        # rows of every column into failure cases, which check_table builds per column instead.
        results = _column_results(frame, table, columns)
        _LAST_SCREEN[:] = [(frame, columns, results)]
        return all(passed.all() for passed in results.values())

    return pa.DataFrameSchema(name=table.name, checks=[pa.Check(every_rule, name="every-rule", ignore_na=False)],
                              description=table.description)


def _detail_rules(f: Field, table: Table) -> tuple[ValueRule, ...]:
    """The rules whose failures :func:`check_table` names for one column: its value rules, then uniqueness."""
    unique, _ = unique_among_filled(f, table)
    distinct = (ValueRule(UNIQUE, "appears in more than one row", kernels.distinct),) if unique or f.unique else ()
    return value_rules(f) + distinct


@lru_cache(maxsize=4096)
def _check_of(rule: ValueRule) -> pa.Check:
    return rule.check()


def check_table(tf: TableFile) -> list[Problem]:
    """Run the table's schema over the file's rows; one problem per failing cell or row.

    One Pandera call screens the whole table (:func:`screen_schema`); when it fails, each
    Pandera check of a failing column runs on that column's failing rows alone, and its
    failure cases are the problems. (Pandera's lazy ``SchemaErrors`` consolidates failure
    cases at about 5 ms per failing check, which made a 1%-broken table several times
    slower to report than a clean one to pass.) :func:`text_schema` is the same set of
    checks as one schema, for readers of a table and for the tests that hold the two
    to agreeing.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> tf = read_checkout()["events"]
    >>> tf.frame.loc[0, "category"] = "AGRE"
    >>> [(p.rule, p.hint) for p in check_table(tf)]
    [('enum', "did you mean 'AGREE'? allowed: AGREE, CONSULT, SUPPORT, CONCEDE, COOPERATE, AID, RETREAT, REQUEST, ACCUSE, REJECT, THREATEN, PROTEST, SANCTION, MOBILIZE, COERCE, ASSAULT")]
    """
    if tf.frame is None or tf.frame.empty:
        return []
    table = tf.table
    known = tuple(c for c in tf.frame.columns if c in table.field_names)
    try:
        screen_schema(table, known).validate(tf.frame, lazy=True, inplace=True)
        return []
    except SchemaErrors:
        pass
    last = _LAST_SCREEN[0] if _LAST_SCREEN else None
    results = last[2] if last and last[0] is tf.frame and last[1] == known else _column_results(tf.frame, table, known)
    _LAST_SCREEN.clear()
    problems: list[Problem] = []
    for name in known:
        if results[name].all():
            continue
        # Only the rows that failed: a repeated value fails in every row that holds it, so each
        # duplicate is still seen whole, and the failure cases cost what the failures do.
        values = tf.frame[name].iloc[np.flatnonzero(~results[name])]
        f = table.field(name)
        if f.required:
            for k in np.flatnonzero(values.isna().to_numpy()):
                problems.append(tf.problem(int(values.index[int(k)]), name, None, REQUIRED, "is empty but required",
                                           _hint(f, REQUIRED, None)))
        for rule in _detail_rules(f, table):
            # Pandera's check, run on this column's failing rows: its failure cases are the problems.
            cases = _check_of(rule)(values).failure_cases
            for i, value in () if cases is None else cases.items():
                text = None if pd.isna(value) else str(value)
                problems.append(tf.problem(int(i), name, text, rule.name, rule.error, _hint(f, rule.name, text)))
    # A key of one column is checked as that column (its pattern and uniqueness, above): its entry in
    # ``results`` says whether each row passes all of the column's rules, not whether the key repeats.
    key = " + ".join(table.primary_key)
    if len(table.primary_key) > 1 and key in results and not results[key].all():
        rows = tf.frame.iloc[np.flatnonzero(~results[key])]
        for i, key_values in zip(rows.index, rows[list(table.primary_key)].itertuples(index=False, name=None)):
            problems.append(tf.problem(int(i), None, "|".join(map(str, key_values)), PRIMARY_KEY,
                                       f"the primary key {key} appears in more than one row"))
    return list(dict.fromkeys(problems))
