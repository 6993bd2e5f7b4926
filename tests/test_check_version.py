"""`check-version`: each bump rule, against a release built from a copy of the data."""

from __future__ import annotations

import shutil

import pytest
from checkout_copy import (
    add_row_copy,
    drop_column,
    make_checkout,
    set_value,
    set_version,
)
from conftest import run_cli

from eastasia_data.curation.build import build
from eastasia_data.curation.versioning import bump_between, check_version, next_version


@pytest.fixture(scope="module")
def released(tmp_path_factory, sources_dir):
    """A checkout copy whose releases/ holds one release, built from its own data."""
    repo = make_checkout(tmp_path_factory.mktemp("released") / "repo", releases=False)
    result = build(repo / "releases", data_dir=repo / "data", sources_dir=sources_dir)
    return repo, result.version


@pytest.fixture
def repo(released, tmp_path):
    source, version = released
    target = tmp_path / "repo"
    shutil.copytree(source, target)
    return target, version


def _no_change(repo):
    pass


def _value(repo):
    set_value(repo, "events", 0, "title", "A corrected title")


def _row(repo):
    add_row_copy(repo, "actors", "actor_id", "act-zz-test")


def _field(repo):
    drop_column(repo, "actors", "wikidata_qid")


#: (change, bump applied to the released version or None to keep it, passes?, fragment of the output)
RULES = [
    (_no_change, None, True, "unchanged since release"),
    (_no_change, "patch", True, "unchanged since release"),
    (_value, None, False, "already released and the data has changed since: the changes require a PATCH bump"),
    (_value, "patch", True, "is a PATCH bump over release"),
    (_row, "patch", False, "is a PATCH bump over release {base}, but the changes require a MINOR bump"),
    (_row, "minor", True, "the changes require MINOR"),
    (_field, "minor", False, "is a MINOR bump over release {base}, but the changes require a MAJOR bump"),
    (_field, "major", True, "the changes require MAJOR"),
]


@pytest.mark.parametrize("change, bump, ok, fragment", RULES,
                         ids=[f"{c.__name__[1:]}-{b or 'same'}" for c, b, _, _ in RULES])
def test_bump_rules(change, bump, ok, fragment, repo, sources_dir):
    path, base = repo
    change(path)
    version = next_version(base, bump) if bump else base
    set_version(path, version)
    result = check_version(repo=path, sources_dir=sources_dir)
    assert result.ok is ok, result.render()
    assert fragment.format(base=base) in result.lines[0]
    if not ok:
        needed = result.diff.bump
        assert f"to {next_version(base, needed)}" in result.lines[0]
        assert any(line.endswith(f"requires a {needed.upper()} bump") for line in result.lines[1:])


def test_cli_says_which_change_requires_which_bump(repo, sources_dir):
    path, base = repo
    _row(path)
    _value(path)
    set_version(path, next_version(base, "patch"))
    run = run_cli("check-version", "--repo", str(path), "--sources-dir", str(sources_dir))
    assert run.code == 1, run.text
    assert "  actors: rows added (1 row(s)) requires a MINOR bump" in run.out
    assert "  events: values changed (1 cell(s) in 1 row(s)) requires a PATCH bump" in run.out


def test_first_release_passes_and_says_so(tmp_path, sources_dir):
    path = make_checkout(tmp_path / "repo", releases=False)
    run = run_cli("check-version", "--repo", str(path), "--sources-dir", str(sources_dir))
    assert run.code == 0 and "is the first release" in run.out


def test_version_lower_than_the_last_release_fails(repo, sources_dir):
    path, base = repo
    shutil.copytree(path / "releases" / f"eastasia-data-{base}", path / "releases" / "eastasia-data-9.0.0")
    result = check_version(repo=path, sources_dir=sources_dir)
    assert not result.ok and "is lower than the last release 9.0.0" in result.lines[0]


@pytest.mark.parametrize("old, new, bump", [("0.1.0", "1.0.0", "major"), ("0.1.9", "0.2.0", "minor"),
                                            ("1.0.0", "1.0.1", "patch"), ("2.3.4", "2.3.4", None)])
def test_bump_between(old, new, bump):
    assert bump_between(old, new) == bump


def test_a_version_that_is_not_semver_is_refused(repo, sources_dir):
    path, _ = repo
    set_version(path, "0.2")
    run = run_cli("check-version", "--repo", str(path), "--sources-dir", str(sources_dir))
    assert run.code == 1 and "error: '0.2' is not a version of the form MAJOR.MINOR.PATCH" in run.err
