"""eastasia-data: the Russia-North Korea alignment and the responses to it, as tidy tables.

Load a table with the schema's dtypes, offline, from the release this package ships:

>>> import eastasia_data as ead
>>> sorted(ead.tables())[:3]
['actors', 'claim_sources', 'claims']
>>> events = ead.load("events")
>>> events.columns[:3].tolist()
['event_id', 'title', 'summary']

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
from eastasia_data.catalog import history, versions
from eastasia_data.dates import period_ends
from eastasia_data.errors import (
    EastAsiaError,
    IntegrityError,
    UnknownKeyError,
    UnknownTableError,
    UnknownVersionError,
)
from eastasia_data.loader import describe, load, load_all, path, release_dir, tables

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
    "history",
    "load",
    "load_all",
    "path",
    "period_end",
    "release_dir",
    "tables",
    "validate",
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


def cite(style: str = "bibtex", version: str | None = None) -> str:
    """The citation of a release; see :func:`eastasia_data.citation.cite`.

    Parameters
    ----------
    style : {"bibtex", "apa", "cff"}
    version : str, optional
        The release you loaded (``load(..., version=)``); default: the installed one.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> "version = {" + ead.__version__ + "}" in ead.cite("bibtex")
    True
    >>> "version = {0.1.0}" in ead.cite("bibtex", version="0.1.0")
    True
    """
    from eastasia_data.citation import cite as _cite

    return _cite(style, version=version)


def period_end(values: pd.Series, precisions: pd.Series | str) -> pd.Series:
    """The last day of each period: for a date loaded as the first day of its month or year.

    ``load()`` gives a date of month or year precision as the first day of the period; a
    duration counted to that day is too short. This gives the day to count to; see
    :func:`eastasia_data.dates.period_ends`.

    Parameters
    ----------
    values : pandas.Series
        Dates as :func:`load` returns them.
    precisions : pandas.Series or str
        The precision of each (``day``, ``month`` or ``year``), e.g. ``date_precision``.

    Returns
    -------
    pandas.Series
        ``datetime64[ms]``, missing where ``values`` is.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> events = ead.load("events")
    >>> ends = ead.period_end(events["end_date"], events["date_precision"])
    >>> bool((ends.dropna() >= events["end_date"].dropna()).all())
    True
    """
    return period_ends(values, precisions)


def __getattr__(name: str) -> str:
    if name == "__version__":
        from eastasia_data.loader import checkout_version

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
