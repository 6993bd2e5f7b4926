"""The loader reads only the Parquet and JSON it shipped, stays inside its release, and never goes online.

The first tests watch a fresh interpreter through audit hooks (PEP 578) while it loads
every table; the others tamper with a copy of the release and expect a refusal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RELEASED, point_resource

import eastasia_data as ead
from eastasia_data import loader, paths, releases

#: Left out of the quick run (`-m "not slow"`): an audit of every file the readers' commands open.
pytestmark = pytest.mark.slow

AUDIT = r"""
import json, sys
import eastasia_data as ead
from eastasia_data import loader, releases

# Warm up: let pandas and pyarrow import what they import lazily, so that what follows is the loader's own work.
ead.load_all(verify=True)
releases._descriptor.cache_clear()

events = []
import pyarrow.parquet as pq

_read_table, _ParquetFile = pq.read_table, pq.ParquetFile
def read_table(source, *args, **kwargs):
    events.append(["eastasia.read_parquet", [str(source)]])
    return _read_table(source, *args, **kwargs)
def parquet_file(source, *args, **kwargs):
    events.append(["eastasia.read_parquet", [str(source)]])
    return _ParquetFile(source, *args, **kwargs)
pq.read_table, pq.ParquetFile = read_table, parquet_file

WATCH = ("open", "os.listdir", "os.scandir", "socket.", "pickle.", "marshal.", "exec", "compile",
         "subprocess.", "os.system", "os.exec", "os.posix_spawn", "urllib.", "http.", "import")

def hook(event, args):
    if event.startswith(WATCH):
        events.append([event, [a if isinstance(a, (str, int, float, type(None))) else repr(a) for a in args]])

sys.addaudithook(hook)
ead.tables()
for name in ead.tables():
    ead.load(name)
    ead.load(name, verify=True)
    ead.describe(name)
problems = loader.verify_release()
sys.stdout.write(json.dumps({"release": str(loader.release_dir().resolve()), "events": events, "verify": problems}))
"""


@pytest.fixture(scope="module")
def audit() -> dict:
    """What a fresh interpreter did while it listed, described, verified and loaded every table."""
    proc = subprocess.run([sys.executable, "-c", AUDIT], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["verify"] == []
    return out


def test_the_audit_saw_the_loader_open_its_files(audit):
    # (an "open" of an int is a pipe that the anchor's `git` call reads in a checkout)
    opened = [args[0] for event, args in audit["events"] if event == "open" and isinstance(args[0], str)]
    assert {Path(p).name for p in opened} >= {f"{t}.parquet" for t in RELEASED} | {"datapackage.json"}


def test_loader_opens_only_parquet_and_json_inside_its_release(audit):
    release = Path(audit["release"])
    opened = {args[0] for event, args in audit["events"] if event == "open" and isinstance(args[0], str)}
    # In a checkout (not an installed wheel) the loader reads the version from pyproject.toml to pick the release.
    checkout = {str(paths.source_checkout().root / "pyproject.toml")} if not release.is_relative_to(paths.PACKAGE_DIR) else set()
    outside = sorted(p for p in opened - checkout if not Path(p).resolve().is_relative_to(release))
    assert outside == []
    opened -= checkout
    assert {Path(p).suffix for p in opened} <= {".parquet", ".json"}
    writes = [args for event, args in audit["events"] if event == "open" and (
        isinstance(args[1], str) and set(args[1]) & set("wax+")
        or isinstance(args[2], int) and args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))]
    assert writes == []


def test_loader_hands_pyarrow_only_its_parquet_files(audit):
    # pyarrow reads in C++, out of sight of the audit hooks: check the paths the loader gives it instead.
    release = Path(audit["release"])
    given = [args[0] for event, args in audit["events"] if event == "eastasia.read_parquet"]
    assert len(given) == 2 * len(RELEASED)
    assert all(Path(p).suffix == ".parquet" and Path(p).resolve().parent == release for p in given)


def _anchor_git(event: str, args: list, release: Path) -> bool:
    """In a checkout, verify reads its anchor (the committed release) with `git ls-tree` / `git rev-parse`."""
    return (event == "subprocess.Popen" and not release.is_relative_to(paths.PACKAGE_DIR) and args[0] == "git"
            and any(f"'{sub}'" in args[1] for sub in ("ls-tree", "rev-parse")))


def test_loader_runs_no_code_from_data(audit):
    release = Path(audit["release"])
    events = {event for event, args in audit["events"] if not _anchor_git(event, args, release)}
    forbidden = {e for e in events if e.startswith(("pickle.", "marshal.", "exec", "compile", "subprocess.",
                                                   "os.system", "os.exec", "os.posix_spawn", "import"))}
    assert forbidden == set()


def test_loader_never_touches_the_network(audit):
    network = [e for e, _ in audit["events"] if e.startswith(("socket.", "urllib.", "http."))]
    assert network == []


def test_loading_works_with_pickle_and_sockets_disabled(monkeypatch):
    import pickle
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("the loader must not unpickle or open a socket")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    releases._descriptor.cache_clear()
    frames = ead.load_all(verify=True)
    assert sorted(frames) == RELEASED and all(len(f) for f in frames.values())


# -- a tampered copy of the release -----------------------------------------------------------

@pytest.fixture
def release_copy(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the release that the loader uses instead of its own."""
    copy = tmp_path / "pkg" / "release"
    shutil.copytree(ead.release_dir(), copy)
    monkeypatch.setattr(paths, "SHIPPED_RELEASE", copy)  # for the commands: where an installed wheel keeps its release
    releases._descriptor.cache_clear()
    yield copy
    releases._descriptor.cache_clear()


def set_path(release: Path, table: str, value: str) -> None:
    point_resource(release, table, value)
    releases._descriptor.cache_clear()


def escape_parent(release: Path) -> str:
    shutil.copyfile(release / "events.parquet", release.parent / "events.parquet")
    return "../events.parquet"


def escape_absolute(release: Path) -> str:
    shutil.copyfile(release / "events.parquet", release.parent / "elsewhere.parquet")
    return str((release.parent / "elsewhere.parquet").resolve())


def escape_subdirectory(release: Path) -> str:
    (release / "sub").mkdir()
    shutil.copyfile(release / "events.parquet", release / "sub" / "events.parquet")
    return "sub/../../release/sub/events.parquet"


def escape_symlink(release: Path) -> str:
    outside = release.parent / "outside.parquet"
    shutil.copyfile(release / "events.parquet", outside)
    (release / "events.parquet").unlink()
    os.symlink(outside, release / "events.parquet")
    return "events.parquet"


def not_parquet(release: Path) -> str:
    shutil.copyfile(release / "events.parquet", release / "events.pkl")
    return "events.pkl"


ESCAPES = {"parent": escape_parent, "absolute": escape_absolute, "subdirectory": escape_subdirectory,
           "symlink": escape_symlink, "not-parquet": not_parquet}


@pytest.mark.parametrize("how", sorted(ESCAPES))
def test_a_resource_path_outside_the_release_is_refused(how, release_copy):
    set_path(release_copy, "events", ESCAPES[how](release_copy))
    with pytest.raises(ead.IntegrityError, match="events"):
        ead.load("events", release=release_copy)
    with pytest.raises(ead.IntegrityError, match="events"):
        ead.load("events", release=release_copy, verify=True)
    problems = loader.verify_release(release=release_copy)
    assert len(problems) == 1 and "'events'" in problems[0]
    assert len(ead.load("claims", release=release_copy)) > 0  # the other tables still load


@pytest.mark.parametrize("table", RELEASED)
def test_verify_names_each_altered_file(table, release_copy, capsys):
    from eastasia_data import cli

    path = release_copy / f"{table}.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert f"{table}.parquet" in out and "1 altered or missing file(s)" in out
    assert set(re.findall(r"\w+\.parquet", out)) == {f"{table}.parquet"}
    with pytest.raises(ead.IntegrityError, match=f"{table}.parquet"):
        ead.load(table, verify=True)


def test_verify_names_a_missing_file(release_copy, capsys):
    from eastasia_data import cli

    (release_copy / "actors.parquet").unlink()
    assert cli.main(["verify"]) == 1
    assert "actors.parquet: missing" in capsys.readouterr().out


# -- the reader's commands: verify, export, plot, diff ------------------------------------------

COMMANDS_AUDIT = r"""
import json, os, sys
from eastasia_data import cli, loader
out_dir = sys.argv[1]
commands = [["verify"], ["export", "--format", "csv", "--out", os.path.join(out_dir, "csv")],
            ["export", "--format", "sqlite", "--out", os.path.join(out_dir, "t.sqlite")],
            ["plot", "network", "--out", os.path.join(out_dir, "fig")],
            ["diff", str(loader.release_dir()), str(loader.release_dir())]]
for c in commands:  # warm up lazy imports (and matplotlib's font cache) before watching
    assert cli.main(c if c[0] != "export" else c + ["--force"]) == 0, c
events = []
WATCH = ("open", "os.remove", "os.rename", "os.replace", "shutil.rmtree", "os.mkdir", "socket.", "urllib.",
         "http.", "pickle.", "marshal.", "os.system", "os.exec", "os.posix_spawn")
def hook(event, args):
    if event.startswith(WATCH):
        events.append([event, [a if isinstance(a, (str, int, float, type(None))) else repr(a) for a in args]])
sys.addaudithook(hook)
codes = [cli.main(c if c[0] != "export" else c + ["--force"]) for c in commands]
sys.stdout.flush()
print("\n" + json.dumps({"codes": codes, "release": str(loader.release_dir().resolve()), "events": events}))
"""


def test_the_readers_commands_read_only_the_release_and_write_only_their_output(tmp_path):
    """verify, export, plot and diff, watched by an audit hook in a fresh process."""
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl"), "HTTP_PROXY": "http://127.0.0.1:9"}
    proc = subprocess.run([sys.executable, "-c", COMMANDS_AUDIT, str(out)], capture_output=True, text=True,
                          timeout=600, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    audit = json.loads(proc.stdout.strip().splitlines()[-1])
    assert audit["codes"] == [0, 0, 0, 0, 0]
    release = Path(audit["release"])
    root = paths.source_checkout().root if paths.source_checkout() else None
    # (a relative name is opened with a dir_fd, by shutil.rmtree inside a directory already checked)
    opened = [(args[0], args[1]) for event, args in audit["events"]
              if event == "open" and isinstance(args[0], str) and os.path.isabs(args[0])]
    # nothing of the checkout is read but the releases (verify checks every one it ships, against the
    # registry's hashes too) and pyproject.toml, which names the version
    if root is not None:
        inside = {p for p, _ in opened if Path(p).resolve().is_relative_to(root)}
        shipped = (release, root / "releases")
        assert {p for p in inside if not any(Path(p).resolve().is_relative_to(r) for r in shipped)} <= {
            str(root / "pyproject.toml"), str(paths.PACKAGE_DIR / "registry.json")}
    # nothing is written but the output (and the temporary directories beside it)
    written = [p for p, mode in opened if isinstance(mode, str) and set(mode) & set("wax+")]
    changed = [args[0] for event, args in audit["events"] if event in ("os.remove", "os.rename", "os.replace",
                                                                     "shutil.rmtree", "os.mkdir")]
    for p in written + [c for c in changed if isinstance(c, str) and os.path.isabs(c)]:
        assert Path(p).resolve().is_relative_to(out.resolve()) or Path(p).resolve().is_relative_to(tmp_path / "mpl"), p
    assert written, "the audit saw no export written"
    assert not [e for e, _ in audit["events"] if e.startswith(("socket.", "urllib.", "http.", "pickle.", "marshal.",
                                                                "os.system", "os.exec", "os.posix_spawn"))]
