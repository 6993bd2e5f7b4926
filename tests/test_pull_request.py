"""A pull request played end to end, as GitHub Actions would run it, then the maintainer's release.

In a clone of this repository a contributor adds a row and corrects a row (with its entry in the
corrections register) as CONTRIBUTING.md says; every ``run:`` step of the workflow's job is executed (all but setting up and the test
suite itself, reusing this environment) with ``GITHUB_STEP_SUMMARY`` set. The pull request is
green and its summary names both rows; with a dangling key it is red, with an annotation on
the file and line. Then the maintainer releases it with ``eastasia-data release``, and a
MAJOR change offered as a patch is refused. Without the corrections entry, the summary says the
corrected row needs one and the release is refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from checkout_copy import add_correction
from conftest import REPO, SOURCES
from csvedit import read_rows, write_rows

pytestmark = pytest.mark.slow

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
SKIPPED = ("Set up", "Tests")  # the environment is this one; the suite is what runs this test
GIT = ["git", "-c", "user.name=Contributor", "-c", "user.email=contributor@example.org", "-c", "commit.gpgsign=false"]


def steps() -> list[tuple[str, str]]:
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["check"]
    return [(s["name"], s["run"]) for s in job["steps"] if "run" in s and s.get("name") not in SKIPPED]


def test_the_workflow_passes_the_github_workflow_schema():
    proc = subprocess.run([str(Path(sys.executable).parent / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not any("${{" in run for _, run in steps()), "run steps read the context from the environment"


@pytest.fixture
def clone(tmp_path, sources_dir) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    for venv in (".venv", ".venv-cffconvert"):
        (repo / venv).symlink_to(REPO / venv)
    summary = tmp_path / "summary.md"
    env = {**os.environ, "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_REF": "refs/pull/7/merge", "GITHUB_BASE_REF": "main", "EASTASIA_SOURCES": str(SOURCES),
           "PYTHONPATH": str(repo / "src"), "GIT_AUTHOR_NAME": "Maintainer", "GIT_AUTHOR_EMAIL": "m@example.org",
           "GIT_COMMITTER_NAME": "Maintainer", "GIT_COMMITTER_EMAIL": "m@example.org"}
    subprocess.run([*GIT, "checkout", "-q", "-b", "contribution"], cwd=repo, check=True)
    return repo, env


def cli(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(repo / ".venv" / "bin" / "eastasia-data"), *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


def contribute(repo: Path, env: dict, actor: str | None = None, *, record: bool = True) -> tuple[tuple[str, str, str], str]:
    """Link an actor to an event in a new role, and correct an event's title (recorded in the corrections
    register unless ``record`` is false); fmt; commit."""
    header, rows = read_rows(repo / "data" / "event_actors.csv")
    _, actors = read_rows(repo / "data" / "actors.csv")
    _, events = read_rows(repo / "data" / "events.csv")
    linked = {(r["event_id"], r["actor_id"]) for r in rows}
    event = events[0]["event_id"]
    actor = actor or next(a["actor_id"] for a in actors if (event, a["actor_id"]) not in linked)
    new = {"event_id": event, "actor_id": actor, "role": "participant"}
    write_rows(repo / "data" / "event_actors.csv", header, rows + [new])
    header, rows = read_rows(repo / "data" / "events.csv")
    rows[1]["title"] = rows[1]["title"] + " (corrected)"
    write_rows(repo / "data" / "events.csv", header, rows)
    if record:  # a released row corrected: its entry in the corrections register, release left empty
        add_correction(repo, "events", rows[1]["event_id"], "title")
    assert cli(repo, env, "fmt").returncode in (0, 1)
    subprocess.run([*GIT, "commit", "-q", "-am", "Link an actor; correct a title"], cwd=repo, check=True)
    return (event, actor, "participant"), rows[1]["event_id"]


def play(repo: Path, env: dict) -> list[tuple[str, subprocess.CompletedProcess]]:
    out = []
    for name, run in steps():
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", run], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=900)
        out.append((name, proc))
    return out


def test_a_correct_pull_request_is_green_and_its_summary_names_the_rows(clone):
    repo, env = clone
    (event, actor, role), corrected = contribute(repo, env)
    results = play(repo, env)
    failed = [(name, p.stdout[-2000:] + p.stderr[-2000:]) for name, p in results if p.returncode != 0]
    assert not failed, failed
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert f"{event}, {actor}, {role}" in summary  # the row added, by its composite key
    assert corrected in summary and "(corrected)" in summary  # the row corrected, before → after
    assert "Version check (pull-request gate)" in summary and "MINOR bump" in summary


def test_a_dangling_key_is_red_with_an_annotation(clone):
    repo, env = clone
    contribute(repo, env, actor="act-nobody-at-all")
    results = dict(play(repo, env))
    validate = results["Validate the tables"]
    assert validate.returncode == 1
    _, rows = read_rows(repo / "data" / "event_actors.csv")
    line = next(i for i, r in enumerate(rows) if r["actor_id"] == "act-nobody-at-all") + 2  # 1 is the header
    assert re.search(rf"^::error file=data/event_actors\.csv,line={line},title=foreign-key::", validate.stdout, re.M), \
        validate.stdout


def test_the_maintainer_releases_it_and_a_major_change_is_not_a_patch(clone):
    repo, env = clone
    (event, actor, role), corrected = contribute(repo, env)
    before = (repo / "pyproject.toml").read_text(encoding="utf-8")
    base = re.search(r'(?m)^version = "([^"]+)"', before).group(1)
    major, minor, patch = (int(x) for x in base.split("."))
    expected = f"{major}.{minor + 1}.0"  # a row added is MINOR; a corrected title PATCH
    done = cli(repo, env, "release", "--date", "2026-12-02", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"released {expected} (a MINOR bump over {base})")
    assert f"and tagged it v{expected}" in done.stdout
    tags = subprocess.run(["git", "tag", "--points-at", "HEAD"], cwd=repo, capture_output=True, text=True).stdout
    assert tags.split() == [f"v{expected}"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""
    assert (repo / "releases" / f"eastasia-data-{expected}" / "datapackage.json").is_file()
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog.split(f"## [{expected}] - 2026-12-02", 1)[1].split("\n## [", 1)[0]
    assert "## [Unreleased]" in changelog.split(f"## [{expected}]", 1)[0]
    assert f"`({event}, {actor}, {role})`" in entry and f"`{corrected}` title" in entry
    for gate in ("auto", "release"):
        check = cli(repo, env, "check-version", "--gate", gate)
        assert check.returncode == 0 and check.stdout.startswith("ok: "), check.stdout + check.stderr
    assert cli(repo, env, "generate", "--check").returncode == 0

    # A column removed (MAJOR) cannot go out as a patch; nothing is written.
    header, rows = read_rows(repo / "data" / "actors.csv")
    write_rows(repo / "data" / "actors.csv", [h for h in header if h != "wikidata_qid"],
               [{k: v for k, v in r.items() if k != "wikidata_qid"} for r in rows])
    schema = repo / "schemas" / "actors.yaml"
    text = schema.read_text(encoding="utf-8")
    schema.write_text(re.sub(r"(?ms)^  - name: wikidata_qid\n.*?(?=^  - name: )", "", text), encoding="utf-8")
    assert cli(repo, env, "validate").returncode == 0
    kept = {p: p.read_bytes() for p in (repo / "pyproject.toml", repo / "CHANGELOG.md")}
    refused = cli(repo, env, "release", "--bump", "patch")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "a PATCH release is too small" in refused.stderr and "require a MAJOR bump" in refused.stderr
    assert all(p.read_bytes() == data for p, data in kept.items())
    assert not (repo / "releases" / f"eastasia-data-{major}.{minor + 1}.1").exists()


# -- the corrections register (issue 22, section 4) ----------------------------------------------

def test_the_summary_says_which_released_rows_a_change_corrects(clone):
    repo, env = clone
    _, corrected = contribute(repo, env, record=False)
    results = dict(play(repo, env))
    check = results["Version check"]
    assert check.returncode == 0, check.stdout + check.stderr  # a notice, not a failure
    assert f"::notice title=corrections register::events {corrected!r} (changed title): no corrections entry yet" \
        in check.stdout
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert f"events {corrected!r} (changed title): no corrections entry yet; hint: add a row to data/corrections.csv" \
        in summary


def test_a_release_correcting_a_row_without_an_entry_is_refused_and_writes_nothing(clone):
    repo, env = clone
    _, corrected = contribute(repo, env, record=False)
    kept = {p: p.read_bytes() for p in (repo / "pyproject.toml", repo / "CHANGELOG.md", repo / "data" / "corrections.csv")}
    refused = cli(repo, env, "release", "--date", "2026-12-02", "--commit")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    lines = refused.stderr.splitlines()
    assert "with no entry in the corrections register (data/corrections.csv); nothing was released" in lines[0]
    assert lines[1:] == [f"  events {corrected!r} (changed title) has no corrections entry; hint: add a row to "
                         f"data/corrections.csv: table_name events, row_key {corrected!r}, columns 'title', release "
                         "empty, what_was_wrong, reported_by, status corrected"]
    assert all(p.read_bytes() == data for p, data in kept.items())
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""
    assert sorted(p.name for p in (repo / "releases").iterdir()) == sorted(p.name for p in (REPO / "releases").iterdir())


def test_the_released_correction_is_dated_and_explained_in_the_changelog_diff_and_history(clone):
    repo, env = clone
    _, corrected = contribute(repo, env)
    done = cli(repo, env, "release", "--date", "2026-12-02", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    version = re.match(r"released (\S+) ", done.stdout).group(1)
    _, entries = read_rows(repo / "data" / "corrections.csv")
    entry = next(e for e in entries if e["row_key"] == corrected)
    assert entry["release"] == version and entry["status"] == "corrected"  # dated by the release
    why = f"why: {entry['what_was_wrong']} ({entry['correction_id']})"
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8").split(f"## [{version}]", 1)[1].split("\n## [", 1)[0]
    assert f"- `{corrected}` title: " in changelog and f"    - {why}" in changelog
    base = max((p.name.removeprefix("eastasia-data-") for p in (REPO / "releases").glob("eastasia-data-*")
                if p.is_dir()), key=lambda v: tuple(map(int, v.split("."))))
    shown = cli(repo, env, "diff", base, version)
    assert shown.returncode == 0 and f"        {why}" in shown.stdout.splitlines(), shown.stdout
    history = subprocess.run(
        [str(repo / ".venv" / "bin" / "python"), "-c",
         "import sys, eastasia_data as ead; h = ead.history('events', sys.argv[1]).set_index('version'); "
         "print(h.loc[sys.argv[2], 'status']); print(h.loc[sys.argv[2], 'reason'])", corrected, version],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert history.returncode == 0, history.stderr
    assert history.stdout.splitlines() == ["changed", f"{entry['what_was_wrong']} ({entry['correction_id']})"]
    assert cli(repo, env, "check-version", "--gate", "release").returncode == 0
