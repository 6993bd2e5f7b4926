#!/usr/bin/env python3
"""Append curated chronology events from JSON side files to data/ (issue 23).

Usage::

    .venv/bin/python scripts/apply_chronology.py [--data-dir DIR] [--dry-run] SIDEFILE...

Each side file is a JSON object ``{"events": [...], "new_actors": [...],
"corrections_to_existing": [...], "thin": "..."}`` as the chronology curators write it:
an event has ``event_id``, ``title``, ``summary``, ``start_date``, ``end_date`` (or ""),
``date_precision``, ``category``, ``location`` (or ""), ``note`` (or ""), ``actors``
(``[{"actor_id", "role"}]``) and ``sources`` (``[{"title", "publisher", "author",
"published_date", "published_date_precision", "url", "read_url", "accessed", "kind",
"reliability", "authority_excerpt"}]``, ``accessed`` the day the address was read); it may also have ``mode``, ``context`` (a list or a
";"-joined string), ``cameo_root``, ``wikidata_qid`` and ``wikidata_source_url``. A new actor
has ``actor_id``, ``name``, ``kind``, ``state_actor_id``, ``source_url`` and ``note``.

What it writes:

* ``events.csv``: one row per event, basis ``chronology`` (``note`` goes to ``basis_note``);
* ``sources.csv``: one row per source not already there (same ``url`` or ``read_url`` as an
  existing source: that source is cited instead), id ``src-<publisher>-<date>-<title words>``
  made unique; ``read_url`` and ``accessed`` are written only if ``sources.csv`` has those
  columns (without ``read_url``, a source with no original ``url`` gets the address read as
  its ``url``);
* ``event_sources.csv``: one row per event and source, the authority's words in
  ``authority_excerpt``;
* ``event_actors.csv``: one row per event, actor and role;
* ``actors.csv``: each new actor whose ``source_url`` is the ``url`` or ``read_url`` of a
  source (in the side files or already in ``sources.csv``), that source as its ``source_id``
  and its ``note`` as its ``role`` (its office).

Entries that are malformed (a missing or wrong field, an unknown actor, an id already used)
are refused with one line each naming the file, the entry and the problem; the rest are
written. ``corrections_to_existing`` are not applied (they are listed for a person to make).
Then ``eastasia-data fmt`` puts the files in canonical form. Exit status: 0 when every entry
was applied, 1 when some were refused, 2 on a usage error (no file written).

Run ``eastasia-data validate`` afterwards: the schemas decide what is finally valid.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from eastasia_data.curation.schemas import read_model  # noqa: E402  (after the path is set)

EVENT_KEYS = ("event_id", "title", "summary", "start_date", "end_date", "date_precision", "category",
              "location", "note", "actors", "sources")
SOURCE_KEYS = ("title", "publisher", "published_date", "published_date_precision", "kind", "reliability",
               "authority_excerpt")
ACTOR_KEYS = ("actor_id", "name", "kind", "source_url")
DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
SHAPE = {"year": 4, "month": 7, "day": 10}
BASIS = "chronology"
#: Words left out of a source id's title part.
STOP = {"a", "an", "the", "of", "in", "on", "to", "for", "and", "at", "as", "by", "with", "from", "is", "its"}


class Refused(Exception):
    """An entry that cannot be applied: the message says why."""


class Known(Exception):
    """An entry already in the data (a new actor listed twice): not applied, not an error."""


def slug(text: str, words: int) -> str:
    """Lowercase ASCII words of ``text`` joined by hyphens, at most ``words`` of them (stop words dropped).

    >>> slug("Kim Jong Un visits the Russian embassy", 4)
    'kim-jong-un-visits'
    >>> slug("Korean Central News Agency (via Voice of Korea)", 3)
    'korean-central-news'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    found = [w for w in re.findall(r"[a-z0-9]+", ascii_text) if w not in STOP]
    return "-".join(found[:words])


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def table_text(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: r.get(k, "") for k in header} for r in rows)
    return out.getvalue()


def text(entry: dict, key: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refused(f"{key} is {type(value).__name__}, not text")
    value = value.strip() if key not in ("authority_excerpt",) else value
    if required and not value:
        raise Refused(f"{key} is missing or empty")
    return value


def check_date(value: str, precision: str, what: str) -> None:
    if not DATE.fullmatch(value) or len(value) != SHAPE.get(precision, -1):
        raise Refused(f"{what} {value!r} is not a date at precision {precision!r} (YYYY, YYYY-MM or YYYY-MM-DD)")


class Applier:
    """Collects the rows to append, refusing malformed entries one line each."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.model = read_model()
        self.tables = {name: read_table(data / f"{name}.csv")
                       for name in ("events", "event_actors", "event_sources", "sources", "actors")}
        self.new: dict[str, list[dict[str, str]]] = {name: [] for name in self.tables}
        self.event_ids = {r["event_id"] for r in self.tables["events"][1]}
        self.actor_ids = {r["actor_id"] for r in self.tables["actors"][1]}
        self.source_ids = {r["source_id"] for r in self.tables["sources"][1]}
        self.by_address: dict[str, str] = {}
        for r in self.tables["sources"][1]:
            for key in ("url", "read_url"):
                if r.get(key):
                    self.by_address.setdefault(r[key], r["source_id"])
        self.refusals: list[str] = []
        self.notes: list[str] = []
        self.corrections = 0

    def enum(self, table: str, column: str) -> tuple[str, ...]:
        return self.model[table].field(column).enum

    def allowed(self, value: str, table: str, column: str) -> None:
        values = self.enum(table, column)
        if value not in values:
            raise Refused(f"{column} {value!r} is not one of: {', '.join(values)}")

    # -- actors -------------------------------------------------------------------------------

    def new_actor(self, entry: dict) -> dict[str, str]:
        if not isinstance(entry, dict):
            raise Refused("is not an object")
        actor_id, name, kind = (text(entry, k) for k in ("actor_id", "name", "kind"))
        if not re.fullmatch(self.model["actors"].field("actor_id").pattern or ".*", actor_id):
            raise Refused(f"actor_id {actor_id!r} does not match {self.model['actors'].field('actor_id').pattern}")
        self.allowed(kind, "actors", "kind")
        if actor_id in self.actor_ids:
            raise Known(f"actor {actor_id} is already in actors.csv: the existing row is kept")
        row = {"actor_id": actor_id, "name": name, "kind": kind,
               "state_actor_id": text(entry, "state_actor_id", required=False),
               "role": text(entry, "note", required=False), "_source_url": text(entry, "source_url")}
        for key in self.tables["actors"][0]:  # any other column the entry gives (iso3, wikidata_qid, name_ko, ...)
            if key in entry and key not in row and key not in ("source_id", "excerpt", "passage_id"):
                row[key] = text(entry, key, required=False)
        if kind == "state" and not row.get("iso3"):
            raise Refused("a state needs its iso3 (ISO 3166-1 alpha-3 code)")
        return row

    # -- sources ------------------------------------------------------------------------------

    def source(self, entry: dict) -> tuple[dict[str, str] | None, str, str]:
        """The new source row (None when an existing source is cited), its id, and the authority's words."""
        if not isinstance(entry, dict):
            raise Refused("a source is not an object")
        title, publisher, published, precision, kind, reliability, words = (text(entry, k) for k in SOURCE_KEYS)
        if re.search(r"[\x00-\x1f\x7f]", words):
            raise Refused(f"the authority_excerpt of {title!r} holds a line break or control character: quote "
                          "words from one paragraph, verbatim")
        self.allowed(precision, "sources", "published_date_precision")
        check_date(published, precision, "published_date")
        self.allowed(kind, "sources", "kind")
        if kind == "archived_article":
            raise Refused("a chronology source is not an archived article (its words go in authority_excerpt)")
        self.allowed(reliability, "sources", "reliability")
        url, read_url = text(entry, "url", required=False), text(entry, "read_url", required=False)
        if not (url or read_url):
            raise Refused(f"source {title!r} has neither url nor read_url: say where its words were read")
        for address in (url, read_url):
            if address and not re.fullmatch(r"https?://\S+", address):
                raise Refused(f"{address!r} is not an http(s) address")
        for address in (url, read_url):
            if address in self.by_address:
                return None, self.by_address[address], words
        base = "-".join(p for p in ("src", slug(publisher, 3), published, slug(title, 5)) if p)
        source_id, n = base, 2
        while source_id in self.source_ids:
            source_id, n = f"{base}-{n}", n + 1
        header = self.tables["sources"][0]
        row = {"source_id": source_id, "kind": kind, "title": title, "publisher": publisher,
               "author": text(entry, "author", required=False), "published_date": published,
               "published_date_precision": precision, "url": url, "reliability": reliability}
        if "read_url" in header:
            row["read_url"] = read_url if read_url != url else ""
        elif not url:
            row["url"] = read_url  # no column for the copy read: its address is where the document can be read
        if "accessed" in header:
            row["accessed"] = text(entry, "accessed", required=False)
        return row, source_id, words

    # -- events -------------------------------------------------------------------------------

    def event(self, entry: dict, pending_actors: set[str]) -> None:
        if not isinstance(entry, dict):
            raise Refused("is not an object")
        missing = [k for k in EVENT_KEYS if k not in entry]
        if missing:
            raise Refused(f"lacks {', '.join(missing)}")
        event_id = text(entry, "event_id")
        pattern = self.model["events"].field("event_id").pattern or ".*"
        if not re.fullmatch(pattern, event_id):
            raise Refused(f"event_id {event_id!r} does not match {pattern}")
        if event_id in self.event_ids:
            raise Refused(f"event_id {event_id!r} is already in events.csv (or earlier in the side files)")
        precision = text(entry, "date_precision")
        self.allowed(precision, "events", "date_precision")
        start, end = text(entry, "start_date"), text(entry, "end_date", required=False)
        check_date(start, precision, "start_date")
        if end:
            check_date(end, precision, "end_date")
            if end < start:
                raise Refused(f"end_date {end} precedes start_date {start}")
        category = text(entry, "category")
        self.allowed(category, "events", "category")
        row = {"event_id": event_id, "title": text(entry, "title"), "summary": text(entry, "summary"),
               "start_date": start, "end_date": end, "date_precision": precision, "category": category,
               "location": text(entry, "location", required=False), "basis": BASIS,
               "basis_note": text(entry, "note", required=False)}
        for key in ("mode", "cameo_root", "wikidata_qid", "wikidata_source_url"):
            row[key] = text(entry, key, required=False)
        if row["mode"]:
            self.allowed(row["mode"], "events", "mode")
        context = entry.get("context", "")
        if isinstance(context, list):
            context = ";".join(str(c) for c in context)
        if not isinstance(context, str):
            raise Refused("context is neither a list nor text")
        for item in [c for c in context.split(";") if c] if context else []:
            self.allowed(item, "events", "context")
        row["context"] = context
        actors = entry["actors"]
        if not isinstance(actors, list) or not actors:
            raise Refused("actors is not a non-empty list")
        links = []
        for a in actors:
            if not isinstance(a, dict):
                raise Refused("an actor is not an object")
            actor_id, role = text(a, "actor_id"), text(a, "role")
            if actor_id not in self.actor_ids and actor_id not in pending_actors:
                raise Refused(f"actor {actor_id!r} is neither in actors.csv nor among the new actors")
            self.allowed(role, "event_actors", "role")
            links.append({"event_id": event_id, "actor_id": actor_id, "role": role})
        if len({(l["actor_id"], l["role"]) for l in links}) != len(links):
            raise Refused("an actor is listed twice in the same role")
        sources = entry["sources"]
        if not isinstance(sources, list) or not sources:
            raise Refused("sources is not a non-empty list: every event needs at least one authority")
        cited, new_sources = [], []
        for s in sources:
            new_row, source_id, words = self.source(s)
            if source_id in {c["source_id"] for c in cited}:
                raise Refused(f"source {source_id!r} is cited twice")
            if new_row is not None:
                new_sources.append(new_row)
                self.source_ids.add(source_id)  # reserve the id for the rest of this event
            cited.append({"event_id": event_id, "source_id": source_id, "excerpt": "", "passage_id": "",
                          "authority_excerpt": words})
        # accepted: commit this event's rows
        self.event_ids.add(event_id)
        self.new["events"].append(row)
        self.new["event_actors"] += links
        self.new["event_sources"] += cited
        for s in new_sources:
            self.new["sources"].append(s)
            for key in ("url", "read_url"):
                if s.get(key):
                    self.by_address.setdefault(s[key], s["source_id"])

    # -- a side file --------------------------------------------------------------------------

    def apply(self, paths: list[Path]) -> None:
        """Read every side file, then take the new actors of all of them, then their events."""
        sides = []
        for path in paths:
            try:
                side = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                self.refusals.append(f"{path}: not readable as JSON ({exc})")
                continue
            if not isinstance(side, dict) or not isinstance(side.get("events", []), list):
                self.refusals.append(f"{path}: not an object with a list of events")
                continue
            sides.append((path, side))
        actors: list[tuple[Path, dict[str, str]]] = []
        for path, side in sides:
            for i, entry in enumerate(side.get("new_actors") or []):
                try:
                    row = self.new_actor(entry)
                except Known as exc:
                    self.notes.append(f"{path}: new_actors[{i}]: {exc}")
                    continue
                except Refused as exc:
                    self.refusals.append(f"{path}: new_actors[{i}] ({_name(entry, 'actor_id')}): {exc}")
                    continue
                if row["actor_id"] in {a["actor_id"] for _, a in actors}:
                    self.notes.append(f"{path}: new_actors[{i}]: actor {row['actor_id']} is listed by an earlier "
                                      "side file: that entry is kept")
                    continue
                actors.append((path, row))
        pending = {a["actor_id"] for _, a in actors}
        for path, side in sides:
            for i, entry in enumerate(side["events"]):
                try:
                    self.event(entry, pending)
                except Refused as exc:
                    self.refusals.append(f"{path}: events[{i}] ({_name(entry, 'event_id')}): {exc}")
            self.corrections += len(side.get("corrections_to_existing") or [])
        for path, a in actors:
            source_id = self.by_address.get(a.pop("_source_url"))
            if source_id is None:
                self.refusals.append(f"{path}: new actor {a['actor_id']}: its source_url is the url or read_url of "
                                     "no source; cite it as a source of one of the events")
                continue
            self.actor_ids.add(a["actor_id"])
            self.new["actors"].append({**a, "source_id": source_id, "excerpt": "", "passage_id": ""})

    def write(self) -> dict[str, int]:
        """Write every table with its new rows, all or nothing (each file replaced atomically)."""
        staged = []
        counts = {}
        for name, (header, rows) in self.tables.items():
            added = self.new[name]
            counts[name] = len(added)
            if not added:
                continue
            target = self.data / f"{name}.csv"
            fd, tmp = tempfile.mkstemp(dir=self.data, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(table_text(header, rows + added))
            staged.append((Path(tmp), target))
        for tmp, target in staged:
            tmp.replace(target)
        return counts


def _name(entry, key: str) -> str:
    return str(entry.get(key, "?")) if isinstance(entry, dict) else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="apply_chronology.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("sidefiles", nargs="+", type=Path, metavar="SIDEFILE")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--dry-run", action="store_true", help="check the side files and write nothing")
    args = parser.parse_args(argv)
    if not (args.data_dir / "events.csv").is_file():
        print(f"error: {args.data_dir} has no events.csv", file=sys.stderr)
        return 2
    applier = Applier(args.data_dir)
    applier.apply(args.sidefiles)
    # an event naming a refused actor is withdrawn with its rows
    orphans = [l for l in applier.new["event_actors"] if l["actor_id"] not in applier.actor_ids]
    for link in orphans:
        applier.refusals.append(f"event {link['event_id']}: its actor {link['actor_id']} was refused, so the event "
                                "is left out too (fix the actor and apply again)")
    withdrawn = {l["event_id"] for l in orphans}
    if withdrawn:
        for name in ("events", "event_actors", "event_sources"):
            applier.new[name] = [r for r in applier.new[name] if r["event_id"] not in withdrawn]
        cited = {r["source_id"] for r in applier.new["event_sources"]} | {a["source_id"] for a in applier.new["actors"]}
        applier.new["sources"] = [s for s in applier.new["sources"] if s["source_id"] in cited]
    for line in applier.notes:
        print(f"skipped: {line}")
    for line in applier.refusals:
        print(f"refused: {line}")
    if args.dry_run:
        counts = {name: len(rows) for name, rows in applier.new.items()}
    else:
        counts = applier.write()
        if any(counts.values()):
            fmt = subprocess.run([sys.executable, "-m", "eastasia_data", "fmt", "--data-dir", str(args.data_dir)],
                                 capture_output=True, text=True, cwd=REPO)
            if fmt.returncode not in (0, 1):
                print(f"error: eastasia-data fmt failed: {fmt.stderr.strip() or fmt.stdout.strip()}", file=sys.stderr)
                return 2
    verb = "would add" if args.dry_run else "added"
    print(f"{verb}: " + ", ".join(f"{counts[n]} {n}" for n in ("events", "event_actors", "event_sources",
                                                                "sources", "actors")))
    if applier.corrections:
        print(f"not applied: {applier.corrections} corrections_to_existing (for a person to make)")
    return 1 if applier.refusals else 0


if __name__ == "__main__":
    sys.exit(main())
