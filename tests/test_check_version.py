"""`check-version`: each bump rule, against a release built from a copy of the data."""

from __future__ import annotations

import os
import shutil
from unittest import mock

import pytest
from checkout_copy import (
    add_correction,
    add_row_copy,
    drop_column,
    make_checkout,
    set_value,
    set_version,
)
from conftest import run_cli
from csvedit import read_rows, write_rows

from eastasia_data import paths
from eastasia_data.curation.build import build
from eastasia_data.curation.gates import check_version
from eastasia_data.curation.versioning import bump_between, next_version

#: The copies are not git checkouts: their releases are dated by SOURCE_DATE_EPOCH (1 December 2025).
EPOCH = "1764547200"


@pytest.fixture(scope="module")
def released(tmp_path_factory, sources_dir):
    """A checkout copy whose last release holds its own data: the checkout's releases, and its data/ released on top
    of them as `eastasia-data release` would (the version bumped as the changes since the last release require, the
    pending corrections entries dated by it), so the corrections register names rows of real releases."""
    repo = make_checkout(tmp_path_factory.mktemp("released") / "repo")
    first = check_version(repo=repo)
    if first.required is None:  # data/ is the last release's already
        return repo, first.base
    version = next_version(first.base, first.required)
    set_version(repo, version)
    _date_corrections(repo, version)
    _build(repo, sources_dir)
    return repo, version


@pytest.fixture
def repo(released, tmp_path):
    source, version = released
    target = tmp_path / "repo"
    shutil.copytree(source, target)
    return target, version


def _no_change(repo):
    pass


def _value(repo):
    key = set_value(repo, "events", 0, "title", "A corrected title")
    add_correction(repo, "events", key, "title")  # release empty: `eastasia-data release` dates it


def _date_corrections(repo, version):
    """Write ``version`` as the release of the pending corrections entries (corrected, no release yet), as
    `eastasia-data release` does."""
    header, rows = read_rows(repo / "data" / "corrections.csv")
    write_rows(repo / "data" / "corrections.csv", header,
               [{**r, "release": r["release"] or (version if r["status"] == "corrected" else "")} for r in rows])


def _row(repo):
    add_row_copy(repo, "actors", "actor_id", "act-zz-test")


def _field(repo):
    drop_column(repo, "actors", "wikidata_qid")


def _build(path, sources_dir):
    with paths.use_checkout(path), mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": EPOCH}):
        build(sources_dir=sources_dir)


#: The pull-request gate: the version is left alone; the bump the change needs is reported, and it passes.
PULL_REQUEST = [
    (_no_change, None, "unchanged since release"),
    (_value, "patch", "will need a PATCH bump (to {patch})"),
    (_row, "minor", "will need a MINOR bump (to {minor})"),
    (_field, "major", "will need a MAJOR bump (to {major})"),
]


@pytest.mark.parametrize("change, needed, fragment", PULL_REQUEST, ids=[c.__name__[1:] for c, _, _ in PULL_REQUEST])
def test_the_pull_request_gate_reports_the_bump_and_passes(change, needed, fragment, repo, sources_dir):
    path, base = repo
    change(path)
    result = check_version(repo=path)
    assert result.ok and result.gate == "pull-request" and result.required == needed, result.render()
    versions = {b: next_version(base, b) for b in ("patch", "minor", "major")}
    assert fragment.format(**versions) in result.lines[0]
    if needed:
        assert any(line.endswith(f"requires a {needed.upper()} bump") for line in result.lines[1:])


#: The release gate: (change, bump released, passes?, fragment of the first line).
RELEASE = [
    (_value, "patch", True, "is a PATCH bump over release {base}; the changes require PATCH"),
    (_row, "patch", False, "is a PATCH bump over release {base}, but the changes require a MINOR bump"),
    (_row, "minor", True, "the changes require MINOR"),
    (_field, "minor", False, "is a MINOR bump over release {base}, but the changes require a MAJOR bump"),
    (_field, "patch", False, "is a PATCH bump over release {base}, but the changes require a MAJOR bump"),
    (_field, "major", True, "the changes require MAJOR"),
]


@pytest.mark.parametrize("change, bump, ok, fragment", RELEASE,
                         ids=[f"{c.__name__[1:]}-as-{b}" for c, b, _, _ in RELEASE])
def test_the_release_gate_checks_the_bump_of_the_built_release(change, bump, ok, fragment, repo, sources_dir):
    """A release built with too small a bump is caught even though it is built and committed."""
    path, base = repo
    change(path)
    set_version(path, next_version(base, bump))
    _date_corrections(path, next_version(base, bump))
    _build(path, sources_dir)
    result = check_version(repo=path, gate="release")  # as on a release tag
    assert result.gate == "release" and result.ok is ok, result.render()
    assert fragment.format(base=base) in result.lines[0]
    if not ok:
        assert f"release them as {next_version(base, result.required)}" in result.lines[0]
    # Committed, the release is the last one: the pull-request gate (auto) still checks its bump.
    after = check_version(repo=path)
    assert after.gate == "pull-request" and after.ok is ok, after.render()
    if not ok:
        assert f"it should have been {next_version(base, result.required)}" in after.lines[0]


def test_the_release_gate_wants_the_version_built(repo):
    path, base = repo
    _value(path)
    set_version(path, next_version(base, "patch"))
    result = check_version(repo=path)
    assert not result.ok and "is not built" in result.lines[0]


def test_the_release_gate_sees_a_change_made_after_the_build(repo, sources_dir):
    path, base = repo
    _value(path)
    set_version(path, next_version(base, "patch"))
    _build(path, sources_dir)
    _row(path)  # changed again after the build: the release no longer holds data/
    result = check_version(repo=path, gate="release")
    assert not result.ok and "does not hold what data/ and schemas/ hold" in result.lines[0]
    assert check_version(repo=path).ok  # on main, an unreleased change is allowed


def test_a_forced_release_gate_on_an_unbumped_version_fails_when_the_data_changed(repo):
    path, base = repo
    _value(path)
    assert check_version(repo=path).ok  # the pull-request gate
    result = check_version(repo=path, gate="release")
    assert not result.ok and f"release {base} does not hold" in result.lines[0]


def test_cli_says_which_change_requires_which_bump(repo, sources_dir):
    path, base = repo
    _row(path)
    _value(path)
    set_version(path, next_version(base, "patch"))
    _build(path, sources_dir)
    run = run_cli("check-version", "--gate", "release", "--repo", str(path))
    assert run.code == 1, run.text
    assert "  actors: rows added (1 row(s)) requires a MINOR bump" in run.out
    assert "  events: values changed (1 cell(s) in 1 row(s)) requires a PATCH bump" in run.out


def test_first_release_passes_and_says_so(tmp_path, sources_dir):
    path = make_checkout(tmp_path / "repo", releases=False)
    run = run_cli("check-version", "--repo", str(path))
    assert run.code == 0 and "is the first release" in run.out


def test_version_lower_than_the_last_release_fails(repo, sources_dir):
    path, base = repo
    shutil.copytree(path / "releases" / f"eastasia-data-{base}", path / "releases" / "eastasia-data-9.0.0")
    result = check_version(repo=path)
    assert not result.ok and "is lower than the last release 9.0.0" in result.lines[0]


@pytest.mark.parametrize("old, new, bump", [("0.1.0", "1.0.0", "major"), ("0.1.9", "0.2.0", "minor"),
                                            ("1.0.0", "1.0.1", "patch"), ("2.3.4", "2.3.4", None)])
def test_bump_between(old, new, bump):
    assert bump_between(old, new) == bump


def test_a_version_that_is_not_semver_is_refused(repo, sources_dir):
    path, _ = repo
    set_version(path, "0.2")
    run = run_cli("check-version", "--repo", str(path))
    assert run.code == 1 and "error: '0.2' is not a version of the form MAJOR.MINOR.PATCH" in run.err


# -- the corrections register at the two gates -------------------------------------------------

def _value_without_entry(repo) -> str:
    return set_value(repo, "events", 0, "title", "A corrected title")


def _remove_target(repo) -> str:
    """Remove a released row of a composite key (nothing refers to it); return its row_key."""
    header, rows = read_rows(repo / "data" / "strategy_targets.csv")
    write_rows(repo / "data" / "strategy_targets.csv", header, rows[1:])
    return f"{rows[0]['strategy_id']} | {rows[0]['actor_id']}"


def test_the_pull_request_gate_lists_each_corrected_row_and_notes_a_missing_entry(repo):
    path, base = repo
    event = _value_without_entry(path)
    removed = _remove_target(path)
    cid = add_correction(path, "strategy_targets", removed)
    result = check_version(repo=path)
    assert result.ok and result.gate == "pull-request", result.render()
    text = result.render()
    assert "corrects or removes 2 released row(s)" in text and "(1 without one yet" in text
    assert f"  strategy_targets {removed!r} (removed): entry {cid}" in result.lines
    missing = next(line for line in result.lines if line.startswith(f"  events {event!r} (changed title)"))
    assert "no corrections entry yet; hint: add a row to data/corrections.csv: table_name events" in missing
    assert result.notices == [missing.strip()]
    run = run_cli("check-version", "--format", "github", "--repo", str(path))
    assert run.code == 0, run.text
    assert f"::notice title=corrections register::events {event!r} (changed title): no corrections entry" in run.out


def _code_a_passage(repo):
    """The ledger's bookkeeping: a passage not coded gets another reason (as coding it changes its status)."""
    header, rows = read_rows(repo / "data" / "passages.csv")
    i = next(i for i, r in enumerate(rows) if r["reason"] == "page_chrome")
    rows[i]["reason"] = "heading"
    write_rows(repo / "data" / "passages.csv", header, rows)


@pytest.mark.parametrize("change", [_row, _code_a_passage], ids=["row-added", "ledger"])
def test_the_pull_request_gate_says_nothing_of_corrections_for_an_addition_or_the_ledger(change, repo):
    path, base = repo
    change(path)
    result = check_version(repo=path)
    assert result.ok and result.required and not result.notices, result.render()
    assert "corrections" not in result.render()


@pytest.mark.parametrize("entry", [False, True], ids=["no-entry", "entry-of-another-release"])
def test_the_release_gate_refuses_a_correction_without_an_entry_of_its_release(entry, repo, sources_dir):
    path, base = repo
    event = _value_without_entry(path)
    removed = _remove_target(path)
    add_correction(path, "strategy_targets", removed)
    version = next_version(base, "major")
    set_version(path, version)
    _date_corrections(path, version)
    if entry:  # an entry for the event, but dated by the release before: it does not explain this one
        add_correction(path, "events", event, "title", release=base)
    _build(path, sources_dir)
    result = check_version(repo=path, gate="release")
    assert not result.ok and result.gate == "release", result.render()
    assert result.lines[0].startswith(f"release {version} corrects or removes 1 row(s) of release {base} with no entry")
    assert result.lines[1:] == [
        f"  events {event!r} (changed title) has no corrections entry of release {version}; hint: add a row to "
        f"data/corrections.csv: table_name events, row_key {event!r}, columns 'title', release {version}, "
        "what_was_wrong, reported_by, status corrected"]
    run = run_cli("check-version", "--gate", "release", "--repo", str(path))
    assert run.code == 1 and "has no corrections entry of release" in run.out, run.text
