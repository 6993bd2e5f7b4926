"""The bad-input corpus: one entry per way a contributor's files can be wrong.

Each case breaks a scratch copy of the real data (and, where it needs to, of the
source archive) and returns the problems the validator must report, as
(file, line, column, rule) plus an optional fragment of the message. Lines are
worked out from the data as it stands, so curating the data does not break the
corpus. ``tests/test_corpus.py`` runs every case through ``validate`` in-process (the
same code as the command), a few through the command in a fresh process, and a few
through ``build``. Every rule of :data:`eastasia_data.curation.rules.RULES` is reported by
at least one case.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from csvedit import first_row, read_rows, set_cell, write_rows


@dataclass(frozen=True)
class Expect:
    """One problem the validator must report; ``line`` None for a whole-file problem."""

    file: str
    line: int | None
    column: str | None
    rule: str
    says: str = ""  # a fragment the message (or hint) must hold
    never: str = ""  # a string the output must not hold anywhere (a canary's content)

    def prefix(self) -> str:
        where = f"data/{self.file}" + ("" if self.line is None else f":{self.line}")
        return where + ": " + (f"{self.column}: " if self.column else "")


@dataclass(frozen=True)
class Scratch:
    """Where a case may write: a scratch checkout (data/, schemas/, pyproject.toml) and a copy of the archive."""

    data: Path
    sources: Path

    @property
    def schemas(self) -> Path:
        return self.data.parent / "schemas"


@dataclass(frozen=True)
class Case:
    name: str
    why: str
    breaks: Callable[[Scratch], list[Expect]]


CASES: dict[str, Case] = {}


def case(why: str):
    """Register ``fn`` as a corpus case named after it (underscores become dashes)."""

    def register(fn: Callable[[Scratch], list[Expect] | Expect]) -> Callable:
        def breaks(s: Scratch) -> list[Expect]:
            out = fn(s)
            return out if isinstance(out, list) else [out]

        name = fn.__name__.replace("_", "-")
        assert name not in CASES, name
        CASES[name] = Case(name, why, breaks)
        return fn

    return register


# -- helpers on raw lines ---------------------------------------------------------------------

def raw_lines(path: Path) -> list[bytes]:
    """The file's physical lines, each with its line end (the data has no quoted newlines in these tables)."""
    return path.read_bytes().splitlines(keepends=True)


def replace_line(path: Path, line: int, new: bytes) -> int:
    """Replace physical line ``line`` (1 is the header) by ``new`` (given without its line end)."""
    lines = raw_lines(path)
    lines[line - 1] = new + b"\n"
    path.write_bytes(b"".join(lines))
    return line


def edit_line(path: Path, line: int, fn: Callable[[bytes], bytes]) -> int:
    return replace_line(path, line, fn(raw_lines(path)[line - 1].rstrip(b"\r\n")))


def append_line(path: Path, text: str) -> int:
    """Add a line at the end and return its number."""
    lines = raw_lines(path)
    path.write_bytes(b"".join(lines) + text.encode("utf-8") + b"\n")
    return len(lines) + 1


def copy_row(path: Path, row: int, **changes: str) -> int:
    """Append a copy of row ``row`` with ``changes``; return its line."""
    header, rows = read_rows(path)
    new = {**rows[row], **changes}
    write_rows(path, header, rows + [new])
    return len(rows) + 2


def day_event(s: Scratch) -> int:
    return first_row(s.data / "events.csv", lambda r: r["date_precision"] == "day")


def archived_source(s: Scratch) -> tuple[int, dict[str, str]]:
    path = s.data / "sources.csv"
    i = first_row(path, lambda r: r["archive_file"] != "")
    return i, read_rows(path)[1][i]


def width(path: Path) -> int:
    """How many columns the file's header has."""
    return len(read_rows(path)[0])


def unused_column(s: Scratch, base: str) -> str:
    """A column name that no table of the scratch checkout has, neither in data/ nor in schemas/."""
    import yaml

    taken = {h for p in s.data.glob("*.csv") for h in read_rows(p)[0]}
    taken |= {f["name"] for p in s.schemas.glob("*.yaml")
              for f in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("fields", [])}
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def rename_column(path: Path, old: str, new: str) -> None:
    header, rows = read_rows(path)
    write_rows(path, [new if h == old else h for h in header], [{(new if k == old else k): v for k, v in r.items()} for r in rows])


# -- file and syntax --------------------------------------------------------------------------

@case("a value opens a double quote that never closes")
def unbalanced_quote(s):
    line = edit_line(s.data / "event_actors.csv", 5, lambda b: b.replace(b",", b',"', 1))
    return Expect("event_actors.csv", line, None, "csv-syntax", "unbalanced double quote")


@case("text follows the closing quote of a quoted value")
def text_after_closing_quote(s):
    line = edit_line(s.data / "event_actors.csv", 4, lambda b: b'"' + b.replace(b",", b'"x,', 1))
    return Expect("event_actors.csv", line, None, "csv-syntax")


@case("a row with a field too few")
def ragged_row_short(s):
    path = s.data / "strategy_targets.csv"
    line = edit_line(path, 3, lambda b: b.split(b",")[0])
    return Expect("strategy_targets.csv", line, None, "row-width", f"has 1 fields; the header has {width(path)}")


@case("a row with a field too many")
def ragged_row_long(s):
    path = s.data / "event_actors.csv"
    line = edit_line(path, 6, lambda b: b + b",extra")
    return Expect("event_actors.csv", line, None, "row-width", f"has {width(path) + 1} fields; the header has {width(path)}")


@case("a blank line between rows")
def blank_line(s):
    path = s.data / "event_actors.csv"
    lines = raw_lines(path)
    path.write_bytes(b"".join(lines[:3] + [b"\n"] + lines[3:]))
    return Expect("event_actors.csv", 4, None, "csv-syntax", "blank line")


@case("a file of zero bytes")
def empty_file(s):
    (s.data / "strategy_targets.csv").write_bytes(b"")
    return Expect("strategy_targets.csv", None, None, "header", "is empty")


@case("a file of whitespace only")
def whitespace_file(s):
    (s.data / "event_sources.csv").write_bytes(b"\n\n  \n")
    return Expect("event_sources.csv", None, None, "header", "is empty")


@case("a header and no rows")
def header_only(s):
    path = s.data / "strategy_targets.csv"
    path.write_bytes(raw_lines(path)[0])
    return Expect("strategy_targets.csv", None, None, "no-rows")


@case("a table's file is missing")
def missing_file(s):
    (s.data / "event_sources.csv").unlink()
    return Expect("event_sources.csv", None, None, "file", "is missing")


@case("a misspelled column name")
def header_misspelled(s):
    rename_column(s.data / "actors.csv", "name", "nmae")
    return Expect("actors.csv", 1, "nmae", "header", "did you mean 'name'?")


@case("columns in another order than the schema's")
def header_reordered(s):
    path = s.data / "event_actors.csv"
    header, rows = read_rows(path)
    write_rows(path, [header[1], header[0], *header[2:]], rows)
    return Expect("event_actors.csv", 1, None, "column-order", "out of order")


def _drop_column(path: Path, column: str) -> None:
    header, rows = read_rows(path)
    write_rows(path, [h for h in header if h != column], [{k: v for k, v in r.items() if k != column} for r in rows])


@case("a required column left out")
def header_missing_column(s):
    _drop_column(s.data / "events.csv", "title")
    return Expect("events.csv", 1, "title", "header", "missing from the header")


@case("an optional column left out (fmt adds it empty)")
def header_missing_optional_column(s):
    _drop_column(s.data / "events.csv", "location")
    return Expect("events.csv", 1, "location", "missing-optional-column", "optional column is missing")


@case("blank lines at the end of a file (fmt removes them)")
def trailing_blank_lines(s):
    path = s.data / "strategy_targets.csv"
    lines = path.read_bytes().count(b"\n")
    path.write_bytes(path.read_bytes() + b"\n\n")
    return [Expect("strategy_targets.csv", lines + 1, None, "trailing-blank-line", "blank line at the end"),
            Expect("strategy_targets.csv", lines + 2, None, "trailing-blank-line", "blank line at the end")]


@case("a column twice")
def header_duplicated_column(s):
    path = s.data / "strategy_targets.csv"
    lines = raw_lines(path)
    lines = [l.rstrip(b"\n") + b"," + l.split(b",")[1].rstrip(b"\n") + b"\n" for l in lines]
    path.write_bytes(b"".join(lines))
    return Expect("strategy_targets.csv", 1, "actor_id", "header", "more than once")


@case("a column the schema does not have")
def header_extra_column(s):
    path = s.data / "event_actors.csv"
    extra = unused_column(s, "notes")
    lines = raw_lines(path)
    lines = [lines[0].rstrip(b"\n") + b"," + extra.encode() + b"\n"] + [l.rstrip(b"\n") + b",\n" for l in lines[1:]]
    path.write_bytes(b"".join(lines))
    return Expect("event_actors.csv", 1, extra, "header", "not a column of this table")


@case("a UTF-8 byte-order mark")
def byte_order_mark(s):
    path = s.data / "actors.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return Expect("actors.csv", 1, None, "byte-order-mark", "byte-order mark")


@case("CRLF line ends throughout")
def crlf_file(s):
    path = s.data / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return Expect("events.csv", 1, None, "line-ends")


@case("one CRLF line in an LF file")
def crlf_one_line(s):
    line = edit_line(s.data / "claims.csv", 7, lambda b: b + b"\r")
    return Expect("claims.csv", line, None, "line-ends")


@case("a NUL byte inside a row")
def nul_byte(s):
    line = edit_line(s.data / "events.csv", 4, lambda b: b.replace(b",", b"\x00,", 1))
    return Expect("events.csv", line, None, "encoding", "NUL")


@case("bytes that are not UTF-8 (Latin-1 text)")
def invalid_utf8(s):
    line = edit_line(s.data / "events.csv", 3, lambda b: b.replace(b",", b",caf\xe9 ", 1))
    return Expect("events.csv", line, None, "encoding", "not UTF-8")


@case("a multi-byte character cut short at the end of the file")
def truncated_utf8(s):
    path = s.data / "actors.csv"
    data = path.read_bytes().rstrip(b"\n")
    path.write_bytes(data + "’".encode("utf-8")[:2])
    return Expect("actors.csv", data.count(b"\n") + 1, None, "encoding", "not UTF-8")


# -- values -----------------------------------------------------------------------------------

@case("a date written in words")
def not_a_date(s):
    line = set_cell(s.data / "events.csv", day_event(s), "start_date", "19 June 2024")
    return Expect("events.csv", line, "start_date", "pattern")


@case("a day that does not exist: 2023-02-29")
def impossible_date(s):
    line = set_cell(s.data / "events.csv", day_event(s), "start_date", "2023-02-29")
    return Expect("events.csv", line, "start_date", "date", "not a calendar date")


@case("month 13")
def impossible_month(s):
    path = s.data / "sources.csv"
    i = first_row(path, lambda r: r["published_date"] != "")
    set_cell(path, i, "published_date_precision", "month")
    line = set_cell(path, i, "published_date", "2024-13")
    return Expect("sources.csv", line, "published_date", "date")


@case("a full date where the precision says year")
def date_disagrees_with_precision(s):
    line = set_cell(s.data / "events.csv", day_event(s), "date_precision", "year")
    return Expect("events.csv", line, "start_date", "precision", "YYYY")


@case("an end date before the start date")
def end_before_start(s):
    path = s.data / "events.csv"
    i = day_event(s)
    set_cell(path, i, "start_date", "2020-05-02")
    line = set_cell(path, i, "end_date", "2020-05-01")
    return Expect("events.csv", line, "end_date", "date-order")


@case("a typo in a value from a fixed list")
def enum_typo(s):
    line = set_cell(s.data / "events.csv", 2, "category", "CONSLUT")
    return Expect("events.csv", line, "category", "enum", "did you mean 'CONSULT'?")


@case("an enum value in the wrong case")
def enum_case(s):
    line = set_cell(s.data / "strategies.csv", 1, "instrument", "Economic")
    return Expect("strategies.csv", line, "instrument", "enum")


@case("a country code in lower case")
def pattern_violation(s):
    path = s.data / "actors.csv"
    line = set_cell(path, first_row(path, lambda r: r["iso3"] != ""), "iso3", "rus")
    return Expect("actors.csv", line, "iso3", "pattern")


@case("a web address without a scheme")
def not_a_uri(s):
    path = s.data / "sources.csv"
    line = set_cell(path, first_row(path, lambda r: r["url"] != ""), "url", "www.example.com/news")
    return Expect("sources.csv", line, "url", "format")


@case("a required cell left empty")
def required_empty(s):
    line = set_cell(s.data / "claims.csv", 3, "paraphrase", "")
    return Expect("claims.csv", line, "paraphrase", "required")


@case("a rule of the schema: a rated claim without its authority")
def schema_rule(s):
    path = s.data / "claims.csv"
    line = set_cell(path, first_row(path, lambda r: r["verdict"] == "contradicted"), "authority_source_id", "")
    return Expect("claims.csv", line, "authority_source_id", "rated-claim-has-authority")


@case("a supported claim without the words of its authority")
def supported_claim_unquoted(s):
    path = s.data / "claims.csv"  # an unverifiable claim turned supported, without a quote
    i = first_row(path, lambda r: r["verdict"] == "unverifiable")
    set_cell(path, i, "authority_excerpt", "")
    line = set_cell(path, i, "verdict", "supported")
    return Expect("claims.csv", line, "authority_excerpt", "verdict-quotes-authority")


@case("an opinion quoting an authority")
def opinion_quotes_authority(s):
    path = s.data / "claims.csv"
    line = set_cell(path, first_row(path, lambda r: r["verdict"] == "not_rated"), "authority_excerpt",
                    "Words of an authority an opinion does not rest on.")
    return Expect("claims.csv", line, "authority_excerpt", "opinion-quotes-no-authority")


@case("a source with a URL but no day it was read")
def url_without_accessed(s):
    path = s.data / "sources.csv"  # a source without a URL given one, and no day read
    i = first_row(path, lambda r: r["url"] == "")
    set_cell(path, i, "accessed", "")
    line = set_cell(path, i, "url", "https://example.org/document")
    return Expect("sources.csv", line, "accessed", "url-needs-accessed")


@case("the address of a copy read, without the day it was read")
def read_url_without_accessed(s):
    path = s.data / "sources.csv"
    i = first_row(path, lambda r: r["url"] == "")
    set_cell(path, i, "accessed", "")
    line = set_cell(path, i, "read_url", "https://example.org/stored-copy")
    return Expect("sources.csv", line, "accessed", "read-url-needs-accessed")


@case("a day read that is not a calendar date")
def accessed_not_a_date(s):
    path = s.data / "sources.csv"
    line = set_cell(path, first_row(path, lambda r: r["url"] != ""), "accessed", "2026-02-30")
    return Expect("sources.csv", line, "accessed", "date", "not a calendar date")


@case("a day read before the document was published")
def accessed_before_published(s):
    path = s.data / "sources.csv"
    i = first_row(path, lambda r: r["url"] != "" and r["published_date_precision"] == "day")
    set_cell(path, i, "published_date", "2025-05-09")
    line = set_cell(path, i, "accessed", "2025-05-08")
    return Expect("sources.csv", line, "accessed", "date-order", "is before published_date")


@case("a day read given to the month only")
def accessed_to_the_month(s):
    path = s.data / "sources.csv"
    line = set_cell(path, first_row(path, lambda r: r["url"] != ""), "accessed", "2026-12")
    return Expect("sources.csv", line, "accessed", "type", "YYYY-MM-DD")


# -- ids and keys -----------------------------------------------------------------------------

@case("the same id on two rows")
def duplicate_id(s):
    line = copy_row(s.data / "events.csv", 1)
    return Expect("events.csv", line, "event_id", "unique")


@case("the same row twice in a link table")
def duplicate_link_row(s):
    line = copy_row(s.data / "event_actors.csv", 0)
    return Expect("event_actors.csv", line, None, "primary-key")


def _lookalike(s: Scratch, change: Callable[[str], str]) -> Expect:
    path = s.data / "actors.csv"
    _, rows = read_rows(path)
    line = copy_row(path, 0, actor_id=change(rows[0]["actor_id"]))
    return Expect("actors.csv", line, "actor_id", "lookalike-id", "line 2")


@case("two ids that differ only by case")
def id_differs_by_case(s):
    return _lookalike(s, lambda v: v[:4] + v[4].upper() + v[5:])


@case("two ids that differ only by a zero-width space")
def id_differs_by_zero_width(s):
    return _lookalike(s, lambda v: v[:6] + "\u200b" + v[6:])


@case("two ids that differ only by a Cyrillic look-alike letter")
def id_differs_by_lookalike_letter(s):
    return _lookalike(s, lambda v: v.replace("a", "\u0430", 1) if "a" in v[4:] else v.replace("e", "\u0435", 1))


def _dangling(s: Scratch, table: str, column: str, row: int = 0) -> Expect:
    line = set_cell(s.data / f"{table}.csv", row, column, f"{column[:3]}-nothing-like-this")
    return Expect(f"{table}.csv", line, column, "foreign-key", "does not exist")


@case("claim_sources names a claim that does not exist")
def dangling_claim_sources(s):
    return _dangling(s, "claim_sources", "claim_id")


@case("event_actors names an actor that does not exist")
def dangling_event_actors(s):
    return _dangling(s, "event_actors", "actor_id", 3)


@case("event_sources names an event that does not exist")
def dangling_event_sources(s):
    return _dangling(s, "event_sources", "event_id", 2)


@case("strategy_targets names a strategy that does not exist")
def dangling_strategy_targets(s):
    return _dangling(s, "strategy_targets", "strategy_id", 1)


@case("an actor's state is an actor that does not exist")
def dangling_self_reference(s):
    path = s.data / "actors.csv"
    return _dangling(s, "actors", "state_actor_id", first_row(path, lambda r: r["state_actor_id"] != ""))


# -- evidence ---------------------------------------------------------------------------------

@case("an excerpt with a straight quote where the source has a curly one")
def excerpt_straight_quote(s):
    path = s.data / "claims.csv"
    i = first_row(path, lambda r: "\u2019" in r["excerpt"])
    excerpt = read_rows(path)[1][i]["excerpt"]
    line = set_cell(path, i, "excerpt", excerpt.replace("\u2019", "'"))
    return Expect("claims.csv", line, "excerpt", "excerpt", "the source has '\u2019' where the excerpt has \"'\"")


@case("an excerpt with a word changed")
def excerpt_reworded(s):
    path = s.data / "strategies.csv"
    i = first_row(path, lambda r: " the " in r["excerpt"])
    excerpt = read_rows(path)[1][i]["excerpt"]
    line = set_cell(path, i, "excerpt", excerpt.replace(" the ", " a ", 1))
    return Expect("strategies.csv", line, "excerpt", "excerpt", "the source has")


@case("an excerpt quoted from a source that has no archived text")
def excerpt_without_archive(s):
    path = s.data / "event_sources.csv"
    _, sources = read_rows(s.data / "sources.csv")
    unarchived = {r["source_id"] for r in sources if r["archive_file"] == ""}
    i = first_row(path, lambda r: r["source_id"] in unarchived and r["excerpt"] == "")
    line = set_cell(path, i, "excerpt", "Some words")
    return Expect("event_sources.csv", line, "excerpt", "excerpt-source")


@case("no excerpt although the source is archived")
def excerpt_missing(s):
    path = s.data / "event_sources.csv"
    _, sources = read_rows(s.data / "sources.csv")
    archived = {r["source_id"] for r in sources if r["archive_file"] != ""}
    line = set_cell(path, first_row(path, lambda r: r["source_id"] in archived), "excerpt", "")
    return Expect("event_sources.csv", line, "excerpt", "excerpt-missing")


@case("an authority's words given for an archived article (they belong in excerpt)")
def authority_excerpt_of_archived_article(s):
    path = s.data / "event_sources.csv"
    _, sources = read_rows(s.data / "sources.csv")
    archived = {r["source_id"] for r in sources if r["archive_file"] != ""}
    line = set_cell(path, first_row(path, lambda r: r["source_id"] in archived), "authority_excerpt", "Some words here")
    return Expect("event_sources.csv", line, "authority_excerpt", "authority-excerpt-source", "is archived")


@case("a chronology event cites a source with no archived text and no words of the authority")
def authority_excerpt_missing(s):
    path = s.data / "event_sources.csv"
    _, sources = read_rows(s.data / "sources.csv")
    unarchived = {r["source_id"] for r in sources if r["archive_file"] == ""}
    i = first_row(path, lambda r: r["source_id"] in unarchived)
    event = read_rows(path)[1][i]["event_id"]
    events = s.data / "events.csv"
    j = first_row(events, lambda r: r["event_id"] == event)
    set_cell(events, j, "basis", "chronology")
    set_cell(events, j, "basis_note", "")
    return Expect("event_sources.csv", i + 2, "authority_excerpt", "authority-excerpt-missing", "on the chronology")


@case("a PLOVER context that is not in the manual's list, inside a list cell")
def context_item_unknown(s):
    path = s.data / "events.csv"
    line = set_cell(path, 0, "context", "military;econmic")
    return Expect("events.csv", line, "context", "enum", "item 'econmic': did you mean 'economic'?")


@case("a PLOVER mode of another category (visit is CONSULT's, not ASSAULT's)")
def mode_of_another_category(s):
    path = s.data / "events.csv"
    i = first_row(path, lambda r: r["category"] == "CONSULT")
    set_cell(path, i, "category", "ASSAULT")
    line = set_cell(path, i, "mode", "visit")
    return Expect("events.csv", line, "mode", "mode-of-assault")


@case("an archived text changed after its hash was recorded")
def archive_file_altered(s):
    i, row = archived_source(s)
    target = s.sources / row["archive_file"]
    target.write_bytes(target.read_bytes() + b"\n")
    return Expect("sources.csv", i + 2, "sha256", "sha256", "does not match the archived file")


@case("a mistyped hash")
def sha256_mistyped(s):
    i, row = archived_source(s)
    line = set_cell(s.data / "sources.csv", i, "sha256", row["sha256"][::-1])
    return Expect("sources.csv", line, "sha256", "sha256")


@case("an archive file that is not in the archive")
def archive_file_absent(s):
    i, _ = archived_source(s)
    line = set_cell(s.data / "sources.csv", i, "archive_file", "not_there.txt")
    return Expect("sources.csv", line, "archive_file", "archive-file")


@case("an archive path that climbs out with ../")
def archive_path_parent(s):
    i, row = archived_source(s)
    line = set_cell(s.data / "sources.csv", i, "archive_file", "../" + row["archive_file"])
    return Expect("sources.csv", line, "archive_file", "archive-path")


@case("an absolute archive path")
def archive_path_absolute(s):
    i, row = archived_source(s)
    line = set_cell(s.data / "sources.csv", i, "archive_file", str(s.sources.resolve() / row["archive_file"]))
    return Expect("sources.csv", line, "archive_file", "archive-path")


@case("an archive file that is a symbolic link out of the archive")
def archive_path_symlink(s):
    i, row = archived_source(s)
    outside = s.sources.parent / "outside.txt"
    shutil.copyfile(s.sources / row["archive_file"], outside)
    os.symlink(outside, s.sources / "linked.txt")
    line = set_cell(s.data / "sources.csv", i, "archive_file", "linked.txt")
    return Expect("sources.csv", line, "archive_file", "archive-path")


# -- hygiene of text --------------------------------------------------------------------------

@case("a cell of several megabytes")
def huge_cell(s):
    line = set_cell(s.data / "events.csv", 3, "summary", "North Korea " * 500_000)
    return Expect("events.csv", line, "summary", "cell-size")


def _formula(s: Scratch, start: str) -> Expect:
    path = s.data / "events.csv"
    line = set_cell(path, 1, "title", start + read_rows(path)[1][1]["title"])
    return Expect("events.csv", line, "title", "formula")


@case("text starting with = (a spreadsheet formula)")
def formula_equals(s):
    return _formula(s, '=HYPERLINK("http://example.com")&')


@case("text starting with +")
def formula_plus(s):
    return _formula(s, "+1 ")


@case("text starting with -")
def formula_minus(s):
    return _formula(s, "-2 ")


@case("text starting with @")
def formula_at(s):
    return _formula(s, "@SUM(A1) ")


@case("a tab inside a cell")
def control_tab(s):
    path = s.data / "actors.csv"
    line = set_cell(path, 2, "name", read_rows(path)[1][2]["name"].replace(" ", "\t", 1) + "\tx")
    return Expect("actors.csv", line, "name", "control-character")


@case("a quoted newline inside a cell; the rows after it keep their own lines")
def newline_in_cell(s):
    path = s.data / "events.csv"
    _, rows = read_rows(path)
    line = set_cell(path, 4, "summary", rows[4]["summary"] + "\nSecond paragraph.")
    set_cell(path, 5, "category", "CONSLUT")
    return [Expect("events.csv", line, "summary", "control-character"),
            Expect("events.csv", line + 2, "category", "enum")]


@case("an escape character (ESC) pasted from a terminal")
def control_escape(s):
    line = set_cell(s.data / "events.csv", 2, "location", "Moscow\x1b[0m")
    return Expect("events.csv", line, "location", "control-character")


@case("a zero-width space inside text")
def invisible_character(s):
    path = s.data / "claims.csv"
    line = set_cell(path, 1, "paraphrase", read_rows(path)[1][1]["paraphrase"].replace(" ", " \u200b", 1))
    return Expect("claims.csv", line, "paraphrase", "invisible-character")


@case("decomposed accents (NFD) instead of NFC")
def not_nfc(s):
    line = set_cell(s.data / "events.csv", 2, "location", "Pyongyang, Re\u0301publique")
    return Expect("events.csv", line, "location", "nfc")


@case("text starting with :: (a GitHub Actions workflow command at the start of a log line)")
def workflow_command(s):
    path = s.data / "actors.csv"
    line = set_cell(path, 3, "role", "::add-mask::x")
    return Expect("actors.csv", line, "role", "workflow-command")


@case("a line separator (U+2028) inside a cell, which JavaScript and editors read as a line break")
def line_separator(s):
    path = s.data / "events.csv"
    line = set_cell(path, 2, "summary", read_rows(path)[1][2]["summary"].replace(" ", "\u2028", 1))
    return Expect("events.csv", line, "summary", "control-character")


@case("a paragraph separator (U+2029) inside a cell")
def paragraph_separator(s):
    path = s.data / "claims.csv"
    line = set_cell(path, 1, "paraphrase", read_rows(path)[1][1]["paraphrase"] + "\u2029x")
    return Expect("claims.csv", line, "paraphrase", "control-character")


@case("a Cyrillic letter inside a Latin word (a look-alike: Mоscow)")
def mixed_script_cyrillic(s):
    line = set_cell(s.data / "events.csv", 2, "location", "M\u043escow")
    return Expect("events.csv", line, "location", "mixed-script")


@case("a Greek letter inside a Latin word (a look-alike: Pyοngyang)")
def mixed_script_greek(s):
    path = s.data / "actors.csv"
    line = set_cell(path, 2, "name", "Py\u03bfngyang " + read_rows(path)[1][2]["name"])
    return Expect("actors.csv", line, "name", "mixed-script")


@case("a stack of combining marks on one letter (Zalgo text)")
def combining_mark_stack(s):
    path = s.data / "events.csv"
    line = set_cell(path, 3, "title", read_rows(path)[1][3]["title"] + " x" + "\u0300\u0301\u0302\u0303\u0304" * 4)
    return Expect("events.csv", line, "title", "combining-marks")


@case("a pattern on a free-text column does not switch its hygiene off")
def pattern_keeps_hygiene(s):
    schema = s.schemas / "events.yaml"
    text = schema.read_text(encoding="utf-8")
    old = "    description: Short title in the curators' words.\n    constraints:\n"
    assert old in text
    schema.write_text(text.replace(old, old + "      pattern: \".+\"\n", 1), encoding="utf-8")
    line = set_cell(s.data / "events.csv", 1, "title", '=HYPERLINK("http://example.com")')
    return Expect("events.csv", line, "title", "formula")


@case("a web address with a scheme other than http or https")
def javascript_url(s):
    path = s.data / "sources.csv"
    line = set_cell(path, first_row(path, lambda r: r["url"] != ""), "url", "javascript://example.com/%0Aalert(1)")
    return Expect("sources.csv", line, "url", "format", "http or https")


@case("a web address whose host hides behind user information (http://trusted@other)")
def url_with_userinfo(s):
    path = s.data / "sources.csv"
    line = set_cell(path, first_row(path, lambda r: r["url"] != ""), "url", "https://www.reuters.com@example.org/x")
    return Expect("sources.csv", line, "url", "format")


@case("a trailing space")
def trailing_space(s):
    path = s.data / "actors.csv"
    line = set_cell(path, 4, "name", read_rows(path)[1][4]["name"] + " ")
    return Expect("actors.csv", line, "name", "whitespace")


@case("a double quote inside a value that is not quoted")
def quote_inside_unquoted_value(s):
    path = s.data / "event_actors.csv"
    line = edit_line(path, 3, lambda b: b.replace(b",act-", b',act"', 1))
    return Expect("event_actors.csv", line, None, "csv-syntax", "double quote in the middle")


@case("old Mac line ends (CR only); later rows keep their own line numbers")
def cr_only_line_ends(s):
    path = s.data / "events.csv"
    set_cell(path, 4, "category", "CONSLUT")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    return [Expect("events.csv", 1, None, "line-ends"), Expect("events.csv", 6, "category", "enum")]


@case("an id with a full-width letter that folds to an existing id")
def id_differs_by_fullwidth_letter(s):
    return _lookalike(s, lambda v: v[:4] + chr(ord(v[4]) - ord("a") + ord("\uff41")) + v[5:])


@case("a spreadsheet's 'sep=,' line above the header")
def excel_separator_line(s):
    path = s.data / "strategy_targets.csv"
    path.write_bytes(b"sep=,\n" + path.read_bytes())
    return Expect("strategy_targets.csv", 1, "sep=", "header")


@case("a file saved with semicolons between values")
def semicolon_separated(s):
    path = s.data / "event_actors.csv"
    path.write_bytes(path.read_bytes().replace(b",", b";"))
    return Expect("event_actors.csv", 1, None, "delimiter", "separates its values with semicolons, not commas")


@case("a file saved as UTF-16")
def utf16_file(s):
    path = s.data / "strategy_targets.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return Expect("strategy_targets.csv", 1, None, "encoding", "not UTF-8")


@case("a cell of several megabytes in a file the careful reader has to read (it also has a ragged row)")
def huge_cell_careful_path(s):
    path = s.data / "events.csv"
    line = set_cell(path, 3, "summary", "Pyongyang " * 500_000)
    ragged = append_line(path, "evt-2024-01-01-ragged,too,few")
    return [Expect("events.csv", line, "summary", "cell-size"), Expect("events.csv", ragged, None, "row-width")]


# -- the coding ledger (data/passages.csv) --------------------------------------------------------

def _ledger(s: Scratch):
    return read_rows(s.data / "passages.csv")


def _ledger_row(s: Scratch, predicate) -> tuple[int, dict[str, str]]:
    header, rows = _ledger(s)
    i = first_row(s.data / "passages.csv", predicate)
    return i, rows[i]


def _uncited(r: dict[str, str]) -> bool:
    return r["status"] == "not_coded" and r["reason"] == "page_chrome"


@case("a passage offset that is not a number")
def ledger_offset_not_a_number(s):
    i, _ = _ledger_row(s, _uncited)
    line = set_cell(s.data / "passages.csv", i, "start", "forty")
    return Expect("passages.csv", line, "start", "type", "not an integer")


@case("a passage cut short: its offsets are not the split's")
def ledger_passage_cut_short(s):
    i, row = _ledger_row(s, _uncited)
    line = set_cell(s.data / "passages.csv", i, "end", str(int(row["end"]) - 1))
    return [Expect("passages.csv", line, None, "ledger-split", "is not a passage"),
            Expect("passages.csv", None, None, "ledger-missing", "has no row in the ledger")]


@case("the same passage listed twice under two ids")
def ledger_passage_twice(s):
    header, rows = _ledger(s)
    i, row = _ledger_row(s, _uncited)
    last = max(int(r["passage_id"].rsplit("-", 1)[1]) for r in rows if r["source_id"] == row["source_id"])
    prefix = row["passage_id"].rsplit("-", 1)[0]
    write_rows(s.data / "passages.csv", header, rows + [{**row, "passage_id": f"{prefix}-{last + 1:03d}"}])
    return Expect("passages.csv", len(rows) + 2, None, "ledger-duplicate", "twice")


@case("a passage given another kind than the split gives it")
def ledger_wrong_kind(s):
    i, row = _ledger_row(s, lambda r: r["kind"] == "heading" and r["status"] == "not_coded")
    line = set_cell(s.data / "passages.csv", i, "kind", "sentence")
    return Expect("passages.csv", line, "kind", "ledger-kind", "heading")


@case("a passage of the article left out of the ledger")
def ledger_passage_left_out(s):
    header, rows = _ledger(s)
    i, row = _ledger_row(s, _uncited)
    write_rows(s.data / "passages.csv", header, rows[:i] + rows[i + 1:])
    return Expect("passages.csv", None, None, "ledger-missing", "has no row in the ledger")


@case("two passages numbered against the text's order")
def ledger_out_of_order(s):
    header, rows = _ledger(s)
    i, _ = _ledger_row(s, _uncited)
    a, b = rows[i], rows[i + 1]
    assert _uncited(b) and a["source_id"] == b["source_id"]
    keep = ("passage_id", "status", "reason", "repeats_passage_id")
    rows[i] = {**b, **{k: a[k] for k in keep}}
    rows[i + 1] = {**a, **{k: b[k] for k in keep}}
    write_rows(s.data / "passages.csv", header, rows)
    return Expect("passages.csv", i + 3, "passage_id", "ledger-order", "out of text order")


@case("a passage listed for a source that has no archived text")
def ledger_passage_of_an_authority(s):
    header, rows = _ledger(s)
    _, sources = read_rows(s.data / "sources.csv")
    authority = next(r["source_id"] for r in sources if not r["archive_file"])
    i, row = _ledger_row(s, _uncited)
    new_id = next(f"psg-zz-{n:03d}" for n in range(1, 1000) if f"psg-zz-{n:03d}" not in {r["passage_id"] for r in rows})
    write_rows(s.data / "passages.csv", header, rows + [{**row, "passage_id": new_id, "source_id": authority}])
    return Expect("passages.csv", len(rows) + 2, "source_id", "ledger-source", "not an archived article")


def _claim_and_other_passage(s: Scratch, same_source: bool) -> tuple[int, str]:
    _, claims = read_rows(s.data / "claims.csv")
    _, ledger = _ledger(s)
    i = first_row(s.data / "claims.csv", lambda r: r["passage_id"] != "")
    claim = claims[i]
    other = next(r["passage_id"] for r in ledger
                 if (r["source_id"] == claim["source_id"]) == same_source and r["status"] == "coded"
                 and r["passage_id"] != claim["passage_id"])
    return i, other


@case("a claim citing a passage of the other article")
def ledger_passage_of_another_source(s):
    i, other = _claim_and_other_passage(s, same_source=False)
    line = set_cell(s.data / "claims.csv", i, "passage_id", other)
    return Expect("claims.csv", line, "passage_id", "ledger-passage-source", "is a passage of")


@case("a claim citing a passage that does not hold its excerpt")
def ledger_excerpt_elsewhere(s):
    i, other = _claim_and_other_passage(s, same_source=True)
    line = set_cell(s.data / "claims.csv", i, "passage_id", other)
    return Expect("claims.csv", line, "passage_id", "ledger-excerpt", "does not contain the row's excerpt")


@case("a passage marked coded that no row cites")
def ledger_coded_but_uncited(s):
    i, _ = _ledger_row(s, _uncited)
    set_cell(s.data / "passages.csv", i, "reason", "")
    line = set_cell(s.data / "passages.csv", i, "status", "coded")
    return Expect("passages.csv", line, "status", "ledger-coded", "no row cites")


# -- root causes first: one problem, its consequences folded ------------------------------------

def _referenced_event(s: Scratch) -> tuple[int, str]:
    """A row of events.csv without quotes, whose event some event_actors rows refer to."""
    _, links = read_rows(s.data / "event_actors.csv")
    linked = {r["event_id"] for r in links}
    lines = raw_lines(s.data / "events.csv")
    for n, line in enumerate(lines[1:], start=2):
        key = line.split(b",", 1)[0].decode()
        if b'"' not in line and key in linked:
            return n, key
    raise AssertionError("no unquoted events row with links")


@case("a row missing one comma: one problem, the references to it folded into one line per file")
def row_missing_a_comma(s):
    line, key = _referenced_event(s)
    edit_line(s.data / "events.csv", line, lambda b: b[: b.rfind(b",")] + b[b.rfind(b",") + 1:])
    width_ = width(s.data / "events.csv")
    return [Expect("events.csv", line, None, "row-width", f"has {width_ - 1} fields; the header has {width_}"),
            Expect("event_actors.csv", None, "event_id", "foreign-key",
                   f"which data/events.csv:{line} does not define: a consequence")]


@case("an id written in uppercase: the pattern says lowercase, the references to it are folded")
def uppercase_id(s):
    line, key = _referenced_event(s)
    edit_line(s.data / "events.csv", line, lambda b: key.upper().encode() + b[len(key):])
    return [Expect("events.csv", line, "event_id", "pattern", f"ids are lowercase: write {key!r}",
                   never="appears in more than one row"),
            Expect("event_actors.csv", None, "event_id", "foreign-key",
                   f"which data/events.csv:{line} does not define: a consequence")]


def _referenced_actor(s: Scratch) -> tuple[int, str]:
    """The row (from 0) of an actor that event_actors refers to, and its id."""
    _, links = read_rows(s.data / "event_actors.csv")
    linked = {r["actor_id"] for r in links}
    i = first_row(s.data / "actors.csv", lambda r: r["actor_id"] in linked)
    return i, read_rows(s.data / "actors.csv")[1][i]["actor_id"]


@case("an actor's id in uppercase: one pattern problem, no false duplicate, the references folded")
def uppercase_actor_key(s):
    i, key = _referenced_actor(s)
    line = set_cell(s.data / "actors.csv", i, "actor_id", key.title())  # act-Andrei-Belousov
    return [Expect("actors.csv", line, "actor_id", "pattern", f"ids are lowercase: write {key!r}",
                   never="appears in more than one row"),
            Expect("event_actors.csv", None, "actor_id", "foreign-key",
                   f"which data/actors.csv:{line} does not define: a consequence")]


@case("an actor's id with a trailing space: the hint names the space, the references are folded, no duplicate")
def trailing_space_key(s):
    i, key = _referenced_actor(s)
    line = set_cell(s.data / "actors.csv", i, "actor_id", key + " ")
    return [Expect("actors.csv", line, "actor_id", "pattern", f"remove the trailing space: write {key!r}",
                   never="appears in more than one row"),
            Expect("event_actors.csv", None, "actor_id", "foreign-key",
                   f"which data/actors.csv:{line} does not define: a consequence")]


@case("a reference with a typo, to an actor whose own id is malformed: the hint never suggests the broken id")
def typo_towards_a_malformed_key(s):
    i, key = _referenced_actor(s)
    broken = key.title()
    set_cell(s.data / "actors.csv", i, "actor_id", broken)
    path = s.data / "event_actors.csv"
    row = first_row(path, lambda r: r["actor_id"] == key)
    line = set_cell(path, row, "actor_id", key[:-1])  # the last letter lost
    return [Expect("event_actors.csv", line, "actor_id", "foreign-key", "does not exist in actors.actor_id",
                   never=f"did you mean {broken!r}")]


@case("a URL with a trailing space: one problem, whose hint names the space")
def trailing_space_url(s):
    path = s.data / "sources.csv"
    i = first_row(path, lambda r: r["url"].startswith("https://"))
    url = read_rows(path)[1][i]["url"]
    line = set_cell(path, i, "url", url + " ")
    return Expect("sources.csv", line, "url", "format", f"remove the trailing space: write {url!r}",
                  never="(rule: whitespace)")


@case("a date with a leading space: the hint names the space, not the case of an id")
def leading_space_date(s):
    i = day_event(s)
    day = read_rows(s.data / "events.csv")[1][i]["start_date"]
    line = set_cell(s.data / "events.csv", i, "start_date", " " + day)
    return Expect("events.csv", line, "start_date", "pattern", f"remove the leading space: write {day!r}",
                  never="ids are lowercase")


@case("a date written with the month's name first (Nov 29 2024): the hint gives its ISO form")
def month_name_date(s):
    import datetime as _dt

    i = day_event(s)
    day = read_rows(s.data / "events.csv")[1][i]["start_date"]
    line = set_cell(s.data / "events.csv", i, "start_date", _dt.date.fromisoformat(day).strftime("%b %d %Y"))
    return Expect("events.csv", line, "start_date", "pattern", f"write it as {day} (ISO 8601")


@case("a date a spreadsheet showed without its year (Aug-03): the hint says the year is lost")
def date_without_its_year(s):
    import datetime as _dt

    i = day_event(s)
    day = _dt.date.fromisoformat(read_rows(s.data / "events.csv")[1][i]["start_date"])
    line = set_cell(s.data / "events.csv", i, "start_date", day.strftime("%b-%d"))
    return Expect("events.csv", line, "start_date", "pattern", f"{day.strftime('%b-%d')!r} has lost its year")


@case("a timestamp where a date belongs (2024-11-29T10:00): the hint gives the day")
def timestamp_date(s):
    i = day_event(s)
    day = read_rows(s.data / "events.csv")[1][i]["start_date"]
    line = set_cell(s.data / "events.csv", i, "start_date", day + "T10:00")
    return Expect("events.csv", line, "start_date", "pattern", f"write it as {day} (ISO 8601")


@case("dates written day first, one of them ambiguous: the file's other date settles its reading")
def day_first_dates(s):
    import datetime as _dt

    path = s.data / "events.csv"
    _, rows = read_rows(path)
    days = [i for i, r in enumerate(rows) if r["date_precision"] == "day" and not r["end_date"]]
    certain = next(i for i in days if _dt.date.fromisoformat(rows[i]["start_date"]).day > 12)
    day_month = {i: (_dt.date.fromisoformat(rows[i]["start_date"]).day, _dt.date.fromisoformat(rows[i]["start_date"]).month)
                 for i in days}
    ambiguous = next(i for i in days if day_month[i][0] <= 12 and day_month[i][0] != day_month[i][1])
    for i in (certain, ambiguous):
        d = _dt.date.fromisoformat(rows[i]["start_date"])
        line = set_cell(path, i, "start_date", f"{d.day}/{d.month}/{d.year}")
    d = _dt.date.fromisoformat(rows[ambiguous]["start_date"])
    return Expect("events.csv", line, "start_date", "pattern",
                  f"write it as {d.isoformat()} (ISO 8601: YYYY-MM-DD): the file writes the day first")


@case("an end date and a start date both wrong: reported in the file's column order")
def both_dates_wrong_in_column_order(s):
    path = s.data / "events.csv"
    i = first_row(path, lambda r: r["date_precision"] == "day" and r["end_date"] != "")
    set_cell(path, i, "end_date", "someday")
    line = set_cell(path, i, "start_date", "sometime")
    return [Expect("events.csv", line, "start_date", "pattern"), Expect("events.csv", line, "end_date", "pattern")]


@case("an excerpt with no passage_id: the hint names the passage the excerpt lies in")
def excerpt_without_passage(s):
    path = s.data / "event_sources.csv"
    i = first_row(path, lambda r: r["passage_id"] != "")
    passage = read_rows(path)[1][i]["passage_id"]
    line = set_cell(path, i, "passage_id", "")
    return Expect("event_sources.csv", line, "passage_id", "excerpt-names-passage", f"the excerpt lies in {passage}")


@case("a file a spreadsheet re-saved: byte-order mark, CRLF and dates as M/D/YYYY, named once")
def spreadsheet_resave(s):
    import csv as _csv
    import datetime as _dt
    import io as _io

    path = s.data / "events.csv"
    header, rows = read_rows(path)
    first = None
    for i, r in enumerate(rows):
        if len(r["start_date"]) == 10:
            d = _dt.date.fromisoformat(r["start_date"])
            r["start_date"] = f"{d.month}/{d.day}/{d.year}"
            first = first if first is not None else (i + 2, d.isoformat(), r["start_date"])
    buf = _io.StringIO()
    writer = _csv.DictWriter(buf, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    line, iso, _ = first
    return [Expect("events.csv", None, None, "spreadsheet", "looks opened and saved by a spreadsheet"),
            Expect("events.csv", line, "start_date", "pattern", f"write it as {iso}")]


# -- hardening, round 2 (issue 12): what a hostile or careless pull request can put in data/ ------

#: What a canary file holds: a header-like line that would surface in "is not a column" problems
#: if a link to it were followed. The canary is written by the case, inside the scratch checkout.
CANARY = "CANARY_a91f,SECRET_TOKEN_DO_NOT_PRINT"


def _canary(s: Scratch) -> Path:
    path = s.data.parent / "canary.txt"
    path.write_text(CANARY + "\n", encoding="utf-8")
    return path


@case("a table file that is a symbolic link to a file outside data/ (the link is not followed)")
def symlink_to_canary(s):
    path = s.data / "strategy_targets.csv"
    path.unlink()
    path.symlink_to(_canary(s))
    return Expect("strategy_targets.csv", None, None, "symlink", "symbolic link", never="SECRET_TOKEN")


@case("a table file that is a dangling symbolic link, named as the link, not as its target")
def symlink_dangling(s):
    path = s.data / "actors.csv"
    path.unlink()
    path.symlink_to(s.data.parent / "no-such-target.csv")
    return Expect("actors.csv", None, None, "symlink", never="no-such-target")


@case("two table files that are symbolic links to each other (a loop)")
def symlink_loop(s):
    a, b = s.data / "event_actors.csv", s.data / "event_sources.csv"
    a.unlink()
    b.unlink()
    a.symlink_to(b)
    b.symlink_to(a)
    return [Expect("event_actors.csv", None, None, "symlink"), Expect("event_sources.csv", None, None, "symlink")]


@case("data/ itself is a symbolic link to a copy of the data")
def data_dir_symlink(s):
    real = s.data.parent / "elsewhere"
    s.data.rename(real)
    s.data.symlink_to(real, target_is_directory=True)
    return Expect("events.csv", None, None, "symlink")


@case("a table 'file' that is a directory")
def table_is_a_directory(s):
    path = s.data / "actors.csv"
    path.unlink()
    path.mkdir()
    return Expect("actors.csv", None, None, "file", "not a regular file")


@case("a table 'file' that is a named pipe (reading it must not hang)")
def table_is_a_fifo(s):
    path = s.data / "strategy_targets.csv"
    path.unlink()
    os.mkfifo(path)
    return Expect("strategy_targets.csv", None, None, "file", "not a regular file")


@case("a table file over the size cap (a sparse file: nothing is read)")
def file_over_the_cap(s):
    from eastasia_data.files import MAX_TABLE_BYTES

    path = s.data / "actors.csv"
    with path.open("r+b") as f:
        f.truncate(MAX_TABLE_BYTES + 1)
    return Expect("actors.csv", None, None, "file-size", "over the cap")


@case("a quote at the end of an unquoted value (`,Korean War\",`)")
def quote_ends_unquoted_value(s):
    line = set_cell(s.data / "events.csv", 2, "location", "Korean War")
    edit_line(s.data / "events.csv", line, lambda b: b.replace(b",Korean War,", b',Korean War",', 1))
    return Expect("events.csv", line, None, "csv-syntax", "double quote")


@case("a doubled quote inside an unquoted value (`Korean \"\"War`)")
def doubled_quote_in_unquoted_value(s):
    line = set_cell(s.data / "events.csv", 2, "location", "Korean War")
    edit_line(s.data / "events.csv", line, lambda b: b.replace(b",Korean War,", b',Korean ""War,', 1))
    return Expect("events.csv", line, None, "csv-syntax", "double quote")


@case("a quote at the very end of a line, after an unquoted value")
def quote_at_end_of_line(s):
    path = s.data / "strategy_targets.csv"
    line = edit_line(path, 3, lambda b: b + b'"')
    return Expect("strategy_targets.csv", line, None, "csv-syntax", "double quote")


@case("a byte that is not UTF-8 in a file with CR line ends is reported on its own line")
def bad_byte_with_cr_line_ends(s):
    path = s.data / "events.csv"
    edit_line(path, 5, lambda b: b.replace(b",", b",caf\xe9 ", 1))
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    return [Expect("events.csv", 1, None, "line-ends"), Expect("events.csv", 5, None, "encoding", "not UTF-8")]


@case("a NUL byte in a file with CR line ends is reported on its own line")
def nul_with_cr_line_ends(s):
    path = s.data / "events.csv"
    edit_line(path, 4, lambda b: b.replace(b",", b",\x00", 1))
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    return Expect("events.csv", 4, None, "encoding", "NUL")


@case("a Latin-1 file with a bad byte on each of 2,000 rows (decoding is linear; the last row is named)")
def latin1_on_every_row(s):
    path = s.data / "strategy_targets.csv"
    header = raw_lines(path)[0]
    first = raw_lines(path)[1].rstrip(b"\n")
    rows = [first.replace(b",", b"\xe9,", 1) for _ in range(2000)]
    path.write_bytes(header + b"\n".join(rows) + b"\n")
    return [Expect("strategy_targets.csv", 2, None, "encoding"), Expect("strategy_targets.csv", 2001, None, "encoding")]


def _invisible(s: Scratch, char: str) -> Expect:
    path = s.data / "claims.csv"
    line = set_cell(path, 2, "paraphrase", read_rows(path)[1][2]["paraphrase"].replace(" ", " " + char, 1))
    return Expect("claims.csv", line, "paraphrase", "invisible-character")


for _name, _char, _why in [
    ("left-to-right-isolate", "\u2066", "a left-to-right isolate (Trojan Source)"),
    ("pop-directional-isolate", "\u2069", "a pop directional isolate (Trojan Source)"),
    ("arabic-letter-mark", "\u061c", "the Arabic letter mark"),
    ("combining-grapheme-joiner", "\u034f", "the combining grapheme joiner"),
    ("variation-selector", "\ufe0f", "a variation selector"),
    ("supplementary-variation-selector", "\U000e0100", "a supplementary variation selector"),
    ("tag-character", "\U000e0041", "a tag character"),
    ("private-use-character", "\ue000", "a private-use code point"),
    ("unassigned-code-point", "\u0378", "an unassigned code point"),
    ("noncharacter", "\ufdd0", "a noncharacter"),
    ("hangul-filler", "\u3164", "the Hangul filler"),
    ("braille-blank", "\u2800", "the braille blank"),
    ("interlinear-annotation", "\ufff9", "an interlinear annotation anchor"),
]:
    CASES[_name] = Case(_name, f"{_why} inside text", lambda s, c=_char: [_invisible(s, c)])


def _number_column(s: Scratch, ftype: str, value: str, **constraints) -> Expect:
    """Give strategy_targets a scratch column of ``ftype`` (no real schema has one) and put ``value`` in one row."""
    import yaml

    schema = s.schemas / "strategy_targets.yaml"
    raw = yaml.safe_load(schema.read_text(encoding="utf-8"))
    name = unused_column(s, "amount")
    field = {"name": name, "type": ftype, "description": "A scratch column for the corpus."}
    if constraints:
        field["constraints"] = constraints
    raw["fields"].append(field)
    schema.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    path = s.data / "strategy_targets.csv"
    header, rows = read_rows(path)
    rows = [{**r, name: "1"} for r in rows]
    rows[1][name] = value
    write_rows(path, header + [name], rows)
    return Expect("strategy_targets.csv", 3, name, "range")


CASES["integer-beyond-64-bits"] = Case("integer-beyond-64-bits", "an integer beyond the 64-bit range build can store",
                                       lambda s: [_number_column(s, "integer", "9223372036854775808")])
CASES["negative-integer-beyond-64-bits"] = Case(
    "negative-integer-beyond-64-bits", "a negative integer beyond the 64-bit range",
    lambda s: [_number_column(s, "integer", "-99999999999999999999")])
CASES["number-overflows-to-infinity"] = Case("number-overflows-to-infinity", "a number (1e400) that overflows to infinity",
                                             lambda s: [_number_column(s, "number", "1e400")])
CASES["number-infinity"] = Case("number-infinity", "a number written Infinity",
                                lambda s: [_number_column(s, "number", "Infinity")])
CASES["integer-above-maximum"] = Case("integer-above-maximum", "an integer above its column's maximum",
                                      lambda s: [_number_column(s, "integer", "11", maximum=10)])
CASES["number-below-minimum"] = Case("number-below-minimum", "a number below its column's minimum",
                                     lambda s: [_number_column(s, "number", "-0.5", minimum=0)])


@case("a one-letter excerpt, which any article contains")
def excerpt_one_letter(s):
    path = s.data / "strategies.csv"
    i = first_row(path, lambda r: r["excerpt"] != "")
    line = set_cell(path, i, "excerpt", "a")
    return Expect("strategies.csv", line, "excerpt", "excerpt-length", "fewer than 2 words")


@case("a date precision given for a source with no date")
def precision_without_date(s):
    path = s.data / "sources.csv"
    i = first_row(path, lambda r: r["published_date"] == "" and r["archive_file"] == "")
    line = set_cell(path, i, "published_date_precision", "year")
    return Expect("sources.csv", line, "published_date_precision", "precision", "published_date is empty")


# -- the codings table: cells that name another table's row, column and value -------------------

def _codings(s: Scratch, bad: dict[str, str]) -> int:
    """Write two good codings of the first claim's verdict and then ``bad``; return the bad row's line."""
    _, claims = read_rows(s.data / "claims.csv")
    claim = claims[0]
    header, _ = read_rows(s.data / "codings.csv")
    good = {"table_name": "claims", "row_key": claim["claim_id"], "field": "verdict", "round": "1",
            "value": claim["verdict"], "note": "", "adjudication": ""}
    rows = [{**good, "coder": "coder-a"}, {**good, "coder": "coder-b"}, {**good, "coder": "coder-c", **bad}]
    write_rows(s.data / "codings.csv", header, rows)
    return 4


@case("a coding names a claim that does not exist (row_key)")
def coding_names_no_row(s):
    line = _codings(s, {"row_key": "clm-nothing-like-this"})
    return Expect("codings.csv", line, "row_key", "row-key", "a row key of claims is its claim_id")


@case("a coding names an event by a key with a typo: the hint names the closest key")
def coding_row_key_typo(s):
    _, events = read_rows(s.data / "events.csv")
    event = events[0]
    line = _codings(s, {"table_name": "events", "row_key": event["event_id"] + "x", "field": "category",
                        "value": event["category"]})
    return Expect("codings.csv", line, "row_key", "row-key", f"did you mean {event['event_id']!r}")


@case("a coding codes a column its table does not have (events.verdict)")
def coding_column_not_in_table(s):
    _, events = read_rows(s.data / "events.csv")
    line = _codings(s, {"table_name": "events", "row_key": events[0]["event_id"], "field": "verdict"})
    return Expect("codings.csv", line, "field", "coded-column", "is not a column of events")


@case("a coding gives a value the coded column does not allow")
def coding_value_not_allowed(s):
    line = _codings(s, {"value": "true"})
    return Expect("codings.csv", line, "value", "coded-value", "supported, partly_supported")


@case("a coding in round 0 (rounds count from 1)")
def coding_round_zero(s):
    line = _codings(s, {"round": "0"})
    return Expect("codings.csv", line, "round", "range")
# -- the corrections register (data/corrections.csv) against the data and the releases ----------

def _correction(s: Scratch, row: dict[str, str]) -> int:
    """Append an entry to the register; return its line."""
    path = s.data / "corrections.csv"
    header, rows = read_rows(path)
    entry = {"correction_id": "cor-900", "table_name": "events", "row_key": first_key(s, "events"), "columns": "title",
             "release": "", "what_was_wrong": "The title was misspelt.", "evidence_source_id": "",
             "reported_by": "issue 99", "status": "corrected", **row}
    write_rows(path, header, rows + [entry])
    return len(rows) + 2


def first_key(s: Scratch, table: str) -> str:
    header, rows = read_rows(s.data / f"{table}.csv")
    return rows[0][header[0]]


@case("a correction names a row that is neither in the data nor in the release before it")
def correction_names_no_row(s):
    line = _correction(s, {"row_key": "evt-2099-01-01-never-happened"})
    return Expect("corrections.csv", line, "row_key", "correction-row", "names no row of data/events.csv nor of release")


@case("a correction names a row removed in 1.0.0 but says 2.0.0 made it (the row is not in 1.0.0)")
def correction_names_a_row_removed_earlier(s):
    line = _correction(s, {"table_name": "sources", "row_key": "src-kbs-2023-07-21-kotra-nk-trade", "release": "2.0.0",
                           "columns": "source_id"})
    return Expect("corrections.csv", line, "row_key", "correction-row", "did you mean 'src-kbs-2023-07-20-kotra-nk-trade'")


@case("a correction's row_key of a composite key has one value (not joined with ' | ')")
def correction_key_not_joined(s):
    header, rows = read_rows(s.data / "strategy_targets.csv")
    line = _correction(s, {"table_name": "strategy_targets", "row_key": rows[0]["strategy_id"], "columns": "actor_id"})
    return Expect("corrections.csv", line, "row_key", "correction-row", "keyed by 2 (strategy_id, actor_id)")


@case("a correction names a column its table does not have")
def correction_unknown_column(s):
    line = _correction(s, {"columns": "title sumary"})
    return Expect("corrections.csv", line, "columns", "correction-columns", "is not a column of events")


@case("a correction names a release that was never made")
def correction_unknown_release(s):
    line = _correction(s, {"release": "1.5.0"})
    return Expect("corrections.csv", line, "release", "correction-release", "names no release")
