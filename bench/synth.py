"""Synthetic tables generated from the schemas: valid data of any size, and the same with rows broken on purpose.

Everything is derived from the model (:func:`eastasia_data.model.read_model`): the
columns and their order, the allowed values of every category column, the id
patterns (each generated id is checked against its column's pattern), partial
dates consistent with their precision column, the cross-field ``rules`` of the
claims, actors and sources tables, and foreign keys that resolve into the
generated parent tables. Excerpts are real substrings of the archived texts, and
``sources.csv`` points its archived rows at the real archive files with their real
sha256, so the evidence layer runs in full.

Size
----
``total`` is the number of data rows across all ten tables (headers not
counted). The ``passages`` ledger has one row per passage of the archived texts
(a fixed number); the rest is split by :data:`SHARES`: the link and fact tables
(events, event_actors, event_sources, claims) hold 87% of the rows, as they would
in a grown dataset; the others at least :data:`MIN_ROWS` each. Every excerpt is cut
from within one passage and names it; a passage is ``coded`` when a row names it.

Breakage
--------
With ``broken=0.01``, 1% of the rows of each table (at least one row per table)
are broken in one way each, the ways cycling through :data:`BREAKAGES` of that
table: bad calendar dates, category typos, dangling foreign keys, pattern
violations, empty required cells, precision mismatches, dates out of order, rule
violations, excerpts not in their source, and formula cells. Breaking a row never
breaks another: an id that is made to violate its pattern is renamed in the
child tables too. :attr:`Synth.broken` lists each broken row's file, physical line,
column and kind.

Used by ``bench/run.py`` and by ``tests/test_synth.py`` (which put ``bench/`` on
``sys.path``): ``generate(out_dir, 100_000, broken=0.01, sources_dir=...)``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from eastasia_data.curation.schemas import read_model
from eastasia_data.model import Table
from eastasia_data.passages import split

#: Share of the ``total`` rows held by each table.
SHARES = {
    "events": 0.22,
    "event_actors": 0.30,
    "event_sources": 0.15,
    "claims": 0.20,
    "claim_sources": 0.05,
    "actors": 0.02,
    "sources": 0.02,
    "strategies": 0.02,
    "strategy_targets": 0.02,
}
MIN_ROWS = 10

#: The ways each table's rows are broken, in the order they are used.
BREAKAGES = {
    "sources": ["enum", "date", "precision", "format", "required", "formula"],
    "actors": ["pattern", "enum", "foreign-key", "required", "excerpt", "state-has-no-parent"],
    "events": ["date", "enum", "required", "precision", "formula", "pattern", "date-order"],
    "event_actors": ["foreign-key", "enum", "required", "foreign-key-actor"],
    "event_sources": ["excerpt", "excerpt-missing", "foreign-key"],
    "claims": ["quoted-claim-names-actor", "opinion-not-rated", "required", "enum", "foreign-key", "excerpt",
               "pattern", "formula"],
    "claim_sources": ["foreign-key", "enum", "excerpt"],
    "strategies": ["enum", "foreign-key", "pattern", "required"],
    "strategy_targets": ["foreign-key", "foreign-key-actor", "required"],
}

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
WORDS = ("alpha", "border", "summit", "treaty", "naval", "drill", "envoy", "talks", "aid", "grain", "rail",
         "missile", "troops", "visit", "pact", "sanction", "forum", "port", "energy", "loan")
PLACES = ("Pyongyang", "Moscow", "Beijing", "Seoul", "Tokyo", "Vladivostok", "Washington", "Kursk", None)


def plan(total: int, passages: int = 0) -> dict[str, int]:
    """Rows per table for a dataset of ``total`` data rows, ``passages`` of them the ledger's (the largest table absorbs rounding).

    >>> plan(1_000_000)["events"], sum(plan(1_000_000).values())
    (220000, 1000000)
    >>> sum(plan(1_000, passages=381).values())
    1000
    """
    if total < 500:
        raise ValueError("generate at least 500 rows, so that every table has its minimum")
    rest = total - passages
    rows = {name: max(MIN_ROWS, int(rest * share)) for name, share in SHARES.items()}
    rows["event_actors"] += rest - sum(rows.values())
    if rows["event_actors"] < 1:
        raise ValueError(f"{total} rows leave too few for the tables besides the {passages} passages")
    if passages:
        rows["passages"] = passages
    return rows


@dataclass
class Synth:
    """A generated dataset: where it is, rows per table, and the rows broken on purpose."""

    data_dir: Path | None
    rows: dict[str, int]
    frames: dict[str, pd.DataFrame]
    #: (csv file name, physical line, column, kind) of every broken row.
    broken: list[tuple[str, int, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def excerpt_pool(text: str, rng: np.random.Generator, size: int = 400) -> dict[str, int]:
    """Substrings of ``text`` that a curator could quote (within one passage, whole words, no hygiene
    trouble), each with the index of the passage of :func:`eastasia_data.passages.split` it lies in."""
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


def _pick(rng: np.random.Generator, values, n: int, p=None) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]


def _dates(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start dates, end dates (or None) and precisions, consistent with each other."""
    day0 = np.datetime64("1950-01-01")
    start = day0 + rng.integers(0, 27_000, size=n).astype("timedelta64[D]")
    span = rng.integers(1, 400, size=n).astype("timedelta64[D]")
    has_end = rng.random(n) < 0.3
    precision = _pick(rng, ["day", "month", "year"], n, p=[0.7, 0.2, 0.1])
    length = np.select([precision == "day", precision == "month"], [10, 7], 4)
    s_text = np.datetime_as_string(start, unit="D")
    e_text = np.datetime_as_string(start + span, unit="D")
    starts = np.array([s[:k] for s, k in zip(s_text, length)], dtype=object)
    ends = np.array([e[:k] if h else None for e, k, h in zip(e_text, length, has_end)], dtype=object)
    return starts, ends, precision


def _id(prefix: str, i: int, rng_word: str) -> str:
    return f"{prefix}-{rng_word}-{i:x}"


class _Builder:
    def __init__(self, total: int, broken: float, seed: int, sources_dir: Path, sizes: dict[str, int] | None):
        self.model: dict[str, Table] = read_model()
        self.rng = np.random.default_rng(seed)
        self.broken_share = broken
        self.archives = _archives(sources_dir)
        self.splits = [split(text) for _, _, text in self.archives]
        n_passages = sum(len(p) for p in self.splits)
        self.rows = dict(sizes, passages=n_passages) if sizes else plan(total, n_passages)
        self.passage_of = [excerpt_pool(text, self.rng) for _, _, text in self.archives]
        self.pools = [sorted(pool) for pool in self.passage_of]
        self.cols: dict[str, dict[str, np.ndarray]] = {}
        self.broken: list[tuple[str, int, str, str]] = []

    # -- helpers ---------------------------------------------------------------------------
    def enum(self, table: str, column: str) -> tuple[str, ...]:
        return self.model[table].field(column).enum

    def words(self, n: int) -> np.ndarray:
        return _pick(self.rng, WORDS, n)

    def excerpts_for(self, archive_index: np.ndarray) -> np.ndarray:
        out = np.empty(len(archive_index), dtype=object)
        for k, pool in enumerate(self.pools):
            mask = archive_index == k
            out[mask] = _pick(self.rng, pool, int(mask.sum()))
        return out

    def passage_ids(self, source_ids: np.ndarray, excerpts: np.ndarray) -> np.ndarray:
        """The passage each (archived source, excerpt) lies in; None where there is no excerpt."""
        arch = {sid: k for k, sid in enumerate(self.archived_ids)}
        out = np.empty(len(excerpts), dtype=object)
        for i, (sid, ex) in enumerate(zip(source_ids, excerpts)):
            out[i] = None if ex is None else f"psg-s{arch[sid]}-{self.passage_of[arch[sid]][ex] + 1:03d}"
        return out

    def check_patterns(self, table: str, columns: dict[str, np.ndarray]) -> None:
        for f in self.model[table].fields:
            if f.pattern and f.name in columns:
                rx = re.compile(f.pattern)
                bad = [v for v in columns[f.name] if v is not None and not rx.fullmatch(v)]
                if bad:
                    raise AssertionError(f"generator bug: {table}.{f.name} {bad[0]!r} does not match {f.pattern}")

    def victims(self, table: str, exclude: np.ndarray | None = None) -> list[tuple[int, str]]:
        """Rows of ``table`` to break, each with the kind of breakage."""
        if not self.broken_share:
            return []
        n = self.rows[table]
        candidates = np.arange(n) if exclude is None else np.flatnonzero(~exclude)
        k = min(len(candidates), max(1, round(self.broken_share * n)))
        chosen = np.sort(self.rng.choice(candidates, size=k, replace=False))
        kinds = BREAKAGES[table]
        return [(int(i), kinds[j % len(kinds)]) for j, i in enumerate(chosen)]

    def record(self, table: str, i: int, column: str, kind: str) -> None:
        self.broken.append((self.model[table].csv_name, i + 2, column, kind))

    # -- tables, parents first ---------------------------------------------------------------
    def sources(self) -> None:
        n, rng = self.rows["sources"], self.rng
        n_arch = len(self.archives)
        kinds = [k for k in self.enum("sources", "kind") if k != "archived_article"]
        starts, _, precision = _dates(rng, n)
        ids = np.array([f"src-synth-{w}-{i:x}" for i, w in enumerate(self.words(n))], dtype=object)
        archived = np.arange(n) < n_arch
        ids[:n_arch] = [f"src-archived-{name.split('_')[0]}" for name, _, _ in self.archives]
        c = {
            "source_id": ids,
            "kind": np.where(archived, "archived_article", _pick(rng, kinds, n)).astype(object),
            "title": np.array([f"Report on the {w} question, part {i}" for i, w in enumerate(self.words(n))], dtype=object),
            "publisher": _pick(rng, ["Yonhap", "Reuters", "KCNA", "TASS", "Ministry of Foreign Affairs", None], n),
            "author": _pick(rng, ["Kim Min-jun", "Anna Petrova", "Li Wei", None, None], n),
            "published_date": starts,
            "published_date_precision": precision,
            "url": np.array([f"https://example.org/reports/{i}" for i in range(n)], dtype=object),
            "archive_file": np.array([a[0] for a in self.archives] + [None] * (n - n_arch), dtype=object),
            "sha256": np.array([a[1] for a in self.archives] + [None] * (n - n_arch), dtype=object),
            "reliability": _pick(rng, self.enum("sources", "reliability"), n),
            "reliability_note": _pick(rng, ["Primary document.", "Wire copy, checked against the original.", None], n),
        }
        self.check_patterns("sources", c)
        for i, kind in self.victims("sources", exclude=archived):
            if kind == "enum":
                c["reliability"][i] = "hihg"; col = "reliability"
            elif kind == "date":
                c["published_date"][i] = "2023-02-30"; c["published_date_precision"][i] = "day"; col = "published_date"
            elif kind == "precision":
                c["published_date"][i] = "2023-04-05"; c["published_date_precision"][i] = "month"; col = "published_date"
            elif kind == "format":
                c["url"][i] = "example.org/no-scheme"; col = "url"
            elif kind == "required":
                c["title"][i] = None; col = "title"
            else:
                c["reliability_note"][i] = "=IMPORTXML(A1)"; col = "reliability_note"
            self.record("sources", i, col, kind)
        self.cols["sources"] = c
        self.archived_ids = ids[:n_arch]
        self.authority_ids = ids[n_arch:]

    def actors(self) -> None:
        n, rng = self.rows["actors"], self.rng
        kinds = self.enum("actors", "kind")
        kind = _pick(rng, kinds, n)
        kind[0] = "state"  # a state for the others to belong to
        ids = np.array([f"act-{k.replace('_', '-')}-{w}-{i:x}" for i, (k, w) in enumerate(zip(kind, self.words(n)))],
                       dtype=object)
        states = np.flatnonzero(kind == "state")
        belongs = np.isin(kind, ["person", "government_body", "armed_force"])
        iso = np.array(["".join(chr(65 + (i // 26 ** p) % 26) for p in (2, 1, 0)) for i in range(n)], dtype=object)
        on_archive = rng.random(n) < 0.5
        arch = rng.integers(0, len(self.archives), size=n)
        c = {
            "actor_id": ids,
            "name": np.array([f"{w.title()} actor {i}" for i, w in enumerate(self.words(n))], dtype=object),
            "kind": kind,
            "iso3": np.where(np.isin(kind, ["state", "territory"]), iso, None),
            "state_actor_id": np.where(belongs, ids[states[rng.integers(0, len(states), size=n)]], None),
            "role": np.where(belongs, "Head of the delegation", None),
            "wikidata_qid": np.where(rng.random(n) < 0.4, np.array([f"Q{i + 1}" for i in range(n)], dtype=object), None),
            "source_id": np.where(on_archive, self.archived_ids[arch % len(self.archived_ids)],
                                  _pick(rng, self.authority_ids, n)),
            "excerpt": np.where(on_archive, self.excerpts_for(arch), None),
        }
        c["passage_id"] = self.passage_ids(c["source_id"], c["excerpt"])
        self.check_patterns("actors", c)
        protect = np.zeros(n, dtype=bool)
        protect[0] = True
        for i, kind_ in self.victims("actors", exclude=protect):
            if kind_ == "pattern":
                c["wikidata_qid"][i] = "Q0"; col = "wikidata_qid"
            elif kind_ == "enum":
                c["kind"][i] = "goverment_body"; c["iso3"][i] = None; col = "kind"
            elif kind_ == "foreign-key":
                c["kind"][i] = "person"; c["iso3"][i] = None
                c["state_actor_id"][i] = f"act-nowhere-{i:x}"; col = "state_actor_id"
            elif kind_ == "required":
                c["name"][i] = None; col = "name"
            elif kind_ == "excerpt":
                c["source_id"][i] = self.archived_ids[0]
                c["passage_id"][i] = self.passage_ids(self.archived_ids[:1], np.array([self.pools[0][0]], dtype=object))[0]
                c["excerpt"][i] = self.pools[0][0] + " (as the curator remembers it)"; col = "excerpt"
            else:
                c["kind"][i] = "state"; c["iso3"][i] = "AAA"; c["state_actor_id"][i] = ids[0]; col = "state_actor_id"
            self.record("actors", i, col, kind_)
        self.cols["actors"] = c

    def events(self) -> None:
        n, rng = self.rows["events"], self.rng
        starts, ends, precision = _dates(rng, n)
        ids = np.array([f"evt-{s}-{w}-{i:x}" for i, (s, w) in enumerate(zip(starts, self.words(n)))], dtype=object)
        cats = _pick(rng, self.enum("events", "category"), n)
        c = {
            "event_id": ids,
            "title": np.array([f"{k.title()}: {w} at {i}" for i, (k, w) in enumerate(zip(cats, self.words(n)))], dtype=object),
            "summary": np.array([f"Officials met over the {w} question; talks number {i} ended with a joint statement."
                                 for i, w in enumerate(self.words(n))], dtype=object),
            "start_date": starts,
            "end_date": ends,
            "date_precision": precision,
            "category": cats,
            "location": _pick(rng, PLACES, n),
            "basis": _pick(rng, ["mentioned", "alluded_to"], n),
            "basis_note": _pick(rng, ["The article refers to it in passing.", None], n),
        }
        self.check_patterns("events", c)
        for i, kind in self.victims("events"):
            col = "start_date"
            if kind == "date":
                c["start_date"][i] = "2023-02-30"; c["end_date"][i] = None; c["date_precision"][i] = "day"
            elif kind == "enum":
                c["category"][i] = "Agree"; col = "category"
            elif kind == "required":
                c["title"][i] = None; col = "title"
            elif kind == "precision":
                c["start_date"][i] = "2019-04-25"; c["end_date"][i] = None; c["date_precision"][i] = "year"
            elif kind == "formula":
                c["summary"][i] = "+7 warships arrived, said the ministry."; col = "summary"
            elif kind == "pattern":
                c["event_id"][i] = f"EVT-2024-{i:x}"; col = "event_id"
            else:
                c["start_date"][i] = "2020-05-10"; c["end_date"][i] = "2020-05-01"; c["date_precision"][i] = "day"
                col = "end_date"
            self.record("events", i, col, kind)
        self.cols["events"] = c

    def event_actors(self) -> None:
        n, rng = self.rows["event_actors"], self.rng
        events, actors = self.cols["events"]["event_id"], self.cols["actors"]["actor_id"]
        j = np.arange(n)
        e, k = j % len(events), j // len(events)
        if k.max() >= len(actors):
            raise ValueError("event_actors needs fewer rows per event than there are actors")
        roles = self.enum("event_actors", "role")
        c = {
            "event_id": events[e],
            "actor_id": actors[(e * 13 + k) % len(actors)],
            "role": _pick(rng, roles, n),
        }
        for i, kind in self.victims("event_actors"):
            if kind == "foreign-key":
                c["event_id"][i] = f"evt-2024-01-01-nothing-{i:x}"; col = "event_id"
            elif kind == "foreign-key-actor":
                c["actor_id"][i] = f"act-nobody-{i:x}"; col = "actor_id"
            elif kind == "enum":
                c["role"][i] = "actr"; col = "role"
            else:
                c["actor_id"][i] = None; col = "actor_id"
            self.record("event_actors", i, col, "foreign-key" if kind.startswith("foreign-key") else kind)
        self.cols["event_actors"] = c

    def _link_sources(self, n: int, parents: np.ndarray, archived_share: float):
        """Rows linking ``parents`` to sources: unique (parent, source) pairs, excerpts for archived sources."""
        rng = self.rng
        j = np.arange(n)
        p, k = j % len(parents), j // len(parents)
        on_archive = (rng.random(n) < archived_share) & (k == 0)
        arch = (p % len(self.archived_ids)).astype(np.int64)
        n_auth = len(self.authority_ids)
        if k.max() >= n_auth:
            raise ValueError("too many source links per row for the number of sources")
        auth = self.authority_ids[(p * 7 + k) % n_auth]
        source = np.where(on_archive, self.archived_ids[arch], auth)
        excerpt = np.where(on_archive, self.excerpts_for(arch), None)
        return parents[p], source, excerpt, on_archive

    def event_sources(self) -> None:
        n = self.rows["event_sources"]
        event, source, excerpt, on_archive = self._link_sources(n, self.cols["events"]["event_id"], 0.5)
        c = {"event_id": event, "source_id": source, "excerpt": excerpt, "passage_id": self.passage_ids(source, excerpt)}
        for i, kind in self.victims("event_sources", exclude=~on_archive):
            if kind == "excerpt":
                c["excerpt"][i] = c["excerpt"][i].replace(" ", "  ", 1); col = "excerpt"
            elif kind == "excerpt-missing":
                c["excerpt"][i] = None; col = "excerpt"
            else:
                c["event_id"][i] = f"evt-1999-nothing-{i:x}"; col = "event_id"
            self.record("event_sources", i, col, kind)
        self.cols["event_sources"] = c

    def claims(self) -> None:
        n, rng = self.rows["claims"], self.rng
        arch = rng.integers(0, len(self.archived_ids), size=n)
        kinds = _pick(rng, self.enum("claims", "kind"), n)
        rated = [v for v in self.enum("claims", "verdict") if v != "not_rated"]
        verdict = np.where(kinds == "opinion", "not_rated", _pick(rng, rated, n)).astype(object)
        claimant = _pick(rng, self.enum("claims", "claimant"), n)
        quoted = claimant == "quoted_actor"
        is_rated = verdict != "not_rated"
        has_event = rng.random(n) < 0.6
        c = {
            "claim_id": np.array([f"clm-synth-{w}-{i:x}" for i, w in enumerate(self.words(n))], dtype=object),
            "source_id": self.archived_ids[arch],
            "excerpt": self.excerpts_for(arch),
            "paraphrase": np.array([f"The article says the {w} matter moved forward ({i})." for i, w in enumerate(self.words(n))],
                                   dtype=object),
            "claimant": claimant,
            "claimant_actor_id": np.where(quoted, _pick(rng, self.cols["actors"]["actor_id"], n), None),
            "kind": kinds,
            "verdict": verdict,
            "verdict_note": np.where(is_rated, "The authority's record of the day settles the point.", None),
            "authority_source_id": np.where(is_rated, _pick(rng, self.authority_ids, n), None),
            "event_id": np.where(has_event, _pick(rng, self.cols["events"]["event_id"], n), None),
        }
        c["passage_id"] = self.passage_ids(c["source_id"], c["excerpt"])
        self.check_patterns("claims", c)
        for i, kind in self.victims("claims"):
            if kind == "quoted-claim-names-actor":
                c["claimant"][i] = "quoted_actor"; c["claimant_actor_id"][i] = None; col = "claimant_actor_id"
            elif kind == "opinion-not-rated":
                c["kind"][i] = "opinion"; c["verdict"][i] = "supported"
                c["verdict_note"][i] = "Confirmed by the record."; c["authority_source_id"][i] = self.authority_ids[0]
                col = "verdict"
            elif kind == "required":
                c["paraphrase"][i] = None; col = "paraphrase"
            elif kind == "enum":
                c["claimant"][i] = "Article"; c["claimant_actor_id"][i] = None; col = "claimant"
            elif kind == "foreign-key":
                c["event_id"][i] = f"evt-2030-nothing-{i:x}"; col = "event_id"
            elif kind == "excerpt":
                c["excerpt"][i] = "It is said that " + c["excerpt"][i]; col = "excerpt"
            elif kind == "pattern":
                c["claim_id"][i] = f"clm_synth_{i:x}"; col = "claim_id"
            else:
                c["paraphrase"][i] = "@channel the article says so"; col = "paraphrase"
            self.record("claims", i, col, kind)
        self.cols["claims"] = c

    def claim_sources(self) -> None:
        n, rng = self.rows["claim_sources"], self.rng
        claim, source, excerpt, on_archive = self._link_sources(n, self.cols["claims"]["claim_id"], 0.3)
        c = {"claim_id": claim, "source_id": source, "relation": _pick(rng, self.enum("claim_sources", "relation"), n),
             "excerpt": excerpt, "passage_id": self.passage_ids(source, excerpt)}
        for i, kind in self.victims("claim_sources", exclude=~on_archive):
            if kind == "foreign-key":
                c["claim_id"][i] = f"clm-nothing-{i:x}"; col = "claim_id"
            elif kind == "enum":
                c["relation"][i] = "supprts"; col = "relation"
            else:
                c["excerpt"][i] = c["excerpt"][i] + " and more"; col = "excerpt"
            self.record("claim_sources", i, col, kind)
        self.cols["claim_sources"] = c

    def strategies(self) -> None:
        n, rng = self.rows["strategies"], self.rng
        arch = rng.integers(0, len(self.archived_ids), size=n)
        c = {
            "strategy_id": np.array([f"str-synth-{w}-{i:x}" for i, w in enumerate(self.words(n))], dtype=object),
            "source_id": self.archived_ids[arch],
            "excerpt": self.excerpts_for(arch),
            "paraphrase": np.array([f"Work on the {w} track ({i})." for i, w in enumerate(self.words(n))], dtype=object),
            "actor_id": _pick(rng, self.cols["actors"]["actor_id"], n),
            "instrument": _pick(rng, self.enum("strategies", "instrument"), n),
            "status": _pick(rng, self.enum("strategies", "status"), n),
            "likelihood_wording": _pick(rng, ["likely", "could", None, None], n),
        }
        c["passage_id"] = self.passage_ids(c["source_id"], c["excerpt"])
        self.check_patterns("strategies", c)
        for i, kind in self.victims("strategies"):
            if kind == "enum":
                c["instrument"][i] = "Military"; col = "instrument"
            elif kind == "foreign-key":
                c["actor_id"][i] = f"act-nobody-{i:x}"; col = "actor_id"
            elif kind == "pattern":
                c["strategy_id"][i] = f"strategy-{i:x}"; col = "strategy_id"
            else:
                c["paraphrase"][i] = None; col = "paraphrase"
            self.record("strategies", i, col, kind)
        self.cols["strategies"] = c

    def strategy_targets(self) -> None:
        n = self.rows["strategy_targets"]
        strategies, actors = self.cols["strategies"]["strategy_id"], self.cols["actors"]["actor_id"]
        j = np.arange(n)
        s, k = j % len(strategies), j // len(strategies)
        if k.max() >= len(actors):
            raise ValueError("strategy_targets needs fewer rows per strategy than there are actors")
        c = {"strategy_id": strategies[s], "actor_id": actors[(s * 5 + k) % len(actors)]}
        for i, kind in self.victims("strategy_targets"):
            if kind == "foreign-key":
                c["strategy_id"][i] = f"str-nothing-{i:x}"; col = "strategy_id"
            elif kind == "foreign-key-actor":
                c["actor_id"][i] = f"act-nobody-{i:x}"; col = "actor_id"
            else:
                c["actor_id"][i] = None; col = "actor_id"
            self.record("strategy_targets", i, col, "foreign-key" if kind.startswith("foreign-key") else kind)
        self.cols["strategy_targets"] = c

    def passages(self) -> None:
        """The ledger: every passage of every archived text, coded when some row names it."""
        cited = {v for t, c in self.cols.items() if "passage_id" in c for v in c["passage_id"] if v is not None}
        rows = []
        for k, (sid, passages) in enumerate(zip(self.archived_ids, self.splits)):
            for j, p in enumerate(passages):
                pid = f"psg-s{k}-{j + 1:03d}"
                coded = pid in cited
                rows.append((pid, sid, str(p.start), str(p.end), p.kind, "coded" if coded else "not_coded",
                             None if coded else ("heading" if p.kind == "heading" else "no_checkable_content"), None))
        names = self.model["passages"].field_names
        self.cols["passages"] = {name: np.array([r[i] for r in rows], dtype=object) for i, name in enumerate(names)}

    def frames(self) -> dict[str, pd.DataFrame]:
        for step in ("sources", "actors", "events", "event_actors", "event_sources", "claims", "claim_sources",
                     "strategies", "strategy_targets", "passages"):
            if step not in self.cols:
                getattr(self, step)()
        out = {}
        for name, table in self.model.items():
            cols = self.cols[name]
            out[name] = pd.DataFrame({f: pd.array(cols[f], dtype="str") for f in table.field_names})
        return out


def generate(out_dir: Path | None, total: int = 1000, *, broken: float = 0.0, seed: int = 0,
             sources_dir: Path, sizes: dict[str, int] | None = None) -> Synth:
    """Generate the ten tables; write ``<out_dir>/<table>.csv`` unless ``out_dir`` is None.

    Parameters
    ----------
    out_dir : path or None
        Where to write the CSVs (created if needed); None keeps the frames in memory only.
    total : int
        Data rows across all tables, split by :data:`SHARES` (ignored when ``sizes`` is given).
    broken : float
        Share of each table's rows to break (at least one row per table when above 0).
    seed : int
        The same seed gives the same files.
    sources_dir : path
        The source archive: excerpts are cut from its texts and its files are the archived sources.
    sizes : dict, optional
        Rows per table, instead of ``total``.
    """
    builder = _Builder(total, broken, seed, Path(sources_dir), sizes)
    frames = builder.frames()
    if out_dir is not None:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            frame.to_csv(out_dir / builder.model[name].csv_name, index=False, lineterminator="\n")
    broken_rows = sorted(set(builder.broken))
    return Synth(data_dir=out_dir, rows=builder.rows, frames=frames, broken=broken_rows)
