"""The contributor's walk: read every table, run every check layer, gather one report.

Examples
--------
>>> import eastasia_data as ead
>>> report = ead.validate()
>>> report.valid
True
>>> print(report.summary)  # doctest: +ELLIPSIS
valid: checked ... tables, ... rows...
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from eastasia_data import paths
from eastasia_data.views import CORRECTIONS
from eastasia_data.curation.problems import (
    Problem,
    display_path,
    render_github,
    render_json,
    render_text,
    sort_key,
    summary_line,
)
from eastasia_data.curation.reader import TableFile, fixed_keys, read_table_file
from eastasia_data.curation.rules import ARCHIVE, DATE, FILE, FORMAT, PATTERN, TYPE, WHITESPACE
from eastasia_data.curation.schemas import read_model
from eastasia_data.errors import UsageError
from eastasia_data.model import ArchiveIndex, Table


def read_checkout(data_dir: Path | None = None) -> dict[str, TableFile]:
    """Every table of the checkout (or of ``data_dir``) as read, named as a contributor sees it.

    Examples
    --------
    >>> files = read_checkout()
    >>> files["events"].display, files["events"].line_of(0)
    ('data/events.csv', 2)
    """
    checkout = paths.checkout()
    data_dir = Path(data_dir) if data_dir else checkout.data_dir
    return {name: read_table_file(t, data_dir / t.csv_name, display_path(data_dir / t.csv_name))
            for name, t in read_model(checkout.schemas_dir).items()}


@dataclass
class Report:
    """What a validation run found: the problems, notes on what was skipped, and the rows it read."""

    problems: list[Problem]
    notes: list[str]
    tables: dict[str, Table]
    files: dict[str, TableFile] = field(repr=False, default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no problem is an error (warnings do not count).

        Examples
        --------
        >>> from eastasia_data.curation.validate import validate
        >>> validate().valid
        True
        """
        return not any(p.severity == "error" for p in self.problems)

    @property
    def rows(self) -> int:
        """How many rows were read, over all tables.

        Examples
        --------
        >>> import csv
        >>> from eastasia_data import paths
        >>> from eastasia_data.curation.validate import validate
        >>> validate().rows == sum(len(list(csv.DictReader(p.open(encoding="utf-8"))))
        ...                        for p in paths.data_dir().glob("*.csv"))
        True
        """
        return sum(len(tf.frame) for tf in self.files.values() if tf.frame is not None)

    @property
    def summary(self) -> str:
        """The one-line summary printed after the problems.

        Examples
        --------
        >>> from eastasia_data.curation.validate import validate
        >>> validate().summary.startswith(f"valid: checked {len(validate().tables)} tables")
        True
        """
        return summary_line(self.problems, len(self.tables), self.rows, self.notes)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables as read (every cell text, empty cells missing); only meaningful when valid.

        Examples
        --------
        >>> from eastasia_data.curation.validate import validate
        >>> frames = validate().frames()
        >>> str(frames["events"]["start_date"].dtype)
        'str'
        """
        return {name: tf.frame for name, tf in self.files.items() if tf.frame is not None}

    def render(self, fmt: str = "text") -> str:
        """The report as ``text`` (one line per problem), ``json`` or ``github`` annotations.

        Examples
        --------
        >>> import json
        >>> from eastasia_data.curation.validate import validate
        >>> json.loads(validate().render("json"))["problems"]
        []
        """
        if fmt == "json":
            return render_json(self.problems, self.summary, self.valid, self.notes)
        if fmt == "github":
            return render_github(self.problems, self.summary)
        return render_text(self.problems, self.summary)

    def __str__(self) -> str:
        return self.render("text")


def _archive_index(checkout: paths.Checkout | None) -> ArchiveIndex | None:
    """Which table lists the archived texts: from this checkout's package facts."""
    from eastasia_data.curation.descriptor import checkout_package

    found = checkout or paths.find_checkout()
    return checkout_package(found).archive if found else None


#: Rules on a cell's value whose hint already names a stray space (curation/checks/table.py).
_VALUE_RULES = (PATTERN, TYPE, DATE, FORMAT)


def _one_per_cell(problems) -> list[Problem]:
    """Leave out the ``whitespace`` problem of a cell whose value rule reports it already, with its hint."""
    problems = list(problems)
    valued = {(p.file, p.line, p.column) for p in problems if p.rule in _VALUE_RULES and "space" in p.hint}
    return [p for p in problems if not (p.rule == WHITESPACE and (p.file, p.line, p.column) in valued)]


#: The cross-field rule of a row whose excerpt names no passage (schemas/*.yaml).
EXCERPT_NAMES_PASSAGE = "excerpt-names-passage"


def _name_the_passages(problems: list[Problem], files: dict[str, TableFile], texts, ledger: str) -> list[Problem]:
    """Give each ``excerpt-names-passage`` problem the passage its excerpt was found in, as its hint."""
    from dataclasses import replace

    from eastasia_data.curation.checks.ledger import passages_of_unnamed_excerpts

    if not any(p.rule == EXCERPT_NAMES_PASSAGE for p in problems):
        return problems
    found = passages_of_unnamed_excerpts(files, texts, ledger)
    # Where it was not found (no archive, or the excerpt spans passages): how to find it by hand.
    by_hand = (f"name the passage of data/{ledger}.csv whose span (start to end, in the source's archived text) "
               "holds the excerpt" + ("" if texts else "; with the source archive, validate names it"))
    out = []
    for p in problems:
        if p.rule == EXCERPT_NAMES_PASSAGE:
            where = found.get((p.file, p.line)) if p.line is not None else None
            p = replace(p, hint=f"the excerpt lies in {where}: write that in {p.column}" if where else by_hand)
        out.append(p)
    return out


def _check(files: dict[str, TableFile], checkout, sources_dir: Path | None, index: ArchiveIndex | None,
           require_archive: bool, notes: list[str]) -> list[Problem]:
    """Every check's problems (the layers in order); notes get what was skipped."""
    from eastasia_data.curation.checks.evidence import check_evidence, open_archive
    from eastasia_data.curation.checks.fields import check_fields
    from eastasia_data.curation.checks.hygiene import check_hygiene
    from eastasia_data.curation.checks.relations import check_relations
    from eastasia_data.curation.checks.table import check_table

    problems: list[Problem] = []
    for tf in files.values():
        problems += tf.problems
        problems += check_table(tf)
        problems += check_fields(tf)
    problems += check_hygiene(files)
    problems += check_relations(files)
    if CORRECTIONS in files:
        from eastasia_data.curation.checks.corrections import Releases, check_corrections
        problems += check_corrections(files, Releases.of(checkout or paths.find_checkout()))

    available = sources_dir is not None and sources_dir.is_dir()
    if index is not None and index.table in files:
        archive = open_archive(files[index.table], sources_dir if available else None, index)
        problems += archive.problems
        problems += check_evidence(files, archive, available)
        from eastasia_data.curation.checks.ledger import check_ledger
        if index.ledger:
            problems += check_ledger(files, archive.texts, archive.archived, index.ledger)
            problems = _name_the_passages(problems, files, archive.texts, index.ledger)
        if not available:
            where = f"{sources_dir} is not a directory" if sources_dir else "no source archive found"
            if require_archive:
                problems.append(Problem(str(sources_dir or "sources"), None, None, None, ARCHIVE,
                                        f"evidence cannot be checked: {where}",
                                        "pass --sources-dir or set EASTASIA_SOURCES (required when CI=true)"))
            else:
                notes.append(f"evidence layer skipped ({where}; pass --sources-dir or set EASTASIA_SOURCES)")
    return problems


def validate(
    data_dir: str | Path | None = None,
    sources_dir: str | Path | None = None,
    *,
    schemas_dir: str | Path | None = None,
    require_archive: bool | None = None,
) -> Report:
    """Check the CSV tables against the schemas and the source archive.

    Parameters
    ----------
    data_dir : path, optional
        Directory holding ``<table>.csv`` for every schema. Default: the checkout's ``data/``.
    sources_dir : path, optional
        The archive of source texts. Default: ``$EASTASIA_SOURCES``, else ``../shared/sources``.
    schemas_dir : path, optional
        Directory of the Table Schema files. Default: the checkout's ``schemas/``.
    require_archive : bool, optional
        Whether a missing archive is an error rather than a skipped layer.
        Default: true when the environment variable ``CI`` is ``true``.

    Returns
    -------
    Report
        ``report.valid``, ``report.problems`` (one :class:`~eastasia_data.curation.problems.Problem`
        per problem), ``report.summary``; ``report.render("text" | "json" | "github")``.

    Examples
    --------
    >>> import eastasia_data as ead
    >>> ead.validate().valid
    True
    """
    checkout = paths.checkout() if data_dir is None or schemas_dir is None else None
    data_dir = Path(data_dir) if data_dir else checkout.data_dir  # type: ignore[union-attr]
    if not data_dir.is_dir():
        raise UsageError(f"{data_dir}: no such data directory")
    model = read_model(Path(schemas_dir) if schemas_dir else None)
    if require_archive is None:
        require_archive = os.environ.get("CI", "").lower() == "true"
    if sources_dir is None:
        sources_dir = paths.default_sources_dir()
    elif not Path(sources_dir).is_dir():
        raise UsageError(f"{sources_dir}: the source archive is not a directory")
    sources_dir = Path(sources_dir) if sources_dir else None
    index = _archive_index(checkout)

    files = {name: read_table_file(t, data_dir / t.csv_name, display_path(data_dir / t.csv_name)) for name, t in model.items()}
    problems: list[Problem] = []
    notes: list[str] = []
    for stray in sorted(set(p.stem for p in data_dir.glob("*.csv")) - set(model)):
        problems.append(Problem(display_path(data_dir / f"{stray}.csv"), None, None, None, FILE,
                                "is not a table of the dataset (no schemas/" + stray + ".yaml)",
                                "add its schema to schemas/, or move the file out of the data directory"))
    with fixed_keys(files.values()):  # the checks read the frames and never change them
        problems += _check(files, checkout, sources_dir, index, require_archive, notes)
    from eastasia_data.curation.consequences import fold, name_spreadsheet_resaves, settle_ambiguous_dates

    order = {tf.display: {c: i for i, c in enumerate(tf.header or tf.table.field_names)} for tf in files.values()}

    def in_file_order(p: Problem) -> tuple:  # a row's problems in the order of its columns (start_date, end_date)
        key = sort_key(p)
        return (*key[:2], order.get(p.file, {}).get(p.column or "", -1 if p.column is None else 10**6), *key[2:])

    problems = fold(sorted(_one_per_cell(dict.fromkeys(problems)), key=in_file_order), files)
    problems = name_spreadsheet_resaves(settle_ambiguous_dates(problems, files), files)
    return Report(problems=problems, notes=notes, tables=model, files=files)
