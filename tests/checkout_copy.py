"""A scratch copy of the checkout (data/, schemas/, pyproject.toml, releases/) to change in known ways."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from csvedit import read_rows, write_rows

from eastasia_data import paths


def make_checkout(target: Path, *, releases: bool = True) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("data", "schemas") + (("releases",) if releases else ()):
        shutil.copytree(paths.checkout().root / name, target / name)
    shutil.copy(paths.checkout().root / "pyproject.toml", target / "pyproject.toml")
    return target


def committed_checkout(target: Path, rev: str = "HEAD") -> Path:
    """A copy of data/, schemas/ and pyproject.toml as committed at ``rev`` (what ``diff HEAD`` compares with):
    uncommitted edits of the working tree are not in it."""
    import io
    import subprocess
    import tarfile

    archive = subprocess.run(["git", "archive", "--format=tar", rev, "pyproject.toml", "data", "schemas"],
                             cwd=paths.checkout().root, capture_output=True, check=True).stdout
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def set_version(repo: Path, version: str) -> None:
    path = repo / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^version = "[^"]*"', f'version = "{version}"', text, count=1), encoding="utf-8")


def edit_schema(repo: Path, table: str, edit) -> None:
    """Load schemas/<table>.yaml, let ``edit(dict)`` change it, write it back."""
    path = repo / "schemas" / f"{table}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")


def field_of(raw: dict, name: str) -> dict:
    return next(f for f in raw["fields"] if f["name"] == name)


def absent(taken: set[str], base: str, sep: str = "-") -> str:
    """``base``, or ``base`` with the first numeral suffix that makes it absent from ``taken``: a name for
    a table, column or id that a test adds, which no valid checkout can already hold.

    >>> absent({"note", "note-2"}, "note"), absent(set(), "note"), absent({"note"}, "note", sep="_")
    ('note-3', 'note', 'note_2')
    """
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{sep}{n}"
    return name


def add_row_copy(repo: Path, table: str, key_column: str, new_key: str) -> str:
    """Append a copy of the first row of a table under a new key (no other table refers to it).

    The key is ``new_key``, or ``new_key`` with a suffix if the table already has it; returns the key used.
    """
    path = repo / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    key = absent({r[key_column] for r in rows}, new_key)
    rows.append({**rows[0], key_column: key})
    write_rows(path, header, rows)
    return key


def set_value(repo: Path, table: str, row: int, column: str, value: str) -> str:
    """Set one cell; return the key of the row (its first column)."""
    path = repo / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    rows[row][column] = value
    write_rows(path, header, rows)
    return rows[row][header[0]]


def drop_column(repo: Path, table: str, column: str) -> None:
    path = repo / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    write_rows(path, [h for h in header if h != column], [{k: v for k, v in r.items() if k != column} for r in rows])
    edit_schema(repo, table, lambda raw: raw.__setitem__("fields", [f for f in raw["fields"] if f["name"] != column]))


def add_column(repo: Path, table: str, spec: dict, position: int | None = None) -> None:
    path = repo / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    position = len(header) if position is None else position
    header.insert(position, spec["name"])
    write_rows(path, header, [{**r, spec["name"]: ""} for r in rows])
    edit_schema(repo, table, lambda raw: raw["fields"].insert(position, spec))


def add_correction(repo: Path, table: str, key: str, columns: str = "", release: str = "") -> str:
    """Add an entry to the corrections register (status corrected); return its id."""
    path = repo / "data" / "corrections.csv"
    header, rows = read_rows(path)
    number = 1 + max(int(r["correction_id"].split("-")[1]) for r in rows)
    entry = {"correction_id": f"cor-{number:03d}", "table_name": table, "row_key": key, "columns": columns,
             "release": release, "what_was_wrong": f"The {columns or 'row'} was wrong (a test's correction).",
             "evidence_source_id": "", "reported_by": "issue 99", "status": "corrected"}
    write_rows(path, header, rows + [entry])
    return entry["correction_id"]
