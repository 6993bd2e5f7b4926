"""Synthetic tables derived from the schemas: valid data of any size, and the same with cells broken on purpose.

Nothing here is written per table. Every value comes from what the model
(:func:`eastasia_data.curation.schemas.read_model`) declares about its column, and
the few package facts of ``[tool.eastasia-data.archive]`` (which table lists the
archived texts, which is the coding ledger):

* **keys** from the column's ``pattern`` (the first values of its language, each
  checked against the pattern); composite primary keys are unique combinations
  of their parts (parent rows, categories);
* **categories** from ``categories``; **partial dates** agreeing with their
  ``precisionField`` and never before their ``notBefore``; integers, numbers,
  booleans, text and URIs by type and ``format``; optional columns filled in
  about half the rows;
* **foreign keys** resolving into the parent tables, which are generated first
  (tables in the order of their foreign keys). A table referring to itself (an
  actor's state) gets its parents first: the first quarter of its rows are the
  rows the others may refer to;
* **excerpts** (``excerptOf``) cut from the archived texts, within one passage,
  present exactly when the row's source is archived, with the ledger's key of
  the passage they lie in. The archive table's first rows are the real archive
  files with their real sha256; the ledger lists every passage of every
  archived text, ``coded`` exactly when some row cites it;
* **cells naming another table's row, column and value** (``rowKeyOf``,
  ``columnOf``, ``valueOf``, as in ``codings``): a real row's key, a column of
  that table among the listed ones, and one of that column's allowed values;
  the named tables are generated first;
* the table's cross-field **rules** (when/require/forbid/allow) satisfied from
  their declaration: a required column is filled, a forbidden one emptied, a
  value outside ``allow`` replaced, or else the ``when`` is made false. A rule
  that cannot be satisfied so raises an error naming it; it then needs a hook in
  :data:`RULE_HOOKS`, keyed by the rule's name (none does today);
* the one exception, the **corrections register** (``eastasia_data.views.CORRECTIONS``),
  whose rows name rows of other tables by their key (``row_key``) and columns: generated
  as any table, it is finished last, naming real keys and columns of the generated
  tables, with ``release`` empty.

Size
----
``total`` is the number of data rows across all tables (headers not counted).
The ledger has one row per passage of the archived texts (a fixed number); the
rest is shared out by :func:`plan`: each link table (a composite primary key made
only of foreign keys and categories) weighs :data:`LINK_WEIGHT`, every other
table 1, with at least :data:`MIN_ROWS` rows each.

Breakage
--------
With ``broken=0.01``, 1% of the rows of each table (at least one) are broken, one
cell per row, in the ways :func:`breakages` derives from the columns'
declarations: ``pattern`` (a value breaking it), ``enum`` (a typo), ``required``
(emptied), ``date`` (an impossible date), ``precision`` (a date disagreeing with
its precision), ``date-order`` (an end before its start), ``foreign-key`` (a
dangling id), ``format`` (a URI without scheme), ``type`` (a number that is
not), ``formula`` (free text a spreadsheet would run), ``excerpt`` (a reworded
excerpt), ``excerpt-missing`` (an archived row without its excerpt), ``row-key``,
``coded-column`` and ``coded-value`` (a row, column or value that does not exist) and, for each
rule, its violation (the kind is the rule's name). Breaking a row never breaks
another: the cells other rows depend on (keys they cite, the archive's file
names, the ledger's offsets) are broken only in ways that keep them resolving,
an id made to break its pattern is renamed where its own table cites it, and the
ledger's statuses are set after every other table is final. :attr:`Synth.broken`
lists each broken cell's file, physical line, column and kind.

Used by ``bench/run.py`` and ``tests/test_synth.py`` (which put ``bench/`` on
``sys.path``): ``generate(out_dir, 100_000, broken=0.01, sources_dir=...)``.
"""

from __future__ import annotations

import graphlib
import hashlib
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import exrex
import numpy as np
import pandas as pd

from eastasia_data.views import CORRECTIONS as REGISTER
from eastasia_data.views import row_key
from eastasia_data.curation.descriptor import checkout_package
from eastasia_data.curation.schemas import read_model
from eastasia_data.dates import PRECISIONS
from eastasia_data.model import ArchiveIndex, Field, ForeignKey, Rule, Table
from eastasia_data.curation.passages import split

MIN_ROWS = 10
#: How many times more rows a link table gets than another table.
LINK_WEIGHT = 2
#: Share of the rows in which an optional column is filled.
OPTIONAL_FILL = 0.5
#: Share of the rows citing an archived source, where a row may cite any source.
ARCHIVED_SHARE = 0.5
#: The ledger's columns and statuses, as ``eastasia_data.curation.checks.ledger`` reads them.
LEDGER_SOURCE, LEDGER_START, LEDGER_END, LEDGER_KIND, LEDGER_STATUS = "source_id", "start", "end", "kind", "status"
CODED, NOT_CODED = "coded", "not_coded"
#: Rules the generic solver cannot satisfy, by rule name: ``hook(builder, table, columns)``
#: makes every row of ``columns`` (column name -> object array) satisfy the rule.
RULE_HOOKS: dict[str, Callable[[_Builder, Table, dict[str, np.ndarray]], None]] = {}

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
WORDS = ("alpha", "border", "summit", "treaty", "naval", "drill", "envoy", "talks", "aid", "grain", "rail",
         "missile", "troops", "visit", "pact", "sanction", "forum", "port", "energy", "loan")
#: Longest a regular expression's repetitions grow when ids are enumerated from it.
_REPEAT_LIMIT = 20


class GeneratorError(ValueError):
    """The schemas ask for something the generator cannot derive (named in the message)."""


# ---------------------------------------------------------------------------------------------
# What the model says, asked generically


def parents_first(model: dict[str, Table], archive: ArchiveIndex | None = None) -> list[str]:
    """The tables in an order where every table comes after the tables its foreign keys refer to
    (and, when ``archive`` is given, a table with excerpts after the table listing the archive).

    >>> order = parents_first(read_model())
    >>> order.index("sources") < order.index("claims") < order.index("claim_sources")
    True
    """
    graph = {name: {fk.resource for fk in t.foreign_keys if fk.resource != name} | set(named_tables(t))
             for name, t in sorted(model.items())}
    if archive is not None:
        for name, t in model.items():
            if name != archive.table and (any(f.excerpt_of for f in t.fields) or name == archive.ledger):
                graph[name].add(archive.table)
    try:
        return list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        raise GeneratorError(f"the foreign keys form a cycle between tables {exc.args[1]}: "
                             "the generator needs parents before children") from None


def named_tables(table: Table) -> tuple[str, ...]:
    """The tables whose rows, columns and values a table's cells name (the categories of its ``rowKeyOf`` column).

    >>> named_tables(read_model()["codings"]), named_tables(read_model()["events"])
    (('claims', 'events', 'strategies'), ())
    """
    which = next((f.row_key_of or f.column_of for f in table.fields if f.row_key_of or f.column_of), None)
    if which is None:
        return ()
    if not table.field(which).categories:
        raise GeneratorError(f"{table.name}.{which} names tables but lists none under categories: "
                             "the generator cannot tell which tables to make first")
    return table.field(which).enum


def _fk_of(table: Table, column: str) -> ForeignKey | None:
    return next((fk for fk in table.foreign_keys if column in fk.fields), None)


def is_link(table: Table) -> bool:
    """A link table: its primary key has several columns, each a foreign key or a category column.

    >>> model = read_model()
    >>> is_link(model["event_actors"]), is_link(model["events"])
    (True, False)
    """
    pk = table.primary_key
    return (len(pk) > 1 and any(_fk_of(table, c) for c in pk)
            and all(_fk_of(table, c) or table.field(c).categories for c in pk))


def plan(total: int, passages: int = 0, model: dict[str, Table] | None = None,
         ledger: str | None = None) -> dict[str, int]:
    """Rows per table for ``total`` data rows, ``passages`` of them the ledger's (the largest table absorbs rounding).

    >>> rows = plan(1_000_000, passages=381, ledger="passages")
    >>> sum(rows.values()), rows["passages"], rows["event_actors"] // rows["events"]
    (1000000, 381, 2)
    >>> sum(plan(1_000, passages=381, ledger="passages").values())
    1000
    """
    model = model if model is not None else read_model()
    names = [n for n in sorted(model) if n != ledger]
    weights = {n: LINK_WEIGHT if is_link(model[n]) else 1 for n in names}
    rest = total - passages
    unit = rest / sum(weights.values())
    rows = {n: max(MIN_ROWS, int(unit * w)) for n, w in weights.items()}
    rows[max(rows, key=lambda n: (rows[n], n))] += rest - sum(rows.values())
    if rest < MIN_ROWS * len(names) or min(rows.values()) < MIN_ROWS:  # the largest table cannot absorb the rounding
        raise ValueError(f"{total:,} rows leave too few for {len(names)} tables of at least {MIN_ROWS} rows"
                         + (f" besides the {passages} passages" if passages else ""))
    if ledger in model:
        rows[ledger] = passages
    return rows


def breakages(table: Table, archive: ArchiveIndex | None = None) -> list[tuple[str, str]]:
    """The (column, kind) pairs a table's rows are broken in, derived from what each column declares.

    The cells other rows depend on are left out: the archive's file names, the
    ledger's passages (key, source, offsets, kind, status), and the passage a row
    cites (broken only through its rules).

    >>> model = read_model()
    >>> ("role", "enum") in breakages(model["event_actors"]), ("start_date", "date-order") in breakages(model["events"])
    (True, False)
    >>> ("end_date", "date-order") in breakages(model["events"]), ("kind", "opinion-not-rated") in breakages(model["claims"])
    (True, False)
    """
    fixed = _structural(table, archive)
    out: list[tuple[str, str]] = []
    for f in table.fields:
        if f.name in fixed:
            continue
        fk = _fk_of(table, f.name)
        if archive and archive.ledger and fk is not None and fk.resource == archive.ledger and fk.resource != table.name:
            continue  # the passage a row cites: only its rules break it
        if f.excerpt_of:
            out.append((f.name, "excerpt"))
            out.append((f.name, "required" if f.required else "excerpt-missing"))
            continue
        for named, kind in ((f.row_key_of, "row-key"), (f.column_of, "coded-column"), (f.value_of, "coded-value")):
            if named:
                out.append((f.name, kind))
        if f.pattern and not (f.is_partial_date or f.type == "date"):
            out.append((f.name, "pattern"))
        if f.categories:
            out.append((f.name, "enum"))
        if f.required and not _is_cited_key(table, f.name):
            out.append((f.name, "required"))
        if f.is_partial_date or f.type == "date":
            offered = (table.field(f.precision_field).enum or tuple(PRECISIONS)) if f.precision_field else ("day",)
            if "day" in offered:
                out.append((f.name, "date"))
            if any(p in PRECISIONS and PRECISIONS[p].length < 10 for p in offered):
                out.append((f.name, "precision"))
            if f.not_before:
                out.append((f.name, "date-order"))
        if fk is not None and fk.fields[0] == f.name:
            out.append(("+".join(fk.fields), "foreign-key"))
        if f.format == "uri":
            out.append((f.name, "format"))
        if f.type in ("integer", "number", "boolean"):
            out.append((f.name, "type"))
        if _free_text(table, f):
            out.append((f.name, "formula"))
    for rule in table.rules:
        column = _rule_column(rule)
        if column is not None:
            out.append((column, rule.name))
    return out


def all_breakages() -> dict[str, list[tuple[str, str]]]:
    """:func:`breakages` of every table of the checkout's schemas.

    >>> ("actor_id", "foreign-key") in all_breakages()["event_actors"]
    True
    """
    archive = checkout_package().archive
    return {name: breakages(t, archive) for name, t in read_model().items()}


def _free_text(table: Table, f: Field) -> bool:
    return (f.type == "string" and not f.pattern and not f.categories and not f.format and not f.excerpt_of
            and not f.authority_excerpt_of            and not f.is_partial_date and _fk_of(table, f.name) is None
            and not (f.row_key_of or f.column_of or f.value_of))


def _rule_column(rule: Rule) -> str | None:
    """The column a violation of the rule is reported on."""
    if rule.require:
        return rule.require[0]
    if rule.forbid:
        return rule.forbid[0]
    if rule.allow:
        return rule.allow[0][0]
    return None


def _is_cited_key(table: Table, column: str) -> bool:
    """A column of a single-column primary key (other rows may cite it: never emptied)."""
    return table.primary_key == (column,)


def _structural(table: Table, archive: ArchiveIndex | None) -> set[str]:
    """Columns that say where the evidence is: never broken, never filled generically."""
    if archive is None:
        return set()
    if table.name == archive.table:
        return {archive.file}
    if table.name == archive.ledger:
        return set(table.primary_key) | {LEDGER_SOURCE, LEDGER_START, LEDGER_END, LEDGER_KIND, LEDGER_STATUS}
    return set()


# ---------------------------------------------------------------------------------------------
# Small helpers


def _pick(rng: np.random.Generator, values, n: int) -> np.ndarray:
    values = np.asarray(list(values), dtype=object)
    return values[rng.integers(0, len(values), size=n)] if n else np.empty(0, dtype=object)


def _isna(values: np.ndarray) -> np.ndarray:
    return pd.isna(values).astype(bool)


def _isin(values: np.ndarray, allowed) -> np.ndarray:
    return pd.Series(values, dtype=object).isin(list(allowed)).to_numpy()


def _language(pattern: str, n: int) -> list[str]:
    """The first ``n`` strings of a pattern's language (fewer if it has fewer), in exrex's order."""
    return list(itertools.islice(exrex.generate(pattern, limit=_REPEAT_LIMIT), n))


def excerpt_pool(text: str, rng: np.random.Generator, size: int = 400) -> dict[str, int]:
    """Substrings of ``text`` that a curator could quote (within one passage, whole words, no hygiene
    trouble), each with the index of the passage of :func:`eastasia_data.curation.passages.split` it lies in.

    >>> text = "A heading\\n\\nThe envoys met in Pyongyang on Monday and agreed to expand the rail link soon."
    >>> pool = excerpt_pool(text, np.random.default_rng(0), size=3)
    >>> all(piece in text and index == 1 for piece, index in pool.items())
    True
    """
    passages = split(text)
    lines = [(i, text[p.start:p.end]) for i, p in enumerate(passages)]
    lines = [(i, ln) for i, ln in lines if len(ln) >= 60 and "\n" not in ln and not _UNSAFE.search(ln)]
    pool: dict[str, int] = {}
    for _ in range(size * 4):
        index, line = lines[rng.integers(len(lines))]
        spaces = [m.start() for m in re.finditer(" ", line)]
        if len(spaces) < 6:
            continue
        a = spaces[rng.integers(0, len(spaces) - 5)] + 1
        b = spaces[min(len(spaces) - 1, spaces.index(a - 1) + int(rng.integers(5, 25)))]
        piece = line[a:b].strip()
        if len(piece) >= 20 and piece[0] not in "=+-@" and unicodedata.is_normalized("NFC", piece):
            pool.setdefault(piece, index)
        if len(pool) >= size:
            break
    return dict(sorted(pool.items()))


def _archives(sources_dir: Path) -> list[tuple[str, str, str]]:
    """(file name, sha256, text) of every archived text."""
    out = []
    for path in sorted(Path(sources_dir).glob("*.txt")):
        data = path.read_bytes()
        out.append((path.name, hashlib.sha256(data).hexdigest(), data.decode("utf-8")))
    if not out:
        raise FileNotFoundError(f"no archived texts (*.txt) in {sources_dir}")
    return out


@dataclass
class Synth:
    """A generated dataset: where it is, rows per table, and the cells broken on purpose."""

    data_dir: Path | None
    rows: dict[str, int]
    frames: dict[str, pd.DataFrame]
    #: (csv file name, physical line, column, kind) of every broken cell.
    broken: list[tuple[str, int, str, str]] = field(default_factory=list)
    #: The (column, kind) pairs each table could be broken in (:func:`breakages`).
    kinds: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# ---------------------------------------------------------------------------------------------
# The builder


class _Builder:
    def __init__(self, total: int, broken: float, seed: int, sources_dir: Path, sizes: dict[str, int] | None):
        self.model: dict[str, Table] = read_model()
        self.archive: ArchiveIndex | None = checkout_package().archive
        a = self.archive
        if a is not None and a.table not in self.model:
            a = self.archive = None
        self.ledger = a.ledger if a is not None and a.ledger in self.model else None
        self.rng = np.random.default_rng(seed)
        self.broken_share = broken
        self.archives = _archives(sources_dir) if a is not None else []
        self.splits = [split(text) for _, _, text in self.archives]
        n_passages = sum(len(p) for p in self.splits) if self.ledger else 0
        if sizes:
            self.rows = {n: sizes.get(n, MIN_ROWS) for n in self.model if n != self.ledger}
            if self.ledger:
                self.rows[self.ledger] = n_passages
        else:
            self.rows = plan(total, n_passages, self.model, self.ledger)
        self.pools = [excerpt_pool(text, self.rng) for _, _, text in self.archives]
        self.pool_keys = [np.array(sorted(p), dtype=object) for p in self.pools]
        self.cols: dict[str, dict[str, np.ndarray]] = {}
        self.broken: list[tuple[str, int, str, str]] = []
        self.kinds = {name: breakages(t, self.archive) for name, t in self.model.items()}
        self._languages: dict[str, list[str]] = {}
        self._values: dict[tuple[str, str], set] = {}  # values of a column, for breaking without duplicates
        self.renamed: dict[str, set[int]] = {}   # rows whose key was made to break its pattern
        self.passage_key: dict[tuple[int, int], str] = {}  # (archive, passage index) -> ledger key

    # -- values of one column ------------------------------------------------------------------
    def language(self, pattern: str, n: int) -> list[str]:
        known = self._languages.get(pattern, [])
        if len(known) < n:
            known = self._languages[pattern] = _language(pattern, max(n, 1000))
        return known[:n]

    def unique_values(self, table: Table, f: Field, n: int) -> np.ndarray:
        if f.pattern:
            values = self.language(f.pattern, n)
            if len(values) < n:
                raise GeneratorError(f"{table.name}.{f.name}: its pattern {f.pattern} allows only {len(values)} "
                                     f"distinct values, and {n:,} rows need one each")
            return np.array(values, dtype=object)
        return np.array([f"{table.name}-{f.name}-{i:x}" for i in range(n)], dtype=object)

    def archived_rows(self) -> np.ndarray:
        """Rows of the archive table that name an archive file."""
        c = self.cols[self.archive.table]
        return np.flatnonzero(~_isna(c[self.archive.file]))

    def excerpt_source(self, table: Table, column: str) -> Field | None:
        """The excerpt field whose source is ``column``, if any."""
        return next((f for f in table.fields if f.excerpt_of == column), None)

    def parent_rows(self, table: Table, fk: ForeignKey, rows: np.ndarray, c: dict) -> np.ndarray:
        """Rows of the parent table for ``rows`` of the child (parents of a self-reference: the first quarter)."""
        k, rng = len(rows), self.rng
        if fk.resource == table.name:
            roots = max(1, self.rows[table.name] // 4)
            chosen = rng.integers(0, roots, size=k)
            clash = chosen == rows
            chosen[clash] = (chosen[clash] + 1) % max(roots, 2) if roots > 1 else chosen[clash]
            return chosen
        n_parent = self.rows[fk.resource]
        pool = np.arange(n_parent)
        bad = self.renamed.get(fk.resource)
        if bad and any(table.field(col).pattern for col in fk.fields):
            pool = np.setdiff1d(pool, np.fromiter(bad, dtype=np.int64))
        chosen = pool[rng.integers(0, len(pool), size=k)]
        excerpt = next((self.excerpt_source(table, col) for col in fk.fields if self.excerpt_source(table, col)), None)
        if excerpt is not None and self.archive is not None and fk.resource == self.archive.table:
            archived = self.archived_rows()
            on_archive = np.ones(k, bool) if excerpt.required else rng.random(k) < ARCHIVED_SHARE
            chosen[on_archive] = archived[rng.integers(0, len(archived), size=int(on_archive.sum()))]
        return chosen

    def set_parents(self, table: Table, fk: ForeignKey, rows: np.ndarray, c: dict, chosen: np.ndarray) -> None:
        parent = c if fk.resource == table.name else self.cols[fk.resource]
        for col, ref in zip(fk.fields, fk.reference_fields):
            c[col][rows] = parent[ref][chosen]

    def fill(self, table: Table, c: dict, name: str, rows: np.ndarray) -> None:
        """Give ``rows`` of column ``name`` values as the column declares them."""
        rows = np.asarray(rows, dtype=np.int64)
        k, rng = len(rows), self.rng
        if not k:
            return
        f = table.field(name)
        fk = _fk_of(table, name)
        if fk is not None:
            if self.ledger and fk.resource == self.ledger and table.name != self.ledger:
                return  # the passage an excerpt lies in: derived with the excerpt
            self.set_parents(table, fk, rows, c, self.parent_rows(table, fk, rows, c))
        elif self.excerpt_source(table, name) is not None and self.archive is not None:
            archived = self.archived_rows()
            ids = self.cols[self.archive.table][self.archive.key]
            c[name][rows] = ids[archived[rng.integers(0, len(archived), size=k)]]
        elif f.excerpt_of or f.authority_excerpt_of:
            return  # derived from the source
        elif f.categories:
            c[name][rows] = _pick(rng, f.enum, k)
        elif f.unique or table.primary_key == (name,):
            c[name][rows] = self.unique_values(table, f, self.rows[table.name])[rows]
        elif f.is_partial_date or f.type == "date":
            self.fill_dates(table, c, f, rows)
        elif f.pattern:
            c[name][rows] = _pick(rng, self.language(f.pattern, 1000), k)
        elif f.format == "uri":
            c[name][rows] = np.array([f"https://example.org/{table.name}/{i}" for i in rows], dtype=object)
        elif f.type in ("integer", "number"):
            lo = f.minimum if f.minimum is not None else 0
            hi = f.maximum if f.maximum is not None else lo + 10_000
            if f.type == "integer":
                values = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + 1, size=k)
                c[name][rows] = np.array([str(v) for v in values], dtype=object)
            else:
                c[name][rows] = np.array([f"{v:.3f}" for v in rng.uniform(lo, hi, size=k)], dtype=object)
        elif f.type == "boolean":
            c[name][rows] = _pick(rng, ["true", "false"], k)
        else:
            c[name][rows] = self.text(f, rows)

    def text(self, f: Field, rows: np.ndarray) -> np.ndarray:
        words = _pick(self.rng, WORDS, len(rows))
        out = []
        for i, w in zip(rows, words):
            s = f"The {w} question, item {i}."
            if f.min_length and len(s) < f.min_length:
                s = (s + " More on the " + w) * (f.min_length // len(s) + 1)
            if f.max_length:
                s = s[: f.max_length].rstrip()
            out.append(s)
        return np.array(out, dtype=object)

    def fill_dates(self, table: Table, c: dict, f: Field, rows: np.ndarray) -> None:
        """Dates for ``rows``: at the row's precision (chosen when the precision column is empty), never
        before the column they may not precede, never after a column that may not precede them."""
        k, rng = len(rows), self.rng
        if f.precision_field:
            pf = table.field(f.precision_field)
            names = [v for v in (pf.enum or PRECISIONS) if v in PRECISIONS]
            if not names:
                raise GeneratorError(f"{table.name}.{pf.name}: none of its values is a precision ({', '.join(PRECISIONS)})")
            empty = rows[_isna(c[pf.name][rows])]
            c[pf.name][empty] = _pick(rng, names, len(empty))
            precision = c[pf.name][rows]
        else:
            precision = np.full(k, "day", dtype=object)
        day = np.datetime64("1950-01-01") + rng.integers(0, 27_000, size=k).astype("timedelta64[D]")
        span = rng.integers(1, 400, size=k)
        if f.not_before:
            start = c[f.not_before][rows]
            has = ~_isna(start)
            first = np.array([np.datetime64(_first_day(s)) if isinstance(s, str) else np.datetime64("NaT") for s in start])
            shared = table.field(f.not_before).precision_field == f.precision_field
            gap = span if shared else span + 366
            day = np.where(has, first + gap.astype("timedelta64[D]"), day)
        for other in table.fields:
            if other.not_before == f.name:
                end = c[other.name][rows]
                has = ~_isna(end)
                last = np.array([np.datetime64(_first_day(s)) if isinstance(s, str) else np.datetime64("NaT") for s in end])
                shared = other.precision_field == f.precision_field
                gap = span if shared else span + 366
                day = np.where(has, last - gap.astype("timedelta64[D]"), day)
        text = np.datetime_as_string(day, unit="D")
        c[f.name][rows] = np.array([t[: PRECISIONS[p].length] for t, p in zip(text, precision)], dtype=object)

    # -- a table ---------------------------------------------------------------------------------
    def build(self, name: str) -> None:
        t, n, rng = self.model[name], self.rows[name], self.rng
        c = {f.name: np.full(n, None, dtype=object) for f in t.fields}
        self.cols[name] = c
        done: set[str] = set()
        a = self.archive
        if a is not None and name == a.table:
            if n < len(self.archives):
                raise GeneratorError(f"{name} needs at least {len(self.archives)} rows, one per archived text")
            k = len(self.archives)
            c[a.file][:k] = [x[0] for x in self.archives]
            c[a.sha256][:k] = [x[1] for x in self.archives]
            done |= {a.file, a.sha256}
        if name == self.ledger:
            self.ledger_rows(t, c)
            done |= _structural(t, a)
        self.keys(t, c, done)
        for f in t.fields:
            if f.name in done or f.name in c and not _isna(c[f.name]).all():
                continue
            fk = _fk_of(t, f.name)
            if fk is not None and fk.fields[0] != f.name:
                continue  # filled with the first column of its key
            rows = np.arange(n) if f.required else np.flatnonzero(rng.random(n) < OPTIONAL_FILL)
            if fk is not None and fk.resource == name:
                rows = rows[rows >= max(1, n // 4)]  # the first quarter are the parents
            self.fill(t, c, f.name, rows)
        self.reference_cells(t, c)
        if name != self.ledger:
            self.settle(t, c, done)
            self.break_rows(t, c)

    def reference_cells(self, t: Table, c: dict) -> None:
        """A real row key, column and value of the table each row names (``rowKeyOf``, ``columnOf``, ``valueOf``)."""
        if not named_tables(t):
            return
        key_f = next((f for f in t.fields if f.row_key_of), None)
        col_f = next((f for f in t.fields if f.column_of), None)
        val_f = next((f for f in t.fields if f.value_of), None)
        which = (key_f.row_key_of if key_f else col_f.column_of)  # type: ignore[union-attr]
        rng, n = self.rng, self.rows[t.name]
        for i in range(n):
            name = c[which][i]
            target, tc = self.model[name], self.cols[name]
            r = int(rng.integers(0, self.rows[name]))
            if key_f is not None:
                c[key_f.name][i] = " | ".join(str(tc[k][r]) for k in target.primary_key)
            if col_f is not None:
                options = [x for x in (col_f.enum or target.field_names) if x in target.field_names
                           and (val_f is None or target.field(x).categories)]
                if not options:
                    raise GeneratorError(f"{t.name}.{col_f.name}: none of its values is a column of {name}")
                c[col_f.name][i] = options[int(rng.integers(0, len(options)))]
            if val_f is not None and col_f is not None:
                allowed = target.field(c[col_f.name][i]).enum
                c[val_f.name][i] = allowed[int(rng.integers(0, len(allowed)))]
        # the rows now name few distinct cells: a patterned key column of their own keeps the key unique
        own = next((t.field(k) for k in t.primary_key if t.field(k).pattern and not t.field(k).categories
                    and k not in (which, getattr(key_f, "name", None), getattr(col_f, "name", None))), None)
        if own is None:
            raise GeneratorError(f"{t.name}: its key needs a column with a pattern besides the cells it names")
        c[own.name][:] = self.unique_values(t, own, n)

    def keys(self, t: Table, c: dict, done: set[str]) -> None:
        """The primary key (unique values or unique combinations) and the other unique columns."""
        n, rng = self.rows[t.name], self.rng
        pk = [col for col in t.primary_key if col not in done]
        if len(t.primary_key) == 1 and pk:
            f = t.field(pk[0])
            fk = _fk_of(t, f.name)
            if fk is not None:  # one row per parent row
                if n > self.rows[fk.resource]:
                    raise GeneratorError(f"{t.name}: {n:,} rows need as many {fk.resource} rows for its key")
                self.set_parents(t, fk, np.arange(n), c, rng.permutation(self.rows[fk.resource])[:n])
            elif f.categories:
                if n > len(f.enum):
                    raise GeneratorError(f"{t.name}.{f.name}: {len(f.enum)} categories cannot key {n:,} rows")
                c[f.name][:] = list(f.enum)[:n]
            else:
                c[f.name][:] = self.unique_values(t, f, n)
            done.add(f.name)
        elif len(pk) > 1:
            self.composite_key(t, c)
            done |= set(t.primary_key)
        for f in t.fields:
            if f.unique and f.name not in done and f.required:
                c[f.name][:] = self.unique_values(t, f, n)
                done.add(f.name)

    def composite_key(self, t: Table, c: dict) -> None:
        """Unique combinations: each key column's part is a parent row, a category or a unique value."""
        n, rng = self.rows[t.name], self.rng
        parts: list[tuple[str, object]] = []
        seen: set[str] = set()
        for col in t.primary_key:
            if col in seen:
                continue
            fk = _fk_of(t, col)
            if fk is not None:
                parts.append(("fk", fk)); seen |= set(fk.fields)
            elif t.field(col).categories:
                parts.append(("cat", col)); seen.add(col)
            else:
                c[col][:] = self.unique_values(t, t.field(col), n)  # unique by itself: the combination is too
                seen.add(col)
                parts = []
                break
        if not parts:
            for col in t.primary_key:
                if _isna(c[col]).all():
                    self.fill(t, c, col, np.arange(n))
            return
        choice = np.zeros((n, len(parts)), dtype=np.int64)
        todo = np.arange(n)
        for _ in range(100):
            for j, (kind, what) in enumerate(parts):
                if kind == "fk":
                    choice[todo, j] = self.parent_rows(t, what, todo, c)
                else:
                    choice[todo, j] = rng.integers(0, len(t.field(what).enum), size=len(todo))
            _, first = np.unique(choice, axis=0, return_index=True)
            dup = np.ones(n, bool)
            dup[first] = False
            todo = np.flatnonzero(dup)
            if not len(todo):
                break
        else:
            raise GeneratorError(f"{t.name}: cannot find {n:,} distinct keys {t.primary_key}; "
                                 "give its parent tables more rows")
        for j, (kind, what) in enumerate(parts):
            if kind == "fk":
                self.set_parents(t, what, np.arange(n), c, choice[:, j])
            else:
                c[what][:] = np.asarray(t.field(what).enum, dtype=object)[choice[:, j]]

    def ledger_rows(self, t: Table, c: dict) -> None:
        """Every passage of every archived text, keyed in text order."""
        a = self.archive
        key = t.primary_key[0]
        keys = sorted(self.unique_values(t, t.field(key), self.rows[t.name]))
        ids = self.cols[a.table][a.key][self.archived_rows()]
        j = 0
        for k, passages in enumerate(self.splits):
            for p_index, p in enumerate(passages):
                c[key][j], c[LEDGER_SOURCE][j] = keys[j], ids[k]
                c[LEDGER_START][j], c[LEDGER_END][j], c[LEDGER_KIND][j] = str(p.start), str(p.end), p.kind
                c[LEDGER_STATUS][j] = NOT_CODED
                self.passage_key[(k, p_index)] = keys[j]
                j += 1

    def derive_excerpts(self, t: Table, c: dict) -> None:
        """Each excerpt from its source's archived text (empty for other sources), with the passage it lies in."""
        if self.archive is None:
            return
        a = self.archive
        ids = self.cols[a.table][a.key][self.archived_rows()]
        which = {sid: k for k, sid in enumerate(ids)}
        passage_col = next((fk.fields[0] for fk in t.foreign_keys if fk.resource == self.ledger), None)
        for n_field, f in enumerate(x for x in t.fields if x.excerpt_of):
            arch = np.array([which.get(s, -1) if isinstance(s, str) else -1 for s in c[f.excerpt_of]])
            out = np.full(len(arch), None, dtype=object)
            for k, keys in enumerate(self.pool_keys):
                mask = arch == k
                out[mask] = _pick(self.rng, keys, int(mask.sum()))
            c[f.name] = out
            if n_field == 0 and passage_col is not None:
                c[passage_col] = np.array([None if e is None else self.passage_key[(k, self.pools[k][e])]
                                           for e, k in zip(out, arch)], dtype=object)
        for f in (x for x in t.fields if x.authority_excerpt_of):  # an authority's words: only for unarchived sources
            sources = c[f.authority_excerpt_of]
            c[f.name] = np.array([f"Words of the authority in row {i}." if isinstance(s, str) and s not in which
                                  else None for i, s in enumerate(sources)], dtype=object)

    def settle(self, t: Table, c: dict, done: set[str]) -> None:
        """Derive the excerpts and satisfy the rules; then check what was generated."""
        fixed = set(done) | self.derived(t)
        self.satisfy(t, c, fixed)
        self.derive_excerpts(t, c)
        self.satisfy(t, c, fixed)
        self.verify(t, c)

    def satisfy(self, t: Table, c: dict, fixed: set[str]) -> None:
        n = self.rows[t.name]
        for _ in range(20):
            changed = False
            for rule in t.rules:
                if rule.name in RULE_HOOKS:
                    RULE_HOOKS[rule.name](self, t, c)
                    continue
                for col in rule.require:
                    bad = np.flatnonzero(_when(rule, c, n) & _isna(c[col]))
                    if len(bad):
                        changed = True
                        if col in fixed:
                            self.falsify(t, c, rule, bad, fixed)
                        else:
                            self.fill(t, c, col, bad)
                for col in rule.forbid:
                    bad = np.flatnonzero(_when(rule, c, n) & ~_isna(c[col]))
                    if len(bad):
                        changed = True
                        if col in fixed or t.field(col).required:
                            self.falsify(t, c, rule, bad, fixed)
                        else:
                            c[col][bad] = None
                for col, allowed in rule.allow:
                    bad = np.flatnonzero(_when(rule, c, n) & ~_isna(c[col]) & ~_isin(c[col], allowed))
                    if len(bad):
                        changed = True
                        if col in fixed:
                            self.falsify(t, c, rule, bad, fixed)
                        else:
                            c[col][bad] = _pick(self.rng, allowed, len(bad))
            if not changed:
                return

    def falsify(self, t: Table, c: dict, rule: Rule, rows: np.ndarray, fixed: set[str]) -> None:
        """Make the rule's ``when`` false on ``rows`` by changing a column it names."""
        for col, values in rule.when:
            f = t.field(col)
            if col in fixed:
                continue
            if values is None and not f.required:
                c[col][rows] = None
                return
            domain = f.enum or (("true", "false") if f.type == "boolean" else ())
            others = [v for v in domain if values is not None and v not in values]
            if others:
                c[col][rows] = _pick(self.rng, others, len(rows))
                return
        raise GeneratorError(f"{t.name}: rule {rule.name!r} cannot be satisfied from its declaration "
                             f"(it needs {', '.join(rule.require + rule.forbid) or 'other values'} where the "
                             "generator cannot set them); add a hook for it to RULE_HOOKS in bench/synth.py")

    def verify(self, t: Table, c: dict) -> None:
        n = self.rows[t.name]
        for f in t.fields:
            if f.pattern:
                rx = re.compile(f.pattern)
                bad = [v for v in c[f.name] if v is not None and not rx.fullmatch(v)]
                if bad:
                    raise AssertionError(f"generator bug: {t.name}.{f.name} {bad[0]!r} does not match {f.pattern}")
            if f.required and _isna(c[f.name]).any():
                raise GeneratorError(f"{t.name}.{f.name} is required, but the generator left rows empty")
        for rule in t.rules:
            applies = _when(rule, c, n)
            broken = any((applies & _isna(c[col])).any() for col in rule.require)
            broken |= any((applies & ~_isna(c[col])).any() for col in rule.forbid)
            broken |= any((applies & ~_isna(c[col]) & ~_isin(c[col], ok)).any() for col, ok in rule.allow)
            if broken:
                raise GeneratorError(f"{t.name}: rule {rule.name!r} is not satisfied by the generated rows; "
                                     "add a hook for it to RULE_HOOKS in bench/synth.py")

    def finish_ledger(self) -> None:
        """Mark every cited passage coded, then satisfy the ledger's rules and break its rows."""
        if not self.ledger:
            return
        t, c = self.model[self.ledger], self.cols[self.ledger]
        cited: set[str] = set()
        for name, cols in self.cols.items():
            table = self.model[name]
            if name == self.ledger or not any(f.excerpt_of for f in table.fields):
                continue
            for fk in table.foreign_keys:
                if fk.resource == self.ledger:
                    cited |= {v for v in cols[fk.fields[0]] if isinstance(v, str)}
        c[LEDGER_STATUS][:] = np.where(_isin(c[t.primary_key[0]], cited), CODED, NOT_CODED).astype(object)
        self.settle(t, c, _structural(t, self.archive))
        self.break_rows(t, c)

    def finish_register(self) -> None:
        """Make the corrections register name real rows: keys and columns of the generated tables.

        Generated as any table, its ``row_key`` and ``columns`` are then set, for each row whose
        ``table_name`` is a table, to the key of a row of that table (one whose key is whole) and
        to one of its columns; ``release`` is emptied (corrected, not released yet). Cells and
        rows broken on purpose keep their breakage.
        """
        if REGISTER not in self.model:
            return
        c = self.cols[REGISTER]
        broken = {line - 2 for f, line, _, _ in self.broken if f == self.model[REGISTER].csv_name}
        broken_cells = {(line - 2, col) for f, line, col, _ in self.broken if f == self.model[REGISTER].csv_name}
        whole: dict[str, np.ndarray] = {}
        for i, table in enumerate(c["table_name"]):
            if table not in self.model:
                continue
            t, cols = self.model[table], self.cols[table]
            if table not in whole:
                whole[table] = np.flatnonzero(np.logical_and.reduce([~_isna(cols[k]) for k in t.primary_key]))
            if (i, "row_key") not in broken_cells and isinstance(c["row_key"][i], str) and len(whole[table]):
                j = whole[table][i % len(whole[table])]
                c["row_key"][i] = row_key(cols[k][j] for k in t.primary_key)
            if (i, "columns") not in broken_cells and isinstance(c["columns"][i], str):
                others = [f.name for f in t.fields if f.name not in t.primary_key] or list(t.field_names)
                c["columns"][i] = others[i % len(others)]
            if i not in broken:
                c["release"][i] = None

    # -- breaking rows -------------------------------------------------------------------------
    def break_rows(self, t: Table, c: dict) -> None:
        kinds = self.kinds[t.name]
        if not self.broken_share or not kinds:
            return
        n, rng = self.rows[t.name], self.rng
        total = min(n, max(1, round(self.broken_share * n)))
        quota = {j: total // len(kinds) + (j < total % len(kinds)) for j in range(len(kinds))}
        candidates = {j: np.flatnonzero(self.can_break(t, c, col, kind)) for j, (col, kind) in enumerate(kinds)}
        used = np.zeros(n, bool)
        plan_: list[tuple[int, str, str]] = []
        for j in sorted(range(len(kinds)), key=lambda j: (len(candidates[j]), j)):  # the scarcest first
            free = candidates[j][~used[candidates[j]]]
            take = np.sort(rng.choice(free, size=min(quota[j], len(free)), replace=False)) if len(free) else []
            used[take] = True
            plan_ += [(int(i), *kinds[j]) for i in take]
        for i, col, kind in sorted(plan_):
            self.break_cell(t, c, i, col, kind)
            self.broken.append((t.csv_name, i + 2, col, kind))

    def can_break(self, t: Table, c: dict, col: str, kind: str) -> np.ndarray:
        """Rows of ``t`` where ``col`` can be broken as ``kind``."""
        n = self.rows[t.name]
        protected = np.zeros(n, bool)
        if self.archive is not None and t.name == self.archive.table and col == self.archive.key:
            protected[self.archived_rows()] = True  # the other tables cite the archived texts by these ids
        rule = next((r for r in t.rules if r.name == kind), None)
        if rule is not None:
            return self.rule_rows(t, c, rule, n)
        if kind in ("excerpt", "excerpt-missing") or (kind == "required" and t.field(col).excerpt_of):
            return ~_isna(c[col])
        if kind in ("pattern", "enum", "excerpt"):
            return ~_isna(c[col]) & ~protected
        if kind == "coded-column":  # a listed column that the row's table does not have
            which = t.field(col).column_of
            return np.array([bool(self.not_a_column(t, col, name)) for name in c[which]], dtype=bool)
        return ~protected

    def not_a_column(self, t: Table, col: str, name: str) -> str | None:
        """One of ``col``'s allowed values that is not a column of table ``name`` (None if every one is)."""
        return next((v for v in t.field(col).enum or ("no_such_column",)
                     if v not in self.model[name].field_names), None)

    def derived(self, t: Table) -> set[str]:
        """Columns computed from the archive or from other columns: the generic fill leaves them alone."""
        out = _structural(t, self.archive) | {f.name for f in t.fields if f.excerpt_of or f.authority_excerpt_of}
        return out | {fk.fields[0] for fk in t.foreign_keys if fk.resource == self.ledger and t.name != self.ledger}

    def rule_rows(self, t: Table, c: dict, rule: Rule, n: int) -> np.ndarray:
        col = _rule_column(rule)
        derived = self.derived(t)
        when = _when(rule, c, n)
        settable = all(wc not in derived for wc, _ in rule.when)
        none = np.zeros(n, bool)
        if rule.require:
            a = when & ~_isna(c[col]) if col not in _structural(t, self.archive) else none
            b = ~when & _isna(c[col]) if settable else none
        elif rule.forbid:
            a = when & _isna(c[col]) if col not in derived else none
            b = ~when & ~_isna(c[col]) if settable else none
        else:
            a = when.copy()
            b = ~when if settable else none
        if self.archive is not None and t.name == self.archive.table:
            archived = np.zeros(n, bool)
            archived[self.archived_rows()] = True
            b &= ~archived  # never give an archive file's row other meaning
        return a | b

    def break_cell(self, t: Table, c: dict, i: int, col: str, kind: str) -> None:
        rng = self.rng
        rule = next((r for r in t.rules if r.name == kind), None)
        if rule is not None:
            self.break_rule(t, c, i, rule)
            return
        f = t.field(col.split("+")[0])
        if kind == "pattern":
            old = c[col][i]
            existing = self._values.setdefault((t.name, col), set(c[col]))
            # a column with few distinct values (a three-letter code) runs out of the first four at scale
            numbered = (v for k in itertools.count(2) for v in (f"_{old}_{k}", f"{old} x{k}"))
            new = next(v for v in itertools.chain((old.upper(), old + "_x", "_" + old, old + " x"), numbered)
                       if not re.fullmatch(f.pattern, v) and v not in existing)
            c[col][i] = new
            existing.add(new)
            self.renamed.setdefault(t.name, set()).add(i)
            for fk in t.foreign_keys:  # the table's own rows citing it follow the rename
                if fk.resource == t.name and fk.reference_fields == (col,):
                    refs = c[fk.fields[0]]
                    refs[_isin(refs, [old])] = new
        elif kind == "enum":
            old = str(c[col][i])
            c[col][i] = next(v for v in (old[:-1], old + old[-1], old + "x") if v and v not in f.enum)
        elif kind in ("required", "excerpt-missing"):
            c[col][i] = None
        elif kind == "date":
            self.day_precision(t, c, i, f)
            c[col][i] = f"{1950 + int(rng.integers(0, 70))}-02-30"
        elif kind == "precision":
            pf = t.field(f.precision_field)
            coarse = [v for v in pf.enum or PRECISIONS if v in PRECISIONS and PRECISIONS[v].length < 10]
            text = _first_day(c[col][i]) if isinstance(c[col][i], str) else "2019-04-25"
            c[f.precision_field][i] = coarse[0]
            for other in t.fields:
                if other.precision_field == f.precision_field and isinstance(c[other.name][i], str):
                    c[other.name][i] = c[other.name][i][: PRECISIONS[coarse[0]].length]
            c[col][i] = text[:8] + "25"
        elif kind == "date-order":
            self.day_precision(t, c, i, f)
            self.day_precision(t, c, i, t.field(f.not_before))
            c[f.not_before][i] = "2020-05-10"
            c[col][i] = "2020-05-01"
        elif kind == "foreign-key":
            fk = _fk_of(t, f.name)
            parent = c if fk.resource == t.name else self.cols[fk.resource]
            for child, ref in zip(fk.fields, fk.reference_fields):
                c[child][i] = f"{parent[ref][0]}-nowhere-{i:x}"
        elif kind == "row-key":
            c[col][i] = f"no-such-row-{i:x}"
        elif kind == "coded-column":
            c[col][i] = self.not_a_column(t, col, c[f.column_of][i])
        elif kind == "coded-value":
            c[col][i] = f"no_such_value_{i:x}"
        elif kind == "format":
            c[col][i] = "example.org/no-scheme"
        elif kind == "type":
            c[col][i] = {"integer": "twelve", "number": "n/a", "boolean": "yes"}[f.type]
        elif kind == "formula":
            c[col][i] = f"=HYPERLINK(\"{i}\")"
        elif kind == "excerpt":
            a = self.archive
            sid = c[f.excerpt_of][i]
            text = self.archives[list(self.cols[a.table][a.key][self.archived_rows()]).index(sid)][2]
            new = next(v for v in ("It is said that " + c[col][i], c[col][i] + " (as the curator remembers it)")
                       if v not in text)
            c[col][i] = new
        else:
            raise AssertionError(f"generator bug: no way to break {kind!r}")

    def day_precision(self, t: Table, c: dict, i: int, f: Field) -> None:
        """Row ``i`` at day precision for ``f``: its precision column says day, dates sharing it widened."""
        if not f.precision_field:
            return
        c[f.precision_field][i] = "day"
        for other in t.fields:
            if other.precision_field == f.precision_field and isinstance(c[other.name][i], str):
                c[other.name][i] = _first_day(c[other.name][i])

    def break_rule(self, t: Table, c: dict, i: int, rule: Rule) -> None:
        col = _rule_column(rule)
        n = self.rows[t.name]
        holds = bool(_when(rule, c, n)[i])
        if not holds:  # make the when hold
            for wc, values in rule.when:
                if values is None:
                    if c[wc][i] is None:
                        self.fill(t, c, wc, np.array([i]))
                elif c[wc][i] not in values:
                    c[wc][i] = values[0]
        if rule.require:
            c[col][i] = None
        elif rule.forbid:
            if c[col][i] is None:
                self.fill(t, c, col, np.array([i]))
        else:
            f = t.field(col)
            allowed = dict(rule.allow)[col]
            outside = [v for v in f.enum if v not in allowed] or [allowed[0] + "x"]
            c[col][i] = outside[0]

    # -- everything ----------------------------------------------------------------------------
    def frames(self) -> dict[str, pd.DataFrame]:
        for name in parents_first(self.model, self.archive):
            self.build(name)
        self.finish_ledger()
        self.finish_register()
        return {name: pd.DataFrame({f: pd.array(self.cols[name][f], dtype="str") for f in table.field_names})
                for name, table in self.model.items()}


def _when(rule: Rule, c: dict, n: int) -> np.ndarray:
    applies = np.ones(n, bool)
    for col, values in rule.when:
        applies &= ~_isna(c[col]) if values is None else _isin(c[col], values)
    return applies


def _first_day(text: str) -> str:
    """A partial date widened to its first day (``2024`` → ``2024-01-01``)."""
    return text + "-01-01"[: 10 - len(text)] if len(text) in (4, 7) else text


def generate(out_dir: Path | None, total: int = 1000, *, broken: float = 0.0, seed: int = 0,
             sources_dir: Path, sizes: dict[str, int] | None = None) -> Synth:
    """Generate every table of the schemas; write ``<out_dir>/<table>.csv`` unless ``out_dir`` is None.

    Parameters
    ----------
    out_dir : path or None
        Where to write the CSVs (created if needed); None keeps the frames in memory only.
    total : int
        Data rows across all tables, shared out by :func:`plan` (ignored when ``sizes`` is given).
    broken : float
        Share of each table's rows to break (at least one row per table when above 0).
    seed : int
        The same seed gives the same files.
    sources_dir : path
        The source archive: excerpts are cut from its texts and its files are the archived sources.
    sizes : dict, optional
        Rows per table instead of ``total``; a table not named gets :data:`MIN_ROWS`, the
        ledger always one row per passage.

    Returns
    -------
    Synth
        The frames (every cell text), the rows per table and the broken cells.

    Examples
    --------
    >>> from eastasia_data.paths import default_sources_dir
    >>> data = generate(None, 1_000, broken=0.01, sources_dir=default_sources_dir())
    >>> data.total, sorted(data.frames) == sorted(read_model())
    (1000, True)
    >>> data.broken[0][3] in {kind for kinds in data.kinds.values() for _, kind in kinds}
    True
    """
    builder = _Builder(total, broken, seed, Path(sources_dir), sizes)
    frames = builder.frames()
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            frame.to_csv(out_dir / builder.model[name].csv_name, index=False, lineterminator="\n")
    return Synth(data_dir=out_dir, rows=builder.rows, frames=frames, broken=sorted(set(builder.broken)),
                 kinds=builder.kinds)
