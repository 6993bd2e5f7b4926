"""`diff` reports every kind of change, each with the bump the versioning policy gives it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from checkout_copy import (
    absent,
    add_correction,
    add_column,
    add_row_copy,
    committed_checkout,
    drop_column,
    edit_schema,
    field_of,
    make_checkout,
    set_value,
)
from conftest import MODEL, REPO, run_cli
from csvedit import read_rows, write_rows

from eastasia_data import paths
from eastasia_data.curation.build import build
from eastasia_data.curation.diff import diff
from eastasia_data.curation.diff_render import (
    render_changelog,
    render_markdown,
    render_text,
)
from eastasia_data.curation.snapshot import from_checkout, from_git, open_snapshot
from eastasia_data.curation.versioning import POLICY, next_version


@pytest.fixture(scope="module")
def current():
    return from_checkout(REPO, "current")


def _remove_table(repo: Path):
    (repo / "schemas" / "claim_sources.yaml").unlink()
    (repo / "data" / "claim_sources.csv").unlink()


#: A table and a column added by the cases, named so that the checkout has neither (whatever tables it holds).
NEW_TABLE = absent(set(MODEL), "glossary")
NEW_COLUMN = absent({f.name for table in MODEL.values() for f in table.fields}, "note", sep="_")


def _add_table(repo: Path):
    (repo / "schemas" / f"{NEW_TABLE}.yaml").write_text(
        "description: Terms used in the tables.\nprimaryKey: term\nfields:\n"
        "  - name: term\n    type: string\n    description: The term.\n    constraints: {required: true}\n"
        "  - name: meaning\n    type: string\n    description: What it means.\n", encoding="utf-8")
    (repo / "data" / f"{NEW_TABLE}.csv").write_text("term,meaning\nDPRK,North Korea\n", encoding="utf-8")


def _move_field(repo: Path):
    path = repo / "data" / "actors.csv"
    header, rows = read_rows(path)
    i, j = header.index("role"), header.index("wikidata_qid")
    header[i], header[j] = header[j], header[i]
    write_rows(path, header, rows)

    def swap(raw):
        names = [f["name"] for f in raw["fields"]]
        a, b = names.index("role"), names.index("wikidata_qid")
        raw["fields"][a], raw["fields"][b] = raw["fields"][b], raw["fields"][a]

    edit_schema(repo, "actors", swap)


def _categories_from_values(repo: Path):
    _, rows = read_rows(repo / "data" / "actors.csv")
    values = sorted({r["source_id"] for r in rows})
    edit_schema(repo, "actors", lambda raw: field_of(raw, "source_id").__setitem__("categories", values))


def _remove_row(repo: Path):
    path = repo / "data" / "claim_sources.csv"
    header, rows = read_rows(path)
    write_rows(path, header, rows[1:])


def _rekey(repo: Path):
    edit_schema(repo, "actors", lambda raw: raw.__setitem__("primaryKey", ["actor_id", "name"]))


NOTE = {"name": NEW_COLUMN, "type": "string", "description": "A curator's note."}


def _rule_on(repo: Path, rule: dict):
    add_column(repo, "actors", NOTE)
    edit_schema(repo, "actors", lambda raw: raw["rules"].append(rule))


#: Rules added with the new field ``note``: one no old row can break, one that old states would.
HARMLESS = {"name": "note-not-for-states", "description": "States carry no note.", "when": {"kind": ["state"]},
            "forbid": [NEW_COLUMN]}
BINDING = {"name": "note-for-states", "description": "States carry a note.", "when": {"kind": ["state"]},
           "require": [NEW_COLUMN]}

#: kind of change → (how to make it in a copy of the checkout, the table it shows in, a fragment of its detail)
CASES = {
    "table removed": (_remove_table, "claim_sources", "rows"),
    "table added": (_add_table, NEW_TABLE, "1 rows"),
    "field removed": (lambda r: drop_column(r, "actors", "wikidata_qid"), "actors", "wikidata_qid"),
    "field moved": (_move_field, "actors", "wikidata_qid"),
    "field inserted": (lambda r: add_column(r, "actors", NOTE, position=1), "actors", f"{NEW_COLUMN} (string)"),
    "field appended": (lambda r: add_column(r, "actors", NOTE), "actors", f"{NEW_COLUMN} (string)"),
    "rule on new fields": (lambda r: _rule_on(r, HARMLESS), "actors", "note-not-for-states"),
    "type changed": (_categories_from_values, "actors", "source_id: string → string with categories"),
    "constraint tightened": (
        lambda r: edit_schema(r, "actors", lambda raw: field_of(raw, "name").setdefault("constraints", {}).__setitem__("maxLength", 500)),
        "actors", "name: maxLength None → 500"),
    "constraint relaxed": (
        lambda r: edit_schema(r, "actors", lambda raw: field_of(raw, "wikidata_qid").pop("constraints")),
        "actors", "wikidata_qid: pattern"),
    "primary key changed": (_rekey, "actors", "(actor_id) → (actor_id, name)"),
    "rows removed": (_remove_row, "claim_sources", "1 row(s)"),
    "rows added": (lambda r: add_row_copy(r, "actors", "actor_id", "act-zz-test"), "actors", "1 row(s)"),
    "values changed": (lambda r: set_value(r, "actors", 0, "role", "A corrected role"), "actors", "1 cell(s) in 1 row(s)"),
    "corrections recorded": (lambda r: add_correction(r, "actors", set_value(r, "actors", 0, "role", "Corrected"), "role"),
                             "corrections", "1 row(s)"),
    "description changed": (
        lambda r: edit_schema(r, "actors", lambda raw: field_of(raw, "role").__setitem__("description", "Reworded.")),
        "actors", "role: column description reworded"),
}


def test_every_kind_of_change_has_a_case_and_a_bump():
    assert set(CASES) == set(POLICY)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_diff_reports_each_kind_of_change_with_its_bump(kind, tmp_path, current):
    make, table, detail = CASES[kind]
    repo = make_checkout(tmp_path / "repo", releases=False)
    make(repo)
    d = diff(current, from_checkout(repo))
    found = [c for c in d.changes if c.kind == kind and c.table == table]
    assert found, render_text(d)
    assert any(detail in c.detail for c in found), [c.detail for c in found]
    assert found[0].bump == POLICY[kind]
    assert d.bump == max((c.bump for c in d.changes), key=("patch", "minor", "major").index)
    assert f"{kind}: " in render_text(d) and f"- {kind}: " in render_markdown(d)


def test_a_rule_requiring_a_new_field_of_old_rows_tightens(tmp_path, current):
    repo = make_checkout(tmp_path / "repo", releases=False)
    _rule_on(repo, BINDING)
    found = [c for c in diff(current, from_checkout(repo)).changes if "note-for-states" in c.detail]
    assert [(c.kind, c.bump) for c in found] == [("constraint tightened", "major")]


def test_changed_cells_show_before_and_after(tmp_path, current):
    repo = make_checkout(tmp_path / "repo", releases=False)
    _, rows = read_rows(repo / "data" / "actors.csv")
    key, before = rows[0]["actor_id"], rows[0]["role"]
    set_value(repo, "actors", 0, "role", "A corrected role")
    d = diff(current, from_checkout(repo))
    (cell,) = d.rows["actors"].cells
    assert (cell.key, cell.column, cell.before, cell.after) == ((key,), "role", before, "A corrected role")
    shown = "(empty)" if before == "" else repr(before)
    assert f"~ {key}: role: {shown} → 'A corrected role'" in render_text(d)
    assert f"| `{key}` | `role` | {shown} | 'A corrected role' |" in render_markdown(d)


def test_identical_versions_have_no_differences(current):
    d = diff(current, current)
    assert d.changes == [] and d.bump is None
    assert render_text(d).endswith("no differences")


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """Two copies of the committed data (HEAD): as committed, and with one row added, one value changed and one
    field removed (the closing-note scenario). Whatever the working tree holds besides, uncommitted, is in neither."""
    root = tmp_path_factory.mktemp("edited")
    base = committed_checkout(root / "base")
    repo = committed_checkout(root / "repo")
    added = add_row_copy(repo, "actors", "actor_id", "act-zz-test")
    key = set_value(repo, "events", 0, "title", "A corrected title")
    drop_column(repo, "actors", "wikidata_qid")
    return repo, key, added, base


@pytest.fixture(scope="module")
def base_release(edited, tmp_path_factory, sources_dir) -> Path:
    """The release the committed data makes, built now: what the edited copy changes."""
    *_, base = edited
    with paths.use_checkout(base), mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1764547200"}):  # not a git checkout
        return build(tmp_path_factory.mktemp("base-release"), sources_dir=sources_dir).path


def test_cli_diff_of_release_and_edited_copy(edited, base_release):
    repo, key, added, _ = edited
    run = run_cli("diff", str(base_release), str(repo))
    assert run.code == 0, run.text
    assert "actors:\n  field removed: wikidata_qid [major]" in run.out
    assert f"  + {added}" in run.out
    assert f"  ~ {key}: title: " in run.out and "→ 'A corrected title'" in run.out
    assert run.out.rstrip().endswith("required version bump: MAJOR (because of: field removed)")


def test_cli_markdown_and_changelog(edited):
    repo, key, added, _ = edited
    md = run_cli("diff", "HEAD", str(repo), "--format", "markdown")
    assert md.code == 0, md.text
    assert md.out.startswith("## Data diff: HEAD") and "| event_id | column | before | after |" in md.out
    log = run_cli("diff", "HEAD", str(repo), "--changelog")
    assert log.code == 0, log.text
    assert log.out.startswith("## [Unreleased]\n")  # the copy still has the released version
    assert f"### Added\n- `actors`: 1 row(s): `{added}`." in log.out
    assert "### Removed\n- `actors`: field removed: wikidata_qid." in log.out
    assert "### Fixed\n- `events`: corrected 1 value(s) in 1 row(s) (columns title)." in log.out
    assert f"  - `{key}` title: " in log.out and "→ 'A corrected title'" in log.out  # each correction by row id


def test_changelog_entry_is_headed_by_the_bumped_version(edited, current):
    repo, *_, base = edited
    d = diff(from_checkout(base), from_checkout(repo))
    bumped = next_version(current.version, "major")
    d.new.version = bumped
    assert render_changelog(d, date="2026-12-01").startswith(f"## [{bumped}] - 2026-12-01\n\n### Added\n")
    assert render_changelog(diff(current, current)) == "## [Unreleased]\n\n- No change to the data.\n"


def test_git_revision_without_a_release_is_built_from_its_data(tmp_path, current):
    repo = make_checkout(tmp_path / "repo", releases=False)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "copy"], cwd=repo, check=True)
    set_value(repo, "actors", 0, "role", "Changed after the commit")
    snap = from_git("HEAD", repo)
    assert snap.label.startswith("HEAD (data/ and schemas/ at ")
    assert diff(current, snap).changes == []
    assert [c.kind for c in diff(snap, from_checkout(repo)).changes] == ["values changed"]


@pytest.mark.parametrize("prefix", ["", "v"])
def test_a_version_number_opens_its_release(prefix):
    a = open_snapshot(f"releases/eastasia-data-{_version()}")
    b = open_snapshot(prefix + _version())
    assert b.label == f"release {_version()} (releases/eastasia-data-{_version()})"
    assert diff(a, b).changes == []


def test_a_revision_is_compared_by_its_data_not_its_release(tmp_path):
    """A commit that changes data/ without a build shows its data change (HEAD~1 HEAD was blind to it)."""
    repo = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    key = set_value(repo, "events", 0, "title", "A title changed in a pull request")
    subprocess.run([*git, "commit", "-q", "-am", "retitle"], cwd=repo, check=True)
    run = run_cli("diff", "HEAD~1", "HEAD", cwd=repo)
    assert run.code == 0, run.text
    assert run.out.splitlines()[0].startswith("HEAD~1 (data/ and schemas/ at ")
    assert f"~ {key}: title:" in run.out and "A title changed in a pull request" in run.out


def test_invalid_data_is_refused_with_exit_1(tmp_path):
    repo = make_checkout(tmp_path / "repo", releases=False)
    set_value(repo, "events", 0, "date_precision", "week")
    run = run_cli("diff", "HEAD", str(repo))
    assert run.code == 1 and "cannot be compared" in run.err and "date_precision: 'week'" in run.err
    assert "run `eastasia-data validate`" in run.err and "Traceback" not in run.text


@pytest.mark.parametrize("value", ["1.5", "99999999999999999999", "12a"])
def test_an_offset_a_release_cannot_store_is_refused_not_a_crash(tmp_path, value):
    repo = make_checkout(tmp_path / "repo", releases=False)
    set_value(repo, "passages", 0, "start", value)
    run = run_cli("diff", "HEAD", str(repo))
    assert run.code == 1 and "cannot be compared" in run.err and f"start: '{value}' is not a whole number" in run.err
    assert "Traceback" not in run.text and "unexpectedly" not in run.text


@pytest.mark.parametrize("spec", ["no-such-revision", "tests"])
def test_unreadable_version_is_a_usage_error(spec):
    run = run_cli("diff", spec)
    assert run.code == 2
    assert run.err.startswith(f"error: {spec}: not a release directory") and "Traceback" not in run.text


def _version() -> str:
    from eastasia_data.releases import checkout_version

    return checkout_version()


def test_the_heading_states_each_release_version_once():
    run = run_cli("diff", "1.0.0", "2.0.0")
    assert run.code == 0
    assert run.out.splitlines()[0] == ("release 1.0.0 (releases/eastasia-data-1.0.0) → "
                                       "release 2.0.0 (releases/eastasia-data-2.0.0)")


def test_diff_compares_every_attribute_of_a_field():
    """A new schema property of `model.Field` cannot go uncompared: diff names each attribute in one of its lists."""
    import dataclasses

    from eastasia_data.curation import diff as diff_module
    from eastasia_data.model import Field

    compared = (diff_module._LOWER_BOUNDS + diff_module._UPPER_BOUNDS + diff_module._TIGHTEN_WHEN_ADDED
                + diff_module._COMPARED_APART)
    assert sorted(compared) == sorted(f.name for f in dataclasses.fields(Field))


def test_a_release_with_datetime_dates_differs_in_type_from_one_with_dates():
    """The stored type of a partial date (datetime up to 1.0.0, date after) is a type change, read from the model."""
    from eastasia_data.curation.snapshot import from_version

    d = diff(from_version("1.0.0"), from_version("2.0.0"))
    assert "events: type changed: start_date: datetime → date [major]" in [c.as_text() for c in d.changes]
