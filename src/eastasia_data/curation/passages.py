"""Split an archived article into passages: the units of the coding ledger.

The ``passages`` table lists every passage of every archived article with its
offsets and whether it was coded. The offsets are recomputed from the archived
text by :func:`split`, so anyone holding the archive (whose sha256 the
``sources`` table records) gets the same passages. This module is plain Python
with no dependency beyond the standard library, so the rule can be read, run and
ported on its own.

The rule
--------
Offsets are code-point offsets into the text decoded from UTF-8 (``text[start:end]``
is the passage); ``start`` is inclusive, ``end`` exclusive.

1. **Lines.** The text is cut into lines at ``\\n``. A line is *blank* when it
   holds only whitespace. The *content* of a non-blank line runs from its first
   to its last non-whitespace character.
2. **Units.** Non-blank lines are grouped, in order, into units. A non-blank
   line *continues* the unit before it when both hold:

   a. its content begins with a lowercase letter or with one of ``, . ; : )``;
   b. the unit before it does not end with a terminal mark (``.``, ``!`` or
      ``?``, possibly followed by closing quotes or brackets ``" ” ’ ' ) ]``).

   Otherwise it begins a new unit. A unit runs from the first character of its
   first line's content to the last character of its last line's content,
   blank lines in between included. (This re-joins sentences that the captured
   page broke around a link, e.g. ``has`` / ``implications`` / ``for the …``.)
3. **Kinds of unit.** Tested in this order:

   * ``list_item``: its first line's content begins with a bullet ``•``, ``-``
     or ``*``, or with digits followed by ``.`` or ``)``, and then whitespace or
     the end of the line;
   * ``other``: it contains no lowercase letter (figures, currency codes);
   * ``heading``: it is a single line, does not end with ``.`` or ``!``
     (possibly followed by closing quotes or brackets; a ``?`` is allowed, as in
     ``China vs. Putin and Kim?``), and has at most 12 words
     (whitespace-separated tokens), or at most 8 words if it ends with ``:``;
   * ``list_item`` too: a unit that would be a paragraph but comes right after
     a heading ending with ``:``, i.e. the body of a labelled item
     (``Economic interests:`` / ``Second, Putin is pursuing …``);
   * otherwise it is a *paragraph*.

   A list item, a heading and an ``other`` unit are one passage each.
4. **Sentences.** A paragraph is cut into sentences, each a passage of kind
   ``sentence``. A sentence ends after a terminal mark (``.``, ``!``, ``?``)
   and any closing quotes or brackets right after it, when what follows is
   whitespace (line breaks included) and then an ASCII capital letter ``A``-``Z``,
   a digit, an opening quote (``" “ ‘ '``) or ``(``; except that a ``.`` does
   not end a sentence when the word it closes is an abbreviation. That word is
   the run of ASCII letters and dots right before the ``.``; it is an
   abbreviation when it is in :data:`ABBREVIATIONS` (``Dr``, ``Mr``, ``vs``,
   ``e.g`` …, compared case-sensitively), a single letter (an initial, ``J.``),
   or single letters separated by dots (``U.S.``, ``U.N.``). A ``?`` or ``!``
   always ends a sentence under the same condition. The whitespace between two
   sentences belongs to neither; the last sentence ends where the paragraph
   ends.

Every non-whitespace character of the text lies in exactly one passage, and
passages come in text order without overlapping.

Examples
--------
>>> text = "Heading\\n\\nDr. Kim met the U.S. envoy. They spoke.\\n  1. An item. Still the item.\\n"
>>> for p in split(text):
...     print(p.kind, p.start, p.end, repr(text[p.start:p.end]))
heading 0 7 'Heading'
sentence 9 36 'Dr. Kim met the U.S. envoy.'
sentence 37 48 'They spoke.'
list_item 51 78 '1. An item. Still the item.'
>>> [p.kind for p in split("Motives:\\nFirst, money. Second, power.\\n")]
['heading', 'list_item']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words that a dot after them does not end a sentence with (compared without the dot, case-sensitively).
ABBREVIATIONS = frozenset({
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Gen", "Lt", "Col", "Capt", "Sgt", "Adm", "Sen", "Rep", "Gov",
    "Pres", "Amb", "Jr", "Sr", "Mt", "No", "Nos", "Vol", "Inc", "Corp", "Ltd", "Co", "vs", "etc", "cf",
    "e.g", "i.e", "approx", "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
})

#: The kinds of passage, as in ``schemas/passages.yaml``.
KINDS = ("heading", "list_item", "sentence", "other")

_TERMINAL_END = re.compile(r"[.!?][\"”’')\]]*$")
_HEADING_END = re.compile(r"[.!][\"”’')\]]*$")
_LIST_ITEM = re.compile(r"\s*(?:[•*-]|[0-9]+[.)])\s")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*(?=\s+[A-Z0-9\"“‘'(])")
_WORD_BEFORE_DOT = re.compile(r"([A-Za-z]+(?:\.[A-Za-z]+)*)$")
_INITIALISM = re.compile(r"[A-Za-z](?:\.[A-Za-z])*")


@dataclass(frozen=True)
class Passage:
    """One passage: ``text[start:end]`` of the decoded article, and its kind."""

    start: int
    end: int
    kind: str


def _lines(text: str) -> list[tuple[int, int]]:
    """Content spans (start, end) of the non-blank lines, in order."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return spans


def _ends_terminal(s: str) -> bool:
    return _TERMINAL_END.search(s) is not None


def _units(text: str) -> list[list[tuple[int, int]]]:
    units: list[list[tuple[int, int]]] = []
    for start, end in _lines(text):
        first = text[start]
        continues = units and (first.islower() or first in ",.;:)")
        if continues and not _ends_terminal(text[units[-1][-1][0]:units[-1][-1][1]]):
            units[-1].append((start, end))
        else:
            units.append([(start, end)])
    return units


def _unit_kind(text: str, lines: list[tuple[int, int]]) -> str:
    first = text[lines[0][0]:lines[0][1]]
    whole = text[lines[0][0]:lines[-1][1]]
    if _LIST_ITEM.match(first + " "):
        return "list_item"
    if not any(c.islower() for c in whole):
        return "other"
    if len(lines) == 1 and _HEADING_END.search(whole) is None:
        words = len(whole.split())
        if words <= (8 if whole.endswith(":") else 12):
            return "heading"
    return "paragraph"


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the ``.`` at ``dot`` closes an abbreviation rather than a sentence."""
    # The word can only lie in the run of letters and dots that ends at the dot: searching from
    # its start finds what a search from the start of the text would, without rescanning the text.
    run = dot
    while run > 0 and text[run - 1] in _WORD_CHARS:
        run -= 1
    m = _WORD_BEFORE_DOT.search(text, run, dot)
    if m is None:
        return False
    word = m.group(1)
    return word in ABBREVIATIONS or _INITIALISM.fullmatch(word) is not None


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    begin = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        out.append((begin, m.end()))
        begin = m.end()
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end:
        out.append((begin, end))
    return out


def split(text: str) -> list[Passage]:
    """The passages of ``text`` in order, by the rule in this module's docstring.

    Parameters
    ----------
    text : str
        The archived article, decoded from UTF-8.

    Returns
    -------
    list of Passage
        Non-overlapping passages in text order; their offsets index ``text`` by code point.

    Examples
    --------
    >>> [(p.kind, p.start, p.end) for p in split("A title\\n\\nOne. Two.")]
    [('heading', 0, 7), ('sentence', 9, 13), ('sentence', 14, 18)]
    >>> split("")
    []
    """
    passages: list[Passage] = []
    for lines in _units(text):
        start, end = lines[0][0], lines[-1][1]
        kind = _unit_kind(text, lines)
        if kind == "paragraph" and passages and passages[-1].kind == "heading" and text[passages[-1].end - 1] == ":":
            kind = "list_item"
        if kind == "paragraph":
            passages += [Passage(s, e, "sentence") for s, e in _sentences(text, start, end)]
        else:
            passages.append(Passage(start, end, kind))
    return passages
