"""eastasia-data: the Russia-North Korea alignment and the responses to it, as tidy tables.

Load a table with the schema's dtypes, offline, from the release this package ships:

>>> import eastasia_data as ead
>>> sorted(ead.tables())[:3]
['actors', 'claim_sources', 'claims']
>>> events = ead.load("events")
>>> events.columns[:3].tolist()
['event_id', 'title', 'summary']

Dates as text at their precision, for tables and charts that readers see:

>>> sorted(set(ead.format_dates(events["start_date"], events["date_precision"]).str.len()))
[4, 7, 10]

Every released version, the files themselves for other tools, and joined views:

>>> ead.versions()["version"].tolist()[:2]
['0.1.0', '1.0.0']
>>> ead.path("events").suffix
'.parquet'
>>> len(ead.load("claims", version="0.1.0")) < len(ead.load("claims"))
True

Importing this package loads neither pandera nor frictionless; pandas and pyarrow are
imported by the first call that needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eastasia_data import views
from eastasia_data.errors import (
    EastAsiaError,
    IntegrityError,
    UnknownKeyError,
    UnknownTableError,
    UnknownVersionError,
)
from eastasia_data.loader import describe, load, load_all, path, tables
from eastasia_data.releases import release_dir, versions
from eastasia_data.views import history

if TYPE_CHECKING:
    import pandas as pd

    from eastasia_data.curation.validate import Report

__all__ = [
    "EastAsiaError",
    "IntegrityError",
    "UnknownKeyError",
    "UnknownTableError",
    "UnknownVersionError",
    "__version__",
    "cite",
    "describe",
    "format_dates",
    "history",
    "load",
    "load_all",
    "path",
    "period_end",
    "release_dir",
    "tables",
    "validate",
    "verify_citation",
    "versions",
    "views",
]


def validate(
    data_dir: str | Path | None = None,
    sources_dir: str | Path | None = None,
    *,
    schemas_dir: str | Path | None = None,
    require_archive: bool | None = None,
) -> Report:
    """Validate the CSV tables of the checkout; see :func:`eastasia_data.curation.validate.validate`.

    Needs a checkout of eastasia-data (found from the current directory) and the
    ``validate`` extra.

    Raises
    ------
    NotACheckoutError
        No ``data_dir`` and ``schemas_dir`` were given, and the current directory is not in a checkout.
    MissingExtraError
        The ``validate`` extra is not installed (``pip install "eastasia-data[validate]"``).

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.validate().valid
    True
    """
    from eastasia_data import paths
    from eastasia_data.errors import need

    if data_dir is None or schemas_dir is None:
        paths.checkout()  # outside a checkout, say so before asking for an extra
    for module in ("pandera", "yaml"):
        need(module, "validate", "validate")
    from eastasia_data.curation.validate import validate as _validate

    return _validate(data_dir, sources_dir, schemas_dir=schemas_dir, require_archive=require_archive)


def format_dates(values: pd.Series, precisions: pd.Series | str = "day") -> pd.Series:
    """Dates as ISO text at their precision: ``2024``, ``2024-10`` or ``2024-10-23``.

    ``load()`` gives a date known only to the month or the year as the first day of that
    period (``2024-10-01``); printed as it is, it claims a day nobody knows. This writes
    each date as it is known, as the exports do, with a four-digit year.

    Parameters
    ----------
    values : pandas.Series
        Dates as :func:`load` returns them (``datetime64[ms]``), e.g. ``events["start_date"]``.
    precisions : pandas.Series or str, default "day"
        The precision of each date (``day``, ``month`` or ``year``): the table's
        ``date_precision`` column (``published_date_precision`` for ``sources``), or one
        precision for all.

    Returns
    -------
    pandas.Series
        Text (``object`` dtype) with the index of ``values``; None where a date is missing.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> events = ead.load("events").set_index("event_id")
    >>> deployed = events.loc[["evt-2024-10-nk-troops-deployed-to-russia"]]
    >>> deployed["start_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-10-01']
    >>> ead.format_dates(deployed["start_date"], deployed["date_precision"]).tolist()
    ['2024-10']
    """
    from eastasia_data.dates import format_dates as _format_dates

    out = _format_dates(values, precisions)
    if isinstance(out, list):  # not a Series: make one
        import pandas as pd

        out = pd.Series(out, dtype=object)
    return out


def period_end(values: pd.Series, precisions: pd.Series | str) -> pd.Series:
    """The last day of the period each date stands for: the day to count a duration to.

    ``load()`` gives a date known only to the month or the year as the first day of that
    period; an event that ended in February 2025 loads with ``end_date`` 2025-02-01, and a
    duration counted to it comes out almost a month short. This gives 2025-02-28.

    Parameters
    ----------
    values : pandas.Series
        Dates as :func:`load` returns them (``datetime64[ms]``).
    precisions : pandas.Series or str
        The precision of each (``day``, ``month`` or ``year``), e.g. the table's
        ``date_precision`` column, or one precision for all.

    Returns
    -------
    pandas.Series
        ``datetime64[ms]``, missing where ``values`` is.

    Raises
    ------
    ValueError
        A precision other than ``day``, ``month`` or ``year``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> events = ead.load("events")
    >>> ends = ead.period_end(events["end_date"], events["date_precision"])
    >>> bool((ends.dropna() >= events["end_date"].dropna()).all())
    True
    """
    from eastasia_data.dates import period_ends

    return period_ends(values, precisions)


def cite(style: str = "bibtex", version: str | None = None, *, rows: dict[str, list[str]] | None = None) -> str:
    """The citation of a release; see :func:`eastasia_data.citation.cite`.

    Parameters
    ----------
    style : {"bibtex", "apa", "cff"}
    version : str, optional
        The release you loaded (``load(..., version=)``); default: the installed one.
    rows : dict, optional
        Cite these rows, table → primary keys (a composite key's values joined with ``" | "``):
        the citation adds each row, its permalink when ``site-url`` is set, its short hash and
        a hash over exactly these rows (see :mod:`eastasia_data.citation.rows`).

    Examples
    --------
    >>> import eastasia_data as ead
    >>> "version = {" + ead.__version__ + "}" in ead.cite("bibtex")
    True
    >>> "version = {0.1.0}" in ead.cite("bibtex", version="0.1.0")
    True
    """
    from eastasia_data.citation import cite as _cite

    if rows is not None:  # issue 24: cite a handful of rows
        from eastasia_data.citation.rows import cite_rows

        return cite_rows(style, version=version, rows=rows)
    return _cite(style, version=version)


def verify_citation(text: str) -> list[str]:
    """Recompute a row citation from the release it names; see :func:`eastasia_data.citation.rows.verify_citation`.

    Returns
    -------
    list of str
        One line per problem (a row whose hash differs, a row list, release or set hash
        that does not match); empty when the rows are as cited.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.verify_citation(ead.cite("apa", rows={"claims": ["clm-a1-3000-more-early-2025"]}))
    []
    """
    from eastasia_data.citation.rows import verify_citation as _verify

    return _verify(text)



def __getattr__(name: str) -> str:
    if name == "__version__":
        from eastasia_data.releases import checkout_version

        version = checkout_version()  # a source checkout's pyproject.toml says what it is now
        if version:
            return version
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed

        try:
            return installed("eastasia-data")
        except PackageNotFoundError:
            return "0+unknown"
    raise AttributeError(f"module 'eastasia_data' has no attribute {name!r}")
