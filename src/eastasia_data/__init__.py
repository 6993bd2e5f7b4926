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

from eastasia_data.loader import IntegrityError, UnknownTableError, describe, load, load_all, tables

__all__ = [
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


def validate(*args, **kwargs):
    """Validate the CSV tables; see :func:`eastasia_data.validation.validate`.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.validate().valid
    True
    """
    from eastasia_data.validation import validate as _validate

    return _validate(*args, **kwargs)


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


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("eastasia-data")
        except PackageNotFoundError:  # running from a checkout that is not installed
            from eastasia_data.loader import _checkout_version

            return _checkout_version() or "0+unknown"
    raise AttributeError(f"module 'eastasia_data' has no attribute {name!r}")
