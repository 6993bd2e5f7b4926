"""A bundle per release and the Atom feed of releases: reproducible, complete, nothing invented."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

import pyarrow.parquet as pq
import pytest
from conftest import REPO, run_cli

from eastasia_data.citation import cff, content_hash
from eastasia_data.curation.bundle import bundle_path, carries_csv, make_bundle
from eastasia_data.curation.feed import (
    FEED_PATH,
    changelog_releases,
    ni_uri,
    render_feed,
)
from eastasia_data.errors import BuildError

RELEASES = sorted(p.name.removeprefix("eastasia-data-") for p in (REPO / "releases").glob("eastasia-data-*")
                  if p.is_dir())
ATOM = "{http://www.w3.org/2005/Atom}"


def test_every_release_has_a_committed_bundle():
    assert RELEASES == ["0.1.0", "1.0.0"] or len(RELEASES) > 2
    for version in RELEASES:
        assert bundle_path(version, REPO / "releases").is_file(), f"run `eastasia-data bundle {version}`"
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "releases/*.zip"], capture_output=True,
                             text=True).stdout.split()
    assert sorted(tracked) == [f"releases/eastasia-data-{v}.zip" for v in RELEASES]


@pytest.mark.parametrize("version", RELEASES)
def test_a_rebuilt_bundle_is_byte_identical(tmp_path, version):
    """Rebuilt in a fresh process with another hash seed, from the release and its commit."""
    out = tmp_path / "again.zip"
    code = ("import sys; from pathlib import Path; from eastasia_data.curation.bundle import make_bundle; "
            "print(make_bundle(sys.argv[1], out=Path(sys.argv[2]))[1])")
    run = subprocess.run([sys.executable, "-c", code, version, str(out)], cwd=REPO, capture_output=True,
                         text=True, env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "written"
    assert out.read_bytes() == bundle_path(version, REPO / "releases").read_bytes()


@pytest.mark.parametrize("version", RELEASES)
def test_a_bundle_holds_the_release_and_what_a_reader_needs(version):
    release = REPO / "releases" / f"eastasia-data-{version}"
    descriptor = json.loads((release / "datapackage.json").read_bytes())
    with zipfile.ZipFile(bundle_path(version, REPO / "releases")) as z:
        assert z.testzip() is None
        top = f"eastasia-data-{version}/"
        names = [n.removeprefix(top) for n in z.namelist()]
        assert all(n.startswith(top) for n in z.namelist())
        expected = {"README.md", "LICENSE", "LICENSE-DATA", "CITATION.cff", "datapackage.json"}
        expected |= {r["path"] for r in descriptor["resources"]}
        if version != "0.1.0":  # 0.1.0 predates the datasheet
            expected.add("datasheet.md")
        if carries_csv(version):  # later bundles also hold every table as CSV and the data dictionary
            expected |= {f"data/{r['name']}.csv" for r in descriptor["resources"]} | {"data-dictionary.md"}
        assert set(names) == expected
        for r in descriptor["resources"]:
            data = z.read(top + r["path"])
            assert data == (release / r["path"]).read_bytes()
            assert "sha256:" + hashlib.sha256(data).hexdigest() == r["hash"]
            assert pq.read_table(io.BytesIO(data)).num_rows == r.get("eastasia:rows", pq.read_table(io.BytesIO(data)).num_rows)
        assert z.read(top + "datapackage.json") == (release / "datapackage.json").read_bytes()
        assert z.read(top + "CITATION.cff").decode() == cff(descriptor)
        assert f"version: \"{version}\"" in z.read(top + "CITATION.cff").decode()
        assert z.read(top + "LICENSE-DATA") == (REPO / "LICENSE-DATA").read_bytes()
        assert all(i.date_time[:3] == tuple(int(x) for x in descriptor["created"][:10].split("-"))
                   for i in z.infolist())


def test_a_bundle_is_never_rewritten(tmp_path):
    stale = tmp_path / "stale.zip"
    stale.write_bytes(b"an older bundle")
    with pytest.raises(BuildError, match="exists with other content; a bundle, like its release, is never rewritten"):
        make_bundle("1.0.0", out=stale)
    assert stale.read_bytes() == b"an older bundle"
    result = run_cli("bundle", "1.0.0")
    assert result.code == 0, result.text
    assert result.out.strip() == f"unchanged: {REPO / 'releases' / 'eastasia-data-1.0.0.zip'}"


def test_bundle_of_a_version_never_built_is_a_usage_error():
    result = run_cli("bundle", "9.9.9")
    assert result.code == 2
    assert "is not a built release" in result.err and "Traceback" not in result.err


# -- the feed ----------------------------------------------------------------------------------

def parse_feed() -> ET.Element:
    return ET.fromstring((REPO / FEED_PATH).read_bytes())


def test_feed_is_current_and_reproducible():
    assert render_feed() == (REPO / FEED_PATH).read_text(encoding="utf-8")
    assert render_feed() == render_feed()


def test_feed_has_one_entry_per_release_with_the_changelog_dates():
    feed = parse_feed()
    entries = feed.findall(ATOM + "entry")
    sections = {s.version: s for s in changelog_releases()}
    # an entry is its release's content hash; a release whose data repeats an older one's, by its descriptor's sha256
    ids, seen = {}, set()
    for version in sorted(RELEASES, key=lambda v: tuple(map(int, v.split(".")))):
        raw = (REPO / "releases" / f"eastasia-data-{version}" / "datapackage.json").read_bytes()
        data = content_hash(json.loads(raw))
        ids[version] = "sha256:" + hashlib.sha256(raw).hexdigest() if data in seen else data
        seen.add(data)
    assert [e.findtext(ATOM + "title") for e in entries] == [f"Release {v}" for v in sorted(RELEASES, reverse=True)]
    for entry in entries:
        version = entry.findtext(ATOM + "title").removeprefix("Release ")
        descriptor = json.loads((REPO / "releases" / f"eastasia-data-{version}" / "datapackage.json").read_bytes())
        date = sections[version].date or descriptor["created"][:10]  # 0.1.0's heading has no date
        assert entry.findtext(ATOM + "updated") == f"{date}T00:00:00+00:00"
        assert entry.findtext(ATOM + "published") == f"{date}T00:00:00+00:00"
        assert entry.findtext(ATOM + "id") == ni_uri(ids[version])
        assert entry.findtext(ATOM + "content") == sections[version].text
        assert content_hash(descriptor) in entry.findtext(ATOM + "summary")
    assert feed.findtext(ATOM + "updated") == max(e.findtext(ATOM + "updated") for e in entries)
    assert sections["1.0.0"].date == "2026-12-01"


def test_feed_invents_no_url():
    text = (REPO / FEED_PATH).read_text(encoding="utf-8")
    head = text.split("<entry>")[0]
    assert "<link" not in head  # no repository or page exists yet
    assert re.findall(r"https?://[^\s\"'<]+", head) == ["http://www.w3.org/2005/Atom"]
    ids = [e.findtext(ATOM + "id") for e in parse_feed().iter() if e.tag in (ATOM + "feed", ATOM + "entry")]
    assert all(i.startswith("ni:///sha-256;") for i in ids) and len(set(ids)) == len(ids)


def test_readme_links_the_feed_and_the_bundles():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"]({FEED_PATH})" in readme
    assert "eastasia-data-<version>.zip" in readme


def test_generate_check_reports_a_stale_feed(tmp_path):
    import shutil

    scratch = tmp_path / "checkout"
    shutil.copytree(REPO, scratch, ignore=shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.zip"))
    (scratch / FEED_PATH).write_text("<feed/>\n", encoding="utf-8")
    result = run_cli("--repo", str(scratch), "generate", "--check", cwd=tmp_path)
    assert result.code == 1, result.text
    stale = [line for line in result.out.splitlines() if not line.startswith("up to date: ")]
    assert stale == [f"out of date (run `eastasia-data generate`): {scratch / FEED_PATH}"]


def test_a_shallow_clone_says_it_cannot_rebuild_a_bundle(tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{REPO}", str(clone)], check=True,
                   capture_output=True)
    result = run_cli("--repo", str(clone), "bundle", "0.1.0", cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip() == (f"error: {clone} is a shallow clone: the commit that added a release is not "
                                  "in it (git fetch --unshallow)")


@pytest.mark.slow
def test_a_bundle_after_2_0_0_holds_the_tables_as_csv_and_the_data_dictionary(tmp_path, sources_dir):
    """For readers without Python: each table as CSV (the curated rows, dates at their precision) and the
    dictionary; reproducible byte for byte. The bundles of 2.0.0 and before stay as written (tests above)."""
    import csv
    import shutil

    from checkout_copy import make_checkout, set_version

    from eastasia_data import paths
    from eastasia_data.curation.bundle import CSV_AFTER
    from eastasia_data.curation.versioning import parse

    assert not any(carries_csv(v) for v in RELEASES if parse(v) <= parse(CSV_AFTER)) and carries_csv("2.0.1")
    repo = make_checkout(tmp_path / "repo", releases=False)
    shutil.copytree(REPO / "docs", repo / "docs")
    for name in ("README.md", "LICENSE", "LICENSE-DATA"):
        shutil.copy(REPO / name, repo / name)
    set_version(repo, "2.0.1")
    bundles = []
    for out in (tmp_path / "out1", tmp_path / "out2"):
        r = run_cli("--repo", str(repo), "build", "--out", str(out), "--sources-dir", str(sources_dir),
                    env={"SOURCE_DATE_EPOCH": "1764668400"}, cwd=tmp_path)
        assert r.code == 0, r.text
        with paths.use_checkout(repo):  # build writes the release; its bundle is made beside it afterwards
            bundle, _ = make_bundle("2.0.1", release=out / "eastasia-data-2.0.1", from_worktree=True)
        bundles.append(bundle.read_bytes())
    assert bundles[0] == bundles[1]
    top = "eastasia-data-2.0.1/"
    with zipfile.ZipFile(io.BytesIO(bundles[0])) as z:
        names = [n.removeprefix(top) for n in z.namelist()]
        assert z.read(top + "data-dictionary.md") == (repo / "docs" / "data-dictionary.md").read_bytes()
        tables = [r["name"] for r in json.loads(z.read(top + "datapackage.json"))["resources"]]
        assert [n for n in names if n.startswith("data/")] == [f"data/{t}.csv" for t in tables]
        for table in tables:
            with open(repo / "data" / f"{table}.csv", newline="", encoding="utf-8") as f:
                curated = list(csv.reader(f))
            bundled = list(csv.reader(io.StringIO(z.read(f"{top}data/{table}.csv").decode("utf-8"), newline="")))
            # a spreadsheet formula is neutralised with an apostrophe, as in the CSV export
            bundled = [[c[1:] if c[:2] in {"'=", "'+", "'-", "'@"} else c for c in row] for row in bundled]
            assert bundled[0] == curated[0], table
            assert sorted(bundled[1:]) == sorted(curated[1:]), table
