"""What the played pull request (tests/test_pull_request.py) changes in a clone, as a contributor would.

Every row it writes is test data and says so: a new source and actor that stand for nothing
real, and an event that copies a real one; each has "played-pull-request" in its id and says in
its text that tests/test_pull_request.py wrote it. The event copies an event that an archived
article reports and keeps that event's verbatim excerpt and passage, so the evidence layer checks
it like any other row. The ids and the column names are chosen absent from the clone's data (see
:func:`checkout_copy.absent`), so the played pull request holds for any valid checkout.
"""

from __future__ import annotations

from pathlib import Path

from checkout_copy import absent
from csvedit import read_rows, write_rows

#: Where every test row says it comes from.
MARK = "Test data written by tests/test_pull_request.py into a scratch clone"


def column_names(repo: Path) -> set[str]:
    """Every column name of every table of the clone (from its CSV headers, which fmt keeps in step with schemas/)."""
    return {name for path in (repo / "data").glob("*.csv") for name in read_rows(path)[0]}


def _append(repo: Path, table: str, row: dict[str, str]) -> None:
    path = repo / "data" / f"{table}.csv"
    header, rows = read_rows(path)
    write_rows(path, header, rows + [{h: row.get(h, "") for h in header}])


def _keys(repo: Path, table: str, column: str) -> set[str]:
    return {r[column] for r in read_rows(repo / "data" / f"{table}.csv")[1]}


def add_an_event(repo: Path) -> dict[str, str]:
    """A new source, actor and event, the event's actors and its sources: one row each, or two.

    The event copies an event that an archived article reports (its dates, category, place and
    actors) under a new id, marked as test data; it cites that article with the same verbatim
    excerpt and passage, and the new (test) source without one. Returns the new ids.
    """
    _, sources = read_rows(repo / "data" / "sources.csv")
    archived = {s["source_id"] for s in sources if s["archive_file"]}
    _, cited = read_rows(repo / "data" / "event_sources.csv")
    evidence = next(r for r in cited if r["source_id"] in archived and r["excerpt"] and r["passage_id"])
    _, events = read_rows(repo / "data" / "events.csv")
    template = next(e for e in events if e["event_id"] == evidence["event_id"])
    date = template["start_date"]
    new = {
        "source": absent(_keys(repo, "sources", "source_id"), "src-zz-played-pull-request"),
        "actor": absent(_keys(repo, "actors", "actor_id"), "act-zz-played-pull-request"),
        "event": absent(_keys(repo, "events", "event_id"), f"evt-{date}-zz-played-pull-request"),
    }
    _append(repo, "sources", {
        "source_id": new["source"], "kind": "research_report",
        "title": "Test source of the played pull request (test data, no real document)",
        "reliability": "low", "reliability_note": f"{MARK}; it stands for no real document."})
    _append(repo, "actors", {
        "actor_id": new["actor"], "name": "Test actor of the played pull request", "kind": "organisation",
        "role": f"{MARK}; it stands for no real actor.", "source_id": new["source"]})
    _append(repo, "events", {
        **template, "event_id": new["event"], "title": f"Test copy of: {template['title']}",
        "summary": f"{MARK}: a copy of {template['event_id']}, which it repeats."})
    _, links = read_rows(repo / "data" / "event_actors.csv")
    for link in [r for r in links if r["event_id"] == template["event_id"]][:1]:
        _append(repo, "event_actors", {**link, "event_id": new["event"]})
    _append(repo, "event_actors", {"event_id": new["event"], "actor_id": new["actor"], "role": "participant"})
    _append(repo, "event_sources", {**evidence, "event_id": new["event"]})
    _append(repo, "event_sources", {"event_id": new["event"], "source_id": new["source"]})
    return new


def correct_a_title(repo: Path, row: int = 1) -> str:
    """Correct the title of the ``row``-th event (from 0) and record it in the corrections register, as
    CONTRIBUTING asks for a released row (release left empty: `eastasia-data release` dates it); returns its id."""
    from checkout_copy import add_correction

    path = repo / "data" / "events.csv"
    header, rows = read_rows(path)
    rows[row]["title"] += " (corrected)"
    write_rows(path, header, rows)
    add_correction(repo, "events", rows[row]["event_id"], "title")
    return rows[row]["event_id"]


def add_an_optional_column(repo: Path, table: str) -> str:
    """Append an optional text column to ``schemas/<table>.yaml`` by hand, the schema alone (``fmt`` adds it
    to the CSV, empty); its name is absent from every table of the clone. Returns the name."""
    name = absent(column_names(repo), "played_pr_note", sep="_")
    schema = repo / "schemas" / f"{table}.yaml"
    text = schema.read_text(encoding="utf-8")
    spec = (f"  - name: {name}\n    type: string\n"
            f"    description: A note on the row (test data; an optional column the played pull request adds).\n")
    assert "\nprimaryKey:" in text, schema
    schema.write_text(text.replace("\nprimaryKey:", "\n" + spec + "primaryKey:", 1), encoding="utf-8")
    return name
