"""Generated files: written by one command from ``schemas/``, never edited by hand.

``eastasia-data generate`` rewrites them; ``--check`` (run by the tests) reports any
that are out of date.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from eastasia_data import paths
from eastasia_data.model import read_model


def _root_datapackage() -> str:
    from eastasia_data.release import root_descriptor

    return json.dumps(root_descriptor(read_model()), ensure_ascii=False, indent=2) + "\n"


def _citation_cff() -> str:
    from eastasia_data.citation import checkout_cff

    return checkout_cff()


#: Every generated file, relative to the checkout, with the function that renders it.
GENERATED: dict[str, Callable[[], str]] = {
    "datapackage.json": _root_datapackage,
    "CITATION.cff": _citation_cff,
}


def generate(check: bool = False) -> Iterator[tuple[Path, str]]:
    """Render each generated file; write it unless ``check``. Yields (path, status)."""
    for rel, render in GENERATED.items():
        path = paths.REPO_DIR / rel
        text = render()
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            yield path, "up to date"
        elif check:
            yield path, "out of date (run `eastasia-data generate`)"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            yield path, "written"
