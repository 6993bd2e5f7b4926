"""Adding a column or a table takes the schema file and the CSV alone: ``fmt`` and ``generate`` do the rest.

Each test plays one addition in a ``git clone`` of this checkout (its committed state): only
``schemas/`` and ``data/`` are edited by hand, then ``eastasia-data fmt``, ``generate``,
``validate`` and ``build --out`` run in the clone as a contributor runs them, the synthetic
generator of ``bench/`` produces the addition, and the clone's own tests that cover tables pass.
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
from conftest import REPO

pytestmark = pytest.mark.slow

#: The clone's tests that cover every table (the benchmark smoke run is left to the suite itself).
TABLE_TESTS = ["tests/test_schema_agreement.py", "tests/test_synth.py", "tests/test_fmt.py"]

NEW_COLUMN = """\
  - name: confidence
    type: string
    description: How sure the curators are of the event's date and place.
    categories:
      - {value: low, label: "One source, not confirmed"}
      - {value: high, label: "Confirmed by an authority"}
"""

NEW_TABLE = """\
# Table Schema for data/event_notes.csv: the single definition of this table.
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


def _run(clone: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "EASTASIA_SOURCES": os.environ.get("EASTASIA_SOURCES", "")}
    env.pop("CI", None)
    return subprocess.run([sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True,
                          timeout=timeout)


def _cli(clone: Path, *args: str) -> subprocess.CompletedProcess:
    proc = _run(clone, "-m", "eastasia_data", *args)
    assert proc.returncode == 0, f"eastasia-data {' '.join(args)}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
    return proc


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture
def clone(tmp_path, sources_dir, monkeypatch) -> Path:
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True, capture_output=True, timeout=120)
    monkeypatch.setenv("EASTASIA_SOURCES", str(sources_dir))
    return target


def _hand_edits(clone: Path) -> list[str]:
    """What git sees changed in the clone, apart from the files `generate` writes."""
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=clone, capture_output=True,
                         text=True, check=True).stdout
    return sorted(line[3:] for line in out.splitlines())


def _play(clone: Path, table: str, column: str, tmp_path: Path) -> None:
    """The contributor's commands after the hand edit, and what each must show."""
    _cli(clone, "fmt")
    header, rows = _rows(clone / "data" / f"{table}.csv")
    assert column in header and rows
    _cli(clone, "generate")
    _cli(clone, "generate", "--check")
    dictionary = (clone / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    assert f"`{column}`" in dictionary or column in dictionary
    validated = _cli(clone, "validate")
    assert validated.stdout.strip().startswith("valid"), validated.stdout
    out = tmp_path / "release"
    _cli(clone, "build", "--out", str(out))
    built = next(out.iterdir())
    assert column in pq.read_schema(built / f"{table}.parquet").names
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    assert column in [f["name"] for f in resource["schema"]["fields"]]
    # the synthetic generator produces the addition, and its data is valid
    script = (
        "import sys, json; sys.path.insert(0, 'bench'); import synth\n"
        "from eastasia_data.curation.validate import validate\n"
        f"g = synth.generate({str(tmp_path / 'synth')!r}, 2000, seed=1, sources_dir={os.environ['EASTASIA_SOURCES']!r})\n"
        f"r = validate({str(tmp_path / 'synth')!r}, {os.environ['EASTASIA_SOURCES']!r}, require_archive=True)\n"
        f"print(json.dumps({{'filled': int(g.frames[{table!r}][{column!r}].notna().sum()),"
        " 'problems': [p.as_text() for p in r.problems][:5]}))\n"
    )
    proc = _run(clone, "-c", script)
    assert proc.returncode == 0, proc.stderr[-3000:]
    synthetic = json.loads(proc.stdout.strip().splitlines()[-1])
    assert synthetic["problems"] == [] and synthetic["filled"] > 0, synthetic
    tests = _run(clone, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *TABLE_TESTS, "-k", "not smoke",
                 timeout=600)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]


def test_an_optional_column_needs_only_its_schema(clone, tmp_path):
    schema = clone / "schemas" / "events.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(text.replace("\nprimaryKey:", "\n" + NEW_COLUMN + "primaryKey:", 1), encoding="utf-8")
    _play(clone, "events", "confidence", tmp_path)
    generated = {"datapackage.json", "README.md"} | {f"docs/{p.name}" for p in (clone / "docs").glob("*.md")}
    edited = [p for p in _hand_edits(clone) if p not in generated and not p.startswith("docs/figures/")]
    assert edited == ["data/events.csv", "schemas/events.yaml"]


def test_a_table_needs_only_its_schema_and_csv(clone, tmp_path):
    (clone / "schemas" / "event_notes.yaml").write_text(NEW_TABLE, encoding="utf-8")
    # two rows by hand, citing an event and an archived passage that the data already codes
    _, claims = _rows(clone / "data" / "claims.csv")
    _, events = _rows(clone / "data" / "events.csv")
    _, sources = _rows(clone / "data" / "sources.csv")
    cited = next(c for c in claims if c["passage_id"])
    authority = next(s["source_id"] for s in sources if not s["archive_file"])
    with (clone / "data" / "event_notes.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["note_id", "event_id", "noted_on", "noted_on_precision", "weight", "confirmed", "source_id",
                    "excerpt", "passage_id"])
        w.writerow(["note-second", events[1]["event_id"], "2025-06", "month", "2", "", authority, "", ""])
        w.writerow(["note-first", events[0]["event_id"], "2025-05-09", "day", "4", "true", cited["source_id"],
                    cited["excerpt"], cited["passage_id"]])
    _play(clone, "event_notes", "weight", tmp_path)
    generated = {"datapackage.json", "README.md"} | {f"docs/{p.name}" for p in (clone / "docs").glob("*.md")}
    edited = [p for p in _hand_edits(clone) if p not in generated and not p.startswith("docs/figures/")]
    assert edited == ["data/event_notes.csv", "schemas/event_notes.yaml"]
    assert "[`event_notes`]" in (clone / "README.md").read_text(encoding="utf-8")
