"""The catalogue of rules: every way the data can be wrong, in one place.

Every :class:`~eastasia_data.curation.problems.Problem` names the rule it breaks. A rule
here has an id (what a problem line shows after ``rule:``), the layer that checks it, a
title, and whether ``eastasia-data fmt`` repairs it. ``fmt`` reads :data:`RULES` to decide
what it may rewrite, ``docs/rules.md`` is generated from it, and a test ties every rule to at
least one case of the bad-input corpus. The cross-field rules a schema file declares under
``rules:`` are named in that file and reported under their own names (layer ``fields``);
:func:`known` accepts them for a given model.

Examples
--------
>>> from eastasia_data.curation.rules import RULES
>>> RULES["byte-order-mark"].fmt_repairs, RULES["foreign-key"].layer
(True, 'relations')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eastasia_data.model import Table

#: The check layers, in the order a report is made.
LAYERS = {
    "schema": "the schema files (schemas/*.yaml): plain files of plain YAML that follow schemas/table-schema.json",
    "file": "the file: present, readable, UTF-8 with LF line ends, RFC 4180 CSV",
    "table": "each column's values against its schema (required, unique, patterns, allowed values, types)",
    "fields": "cross-field rules within a row (dates and precision, the schema's rules)",
    "relations": "keys across tables (foreign keys, look-alike ids, cells naming another table's row, column or value)",
    "corrections": "the corrections register against the tables and the releases: each entry names a released row and its columns",
    "evidence": "the archive of source texts: files, hashes, verbatim excerpts",
    "ledger": "the coding ledger: every passage of every archived article accounted for",
    "hygiene": "text cells: Unicode NFC, no control or invisible characters, no stray whitespace or formulas, "
               "no look-alike letters of another script inside a word, no stacks of combining marks",
}


@dataclass(frozen=True)
class Rule:
    """One rule: its id, the layer that checks it, what it asks, and what ``fmt`` does about it.

    ``fmt`` is ``"repairs"`` (rewriting the file fixes it), ``"keeps"`` (the file can still be
    rewritten losslessly, and the problem stays for a person to fix) or ``None`` (a file with
    this problem cannot be read losslessly, so ``fmt`` refuses it; only file-layer rules
    matter here, ``fmt`` runs no other layer).
    """

    id: str
    layer: str
    title: str
    fmt: str | None = None

    @property
    def fmt_repairs(self) -> bool:
        """Whether rewriting the file fixes a problem of this rule.

        Examples
        --------
        >>> RULES["nfc"].fmt_repairs, RULES["no-rows"].fmt_repairs
        (True, False)
        """
        return self.fmt == "repairs"


def _rules(*rules: Rule) -> dict[str, Rule]:
    out = {r.id: r for r in rules}
    assert len(out) == len(rules) and all(r.layer in LAYERS for r in rules)
    return out


RULES: dict[str, Rule] = _rules(
    # schema (a problem here stops the run: exit 2, one line per problem)
    Rule("schema-file", "schema", "a schema file is a plain file (no link), at most 1 MiB, in UTF-8"),
    Rule("schema-yaml", "schema", "a schema file is one YAML document without anchors, aliases, tags or repeated keys"),
    Rule("schema-structure", "schema", "a schema file follows schemas/table-schema.json (no unknown key, every type right)"),
    Rule("schema-meaning", "schema", "patterns compile; rules name columns of the table and values among their categories; "
         "number constraints are finite and within the column type's range"),
    Rule("schema-text", "schema", "schema text (descriptions, category values and labels) keeps the hygiene rules of cells; "
         "URLs are http or https"),
    # file
    Rule("file", "file", "every table's CSV exists, and every CSV is a table"),
    Rule("symlink", "file", "a table's file (and data/ itself) is a plain file, not a symbolic link"),
    Rule("file-size", "file", "a table's file is at most 600 MiB (four times the 1,000,000-row benchmark)"),
    Rule("encoding", "file", "the file is UTF-8 text without NUL bytes"),
    Rule("byte-order-mark", "file", "the file does not start with a byte-order mark", fmt="repairs"),
    Rule("line-ends", "file", "lines end with LF, not CR or CRLF", fmt="repairs"),
    Rule("csv-syntax", "file", "the file is RFC 4180 CSV: balanced quotes, no blank lines, quotes only around a cell"),
    Rule("row-width", "file", "every row has as many cells as the header"),
    Rule("spreadsheet", "file", "a file is not a spreadsheet's re-save (byte-order mark, CRLF, dates in its form)"),
    Rule("delimiter", "file", "values are separated by commas (not semicolons or tabs)"),
    Rule("header", "file", "the header names each column of the schema once, and no other"),
    Rule("column-order", "file", "the columns are in the schema's order", fmt="repairs"),
    Rule("missing-optional-column", "file", "an optional column of the schema is in the header", fmt="repairs"),
    Rule("trailing-blank-line", "file", "the file does not end with blank lines", fmt="repairs"),
    Rule("no-rows", "file", "a table has at least one row", fmt="keeps"),
    # table
    Rule("required", "table", "a required cell is filled in"),
    Rule("unique", "table", "a unique column repeats no value"),
    Rule("primary-key", "table", "no two rows share a primary key"),
    Rule("pattern", "table", "an id matches its column's pattern"),
    Rule("enum", "table", "a value is one of its column's allowed values"),
    Rule("type", "table", "a value has its column's type (integer, number, boolean, date)"),
    Rule("date", "table", "a date is a real calendar date written YYYY, YYYY-MM or YYYY-MM-DD"),
    Rule("format", "table", "a URL is an absolute http or https URL"),
    Rule("range", "table", "an integer fits in 64 bits and a number is finite, both within the column's bounds"),
    # fields
    Rule("precision", "fields", "a date has the form its precision column states, and a precision goes with a date"),
    Rule("date-order", "fields", "a date does not precede the date it may not precede"),
    # relations
    Rule("foreign-key", "relations", "a reference names a row that exists in the referenced table"),
    Rule("lookalike-id", "relations", "no two keys differ only by case, an invisible character or a look-alike letter"),
    Rule("row-key", "relations", "a row key (rowKeyOf) names an existing row of its table: the primary key's values "
                                 "in key order joined by ' | '"),
    Rule("coded-column", "relations", "a coded column (columnOf) is a column of the table the row names"),
    Rule("coded-value", "relations", "a coded value (valueOf) is one of the allowed values of the column it codes"),
    # corrections
    Rule("correction-release", "corrections", "a correction's release is a released version, or the version being released"),
    Rule("correction-row", "corrections",
         "a correction's row_key names a row of the current data, or of the release before its release (a row removed or re-keyed)"),
    Rule("correction-columns", "corrections", "a correction's columns are columns of its table"),
    # evidence
    Rule("archive", "evidence", "the source archive can be read (required when CI=true)"),
    Rule("archive-path", "evidence", "an archive file name is a plain name inside the archive"),
    Rule("archive-file", "evidence", "an archive file exists in the archive"),
    Rule("sha256", "evidence", "an archived file matches its recorded sha256"),
    Rule("excerpt", "evidence", "an excerpt is a verbatim substring of its source's archived text"),
    Rule("excerpt-length", "evidence", "an excerpt has at least two words (a letter or a word is found in any article)"),
    Rule("excerpt-source", "evidence", "an excerpt is given only for a source with an archived text"),
    Rule("excerpt-missing", "evidence", "a row citing an archived source quotes it"),
    Rule("authority-excerpt-source", "evidence", "an authority's words (authorityExcerptOf) are given only for a source "
                                                 "with no archived text; an archived article is quoted in the excerpt"),
    Rule("authority-excerpt-missing", "evidence", "a chronology event's source with no archived text has the "
                                                  "authority's own words (event_sources.authority_excerpt)"),
    # ledger
    Rule("ledger-source", "ledger", "the ledger lists passages of archived articles only"),
    Rule("ledger-split", "ledger", "each ledger row is a passage as eastasia_data.curation.passages.split cuts the text"),
    Rule("ledger-duplicate", "ledger", "each passage is listed once"),
    Rule("ledger-kind", "ledger", "a passage's kind is the one the split gives"),
    Rule("ledger-missing", "ledger", "every passage of every archived article is listed"),
    Rule("ledger-order", "ledger", "passage ids follow the passages' order in the article"),
    Rule("ledger-passage-source", "ledger", "a row cites a passage of its own source"),
    Rule("ledger-excerpt", "ledger", "a row's excerpt lies within the passage it cites"),
    Rule("ledger-coded", "ledger", "a passage is coded exactly when a row cites it"),
    # hygiene
    Rule("control-character", "hygiene", "a cell holds no control character (newline, tab, U+2028, ...)"),
    Rule("invisible-character", "hygiene", "a cell holds no invisible character"),
    Rule("whitespace", "hygiene", "a cell has no leading or trailing whitespace (fmt trims it, except in verbatim excerpts)"),
    Rule("formula", "hygiene", "a cell does not start with =, +, - or @"),
    Rule("workflow-command", "hygiene", "a cell does not start with :: (a CI workflow command)"),
    Rule("mixed-script", "hygiene", "no word mixes Latin, Cyrillic or Greek letters (a look-alike letter)"),
    Rule("combining-marks", "hygiene", "no letter carries more than two combining marks"),
    Rule("cell-size", "hygiene", "a cell is at most 10,000 characters"),
    Rule("nfc", "hygiene", "text is in Unicode normalisation form NFC", fmt="repairs"),
)


def known(rule: str, model: Mapping[str, Table]) -> bool:
    """Whether ``rule`` is in the catalogue or is a cross-field rule of one of the model's schemas.

    Examples
    --------
    >>> from eastasia_data.curation.schemas import read_model
    >>> known("foreign-key", read_model()), known("opinion-not-rated", read_model()), known("nope", read_model())
    (True, True, False)
    """
    return rule in RULES or any(rule == r.name for t in model.values() for r in t.rules)


def fmt_can_rewrite(rule: str) -> bool:
    """Whether ``eastasia-data fmt`` can still rewrite a file with a problem of this rule.

    Examples
    --------
    >>> fmt_can_rewrite("line-ends"), fmt_can_rewrite("no-rows"), fmt_can_rewrite("csv-syntax")
    (True, True, False)
    """
    found = RULES.get(rule)
    return bool(found and found.fmt in ("repairs", "keeps"))


def render_rules() -> str:
    """The catalogue as Markdown (``docs/rules.md``), one table per layer.

    Examples
    --------
    >>> render_rules().splitlines()[0]
    '# Rules'
    """
    lines = ["# Rules", "",
             "<!-- Generated by `eastasia-data generate` from eastasia_data/curation/rules.py; do not edit by hand. -->",
             "",
             "Every problem `eastasia-data validate` reports names one of these rules (`rule: …`), or a",
             "cross-field rule declared under `rules:` in a schema file (listed in the data dictionary).",
             "`fmt` repairs the rules marked so; every other problem is fixed by hand.", ""]
    for layer, about in LAYERS.items():
        lines += [f"## {layer}", "", about[0].upper() + about[1:] + ".", "", "| rule | what it asks | `fmt` repairs it |",
                  "|---|---|---|"]
        lines += [f"| `{r.id}` | {r.title} | {'yes' if r.fmt_repairs else ''} |" for r in RULES.values() if r.layer == layer]
        lines.append("")
    return "\n".join(lines)
