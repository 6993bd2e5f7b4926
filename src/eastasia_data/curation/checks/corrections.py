"""The corrections register against the tables and the releases.

Each entry of ``data/corrections.csv`` names a row by its table and key as released
(:func:`eastasia_data.views.row_key`). The row must exist in the current data, or,
when the correction removed it or changed its key, in the release before the one named in
``release`` (the release it was removed from; the last release while ``release`` is
empty). The releases are read as shipped (Parquet, through the package's loader): the
checkout's ``releases/`` when it holds the version, else the releases the package knows
(:mod:`eastasia_data.releases`). ``columns`` names columns of that table, now or in that
release; ``release`` names a release, or the version being released.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from eastasia_data import paths
from eastasia_data.views import CORRECTIONS as TABLE, SEPARATOR, entries, row_key, split_key
from eastasia_data.curation.checks.kernels import Suggester, bools, row_keys, text_array
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import CORRECTION_COLUMNS, CORRECTION_RELEASE, CORRECTION_ROW
from eastasia_data.curation.versioning import SEMVER, parse
from eastasia_data.errors import EastAsiaError

__all__ = ["Releases", "check_corrections"]


@dataclass
class Releases:
    """The released versions a checkout can read: their keys and columns per table, read once."""

    root: Path | None
    versions: list[str]
    being_released: str | None = None
    _tables: dict[tuple[str, str], tuple[frozenset[str], list[str]] | None] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, checkout: paths.Checkout | None) -> Releases:
        """The releases of ``checkout`` (its ``releases/``) and those the package ships or registers.

        Examples
        --------
        >>> "1.0.0" in Releases.of(paths.checkout()).versions
        True
        """
        from eastasia_data.curation.versioning import released_versions

        found: set[str] = set()
        if checkout is not None and checkout.releases_dir.is_dir():
            found.update(released_versions(checkout.releases_dir))
        try:
            from eastasia_data.releases import registry

            found.update(r["version"] for r in registry()["releases"])
        except EastAsiaError:
            pass  # an installation without registry.json: the checkout's releases only
        version = None
        if checkout is not None:
            try:
                version = checkout.version
            except EastAsiaError:
                version = None
        return cls(checkout.releases_dir if checkout else None, sorted(found, key=parse), version)

    def before(self, version: str | None) -> str | None:
        """The release a correction made in ``version`` corrected (the last release when ``version`` is empty).

        Examples
        --------
        >>> releases = Releases(None, ["0.1.0", "1.0.0", "2.0.0"])
        >>> releases.before("1.0.0"), releases.before(None), releases.before("0.1.0")
        ('0.1.0', '2.0.0', None)
        """
        lower = [v for v in self.versions if not version or parse(v) < parse(version)]
        return lower[-1] if lower else None

    def _directory(self, version: str) -> Path:
        if self.root is not None and (self.root / paths.release_dirname(version) / paths.DESCRIPTOR).is_file():
            return self.root / paths.release_dirname(version)
        from eastasia_data.releases import release_dir

        return release_dir(version)

    def table(self, version: str, table: str) -> tuple[frozenset[str], list[str]] | None:
        """The row keys and the columns of ``table`` in release ``version``; None when it has no such table.

        Raises
        ------
        EastAsiaError
            The release cannot be found or read.

        Examples
        --------
        >>> keys, columns = Releases.of(paths.checkout()).table("0.1.0", "sources")
        >>> "src-kbs-2023-07-21-kotra-nk-trade" in keys, columns[0]
        (True, 'source_id')
        """
        if (version, table) not in self._tables:
            directory = self._directory(version)
            descriptor = directory / paths.DESCRIPTOR
            self._tables[(version, table)] = _release_table(str(directory), descriptor.stat().st_mtime_ns, table)
        return self._tables[(version, table)]


@lru_cache(maxsize=64)
def _release_table(directory: str, mtime_ns: int, table: str) -> tuple[frozenset[str], list[str]] | None:
    """The row keys and columns of one table of the release in ``directory``.

    Read once per process, and kept in the checkout's cache (:mod:`eastasia_data.curation.cache`)
    under the release's descriptor and the size and time of its Parquet files, so that a
    validation of unchanged data does not import the Parquet reader to look up the rows a
    correction removed.
    """
    from eastasia_data.curation.cache import checkout_cache, release_state

    cache, key = checkout_cache(), ""
    if cache is not None:
        state = release_state(Path(directory))
        if state is None:
            cache = None
        else:
            key = cache.key("release-keys", state, table.encode())
            stored = cache.get("release-keys", key)
            if isinstance(stored, dict) and isinstance(stored.get("keys"), list):
                return frozenset(stored["keys"]), stored["columns"]
            if stored == "absent":
                return None
    found = _read_release_table(directory, table)
    if cache is not None:
        cache.put("release-keys", key, "absent" if found is None else {"keys": sorted(found[0]), "columns": found[1]})
    return found


def _read_release_table(directory: str, table: str) -> tuple[frozenset[str], list[str]] | None:
    from eastasia_data.loader import load
    from eastasia_data.releases import model as release_model

    model = release_model(release=directory)
    if table not in model:
        return None
    pk = list(model[table].primary_key)
    frame = load(table, release=directory)
    keys = frozenset(row_key(_cell(v) for v in values) for values in frame[pk].itertuples(index=False, name=None))
    return keys, list(model[table].field_names)


def _text_keys(frame, pk: list[str]) -> set[str]:
    """The ``row_key`` of every row of a frame of text as read (a missing cell is empty).

    Examples
    --------
    >>> import pandas as pd
    >>> sorted(_text_keys(pd.DataFrame({"a": ["x", "y"], "b": ["1", None]}, dtype="str"), ["a", "b"]))
    ['x | 1', 'y | ']
    """
    return set(row_keys(frame, pk).to_pylist())


def _settled(tf: TableFile, files: dict[str, TableFile], releases: Releases, pattern: str | None):
    """The entries in which :func:`check_corrections` can find nothing, found a column at a time in Arrow.

    An entry is settled when its table is read, its ``release`` is empty or a known release,
    its ``row_key`` is the key of a row of the current data with as many values as the key has
    columns, and its ``columns`` are the table's own (or break the column's pattern, which
    is that rule's problem). Such an entry needs no release read and gives no problem; every
    other entry is checked one by one, as before. ``tests/test_fast_paths.py`` holds the two
    to the same answers.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    frame = tf.frame
    assert frame is not None
    n = len(frame)

    def column(name: str) -> pa.Array:
        if name not in frame.columns:
            return pa.array([""] * n, type=pa.large_string())
        return text_array(frame[name]).fill_null("")

    names, keys, release, listed = column("table_name"), column("row_key"), column("release"), column("columns")
    known = [*releases.versions, *([releases.being_released] if releases.being_released else [])]
    settled = bools(pc.or_(pc.equal(release, ""), pc.is_in(release, value_set=pa.array(known, pa.large_string()))))
    in_data = np.zeros(n, dtype=bool)
    good_pairs: list[str] = []
    for name in pc.unique(names).to_pylist():
        target = files.get(name)
        if target is None or target.frame is None:
            continue
        pk = list(target.table.primary_key)
        if pk and all(c in target.frame.columns for c in pk):
            rows = bools(pc.equal(names, name))
            found = bools(pc.is_in(keys, value_set=row_keys(target.frame, pk)))
            shape = np.asarray(pc.count_substring(keys, SEPARATOR)) == len(pk) - 1
            in_data |= rows & found & shape
        fields = set(target.table.field_names)
        for value in pc.unique(pc.filter(listed, pc.equal(names, name))).to_pylist():
            if (pattern and not re.fullmatch(pattern, value)) or set(value.split()) <= fields:
                good_pairs.append(f"{name}\x1f{value}")  # a table's name never holds U+001F
    pairs = pc.binary_join_element_wise(names, listed, pa.scalar("\x1f", pa.large_string()))
    return settled & in_data & bools(pc.is_in(pairs, value_set=pa.array(good_pairs, pa.large_string())))


def _cell(value) -> str:
    if value is None or value != value:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def check_corrections(files: dict[str, TableFile], releases: Releases) -> list[Problem]:
    """Check every entry of the register against the data and the releases.

    Parameters
    ----------
    files : dict of str to TableFile
        The tables as read; nothing is checked when the register is not among them.
    releases : Releases
        The releases to look a removed row up in.

    Returns
    -------
    list of Problem
        Rules ``correction-release`` (``release`` names no release), ``correction-row``
        (``row_key`` names no row of the data or of the release before ``release``, or has
        as many values as the key has columns) and ``correction-columns`` (a column the
        table does not have).

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = read_checkout()
    >>> check_corrections(files, Releases.of(paths.checkout()))
    []
    >>> files["corrections"].frame.loc[0, "row_key"] = "clm-a1-united-frnt"
    >>> [(p.rule, p.hint[:34]) for p in check_corrections(files, Releases.of(paths.checkout()))]
    [('correction-row', "did you mean 'clm-a1-united-front'")]
    """
    tf = files.get(TABLE)
    if tf is None or tf.frame is None or not {"table_name", "row_key"} <= set(tf.frame.columns):
        return []
    import numpy as np

    problems: list[Problem] = []
    current_keys: dict[str, set[str]] = {}
    suggesters: dict[tuple[str, str | None], Suggester] = {}  # by table, and the release looked in (if any)
    pattern = tf.table.field("columns").pattern if "columns" in tf.table.field_names else None
    unsettled = np.flatnonzero(~_settled(tf, files, releases, pattern))
    for i, e in zip(unsettled.tolist(), entries(tf.frame.iloc[unsettled])):
        target = files.get(e.table_name)
        if target is None or target.frame is None or not e.row_key:
            continue  # an unknown table is an `enum` problem, an empty key a `required` one
        if e.release and not SEMVER.fullmatch(e.release):
            continue  # a `pattern` problem
        if e.release and e.release not in releases.versions and e.release != releases.being_released:
            known = ", ".join(releases.versions) or "none"
            problems.append(tf.problem(i, "release", e.release, CORRECTION_RELEASE,
                                       f"names no release (the releases are {known})",
                                       "name the version that made the correction, or leave release empty until "
                                       "`eastasia-data release` fills it in"))
            continue
        pk = list(target.table.primary_key)
        values = split_key(e.row_key)
        if len(values) != len(pk):
            problems.append(tf.problem(i, "row_key", e.row_key, CORRECTION_ROW,
                                       f"has {len(values)} value(s), but {e.table_name} is keyed by {len(pk)} "
                                       f"({', '.join(pk)})",
                                       "join the key's values in key order with ' | ' (a space, a bar, a space)"))
            continue
        if e.table_name not in current_keys:
            current_keys[e.table_name] = (_text_keys(target.frame, pk) if all(c in target.frame.columns for c in pk)
                                          else set())
        current = current_keys[e.table_name]
        columns = set(target.table.field_names)
        before = releases.before(e.release or None)
        released: tuple[frozenset[str], list[str]] | None = None
        if before is not None and (e.row_key not in current or not set(e.columns.split()) <= columns):
            try:
                released = releases.table(before, e.table_name)
            except (EastAsiaError, OSError, ValueError) as exc:
                problems.append(tf.problem(i, "row_key", e.row_key, CORRECTION_ROW,
                                           f"cannot be looked up in release {before}: {exc}",
                                           "build or install that release, or correct release"))
                continue
        if released is not None:
            columns |= set(released[1])
        if e.row_key not in current and (released is None or e.row_key not in released[0]):
            where = f"data/{e.table_name}.csv" + (f" nor of release {before}, the release before "
                                                  f"{e.release or 'the next one'}" if before else "")
            among = (e.table_name, before if released is not None else None)
            if among not in suggesters:
                suggesters[among] = Suggester(sorted(current | (released[0] if released else set())))
            close = suggesters[among].closest(e.row_key)
            hint = (f"did you mean {close!r}? " if close else "") + (
                "name the row by its key as released (values in key order joined by ' | '), and the release "
                "that corrected it")
            problems.append(tf.problem(i, "row_key", e.row_key, CORRECTION_ROW, f"names no row of {where}", hint))
        if pattern and not re.fullmatch(pattern, e.columns):
            continue  # a `pattern` problem
        for name in e.columns.split():
            if name not in columns:
                problems.append(tf.problem(i, "columns", name, CORRECTION_COLUMNS,
                                           f"is not a column of {e.table_name}",
                                           f"the columns are: {', '.join(target.table.field_names)}"))
    return problems
