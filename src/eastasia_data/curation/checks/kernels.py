"""The tests behind the value rules, one kernel per rule, on Arrow arrays of text.

A kernel takes one column's non-empty values as a ``pyarrow`` array of strings and
returns a NumPy array of booleans, one per value (``True``: the value passes). Pandera's
checks in :mod:`~eastasia_data.curation.checks.table` wrap these kernels, and the screen
that passes a clean table in one Pandera call runs them directly, so each rule has one
implementation.

Kernels use Arrow's compute functions (RE2 for patterns) where those agree exactly with
Python's semantics, and Python on the distinct values otherwise:

* A pattern runs in RE2 only when it is written in a plain ASCII subset both engines read
  alike (letters, digits, classes, groups, counted repetition, escaped punctuation); one
  using ``\\d``, ``\\w``, ``\\s``, ``\\b``, flags, look-arounds or any non-ASCII character
  runs in Python's :mod:`re`, as the release's readers would.
* A calendar date is tested with :class:`datetime.date` on each distinct value (a column
  of a million dates holds a few thousand distinct ones); Arrow's ``strptime`` accepts
  2023-02-29 as 1 March.

Examples
--------
>>> import pyarrow as pa
>>> kernel = fullmatch("evt-[0-9]{4}")
>>> kernel(pa.array(["evt-2024", "evt-24", "EVT-2024"])).tolist()
[True, False, False]
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data.dates import DAY_SHAPE

Kernel = Callable[[pa.Array], np.ndarray]

#: Patterns both RE2 and Python's ``re`` read alike: ASCII literals and punctuation, classes,
#: groups (capturing or ``(?:``), alternation, counted repetition, and escaped punctuation.
_PLAIN = re.compile(r"(?:[A-Za-z0-9 _\-^$.*+?()\[\]{}|,:/=<>!#%&'\"~`@;]|\\[.\-+*?()\[\]{}|^$/\\])*")
#: Constructs the engines read differently, even when written with those characters.
_DIFFERENT = ("(?", "{,", "[:", "[[", "&&", "~~", "||", "--")


def re2_reads_alike(pattern: str) -> bool:
    """Whether RE2 and Python's ``re`` give a pattern the same meaning.

    Examples
    --------
    >>> re2_reads_alike("src-[a-z0-9]+(?:-[a-z0-9]+)*"), re2_reads_alike(r"\\d+"), re2_reads_alike("(?i)x")
    (True, False, False)
    """
    grouped = pattern.replace("(?:", "(")  # a group that captures nothing matches as one that does
    return _PLAIN.fullmatch(grouped) is not None and not any(s in grouped for s in _DIFFERENT)


def text_array(values) -> pa.Array:
    """A pandas column of text as one Arrow array (no copy for the Arrow-backed text pandas reads).

    Examples
    --------
    >>> import pandas as pd
    >>> text_array(pd.Series(["a", None], dtype="str")).to_pylist()
    ['a', None]
    """
    out = pa.array(values, type=pa.large_string(), from_pandas=True)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def row_keys(frame, key: Sequence[str]) -> pa.Array:
    """The ``row_key`` of every row of a frame of text as read, joined in Arrow (a missing cell is empty).

    The key's values in key order joined by ``" | "``, as :func:`eastasia_data.views.row_key`
    writes them; the cells that name a row of another table (``corrections``, ``codings``)
    are looked up among these.

    Examples
    --------
    >>> import pandas as pd
    >>> row_keys(pd.DataFrame({"a": ["x", "y"], "b": ["1", None]}, dtype="str"), ["a", "b"]).to_pylist()
    ['x | 1', 'y | ']
    """
    from eastasia_data.views import SEPARATOR

    columns = [text_array(frame[c]).fill_null("") for c in key]
    if len(columns) == 1:
        return columns[0]
    return pc.binary_join_element_wise(*columns, pa.scalar(SEPARATOR, pa.large_string()))


def bools(result) -> np.ndarray:
    """An Arrow boolean result as a NumPy array, missing as ``False``.

    Examples
    --------
    >>> bools(pa.array([True, None, False])).tolist()
    [True, False, False]
    """
    return np.asarray(result.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def present(values: pa.Array) -> np.ndarray:
    """Which values are filled in.

    Examples
    --------
    >>> present(pa.array(["a", None])).tolist()
    [True, False]
    """
    return np.ones(len(values), dtype=bool) if not values.null_count else bools(values.is_valid())


def first_day(values: pa.Array) -> pa.Array:
    """Each ISO date of year, month or day precision as the text of its first day; null if it names no real day.

    Text of fixed width, so first days compare in time order as strings.

    Examples
    --------
    >>> import pyarrow as pa
    >>> first_day(pa.array(["2024", "2024-06", "2024-06-19", "2023-02-29", None])).to_pylist()
    ['2024-01-01', '2024-06-01', '2024-06-19', None, None]
    """
    def day(value: str) -> str | None:
        text = value + "-01-01"[: 10 - len(value)] if len(value) in (4, 7) else value
        return text if _DAY.fullmatch(text) and _is_date(text) else None

    distinct = pc.unique(values.drop_null())
    days = pa.array([day(v) for v in distinct.to_pylist()], type=pa.large_string())
    return pc.take(days, pc.index_in(values, value_set=distinct))


_DAY = re.compile(DAY_SHAPE)


def _python(test: Callable[[str], bool]) -> Kernel:
    """A kernel that runs ``test`` once per distinct value."""
    def kernel(values: pa.Array) -> np.ndarray:
        distinct = pc.unique(values)
        passing = [v for v in distinct.to_pylist() if test(v)]
        return bools(pc.is_in(values, value_set=pa.array(passing, type=values.type)))
    return kernel


@lru_cache(maxsize=512)
def fullmatch(pattern: str) -> Kernel:
    """Whether each value matches ``pattern`` in full (as ``re.fullmatch``); made once per pattern.

    Examples
    --------
    >>> fullmatch(r"\\d+")(pa.array(["12", "1a", "\u0663"])).tolist()  # Python's \\d: Arabic-Indic digits too
    [True, False, True]
    """
    if re2_reads_alike(pattern):
        anchored = f"^(?:{pattern})$"
        try:
            pc.match_substring_regex(pa.array([""]), anchored)
        except pa.ArrowInvalid:
            pass
        else:
            return lambda values: bools(pc.match_substring_regex(values, anchored))
    rx = re.compile(pattern)
    return _python(lambda v: rx.fullmatch(v) is not None)


def one_of(allowed: Sequence[str]) -> Kernel:
    """Whether each value is one of ``allowed``.

    Examples
    --------
    >>> one_of(["true", "false"])(pa.array(["true", "True"])).tolist()
    [True, False]
    """
    value_set = pa.array(list(allowed), type=pa.large_string())
    return lambda values: bools(pc.is_in(values.cast(pa.large_string()), value_set=value_set))


def items_of(allowed: Sequence[str], delimiter: str) -> Kernel:
    """Whether every item of each delimited list is one of ``allowed`` (and no item is empty or repeated).

    Examples
    --------
    >>> items_of(["military", "economic"], ";")(pa.array(["military;economic", "military;", "legal"])).tolist()
    [True, False, False]
    """
    value_set = frozenset(allowed)

    def test(value: str) -> bool:
        items = value.split(delimiter)
        return len(set(items)) == len(items) and all(item in value_set for item in items)

    return _python(test)


def length_at_least(n: int) -> Kernel:
    """Whether each value has at least ``n`` characters (code points, as ``len``).

    Examples
    --------
    >>> length_at_least(2)(pa.array(["ab", "\u00e9"])).tolist()
    [True, False]
    """
    return lambda values: bools(pc.greater_equal(pc.utf8_length(values), n))


def length_at_most(n: int) -> Kernel:
    """Whether each value has at most ``n`` characters (code points, as ``len``).

    Examples
    --------
    >>> length_at_most(1)(pa.array(["\u00e9", "ab"])).tolist()
    [True, False]
    """
    return lambda values: bools(pc.less_equal(pc.utf8_length(values), n))


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def calendar_date(shape: str, partial: str) -> Kernel:
    """Whether each value of the form ``shape`` names a real day; values of neither form pass.

    A value of year or month precision (``partial`` but not ``shape``) always names a real
    period; values of no date form at all are the ``pattern`` or ``type`` rule's to report.

    Examples
    --------
    >>> kernel = calendar_date(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
    >>> kernel(pa.array(["2024-02-29", "2023-02-29", "2024-13", "spring"])).tolist()
    [True, False, False, True]
    """
    day, any_date = re.compile(shape), re.compile(partial)

    def test(value: str) -> bool:
        if not any_date.fullmatch(value):
            return True
        text = value + "-01-01"[: 10 - len(value)] if len(value) < 10 else value
        return day.fullmatch(text) is not None and _is_date(text)
    return _python(test)


def fits_int64(values: pa.Array) -> np.ndarray:
    """Whether each integer (as text) fits a 64-bit signed integer; text that is not an integer passes.

    Examples
    --------
    >>> fits_int64(pa.array(["9223372036854775807", "9223372036854775808", "x"])).tolist()
    [True, False, True]
    """
    out = np.ones(len(values), dtype=bool)
    long = np.flatnonzero(bools(pc.greater_equal(pc.utf8_length(values), 19)))
    integer = re.compile(r"[+-]?[0-9]+")
    for i in long:
        v = values[int(i)].as_py()
        if integer.fullmatch(v):
            out[i] = -(2**63) <= int(v) <= 2**63 - 1
    return out


def integers(values: pa.Array) -> pa.Array:
    """Each integer (as text, as the ``type`` rule accepts it) as an Arrow int64, exactly; missing stays missing.

    Python's ``int`` of each distinct text: converting through pandas would pass a column with
    a missing cell through float64, which holds no integer above 2**53 exactly.

    Examples
    --------
    >>> integers(pa.array(["9007199254740993", None, "+7", "007"])).to_pylist()
    [9007199254740993, None, 7, 7]
    """
    distinct = pc.unique(values.drop_null())
    as_ints = pa.array([int(text) for text in distinct.to_pylist()], type=pa.int64())
    return pc.take(as_ints, pc.index_in(values, value_set=distinct))


def numbers(values: pa.Array) -> np.ndarray:
    """Each value as a float64; NaN where it is not a number (or is empty).

    pandas' ``to_numeric`` decides what reads as a number, as it always has; the value is then
    Python's ``float`` of the text, which is correctly rounded (pandas' fast parser is not:
    ``+3E30`` became 3.0000000000000003e30). Each distinct value is parsed once. The release
    stores these values, so what validation accepts is what a build writes.

    Examples
    --------
    >>> numbers(pa.array(["+3E30", "1.5", "one", None])).tolist()
    [3e+30, 1.5, nan, nan]
    """
    import pandas as pd

    distinct = pc.unique(values.drop_null())
    texts = distinct.to_pylist()
    lenient = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce").to_numpy(dtype="float64")
    exact = np.full(len(texts), np.nan)
    for i, (text, seen) in enumerate(zip(texts, lenient)):
        if not np.isnan(seen):
            try:
                exact[i] = float(text)
            except ValueError:  # a form pandas reads and Python does not: pandas' value
                exact[i] = seen
    where = pc.index_in(values, value_set=distinct).to_numpy(zero_copy_only=False)
    out = np.full(len(values), np.nan)
    known = ~np.isnan(where.astype("float64"))
    out[known] = exact[where[known].astype(np.int64)]
    return out




def number(values: pa.Array) -> np.ndarray:
    """Whether each value reads as a number.

    Examples
    --------
    >>> number(pa.array(["1.5", "1e3", "one"])).tolist()
    [True, True, False]
    """
    return ~np.isnan(numbers(values))


def finite(values: pa.Array) -> np.ndarray:
    """Whether each value is a finite number; text that is not a number passes.

    Examples
    --------
    >>> finite(pa.array(["1", "inf", "1e999", "one"])).tolist()
    [True, False, False, True]
    """
    return ~np.isinf(numbers(values))


def at_least(m: float) -> Kernel:
    """Whether each number is ``m`` or more; text that is not a number passes.

    Examples
    --------
    >>> at_least(0)(pa.array(["0", "-1", "x"])).tolist()
    [True, False, True]
    """
    return lambda values: ~(numbers(values) < m)


def at_most(m: float) -> Kernel:
    """Whether each number is ``m`` or less; text that is not a number passes.

    Examples
    --------
    >>> at_most(1)(pa.array(["1", "2"])).tolist()
    [True, False]
    """
    return lambda values: ~(numbers(values) > m)


def distinct(values: pa.Array) -> np.ndarray:
    """Whether each value appears once only (every copy of a repeated value fails).

    Examples
    --------
    >>> distinct(pa.array(["a", "b", "a"])).tolist()
    [False, True, False]
    """
    if len(pc.unique(values)) == len(values):
        return np.ones(len(values), dtype=bool)
    counts = pc.value_counts(values)
    repeated = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    return ~bools(pc.is_in(values, value_set=repeated))


def groups(*columns: pa.Array) -> list[np.ndarray]:
    """The positions of the rows holding each distinct combination of values, in order of first appearance.

    Missing values are values like any other. Arrow's hash kernels number each column's
    values, then each combination so far, so no engine beyond the compute functions is
    needed (``Table.group_by`` imports Arrow's query engine, and with it ``pyarrow.dataset``:
    60 ms, more than the rest of a validation of the real data's excerpts).

    Examples
    --------
    >>> [g.tolist() for g in groups(pa.array(["a", "b", "a", None]), pa.array(["x", "y", "x", "z"]))]
    [[0, 2], [1], [3]]
    """
    n = len(columns[0]) if columns else 0
    code = np.zeros(n, dtype=np.int64)
    for column in columns:
        encoded = pc.dictionary_encode(column, null_encoding="encode")
        combined = code * len(encoded.dictionary) + encoded.indices.to_numpy(zero_copy_only=False)
        code = pc.dictionary_encode(pa.array(combined)).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    if not n:
        return []
    order = np.argsort(code, kind="stable")
    return np.split(order, np.cumsum(np.bincount(code))[:-1])


class Suggester:
    """Close matches for a dangling key, in time that does not grow with the number of keys.

    ``difflib.get_close_matches`` over every key costs about a millisecond per thousand
    keys for each dangling value: minutes on a large table with 1% bad rows. Beyond
    :data:`FULL_SEARCH` keys, only the keys that sort next to the value, forwards and
    backwards (a typo late or early in the id), are compared.

    >>> s = Suggester([f"act-{i:05d}" for i in range(10_000)] + ["act-north-korea"])
    >>> s.closest("act-nroth-korea"), s.closest("act-north-koreaa"), s.closest("zzz")
    ('act-north-korea', 'act-north-korea', None)
    """

    FULL_SEARCH = 2_000
    NEIGHBOURS = 5

    def __init__(self, keys: list[str]):
        self.keys = keys
        if len(keys) > self.FULL_SEARCH:
            self.forward = sorted(keys)
            self.backward = sorted(k[::-1] for k in keys)

    def closest(self, value: str) -> str | None:
        """The key closest to ``value``, or None when none is close enough.

        Examples
        --------
        >>> Suggester(["act-russia", "act-china"]).closest("act-rusia")
        'act-russia'
        """
        if len(self.keys) <= self.FULL_SEARCH:
            candidates = self.keys
        else:
            n = self.NEIGHBOURS
            i = bisect.bisect_left(self.forward, value)
            j = bisect.bisect_left(self.backward, value[::-1])
            candidates = self.forward[max(0, i - n):i + n] + [k[::-1] for k in self.backward[max(0, j - n):j + n]]
        close = difflib.get_close_matches(value, candidates, n=1)
        return close[0] if close else None
