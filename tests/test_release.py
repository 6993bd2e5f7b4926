"""`eastasia-data build`: only valid data, byte-for-byte reproducible, atomic, immutable, frictionless-valid."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MODEL, REPO, run_cli
from csvedit import set_cell

from eastasia_data import paths

VERSION = paths.checkout().version
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def build(out: Path, *extra: str, env=EPOCH, cwd=None):
    return run_cli("build", "--out", str(out), *extra, env=env, cwd=cwd)


def test_two_builds_are_byte_identical(tmp_path, sources_dir):
    a, b = build(tmp_path / "a", "--sources-dir", str(sources_dir)), build(tmp_path / "b", "--sources-dir", str(sources_dir))
    assert a.code == 0 and b.code == 0, a.text + b.text
    first = files(tmp_path / "a" / f"eastasia-data-{VERSION}")
    second = files(tmp_path / "b" / f"eastasia-data-{VERSION}")
    assert first == second
    names = [r["name"] for r in json.loads(first["datapackage.json"])["resources"]]
    assert sorted(first) == sorted(["datapackage.json"] + [f"{n}.parquet" for n in names])


@pytest.mark.slow  # builds or frictionless in fresh processes
def test_builds_in_separate_processes_with_other_hash_seeds_agree(tmp_path, sources_dir):
    a = run_cli("build", "--out", str(tmp_path / "a"), "--sources-dir", str(sources_dir), env={**EPOCH, "PYTHONHASHSEED": "1"},
                process=True)
    b = run_cli("build", "--out", str(tmp_path / "b"), "--sources-dir", str(sources_dir), env={**EPOCH, "PYTHONHASHSEED": "2"},
                process=True)
    assert a.code == b.code == 0
    assert files(tmp_path / "a" / f"eastasia-data-{VERSION}") == files(tmp_path / "b" / f"eastasia-data-{VERSION}")


def test_descriptor_records_size_and_hash_of_each_file(tmp_path, sources_dir):
    import hashlib

    assert build(tmp_path, "--sources-dir", str(sources_dir)).code == 0
    release = tmp_path / f"eastasia-data-{VERSION}"
    desc = json.loads((release / "datapackage.json").read_text())
    assert desc["version"] == VERSION
    assert desc["created"] == "2026-01-01T00:00:00Z"
    assert {"name", "title", "licenses", "sources", "contributors", "resources"} <= set(desc)
    for r in desc["resources"]:
        data = (release / r["path"]).read_bytes()
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert r["eastasia:bytes"] == len(data)
        assert r["format"] == "parquet" and r["mediatype"] == "application/vnd.apache.parquet"


def test_invalid_data_builds_nothing(tmp_path, data_copy, sources_dir):
    set_cell(data_copy / "events.csv", 0, "start_date", "2019-02-30")
    out = tmp_path / "out"
    result = build(out, "--data-dir", str(data_copy), "--sources-dir", str(sources_dir))
    assert result.code == 1
    assert "(rule: date)" in result.out and "nothing was built" in result.err
    assert not out.exists() or list(out.iterdir()) == []


def test_rebuilding_a_version_with_other_content_is_refused(tmp_path, data_copy, sources_dir):
    out = tmp_path / "out"
    assert build(out, "--data-dir", str(data_copy), "--sources-dir", str(sources_dir)).code == 0
    before = files(out / f"eastasia-data-{VERSION}")
    again = build(out, "--data-dir", str(data_copy), "--sources-dir", str(sources_dir))
    assert again.code == 0 and again.out.startswith("unchanged:")
    set_cell(data_copy / "events.csv", 0, "title", "A corrected title")
    refused = build(out, "--data-dir", str(data_copy), "--sources-dir", str(sources_dir))
    assert refused.code == 1
    assert "bump the version" in refused.err and "events.parquet" in refused.err
    assert files(out / f"eastasia-data-{VERSION}") == before
    # no temporary left behind, and no bundle: `release` (or `bundle`) makes it once the generated files are current
    assert sorted(p.name for p in out.iterdir()) == [f"eastasia-data-{VERSION}"]


def _releases() -> list[str]:
    from eastasia_data.curation.versioning import released_versions

    return released_versions(REPO / "releases")


@pytest.mark.slow
@pytest.mark.parametrize("version", _releases())
def test_a_committed_release_is_rebuilt_byte_for_byte_from_the_commit_that_last_wrote_it(version, tmp_path, sources_dir):
    """Reproducibility from git: the code and data of the commit that added a release build the same bytes."""
    committed = REPO / "releases" / f"eastasia-data-{version}"
    commit = subprocess.run(["git", "log", "--format=%H", "-1", "--", f"releases/eastasia-data-{version}"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    assert commit, f"releases/eastasia-data-{version} is not committed"
    tree = tmp_path / "tree"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    created = json.loads((committed / "datapackage.json").read_text(encoding="utf-8"))["created"]
    import datetime as dt

    epoch = int(dt.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp())
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "SOURCE_DATE_EPOCH": str(epoch),
           "EASTASIA_SOURCES": str(sources_dir)}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "eastasia_data", "build", "--out", str(out)], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert files(out / f"eastasia-data-{version}") == files(committed)


def test_building_the_released_version_again_is_unchanged_or_refused(tmp_path, sources_dir):
    """With no unreleased change building gives the committed release byte for byte; with one, it refuses to overwrite."""
    from eastasia_data.curation.gates import check_version

    pending = check_version(repo=REPO).required
    committed = REPO / "releases" / f"eastasia-data-{VERSION}"
    shutil.copytree(committed, tmp_path / committed.name)
    result = build(tmp_path, "--sources-dir", str(sources_dir), env={})
    if pending is None:
        assert result.code == 0 and result.out.startswith("unchanged:"), result.text
    else:  # main holds merged, unreleased changes: the version's release is immutable, so the build refuses
        assert result.code == 1 and "already built with different content" in result.err, result.text


@pytest.mark.slow  # builds or frictionless in fresh processes
@pytest.mark.parametrize("which", ["root", "release"])
def test_frictionless_accepts_the_descriptor(which, tmp_path, sources_dir):
    if which == "root":
        path = REPO / "datapackage.json"
    else:
        assert build(tmp_path, "--sources-dir", str(sources_dir)).code == 0
        path = tmp_path / f"eastasia-data-{VERSION}" / "datapackage.json"
    proc = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", str(path)],
                          capture_output=True, text=True, cwd=path.parent, timeout=600)
    if proc.returncode != 0 and "No module named frictionless.__main__" in proc.stderr:
        proc = subprocess.run([str(Path(sys.executable).parent / "frictionless"), "validate", "--json", str(path)],
                              capture_output=True, text=True, cwd=path.parent, timeout=600)
    report = json.loads(proc.stdout)
    assert report["valid"] is True, json.dumps(report, indent=1)[:3000]
    assert len(report["tasks"]) == len(MODEL)  # one per table of schemas/
