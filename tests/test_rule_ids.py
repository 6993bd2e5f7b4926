"""Checks name their rules through the catalogue (`curation/rules.py`), never by an id written out.

A rule id typed at a check site would be reported even if the catalogue has no such rule (and so
no line in docs/rules.md, no corpus case); naming the catalogue's object instead makes a typo an
import error. These tests read the source of every curation module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from eastasia_data.curation import rules
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.rules import RULES, CatalogRule

CURATION = Path(rules.__file__).parent
MODULES = sorted(p for p in CURATION.rglob("*.py") if p.name != "rules.py")


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _strings(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node


def _rule_arguments(path: Path):
    """The rule argument of every ``Problem(...)`` call (the fifth) and ``<table file>.problem(...)`` call (the fourth)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in ("Problem", "problem"):
            continue
        at = 4 if name == "Problem" else 3
        given = [k.value for k in node.keywords if k.arg == "rule"] or node.args[at:at + 1]
        yield from ((node.lineno, arg) for arg in given)


def test_there_are_modules_to_read():
    assert len(MODULES) > 20 and any(p.name == "reader.py" for p in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CURATION)))
def test_no_check_writes_a_hyphenated_rule_id(path):
    hyphenated = {rule for rule in RULES if "-" in rule}
    found = [(node.lineno, node.value) for node in _strings(path) if node.value in hyphenated]
    assert found == [], f"{path.name}: name these rules through curation.rules, not as text: {found}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CURATION)))
def test_no_problem_is_made_with_a_rule_written_as_text(path):
    found = [(line, arg.value) for line, arg in _rule_arguments(path)
             if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    assert found == [], f"{path.name}: pass the catalogue's rule (e.g. rules.PATTERN), not text: {found}"


def test_the_scan_finds_the_problems_the_checks_make():
    """The AST scan above sees real call sites (a scan that matched nothing would pass for nothing)."""
    reader, ledger = CURATION / "reader.py", CURATION / "checks" / "ledger.py"
    assert {arg.id for _, arg in _rule_arguments(reader) if isinstance(arg, ast.Name)} >= {"ROW_WIDTH", "CSV_SYNTAX"}
    assert {arg.id for _, arg in _rule_arguments(ledger) if isinstance(arg, ast.Name)} >= {"LEDGER_SPLIT"}


def test_every_named_rule_is_in_the_catalogue_under_its_own_id():
    named = {name: value for name, value in vars(rules).items() if isinstance(value, CatalogRule)}
    assert sorted(named.values()) == sorted(RULES)
    assert all(RULES[value] is value and name == value.upper().replace("-", "_") for name, value in named.items())


def test_a_problem_keeps_the_rule_id_and_takes_the_rules_hint():
    rule = CatalogRule("demo-rule", "file", "a demonstration", hint="do this")
    p = Problem("data/x.csv", 2, None, None, rule, "is odd")
    assert type(p.rule) is str and p.rule == "demo-rule" and p.hint == "do this"
    assert Problem("data/x.csv", 2, None, None, rule, "is odd", "do that").hint == "do that"


def test_the_flags_give_the_sets_the_readers_used_to_list():
    """What the reader, snapshot and consequences each listed by hand, now read off the catalogue."""
    assert rules.ids("parses") == {"line-ends", "header", "column-order", "missing-optional-column"}
    assert rules.ids("loses_row") == {"row-width", "csv-syntax"}
    assert rules.ids("breaks_key") == {"pattern", "required", "lookalike-id", "invisible-character", "whitespace",
                                       "nfc"}
    # diff refuses a table it cannot type: these and the files that could not be read at all
    assert rules.ids("unreadable") == {"file", "encoding", "csv-syntax", "row-width", "header", "symlink", "file-size"}


def test_every_value_rule_is_a_rule_of_the_catalogue():
    """The rules on a column's values (patterns, allowed values, types, bounds, lengths) report catalogue ids:
    a length bound once reported `minLength`, which no page listed."""
    from eastasia_data.curation.checks.table import value_rules
    from eastasia_data.curation.schemas import read_model
    from eastasia_data.model import Category, Field

    fields = [f for t in read_model().values() for f in t.fields] + [
        Field("t", "string", "A text.", min_length=2, max_length=5, pattern="[a-z]+"),
        Field("n", "number", "A number.", minimum=0, maximum=1),
        Field("i", "integer", "An integer."), Field("b", "boolean", "A flag."), Field("d", "date", "A day."),
        Field("u", "string", "A URL.", format="uri"), Field("c", "string", "One of.", categories=(Category("a", ""),)),
    ]
    names = {r.name for f in fields for r in value_rules(f)}
    assert {"range", "pattern", "type", "date", "format", "enum"} <= names
    assert names <= set(RULES), sorted(names - set(RULES))
