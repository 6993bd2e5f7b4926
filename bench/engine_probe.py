"""Pandera's Ibis backend on DuckDB against the Arrow kernels validate uses, on one table of N rows (issue 25).

    python bench/engine_probe.py 1000000 arrow
    PYTHONPATH=/tmp/ibislib python bench/engine_probe.py 1000000 ibis

The key is held to a pattern and unique, a category column to its values and required; 1% of
the rows are broken. Prints one JSON line: the imports (and, for Ibis, the DuckDB connection)
and the checks, timed after the data is made. Ibis is not a dependency of the project: install
it beside the venv for the measurement, e.g. ``pip install --target /tmp/ibislib --no-deps
ibis-framework==12.0.0 atpublic parsy pyarrow-hotfix sqlglot toolz`` (bench/notes.md has the figures).
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ALLOWED = ["day", "month", "year"]
PATTERN = r"^evt-[0-9]+$"


def make(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ids = np.char.add("evt-", np.arange(n).astype(str))
    precision = rng.choice(np.array(ALLOWED), n)
    bad = rng.choice(n, n // 100, replace=False)
    precision[bad[: len(bad) // 2]] = "decade"  # not an allowed value
    ids[bad[len(bad) // 2:]] = "BAD"  # breaks the pattern, and repeats
    frame = pd.DataFrame({"event_id": pd.array(ids, dtype="str"), "date_precision": pd.array(precision, dtype="str")})
    frame.loc[frame.index[:5], "date_precision"] = None  # required
    return frame


def with_ibis(frame: pd.DataFrame) -> tuple[float, int]:
    import ibis
    import pandera.ibis as pai

    ibis.set_backend(ibis.duckdb.connect())
    imported = time.perf_counter()
    # con.create_table fails on DuckDB 2.0.1 (a parser error on DROP VIEW IF EXISTS); a memtable works
    table = ibis.memtable(pa.Table.from_pandas(frame, preserve_index=False))
    schema = pai.DataFrameSchema({
        "event_id": pai.Column(str, checks=[pai.Check.str_matches(PATTERN)], unique=True),
        "date_precision": pai.Column(str, checks=[pai.Check.isin(ALLOWED)], nullable=False)})
    try:
        schema.validate(table, lazy=True)
        return imported, 0
    except Exception as exc:  # pandera's SchemaErrors
        return imported, len(exc.failure_cases)


def with_arrow(frame: pd.DataFrame) -> tuple[float, int]:
    import pandera.pandas  # noqa: F401  (what validate imports anyway)

    imported = time.perf_counter()
    ids, precision = pa.array(frame["event_id"]), pa.array(frame["date_precision"])
    counts = pc.value_counts(ids)
    masks = [pc.invert(pc.match_substring_regex(ids, PATTERN)),
             pc.invert(pc.fill_null(pc.is_in(precision, pa.array(ALLOWED)), True)),
             pc.is_null(precision)]
    found = sum(len(np.flatnonzero(m.to_numpy(zero_copy_only=False))) for m in masks)
    return imported, found + len(counts.filter(pc.greater(counts.field("counts"), 1)))


def main() -> None:
    n, which = int(sys.argv[1]), sys.argv[2]
    frame = make(n)
    start = time.perf_counter()
    imported, failures = (with_ibis if which == "ibis" else with_arrow)(frame)
    end = time.perf_counter()
    print(json.dumps({"which": which, "rows": n, "imports": imported - start, "checks": end - imported,
                      "failures": failures}))


if __name__ == "__main__":
    main()
