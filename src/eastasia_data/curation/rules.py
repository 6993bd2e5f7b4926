"""The catalogue of rules: every way the data can be wrong, in one place.

Every :class:`~eastasia_data.curation.problems.Problem` names the rule it breaks. A rule
here has an id (what a problem line shows after ``rule:``), the layer that checks it, a
text of what it asks, and whether ``eastasia-data fmt`` repairs it. ``fmt`` reads :data:`RULES` to decide
what it may rewrite, ``docs/rules.md`` is generated from it, and a test ties every rule to at
least one case of the bad-input corpus. The cross-field rules a schema file declares under
``rules:`` are named in that file and reported under their own names (layer ``fields``);
:func:`known` accepts them for a given model.

Examples
--------
>>> from eastasia_data.curation.rules import RULES
>>> RULES["byte-order-mark"].fmt_repairs, RULES["foreign-key"].layer
(True, 'relations')
>>> FOREIGN_KEY is RULES["foreign-key"]
True
"""

from __future__ import annotations

from collections.abc import Mapping

from eastasia_data.model import Table

#: The check layers, in the order a report is made.
LAYERS = {
    "schema": "the schema files (schemas/*.yaml): plain files of plain YAML that follow schemas/table-schema.json",
    "file": "the file: present, readable, UTF-8 with LF line ends, RFC 4180 CSV",
    "table": "each column's values against its schema (required, unique, patterns, allowed values, types)",
    "fields": "cross-field rules within a row (dates and precision, the schema's rules)",
    "relations": "keys across tables (foreign keys, look-alike ids, cells naming another table's row, column "
    "or value)",
    "corrections": "the corrections register against the tables and the releases: each entry names a released "
    "row and its columns",
    "evidence": "the archive of source texts: files, hashes, verbatim excerpts",
    "ledger": "the coding ledger: every passage of every archived article accounted for",
    "hygiene": "text cells: Unicode NFC, no control or invisible characters, no stray whitespace or formulas, "
               "no look-alike letters of another script inside a word, no stacks of combining marks",
}


class CatalogRule(str):
    """One rule of the catalogue: its id (the rule *is* that string), the layer that checks it, what it ``asks``.

    A check names the rule it reports by this object (``tf.problem(i, column, value, PATTERN,
    message)``), never by its id written out, so a rule that is not in the catalogue cannot be
    reported: a misspelt name fails at import. Being its id, it compares equal to the ``rule``
    of a problem (``p.rule == PATTERN``). (The cross-field rules a schema file declares are
    :class:`eastasia_data.model.Rule`.)

    ``fmt`` is ``"repairs"`` (rewriting the file fixes it), ``"keeps"`` (the file can still be
    rewritten losslessly, and the problem stays for a person to fix) or ``None`` (a file with
    this problem cannot be read losslessly, so ``fmt`` refuses it; only file-layer rules
    matter here, ``fmt`` runs no other layer). The flags say what a problem of the rule does
    to the reading of its table:

    ``parses``
        the file's bytes still parse as they are (the reader keeps its fast path);
    ``unreadable``
        the table cannot be typed or compared (``diff`` refuses it);
    ``loses_row``
        the row is not taken, so the rows that refer to it dangle (``consequences`` folds them);
    ``breaks_key``
        the row's key is malformed, so the rows that refer to it dangle too.

    ``hint`` is the fix a problem of the rule shows when its check gives none.

    Examples
    --------
    >>> rule = CatalogRule("demo", "file", "a demonstration", None, False, True)
    >>> rule == "demo", rule.layer, rule.unreadable, rule.id
    (True, 'file', True, 'demo')
    """

    layer: str
    asks: str
    fmt: str | None
    parses: bool
    unreadable: bool
    loses_row: bool
    breaks_key: bool
    hint: str

    def __new__(cls, id: str, layer: str, asks: str, fmt: str | None = None, parses: bool = False,
                unreadable: bool = False, loses_row: bool = False, breaks_key: bool = False,
                hint: str = "") -> CatalogRule:
        self = super().__new__(cls, id)
        self.layer, self.asks, self.fmt, self.hint = layer, asks, fmt, hint
        self.parses, self.unreadable, self.loses_row, self.breaks_key = parses, unreadable, loses_row, breaks_key
        return self

    def __reduce__(self):
        return (CatalogRule, (str(self), self.layer, self.asks, self.fmt, self.parses, self.unreadable,
                              self.loses_row, self.breaks_key, self.hint))

    @property
    def id(self) -> str:
        """The rule's id, as a plain string (what a problem line shows after ``rule:``).

        Examples
        --------
        >>> PATTERN.id, type(PATTERN.id).__name__
        ('pattern', 'str')
        """
        return str(self)

    @property
    def fmt_repairs(self) -> bool:
        """Whether rewriting the file fixes a problem of this rule.

        Examples
        --------
        >>> RULES["nfc"].fmt_repairs, RULES["no-rows"].fmt_repairs
        (True, False)
        """
        return self.fmt == "repairs"


def ids(flag: str) -> frozenset[str]:
    """The ids of the rules whose attribute ``flag`` is true.

    Examples
    --------
    >>> sorted(ids("loses_row"))
    ['csv-syntax', 'row-width']
    """
    return frozenset(r.id for r in RULES.values() if getattr(r, flag))


def _rules(*rules: CatalogRule) -> dict[str, CatalogRule]:
    out = {r.id: r for r in rules}
    assert len(out) == len(rules) and all(r.layer in LAYERS for r in rules)
    return out


# schema (a problem here stops the run: exit 2, one line per problem)
SCHEMA_FILE = CatalogRule("schema-file", "schema", "a schema file is a plain file (no link), at most 1 MiB, in UTF-8")
SCHEMA_YAML = CatalogRule("schema-yaml", "schema", "a schema file is one YAML document without anchors, "
    "aliases, tags or repeated keys")
SCHEMA_STRUCTURE = CatalogRule("schema-structure", "schema", "a schema file follows schemas/table-schema.json "
    "(no unknown key, every type right)")
SCHEMA_MEANING = CatalogRule("schema-meaning", "schema", "patterns compile; rules name columns of the table "
    "and values among their categories; "
    "number constraints are finite and within the column type's range")
SCHEMA_TEXT = CatalogRule("schema-text", "schema", "schema text (descriptions, category values and labels) "
    "keeps the hygiene rules of cells; "
    "URLs are http or https")
# file
FILE = CatalogRule("file", "file", "every table's CSV exists, and every CSV is a table", unreadable=True)
SYMLINK = CatalogRule("symlink", "file", "a table's file (and data/ itself) is a plain file, not a symbolic link",
    unreadable=True)
FILE_SIZE = CatalogRule("file-size", "file", "a table's file is at most 600 MiB (four times the 1,000,000-row "
    "benchmark)",
    unreadable=True)
ENCODING = CatalogRule("encoding", "file", "the file is UTF-8 text without NUL bytes", unreadable=True)
BYTE_ORDER_MARK = CatalogRule("byte-order-mark", "file", "the file does not start with a byte-order mark",
    fmt="repairs")
LINE_ENDS = CatalogRule("line-ends", "file", "lines end with LF, not CR or CRLF", fmt="repairs", parses=True)
CSV_SYNTAX = CatalogRule("csv-syntax", "file", "the file is RFC 4180 CSV: balanced quotes, no blank lines, "
    "quotes only around a cell",
    unreadable=True, loses_row=True)
ROW_WIDTH = CatalogRule("row-width", "file", "every row has as many cells as the header",
    unreadable=True, loses_row=True)
SPREADSHEET = CatalogRule("spreadsheet", "file", "a file is not a spreadsheet's re-save (byte-order mark, "
    "CRLF, dates in its form)")
DELIMITER = CatalogRule("delimiter", "file", "values are separated by commas (not semicolons or tabs)")
HEADER = CatalogRule("header", "file", "the header names each column of the schema once, and no other",
    parses=True, unreadable=True)
COLUMN_ORDER = CatalogRule("column-order", "file", "the columns are in the schema's order",
    fmt="repairs", parses=True)
MISSING_OPTIONAL_COLUMN = CatalogRule("missing-optional-column", "file", "an optional column of the schema is "
    "in the header",
    fmt="repairs", parses=True)
TRAILING_BLANK_LINE = CatalogRule("trailing-blank-line", "file", "the file does not end with blank lines",
    fmt="repairs")
NO_ROWS = CatalogRule("no-rows", "file", "a table has at least one row", fmt="keeps")
# table
REQUIRED = CatalogRule("required", "table", "a required cell is filled in", breaks_key=True)
UNIQUE = CatalogRule("unique", "table", "a unique column repeats no value")
PRIMARY_KEY = CatalogRule("primary-key", "table", "no two rows share a primary key")
PATTERN = CatalogRule("pattern", "table", "an id matches its column's pattern", breaks_key=True)
ENUM = CatalogRule("enum", "table", "a value is one of its column's allowed values")
TYPE = CatalogRule("type", "table", "a value has its column's type (integer, number, boolean, date)")
DATE = CatalogRule("date", "table", "a date is a real calendar date written YYYY, YYYY-MM or YYYY-MM-DD")
FORMAT = CatalogRule("format", "table", "a URL is an absolute http or https URL")
RANGE = CatalogRule("range", "table", "an integer fits in 64 bits and a number is finite, both within the "
    "column's bounds; a text is within its column's minLength and maxLength")
# fields
PRECISION = CatalogRule("precision", "fields", "a date has the form its precision column states, and a "
    "precision goes with a date")
DATE_ORDER = CatalogRule("date-order", "fields", "a date does not precede the date it may not precede")
# relations
FOREIGN_KEY = CatalogRule("foreign-key", "relations", "a reference names a row that exists in the referenced table")
LOOKALIKE_ID = CatalogRule("lookalike-id", "relations", "no two keys differ only by case, an invisible "
    "character or a look-alike letter",
    breaks_key=True)
ROW_KEY = CatalogRule("row-key", "relations", "a row key (rowKeyOf) names an existing row of its table: the "
    "primary key's values "
    "in key order joined by ' | '")
CODED_COLUMN = CatalogRule("coded-column", "relations", "a coded column (columnOf) is a column of the table "
    "the row names")
CODED_VALUE = CatalogRule("coded-value", "relations", "a coded value (valueOf) is one of the allowed values "
    "of the column it codes")
# corrections
CORRECTION_RELEASE = CatalogRule("correction-release", "corrections", "a correction's release is a released "
    "version, or the version being released")
CORRECTION_ROW = CatalogRule("correction-row", "corrections",
    "a correction's row_key names a row of the current data, or of the release before its release (a row "
    "removed or re-keyed)")
CORRECTION_COLUMNS = CatalogRule("correction-columns", "corrections", "a correction's columns are columns of "
    "its table")
# evidence
ARCHIVE = CatalogRule("archive", "evidence", "the source archive can be read (required when CI=true)")
ARCHIVE_PATH = CatalogRule("archive-path", "evidence", "an archive file name is a plain name inside the archive")
ARCHIVE_FILE = CatalogRule("archive-file", "evidence", "an archive file exists in the archive")
SHA256 = CatalogRule("sha256", "evidence", "an archived file matches its recorded sha256")
EXCERPT = CatalogRule("excerpt", "evidence", "an excerpt is a verbatim substring of its source's archived text")
EXCERPT_LENGTH = CatalogRule("excerpt-length", "evidence", "an excerpt has at least two words (a letter or a "
    "word is found in any article)")
EXCERPT_SOURCE = CatalogRule("excerpt-source", "evidence", "an excerpt is given only for a source with an "
    "archived text")
EXCERPT_MISSING = CatalogRule("excerpt-missing", "evidence", "a row citing an archived source quotes it")
AUTHORITY_EXCERPT_SOURCE = CatalogRule("authority-excerpt-source", "evidence", "an authority's words "
    "(authorityExcerptOf) are given only for a source "
    "with no archived text; an archived article is quoted in the excerpt")
AUTHORITY_EXCERPT_MISSING = CatalogRule("authority-excerpt-missing", "evidence", "a chronology event's source "
    "with no archived text has the "
    "authority's own words (event_sources.authority_excerpt)")
# ledger
LEDGER_SOURCE = CatalogRule("ledger-source", "ledger", "the ledger lists passages of archived articles only")
LEDGER_SPLIT = CatalogRule("ledger-split", "ledger", "each ledger row is a passage as "
    "eastasia_data.curation.passages.split cuts the text")
LEDGER_DUPLICATE = CatalogRule("ledger-duplicate", "ledger", "each passage is listed once")
LEDGER_KIND = CatalogRule("ledger-kind", "ledger", "a passage's kind is the one the split gives")
LEDGER_MISSING = CatalogRule("ledger-missing", "ledger", "every passage of every archived article is listed")
LEDGER_ORDER = CatalogRule("ledger-order", "ledger", "passage ids follow the passages' order in the article")
LEDGER_PASSAGE_SOURCE = CatalogRule("ledger-passage-source", "ledger", "a row cites a passage of its own source")
LEDGER_EXCERPT = CatalogRule("ledger-excerpt", "ledger", "a row's excerpt lies within the passage it cites")
LEDGER_CODED = CatalogRule("ledger-coded", "ledger", "a passage is coded exactly when a row cites it")
# hygiene
CONTROL_CHARACTER = CatalogRule("control-character", "hygiene", "a cell holds no control character (newline, "
    "tab, U+2028, ...)")
INVISIBLE_CHARACTER = CatalogRule("invisible-character", "hygiene", "a cell holds no invisible character",
    breaks_key=True)
WHITESPACE = CatalogRule("whitespace", "hygiene", "a cell has no leading or trailing whitespace (fmt trims "
    "it, except in verbatim excerpts)",
    breaks_key=True)
FORMULA = CatalogRule("formula", "hygiene", "a cell does not start with =, +, - or @")
WORKFLOW_COMMAND = CatalogRule("workflow-command", "hygiene", "a cell does not start with :: (a CI workflow command)")
MIXED_SCRIPT = CatalogRule("mixed-script", "hygiene", "no word mixes Latin, Cyrillic or Greek letters (a "
    "look-alike letter)")
COMBINING_MARKS = CatalogRule("combining-marks", "hygiene", "no letter carries more than two combining marks")
CELL_SIZE = CatalogRule("cell-size", "hygiene", "a cell is at most 10,000 characters")
NFC = CatalogRule("nfc", "hygiene", "text is in Unicode normalisation form NFC", fmt="repairs", breaks_key=True)

#: Every rule of the catalogue, by id, in the order of the layers.
RULES: dict[str, CatalogRule] = _rules(
    SCHEMA_FILE, SCHEMA_YAML, SCHEMA_STRUCTURE, SCHEMA_MEANING, SCHEMA_TEXT, FILE, SYMLINK, FILE_SIZE, ENCODING,
    BYTE_ORDER_MARK, LINE_ENDS, CSV_SYNTAX, ROW_WIDTH, SPREADSHEET, DELIMITER, HEADER, COLUMN_ORDER,
    MISSING_OPTIONAL_COLUMN, TRAILING_BLANK_LINE, NO_ROWS, REQUIRED, UNIQUE, PRIMARY_KEY, PATTERN, ENUM, TYPE,
    DATE, FORMAT, RANGE, PRECISION, DATE_ORDER, FOREIGN_KEY, LOOKALIKE_ID, ROW_KEY, CODED_COLUMN, CODED_VALUE,
    CORRECTION_RELEASE, CORRECTION_ROW, CORRECTION_COLUMNS, ARCHIVE, ARCHIVE_PATH, ARCHIVE_FILE, SHA256, EXCERPT,
    EXCERPT_LENGTH, EXCERPT_SOURCE, EXCERPT_MISSING, AUTHORITY_EXCERPT_SOURCE, AUTHORITY_EXCERPT_MISSING,
    LEDGER_SOURCE, LEDGER_SPLIT, LEDGER_DUPLICATE, LEDGER_KIND, LEDGER_MISSING, LEDGER_ORDER,
    LEDGER_PASSAGE_SOURCE, LEDGER_EXCERPT, LEDGER_CODED, CONTROL_CHARACTER, INVISIBLE_CHARACTER, WHITESPACE,
    FORMULA, WORKFLOW_COMMAND, MIXED_SCRIPT, COMBINING_MARKS, CELL_SIZE, NFC,
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
        lines += [f"| `{r.id}` | {r.asks} | {'yes' if r.fmt_repairs else ''} |" for r in RULES.values() if r.layer == layer]
        lines.append("")
    return "\n".join(lines)
