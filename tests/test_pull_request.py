"""A pull request played end to end, as GitHub Actions would run it, then the maintainer's release.

In a clone of this repository a contributor makes the pull request CONTRIBUTING.md describes
(tests/played_pr.py writes it; every row is marked as test data): a new source, actor and event
with the event's actors and sources, a corrected title and an optional column added by its
schema alone, all committed; then, not yet committed, a second optional column (on actors) and
a second correction, as when the suite is run before committing. Every ``run:`` step of the
workflow's job is executed in the clone with ``GITHUB_STEP_SUMMARY`` set, the test suite
included (the clone's own tests on the clone's code, less this module's played pull requests,
which ``EASTASIA_PLAYED_PULL_REQUEST`` skips so that the run does not recurse); only the steps
that set up the machine are left out, this environment being set up already. The pull request
is green and its summary names the rows; with a dangling key the job stops, red, at validate,
with an annotation on the file and line. Then the maintainer releases it with ``eastasia-data
release``, and a MAJOR change offered as a patch is refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, SOURCES
from csvedit import read_rows, write_rows
from played_pr import MARK, add_an_event, add_an_optional_column, correct_a_title

#: Set in the clone's own test run: the played pull requests below are what runs it.
INSIDE = "EASTASIA_PLAYED_PULL_REQUEST"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get(INSIDE) == "1", reason="inside a played pull request's test run")]

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"
SKIPPED = ("Set up", "Install Chromium")  # they set up the machine; this one is set up (.ci/run installs Chromium)
GIT = ["git", "-c", "user.name=Contributor", "-c", "user.email=contributor@example.org", "-c", "commit.gpgsign=false"]


def steps(skip: tuple[str, ...] = SKIPPED) -> list[tuple[str, str]]:
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["check"]
    return [(s["name"], s["run"]) for s in job["steps"] if "run" in s and s.get("name") not in skip]


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
    # The pull request's base is the commit cloned (what the played contributor started from), whatever branch
    # this checkout is on and whatever the repository's own main holds by now.
    subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=repo, check=True)
    subprocess.run([*GIT, "checkout", "-q", "-b", "contribution"], cwd=repo, check=True)
    return repo, env


def cli(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(repo / ".venv" / "bin" / "eastasia-data"), *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=600)


def tidy(repo: Path, env: dict) -> None:
    """What CONTRIBUTING asks before a commit: ``fmt`` (adds a new column to its CSV, sorts), then ``generate``."""
    for args in (("fmt",), ("generate",)):
        done = cli(repo, env, *args)
        assert done.returncode == 0, (args, done.stdout[-2000:] + done.stderr[-2000:])


def commit(repo: Path, message: str) -> None:
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)  # the venvs' links are ignored (.gitignore)
    subprocess.run([*GIT, "commit", "-q", "-m", message], cwd=repo, check=True)


def contribute(repo: Path, env: dict) -> dict[str, str]:
    """The pull request, committed: a new source, actor and event with its actors and sources, a corrected title,
    and an optional column added to the events' schema alone (tests/played_pr.py); fmt and generate."""
    new = add_an_event(repo)
    _, events = read_rows(repo / "data" / "events.csv")
    new["corrected"] = correct_a_title(repo, next(i for i, e in enumerate(events) if e["event_id"] != new["event"]))
    new["column"] = add_an_optional_column(repo, "events")
    tidy(repo, env)
    commit(repo, "Add an event with its actor and source; correct a title; add an optional column (test data)")
    return new


def edit_without_committing(repo: Path, env: dict) -> dict[str, str]:
    """More of the same, not committed: an optional column on actors and a second corrected title; fmt and generate."""
    _, events = read_rows(repo / "data" / "events.csv")
    row = max(i for i, e in enumerate(events) if "(corrected)" not in e["title"] and MARK not in e["summary"])
    new = {"corrected": correct_a_title(repo, row), "column": add_an_optional_column(repo, "actors")}
    tidy(repo, env)
    return new


def link_a_missing_actor(repo: Path, env: dict, actor: str) -> None:
    """Link an event to an actor that actors.csv does not have (a dangling key); fmt; commit."""
    header, rows = read_rows(repo / "data" / "event_actors.csv")
    write_rows(repo / "data" / "event_actors.csv", header,
               rows + [{**{h: "" for h in header}, "event_id": rows[0]["event_id"], "actor_id": actor, "role": "participant"}])
    assert cli(repo, env, "fmt").returncode in (0, 1)
    commit(repo, "Link an actor that does not exist")


def bump_with_a_minor_change(repo: Path) -> str:
    """The bump a release of the clone needs once a MINOR change is added: MINOR, or more when the data cloned has
    changed since the last release in a way that needs more (a checkout between two releases)."""
    from eastasia_data.curation.gates import check_version
    from eastasia_data.curation.versioning import BUMPS

    already = check_version(repo=repo).required
    return max((b for b in (already, "minor") if b), key=BUMPS.index)


def play(repo: Path, env: dict) -> list[tuple[str, subprocess.CompletedProcess]]:
    """The ``run:`` steps of the job in the clone, in order, up to the first that fails (as a job stops there).

    The test suite runs with this run's ``CI`` (whether a missing Chromium fails or skips its tests is
    this machine's setup) and with :data:`INSIDE` set. It runs the quick suite (``-m "not slow"``, through
    ``PYTEST_ADDOPTS`` so that the step's own command line is the workflow's), the run CONTRIBUTING.md
    gives a contributor as covering what a change to ``data/`` or ``schemas/`` can break; the slow tests
    (fresh interpreters, wheels, fuzzing, exports, the browser) run in the outer suite on this checkout.
    """
    out = []
    for name, run in steps():
        step_env = ({**env, INSIDE: "1", "CI": os.environ.get("CI", ""), "PYTEST_ADDOPTS": '-m "not slow"'}
                    if name == "Tests" else env)
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", run], cwd=repo, env=step_env,
                              capture_output=True, text=True, timeout=2400 if name == "Tests" else 900)
        out.append((name, proc))
        if proc.returncode != 0:
            break
    return out


def _why(proc: subprocess.CompletedProcess) -> str:
    """What a failed step printed, for an assertion message: pytest's FAILED and ERROR lines first.

    A nested test's assertion can quote a whole process's output on one line; the head of each
    such line names the test, so the heads come first and the output's tail after them.
    """
    heads = [line[:300] for line in proc.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
    return "\n".join(heads + ["--- the end of its output:", proc.stdout[-3000:] + proc.stderr[-2000:]])


def test_a_correct_pull_request_is_green_and_its_summary_names_the_rows(clone):
    """Every step passes, the test suite included, on the committed pull request with more edits not yet committed."""
    repo, env = clone
    bump = bump_with_a_minor_change(repo)
    committed = contribute(repo, env)
    uncommitted = edit_without_committing(repo, env)
    results = play(repo, env)
    failed = [(name, _why(p)) for name, p in results if p.returncode != 0]
    assert not failed, failed  # first: the failing step's output says why the job stopped
    assert [name for name, _ in results] == [name for name, _ in steps()] and "Tests" in dict(results)
    tests = dict(results)["Tests"].stdout.strip().splitlines()[-1]
    assert " passed" in tests and " failed" not in tests and " error" not in tests, tests
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    for key in ("source", "actor", "event"):
        assert f"`{committed[key]}`" in summary, key  # each row added, by its key
    assert f"({committed['event']}, {committed['actor']}, participant)" in summary  # a link, by its composite key
    for change in (committed, uncommitted):
        assert change["corrected"] in summary and "(corrected)" in summary  # the row corrected, before → after
        assert change["column"] in summary  # the column added
    assert "Version check (pull-request gate)" in summary and f"{bump.upper()} bump" in summary


def test_a_dangling_key_is_red_with_an_annotation(clone):
    repo, env = clone
    link_a_missing_actor(repo, env, "act-nobody-at-all")
    results = dict(play(repo, env))
    validate = results["Validate the tables"]
    assert validate.returncode == 1 and list(results)[-1] == "Validate the tables"  # the job stops there
    _, rows = read_rows(repo / "data" / "event_actors.csv")
    line = next(i for i, r in enumerate(rows) if r["actor_id"] == "act-nobody-at-all") + 2  # 1 is the header
    assert re.search(rf"^::error file=data/event_actors\.csv,line={line},title=foreign-key::", validate.stdout, re.M), \
        validate.stdout


def test_the_maintainer_releases_it_and_a_major_change_is_not_a_patch(clone):
    from eastasia_data.curation.versioning import next_version

    repo, env = clone
    bump = bump_with_a_minor_change(repo)  # rows and a column added are MINOR (a corrected title PATCH), or more
    new = contribute(repo, env)
    before = (repo / "pyproject.toml").read_text(encoding="utf-8")
    base = re.search(r'(?m)^version = "([^"]+)"', before).group(1)
    expected = next_version(base, bump)
    done = cli(repo, env, "release", "--date", "2026-12-02", "--commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"released {expected} (a {bump.upper()} bump over {base})"), done.stdout
    assert f"and tagged it v{expected}" in done.stdout
    tags = subprocess.run(["git", "tag", "--points-at", "HEAD"], cwd=repo, capture_output=True, text=True).stdout
    assert tags.split() == [f"v{expected}"]
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == ""
    assert (repo / "releases" / f"eastasia-data-{expected}" / "datapackage.json").is_file()
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog.split(f"## [{expected}] - 2026-12-02", 1)[1].split("\n## [", 1)[0]
    assert "## [Unreleased]" in changelog.split(f"## [{expected}]", 1)[0]
    assert f"`{new['event']}`" in entry and f"`{new['corrected']}` title" in entry and new["column"] in entry
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
    assert not (repo / "releases" / f"eastasia-data-{next_version(expected, 'patch')}").exists()
