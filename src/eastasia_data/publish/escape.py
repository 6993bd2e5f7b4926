"""One escaping function per output language: what a cell holds reaches every output as text.

``validate`` keeps the curated data clean, but an output must not rely on it: a frame a
reader modified and exports, a schema text, a release built before a rule existed, or a
value quoted in a message can hold anything. So every writer of a language passes the
text it did not write itself through the one function of that language here:

======================  ===================  ==================================================
language                function             what it neutralises
======================  ===================  ==================================================
HTML, text/attribute    :func:`html`         ``& < > " '`` (the five characters markupsafe and
                                             Jinja's autoescape escape, with the same result)
JSON inside HTML        :func:`json_in_html` ``< > &`` and U+2028/U+2029, as ``\\uXXXX``
Markdown                :func:`markdown`,    HTML, links, images, emphasis, headings, lists,
                        :func:`markdown_code` table pipes, line breaks, math (``$``), entities
spreadsheets            :func:`spreadsheet`  a formula: a leading ``= + - @``, tab or CR
terminal                :func:`terminal`     control and escape sequences, bidi controls
GitHub workflow         :func:`workflow_*`   a command in a message or property (``%``, CR,
commands                                     LF; ``:`` and ``,`` in properties)
matplotlib text         :func:`figure_text`  mathtext (``$``), line breaks, excessive length
======================  ===================  ==================================================

Each function returns text that, in its language, reads back as the text it was given
(``tests/test_escape.py`` proves it with hypothesis: a parser of the language finds that
text and nothing else), except where the language cannot hold it: a spreadsheet cell
gains an apostrophe, the terminal and figures show escapes or an ellipsis.

Only the standard library is used, so any layer may import this module.

Examples
--------
>>> from eastasia_data.publish import escape
>>> escape.html('<img src=x onerror="alert(1)">')
'&lt;img src=x onerror=&#34;alert(1)&#34;&gt;'
>>> escape.markdown("![x](http://e.test/a.png) | # not a heading")
'!\\\\[x\\\\](http://e.test/a.png) \\\\| \\\\# not a heading'
>>> escape.spreadsheet("=HYPERLINK(1)")
"'=HYPERLINK(1)"
>>> escape.terminal("red\\x1b[31m")
'red\\\\x1b[31m'
"""

from __future__ import annotations

import json
import re
from typing import Any

# -- HTML -------------------------------------------------------------------------------------

_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"})


def html(text: object) -> str:
    """``text`` as HTML text or a quoted attribute value: ``& < > " '`` become character references.

    The same characters, written the same way, as ``markupsafe.escape`` (which the site's
    Jinja templates autoescape with), so a template and a writer that builds HTML by hand
    agree. A URL attribute needs more: see :func:`http_url`.

    Examples
    --------
    >>> html("</script><b class='x'>&")
    '&lt;/script&gt;&lt;b class=&#39;x&#39;&gt;&amp;'
    """
    return str(text).translate(_HTML)


def http_url(text: object) -> str | None:
    """``text`` when it is an ``http`` or ``https`` address a link may point to, else None.

    A ``javascript:``, ``data:`` or relative address never becomes a link (``href``) or a
    schema.org ``url``; a writer shows such text as text instead.

    Examples
    --------
    >>> http_url("https://example.org/a"), http_url("javascript://x%0Aalert(1)"), http_url(" http://x")
    ('https://example.org/a', None, None)
    """
    value = str(text)
    if re.fullmatch(r"https?://[^\s/?#]+[^\s]*", value, re.IGNORECASE) and value.isprintable():
        return value
    return None


# -- JSON inside HTML -------------------------------------------------------------------------

_JSON_IN_HTML = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                               "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_in_html(document: Any, *, indent: int | None = 1) -> str:
    """``document`` as JSON that a ``<script type="application/ld+json">`` can hold.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` (so no
    ``</script>`` or ``<!--`` can end or bend the script), and U+2028 and U+2029 as
    ``\\u2028`` and ``\\u2029`` (line breaks to JavaScript before ES2019). The text is
    still JSON, and ``json.loads`` reads back ``document`` exactly; a JSON-LD file written
    with it can be pasted into a page as it is.

    Examples
    --------
    >>> json_in_html({"name": "</script>"}, indent=None)
    '{"name": "\\\\u003c/script\\\\u003e"}'
    >>> json.loads(json_in_html({"a": "x\\u2028&"})) == {"a": "x\\u2028&"}
    True
    """
    return json.dumps(document, ensure_ascii=False, indent=indent).translate(_JSON_IN_HTML)


# -- Markdown ---------------------------------------------------------------------------------

#: Characters escaped with a backslash wherever they stand: they open or close inline markup
#: (code, emphasis, strikethrough, links and images, raw HTML, entities, math), a table cell
#: (``|``) or an ATX heading's closing sequence (``#``). An ``_`` between two letters or
#: digits (``actor_id``) cannot open or close emphasis and stays as it is.
_MD_ANYWHERE = set("\\`*_~[]<>&|#$")
#: Characters written as a numeric character reference: those that end a line or that
#: CommonMark trims, drops or reads as structure, and those that hide or reorder text.
_MD_REFERENCE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: A line start that opens a block: a list item, a thematic break, a setext underline, an
#: ordered list item (``1.`` or ``1)``); ``>``, ``#``, ``*`` and ``_`` are escaped anywhere.
_MD_BLOCK_START = re.compile(r"[-+](?=[ \t]|\Z)|[0-9]{1,9}[.)](?=[ \t]|\Z)|[-=](?=[-=]*[ \t]*\Z)")


def markdown(text: object, *, code: bool = False) -> str:
    """``text`` as Markdown inline content that renders as exactly that text and nothing else.

    For a table cell, a list item, a heading or a paragraph alike: no HTML, link, image,
    emphasis, code, heading, list, quote, math or entity comes from it, a ``|`` does not
    end a table cell and a line break does not end the line. Markup characters get a
    backslash; line breaks, tabs, other control characters and the bidirectional controls
    become numeric character references (``&#10;``), and so does whitespace at either end,
    which CommonMark would trim. A renderer decodes each reference back to its character,
    except NUL, which CommonMark always replaces with U+FFFD. GitHub links a bare address
    (``www.…``, ``https://…``) as its own text, which shows the address it goes to.

    With ``code=True`` (for the schemas' own descriptions and labels, which write names
    as code), the text's code spans (a run of backticks up to the next run of the same
    length) stay code, and only a ``|`` inside them is escaped, as a GFM table cell needs
    it; everything else is escaped as above.

    Examples
    --------
    >>> markdown("<b>bold</b> *and* [a link](x)")
    '\\\\<b\\\\>bold\\\\</b\\\\> \\\\*and\\\\* \\\\[a link\\\\](x)'
    >>> markdown("- 1. item" + chr(10) + "# x")
    '\\\\- 1. item&#10;\\\\# x'
    >>> markdown(" padded ")
    '&#32;padded&#32;'
    >>> markdown("Identifier, `act-` then <b>", code=True)
    'Identifier, `act-` then \\\\<b\\\\>'
    """
    value = str(text)
    if code:
        pieces = _code_spans(value)
        return "".join(_markdown_code_piece(piece) if is_code
                       else _markdown_text(piece, first=i == 0, last=i == len(pieces) - 1)
                       for i, (piece, is_code) in enumerate(pieces))
    return _markdown_text(value)


def _code_spans(value: str) -> list[tuple[str, bool]]:
    """``value`` cut into pieces of text and of code spans (backticks included), in order."""
    pieces: list[tuple[str, bool]] = []
    at = start = 0
    while (m := re.compile("`+").search(value, at)) is not None:
        close = re.compile(f"(?<!`){m.group()}(?!`)").search(value, m.end())
        if close is None:  # no closing run: these backticks are text
            at = m.end()
            continue
        if m.start() > start:
            pieces.append((value[start:m.start()], False))
        pieces.append((value[m.start():close.end()], True))
        at = start = close.end()
    if start < len(value):
        pieces.append((value[start:], False))
    return pieces


def _markdown_code_piece(span: str) -> str:
    if _MD_REFERENCE.search(span):  # a span cannot hold a line break or a reference: write it as text
        return _markdown_text(span)
    return span.replace("|", "\\|")


def _between_letters(value: str, i: int) -> bool:
    """Whether the run of ``_`` at ``value[i]`` has a letter or digit on both sides (so CommonMark reads it as text)."""
    start, end = i, i
    while start > 0 and value[start - 1] == "_":
        start -= 1
    while end < len(value) - 1 and value[end + 1] == "_":
        end += 1
    return start > 0 and end < len(value) - 1 and value[start - 1].isalnum() and value[end + 1].isalnum()


def _markdown_text(value: str, first: bool = True, last: bool = True) -> str:
    """``value`` escaped; ``first`` and ``last``: whether it starts or ends the whole text (see :func:`markdown`)."""
    out = []
    for i, ch in enumerate(value):
        if _MD_REFERENCE.match(ch) or (ch.isspace() and ((first and i == 0) or (last and i == len(value) - 1))):
            out.append(f"&#{ord(ch)};")
        elif ch in _MD_ANYWHERE and not (ch == "_" and _between_letters(value, i)):
            out.append("\\" + ch)
        else:
            out.append(ch)
    start = _MD_BLOCK_START.match(value) if first else None
    if start:  # the character that makes the block: the marker, or the . or ) after the digits
        at = start.end() - 1
        out[at] = "\\" + out[at]
    return "".join(out)


def markdown_code(text: object, *, table: bool = False) -> str:
    """``text`` as a Markdown code span (an id, a column name), or as :func:`markdown` text when a span cannot hold it.

    The fence is one backtick more than the longest run inside, padded with a space when
    the text starts or ends with a backtick or a space. A code span cannot hold a line
    break or escape anything, so such text, text that is only spaces, and (in a table
    cell, ``table=True``) text holding ``|`` are written as plain :func:`markdown` text.

    Examples
    --------
    >>> markdown_code("clm-a1-united-front")
    '`clm-a1-united-front`'
    >>> markdown_code("a`b")
    '``a`b``'
    >>> markdown_code("a|b", table=True)
    'a\\\\|b'
    """
    value = str(text)
    if (not value.strip(" ") or _MD_REFERENCE.search(value) or not value.isprintable()
            or (table and "|" in value)):
        return markdown(value)
    fence = "`" * (max((len(run) for run in re.findall("`+", value)), default=0) + 1)
    pad = " " if value[0] in " `" or value[-1] in " `" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


# -- spreadsheets -----------------------------------------------------------------------------

#: First characters that make a spreadsheet read a text cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: an apostrophe before text that would run as a formula.

    Used for every CSV the package writes (exports, ``show``, release bundles, site
    downloads); the XLSX export stores such a cell as text with Excel's quote prefix
    instead, so its value stays as it is (``eastasia_data.export``).

    Parameters
    ----------
    value : object
        A cell value; only strings are changed.

    Returns
    -------
    object
        ``value`` with a leading ``'`` when it is a string starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return; otherwise ``value`` itself.

    Examples
    --------
    >>> spreadsheet("=HYPERLINK(\\"http://example.org\\")")
    '\\'=HYPERLINK("http://example.org")'
    >>> spreadsheet("Pyongyang"), spreadsheet(3)
    ('Pyongyang', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# -- terminal ---------------------------------------------------------------------------------

#: What a terminal acts on or hides: C0 and C1 controls (ESC and CSI start escape sequences),
#: DEL, the line and paragraph separators, and the bidirectional controls that reorder what is
#: shown ("Trojan Source").
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_TERMINAL_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def terminal(text: object, *, lines: bool = False) -> str:
    """``text`` safe to print on a terminal: every control character shown as its Python escape.

    An escape sequence (``\\x1b[2J``), a bell, a carriage return that overwrites the line,
    a bidirectional override that reorders it: each is shown as ``\\x1b``, ``\\u202e`` and
    so on, so the line shows what the text holds and stays one line. With ``lines=True``
    the line feed is kept (for a whole report of several lines).

    Examples
    --------
    >>> terminal("ok\\x1b]0;title\\x07 \\u202eevil")
    'ok\\\\x1b]0;title\\\\x07 \\\\u202eevil'
    >>> terminal("two" + chr(10) + "lines", lines=True) == "two" + chr(10) + "lines"
    True
    """
    return (_TERMINAL_LINES if lines else _TERMINAL).sub(_visible, str(text))


def terminal_json(text: str) -> str:
    """JSON text with every character :func:`terminal` would escape written as a JSON ``\\uXXXX`` escape.

    The result is the same JSON value (``json.loads`` reads back the same data) and safe
    on a terminal; ``pandas.DataFrame.to_json`` and ``json.dumps(ensure_ascii=False)``
    leave the C1 controls and the bidirectional controls as they are.

    Examples
    --------
    >>> terminal_json('{"a": "\\u009b2J\\u202e"}')
    '{"a": "\\\\u009b2J\\\\u202e"}'
    """
    return _TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- GitHub Actions workflow commands ---------------------------------------------------------


def workflow_message(text: object) -> str:
    """``text`` as the message of a GitHub Actions workflow command (``::error …::message``).

    The runner decodes ``%25``, ``%0D`` and ``%0A``; escaping ``%``, CR and LF keeps the
    message one command, so no text inside it starts a line of the log with ``::``.

    Examples
    --------
    >>> workflow_message("50% done" + chr(10) + "::warning::x")
    '50%25 done%0A::warning::x'
    """
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: object) -> str:
    """``text`` as a property value of a workflow command (``file=…,title=…``): also ``:`` and ``,``.

    Examples
    --------
    >>> workflow_property("data/a,b.csv:3")
    'data/a%2Cb.csv%3A3'
    """
    return workflow_message(text).replace(":", "%3A").replace(",", "%2C")


def workflow_log(text: object) -> str:
    """A line for a CI log: no line of it starts a workflow command (``::``), and controls are escaped.

    The runner reads a line as a command when it starts with ``::`` after any leading
    whitespace (Unicode's too), so such a line gets a backslash before its first ``::``.

    Examples
    --------
    >>> print(workflow_log("::add-mask::x" + chr(10) + "  ::error::y"))
    \\::add-mask::x
      \\::error::y
    """
    return re.sub(r"(?m)^([^\S\n]*)::", r"\1\\::", terminal(text, lines=True))


# -- matplotlib text --------------------------------------------------------------------------

#: Longest label a figure shows, in characters, before it is cut with an ellipsis (the longest
#: event title is under 90).
FIGURE_LABEL = 100


def figure_text(text: object, limit: int = FIGURE_LABEL) -> str:
    """``text`` for a matplotlib label: shown as written, on one line, at most ``limit`` characters.

    Every ``$`` gets a backslash, so matplotlib never starts mathtext (it does for an even
    number of unescaped ``$``) and shows each ``\\$`` as ``$``; line breaks and other
    controls become spaces; text longer than ``limit`` is cut with ``…``, so one long
    title cannot push every other label off the figure.

    Examples
    --------
    >>> figure_text("$\\\\frac{1}{0}$ costs $5")
    '\\\\$\\\\frac{1}{0}\\\\$ costs \\\\$5'
    >>> len(figure_text("x" * 500)), len(figure_text("x" * 500, limit=20))
    (100, 20)
    """
    value = _TERMINAL.sub(" ", str(text))
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value.replace("$", "\\$")
