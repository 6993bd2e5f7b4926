"""The checkout's cache (``.eastasia_data_cache/``) saves work and never changes what a command says.

Each test works on a scratch checkout with its own signing key (``XDG_CACHE_HOME`` in the
test's directory). "A new run" is simulated in-process by clearing the per-process caches
of :mod:`eastasia_data.curation.schemas`; the commands are also run as fresh processes,
cold and warm, and compared with a run with the cache turned off.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, run_cli

from eastasia_data.curation import cache as cache_mod
from eastasia_data.curation import schemas

RULE = "when: {kind: [opinion]}"
BROKEN_RULE = "when: {kind: [opinon]}"  # not one of the column's categories: a schema-meaning problem


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "checkout"
    root.mkdir()
    for part in ("data", "schemas"):
        shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    monkeypatch.delenv("EASTASIA_NO_CACHE", raising=False)
    monkeypatch.chdir(root)
    fresh()
    yield root
    fresh()


def fresh() -> None:
    """Forget what this process read, as a new run would (the disk cache stays)."""
    schemas._checked.cache_clear()
    schemas._read_model.cache_clear()


def entries(root: Path) -> list[Path]:
    return sorted((root / cache_mod.CACHE_DIR / "schema").glob("*.json"))


def run(*argv: str, **kw):
    fresh()
    return run_cli(*argv, cwd=Path.cwd(), **kw)


def test_a_warm_cache_gives_the_same_model_without_yaml_or_jsonschema(scratch):
    cold = schemas.read_model()
    assert len(entries(scratch)) == len(list((scratch / "schemas").glob("*.yaml")))
    fresh()
    # as if neither were installed: a hit must not touch them (found by find_spec, not imported)
    calls = []
    real = schemas._check
    schemas._check = lambda text: calls.append(text) or real(text)
    try:
        warm = schemas.read_model()
    finally:
        schemas._check = real
    assert calls == [] and warm == cold


def test_a_changed_schema_is_checked_again(scratch):
    assert run("fmt", "--check").code == 0
    claims = scratch / "schemas" / "claims.yaml"
    claims.write_text(claims.read_text(encoding="utf-8").replace(RULE, BROKEN_RULE, 1), encoding="utf-8")
    broken = run("fmt", "--check")
    assert broken.code == 2 and "'opinon' is not one of the column's categories" in broken.err, broken.text
    again = run("fmt", "--check")  # the broken outcome comes from the cache now: the same words
    assert (again.code, again.out, again.err) == (broken.code, broken.out, broken.err)
    claims.write_text(claims.read_text(encoding="utf-8").replace(BROKEN_RULE, RULE, 1), encoding="utf-8")
    assert run("fmt", "--check").code == 0


@pytest.mark.parametrize("damage", ["truncated", "not-json", "other-format", "other-key", "wrong-value", "directory"])
def test_a_damaged_entry_is_ignored_and_written_anew(scratch, damage):
    good = run("fmt", "--check")
    paths = entries(scratch)
    assert paths
    for p in paths:
        entry = json.loads(p.read_text(encoding="utf-8"))
        if damage == "truncated":
            p.write_text(p.read_text(encoding="utf-8")[:40], encoding="utf-8")
        elif damage == "not-json":
            p.write_bytes(b"\xff\xfe not json")
        elif damage == "other-format":
            p.write_text(json.dumps({**entry, "format": 0}), encoding="utf-8")
        elif damage == "other-key":
            p.write_text(json.dumps({**entry, "key": "0" * 64}), encoding="utf-8")
        elif damage == "wrong-value":  # the value changed but not its signature
            p.write_text(json.dumps({**entry, "value": json.dumps({"problems": [], "raw": {"fields": []}})}),
                         encoding="utf-8")
        else:
            p.unlink()
            p.mkdir()
    again = run("fmt", "--check")
    assert (again.code, again.out, again.err) == (good.code, good.out, good.err)
    if damage != "directory":  # rewritten, and valid again
        cache = cache_mod.checkout_cache()
        assert all(cache.get("schema", p.stem) is not None for p in entries(scratch))


def test_a_foreign_entry_cannot_pass_a_broken_schema(scratch, tmp_path, monkeypatch):
    """An entry that came with the checkout (say, committed in a pull request) is not trusted."""
    claims = scratch / "schemas" / "claims.yaml"
    text = claims.read_text(encoding="utf-8").replace(RULE, BROKEN_RULE, 1)
    forger = cache_mod.Cache(scratch / cache_mod.CACHE_DIR, secret=b"f" * 32)  # someone else's key
    key = forger.key("schema", text.encode("utf-8"))
    forger.put("schema", key, {"problems": [], "raw": schemas._check(claims.read_text(encoding="utf-8"))[1]})
    claims.write_text(text, encoding="utf-8")
    result = run("fmt", "--check")
    assert result.code == 2 and "'opinon' is not one of the column's categories" in result.err, result.text


def test_another_key_makes_every_entry_foreign(scratch, tmp_path, monkeypatch):
    good = run("fmt", "--check")
    before = {p.name: p.read_bytes() for p in entries(scratch)}
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-home"))
    again = run("fmt", "--check")
    assert (again.code, again.out, again.err) == (good.code, good.out, good.err)
    after = {p.name: p.read_bytes() for p in entries(scratch)}
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in after)  # signed anew


@pytest.mark.parametrize("blocked", ["checkout-cache", "key-directory", "turned-off"])
def test_no_place_to_write_is_no_error(scratch, tmp_path, monkeypatch, blocked):
    """Read-only is simulated by a file where a directory must go (tests run as root, who may write anywhere)."""
    good = run("fmt", "--check", env={"EASTASIA_NO_CACHE": "1"})
    shutil.rmtree(scratch / cache_mod.CACHE_DIR, ignore_errors=True)
    if blocked == "checkout-cache":
        (scratch / cache_mod.CACHE_DIR).write_text("not a directory", encoding="utf-8")
    elif blocked == "key-directory":
        (tmp_path / "blocked").write_text("not a directory", encoding="utf-8")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    else:
        monkeypatch.setenv("EASTASIA_NO_CACHE", "1")
    for _ in range(2):
        again = run("fmt", "--check")
        assert (again.code, again.out, again.err) == (good.code, good.out, good.err)
    assert not (scratch / cache_mod.CACHE_DIR).is_dir()


def test_the_cache_is_ignored_by_git():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"{cache_mod.CACHE_DIR}/" in ignored


CASES = {
    "valid": None,
    "meaning": ("claims", RULE, BROKEN_RULE),
    "structure": ("events", "primaryKey: [event_id]", "primaryKey: 7"),
    "yaml": ("events", "fields:", "fields: [\n"),
}


@pytest.mark.slow  # fresh processes
@pytest.mark.parametrize("case", sorted(CASES))
def test_commands_say_the_same_cold_warm_and_without_a_cache(case, scratch, sources_dir):
    if CASES[case]:
        table, old, new = CASES[case]
        path = scratch / "schemas" / f"{table}.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for argv in (["validate", "--sources-dir", str(sources_dir)], ["fmt", "--check"]):
        off = run_cli(*argv, env={"EASTASIA_NO_CACHE": "1"}, cwd=scratch, process=True)
        shutil.rmtree(scratch / cache_mod.CACHE_DIR, ignore_errors=True)
        cold = run_cli(*argv, cwd=scratch, process=True)
        warm = run_cli(*argv, cwd=scratch, process=True)
        assert entries(scratch), "the cold run wrote the cache"
        for other in (cold, warm):
            assert (other.code, other.out, other.err) == (off.code, off.out, off.err), (case, argv)
        assert "Traceback" not in off.err and off.code == (0 if case == "valid" else 2), off.text


def test_the_cache_module_imports_nothing_heavy():
    import subprocess

    code = ("import sys; import eastasia_data.curation.cache; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'jsonschema', 'pandera', 'pandas')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def _schema_corpus():
    from test_schema_files import CASES as SCHEMA_CASES

    return SCHEMA_CASES


@pytest.mark.parametrize("name", ["valid", *sorted(_schema_corpus())])
def test_every_schema_corpus_case_says_the_same_without_a_cache_cold_and_warm(name, scratch, monkeypatch):
    """The schema files' corpus (tests/test_schema_files.py): identical words and exit codes either way."""
    if name != "valid":
        table, text, _, _ = _schema_corpus()[name]
        (scratch / "schemas" / f"{table}.yaml").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    off = run("fmt", "--check", env={"EASTASIA_NO_CACHE": "1"})
    cold = run("fmt", "--check")
    warm = run("fmt", "--check")
    assert off.code == (0 if name == "valid" else 2), off.text
    assert (cold.code, cold.out, cold.err) == (off.code, off.out, off.err)
    assert (warm.code, warm.out, warm.err) == (off.code, off.out, off.err)


# --- the typed tables of a checkout (diff, check-version) ---------------------------------


def typed_entries(root: Path) -> list[Path]:
    return sorted((root / cache_mod.CACHE_DIR / "typed").glob("*.bin"))


def read_side(root: Path, monkeypatch) -> tuple[dict, list[str]]:
    """The checkout's snapshot frames, and the tables that had to be read from their CSVs."""
    from eastasia_data.curation import snapshot

    read: list[str] = []
    real = getattr(snapshot._read_and_type, "real", snapshot._read_and_type)  # not an earlier call's spy

    def spy(model, *args):
        read.extend(model)
        return real(model, *args)

    spy.real = real
    fresh()
    monkeypatch.setattr(snapshot, "_read_and_type", spy)
    side = snapshot.from_checkout(root, "scratch")
    return {name: state.frame for name, state in side.tables.items()}, read


def assert_same_frames(a: dict, b: dict) -> None:
    import pandas as pd

    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def test_an_unchanged_checkout_is_typed_once_and_the_same(scratch, monkeypatch):
    monkeypatch.setenv("EASTASIA_NO_CACHE", "1")
    off, read_off = read_side(scratch, monkeypatch)
    assert not typed_entries(scratch) and len(read_off) == len(off)
    monkeypatch.delenv("EASTASIA_NO_CACHE")
    cold, read_cold = read_side(scratch, monkeypatch)
    assert len(typed_entries(scratch)) == len(off) and read_cold == read_off
    warm, read_warm = read_side(scratch, monkeypatch)
    assert read_warm == []  # every table from the cache
    assert_same_frames(cold, off)
    assert_same_frames(warm, off)


def test_a_changed_csv_is_read_again_and_only_it(scratch, monkeypatch):
    read_side(scratch, monkeypatch)
    events = scratch / "data" / "events.csv"
    text = events.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[0]
    events.write_text(text.replace(first + ",", first + "-renamed,", 1), encoding="utf-8")
    frames, read = read_side(scratch, monkeypatch)
    assert read == ["events"] and frames["events"]["event_id"].iloc[0] == first + "-renamed"
    again, read_again = read_side(scratch, monkeypatch)
    assert read_again == [] and again["events"]["event_id"].iloc[0] == first + "-renamed"


def test_a_changed_schema_types_the_table_again(scratch, monkeypatch):
    read_side(scratch, monkeypatch)
    path = scratch / "schemas" / "events.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    description: Stable identifier,"
    assert old in text
    path.write_text(text.replace(old, "    description: Changed. Stable identifier,", 1), encoding="utf-8")
    _, read = read_side(scratch, monkeypatch)
    assert read == ["events"]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "unsigned", "foreign", "directory"])
def test_a_damaged_or_foreign_typed_entry_is_ignored(scratch, monkeypatch, damage):
    monkeypatch.setenv("EASTASIA_NO_CACHE", "1")
    off, _ = read_side(scratch, monkeypatch)
    monkeypatch.delenv("EASTASIA_NO_CACHE")
    read_side(scratch, monkeypatch)
    entries_before = typed_entries(scratch)
    assert entries_before
    forger = cache_mod.Cache(scratch / cache_mod.CACHE_DIR, secret=b"f" * 32)
    for p in entries_before:
        data = p.read_bytes()
        if damage == "truncated":
            p.write_bytes(data[: len(data) // 2])
        elif damage == "flipped":  # one byte of the Arrow stream changed, the signature not
            p.write_bytes(data[:-9] + bytes([data[-9] ^ 0x01]) + data[-8:])
        elif damage == "unsigned":
            p.write_bytes(data[cache_mod._HEAD:])
        elif damage == "foreign":  # well formed and signed, with another key: as if it came with the checkout
            forger.put_bytes("typed", p.stem, data[cache_mod._HEAD:])
        else:
            p.unlink()
            p.mkdir()
    frames, read = read_side(scratch, monkeypatch)
    assert len(read) == len(off)  # nothing taken from the damaged entries
    assert_same_frames(frames, off)
    if damage != "directory":  # written anew, and used next time
        _, read_next = read_side(scratch, monkeypatch)
        assert read_next == []


def test_a_table_that_cannot_be_compared_is_not_kept(scratch, monkeypatch):
    from eastasia_data.errors import InvalidDataError

    events = scratch / "data" / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    events.write_text("".join(lines + [lines[1]]), encoding="utf-8")  # the first row again: a repeated key
    for _ in range(2):
        with pytest.raises(InvalidDataError, match="repeats the primary key"):
            read_side(scratch, monkeypatch)
    from eastasia_data.curation import snapshot
    from eastasia_data.curation.schemas import read_model

    typed = snapshot._TypedTables(cache_mod.checkout_cache(), scratch / "data")
    assert typed.get(read_model(scratch / "schemas")["events"]) is None


def test_diff_says_the_same_without_a_cache_cold_and_warm(scratch, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    for part in ("data", "schemas"):
        shutil.copytree(scratch / part, other / part)
    shutil.copy(scratch / "pyproject.toml", other / "pyproject.toml")
    events = other / "data" / "events.csv"
    text = events.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[0]
    events.write_text(text.replace(first + ",", first + "-renamed,", 1), encoding="utf-8")
    off = run("diff", str(other), "--format", "json", env={"EASTASIA_NO_CACHE": "1"})
    assert off.code == 0 and first + "-renamed" in off.out, off.text
    for _ in ("cold", "warm"):
        again = run("diff", str(other), "--format", "json")
        assert (again.code, again.out, again.err) == (off.code, off.out, off.err)
    assert typed_entries(scratch)


def test_a_released_tables_keys_are_kept_and_read_anew_when_the_release_changes(scratch, monkeypatch):
    from eastasia_data.curation.checks import corrections

    release = scratch / "releases" / "eastasia-data-2.0.0"
    shutil.copytree(REPO / "releases" / "eastasia-data-2.0.0", release)
    mtime = (release / "datapackage.json").stat().st_mtime_ns
    corrections._release_table.cache_clear()
    keys, columns = corrections._release_table(str(release), mtime, "events")
    assert "event_id" in columns and len(keys) == len(pd.read_parquet(release / "events.parquet"))
    assert len(list((scratch / cache_mod.CACHE_DIR / "release-keys").glob("*.json"))) == 1

    def not_read(*args):
        raise AssertionError("the release was read again")

    monkeypatch.setattr(corrections, "_read_release_table", not_read)
    corrections._release_table.cache_clear()  # a new run: the keys come from the cache
    assert corrections._release_table(str(release), mtime, "events") == (keys, columns)
    os.utime(release / "events.parquet", ns=(mtime, mtime + 10**9))  # the file rewritten since
    corrections._release_table.cache_clear()
    with pytest.raises(AssertionError, match="read again"):
        corrections._release_table(str(release), mtime, "events")
    corrections._release_table.cache_clear()


def test_fmt_remembers_a_canonical_file_by_its_bytes_and_nothing_else(scratch):
    from eastasia_data.curation.fmt import fmt

    def statuses():
        return {r.display.rsplit("/", 1)[-1]: r.status for r in fmt(scratch / "data", check=True)}

    canonical = scratch / cache_mod.CACHE_DIR / "canonical"
    assert set(statuses().values()) == {"canonical"}
    assert len(list(canonical.glob("*.json"))) == len(list((scratch / "data").glob("*.csv")))
    events = scratch / "data" / "events.csv"
    header, first, second, *rest = events.read_bytes().split(b"\n")
    events.write_bytes(b"\n".join([header, second, first, *rest]))  # two rows out of key order
    assert statuses()["events.csv"] == "not canonical"  # the new bytes are not taken for the old
    assert statuses()["events.csv"] == "not canonical"  # and a file that is not canonical is not remembered
    assert len(list(canonical.glob("*.json"))) == len(list((scratch / "data").glob("*.csv")))


def test_check_version_compares_two_releases_once_and_says_the_same(scratch, monkeypatch):
    from eastasia_data.curation import gates

    shutil.copytree(REPO / "releases", scratch / "releases", ignore=shutil.ignore_patterns("*.zip", "feed.atom"))
    off = run("check-version", env={"EASTASIA_NO_CACHE": "1"})
    cold = run("check-version")
    assert list((scratch / cache_mod.CACHE_DIR / gates.RELEASE_BUMP).glob("*.json"))
    compared = []
    real = gates.diff
    monkeypatch.setattr(gates, "diff", lambda old, new: compared.append(old.label) or real(old, new))
    warm = run("check-version")
    assert (cold.code, cold.out, cold.err) == (warm.code, warm.out, warm.err) == (off.code, off.out, off.err)
    assert off.code == 0 and compared == ["release 3.0.0"]  # the two releases were not compared again
    last = scratch / "releases" / "eastasia-data-3.0.0" / "events.parquet"
    stat = last.stat()
    os.utime(last, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # the release's files changed since
    compared.clear()
    assert run("check-version").out == off.out and compared == ["release 2.0.0", "release 3.0.0"]
