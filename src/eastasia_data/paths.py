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
    return REPO_DIR / "schemas"


def data_dir() -> Path:
    return REPO_DIR / "data"


def releases_dir() -> Path:
    return REPO_DIR / "releases"


def default_sources_dir() -> Path | None:
    """The archive of source texts: ``$EASTASIA_SOURCES``, else ``../shared/sources`` beside the checkout."""
    env = os.environ.get("EASTASIA_SOURCES")
    if env:
        return Path(env)
    for base in (Path.cwd(), REPO_DIR):
        candidate = base.parent / "shared" / "sources"
        if candidate.is_dir():
            return candidate
    return None
