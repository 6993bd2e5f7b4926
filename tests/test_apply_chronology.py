"""scripts/apply_chronology.py: curated chronology events from side files into data/, malformed entries refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, run_cli
from csvedit import read_rows

SCRIPT = REPO / "scripts" / "apply_chronology.py"

SOURCE = {"title": "Leaders meet in the fixture city", "publisher": "Fixture Wire (via Example)", "author": "",
          "published_date": "2024-07-02", "published_date_precision": "day", "url": "",
          "read_url": "https://example.org/fixture/leaders-meet", "accessed": "2024-07-03", "kind": "wire_report", "reliability": "high",
          "authority_excerpt": "The two leaders met on Tuesday in the fixture city, the agency said."}
EVENT = {"event_id": "evt-2024-07-02-fixture-leaders-meet", "title": "Fixture leaders meet",
         "summary": "A made-up meeting used only by this test.", "start_date": "2024-07-02", "end_date": "",
         "date_precision": "day", "category": "CONSULT", "location": "", "note": "",
         "mode": "visit", "context": ["military", "diplomatic"],
         "actors": [{"actor_id": "act-north-korea", "role": "actor"}, {"actor_id": "act-russia", "role": "recipient"},
                    {"actor_id": "act-fixture-envoy", "role": "actor"}],
         "sources": [SOURCE]}
NEW_ACTOR = {"actor_id": "act-fixture-envoy", "name": "Fixture Envoy", "kind": "person",
             "state_actor_id": "act-russia", "source_url": SOURCE["read_url"], "note": "Envoy of the fixture"}


def side_file(tmp_path: Path, events: list, actors: list | None = None, name: str = "side.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"events": events, "new_actors": actors or [], "corrections_to_existing": [],
                                "thin": ""}), encoding="utf-8")
    return path


def apply(data: Path, *files: Path, dry: bool = False):
    return subprocess.run([sys.executable, str(SCRIPT), "--data-dir", str(data), *(["--dry-run"] if dry else []),
                           *map(str, files)], capture_output=True, text=True, cwd=REPO)


def test_a_good_event_is_appended_with_its_source_actors_and_new_actor_and_stays_valid(data_copy, sources_dir, tmp_path):
    before = {n: len(read_rows(data_copy / f"{n}.csv")[1]) for n in ("events", "sources", "actors")}
    result = apply(data_copy, side_file(tmp_path, [EVENT], [NEW_ACTOR]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("added: 1 events, 3 event_actors, 1 event_sources, 1 sources, 1 actors")
    _, events = read_rows(data_copy / "events.csv")
    row = next(e for e in events if e["event_id"] == EVENT["event_id"])
    assert (row["basis"], row["basis_note"], row["mode"], row["context"]) == ("chronology", "", "visit",
                                                                            "military;diplomatic")
    _, sources = read_rows(data_copy / "sources.csv")
    new = [s for s in sources if s["source_id"].startswith("src-fixture-wire-")]
    assert [s["source_id"] for s in new] == ["src-fixture-wire-via-2024-07-02-leaders-meet-fixture-city"]
    header, _ = read_rows(data_copy / "sources.csv")
    assert new[0]["url" if "read_url" not in header else "read_url"] == SOURCE["read_url"]
    if "accessed" in header:  # an address read goes with the day it was read (rule read-url-needs-accessed)
        assert new[0]["accessed"] == SOURCE["accessed"]
    _, cited = read_rows(data_copy / "event_sources.csv")
    (link,) = [c for c in cited if c["event_id"] == EVENT["event_id"]]
    assert (link["excerpt"], link["authority_excerpt"]) == ("", SOURCE["authority_excerpt"])
    _, actors = read_rows(data_copy / "actors.csv")
    envoy = next(a for a in actors if a["actor_id"] == "act-fixture-envoy")
    assert (envoy["source_id"], envoy["role"]) == (new[0]["source_id"], "Envoy of the fixture")
    after = {n: len(read_rows(data_copy / f"{n}.csv")[1]) for n in ("events", "sources", "actors")}
    assert after == {n: before[n] + 1 for n in before}
    assert run_cli("fmt", "--check", "--data-dir", str(data_copy)).code == 0  # left in canonical form
    check = run_cli("validate", "--data-dir", str(data_copy), "--sources-dir", str(sources_dir))
    assert check.code == 0, check.out


def test_malformed_entries_are_refused_one_line_each_and_the_rest_applied(data_copy, tmp_path):
    base = {**EVENT, "actors": EVENT["actors"][:2]}  # actors already in actors.csv
    bad = [
        {**base, "event_id": "evt-2024-07-03-bad-category", "category": "MEET"},
        {**base, "event_id": "evt-2024-07-04-bad-date", "start_date": "2024-07"},
        {**base, "event_id": "evt-2024-07-05-no-sources", "sources": []},
        {**base, "event_id": "evt-2024-07-06-unknown-actor", "actors": [{"actor_id": "act-nobody", "role": "actor"}]},
        {**base, "event_id": "evt-2024-07-07-no-words", "sources": [{**SOURCE, "authority_excerpt": ""}]},
        {**base, "event_id": "evt-2024-07-08-bad-context", "context": ["militray"]},
        {k: v for k, v in base.items() if k != "summary"},
    ]
    good = {**base, "event_id": "evt-2024-07-09-fixture-good"}
    result = apply(data_copy, side_file(tmp_path, bad + [good]))
    assert result.returncode == 1
    refused = [l for l in result.stdout.splitlines() if l.startswith("refused: ")]
    assert len(refused) == len(bad), result.stdout
    for line, says in zip(refused, ["category 'MEET' is not one of", "is not a date at precision 'day'",
                                    "sources is not a non-empty list", "actor 'act-nobody' is neither",
                                    "authority_excerpt is missing", "context 'militray' is not one of",
                                    "lacks summary"]):
        assert says in line, line
        assert "side.json: events[" in line
    _, events = read_rows(data_copy / "events.csv")
    ids = {e["event_id"] for e in events}
    assert "evt-2024-07-09-fixture-good" in ids and not any(e["event_id"] in ids for e in bad[:-1])


def test_an_event_id_already_used_is_refused_and_a_dry_run_writes_nothing(data_copy, tmp_path):
    _, events = read_rows(data_copy / "events.csv")
    taken = {**EVENT, "event_id": events[0]["event_id"]}
    before = (data_copy / "events.csv").read_bytes()
    result = apply(data_copy, side_file(tmp_path, [taken, EVENT], [NEW_ACTOR]), dry=True)
    assert result.returncode == 1
    assert f"({events[0]['event_id']}): event_id '{events[0]['event_id']}' is already in events.csv" in result.stdout
    assert "would add: 1 events" in result.stdout
    assert (data_copy / "events.csv").read_bytes() == before


def test_a_source_already_cited_is_reused_not_repeated(data_copy, tmp_path):
    first = apply(data_copy, side_file(tmp_path, [EVENT], [NEW_ACTOR], "a.json"))
    assert first.returncode == 0, first.stdout
    again = {**EVENT, "event_id": "evt-2024-07-10-fixture-again"}
    second = apply(data_copy, side_file(tmp_path, [again], [NEW_ACTOR], "b.json"))
    assert second.returncode == 0, second.stdout
    assert "skipped: " in second.stdout and "already in actors.csv" in second.stdout
    assert "added: 1 events, 3 event_actors, 1 event_sources, 0 sources, 0 actors" in second.stdout
