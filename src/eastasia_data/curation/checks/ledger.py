"""The coding ledger: every passage of every archived article is accounted for.

``data/passages.csv`` lists the passages that :func:`eastasia_data.curation.passages.split`
cuts from each archived article, with a status: ``coded`` (some row cites it)
or ``not_coded`` with a reason. This layer proves that the list is the split
and that the rows agree with it:

* for every archived article whose text could be opened, the ledger's rows for
  it, in the order of their ``passage_id``, are exactly the recomputed passages
  (same offsets, same kind, each once, none added, none missing);
* every ledger row belongs to an archived article;
* every row of another table that names a ``passage_id`` has an excerpt lying
  within that passage, of the same source;
* every passage marked ``coded`` is cited by at least one row, and no passage
  marked ``not_coded`` is.

That a passage marked ``not_coded`` gives a reason is the schema's rule
``not-coded-has-reason`` (checked with the other cross-field rules), so it is not
reported twice here. :func:`coverage` counts, per article, the passages coded and
not coded by reason; ``eastasia-data coverage`` prints it.

Which table is the ledger is a package fact (``ledger`` in ``[tool.eastasia-data.archive]``
of ``pyproject.toml``), and so are its columns (``ledger-columns`` there: :class:`LedgerColumns`;
a schema that renames one without it is a ``ModelError``, not a layer silently skipped); a row
cites a passage by the ledger's key column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data import paths
from eastasia_data.curation.checks.kernels import groups, text_array
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import (
    LEDGER_CODED,
    LEDGER_DUPLICATE,
    LEDGER_EXCERPT,
    LEDGER_KIND,
    LEDGER_MISSING,
    LEDGER_ORDER,
    LEDGER_PASSAGE_SOURCE,
    LEDGER_SOURCE,
    LEDGER_SPLIT,
)
from eastasia_data.errors import ModelError
from eastasia_data.model import Table
from eastasia_data.curation.passages import split


def _citing(files: dict[str, TableFile], ledger: str, key: str):
    """For every row naming a passage, grouped: (table file, passage id, source_id, excerpt, row positions).

    Rows holding the same three values are one group (link tables repeat a row's excerpt),
    so each distinct citation is checked once, however many rows make it.
    """
    for name, tf in files.items():
        frame = tf.frame
        if name == ledger or frame is None or key not in frame.columns:
            continue
        field = next((f for f in tf.table.fields if f.excerpt_of), None)
        if field is None or field.name not in frame.columns or field.excerpt_of not in frame.columns:
            continue
        passage = text_array(frame[key])
        named = pc.is_valid(passage)
        citing = [pc.filter(values, named) for values in
                  (passage, text_array(frame[field.excerpt_of]), text_array(frame[field.name]))]
        rows = np.flatnonzero(named.to_numpy(zero_copy_only=False))
        members = groups(*citing)
        firsts = pa.array([m[0] for m in members], type=pa.int64())
        for (pid, sid, excerpt), m in zip(zip(*(c.take(firsts).to_pylist() for c in citing)), members):
            yield tf, pid, sid, excerpt, rows[m].tolist()


def _offset(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class LedgerColumns:
    """The ledger's columns, as ``ledger-columns`` of ``[tool.eastasia-data.archive]`` names them.

    Examples
    --------
    >>> LedgerColumns.of().start
    'start'
    >>> LedgerColumns.from_dict({"source": "source_id"})
    Traceback (most recent call last):
    ...
    eastasia_data.errors.ModelError: [tool.eastasia-data.archive.ledger-columns] of pyproject.toml lacks end, kind, reason, start, status: name the ledger's column for each
    """

    source: str
    start: str
    end: str
    kind: str
    status: str
    reason: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> LedgerColumns:
        """From the table ``ledger-columns``; a ``ModelError`` names what it lacks.

        Examples
        --------
        >>> names = dict(source="source_id", start="start", end="end", kind="kind", status="status", reason="reason")
        >>> LedgerColumns.from_dict(names).source
        'source_id'
        """
        raw = raw if isinstance(raw, Mapping) else {}
        missing = sorted(k for k in cls.__dataclass_fields__ if not isinstance(raw.get(k), str) or not raw.get(k))
        if missing:
            raise ModelError(f"[tool.eastasia-data.archive.ledger-columns] of pyproject.toml lacks {', '.join(missing)}: "
                             "name the ledger's column for each")
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__})

    @classmethod
    def of(cls, checkout: paths.Checkout | None = None) -> LedgerColumns:
        """The columns the checkout's ``pyproject.toml`` declares.

        Examples
        --------
        >>> LedgerColumns.of().status
        'status'
        """
        tool = (checkout or paths.checkout()).pyproject().get("tool", {}).get("eastasia-data", {})
        return cls.from_dict(tool.get("archive", {}).get("ledger-columns"))

    def require(self, table: Table) -> None:
        """Raise ``ModelError`` unless the ledger's schema has every declared column (a rename must follow here).

        Examples
        --------
        >>> from eastasia_data.curation.schemas import read_model
        >>> LedgerColumns.of().require(read_model()["passages"])
        >>> LedgerColumns.of().require(read_model()["events"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        eastasia_data.errors.ModelError: ...schemas/events.yaml: the ledger has no column 'source_id', ...
        """
        missing = [c for c in vars(self).values() if c not in table.field_names]
        if missing:
            where = table.schema_path or table.name
            raise ModelError(f"{where}: the ledger has no column {', '.join(map(repr, missing))}, which "
                             "[tool.eastasia-data.archive.ledger-columns] of pyproject.toml names; rename it there too")


def check_ledger(files: dict[str, TableFile], texts: Mapping[str, str], archived: set[str],
                 ledger: str = "passages", columns: LedgerColumns | None = None) -> list[Problem]:
    """Check the ledger against the recomputed split and the rows that cite it.

    Parameters
    ----------
    files : dict of str to TableFile
        Every table as read.
    texts : mapping of str to str
        The archived text of each source that could be opened (``Archive.texts``);
        empty when the archive is not available, which skips the comparison with the
        split and the excerpt positions.
    archived : set of str
        The ids of the sources that have an archive file (``Archive.archived``).
    ledger : str
        The name of the ledger table.
    columns : LedgerColumns, optional
        Its columns; default those the checkout's ``pyproject.toml`` declares.

    Returns
    -------
    list of Problem

    Raises
    ------
    ModelError
        The declared columns are missing from ``pyproject.toml`` or from the ledger's schema.

    Examples
    --------
    >>> from eastasia_data.curation.descriptor import checkout_package
    >>> from eastasia_data.paths import default_sources_dir
    >>> from eastasia_data.curation.validate import read_checkout
    >>> from eastasia_data.curation.checks.evidence import open_archive
    >>> files = read_checkout()
    >>> archive = open_archive(files["sources"], default_sources_dir(), checkout_package().archive)
    >>> check_ledger(files, archive.texts, archive.archived)
    []
    >>> files["passages"].frame.loc[5, "end"] = "7"  # a passage cut short
    >>> sorted({p.rule for p in check_ledger(files, archive.texts, archive.archived)})
    ['ledger-missing', 'ledger-split']
    """
    tf = files.get(ledger)
    if tf is None or tf.frame is None or len(tf.table.primary_key) != 1:
        return []
    columns = columns or LedgerColumns.of()
    columns.require(tf.table)
    if not {tf.table.primary_key[0], *vars(columns).values()} - {columns.reason} <= set(tf.frame.columns):
        return []  # a column missing from the file's header: the file layer reports it
    return (_check_split(tf, texts, archived, columns) + _check_citations(files, tf, texts, columns)
            + _check_status(files, tf, columns))


def _check_split(tf: TableFile, texts: Mapping[str, str], archived: set[str], c: LedgerColumns) -> list[Problem]:
    """Each article's rows, in passage-id order, are the passages ``split`` cuts; only archived articles are listed."""
    frame, key = tf.frame, tf.table.primary_key[0]
    assert frame is not None
    problems: list[Problem] = []
    for sid in sorted(set(frame[c.source].dropna())):
        if sid not in archived:
            for i in map(int, np.flatnonzero((frame[c.source] == sid).to_numpy(dtype=bool, na_value=False))):
                problems.append(tf.problem(int(i), c.source, sid, LEDGER_SOURCE,
                                           "is not an archived article: only archived texts are split into passages",
                                           "list passages of the sources that have an archive_file"))
    by_source: dict[str, list[int]] = {}
    for i, sid in enumerate(frame[c.source].tolist()):
        by_source.setdefault(sid, []).append(i)
    ids, starts, ends, kinds = (frame[col].tolist() for col in (key, c.start, c.end, c.kind))
    for sid, text in sorted(texts.items()):
        rows = sorted(by_source.get(sid, []), key=lambda i: (not isinstance(ids[i], str), str(ids[i])))
        cut = split(text)
        expected = {(p.start, p.end): p.kind for p in cut}
        order = [(p.start, p.end) for p in cut]
        seen: Counter = Counter()
        listed = []
        for i, start, end, kind in ((i, starts[i], ends[i], kinds[i]) for i in rows):
            span = (_offset(start), _offset(end))
            seen[span] += 1
            if span not in expected:
                problems.append(tf.problem(int(i), None, f"{start}-{end}", LEDGER_SPLIT,
                                           f"is not a passage of {sid} as eastasia_data.curation.passages.split cuts it",
                                           "regenerate the offsets from the archived text with eastasia_data.curation.passages.split"))
                continue
            if seen[span] > 1:
                problems.append(tf.problem(int(i), None, f"{start}-{end}", LEDGER_DUPLICATE,
                                           f"lists the same passage of {sid} twice", "keep one row per passage"))
                continue
            if kind != expected[span]:
                problems.append(tf.problem(int(i), c.kind, kind, LEDGER_KIND,
                                           f"is not the kind the split gives this passage ({expected[span]})",
                                           f"write {expected[span]}"))
            listed.append((int(i), span))
        for span in order:
            if span not in seen:
                problems.append(tf.problem(None, None, f"{span[0]}-{span[1]}", LEDGER_MISSING,
                                           f"passage {text[span[0]:span[1]][:60]!r} of {sid} has no row in the ledger",
                                           "every passage of an archived article gets a row, coded or not coded with a reason"))
        rank = {span: n for n, span in enumerate(order)}
        last = -1
        for i, span in listed:
            if rank[span] < last:
                problems.append(tf.problem(i, key, ids[i], LEDGER_ORDER,
                                           "is out of text order: passage ids must follow the passages' order in the article",
                                           "number the passages of each article in the order they occur"))
            last = max(last, rank[span])
    return problems


def _check_citations(files: dict[str, TableFile], tf: TableFile, texts: Mapping[str, str],
                     c: LedgerColumns) -> list[Problem]:
    """A row citing a passage names one of its own source, and its excerpt lies within that passage."""
    frame, key = tf.frame, tf.table.primary_key[0]
    assert frame is not None
    spans = {pid: (sid, _offset(s), _offset(e))
             for pid, sid, s, e in zip(*(frame[col].tolist() for col in (key, c.source, c.start, c.end)))}
    problems: list[Problem] = []
    for other, pid, sid, excerpt, rows in _citing(files, tf.table.name, key):
        if not isinstance(sid, str):
            continue  # an empty source: the required rule reports it
        if pid not in spans:
            continue  # a dangling key: the relations layer reports it
        psid, start, end = spans[pid]
        if psid != sid:
            problems += [other.problem(i, key, pid, LEDGER_PASSAGE_SOURCE,
                                       f"is a passage of {psid}, but the row's source is {sid}",
                                       "name a passage of the row's own source") for i in rows]
            continue
        found_text = texts.get(sid)
        if found_text is None or not isinstance(excerpt, str) or start is None or end is None:
            continue  # no text to check, or no excerpt: evidence and the schema's rules report that
        if excerpt not in found_text[start:end]:
            found = [p for p, (s2, a, b) in spans.items()
                     if s2 == sid and a is not None and b is not None and excerpt in found_text[a:b]]
            problems += [other.problem(i, key, pid, LEDGER_EXCERPT, "does not contain the row's excerpt",
                                       f"the excerpt lies in {found[0]}" if found else
                                       "the excerpt spans passages: shorten it to one passage") for i in rows]
    return problems


def _check_status(files: dict[str, TableFile], tf: TableFile, c: LedgerColumns) -> list[Problem]:
    """A passage is coded exactly when some row cites it."""
    frame, key = tf.frame, tf.table.primary_key[0]
    assert frame is not None
    cited = {pid for _, pid, _, _, _ in _citing(files, tf.table.name, key)}
    problems: list[Problem] = []
    for i, (pid, status) in enumerate(zip(frame[key].tolist(), frame[c.status].tolist())):
        if status == "coded" and pid not in cited:
            problems.append(tf.problem(int(i), c.status, status, LEDGER_CODED,
                                       "is coded, but no row cites the passage",
                                       "cite it from the row that codes it, or mark it not_coded with a reason"))
        elif status == "not_coded" and pid in cited:
            problems.append(tf.problem(int(i), c.status, status, LEDGER_CODED,
                                       "is not_coded, but a row cites the passage", "mark it coded and empty its reason"))
    return problems


def passages_of_unnamed_excerpts(files: dict[str, TableFile], texts: Mapping[str, str],
                                 ledger: str = "passages") -> dict[tuple[str, int], str]:
    """Where the excerpt of each row that names no passage lies: ``{(file, line): passage_id}``.

    For the hint of ``excerpt-names-passage``: a row with an excerpt of an archived article
    and an empty ``passage_id`` is told which passage its excerpt was found in. A row whose
    excerpt is in no single passage (or whose text is not available) is left out.

    Examples
    --------
    >>> from eastasia_data.curation.descriptor import checkout_package
    >>> from eastasia_data.paths import default_sources_dir
    >>> from eastasia_data.curation.validate import read_checkout
    >>> from eastasia_data.curation.checks.evidence import open_archive
    >>> files = read_checkout()
    >>> archive = open_archive(files["sources"], default_sources_dir(), checkout_package().archive)
    >>> frame = files["claims"].frame
    >>> first = frame.index[frame["passage_id"].notna()][0]
    >>> named = frame.loc[first, "passage_id"]
    >>> frame.loc[first, "passage_id"] = None
    >>> passages_of_unnamed_excerpts(files, archive.texts) == {(files["claims"].display, files["claims"].line_of(int(first))): named}
    True
    """
    tf = files.get(ledger)
    if tf is None or tf.frame is None or len(tf.table.primary_key) != 1 or not texts:
        return {}
    key = tf.table.primary_key[0]
    if not {key, "source_id", "start", "end"} <= set(tf.frame.columns):
        return {}
    spans: dict[str, list[tuple[str, int, int]]] = {}
    for pid, sid, start, end in zip(*(tf.frame[c].tolist() for c in (key, "source_id", "start", "end"))):
        a, b = _offset(start), _offset(end)
        if isinstance(pid, str) and isinstance(sid, str) and a is not None and b is not None:
            spans.setdefault(sid, []).append((pid, a, b))
    out: dict[tuple[str, int], str] = {}
    for name, other in files.items():
        frame = other.frame
        field = next((f for f in other.table.fields if f.excerpt_of), None)
        if name == ledger or frame is None or field is None or key not in frame.columns \
                or field.name not in frame.columns or field.excerpt_of not in frame.columns:
            continue
        unnamed = frame[key].isna() & frame[field.name].notna() & frame[field.excerpt_of].isin(list(texts))
        for i in map(int, np.flatnonzero(unnamed.to_numpy(dtype=bool, na_value=False))):
            sid, excerpt = frame[field.excerpt_of].iloc[i], frame[field.name].iloc[i]
            text = texts[sid]
            found = [pid for pid, a, b in spans.get(sid, []) if excerpt in text[a:b]]
            if len(found) == 1:
                out[(other.display, other.line_of(i))] = found[0]
    return out


def coverage(rows: Iterable[Mapping[str, object]], columns: LedgerColumns | None = None) -> dict[str, dict[str, Any]]:
    """Per article: how many passages, how many coded, and the not-coded ones by reason.

    Parameters
    ----------
    rows : iterable of mappings
        Ledger rows with ``source_id``, ``status`` and ``reason`` (a ``csv.DictReader``
        over ``data/passages.csv``, or ``DataFrame.to_dict("records")``).
    columns : LedgerColumns, optional
        The names of those three columns; default ``source_id``, ``status`` and ``reason``.

    Returns
    -------
    dict
        ``{source_id: {"passages": n, "coded": n, "not_coded": n, "by_reason": {reason: n}}}``.

    Examples
    --------
    >>> coverage([{"source_id": "s", "status": "coded", "reason": ""},
    ...           {"source_id": "s", "status": "not_coded", "reason": "heading"}])
    {'s': {'passages': 2, 'coded': 1, 'not_coded': 1, 'by_reason': {'heading': 1}}}
    """
    source, status, why = (columns.source, columns.status, columns.reason) if columns else ("source_id", "status", "reason")
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = out.setdefault(str(row[source]), {"passages": 0, "coded": 0, "not_coded": 0, "by_reason": Counter()})
        entry["passages"] += 1
        if row[status] == "coded":
            entry["coded"] += 1
        else:
            entry["not_coded"] += 1
            reason = row.get(why)
            entry["by_reason"][str(reason) if isinstance(reason, str) and reason else "(none)"] += 1
    for entry in out.values():
        entry["by_reason"] = dict(sorted(entry["by_reason"].items()))
    return dict(sorted(out.items()))


def format_coverage(cov: Mapping[str, Mapping[str, Any]]) -> str:
    """The coverage as one line per article.

    Examples
    --------
    >>> print(format_coverage({"s": {"passages": 2, "coded": 1, "not_coded": 1, "by_reason": {"heading": 1}}}))
    s: 2 passages, 1 coded, 1 not coded (heading 1)
    """
    lines = []
    for sid, e in cov.items():
        reasons = ", ".join(f"{r} {n}" for r, n in e["by_reason"].items())
        lines.append(f"{sid}: {e['passages']} passages, {e['coded']} coded, {e['not_coded']} not coded"
                     + (f" ({reasons})" if reasons else ""))
    return "\n".join(lines)


def checkout_coverage(checkout=None) -> dict[str, dict[str, Any]]:
    """The coverage of the checkout's ledger (``data/<ledger>.csv``); empty when it has none.

    Examples
    --------
    >>> cov = checkout_coverage()
    >>> all(e["passages"] == e["coded"] + e["not_coded"] for e in cov.values())
    True
    """
    from eastasia_data.curation.descriptor import checkout_package

    checkout = checkout or paths.checkout()
    index = checkout_package(checkout).archive
    if index is None or not index.ledger:
        return {}
    return coverage(read_rows(checkout, index.ledger), LedgerColumns.of(checkout))


def read_rows(checkout: paths.Checkout, table: str) -> list[dict[str, str]]:
    """The rows of ``data/<table>.csv`` as dicts, the file opened through the one guarded reader.

    Examples
    --------
    >>> read_rows(paths.checkout(), "passages")[0]["passage_id"].startswith("psg-")
    True
    """
    import csv
    import io

    from eastasia_data.files import read_bytes

    data = read_bytes(checkout.data_dir / f"{table}.csv", root=checkout.root)
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
