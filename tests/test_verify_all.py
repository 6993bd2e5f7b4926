"""`eastasia-data verify` checks every release the installation ships, each against its anchor (issue 21).

``load(version=…)`` reads the older releases shipped beside the current one, so an older
release altered on disk must fail ``verify`` as the current one does: one line per release,
naming the file and the release. Played in a clone of this repository, whose releases the
package then ships (as an editable install of that clone would).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import REPO

from eastasia_data import cli, paths, releases

RELEASED = sorted(p.name.removeprefix("eastasia-data-") for p in (REPO / "releases").iterdir()
                  if p.is_dir() and p.name.startswith("eastasia-data-"))


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("verify") / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(repo)], check=True)
    return repo


@pytest.fixture
def shipped_by(clone, monkeypatch):
    """The package runs from the clone; the clone's files are restored after the test."""
    monkeypatch.setattr(paths, "source_checkout", lambda: paths.Checkout(clone))
    releases._descriptor.cache_clear()
    yield clone
    subprocess.run(["git", "checkout", "-q", "--", "releases"], cwd=clone, check=True)
    releases._descriptor.cache_clear()


def test_every_shipped_release_is_verified_one_line_each(shipped_by, capsys):
    assert len(RELEASED) >= 2
    assert cli.main(["verify"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == RELEASED, lines
    assert all(line.startswith("verified: ") and "anchored in the release as committed in git" in line
               for line in lines), lines


@pytest.mark.parametrize("version", RELEASED[:-1])
def test_an_older_release_altered_on_disk_fails_verify(version, shipped_by, capsys):
    victim = shipped_by / "releases" / f"eastasia-data-{version}" / "events.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert f"1 altered or missing file(s) in {victim.parent} (release {version})" in out, out
    named = [line for line in out.splitlines() if "events.parquet" in line]
    assert len(named) == 1 and str(victim) in named[0], out
    # the other releases still verify, each on its own line
    assert sum(line.startswith("verified: ") for line in out.splitlines()) == len(RELEASED) - 1, out


def test_an_older_descriptor_edited_alone_is_caught_by_its_anchor(shipped_by, capsys):
    version = RELEASED[0]
    path = shipped_by / "releases" / f"eastasia-data-{version}" / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["resources"] = descriptor["resources"][1:]  # every remaining file still matches it
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "datapackage.json: differs from the release as committed in git" in out, out
    assert f"(release {version})" in out


def test_a_missing_older_file_is_named_once(shipped_by, capsys):
    version = RELEASED[0]
    (shipped_by / "releases" / f"eastasia-data-{version}" / "actors.parquet").unlink()
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert sum("actors.parquet" in line for line in out.splitlines()) == 1, out


def test_an_older_release_in_a_wheel_is_anchored_in_the_wheels_record(monkeypatch):
    """In a wheel, the older releases sit in ``eastasia_data/releases/``; their anchor is the RECORD."""
    from eastasia_data import integrity

    asked = []
    monkeypatch.setattr(integrity, "wheel_anchor", lambda release: asked.append(release) or integrity.Anchor("RECORD"))
    older = paths.PACKAGE_DIR / "releases" / "eastasia-data-0.1.0"
    assert integrity.anchor_for(older).what == "RECORD" and asked == [older]
    elsewhere = paths.PACKAGE_DIR / "releases-copy" / "eastasia-data-0.1.0"
    assert integrity.anchor_for(elsewhere) is None or integrity.anchor_for(elsewhere).what != "RECORD"
