"""Each shortcut the validator takes on clean input decides exactly as the slower reading it stands in for.

The shortcuts exist for speed at scale (bench/notes.md, issue 25): when one says "nothing to
report", the full reading must have found nothing either. Hypothesis draws inputs made of the
characters that matter to each rule.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from eastasia_data import files
from eastasia_data.curation import reader

#: Left out of the quick run: properties of the code, which no change to data/ or schemas/ can break.
pytestmark = pytest.mark.slow

CSV_BYTES = st.lists(st.sampled_from([b'"', b'""', b",", b"\n", b"\r", b"\r\n", b"a", b" ", b"\xc3\xa9"]),
                     max_size=40).map(b"".join)


@given(CSV_BYTES)
@example(b'a,"b, c",d\n"say ""hi""",""\n')
@example(b'"""",x')
@example(b'a,Korean War",d\n')
@example(b'a,"x"y,b')
@example(b'"a"\r"b"')
def test_the_quote_shortcut_accepts_exactly_what_the_rfc_4180_pattern_covers(data):
    quotes = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x22)
    by_pattern = b'"' not in reader._QUOTED.sub(b"", data)
    assert reader._quotes_well_formed(data, quotes) is by_pattern or not quotes.size


def _strict_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@given(st.one_of(st.binary(max_size=30), st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass"))))
@example(b"\xed\xa0\x80")  # an encoded surrogate
@example(b"\xc0\xaf")  # an overlong form
@example(b"\xf4\x90\x80\x80")  # past U+10FFFF
def test_utf8_is_judged_without_decoding_as_a_strict_decode_judges_it(data):
    assert files.is_utf8(data) is _strict_utf8(data)


@given(st.lists(st.sampled_from(["a,b", "\n", "\r", "\r\n", " ", "\t", "\x1c", "\x85", "\u00a0", "\u2028", "\u3000",
                                 "x", "\u00e9"]), max_size=12).map("".join))
def test_the_rows_after_the_header_are_found_in_the_bytes_as_in_the_text(text):
    assert reader._has_rows(text.encode("utf-8")) is reader._has_rows(text)
