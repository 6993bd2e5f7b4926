"""Issue 12 beyond the corpora: unbounded work, builds under signals and races, releases that lie.

The quadratic-decoding case runs in a separate process under a memory limit and a
timeout; the SIGTERM case sends a real signal to a real build; release descriptors that
point outside their release point at a canary file the test writes, never at a system file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from checkout_copy import absent
from conftest import REPO, point_resource, run_cli

import eastasia_data as ead
from eastasia_data import cli, loader, paths, releases
from eastasia_data.curation import build as build_module

# -- linear decoding --------------------------------------------------------------------------

LATIN1 = r"""
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
from pathlib import Path
from eastasia_data.curation.reader import read_table_file
from eastasia_data.curation.schemas import read_model
table = read_model(Path(sys.argv[1]))["strategy_targets"]
start = time.perf_counter()
tf = read_table_file(table, Path(sys.argv[2]), "data/strategy_targets.csv")
lines = [p.line for p in tf.problems if p.rule == "encoding"]
print(f"{time.perf_counter() - start:.3f} {len(lines)} {lines[0]} {lines[-1]}")
"""


@pytest.mark.slow  # 100,000 bad rows in a fresh process
@pytest.mark.parametrize("ends", [b"\n", b"\r\n", b"\r"])
def test_a_latin1_file_with_a_bad_byte_per_row_decodes_in_linear_time(ends, tmp_path):
    """32,000 rows, one bad byte each: over 300 s before (each bad byte re-sliced the rest of the file)."""
    rows = 32_000
    path = tmp_path / "data" / "strategy_targets.csv"
    path.parent.mkdir()
    # rows as wide as the real data's (about 150 bytes), so that re-reading the rest of the file shows
    body = ends.join(b"str-caf\xe9-%d-%s,act-x" % (i, b"x" * 130) for i in range(rows))
    path.write_bytes(b"strategy_id,actor_id" + ends + body + ends)
    proc = subprocess.run([sys.executable, "-c", LATIN1, str(REPO / "schemas"), str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seconds, count, first, last = proc.stdout.split()
    # every row reported on its own line, whatever the line ends
    assert (int(count), int(first), int(last)) == (rows, 2, rows + 1)
    assert float(seconds) < 20, seconds


# -- builds -----------------------------------------------------------------------------------

SLOW_BUILD = r"""
import signal, sys, time
# As from a terminal: a shell without job control starts background commands with SIGINT
# ignored, and this process would inherit that from the test run.
signal.signal(signal.SIGINT, signal.default_int_handler)
import eastasia_data.curation.build as b
original = b.descriptor_bytes
def slow(descriptor):
    print("writing", flush=True)
    time.sleep(120)  # the Parquet files are in the temporary directory now
    return original(descriptor)
b.descriptor_bytes = slow
from eastasia_data import cli
sys.exit(cli.main(["build", "--sources-dir", sys.argv[1], "--out", sys.argv[2]]))
"""


@pytest.mark.slow  # a build in a fresh process, signalled
@pytest.mark.parametrize("signum, code, said", [(signal.SIGTERM, 128 + signal.SIGTERM, "terminated"),
                                                (signal.SIGINT, 130, "interrupted")])
def test_a_signal_during_a_build_leaves_nothing_and_exits_quietly(signum, code, said, tmp_path, sources_dir):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", SLOW_BUILD, str(sources_dir), str(out)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        partial = [p for p in out.iterdir() if p.name.startswith(".eastasia-data-")]
        assert partial and any(partial[0].glob("*.parquet")), "the build was not caught while writing"
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == code, stderr
    assert stderr == said + "\n"
    assert list(out.iterdir()) == []


@pytest.fixture
def built(tmp_path, monkeypatch, sources_dir, capsys) -> Path:
    """A scratch build of the checkout: the parent directory it was built into."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    assert cli.main(["build", "--sources-dir", str(sources_dir), "--out", str(out)]) == 0
    capsys.readouterr()
    return out


def test_a_corrupt_descriptor_is_never_unchanged(built, sources_dir, capsys):
    release = next(p for p in built.iterdir() if p.is_dir())  # not the bundle beside it
    (release / "datapackage.json").write_text("{ not json", encoding="utf-8")
    assert cli.main(["build", "--sources-dir", str(sources_dir), "--out", str(built)]) == 1
    err = capsys.readouterr().err
    assert "already built with different content (datapackage.json)" in err, err


def test_an_output_directory_inside_a_release_is_refused(built, sources_dir, capsys):
    release = next(p for p in built.iterdir() if p.is_dir())  # not the bundle beside it
    assert cli.main(["build", "--sources-dir", str(sources_dir), "--out", str(release / "nested")]) == 1
    err = capsys.readouterr().err
    assert "lies inside the release" in err and not (release / "nested").exists(), err


def test_the_loser_of_two_racing_builds_says_unchanged(tmp_path, monkeypatch, sources_dir, capsys):
    """The other build renames its directory into place between our mkdtemp and our rename."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "out"
    original = build_module.tempfile.mkdtemp
    raced = []

    def mkdtemp(*args, **kwargs):
        tmp = original(*args, **kwargs)
        if not raced:
            raced.append(True)
            build_module.build(out, sources_dir=sources_dir)  # the winner
        return tmp

    monkeypatch.setattr(build_module.tempfile, "mkdtemp", mkdtemp)
    assert cli.main(["build", "--sources-dir", str(sources_dir), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert raced and captured.out.startswith("unchanged:") and "Errno" not in captured.err, captured
    assert [p.name for p in out.iterdir()] == [p.name for p in out.iterdir() if not p.name.startswith(".")]


@pytest.mark.parametrize("value", ["99999999999999", "１７００００００００", " 17 ", "1e3", "-5", "0x10"])
def test_a_bad_source_date_epoch_is_one_line_exit_2(value, tmp_path, sources_dir):
    run = run_cli("build", "--sources-dir", str(sources_dir), "--out", str(tmp_path / "out"), cwd=REPO,
                  env={"SOURCE_DATE_EPOCH": value})
    assert run.code == 2 and run.err.startswith("error: SOURCE_DATE_EPOCH=") and "Traceback" not in run.text, run.text
    assert len(run.err.splitlines()) == 1 and not (tmp_path / "out").exists()


# -- releases that lie ------------------------------------------------------------------------

CANARY = b"CANARY_RELEASE_SECRET_58c2\n"


def _copy_release(tmp_path: Path) -> Path:
    copy = tmp_path / "rel" / "eastasia-data-9.0.0"
    shutil.copytree(loader.release_dir(), copy)
    (tmp_path / "rel" / "canary.parquet").write_bytes(CANARY)
    return copy


@pytest.mark.parametrize("how", ["parent", "absolute", "symlink"])
def test_diff_opens_only_files_inside_a_release(how, tmp_path, monkeypatch, capsys):
    release = _copy_release(tmp_path)
    canary = tmp_path / "rel" / "canary.parquet"
    if how == "parent":
        point_resource(release, "events", "../canary.parquet")
    elif how == "absolute":
        point_resource(release, "events", str(canary))
    else:
        (release / "events.parquet").unlink()
        (release / "events.parquet").symlink_to(canary)
    monkeypatch.chdir(REPO)
    code = cli.main(["diff", str(release), str(loader.release_dir())])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "'events'" in captured.err and "CANARY" not in captured.out + captured.err, captured
    assert len(captured.err.splitlines()) == 1


@pytest.fixture
def release_copy(tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "pkg" / "release"
    shutil.copytree(ead.release_dir(), copy)
    monkeypatch.setattr(paths, "SHIPPED_RELEASE", copy)  # where an installed wheel keeps its release
    releases._descriptor.cache_clear()
    yield copy
    releases._descriptor.cache_clear()


@pytest.mark.parametrize("command", [["export", "--format", "csv", "--out", "{tmp}/out"], ["plot", "network", "--out", "{tmp}/f"],
                                     ["verify"], ["cite"]])
def test_a_damaged_parquet_file_is_one_line_not_an_arrow_traceback(command, release_copy, tmp_path, capsys):
    (release_copy / "events.parquet").write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    (release_copy / "actors.parquet").write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1")
    code = cli.main([c.replace("{tmp}", str(tmp_path)) for c in command])
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err and "unexpectedly" not in captured.err, captured.err
    assert "events.parquet" in captured.out + captured.err or "actors.parquet" in captured.out + captured.err


def test_an_altered_but_readable_file_is_neither_exported_nor_cited(release_copy, tmp_path, capsys):
    """Swap two tables' files: each still reads as Parquet, but neither matches its recorded hash."""
    a, b = release_copy / "strategies.parquet", release_copy / "strategy_targets.parquet"
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    assert cli.main(["export", "--format", "csv", "--out", str(tmp_path / "out")]) == 1
    assert cli.main(["cite"]) == 1
    err = capsys.readouterr().err
    assert "strateg" in err and not (tmp_path / "out").exists(), err


def test_a_descriptor_that_is_not_json_or_has_no_hash_makes_verify_say_so(release_copy, capsys):
    descriptor = json.loads((release_copy / "datapackage.json").read_text(encoding="utf-8"))
    del descriptor["resources"][0]["hash"]
    (release_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    releases._descriptor.cache_clear()
    assert cli.main(["verify"]) == 1
    assert "records no sha256 hash" in capsys.readouterr().out
    (release_copy / "datapackage.json").write_text("{ nope", encoding="utf-8")
    releases._descriptor.cache_clear()
    assert cli.main(["verify"]) == 1
    assert "is not valid JSON" in capsys.readouterr().out


def test_a_checkout_is_anchored_in_its_committed_release(tmp_path):
    """A scratch git repository with a committed 'release': editing the descriptor alone is caught."""
    from eastasia_data.integrity import git_anchor

    repo = tmp_path / "repo"
    release = repo / "releases" / "eastasia-data-1.0.0"
    release.mkdir(parents=True)
    (release / "datapackage.json").write_text('{"version": "1.0.0", "resources": []}\n', encoding="utf-8")
    (release / "t.parquet").write_bytes(b"PAR1 data PAR1")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "release"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)
    anchor = git_anchor(release, repo)
    assert anchor is not None and anchor.check(release) == []
    (release / "datapackage.json").write_text('{"version": "9.9.9", "resources": []}\n', encoding="utf-8")
    (release / "t.parquet").unlink()
    problems = anchor.check(release)
    assert any("datapackage.json: differs from the release as committed in git" in p for p in problems), problems
    assert any("t.parquet: missing" in p for p in problems), problems


def test_export_does_not_replace_a_dangling_symlink_without_force(tmp_path, capsys):
    canary = tmp_path / "canary-target.sqlite"  # does not exist: the link dangles
    link = tmp_path / "out.sqlite"
    link.symlink_to(canary)
    assert cli.main(["export", "--format", "sqlite", "--out", str(link)]) == 1
    assert "exists (a symbolic link)" in capsys.readouterr().err
    assert link.is_symlink() and not canary.exists()
    assert cli.main(["export", "--format", "sqlite", "--out", str(link), "--force"]) == 0
    assert not link.is_symlink() and link.is_file() and not canary.exists()


def test_fmt_check_and_validate_agree_about_a_stray_quote(tmp_path, monkeypatch, capsys, sources_dir):
    for part in ("data", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "data" / "strategy_targets.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b",", b'",', 1)  # `str-x",act-y`: a quote that closes nothing
    path.write_bytes(b"".join(lines))
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "--sources-dir", str(sources_dir)]) == 1
    out = capsys.readouterr().out
    assert any(l.startswith("data/strategy_targets.csv:3: ") and "double quote" in l and "(rule: csv-syntax)" in l
               for l in out.splitlines()), out
    assert cli.main(["fmt", "--check"]) != 0
    captured = capsys.readouterr()
    assert "strategy_targets.csv" in captured.out + captured.err, captured


def test_what_validate_accepts_at_the_bounds_build_writes(tmp_path, monkeypatch, capsys, sources_dir):
    """The largest 64-bit integer and the largest finite double validate, build, and load back exactly."""
    import pyarrow.parquet as pq
    import yaml

    for part in ("data", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    schema = tmp_path / "schemas" / "strategy_targets.yaml"
    raw = yaml.safe_load(schema.read_text(encoding="utf-8"))
    taken = {f["name"] for p in (tmp_path / "schemas").glob("*.yaml")
             for f in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("fields", [])}
    count, amount = absent(taken, "count", sep="_"), absent(taken, "amount", sep="_")  # names no table has
    raw["fields"] += [{"name": count, "type": "integer", "description": "A scratch integer."},
                      {"name": amount, "type": "number", "description": "A scratch number."}]
    schema.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "data" / "strategy_targets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    values = ["9223372036854775807,1.7976931348623157e308", "-9223372036854775808,-1e-320"]
    lines = [lines[0] + f",{count},{amount}"] + [l + "," + values[i % 2] for i, l in enumerate(lines[1:])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert cli.main(["validate", "--sources-dir", str(sources_dir)]) == 0, capsys.readouterr().out
    assert cli.main(["build", "--sources-dir", str(sources_dir), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr()
    built = pq.read_table(next(p for p in (tmp_path / "out").iterdir() if p.is_dir()) / "strategy_targets.parquet").to_pydict()
    assert built[count][:2] == [2**63 - 1, -(2**63)]
    assert built[amount][:2] == [1.7976931348623157e308, -1e-320]


# -- validate and build agree, as a property ---------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_numbers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e400", "-1e400", "Infinity", "-inf", "NaN", "+7", "007", "1_000", "0x10", "１２", " 5", "1e-400",
                     "+3E30", "9007199254740993"]),  # pandas gave 3.0000000000000003e30, and 2**53 beside an empty cell
    st.text(alphabet="0123456789+-.eE", min_size=1, max_size=25),
)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["integer", "number"]), values=st.lists(st.one_of(_numbers, st.none()), min_size=1, max_size=8))
def test_whatever_validate_accepts_build_can_write(kind, values):
    """Each value the column checks accept converts to the Arrow type the release stores, with the same value."""
    import pandas as pd
    import pyarrow as pa

    from eastasia_data.curation.build import arrow_table
    from eastasia_data.curation.checks.table import value_checks
    from eastasia_data.model import parse_table

    table = parse_table("t", {"fields": [{"name": "x", "type": kind, "description": "scratch"}]})
    series = pd.Series(values, dtype="str")
    accepted = pd.Series(True, index=series.index)
    for check in value_checks(table.fields[0]):  # as pandera runs them: missing cells are not checked
        accepted &= check._check_fn(series).fillna(False).astype(bool) | series.isna()
    kept = series[accepted].reset_index(drop=True)
    built = arrow_table(table, pd.DataFrame({"x": kept}, dtype="str"))
    column = built.column("x").to_pylist()
    assert len(column) == len(kept)
    for text, value in zip(kept, column):
        if pd.isna(text):
            assert value is None
        elif kind == "integer":
            assert value == int(text)
        else:
            assert value == float(text) and value not in (float("inf"), float("-inf"))
    assert built.schema.field("x").type in (pa.int64(), pa.float64())
