"""Dates of reduced precision: a year, a month or a day, written as ISO 8601 text.

A curated date is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` next to a column that states its
precision (``day``, ``month`` or ``year``). A release stores it as the first instant of the
period; :func:`format_date` writes it back at its precision, always with a four-digit year.
This module is the one place that knows the precisions; pandas is imported only by the
functions that take a Series.

Examples
--------
>>> from eastasia_data.dates import PRECISIONS, format_date
>>> [p.name for p in PRECISIONS.values()]
['day', 'month', 'year']
>>> import datetime as dt
>>> format_date(dt.date(2024, 10, 1), "month"), format_date(dt.date(500, 1, 1), "year")
('2024-10', '0500')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Precision:
    """One precision: its name, the length of its ISO text and that text's shape."""

    name: str
    length: int
    shape: str


#: The precisions, finest first.
PRECISIONS: dict[str, Precision] = {
    "day": Precision("day", 10, "YYYY-MM-DD"),
    "month": Precision("month", 7, "YYYY-MM"),
    "year": Precision("year", 4, "YYYY"),
}

#: The text of a date at any precision (its calendar validity is checked apart, e.g. by the date rule of validate).
PARTIAL_SHAPE = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
#: The text of a date of day precision.
DAY_SHAPE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def format_date(value: Any, precision: str = "day") -> str | None:
    """A date or timestamp as ISO text at ``precision``; missing values give None.

    The year always has four digits (``strftime("%Y")`` drops the zeros before year 1000).

    Examples
    --------
    >>> import datetime as dt
    >>> format_date(dt.datetime(2024, 6, 19, 0, 0)), format_date(None)
    ('2024-06-19', None)
    """
    if value is None or value != value:  # None, NaT or NaN
        return None
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return text[: PRECISIONS[str(precision)].length]


def format_dates(values, precisions=None) -> Any:
    """Each value of ``values`` as ISO text at the matching precision (default: day).

    Parameters
    ----------
    values : iterable of dates or timestamps
        E.g. a date column as :func:`eastasia_data.load` returns it.
    precisions : iterable of str, or str, optional
        The precision of each value (a ``date_precision`` column), or one for all; a missing
        precision counts as ``day``.

    Returns
    -------
    pandas.Series or list
        The texts (None where a value is missing): a Series with the index of ``values``
        when ``values`` is a Series, else a list.

    Examples
    --------
    >>> import datetime as dt
    >>> format_dates([dt.date(2024, 1, 1), None], ["year", "day"])
    ['2024', None]
    >>> format_dates([dt.date(2024, 10, 1)], "month")
    ['2024-10']
    """
    values_list = list(values)
    if precisions is None or isinstance(precisions, str):
        texts = [format_date(v, precisions or "day") for v in values_list]
    else:
        precision_list = list(precisions)
        if len(precision_list) != len(values_list):
            raise ValueError(f"{len(values_list)} values but {len(precision_list)} precisions")
        texts = [format_date(v, p if isinstance(p, str) else "day") for v, p in zip(values_list, precision_list)]
    index = getattr(values, "index", None)
    if index is not None and hasattr(values, "dtype"):  # a pandas Series: keep its index
        import pandas as pd

        return pd.Series(texts, index=index, dtype=object, name=getattr(values, "name", None))
    return texts


def period_end(value: Any, precision: str) -> dt.date | None:
    """The last day of the period a date of ``precision`` stands for.

    A month-precision end date loads as the first day of its month; this gives the day a
    duration should be counted to.

    Examples
    --------
    >>> import datetime as dt
    >>> period_end(dt.date(2024, 2, 1), "month"), period_end(dt.date(2025, 1, 1), "year")
    (datetime.date(2024, 2, 29), datetime.date(2025, 12, 31))
    """
    if value is None or value != value:
        return None
    day = dt.date(value.year, value.month, value.day)
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        first_next = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return first_next - dt.timedelta(days=1)
    return day


#: Ways a date is written elsewhere (spreadsheets, prose), with the ISO precision each gives.
_OTHER_FORMS = (
    ("%m/%d/%Y", "day"), ("%d/%m/%Y", "day"), ("%d.%m.%Y", "day"), ("%Y/%m/%d", "day"), ("%d-%m-%Y", "day"),
    ("%m/%d/%y", "day"), ("%d %B %Y", "day"), ("%B %d, %Y", "day"), ("%d %b %Y", "day"), ("%b %d, %Y", "day"),
    ("%b %d %Y", "day"), ("%B %d %Y", "day"), ("%d %B, %Y", "day"), ("%d %b, %Y", "day"),
    ("%B %Y", "month"), ("%b %Y", "month"), ("%m/%Y", "month"), ("%Y/%m", "month"),
)


def iso_forms(text: str) -> list[str]:
    """The ISO 8601 readings of a date written another way (two when day and month could be either).

    Examples
    --------
    >>> iso_forms("4/1/2024"), iso_forms("19.06.2024"), iso_forms("June 2024"), iso_forms("soon")
    (['2024-04-01', '2024-01-04'], ['2024-06-19'], ['2024-06'], [])
    >>> iso_forms("Nov 29 2024"), iso_forms("2024-11-29T10:00"), iso_forms("2024-11-29 10:00:00+03:00")
    (['2024-11-29'], ['2024-11-29'], ['2024-11-29'])
    """
    out: list[str] = []
    text = text.strip()
    for form, precision in _OTHER_FORMS:
        try:
            value = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        iso = format_date(value, precision)
        if iso and iso not in out:
            out.append(iso)
    if not out and len(text) > 10 and text[10:11] in ("T", "t", " "):  # a timestamp: its day
        try:
            out.append(str(format_date(dt.datetime.fromisoformat(text.replace("t", "T", 1)))))
        except ValueError:
            pass
    return out


def period_ends(values, precisions) -> Any:
    """The last day of each period: the vectorised :func:`period_end`, for loaded columns.

    ``load()`` gives a reduced-precision date as the first day of its period; counting a
    duration to the first day of an end month understates it. This gives the day to count to.

    Parameters
    ----------
    values : pandas.Series
        Dates as :func:`eastasia_data.load` returns them (``datetime64[ms]``).
    precisions : pandas.Series or str
        The precision of each (``day``, ``month`` or ``year``), e.g. the table's
        ``date_precision`` column, or one precision for all.

    Returns
    -------
    pandas.Series
        ``datetime64[ms]``, missing where ``values`` is.

    Examples
    --------
    >>> import pandas as pd
    >>> starts = pd.Series(pd.to_datetime(["2024-02-01", "2025-01-01", "2024-06-19"])).astype("datetime64[ms]")
    >>> period_ends(starts, pd.Series(["month", "year", "day"])).dt.strftime("%Y-%m-%d").tolist()
    ['2024-02-29', '2025-12-31', '2024-06-19']
    """
    import pandas as pd

    values = pd.Series(values)
    if isinstance(precisions, str):
        precisions = pd.Series(precisions, index=values.index)
    precisions = pd.Series(precisions, index=values.index).astype("str")
    unknown = sorted(set(precisions[values.notna()]) - set(PRECISIONS))
    if unknown:
        raise ValueError(f"unknown precision(s) {unknown}; use one of {', '.join(PRECISIONS)}")
    month_end = values + pd.offsets.MonthEnd(0)
    year_end = values + pd.offsets.YearEnd(0)
    out = values.where(precisions != "month", month_end).where(precisions != "year", year_end)
    return out.astype("datetime64[ms]")
