"""The bad-input corpus through the validator: every case names file, line, column and rule.

Each case breaks its own scratch checkout (``data/``, ``schemas/``, ``pyproject.toml``) and a
copy of the archive, then runs ``eastasia-data validate`` in-process through ``cli.main``, the
code the command runs. A few cases also run as a fresh process, to keep the exit codes and
the promise of no traceback honest, and a few through ``build``, which must refuse and
write nothing. Every rule of the catalogue is reported by at least one case.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import MODEL, REPO, SOURCES, run_cli
from corpus import CASES, Expect, Scratch

from eastasia_data import cli
from eastasia_data.curation.rules import RULES, known

#: Cases also run as a separate process (exit codes, no traceback, stderr empty).
IN_A_PROCESS = ("ragged-row-long", "invalid-utf8", "dangling-event-actors", "excerpt-reworded")
#: Cases run through `build` too: one per layer is enough to show that any invalid data is refused.
THROUGH_BUILD = ("unbalanced-quote", "required-empty", "end-before-start", "dangling-event-actors", "excerpt-reworded",
                 "trailing-space")


@dataclass
class Outcome:
    root: Path
    expected: list[Expect]
    code: int
    out: str
    err: str


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root`` with its size and modification time."""
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def prepare(name: str, root: Path) -> tuple[Path, list[Expect]]:
    for part in ("data", "schemas"):
        shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(SOURCES, root / "sources")
    return root, CASES[name].breaks(Scratch(root / "data", root / "sources"))


def validate_in_process(root: Path, monkeypatch, capsys) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    code = cli.main(["validate", "--sources-dir", "sources"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def outcome(request, tmp_path, monkeypatch, capsys, sources_dir) -> Outcome:
    root, expected = prepare(request.param, tmp_path / request.param)
    code, out, err = validate_in_process(root, monkeypatch, capsys)
    return Outcome(root, expected, code, out, err)


def test_the_corpus_has_at_least_110_cases():
    assert len(CASES) >= 110, sorted(CASES)
    assert all(c.why for c in CASES.values())


def _assert_reported(expected: list[Expect], out: str) -> None:
    lines = out.splitlines()
    for e in expected:
        assert not e.never or e.never not in out, f"the output holds {e.never!r}:\n{out[:5000]}"
        found = [l for l in lines if l.startswith(e.prefix()) and f"(rule: {e.rule})" in l and e.says in l]
        assert found, f"expected a line starting {e.prefix()!r} with rule {e.rule} saying {e.says!r}; got:\n{out[:5000]}"
    assert lines[-1].split(":")[0].endswith(("file", "files")), lines[-1]


@pytest.mark.parametrize("outcome", sorted(CASES), indirect=True)
def test_validate_names_the_problem(outcome):
    assert outcome.code == 1, outcome.out + outcome.err
    assert outcome.err == ""
    _assert_reported(outcome.expected, outcome.out)
    rules = set(re.findall(r"\(rule: ([^)]+)\)", outcome.out))
    assert all(known(r, MODEL) for r in rules), sorted(r for r in rules if not known(r, MODEL))


def _screen_and_schema_agree(tf) -> bool:
    """Whether the one-call screen and the per-column Pandera schema give a table the same verdict."""
    from pandera.errors import SchemaErrors

    from eastasia_data.curation.checks.table import screen_schema, text_schema

    known = [c for c in tf.frame.columns if c in tf.table.field_names]
    verdicts = []
    for schema in (screen_schema(tf.table, tuple(known)), text_schema(tf.table, known)):
        try:
            schema.validate(tf.frame[known], lazy=True)
            verdicts.append(True)
        except SchemaErrors:
            verdicts.append(False)
    return verdicts[0] == verdicts[1]


def test_the_one_call_screen_agrees_with_the_detailed_schema_on_the_real_data():
    from eastasia_data.curation.validate import read_checkout

    files = read_checkout()
    # every table is read and has rows, but one its schema lets be empty (codings, before a second coding)
    assert all(tf.frame is not None and (len(tf.frame) or tf.table.empty_allowed) for tf in files.values())
    assert [tf.display for tf in files.values() if not _screen_and_schema_agree(tf)] == []


@pytest.mark.slow  # every case read again
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_one_call_screen_agrees_with_the_detailed_schema(name, tmp_path, monkeypatch, sources_dir):
    """A table passes the screen exactly when it passes the per-column Pandera schema, in every case.

    Only the tables a case changed (its CSV or its schema file differs from the checkout's)
    are compared; the others are the real data, compared once in the test above.
    """
    from eastasia_data.curation.validate import read_checkout

    root, _ = prepare(name, tmp_path / name)
    monkeypatch.chdir(root)

    def changed(tf) -> bool:
        csv_name, yaml_name = tf.table.csv_name, f"{tf.table.name}.yaml"
        same_csv = (root / "data" / csv_name).is_file() and (REPO / "data" / csv_name).is_file() and \
            (root / "data" / csv_name).read_bytes() == (REPO / "data" / csv_name).read_bytes()
        same_yaml = (root / "schemas" / yaml_name).read_bytes() == (REPO / "schemas" / yaml_name).read_bytes()
        return not (same_csv and same_yaml)

    files = read_checkout(root / "data")
    compared = 0
    for tf in files.values():
        if tf.frame is None or (tf.frame.empty and not tf.table.empty_allowed):
            assert tf.problems, f"{tf.display} was neither read nor refused"
        elif tf.frame.empty:
            continue  # an empty table its schema allows (codings before a second coding): nothing to screen
        elif changed(tf):
            assert _screen_and_schema_agree(tf), tf.display
            compared += 1
    if not compared:  # the case broke something else: the archive, a file's form, or which files exist
        archive_same = all((root / "sources" / q.name).is_file() and (root / "sources" / q.name).read_bytes() == q.read_bytes()
                           for q in SOURCES.iterdir() if q.is_file())
        assert not archive_same or any(tf.problems for tf in files.values()) or \
            sorted(q.name for q in (root / "data").iterdir()) != sorted(q.name for q in (REPO / "data").iterdir()), \
            "the case changed no table, no file's form and not the archive"


@pytest.mark.parametrize("name", IN_A_PROCESS)
def test_the_command_exits_1_with_no_traceback(name, tmp_path, sources_dir):
    root, expected = prepare(name, tmp_path / name)
    run = run_cli("validate", "--sources-dir", "sources", cwd=root)
    assert run.code == 1 and run.err == "" and "Traceback" not in run.text, run.text
    _assert_reported(expected, run.out)


@pytest.mark.parametrize("name", THROUGH_BUILD)
def test_build_refuses_and_writes_nothing(name, tmp_path, monkeypatch, capsys, sources_dir):
    root, _ = prepare(name, tmp_path / name)
    before = snapshot(root)
    monkeypatch.chdir(root)
    code = cli.main(["build", "--sources-dir", "sources", "--out", "out"])
    captured = capsys.readouterr()
    assert code == 1, captured.out + captured.err
    assert "nothing was built" in captured.err
    assert not (root / "out").exists()
    assert snapshot(root) == before


#: Rules that no change to data/ alone can break, each with the test that shows it reported.
ELSEWHERE = {
    "archive": "test_validate_cli.py::test_an_archive_not_found_is_skipped_locally_and_an_error_in_ci",
    # the schema files have their own corpus
    "schema-file": "test_schema_files.py::test_validate_names_the_schema_problem[not-utf8]",
    "schema-yaml": "test_schema_files.py::test_validate_names_the_schema_problem[alias-bomb]",
    "schema-structure": "test_schema_files.py::test_validate_names_the_schema_problem[primarykey-lowercase]",
    "schema-meaning": "test_schema_files.py::test_validate_names_the_schema_problem[rule-value-not-a-category]",
    "schema-text": "test_schema_files.py::test_validate_names_the_schema_problem[category-value-a-formula]",
}


def test_every_rule_of_the_catalogue_has_a_case(tmp_path):
    """Each rule is the expected rule of at least one case (so each message is shown to be reachable)."""
    expected = set(ELSEWHERE)
    for name in CASES:
        _, cases = prepare(name, tmp_path / name)
        expected |= {e.rule for e in cases}
        shutil.rmtree(tmp_path / name)
    missing = sorted(set(RULES) - expected)
    assert not missing, f"rules with no corpus case: {missing}"


@pytest.mark.parametrize("outcome", ["both-dates-wrong-in-column-order"], indirect=True)
def test_a_rows_problems_follow_the_order_of_its_columns(outcome):
    columns = [line.split(": ")[1] for line in outcome.out.splitlines()[:-1]]
    assert columns == ["start_date", "end_date"], outcome.out
