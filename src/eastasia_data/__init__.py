"""eastasia-data: the Russia-North Korea alignment and the responses to it, as tidy tables.

Load a table with the schema's dtypes, offline, from the release this package ships:

>>> import eastasia_data as ead
>>> sorted(ead.tables())[:3]
['actors', 'claim_sources', 'claims']
>>> events = ead.load("events")
>>> events.columns[:3].tolist()
['event_id', 'title', 'summary']

Importing this package loads neither pandera nor frictionless; pandas and pyarrow are
imported by the first call that needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from eastasia_data.errors import EastAsiaError, IntegrityError, UnknownTableError
from eastasia_data.loader import describe, load, load_all, tables

if TYPE_CHECKING:
    from eastasia_data.curation.validate import Report

__all__ = [
    "EastAsiaError",
    "IntegrityError",
    "UnknownTableError",
    "__version__",
    "cite",
    "describe",
    "load",
    "load_all",
    "tables",
    "validate",
]


def validate(
    data_dir: str | Path | None = None,
    sources_dir: str | Path | None = None,
    *,
    schemas_dir: str | Path | None = None,
    require_archive: bool | None = None,
) -> Report:
    """Validate the CSV tables of the checkout; see :func:`eastasia_data.curation.validate.validate`.

    Needs the ``validate`` extra and a checkout of eastasia-data (found from the current
    directory).

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.validate().valid
    True
    """
    from eastasia_data.curation.validate import validate as _validate

    return _validate(data_dir, sources_dir, schemas_dir=schemas_dir, require_archive=require_archive)


def cite(style: str = "bibtex") -> str:
    """The citation of the installed release; see :func:`eastasia_data.citation.cite`.

    Parameters
    ----------
    style : {"bibtex", "apa", "cff"}

    Examples
    --------
    >>> import eastasia_data as ead
    >>> "version = {" + ead.__version__ + "}" in ead.cite("bibtex")
    True
    """
    from eastasia_data.citation import cite as _cite

    return _cite(style)


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
