"""Each output language's escaping, proven by parsing its output back (hypothesis).

For HTML, JSON inside HTML and Markdown: whatever text a cell holds, a real parser of the
language (html5lib, ``json``, markdown-it-py's CommonMark) reads back that text and no
element, link or image. For spreadsheets, the terminal, GitHub workflow commands and
matplotlib text: no formula, control sequence, command or mathtext survives.
"""

from __future__ import annotations

import json
import re

import html5lib
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eastasia_data.publish import escape

#: Text as hostile as hypothesis can make it, weighted towards the characters of markup.
MARKUP = "<>&\"'`*_~[]()!#|\\$-+=.:;/@%{}\t\r\n \u2028\u2029\u202e\u2066\x1b\x9b\x00\x07\x0b\xa0"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(MARKUP), st.characters(codec="utf-8")), max_size=60)
WORDS = st.lists(st.sampled_from(["<b>x</b>", "</script>", "<!--", "![i](http://e.test/i.png)", "[l](http://e.test)",
                                  "<http://e.test>", "# h", "- ", "1. ", "> ", "***", "`c`", "$x$", "&amp;", "&#60;",
                                  "|", "\\", "  ", "\n", "---", "=", "::error::x", "%0A", "www.e.test", "x", "_", "__", "a_b"]),
                 max_size=8).map("".join)
ANY = st.one_of(TEXT, WORDS)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fragment(markup: str):
    return html5lib.parseFragment(markup, treebuilder="etree", namespaceHTMLElements=False)


def _text(element) -> str:
    return "".join(element.itertext())


def _html_text(s: str, nul: str = "") -> str:
    """What HTML itself does to text before any escaping matters: CR and CRLF become LF, NUL is dropped
    from text (``nul``: U+FFFD in an attribute)."""
    return s.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", nul)


# -- HTML -------------------------------------------------------------------------------------

@FAST
@given(ANY)
@example("<script>alert(1)</script>")
@example('" onmouseover="alert(1)')
def test_html_text_and_attribute_read_back_as_the_text_and_nothing_else(s):
    root = _fragment(f'<p title="{escape.html(s)}">{escape.html(s)}</p>')
    (p,) = list(root)
    assert p.tag == "p" and list(p) == [] and dict(p.attrib) == {"title": _html_text(s, "\ufffd")}
    assert _text(root) == _html_text(s)


@FAST
@given(ANY)
def test_html_is_what_jinja_autoescape_writes(s):
    markupsafe = pytest.importorskip("markupsafe")
    assert escape.html(s) == str(markupsafe.escape(s))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "javascript://x%0Aalert(1)", "data:text/html,x", "//e.test",
                                 "http://", "https://e.test/a b", "http://e.test/\x07", "vbscript:x", " http://e.test"])
def test_only_http_addresses_become_links(url):
    assert escape.http_url(url) is None


# -- JSON inside HTML -------------------------------------------------------------------------

@FAST
@given(ANY, ANY)
@example("</script><script>alert(1)</script>", "<!--")
def test_json_in_html_reads_back_as_the_document_and_ends_no_script(key, value):
    document = {"@type": "ClaimReview", key: value, "list": [value, {"x": key}]}
    page = f'<!DOCTYPE html><html><head><script type="application/ld+json">{escape.json_in_html(document)}</script>' \
           "</head><body><p>after</p></body></html>"
    tree = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    scripts = tree.findall(".//script")
    assert len(scripts) == 1
    assert json.loads(scripts[0].text) == document
    assert [e.tag for e in tree.iter()] == ["html", "head", "script", "body", "p"]
    assert not re.search("[<>&\u2028\u2029]", escape.json_in_html(document))


# -- Markdown ---------------------------------------------------------------------------------

#: Controls that markdown-it-py leaves as a literal ``&#1;`` instead of decoding (its
#: ``isValidEntityCode``, stricter than CommonMark), and NUL, which CommonMark replaces.
NOT_DECODED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _markdown_html(md: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(md)


#: Each place a writer puts a cell: the document around it, and the element that must hold its text alone.
CONTEXTS = {
    "paragraph": ("{}\n", "p"),
    "table cell": ("| a | b |\n|---|---|\n| x | {} |\n", "td"),
    "list item": ("- {}\n", "li"),
    "heading": ("## {}\n", "h2"),
    "after a paragraph line": ("text\n{}\n", "p"),
}


@FAST
@given(ANY.filter(lambda s: not NOT_DECODED.search(s)))
@example("<img src=x onerror=alert(1)>")
@example("![x](http://e.test/x.png)")
@example("[x]: http://e.test")
@example("1) item")
@example("    indented code")
@example("a\\|b")
@example("===")
@example("---")
@example("- - -")
@example("10) x")
@example("a_b __c__ d_ _e f__g_h")
@example("é_1_ü *x*")
@example("+")
@pytest.mark.parametrize("context", CONTEXTS)
def test_markdown_renders_as_the_text_and_nothing_else(context, s):
    template, wrapper = CONTEXTS[context]
    root = _fragment(_markdown_html(template.format(escape.markdown(s))))
    holders = [e for e in root.iter() if e.tag == wrapper]
    expected = _html_text(s)
    if context == "after a paragraph line":
        expected = "text\n" + expected if s else "text"
    if not s and context in ("paragraph", "list item"):
        expected = ""  # an empty paragraph is no paragraph at all
    # nothing but the expected wrapper (and the table's own elements) appears
    allowed = {"table": {"table", "thead", "tbody", "tr", "th", "td"}, "list": {"ul"}}.get(context.split()[0], set())
    allowed |= {wrapper}
    assert {e.tag for e in root.iter() if e is not root} <= allowed
    if context == "table cell":
        assert len(holders) == 2 and _text(holders[1]) == expected
    elif expected or holders:
        assert len(holders) == 1 and list(holders[0]) == [] and _text(holders[0]) == expected


@FAST
@given(ANY)
def test_markdown_holds_no_raw_control_or_line_break(s):
    out = escape.markdown(s)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", out)
    assert len(out.splitlines()) <= 1


@FAST
@given(ANY.filter(lambda s: not NOT_DECODED.search(s)))
@example("a`b")
@example("` `")
@example("a|b")
@pytest.mark.parametrize("table", [False, True])
def test_markdown_code_renders_as_the_text_and_nothing_else(table, s):
    md = escape.markdown_code(s, table=table)
    doc = f"| a |\n|---|\n| {md} |\n" if table else f"{md}\n"
    root = _fragment(_markdown_html(doc))
    tags = {e.tag for e in root.iter() if e is not root} - {"table", "thead", "tbody", "tr", "th", "td", "p"}
    assert tags <= {"code"}
    holder = [e for e in root.iter() if e.tag == ("td" if table else "p")]
    if s:
        assert _text(holder[-1]) == _html_text(s)


# -- spreadsheets -----------------------------------------------------------------------------

@FAST
@given(ANY)
@example("=HYPERLINK(\"http://e.test\",\"x\")")
@example("\t=1+1")
def test_no_formula_survives_a_spreadsheet_cell(s):
    out = escape.spreadsheet(s)
    assert not out.startswith(escape.FORMULA_START)
    assert out == s or out == "'" + s


def test_the_xlsx_export_stores_a_formula_as_quoted_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import pandas as pd

    from eastasia_data.publish.export import export
    from eastasia_data.loader import load, tables

    frames = {t: load(t) for t in tables()}
    hostile = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://e.test\")"]
    events = frames["events"].copy()
    events["title"] = events["title"].astype(object)
    events.loc[events.index[: len(hostile)], "title"] = hostile
    frames["events"] = events
    path = export("xlsx", tmp_path / "e.xlsx", frames=frames)
    sheet = openpyxl.load_workbook(path)["events"]
    column = [c.value for c in sheet[1]].index("title") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, 2 + len(hostile))]
    assert [c.value for c in cells] == hostile
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert isinstance(events, pd.DataFrame)


# -- terminal ---------------------------------------------------------------------------------

TERMINAL_ACTS_ON = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@FAST
@given(ANY)
@example("\x1b]8;;http://e.test\x07link\x1b]8;;\x07")
@example("\x9b2J")
def test_no_control_sequence_survives_the_terminal(s):
    out = escape.terminal(s)
    assert not TERMINAL_ACTS_ON.search(out)
    assert len(out.splitlines()) <= 1
    kept = escape.terminal(s, lines=True)
    assert not TERMINAL_ACTS_ON.search(kept.replace("\n", ""))
    assert kept.count("\n") == s.count("\n")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_show_on_a_terminal_prints_no_control_sequence(fmt, frames, monkeypatch, capsys):
    import sys

    import eastasia_data.loader as loader
    from eastasia_data.cli import main

    changed, row = _with(frames, HOSTILE["terminal-escape"] + HOSTILE["line-separator-and-bidi"])
    monkeypatch.setattr(loader, "load", lambda table, version=None, **kw: changed[table])
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["show", "claims", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert not TERMINAL_ACTS_ON.search(out.replace("\n", "").replace("\r", "") if fmt == "csv" else out.rstrip("\n"))
    assert "\\x1b[2J" in out or "\\u001b[2J" in out


@FAST
@given(ANY)
def test_terminal_json_is_the_same_json_and_safe(s):
    text = json.dumps({"v": s}, ensure_ascii=False)
    out = escape.terminal_json(text)
    assert json.loads(out) == {"v": s}
    assert not TERMINAL_ACTS_ON.search(out)


@pytest.mark.parametrize("error", [ValueError, OSError])
def test_an_error_quoting_a_control_sequence_is_shown_escaped(error, monkeypatch, capsys):
    # a matplotlib mathtext error spans three lines; a value quoted in a message may hold ESC
    import eastasia_data.loader as loader
    from eastasia_data.cli import main

    def fail(*args, **kwargs):
        raise error("bad title:\n$\\frac{1}{0$\n     ^ \x1b[2J\u202e")

    monkeypatch.setattr(loader, "tables", fail)
    assert main(["tables"]) == 2
    err = capsys.readouterr().err
    assert not TERMINAL_ACTS_ON.search(err.replace("\n", ""))
    if error is ValueError:  # an unexpected failure is one line
        assert len(err.splitlines()) == 1 and err.startswith("error: tables failed unexpectedly: ValueError")


# -- GitHub workflow commands -----------------------------------------------------------------

def _runner_unescape(text: str, *, prop: bool) -> str:
    """How the Actions runner decodes a command's message (``%0D``, ``%0A``, then ``%25``) or property."""
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
    for code, char in pairs:
        text = text.replace(code, char)
    return text


def _commands(log: str) -> list[str]:
    """The lines of a log the runner reads as workflow commands (it ends a line at CR, LF or CRLF)."""
    return [line for line in re.split("\r\n|\r|\n", log) if line.lstrip().startswith("::")]


@FAST
@given(ANY, ANY)
@example("a,b:c", "x\n::add-mask::secret\n::error::y")
def test_a_workflow_command_carries_its_text_and_no_other_command(title, message):
    line = f"::error title={escape.workflow_property(title)}::{escape.workflow_message(message)}"
    assert _commands(line) == [line]
    props, _, data = line[len("::error "):].partition("::")
    assert _runner_unescape(data, prop=False) == message
    assert props.count(",") == 0 and _runner_unescape(props[len("title="):], prop=True) == title


@FAST
@given(ANY)
@example("::stop-commands::x\n  ::error::y")
@example("\xa0\u3000::error::y")
def test_no_workflow_command_survives_a_log_line(s):
    assert _commands(escape.workflow_log(s)) == []


def test_a_problems_annotation_uses_the_workflow_escaping():
    from eastasia_data.curation.problems import Problem

    p = Problem("data/a,b.csv", 3, "title", "x\n::error::y", "required", "is empty")
    assert _commands(p.as_github()) == [p.as_github()]


# -- matplotlib text --------------------------------------------------------------------------

@FAST
@given(ANY)
@example("$\\frac{1}{0$")
@example("$x$ and $y$")
@example("\\$x$")
def test_no_mathtext_survives_a_figure_label(s):
    text_module = pytest.importorskip("matplotlib.text")
    out = escape.figure_text(s)
    shown, math = text_module.Text(text=out)._preprocess_math(out)
    assert math is False
    visible = TERMINAL_ACTS_ON.sub(" ", s)
    assert shown == visible or (shown.endswith("…") and visible.startswith(shown[:-1].rstrip()))
    assert len(shown) <= escape.FIGURE_LABEL and len(shown.splitlines()) <= 1


def test_a_hostile_title_draws(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    for title in ("$\\frac{1}{0$", "$x$ " * 400, "a\nb\x1b[2J"):
        ax.set_title(escape.figure_text(title))
        fig.savefig(tmp_path / "f.png")


@FAST
@given(ANY.filter(lambda s: not NOT_DECODED.search(s)))
@example("Identifier, `act-` then <b>x</b>")
@example("joined by ` | ` e.g. `a | b`")
@example("``a`` `b")
def test_markdown_with_code_spans_makes_only_code_and_keeps_a_table_row(s):
    md = escape.markdown(s, code=True)
    root = _fragment(_markdown_html(f"| a | b |\n|---|---|\n| {md} | end |\n"))
    tags = {e.tag for e in root.iter() if e is not root}
    assert tags <= {"table", "thead", "tbody", "tr", "th", "td", "code"}
    cells = [e for e in root.iter() if e.tag == "td"]
    assert len(cells) == 2 and _text(cells[1]) == "end"
    if "`" not in s:
        assert md == escape.markdown(s) and _text(cells[0]) == _html_text(s)


# -- the output corpus: each class of hostile value that validate lets through (by design, or in a
# -- frame a reader modified, or in an older release), through every writer that carries it ------

#: A value of each class, and the column of the claims table it is put in.
HOSTILE = {
    "html-and-script": "Pact </script><script>alert(1)</script> <img src=x onerror=alert(1)>",
    "markdown-image-and-link": "Pact ![i](http://e.test/i.png) and [a link](http://e.test/l)",
    "markdown-heading-and-table": "# Pact | broken | cell",
    "markdown-list-and-emphasis": "- **Pact** _x_ ~~y~~ `z`",
    "math-dollars": "Pact $\\frac{1}{0$ costs $5$",
    "line-separator-and-bidi": "Pact\u2028next \u202eevil",
    "terminal-escape": "Pact \x1b[2J\x1b]0;title\x07 \x9b31m",
    "very-long": "Pact " + "very long words " * 40,
}
#: Elements a Markdown renderer must not make from a cell.
NO_ELEMENT = ("img", "a", "script", "em", "strong", "code", "s", "del", "h1", "h4", "ul", "ol", "blockquote")


@pytest.fixture(scope="module")
def frames():
    from eastasia_data.loader import load, tables

    return {t: load(t) for t in tables()}


def _with(frames, value, table="claims", column="paraphrase"):
    frame = frames[table].copy()
    frame[column] = frame[column].astype(object)
    rated = frame.index[frame["verdict"].astype(str) == "contradicted"][0] if table == "claims" else frame.index[0]
    frame.loc[rated, column] = value
    return {**frames, table: frame}, frame.loc[rated]


def _elements(markdown_text: str) -> set[str]:
    return {e.tag for e in _fragment(_markdown_html(markdown_text)).iter()}


@pytest.mark.parametrize("case", HOSTILE)
def test_show_markdown_keeps_a_hostile_cell_text(case, frames, monkeypatch, capsys):
    import eastasia_data.loader as loader
    from eastasia_data.cli import main

    changed, row = _with(frames, HOSTILE[case])
    monkeypatch.setattr(loader, "load", lambda table, version=None, **kw: changed[table])
    assert main(["show", "claims", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert escape.markdown(HOSTILE[case]) in out
    assert not set(NO_ELEMENT) & _elements(out)
    assert not TERMINAL_ACTS_ON.search(out.replace("\n", ""))
    assert len(out.splitlines()) == len(changed["claims"]) + 2


@pytest.mark.parametrize("case", HOSTILE)
def test_the_diff_and_the_changelog_entry_keep_a_hostile_cell_text(case):
    import dataclasses

    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.diff_render import render_changelog, render_markdown, render_text
    from eastasia_data.curation.snapshot import from_release
    from eastasia_data.releases import release_dir

    old = from_release(release_dir(), "old")
    claims = old.tables["claims"]
    frame = claims.frame.copy()
    frame.loc[frame.index[0], "paraphrase"] = HOSTILE[case]
    new = dataclasses.replace(old, label="new", tables={**old.tables, "claims": dataclasses.replace(claims, frame=frame)})
    d = diff(old, new)
    for text in (render_markdown(d), render_changelog(d, version="9.9.9", date="2026-12-02")):
        assert not set(NO_ELEMENT) & _elements(text) - {"code", "ul", "strong"}  # the writer's own ids, lists, bold
        assert not {"img", "a", "script", "em", "del", "s", "h1", "h4"} & _elements(text)
        assert not TERMINAL_ACTS_ON.search(text.replace("\n", ""))
        assert escape.markdown(repr(HOSTILE[case])) in text
    assert not TERMINAL_ACTS_ON.search(render_text(d).replace("\n", ""))


@pytest.mark.parametrize("case", HOSTILE)
def test_the_json_ld_export_can_be_embedded_whatever_a_cell_holds(case, frames, tmp_path):
    from eastasia_data.publish.export import export

    changed, row = _with(frames, HOSTILE[case])
    text = export("claimreview", tmp_path / "c.jsonld", frames=changed).read_text(encoding="utf-8")
    assert not re.search("[<>&\u2028\u2029]", text)
    reviews = {r["identifier"]: r for r in json.loads(text)["@graph"]}
    assert reviews[row["claim_id"]]["claimReviewed"] == HOSTILE[case]


def test_a_javascript_address_is_no_schema_org_url(frames, tmp_path):
    from eastasia_data.publish.export import export

    changed, row = _with(frames, "javascript://x%0Aalert(1)", table="sources", column="url")
    text = export("claimreview", tmp_path / "c.jsonld", frames=changed).read_text(encoding="utf-8")
    assert "javascript:" not in text


@pytest.mark.parametrize("case", ["math-dollars", "very-long", "terminal-escape"])
def test_a_hostile_title_draws_a_legible_timeline(case, frames, tmp_path):
    pytest.importorskip("matplotlib")
    from eastasia_data.publish.plot import plot

    changed, row = _with(frames, HOSTILE[case], table="events", column="title")
    plot("timeline", tmp_path, frames=changed)
    svg = (tmp_path / "timeline.svg").read_text(encoding="utf-8")
    shown = escape.figure_text(HOSTILE[case]).replace("\\$", "$")
    assert len(shown) <= escape.FIGURE_LABEL
    assert re.sub("[\x00-\x1f]", " ", shown).split()[1] in svg  # the label is text, not mathtext paths
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", svg)  # no control character reaches it
    assert "very long words " * 8 not in svg  # nor a label longer than a figure can show


def test_markup_in_a_schema_description_is_text_in_the_data_dictionary(tmp_path):
    from checkout_copy import edit_schema, make_checkout

    from eastasia_data import paths
    from eastasia_data.curation.docs import render_dictionary

    repo = make_checkout(tmp_path / "repo", releases=False)
    hostile = "</script><img src=x> ![i](http://e.test/i.png) [l](http://e.test) $x$ `events.title`"
    edit_schema(repo, "events", lambda raw: raw.__setitem__("description", raw["description"] + " " + hostile))
    with paths.use_checkout(repo):
        text = render_dictionary()
    tags = _elements(text)
    assert not {"img", "script"} & tags
    links = [e.get("href") for e in _fragment(_markdown_html(text)).iter() if e.tag == "a"]
    assert "http://e.test/i.png" not in links and "http://e.test" not in links
    assert escape.markdown(hostile, code=True) in text
