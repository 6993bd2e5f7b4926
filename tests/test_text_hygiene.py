"""The hygiene rules on text itself (issue 21): what real data needs passes, deceptive text does not.

The data holds names in Korean, Chinese, Japanese and Russian (each in its own column),
excerpts with curly quotes and dashes, Vietnamese and French accents. None of it may trip
the mixed-script or combining-marks rule; a look-alike letter inside a word, a stack of
marks, a line separator must. The same function checks schema text, so these are the rules
of both.
"""

from __future__ import annotations

import unicodedata

import pytest

from eastasia_data.curation.checks.hygiene import MAX_MARKS, text_problems

ALLOWED = [
    "김정은",  # Korean name (Hangul)
    "金正恩",  # Chinese name (Han)
    "金正恩（キム・ジョンウン）",  # Japanese: Han, Katakana, full-width brackets and middle dot
    "Ким Чен Ын",  # Russian name (Cyrillic)
    "Владимир Путин (Vladimir Putin)",  # Cyrillic and Latin, as separate words
    "Kim Jong Un (김정은, 金正恩)",
    "K팝 and 3차 회의",  # Hangul next to Latin or digits: no one reads one for the other
    "“It’s a ‘comprehensive strategic partnership’,” he said — in 2024.",  # curly quotes, dash
    "Nguyễn Phú Trọng",  # Vietnamese: two marks on a letter, composed in NFC
    "Nguye\u0302\u0303n",  # the same two marks uncomposed would be the nfc rule's, not the stack rule's
    "Pyongyang’s “Juche” ideology",
    "β-blockers and α-particles",  # a Greek letter as a symbol, set off by a hyphen
    "5 µg",  # the micro sign is of the Common script
    "Ελληνικά and English",
    "Türkiye, Besançon, Øresund",
]

DECEPTIVE = {
    "M\u043escow": "mixed-script",  # Cyrillic о in a Latin word
    "Pyongy\u0430ng": "mixed-script",  # Cyrillic а
    "Py\u03bfngyang": "mixed-script",  # Greek omicron
    "\u041c\u043e\u0441\u043aвa": "mixed-script",  # Latin a at the end of a Cyrillic word
    "\u0391\u03b8\u03b7\u043d\u03b1": "mixed-script",  # Greek and Cyrillic in one word
    "x\u0300\u0301\u0302": "combining-marks",
    "Z" + "\u0335\u0336\u0337" * 10: "combining-marks",
    "a\u20dd\u20de\u20df": "combining-marks",  # enclosing marks
    "one\u2028two": "control-character",
    "::error::pwned": "workflow-command",
    "one\u2029two": "control-character",
}


@pytest.mark.parametrize("text", ALLOWED)
def test_what_real_data_needs_passes_hygiene(text):
    problems = [rule for _, rule, _, _ in text_problems([unicodedata.normalize("NFC", text)])]
    assert problems == [], (text, problems)


def test_two_marks_on_a_letter_are_allowed_and_three_are_not():
    assert MAX_MARKS == 2
    # q has no precomposed accented forms, so NFC leaves its marks as they are
    assert text_problems(["q\u0300\u0301 b"]) == []
    assert [r for _, r, _, _ in text_problems(["q\u0300\u0301\u0302 b"])] == ["combining-marks"]


@pytest.mark.parametrize("text, rule", sorted(DECEPTIVE.items()))
def test_deceptive_text_is_refused(text, rule):
    assert rule in [r for _, r, _, _ in text_problems([text])], text


def test_the_problems_say_which_text_broke_which_rule():
    found = text_problems(["fine", "M\u043escow", "fine too", "a\u2028b"])
    assert [(i, rule) for i, rule, _, _ in found] == [(1, "mixed-script"), (3, "control-character")]
    assert all(message and hint for _, _, message, hint in found)
