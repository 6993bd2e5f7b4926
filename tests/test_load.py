"""The loader as a user meets it: names, errors, dtypes, integrity, and no heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import RELEASE_MODEL as MODEL  # the release's tables: see conftest
from conftest import RELEASED as TABLES

import eastasia_data as ead


def test_tables_lists_every_table_with_a_description():
    listing = ead.tables()
    assert sorted(listing) == TABLES
    assert all(text.endswith(".") and len(text) > 10 for text in listing.values())


def test_unknown_table_names_the_valid_ones():
    with pytest.raises(ead.UnknownTableError) as info:
        ead.load("event")
    message = str(info.value)
    assert "did you mean 'events'" in message.lower()
    assert all(name in message for name in TABLES)


@pytest.mark.parametrize("name", TABLES)
def test_ids_are_strings_and_keys_unique(name):
    frame = ead.load(name)
    table = MODEL[name]
    assert len(frame) > 0
    assert not frame.duplicated(list(table.primary_key)).any()
    for key in table.primary_key:  # a key is text (an id or category) unless its field is an integer (codings' round)
        field = table.field(key)
        expected = "category" if field.categories else "Int64" if field.type == "integer" else "str"
        assert str(frame[key].dtype) == expected, key


def test_load_all_returns_every_table():
    frames = ead.load_all()
    assert sorted(frames) == TABLES


def test_version_is_the_data_version():
    from eastasia_data.releases import descriptor

    assert ead.__version__ == descriptor()["version"]


def test_import_does_not_pull_in_pandera_or_frictionless():
    code = (
        "import sys, eastasia_data as ead; ead.load('events'); ead.tables(); ead.describe('claims');"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pandera', 'frictionless', 'yaml'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_verify_detects_an_altered_file(tmp_path, monkeypatch):
    import shutil

    from eastasia_data.loader import verify_release

    copy = tmp_path / "release"
    shutil.copytree(ead.release_dir(), copy)
    assert verify_release(release=copy) == []
    path = copy / "events.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    problems = verify_release(release=copy)
    assert len(problems) == 1 and "events.parquet" in problems[0]
    assert verify_release() == []  # the shipped release is untouched
    with pytest.raises(ead.IntegrityError, match="events.parquet"):
        ead.load("events", release=copy, verify=True)
    assert len(ead.load("claims", release=copy, verify=True)) == len(ead.load("claims"))


def test_release_names_a_directory_to_read_instead_of_a_version(tmp_path):
    """``release=DIR`` reads the release in DIR (a copy, a scratch build); with a version too, or no release there, it says so."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(ead.release_dir("0.1.0"), copy)
    assert ead.load("events", release=copy).equals(ead.load("events", version="0.1.0"))
    assert ead.tables(release=copy) == ead.tables("0.1.0")
    assert ead.path("events", release=copy) == copy / "events.parquet"
    with pytest.raises(ead.errors.UsageError, match="give a version .* or a release directory .*, not both"):
        ead.load("events", version="0.1.0", release=copy)
    with pytest.raises(ead.errors.ReleaseUnavailableError, match=f"{tmp_path}: no release there"):
        ead.load("events", release=tmp_path)
