"""The codebook (docs/codebook.md) and the schemas agree: one section per allowed value, no more.

Every column with allowed values (``categories`` in ``schemas/<table>.yaml``, read by the
project's own model reader) is a coded column. For each, the codebook has a section
``### <table> <column>`` and under it one section ``#### <table> <column>: `<value>``` per
allowed value, whose GitHub anchor is :func:`codebook_anchor`. The tests check both
directions (every value has its section; no section names a table, column or value the
schemas lack), that the anchors are unique, that every section says something, that the rows
the worked examples cite exist, and that the data dictionary and datasheet link to the
codebook and its anchors.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

import pytest
from conftest import MODEL, REPO
from markdown_it import MarkdownIt

from eastasia_data.curation.docs import CODEBOOK_PATH, codebook_anchor, coded_columns, render_dictionary

CODEBOOK_FILE = REPO / CODEBOOK_PATH
CODEBOOK = CODEBOOK_FILE.read_text(encoding="utf-8")
DATASHEET = (REPO / "docs" / "datasheet.md").read_text(encoding="utf-8")
CODED = [(table, f.name) for table, f in coded_columns(MODEL)]
VALUE_HEADING = re.compile(r"(?P<table>[a-z_]+) (?P<column>[a-z_]+): (?P<value>\S+)")
COLUMN_HEADING = re.compile(r"(?P<table>[a-z_]+) (?P<column>[a-z_]+)")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # as rendered: inline code without its backticks
    line: int  # 1-based line in the file
    body: str  # the text up to the next heading


def github_anchor(text: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation other than - and _ dropped, spaces to -."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def headings(markdown: str) -> list[Heading]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    lines = markdown.splitlines()
    found = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            text = "".join(child.content for child in tokens[i + 1].children or ())
            found.append((int(token.tag[1]), text, token.map[0]))
    out = []
    for n, (level, text, start) in enumerate(found):
        end = found[n + 1][2] if n + 1 < len(found) else len(lines)
        out.append(Heading(level, text, start + 1, "\n".join(lines[start + 1:end])))
    return out


HEADINGS = headings(CODEBOOK)
VALUE_SECTIONS = [h for h in HEADINGS if h.level == 4]


def sections_of(table: str, column: str) -> dict[str, Heading]:
    out = {}
    for h in VALUE_SECTIONS:
        m = VALUE_HEADING.fullmatch(h.text)
        if m and (m["table"], m["column"]) == (table, column):
            out[m["value"]] = h
    return out


def test_headings_are_parsed():
    """The parser sees the page's structure (a guard for the tests below)."""
    assert HEADINGS[0].level == 1
    assert len(VALUE_SECTIONS) >= sum(len(f.enum) for _, f in coded_columns(MODEL))


@pytest.mark.parametrize(("table", "column"), CODED, ids=[f"{t}.{c}" for t, c in CODED])
def test_every_allowed_value_has_its_section_and_no_other(table, column):
    allowed = MODEL[table].field(column).enum
    documented = sections_of(table, column)
    missing = [v for v in allowed if v not in documented]
    unknown = [v for v in documented if v not in allowed]
    assert not missing, f"{CODEBOOK_PATH}: {table}.{column}: no section for {missing}"
    assert not unknown, f"{CODEBOOK_PATH}: {table}.{column}: sections for values the schema lacks: {unknown}"
    # in the schema's order, so the codebook reads like the scale it documents
    assert list(documented) == list(allowed)


@pytest.mark.parametrize(("table", "column"), CODED, ids=[f"{t}.{c}" for t, c in CODED])
def test_value_sections_sit_under_their_column(table, column):
    current = None
    for h in HEADINGS:
        if h.level <= 3:
            current = h.text if h.level == 3 else None
        elif h in sections_of(table, column).values():
            assert current == f"{table} {column}", f"{CODEBOOK_PATH}:{h.line}: '{h.text}' is under '{current}'"


def test_every_value_section_names_a_coded_column_and_value():
    coded = {(t, f.name): f.enum for t, f in coded_columns(MODEL)}
    for h in VALUE_SECTIONS:
        m = VALUE_HEADING.fullmatch(h.text)
        assert m, f"{CODEBOOK_PATH}:{h.line}: level-4 heading '{h.text}' is not '<table> <column>: `value`'"
        key = (m["table"], m["column"])
        assert key in coded, f"{CODEBOOK_PATH}:{h.line}: no categorical column {key[0]}.{key[1]} in schemas/"
        assert m["value"] in coded[key], f"{CODEBOOK_PATH}:{h.line}: {key[0]}.{key[1]} has no value {m['value']!r}"


def test_column_sections_name_coded_columns():
    coded = {(t, c) for t, c in CODED}
    columns = [h for h in HEADINGS if h.level == 3 and COLUMN_HEADING.fullmatch(h.text)]
    named = {(m["table"], m["column"]) for h in columns for m in [COLUMN_HEADING.fullmatch(h.text)]}
    assert named >= coded, f"no '### <table> <column>' section for {sorted(coded - named)}"
    stray = {(t, c) for t, c in named if t in MODEL} - coded
    assert not stray, f"'### <table> <column>' sections for columns without allowed values: {sorted(stray)}"


def test_anchors_follow_the_scheme_and_are_unique():
    anchors = [github_anchor(h.text) for h in HEADINGS]
    duplicates = sorted({a for a in anchors if anchors.count(a) > 1})
    assert not duplicates, f"{CODEBOOK_PATH}: headings with the same anchor: {duplicates}"
    for h in VALUE_SECTIONS:
        m = VALUE_HEADING.fullmatch(h.text)
        assert github_anchor(h.text) == codebook_anchor(m["table"], m["column"], m["value"])


def test_every_value_section_says_how_to_choose_it():
    for h in VALUE_SECTIONS:
        words = re.findall(r"[A-Za-z]+", h.body)
        assert len(words) >= 12, f"{CODEBOOK_PATH}:{h.line}: section '{h.text}' is (nearly) empty"


def test_links_inside_the_codebook_resolve():
    anchors = {github_anchor(h.text) for h in HEADINGS}
    links = re.findall(r"\]\(#([^)]+)\)", CODEBOOK)
    assert links
    assert not [a for a in links if a not in anchors]


ROW_ID = re.compile(r"\b(?:act|clm|evt|psg|src|str)-[a-z0-9]+(?:-[a-z0-9]+)*")
ID_COLUMNS = {"act": ("actors", "actor_id"), "clm": ("claims", "claim_id"), "evt": ("events", "event_id"),
              "psg": ("passages", "passage_id"), "src": ("sources", "source_id"),
              "str": ("strategies", "strategy_id")}


def test_worked_examples_cite_rows_that_exist():
    """Every identifier the codebook cites is a row of data/ (no example from memory)."""
    cited = set(ROW_ID.findall(CODEBOOK))
    assert len(cited) > 50
    known = set()
    for table, column in ID_COLUMNS.values():
        with open(REPO / "data" / MODEL[table].csv_name, encoding="utf-8", newline="") as handle:
            known |= {row[column] for row in csv.DictReader(handle)}
    assert sorted(cited - known) == []


def test_dictionary_links_every_value_to_its_section():
    dictionary = render_dictionary()
    anchors = {github_anchor(h.text) for h in HEADINGS}
    for table, column in CODED:
        for value in MODEL[table].field(column).enum:
            anchor = codebook_anchor(table, column, value)
            assert anchor in anchors
            assert f"| `{value}` | " in dictionary and f"](codebook.md#{anchor}) |" in dictionary, anchor
    for anchor in re.findall(r"\]\(codebook\.md#([^)]+)\)", dictionary + DATASHEET):
        assert anchor in anchors, anchor


def test_datasheet_and_dictionary_link_the_codebook():
    dictionary = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert "[codebook](codebook.md)" in dictionary
    assert "[codebook](codebook.md)" in DATASHEET
