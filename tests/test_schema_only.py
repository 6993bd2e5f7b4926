"""Adding a column or a table takes the schema file and the CSV alone: ``fmt`` and ``generate`` do the rest.

The test plays both additions of issue 10 in a ``git clone`` of this checkout (its committed
state): only ``schemas/`` and ``data/`` are edited by hand; ``eastasia-data fmt``, ``generate``,
``validate`` and ``build --out`` run on the clone (``--repo``) after each; the synthetic
generator of ``bench/`` derives the addition; and then the clone's own tests that cover every
table pass, run by pytest in the clone on the clone's code. One clone and one inner test run
for both additions keep it near a minute on a quiet machine.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from checkout_copy import absent
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

pytestmark = pytest.mark.slow

#: The clone's tests that cover every table (the benchmark smoke run is left to the suite itself).
TABLE_TESTS = ["tests/test_schema_agreement.py", "tests/test_synth.py", "tests/test_docs.py", "tests/test_load.py",
               "tests/test_validate_cli.py::test_valid_data_passes",
               "tests/test_fmt.py::test_committed_data_is_canonical",
               "tests/test_fmt.py::test_an_optional_column_added_to_the_schema_is_added_empty",
               "-k", "not smoke"]

NEW_COLUMN = """\
  - name: {name}
    type: string
    description: How sure the curators are of the event's date and place.
    categories:
      - {value: low, label: "One source, not confirmed"}
      - {value: high, label: "Confirmed by an authority"}
"""

NEW_TABLE = """\
# Table Schema for data/{name}.csv: the single definition of this table.
description: >-
  Notes that the curators keep on an event, each resting on a passage of an
  archived article.
fields:
  - name: note_id
    type: string
    description: Stable identifier, `note-` followed by lowercase words joined by hyphens.
    constraints:
      required: true
      unique: true
      pattern: "note-[a-z0-9]+(-[a-z0-9]+)*"
  - name: event_id
    type: string
    description: The event the note is about.
    constraints:
      required: true
  - name: noted_on
    type: string
    description: When the note was made, at the precision known.
    precisionField: noted_on_precision
    constraints:
      pattern: "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
  - name: noted_on_precision
    type: string
    description: How precise noted_on is.
    categories:
      - {value: day, label: "Known to the day"}
      - {value: month, label: "Known to the month"}
      - {value: year, label: "Known to the year"}
  - name: weight
    type: integer
    description: How much the note bears on the event, from 1 to 5.
    constraints:
      minimum: 1
      maximum: 5
  - name: confirmed
    type: boolean
    description: Whether an authority confirms the note.
  - name: source_id
    type: string
    description: The source of the note.
    constraints:
      required: true
  - name: excerpt
    type: string
    description: Verbatim passage of the archived source; empty for sources with no archived text.
    excerptOf: source_id
  - name: passage_id
    type: string
    description: The passage of the archived article that the excerpt lies in.
    constraints:
      pattern: "psg-[a-z0-9]+-[0-9]{3}"
primaryKey: [note_id]
foreignKeys:
  - fields: [event_id]
    reference: {resource: events, fields: [event_id]}
  - fields: [source_id]
    reference: {resource: sources, fields: [source_id]}
  - fields: [passage_id]
    reference: {resource: passages, fields: [passage_id]}
rules:
  - name: note-date-needs-precision
    description: A note's date states its precision.
    when: {noted_on: present}
    require: [noted_on_precision]
  - name: confirmed-note-is-dated
    description: A confirmed note says when it was made.
    when: {confirmed: ["true"]}
    require: [noted_on]
  - name: excerpt-names-passage
    description: An excerpt of an archived article names the passage of the coding ledger it lies in.
    when: {excerpt: present}
    require: [passage_id]
  - name: passage-needs-excerpt
    description: Only a row with an excerpt names a passage.
    when: {passage_id: present}
    require: [excerpt]
"""


def _pytest(clone: Path, *args: str) -> subprocess.CompletedProcess:
    """The clone's own tests, run from the clone with its own code."""
    env = {**os.environ, "PYTHONPATH": str(clone / "src")}
    env.pop("CI", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=600)


def _cli(capsys, clone: Path, *args: str) -> str:
    """``eastasia-data --repo CLONE ARGS`` as the command line runs it: its output, after checking it exits 0."""
    from eastasia_data.cli import main

    capsys.readouterr()
    code = main(["--repo", str(clone), *args])
    out = capsys.readouterr()
    assert code == 0, f"eastasia-data {' '.join(args)} exited {code}:\n{out.out[-3000:]}{out.err[-3000:]}"
    return out.out


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _changed(clone: Path) -> list[str]:
    """Every file git sees changed or added in the clone."""
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone, capture_output=True,
                         text=True, check=True).stdout
    return sorted(line[3:] for line in out.splitlines())


def _generated(clone: Path) -> set[str]:
    """The files `eastasia-data generate` writes (its registry), relative to the clone."""
    from eastasia_data import paths
    from eastasia_data.curation.generate import generate

    with paths.use_checkout(clone):
        return {str(Path(p).resolve().relative_to(clone.resolve())) for p, _ in generate(check=True)}


def _fmt(capsys, clone: Path, table: str, column: str) -> tuple[list[str], list[dict[str, str]]]:
    """`fmt` after the hand edit: the table's CSV has the column."""
    _cli(capsys, clone, "fmt")
    header, rows = _rows(clone / "data" / f"{table}.csv")
    assert column in header and rows
    return header, rows


def _check(capsys, clone: Path, table: str, column: str, work: Path, sources_dir: Path) -> None:
    """`generate`, `validate`, `build --out` and the synthetic generator after the addition, and what each must show."""
    _cli(capsys, clone, "generate")
    _cli(capsys, clone, "generate", "--check")
    assert f"`{column}`" in (clone / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    tables = len(list((clone / "schemas").glob("*.yaml")))
    assert _cli(capsys, clone, "validate").strip().splitlines()[-1].startswith(f"valid: checked {tables} tables")
    out = work / "release"
    _cli(capsys, clone, "build", "--out", str(out))
    built = next(p for p in out.iterdir() if p.is_dir())  # build writes the release and its bundle beside it
    assert column in pq.read_schema(built / f"{table}.parquet").names
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    assert column in [f["name"] for f in resource["schema"]["fields"]]
    # the synthetic generator derives the addition from the clone's schemas, and its data is valid
    from eastasia_data import paths
    from eastasia_data.curation.validate import validate

    with paths.use_checkout(clone):
        generated = synth.generate(work / "synth", 2_000, broken=0.0, seed=1, sources_dir=sources_dir)
        report = validate(work / "synth", sources_dir, require_archive=True)
    assert [p.as_text() for p in report.problems] == []
    assert generated.frames[table][column].notna().any()


@pytest.fixture
def clone(tmp_path, sources_dir, monkeypatch) -> Path:
    """A git clone of this checkout's committed state; the source archive named in the environment."""
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True, capture_output=True, timeout=120)
    monkeypatch.setenv("EASTASIA_SOURCES", str(sources_dir))
    monkeypatch.delenv("CI", raising=False)
    return target


def test_a_column_and_a_table_need_only_their_schema_and_csv(clone, tmp_path, capsys, sources_dir):
    # the column and the table are named so that the clone has neither
    column = absent({name for p in (clone / "data").glob("*.csv") for name in _rows(p)[0]}, "confidence", sep="_")
    table = absent({p.stem for p in (clone / "schemas").glob("*.yaml")}, "event_notes", sep="_")

    # (a) an optional column appended to one schema file; nothing else by hand
    schema = clone / "schemas" / "events.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("\nprimaryKey:", "\n" + NEW_COLUMN.replace("{name}", column) + "primaryKey:", 1),
                      encoding="utf-8")
    before = _rows(clone / "data" / "events.csv")[1]
    header, rows = _fmt(capsys, clone, "events", column)
    assert header[-1] == column and len(rows) == len(before)  # appended, and empty in every row
    assert all(r[column] == "" for r in rows)
    _check(capsys, clone, "events", column, tmp_path / "a", sources_dir)

    # (b) a table: one schema file and one CSV (two rows, citing an event, an authority and an
    # archived passage that the data already codes); nothing else by hand
    (clone / "schemas" / f"{table}.yaml").write_text(NEW_TABLE.replace("{name}", table), encoding="utf-8")
    _, claims = _rows(clone / "data" / "claims.csv")
    _, events = _rows(clone / "data" / "events.csv")
    _, sources = _rows(clone / "data" / "sources.csv")
    cited = next(c for c in claims if c["passage_id"])
    authority = next(s["source_id"] for s in sources if not s["archive_file"])
    with (clone / "data" / f"{table}.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["note_id", "event_id", "noted_on", "noted_on_precision", "weight", "confirmed", "source_id",
                    "excerpt", "passage_id"])
        w.writerow(["note-second", events[1]["event_id"], "2025-06", "month", "2", "", authority, "", ""])
        w.writerow(["note-first", events[0]["event_id"], "2025-05-09", "day", "4", "true", cited["source_id"],
                    cited["excerpt"], cited["passage_id"]])
    _, rows = _fmt(capsys, clone, table, "weight")
    assert [r["note_id"] for r in rows] == ["note-first", "note-second"]  # sorted by key
    _check(capsys, clone, table, "weight", tmp_path / "b", sources_dir)
    assert f"[`{table}`]" in (clone / "README.md").read_text(encoding="utf-8")

    # only the schema files and CSVs differ from the commit, besides what `generate` wrote
    by_hand = [p for p in _changed(clone) if p not in _generated(clone)]
    assert by_hand == sorted([f"data/{table}.csv", "data/events.csv", f"schemas/{table}.yaml", "schemas/events.yaml"])
    # the clone's tests that cover every table pass with both additions
    tests = _pytest(clone, *TABLE_TESTS)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout.splitlines()[-1] and "skipped" not in tests.stdout.splitlines()[-1]
