"""Across tables: every foreign key resolves, and no two ids are the same to the eye.

Exact duplicates of a key are caught per table (``checks/table.py``); here an
id that differs from another only by case, an invisible character or a
look-alike letter (Cyrillic ``а`` for Latin ``a``) is reported against the
line of the first.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data.curation.checks.hygiene import INVISIBLE
from eastasia_data.curation.checks.kernels import Suggester, bools, fullmatch, present, text_array
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import FOREIGN_KEY, LOOKALIKE_ID

_INVISIBLE = re.compile(INVISIBLE)
# The commonest Latin look-alikes from Cyrillic and Greek.
_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k", "м": "m", "т": "t",
    "в": "b", "н": "h", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "ο": "o", "α": "a", "ρ": "p",
    "τ": "t", "ν": "v", "ε": "e", "ι": "i", "κ": "k",
})


def skeleton(value: str) -> str:
    """A key with case, invisible characters and look-alike letters folded away.

    Examples
    --------
    >>> skeleton("Act-Rus\u200b") == skeleton("act-rus") == skeleton("аct-rus")
    True
    """
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", value)).casefold()
    return text.translate(_LOOKALIKES)


def check_lookalike_keys(tf: TableFile) -> list[Problem]:
    """Flag primary keys that differ from another only by case, an invisible character or a look-alike letter.

    Parameters
    ----------
    tf : TableFile
        One table as read (only single-column primary keys are checked).

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> tf = read_checkout()["actors"]
    >>> tf.frame.loc[0, "actor_id"] = "Act-China"
    >>> [p.rule for p in check_lookalike_keys(tf)]
    ['lookalike-id']
    """
    table, frame = tf.table, tf.frame
    if frame is None or len(table.primary_key) != 1 or table.primary_key[0] not in frame.columns:
        return []
    col = table.primary_key[0]
    keys = text_array(frame[col])
    if fullmatch(r"[a-z0-9-]*")(keys.drop_null()).all():
        return []  # plain lowercase ASCII keys cannot look alike without being equal
    values = frame[col].dropna()
    plain = values.str.fullmatch(r"[a-z0-9-]*").astype(bool)
    # A plain key is its own skeleton: fold only the others (a few, even in a large table).
    folded = values.where(plain, values[~plain].map(skeleton))
    clash = folded.duplicated(keep=False) & ~values.duplicated(keep=False)
    values, folded = values[clash | folded.duplicated(keep=False)], folded[clash | folded.duplicated(keep=False)]
    problems = []
    first_seen: dict[str, tuple[int, str]] = {}
    for pos, (raw, key) in enumerate(zip(values, folded)):
        i = int(values.index[pos])
        if key in first_seen and first_seen[key][1] != raw:
            line, other = first_seen[key]
            problems.append(tf.problem(i, col, raw, LOOKALIKE_ID,
                                       f"differs from {other!r} on line {line} only by case, an invisible character or a look-alike letter",
                                       "ids are lowercase ASCII; reuse the existing id or choose a distinct one"))
        else:
            first_seen.setdefault(key, (tf.line_of(i), raw))
    return problems


def _well_formed(keys: list[str], parent: TableFile, fields: tuple[str, ...]) -> list[str]:
    """The keys a hint may suggest: those whose every part fits its column's pattern (never a broken id).

    >>> from eastasia_data.curation.validate import read_checkout
    >>> _well_formed(["act-russia", "act-Russia", "act-russia ", "act-russia|x"], read_checkout()["actors"], ("actor_id",))
    ['act-russia']
    """
    import re

    patterns = [parent.table.field(f).pattern if f in parent.table.field_names else None for f in fields]
    if len(patterns) == 1:  # one key column (most foreign keys): the whole key against its pattern, in Arrow
        if patterns[0] is None:
            return list(keys)
        keep = fullmatch(patterns[0])(pa.array(keys, type=pa.large_string()))
        return [k for k, good in zip(keys, keep.tolist()) if good]
    return [k for k in keys
            if all(p is None or re.fullmatch(p, part) for p, part in zip(patterns, k.split("|")))]


def check_foreign_keys(files: dict[str, TableFile]) -> list[Problem]:
    """Check that every filled foreign key names an existing row of the table it refers to.

    Parameters
    ----------
    files : dict of str to TableFile
        The tables as read; a key into a table that is not given is not checked.

    Returns
    -------
    list of Problem
        Rule ``foreign-key``, with the closest existing id as a hint.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> files = {n: tf for n, tf in read_checkout().items() if n in ("events", "actors", "event_actors")}
    >>> files["event_actors"].frame.loc[0, "actor_id"] = "act-rusia"
    >>> [p.hint.split("?")[0] for p in check_foreign_keys(files)]
    ["did you mean 'act-russia'"]
    """
    problems: list[Problem] = []
    suggesters: dict[tuple[str, tuple[str, ...]], Suggester] = {}  # several foreign keys name one parent
    for tf in files.values():
        if tf.frame is None:
            continue
        for fk in tf.table.foreign_keys:
            parent = files.get(fk.resource)
            if parent is None or parent.frame is None:
                continue
            if any(c not in tf.frame.columns for c in fk.fields) or any(c not in parent.frame.columns for c in fk.reference_fields):
                continue
            if len(fk.fields) == 1:
                # hashed in Arrow: pandas' isin on a ``str`` column first turns every key into a Python object
                child = text_array(tf.frame[fk.fields[0]])
                known = text_array(parent.frame[fk.reference_fields[0]]).drop_null()
                dangling = np.flatnonzero(present(child) & ~bools(pc.is_in(child, value_set=known)))
                keys = lambda known=known: pc.unique(known).to_pylist()  # noqa: E731  (Python strings only for hints)
            else:
                frame = tf.frame[list(fk.fields)]
                ref = pd.MultiIndex.from_frame(parent.frame[list(fk.reference_fields)].dropna())
                dangling = np.flatnonzero(frame.notna().all(axis=1).to_numpy() & ~pd.MultiIndex.from_frame(frame).isin(ref))
                keys = lambda ref=ref: ["|".join(map(str, k)) for k in ref]  # noqa: E731
            if not len(dangling):
                continue
            target = f"{fk.resource}.{'+'.join(fk.reference_fields)}"
            parent_key = (fk.resource, tuple(fk.reference_fields))
            if parent_key not in suggesters:  # built only when something dangles
                suggesters[parent_key] = Suggester(_well_formed(keys(), parent, fk.reference_fields))
            suggest = suggesters[parent_key]
            for i in map(int, dangling):
                value = "|".join(str(tf.frame[c].iat[i]) for c in fk.fields)
                close = suggest.closest(value) if suggest else None
                hint = f"did you mean {close!r}? " if close else ""
                hint += f"add the row to {parent.display} first, or correct the id"
                problems.append(tf.problem(int(i), "+".join(fk.fields), value, FOREIGN_KEY,
                                           f"does not exist in {target}", hint))
    return problems


def check_relations(files: dict[str, TableFile]) -> list[Problem]:
    """Foreign keys of every table, the cells naming another table's row, column or value, and look-alike keys.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> check_relations(read_checkout())
    []
    """
    from eastasia_data.curation.checks.references import check_references

    problems = check_foreign_keys(files) + check_references(files)
    for tf in files.values():
        problems += check_lookalike_keys(tf)
    return problems
