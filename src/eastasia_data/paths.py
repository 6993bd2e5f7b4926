"""Where the project's files are: the repository checkout, the source archive, the shipped release.

Paths are resolved relative to this file, so they work from a checkout (``src/`` layout) and
from an installed wheel alike; nothing here imports anything heavy.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout this module runs from, when it runs from one (``src/eastasia_data`` → repo root).
REPO_DIR = PACKAGE_DIR.parent.parent


def schemas_dir() -> Path:
    """The checkout's ``schemas/`` directory.

    Examples
    --------
    >>> schemas_dir().name
    'schemas'
    """
    return REPO_DIR / "schemas"


def data_dir() -> Path:
    """The checkout's ``data/`` directory of curated CSV tables.

    Examples
    --------
    >>> (data_dir() / "events.csv").is_file()
    True
    """
    return REPO_DIR / "data"


def releases_dir() -> Path:
    """The checkout's ``releases/`` directory, one ``eastasia-data-<version>/`` per built release.

    Examples
    --------
    >>> releases_dir().name
    'releases'
    """
    return REPO_DIR / "releases"


def default_sources_dir() -> Path | None:
    """The archive of source texts: ``$EASTASIA_SOURCES``, else ``../shared/sources`` beside the checkout.

    Returns
    -------
    pathlib.Path or None
        ``None`` when neither exists.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"EASTASIA_SOURCES": "/tmp/archive"}):
    ...     str(default_sources_dir())
    '/tmp/archive'
    """
    env = os.environ.get("EASTASIA_SOURCES")
    if env:
        return Path(env)
    for base in (Path.cwd(), REPO_DIR):
        candidate = base.parent / "shared" / "sources"
        if candidate.is_dir():
            return candidate
    return None
