"""The generated files: the explicit list of what ``eastasia-data generate`` writes, and ``generate()``.

Each entry of :data:`GENERATED` names a file (or a marked block of a hand-written file) and
the renderer that makes its text; the renderers live where their subject does
(:mod:`~eastasia_data.curation.docs`, :mod:`~eastasia_data.curation.registry`,
:mod:`~eastasia_data.curation.feed`, :mod:`~eastasia_data.curation.rules`, ...). Nothing
registers itself on import: the list below is the whole of it, in write order.

A marked block is the text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` in a
hand-written file; :func:`fill_block` replaces it and leaves the rest alone. The README's
list of commands is rendered from the argument parser, which curation does not import: the
command line passes that entry in (``generate(extra=...)``).

Examples
--------
>>> [g.path for g in GENERATED][:3]
['datapackage.json', 'docs/data-dictionary.md', 'README.md']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from eastasia_data import paths
from eastasia_data.curation import docs, feed, registry, rules
from eastasia_data.curation.checks import hygiene
from eastasia_data.errors import BlockError
from eastasia_data.publish import rai


def fill_block(text: str, name: str, block: str) -> str:
    """Replace the marked block ``name`` of a hand-written text, keeping everything else.

    Parameters
    ----------
    text : str
        The whole file, holding ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` once each.
    name : str
        The block's name.
    block : str
        The new content between the markers.

    Returns
    -------
    str
        ``text`` with the block replaced.

    Raises
    ------
    BlockError
        The markers are missing, repeated or out of order.

    Examples
    --------
    >>> fill_block("a\\n<!-- n:start -->\\nold\\n<!-- n:end -->\\nb\\n", "n", "new\\n")
    'a\\n<!-- n:start -->\\nnew\\n<!-- n:end -->\\nb\\n'
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.S)
    if text.count(start) != 1 or text.count(end) != 1 or not pattern.search(text):
        raise BlockError(f"the text needs one {start} line followed by one {end} line")
    return pattern.sub(lambda _: f"{start}\n{block}{end}", text)


@dataclass(frozen=True)
class Generated:
    """One generated file (or marked block of a hand-written one) and the function that renders it.

    ``also`` is called after the file is written, for files made beside it (the figures, whose
    record of what they were drawn from is the generated file).
    """

    path: str
    render: Callable[[], str]
    block: str | None = None
    also: Callable[[], list[Path]] | None = None

    def text(self, current: str | None) -> str:
        """The file's new content, given its current content (needed to refill a block).

        Examples
        --------
        >>> item = Generated("notes.md", lambda: "new\\n", block="b")
        >>> item.text("<!-- b:start -->\\nold\\n<!-- b:end -->\\n")
        '<!-- b:start -->\\nnew\\n<!-- b:end -->\\n'
        """
        if self.block is None:
            return self.render()
        if current is None:
            raise BlockError(f"{self.path} is missing: it is hand-written around the generated block {self.block!r}")
        return fill_block(current, self.block, self.render())


#: Every generated file, in the order ``generate`` writes them.
GENERATED: tuple[Generated, ...] = (
    Generated("datapackage.json", docs.render_root_datapackage),
    Generated(docs.DICTIONARY_PATH, docs.render_dictionary),
    Generated("README.md", docs.render_tables_block, "tables"),
    Generated("docs/rules.md", rules.render_rules),
    Generated("docs/datasheet.md", docs.render_composition_block, "composition"),
    Generated("docs/datasheet.md", docs.render_coverage_block, "coverage"),
    Generated("docs/datasheet.md", docs.render_agreement_block, "agreement"),
    Generated(feed.FEED_PATH, feed.render_feed),
    Generated("schemas/table-schema.json", docs.render_table_schema),
    Generated("src/eastasia_data/curation/checks/invisible.json", hygiene.render_invisible),
    Generated("CITATION.cff", docs.render_citation),
    Generated(f"{docs.FIGURES_DIR}/figures.json", docs.render_figures_record, also=docs.draw_figures),
    Generated("src/eastasia_data/publish/rai.json", rai.render_rai),
    Generated(registry.REGISTRY_PATH, registry.render_registry),
    Generated(registry.CHANGELOG_PATH, registry.render_changelog),
)


def generate(check: bool = False, *, figures: bool = True, extra: Iterable[Generated] = ()) -> Iterator[tuple[Path, str]]:
    """Render each generated file; write it unless ``check``. Yields (path, status).

    Parameters
    ----------
    check : bool, default False
        Only compare: report each file as ``up to date`` or ``out of date …``.
    figures : bool, default True
        Redraw the figures when their record is stale (needs the ``plot`` extra); with
        ``False`` they are left alone.
    extra : iterable of Generated, default ()
        Entries made outside curation, handled after :data:`GENERATED` (the command line
        passes the README's list of commands, rendered from its parser).

    Yields
    ------
    tuple of (pathlib.Path, str)
        Each file and its status (``up to date``, ``written`` or
        ``out of date (run `eastasia-data generate`)``).

    Examples
    --------
    >>> [status for _, status in generate(check=True)][0]
    'up to date'
    """
    root = paths.checkout().root
    for item in (*GENERATED, *extra):
        path = root / item.path
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        text = item.text(current)
        if current == text:
            yield path, "up to date"
        elif check:
            yield path, "out of date (run `eastasia-data generate`)"
        elif item.also is not None and not figures:
            yield path, "out of date (left alone)"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            more = item.also() if item.also is not None else []
            path.write_text(text, encoding="utf-8")
            yield path, "written"
            for other in more:
                yield other, "written"
