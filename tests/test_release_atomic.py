"""`eastasia-data release` is all or nothing (issue 21): a failure at any step leaves the checkout as it was.

Each step of a release (the version, the CHANGELOG, the corrections register, the build, the
generated files, the figures, the bundle, and the final move into the checkout) is broken in
turn in a clone of this repository holding one new row; the checkout must come out byte for
byte as it went in, with ``git status`` clean. Then the release runs unbroken and writes it all.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import REPO
from csvedit import read_rows, write_rows

from eastasia_data import paths
from eastasia_data.curation import build as build_module
from eastasia_data.curation import generate as generate_module
from eastasia_data.curation import release as release_module
from eastasia_data.curation.cache import CACHE_DIR

GIT = ["git", "-c", "user.name=Maintainer", "-c", "user.email=m@example.org"]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under ``root``, but git's own and the commands' cache.

    The cache (``.eastasia_data_cache/``, git-ignored) holds what a command may keep between
    runs, such as the tables ``check-version`` typed; it is no part of what a release writes.
    """
    out: dict[str, bytes | None] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/") or rel.split("/")[0] in (".venv", ".venv-cffconvert", CACHE_DIR):
            continue
        out[rel] = None if p.is_dir() and not p.is_symlink() else (p.read_bytes() if p.is_file() else b"link")
    return out


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("release") / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    header, rows = read_rows(repo / "data" / "event_actors.csv")
    _, actors = read_rows(repo / "data" / "actors.csv")
    event = rows[0]["event_id"]
    linked = {r["actor_id"] for r in rows if r["event_id"] == event}
    actor = next(a["actor_id"] for a in actors if a["actor_id"] not in linked)
    write_rows(repo / "data" / "event_actors.csv", header, rows + [{**rows[0], "actor_id": actor, "role": "participant"}])
    subprocess.run([*GIT, "commit", "-q", "-am", "Link an actor"], cwd=repo, check=True)
    return repo


def _boom(*args, **kwargs):
    raise RuntimeError("broken on purpose")


def _break_generated(monkeypatch):
    """The third generated file fails to render, after two are written."""
    items = list(generate_module.GENERATED)
    items[2] = generate_module.Generated(items[2].path, _boom, items[2].block, items[2].also)
    monkeypatch.setattr(generate_module, "GENERATED", tuple(items))


def _break_move(monkeypatch):
    """The move into the checkout fails on its third file."""
    real, calls = release_module._copy_in, []

    def copy_in(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(source, target)
    monkeypatch.setattr(release_module, "_copy_in", copy_in)


STEPS = {
    "version": lambda mp: mp.setattr(release_module, "set_version", _boom),
    "changelog": lambda mp: mp.setattr(release_module, "with_entry", _boom),
    "corrections": lambda mp: mp.setattr(release_module, "_date_corrections", _boom),
    "build": lambda mp: mp.setattr(build_module, "build", _boom),
    "generated-files": _break_generated,
    "figures": lambda mp: mp.setattr("eastasia_data.publish.plot.plot", _boom),
    "bundle": lambda mp: mp.setattr(release_module, "_bundle", _boom),
    "move-into-the-checkout": _break_move,
}


def _release(repo: Path, sources_dir: Path):
    # The corrections register is not what is tested here, and the checkout may hold corrections
    # still to be registered; the refusal it would give comes before anything is written anyway.
    with paths.use_checkout(repo), pytest.MonkeyPatch.context() as mp:
        mp.setattr("eastasia_data.curation.gates.corrections_refusal", lambda *a, **k: [])
        return release_module.release(date="2026-12-02", sources_dir=sources_dir, figures=True)


@pytest.mark.parametrize("step", list(STEPS))
def test_a_failure_at_any_step_leaves_the_checkout_as_it_was(step, clone, sources_dir, monkeypatch):
    before = snapshot(clone)
    STEPS[step](monkeypatch)
    with pytest.raises((RuntimeError, OSError), match="broken on purpose|No space left on device"):
        _release(clone, sources_dir)
    after = snapshot(clone)
    assert sorted(set(after) ^ set(before)) == [], step
    assert [p for p in before if before[p] != after[p]] == [], step
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=clone, capture_output=True, text=True)
    assert [line for line in status.stdout.splitlines() if line != f"!! {CACHE_DIR}/"] == [], status.stdout


def test_the_release_unbroken_writes_it_all(clone, sources_dir, tmp_path):
    # (runs after the broken ones: pytest keeps the order of a module's tests)
    before = snapshot(clone)
    version = paths.Checkout(clone).version
    result = _release(clone, sources_dir)
    assert result.base == version and result.version != version
    after = snapshot(clone)
    assert after["pyproject.toml"] != before["pyproject.toml"]
    assert f'version = "{result.version}"' in after["pyproject.toml"].decode()
    assert f"## [{result.version}] - 2026-12-02" in after["CHANGELOG.md"].decode()
    assert f"releases/eastasia-data-{result.version}/datapackage.json" in after
    assert f"releases/eastasia-data-{result.version}.zip" in after
    assert not [p for p in after if ".release-" in p], "no temporary file is left behind"
    with paths.use_checkout(clone):
        stale = [(p, s) for p, s in generate_module.generate(check=True) if s != "up to date"]
    assert stale == []


def test_a_hostile_title_releases_and_its_changelog_entry_is_text(tmp_path, sources_dir):
    # issue 21: a title with $…$ broke the figures half-way through a release; Markdown in a cell
    # reached the CHANGELOG entry that release writes
    from markdown_it import MarkdownIt

    repo = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    header, rows = read_rows(repo / "data" / "events.csv")
    hostile = "Summit $\\frac{1}{0$ <img src=x onerror=alert(1)> ![i](http://e.test/i.png)"
    rows[0]["title"] = hostile
    write_rows(repo / "data" / "events.csv", header, rows)
    subprocess.run([*GIT, "commit", "-q", "-am", "A hostile title"], cwd=repo, check=True)
    result = _release(repo, sources_dir)
    changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
    entry = changelog.split(f"## [{result.version}]", 1)[1].split("\n## [", 1)[0]
    assert "![i]" not in entry and "<img" not in entry.replace("\\<img", "")
    html = MarkdownIt("commonmark").render(entry)
    assert "<img" not in html and "http://e.test/i.png" in html
    assert (repo / "docs" / "figures" / "timeline.svg").is_file()
