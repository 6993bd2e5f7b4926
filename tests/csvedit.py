"""Small helpers to break a copy of the data in a known place."""

from __future__ import annotations

import csv
from pathlib import Path


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> int:
    """Set one cell (row counted from 0) and return the physical line of that row."""
    header, rows = read_rows(path)
    rows[row][column] = value
    write_rows(path, header, rows)
    return row + 2


def first_row(path: Path, predicate) -> int:
    """Index of the first row for which ``predicate(row)`` holds."""
    _, rows = read_rows(path)
    for i, r in enumerate(rows):
        if predicate(r):
            return i
    raise AssertionError(f"no row of {path} fits the test")
