"""The corrections register: how a corrected row is named, and the reason given for it.

The table ``corrections`` (``data/corrections.csv``, shipped in every release from the one
after 2.0.0) holds one row per correction of a released row: the table, the row's key as
released (``row_key``), the columns, the release that made the correction and what was
wrong. A row's key is its primary key's values in key order joined by ``" | "``
(:func:`row_key`). :func:`eastasia_data.history` and ``eastasia-data diff`` show the reason
beside each corrected or removed row; ``check-version`` and ``release`` ask for an entry
for each (:mod:`eastasia_data.curation.corrections`).

Nothing here imports pandas at import time: the reader's path stays light.

Examples
--------
>>> from eastasia_data.corrections import row_key, split_key
>>> row_key(("str-nk-troops-for-russia", "act-ukraine"))
'str-nk-troops-for-russia | act-ukraine'
>>> split_key("evt-2019-12-02-power-of-siberia-launch")
('evt-2019-12-02-power-of-siberia-launch',)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["SEPARATOR", "TABLE", "Entry", "entries", "row_key", "split_key"]

#: The name of the register's table.
TABLE = "corrections"
#: What joins the values of a composite key in ``row_key``.
SEPARATOR = " | "


def row_key(values: Iterable[Any]) -> str:
    """A row's key as the register writes it: its values in key order joined by ``" | "``.

    Examples
    --------
    >>> row_key(["evt-2013-09-07-xi-proposes-silk-road-economic-belt", "act-belt-and-road-initiative", "participant"])
    'evt-2013-09-07-xi-proposes-silk-road-economic-belt | act-belt-and-road-initiative | participant'
    """
    return SEPARATOR.join(str(v) for v in values)


def split_key(text: str) -> tuple[str, ...]:
    """The values of a ``row_key``, in key order.

    Examples
    --------
    >>> split_key("str-china-asean-regional-forum | act-asean")
    ('str-china-asean-regional-forum', 'act-asean')
    """
    return tuple(text.split(SEPARATOR))


@dataclass(frozen=True)
class Entry:
    """One row of the register, every cell as text (empty cells as ``""``)."""

    correction_id: str
    table_name: str
    row_key: str
    columns: str
    release: str
    what_was_wrong: str
    evidence_source_id: str
    reported_by: str
    status: str

    def reason(self) -> str:
        """The reason as shown beside the row: what was wrong, the evidence, the entry's id.

        Examples
        --------
        >>> Entry("cor-001", "events", "evt-x", "title", "1.0.0", "Misspelt.", "src-y", "issue 1", "corrected").reason()
        'Misspelt. (evidence: src-y; cor-001)'
        """
        evidence = f"evidence: {self.evidence_source_id}; " if self.evidence_source_id else ""
        return f"{self.what_was_wrong} ({evidence}{self.correction_id})"


def _text(value: Any) -> str:
    if value is None or value != value:  # None, NaN, NA
        return ""
    try:
        import pandas as pd

        if value is pd.NA:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def entries(frame: Any) -> list[Entry]:
    """The register's rows, from its frame as loaded (a release) or as read (a checkout).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([{"correction_id": "cor-001", "table_name": "events", "row_key": "evt-x",
    ...                        "columns": "title", "release": None, "what_was_wrong": "Misspelt.",
    ...                        "evidence_source_id": None, "reported_by": "issue 1", "status": "corrected"}])
    >>> entries(frame)[0].release
    ''
    """
    names = list(Entry.__dataclass_fields__)
    columns = [c for c in names if c in frame.columns]
    out = []
    for values in frame[columns].itertuples(index=False, name=None):
        cells = dict(zip(columns, map(_text, values)))
        out.append(Entry(**{n: cells.get(n, "") for n in names}))
    return out


def reasons(frame: Any, *, statuses: tuple[str, ...] = ("corrected",)) -> dict[tuple[str, str, str], list[Entry]]:
    """The register's entries by (table, row_key, release), those of the given statuses only.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame([{"correction_id": "cor-001", "table_name": "events", "row_key": "evt-x",
    ...                        "release": "1.1.0", "what_was_wrong": "Misspelt.", "status": "corrected"}])
    >>> [e.correction_id for e in reasons(frame)[("events", "evt-x", "1.1.0")]]
    ['cor-001']
    """
    out: dict[tuple[str, str, str], list[Entry]] = {}
    for e in entries(frame):
        if e.status in statuses:
            out.setdefault((e.table_name, e.row_key, e.release), []).append(e)
    return out
