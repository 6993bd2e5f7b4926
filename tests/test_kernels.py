"""The value kernels agree with Python's own reading of each rule, on the schemas' real patterns and on odd ones."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest
from conftest import MODEL
from hypothesis import given
from hypothesis import strategies as st

from eastasia_data.curation.checks import kernels

PATTERNS = sorted({f.pattern for t in MODEL.values() for f in t.fields if f.pattern})


def test_the_schemas_patterns_run_in_re2():
    """Otherwise the fast path is never taken, and these tests prove less than they say."""
    assert PATTERNS and all(kernels.re2_reads_alike(p) for p in PATTERNS)


@pytest.mark.parametrize("pattern", PATTERNS)  # the schemas' own patterns: a new one is tested here
@given(data=st.data())
def test_a_schema_pattern_matches_as_python_fullmatch_does(pattern, data):
    values = data.draw(st.lists(st.one_of(st.from_regex(pattern, fullmatch=True), st.text(max_size=30),
                                          st.from_regex(pattern, fullmatch=True).map(lambda s: s + "\n"),
                                          st.from_regex(pattern, fullmatch=True).map(str.upper)),
                                min_size=1, max_size=10))
    got = kernels.fullmatch(pattern)(pa.array(values, type=pa.large_string())).tolist()
    assert got == [re.fullmatch(pattern, v) is not None for v in values]


@pytest.mark.parametrize("pattern, value, plain", [
    (r"\d+", "\u0663\u0664", False),  # Python's \d holds other scripts' digits; RE2's does not
    (r"\w+", "caf\u00e9", False),
    (r"(?i)act-x", "ACT-X", False),
    (r"a{,2}", "aa", False),  # Python reads {,2} as up to two; RE2 as the literal text
    (r"(a)\1", "aa", False),  # back-references: RE2 has none
    (r"a*+", "aaa", True),  # possessive (Python 3.11): plain characters, but RE2 refuses to compile it
])
def test_a_pattern_the_engines_read_differently_runs_in_python(pattern, value, plain):
    assert kernels.re2_reads_alike(pattern) is plain
    assert kernels.fullmatch(pattern)(pa.array([value, "x!"])).tolist() == [re.fullmatch(pattern, value) is not None,
                                                                         re.fullmatch(pattern, "x!") is not None]


@pytest.mark.slow  # properties of the code, which no change to data/ or schemas/ can break
@given(st.lists(st.one_of(st.dates(min_value=dt.date(1, 1, 1)).map(str), st.text("0123456789-", max_size=10)),
                min_size=1, max_size=10))
def test_first_day_names_a_real_day_exactly_when_python_does(values):
    def expected(v):
        text = v + "-01-01"[: 10 - len(v)] if len(v) in (4, 7) else v
        try:
            return dt.date.fromisoformat(text).isoformat() if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None
        except ValueError:
            return None
    assert kernels.first_day(pa.array(values, type=pa.large_string())).to_pylist() == [expected(v) for v in values]


@pytest.mark.slow
@given(st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1).map(str), st.none()), min_size=1, max_size=10))
def test_integers_are_exact_beside_empty_cells(values):
    assert kernels.integers(pa.array(values, type=pa.large_string())).to_pylist() == [
        None if v is None else int(v) for v in values]


@pytest.mark.slow
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False).map(repr), min_size=1, max_size=10))
def test_numbers_are_correctly_rounded(values):
    assert kernels.numbers(pa.array(values, type=pa.large_string())).tolist() == [float(v) for v in values]
