"""Agreement between independent coders: Krippendorff's alpha per coded field, from ``data/codings.csv``.

The ``codings`` table holds one row per coder, round and coded cell (``table_name``, ``row_key``,
``field``, ``coder``, ``round``, ``value``). For each coded field (``claims.verdict``,
``events.category``, ...) this module takes the codings of one round (by default the field's
latest) and computes:

``alpha``
    Krippendorff's alpha at the **nominal** level, with the ``krippendorff`` package. The coded
    fields are categories without a distance between them (a PLOVER category, an instrument);
    even ``claims.verdict``, whose categories are ordered, mixes a scale with values off it
    (``unverifiable``, ``not_rated``), so any disagreement counts as a whole one.
``low``, ``high``
    A 95% percentile bootstrap interval: :data:`RESAMPLES` resamples of the units (coded rows),
    drawn with replacement by NumPy's ``default_rng`` seeded with :data:`SEED`, alpha computed on
    each; resamples where alpha is undefined (one value only) are left out. The same data always
    give the same interval.
``units``
    Rows coded by at least two coders (the units alpha is computed over).
``coders``
    Coders who coded the field in that round.
``disagreements``
    Units whose coders did not all give the same value.

A **set-valued** field (a Table Schema ``list`` field such as ``events.context``, whose cell
holds several codes) has no single nominal value to agree on. For it, each code that any
coder gave in the round is its own binary field, present or absent in each coder's set, keyed
``table.field[code]`` (``events.context[military]``): per-code agreement, reported beside the
nominal alpha of single-valued fields such as ``events.mode``. An empty value is a coding too
(no mode, no context): for ``mode`` it is one more nominal value, for ``context`` every code
absent.

Alpha is ``None`` (JSON ``null``) when it cannot be computed: fewer than two coders, no unit
coded by two of them, or a single value throughout (alpha is then 0/0).

``krippendorff`` is imported only when alpha is computed (it comes with the ``validate`` extra).

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"table_name": ["claims"] * 4, "row_key": ["clm-a", "clm-a", "clm-b", "clm-b"],
...                       "field": ["kind"] * 4, "coder": ["coder-a", "coder-b"] * 2, "round": ["1"] * 4,
...                       "value": ["fact", "fact", "opinion", "opinion"]})
>>> result = agreement(frame)["claims.kind"]
>>> result.alpha, result.units, result.coders, result.disagreements
(1.0, 2, 2, 0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eastasia_data.errors import UsageError

#: The table of independent codings, and its columns.
TABLE = "codings"
COLUMNS = ("table_name", "row_key", "field", "coder", "round", "value")
#: The target every coded field should reach (issue 22; Krippendorff's own threshold for conclusions).
TARGET = 0.80
#: The bootstrap: resamples of the units, the seed of NumPy's generator, the interval's coverage.
RESAMPLES = 1000
SEED = 22
CONFIDENCE = 0.95
#: Decimal places of alpha and of the interval in every output (text, JSON, descriptor, datasheet).
DIGITS = 3


@dataclass(frozen=True)
class FieldAgreement:
    """The agreement on one coded field in one round.

    ``reason`` says why ``alpha`` is None when it is.
    """

    table: str
    field: str
    round: int
    alpha: float | None
    low: float | None
    high: float | None
    units: int
    coders: int
    disagreements: int
    reason: str | None = None
    code: str | None = None

    @property
    def key(self) -> str:
        """``table.field``, the key of the JSON object; ``table.field[code]`` for one code of a list field.

        Examples
        --------
        >>> FieldAgreement("events", "category", 1, 0.9, 0.8, 1.0, 10, 2, 1).key
        'events.category'
        >>> FieldAgreement("events", "context", 1, 0.9, 0.8, 1.0, 10, 2, 1, code="military").key
        'events.context[military]'
        """
        return f"{self.table}.{self.field}" + (f"[{self.code}]" if self.code is not None else "")

    @property
    def meets_target(self) -> bool:
        """Whether alpha is computed and at least :data:`TARGET`.

        Examples
        --------
        >>> FieldAgreement("events", "category", 1, 0.79, 0.7, 0.9, 10, 2, 3).meets_target
        False
        """
        return self.alpha is not None and self.alpha >= TARGET

    def as_dict(self) -> dict[str, Any]:
        """The figures as the JSON output and the release descriptor give them.

        Examples
        --------
        >>> FieldAgreement("claims", "kind", 1, 1.0, 1.0, 1.0, 2, 2, 0).as_dict()
        {'alpha': 1.0, 'low': 1.0, 'high': 1.0, 'units': 2, 'coders': 2, 'disagreements': 0, 'round': 1}
        """
        return {"alpha": self.alpha, "low": self.low, "high": self.high, "units": self.units,
                "coders": self.coders, "disagreements": self.disagreements, "round": self.round}

    def as_text(self) -> str:
        """One line: the field, alpha with its interval, and the counts.

        Examples
        --------
        >>> print(FieldAgreement("claims", "kind", 1, 0.85, 0.75, 0.93, 40, 2, 4).as_text())
        claims.kind: alpha 0.850 (95% CI 0.750-0.930), 40 units, 2 coders, 4 disagreements, round 1
        >>> print(FieldAgreement("claims", "kind", 1, None, None, None, 0, 1, 0, "fewer than two coders").as_text())
        claims.kind: alpha not computed (fewer than two coders), 0 units, 1 coder, 0 disagreements, round 1
        """
        if self.alpha is None:
            head = f"alpha not computed ({self.reason})"
        else:
            interval = "no interval" if self.low is None else f"{CONFIDENCE:.0%} CI {self.low:.{DIGITS}f}-{self.high:.{DIGITS}f}"
            head = f"alpha {self.alpha:.{DIGITS}f} ({interval})"
        return (f"{self.key}: {head}, {self.units} units, {self.coders} coder{'s' * (self.coders != 1)}, "
                f"{self.disagreements} disagreement{'s' * (self.disagreements != 1)}, round {self.round}")


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), DIGITS)


def _alpha(counts) -> float | None:
    """Nominal alpha of a units × values count matrix; None where it is undefined."""
    import krippendorff
    import numpy as np

    try:
        with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 is reported as None, not warned about
            value = krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")
    except ValueError:  # one value only, or no pairable unit
        return None
    return None if value != value else float(value)  # NaN: undefined


def _field(table: str, field: str, rnd: int, rows, resamples: int, seed: int,
           code: str | None = None) -> FieldAgreement:
    """The figures of one field (or one code of a list field) from its rows of one round (row_key, coder, value)."""
    import numpy as np

    coders = int(rows["coder"].nunique())
    per_unit = rows.groupby("row_key", sort=True)["value"]
    sizes = per_unit.size()
    paired = sizes.index[sizes >= 2]
    units = len(paired)
    disagreements = int((per_unit.nunique()[paired] > 1).sum())

    def empty(reason: str) -> FieldAgreement:
        return FieldAgreement(table, field, rnd, None, None, None, units, coders, disagreements, reason, code)

    if coders < 2:
        return empty("fewer than two coders")
    if units == 0:
        return empty("no row coded by two coders")
    pairable = rows[rows["row_key"].isin(paired)]
    counts_frame = pairable.groupby(["row_key", "value"], sort=True).size().unstack(fill_value=0)
    counts = counts_frame.to_numpy(dtype=np.int64)
    alpha = _alpha(counts)
    if alpha is None:
        return empty("a single value throughout: alpha is undefined")
    rng = np.random.default_rng(seed)
    draws = np.array([_alpha(counts[rng.integers(0, units, units)]) for _ in range(resamples)], dtype=float)
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = (None, None) if np.isnan(draws).all() else np.nanpercentile(draws, [tail, 100 - tail])
    return FieldAgreement(table, field, rnd, _rounded(alpha), _rounded(low), _rounded(high), units, coders,
                          disagreements, code=code)


def agreement(frame, *, round: int | None = None, resamples: int = RESAMPLES, seed: int = SEED,
              list_fields: dict[str, str] | None = None) -> dict[str, FieldAgreement]:
    """Krippendorff's alpha (nominal) for each coded field of a ``codings`` table; per code for a list field.

    Parameters
    ----------
    frame : pandas.DataFrame
        The codings, with at least the columns of :data:`COLUMNS` (cells as text or numbers).
    round : int, optional
        The round to compute; default: each field's latest round.
    resamples, seed : int
        The bootstrap's number of resamples and the seed of its generator.
    list_fields : dict of str to str, optional
        The set-valued fields, ``table.field`` → the delimiter of their items (by default the
        ``list`` fields of the shipped release's model). Each gets one result per code.

    Returns
    -------
    dict of str to FieldAgreement
        Keyed ``table.field`` (``table.field[code]`` for a list field's codes), sorted; empty
        when the frame has no rows (or none in ``round``).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"table_name": ["events"] * 4, "row_key": ["evt-1", "evt-1", "evt-2", "evt-2"],
    ...                       "field": ["category"] * 4, "coder": ["coder-a", "coder-b"] * 2,
    ...                       "round": [1] * 4, "value": ["AID", "AID", "AGREE", "AID"]})
    >>> agreement(frame)["events.category"].disagreements
    1

    Per-code agreement on a list field: coder b adds ``economic`` to one event.

    >>> frame = frame.assign(field="context", value=["military", "military", "military", "military;economic"])
    >>> result = agreement(frame, list_fields={"events.context": ";"}, resamples=10)
    >>> sorted(result), result["events.context[economic]"].disagreements
    (['events.context[economic]', 'events.context[military]'], 1)
    """
    import pandas as pd

    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise UsageError(f"the codings lack the columns {missing}")
    if list_fields is None:
        from eastasia_data.releases import model as release_model

        list_fields = {f"{t.name}.{f.name}": f.delimiter or "," for t in release_model().values()
                       for f in t.fields if f.is_list}
    frame = frame.loc[:, list(COLUMNS)]
    frame = frame.assign(value=frame["value"].astype(object).where(frame["value"].notna(), "")).dropna()
    frame = frame.assign(round=pd.to_numeric(frame["round"]).astype("int64"), value=frame["value"].astype(str))
    out: dict[str, FieldAgreement] = {}
    for (table, field), rows in frame.groupby(["table_name", "field"], sort=True):
        chosen = int(rows["round"].max()) if round is None else round
        rows = rows[rows["round"] == chosen]
        if not len(rows):
            continue
        delimiter = list_fields.get(f"{table}.{field}")
        if delimiter is None:
            result = _field(str(table), str(field), chosen, rows, resamples, seed)
            out[result.key] = result
            continue
        sets = rows["value"].map(lambda v: set(v.split(delimiter)) - {""})
        for code in sorted(set().union(*sets)):
            binary = rows.assign(value=sets.map(lambda items: "present" if code in items else "absent"))
            result = _field(str(table), str(field), chosen, binary, resamples, seed, code=code)
            out[result.key] = result
    return dict(sorted(out.items()))


def rounds(frame) -> list[int]:
    """The rounds a codings frame holds, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> rounds(pd.DataFrame({"round": ["2", "1", "2", None]}))
    [1, 2]
    """
    import pandas as pd

    return sorted({int(r) for r in pd.to_numeric(frame["round"].dropna())})


def checkout_agreement(report=None, *, round: int | None = None, **validate_args) -> dict[str, FieldAgreement]:
    """The agreement of a checkout's ``codings`` table, after validating the data.

    Parameters
    ----------
    report : Report, optional
        A valid validation report already made (``build`` passes its own).
    round : int, optional
        The round to compute (default: each field's latest).
    **validate_args
        Passed to :func:`eastasia_data.validate` (``data_dir``, ``sources_dir``).

    Raises
    ------
    InvalidDataError
        The data is not valid (the error's ``report`` holds the problems).
    UsageError
        The checkout has no codings table, or ``round`` is not one of its rounds.

    Examples
    --------
    >>> checkout_agreement() == {} or "claims.verdict" in checkout_agreement()
    True
    """
    from eastasia_data.curation.validate import validate
    from eastasia_data.errors import InvalidDataError

    if report is None:
        report = validate(**validate_args)
    if not report.valid:
        raise InvalidDataError(f"the data is not valid ({report.summary}); no agreement was computed", report)
    frames = report.frames()
    if TABLE not in frames:
        raise UsageError(f"this checkout has no {TABLE} table (schemas/{TABLE}.yaml)")
    frame = frames[TABLE]
    if round is not None:
        found = rounds(frame)
        if round not in found:
            held = ", ".join(map(str, found)) or "none: the table has no rows"
            raise UsageError(f"--round {round}: data/{TABLE}.csv has no codings in round {round} (rounds: {held})")
    list_fields = {f"{t.name}.{f.name}": f.delimiter or "," for t in report.tables.values() for f in t.fields
                   if f.is_list}
    return agreement(frame, round=round, list_fields=list_fields)


def descriptor_object(results: dict[str, FieldAgreement]) -> dict[str, dict[str, Any]]:
    """The ``agreement`` object of a release descriptor: the JSON output, keyed ``table.field``.

    Examples
    --------
    >>> descriptor_object({})
    {}
    """
    return {key: r.as_dict() for key, r in results.items()}


def render(results: dict[str, FieldAgreement], fmt: str = "text") -> str:
    """The figures as ``text`` (one line per field) or ``json`` (an object keyed ``table.field``).

    Examples
    --------
    >>> render({}, "json")
    '{}'
    >>> render({})
    'no independent codings yet: data/codings.csv has no rows'
    """
    if fmt == "json":
        return json.dumps(descriptor_object(results), indent=2)
    if not results:
        return f"no independent codings yet: data/{TABLE}.csv has no rows"
    return "\n".join(r.as_text() for r in results.values())


def datasheet_block(descriptor: dict[str, Any] | None) -> str:
    """The datasheet's block of agreement figures, from a release descriptor's ``agreement`` object.

    Examples
    --------
    >>> print(datasheet_block({"version": "2.0.0"}))
    - Release 2.0.0: no second coding has been made yet, so no agreement between coders is reported.
    <BLANKLINE>
    >>> print(datasheet_block({"version": "9.0.0", "agreement": {"claims.kind": {
    ...     "alpha": 0.9, "low": 0.8, "high": 0.97, "units": 50, "coders": 2, "disagreements": 3, "round": 1}}}))
    ... # doctest: +NORMALIZE_WHITESPACE
    | field | alpha | 95% interval | units | coders | disagreements | round |
    |---|---|---|---|---|---|---|
    | `claims.kind` | 0.900 | 0.800–0.970 | 50 | 2 | 3 | 1 |
    <BLANKLINE>
    Release 9.0.0; Krippendorff's alpha, nominal; target 0.80 for every field.
    <BLANKLINE>
    """
    version = (descriptor or {}).get("version", "?")
    figures = (descriptor or {}).get("agreement") or {}
    if not figures:
        return (f"- Release {version}: no second coding has been made yet, so no agreement between coders "
                "is reported.\n")

    def num(value) -> str:
        return "—" if value is None else f"{value:.{DIGITS}f}"

    lines = ["| field | alpha | 95% interval | units | coders | disagreements | round |", "|---|---|---|---|---|---|---|"]
    for key, f in figures.items():
        interval = "—" if f.get("low") is None else f"{num(f['low'])}–{num(f['high'])}"
        lines.append(f"| `{key}` | {num(f.get('alpha'))} | {interval} | {f.get('units')} | {f.get('coders')} "
                     f"| {f.get('disagreements')} | {f.get('round')} |")
    lines += ["", f"Release {version}; Krippendorff's alpha, nominal; target {TARGET:.2f} for every field."]
    return "\n".join(lines) + "\n"

