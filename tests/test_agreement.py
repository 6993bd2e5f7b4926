"""Independent codings and `eastasia-data agreement`: alpha against known values, the command's output and exit
codes, the validator's checks of the codings table, the release descriptor, and what the command imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import run_cli
from csvedit import read_rows, write_rows

from eastasia_data.curation.agreement import FieldAgreement, TARGET, agreement

FIGURES = {"alpha", "low", "high", "units", "coders", "disagreements", "round"}


def frame(*rows: tuple) -> pd.DataFrame:
    """Codings from (table, row_key, field, coder, round, value) tuples."""
    return pd.DataFrame(rows, columns=["table_name", "row_key", "field", "coder", "round", "value"])


def two_coders(pairs: list[tuple[str, str]], field: str = "verdict") -> pd.DataFrame:
    """Two coders' values for units u0, u1, ... of claims.<field>, round 1."""
    rows = []
    for i, (a, b) in enumerate(pairs):
        rows += [("claims", f"u{i}", field, "coder-a", 1, a), ("claims", f"u{i}", field, "coder-b", 1, b)]
    return frame(*rows)


# -- alpha against values computed by hand and published ------------------------------------------

def test_perfect_agreement_is_one():
    result = agreement(two_coders([("supported", "supported"), ("contradicted", "contradicted"), ("supported", "supported")]))
    r = result["claims.verdict"]
    assert (r.alpha, r.low, r.high, r.units, r.coders, r.disagreements) == (1.0, 1.0, 1.0, 3, 2, 0)
    assert r.meets_target


def test_alpha_computed_by_hand():
    """Units a/a, a/a, b/b, a/b: the coincidence matrix has o_aa = 4, o_bb = 2, o_ab = o_ba = 1, so n_a = 5, n_b = 3,
    n = 8, and alpha = 1 - (n - 1)(o_ab + o_ba) / (2 n_a n_b) = 1 - 7 * 2 / 30 = 8/15."""
    r = agreement(two_coders([("a", "a"), ("a", "a"), ("b", "b"), ("a", "b")]))["claims.verdict"]
    assert r.alpha == round(8 / 15, 3) == 0.533
    assert (r.units, r.coders, r.disagreements) == (4, 2, 1)
    assert not r.meets_target


def test_alpha_of_krippendorffs_published_example():
    """Krippendorff (2011), 'Computing Krippendorff's alpha-reliability': four observers, twelve units with missing
    values; nominal alpha 0.743 (the value the paper and the krippendorff package's documentation give)."""
    nan = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    rows = [("events", f"unit-{u:02d}", "category", f"coder-{'abcd'[c]}", 1, f"value-{v}")
            for c, values in enumerate(data) for u, v in enumerate(values) if v is not None]
    r = agreement(frame(*rows))["events.category"]
    assert r.alpha == 0.743
    assert r.coders == 4
    assert r.units == 11  # unit 12 has a single value, so it is not pairable
    assert r.disagreements == 3  # units 2 (2, 2, 3, 2), 6 (1, 2, 3, 4) and 8 (1, 1, 2, 1)


def test_the_bootstrap_is_deterministic_and_brackets_alpha():
    pairs = [("a", "a")] * 30 + [("b", "b")] * 20 + [("a", "b")] * 4 + [("c", "c")] * 6 + [("c", "a")] * 2
    first = agreement(two_coders(pairs))["claims.verdict"]
    second = agreement(two_coders(list(pairs)))["claims.verdict"]
    assert first == second
    assert first.low < first.alpha < first.high <= 1.0
    other_seed = agreement(two_coders(pairs), seed=7)["claims.verdict"]
    assert other_seed.alpha == first.alpha and (other_seed.low, other_seed.high) != (first.low, first.high)


def test_latest_round_by_default_and_any_round_on_request():
    rows = [("strategies", "str-x", "status", "coder-a", 1, "proposed"), ("strategies", "str-x", "status", "coder-b", 1, "hypothetical"),
            ("strategies", "str-y", "status", "coder-a", 1, "proposed"), ("strategies", "str-y", "status", "coder-b", 1, "proposed"),
            ("strategies", "str-x", "status", "coder-a", 2, "proposed"), ("strategies", "str-x", "status", "coder-b", 2, "proposed"),
            ("strategies", "str-y", "status", "coder-a", 2, "hypothetical"), ("strategies", "str-y", "status", "coder-b", 2, "hypothetical")]
    assert agreement(frame(*rows))["strategies.status"].round == 2
    assert agreement(frame(*rows))["strategies.status"].disagreements == 0
    assert agreement(frame(*rows), round=1)["strategies.status"].disagreements == 1


@pytest.mark.parametrize("rows, reason", [
    ([("claims", "u0", "kind", "coder-a", 1, "fact"), ("claims", "u1", "kind", "coder-a", 1, "opinion")], "fewer than two coders"),
    ([("claims", "u0", "kind", "coder-a", 1, "fact"), ("claims", "u1", "kind", "coder-b", 1, "opinion")], "no row coded by two"),
    ([("claims", "u0", "kind", "coder-a", 1, "fact"), ("claims", "u0", "kind", "coder-b", 1, "fact")], "a single value"),
])
def test_alpha_not_computed_says_why(rows, reason):
    r = agreement(frame(*rows))["claims.kind"]
    assert (r.alpha, r.low, r.high) == (None, None, None)
    assert reason in r.reason and reason in r.as_text()
    assert not r.meets_target


def test_fields_are_computed_apart_and_keyed_table_dot_field():
    rows = [("claims", "u0", "kind", "coder-a", 1, "fact"), ("claims", "u0", "kind", "coder-b", 1, "fact"),
            ("claims", "u1", "kind", "coder-a", 1, "opinion"), ("claims", "u1", "kind", "coder-b", 1, "opinion"),
            ("events", "e0", "category", "coder-a", 1, "AID")]
    result = agreement(frame(*rows))
    assert list(result) == ["claims.kind", "events.category"]
    assert result["claims.kind"].alpha == 1.0 and result["events.category"].alpha is None


# -- the command ---------------------------------------------------------------------------------------------

def write_codings(data, rows: list[dict[str, str]]) -> None:
    header, _ = read_rows(data / "codings.csv")
    write_rows(data / "codings.csv", header, [{"note": "", "adjudication": "", **r} for r in rows])


def code_verdicts(data, disagree_every: int | None, coders=("coder-a", "coder-b")) -> int:
    """Every claim's verdict coded by ``coders``; the last coder differs on every ``disagree_every``-th claim."""
    _, claims = read_rows(data / "claims.csv")
    rows, disagreements = [], 0
    for i, claim in enumerate(claims):
        for coder in coders:
            value = claim["verdict"]
            if coder == coders[-1] and disagree_every and i % disagree_every == 0:
                value = "unverifiable" if value != "unverifiable" else "supported"
                disagreements += 1
            rows.append({"table_name": "claims", "row_key": claim["claim_id"], "field": "verdict", "coder": coder,
                         "round": "1", "value": value})
    write_codings(data, rows)
    return disagreements


def agree(data, sources, *args: str):
    return run_cli("agreement", "--data-dir", str(data), "--sources-dir", str(sources), *args)


def test_no_codings_yet_is_said_and_exits_0(data_copy, sources_dir):
    write_codings(data_copy, [])  # the checkout may hold codings: the state before the first
    text, as_json = agree(data_copy, sources_dir), agree(data_copy, sources_dir, "--format", "json")
    assert (text.code, text.out, text.err) == (0, "no independent codings yet: data/codings.csv has no rows\n", "")
    assert (as_json.code, json.loads(as_json.out)) == (0, {})


def test_a_field_meeting_the_target_prints_one_line_and_exits_0(data_copy, sources_dir):
    disagreements = code_verdicts(data_copy, disagree_every=50)
    result = agree(data_copy, sources_dir)
    assert result.code == 0, result.text
    (line,) = result.out.splitlines()
    assert line.startswith("claims.verdict: alpha 0.9") and f"{disagreements} disagreements" in line
    assert "2 coders" in line and "95% CI" in line and result.err == ""


def test_json_is_an_object_keyed_table_field_with_the_figures(data_copy, sources_dir):
    disagreements = code_verdicts(data_copy, disagree_every=50)
    _, claims = read_rows(data_copy / "claims.csv")
    result = agree(data_copy, sources_dir, "--format", "json")
    figures = json.loads(result.out)
    assert list(figures) == ["claims.verdict"]
    f = figures["claims.verdict"]
    assert set(f) == FIGURES
    assert (f["units"], f["coders"], f["disagreements"], f["round"]) == (len(claims), 2, disagreements, 1)
    assert f["low"] <= f["alpha"] <= f["high"] and f["alpha"] >= TARGET
    assert agree(data_copy, sources_dir, "--format", "json").out == result.out  # deterministic


def test_below_the_target_exits_1(data_copy, sources_dir):
    code_verdicts(data_copy, disagree_every=3)
    result = agree(data_copy, sources_dir)
    assert result.code == 1, result.text
    alpha = float(result.out.split("alpha ")[1].split()[0])
    assert alpha < TARGET


def test_a_field_with_one_coder_is_listed_not_computed_and_exits_1(data_copy, sources_dir):
    code_verdicts(data_copy, disagree_every=None, coders=("coder-a",))
    result = agree(data_copy, sources_dir, "--format", "json")
    assert result.code == 1
    assert json.loads(result.out)["claims.verdict"]["alpha"] is None
    assert "alpha not computed (fewer than two coders)" in agree(data_copy, sources_dir).out


def test_invalid_codings_compute_nothing_and_name_the_problem(data_copy, sources_dir):
    write_codings(data_copy, [{"table_name": "claims", "row_key": "clm-no-such-claim", "field": "verdict",
                               "coder": "coder-a", "round": "1", "value": "supported"}])
    result = agree(data_copy, sources_dir, "--format", "json")
    assert result.code == 1 and result.out == ""
    assert "codings.csv:2: row_key: 'clm-no-such-claim' names no row of" in result.err
    assert "(rule: row-key); hint: a row key of claims is its claim_id" in result.err
    assert "no agreement was computed" in result.err and "Traceback" not in result.err


@pytest.mark.parametrize("argv, says", [
    (["--round", "3"], "--round 3: data/codings.csv has no codings in round 3 (rounds: 1)"),
    (["--round", "0"], "--round 0: rounds are numbered from 1"),
])
def test_a_round_that_is_not_there_is_a_usage_error(data_copy, sources_dir, argv, says):
    code_verdicts(data_copy, disagree_every=50)
    result = agree(data_copy, sources_dir, *argv)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"error: {says}\n"


# -- the validator's checks of the codings table -----------------------------------------------------------

@pytest.mark.parametrize("change, starts, ends", [
    ({"row_key": "clm-a1-no-such-claim"},
     "row_key: 'clm-a1-no-such-claim' names no row of {data}/claims.csv (rule: row-key); hint: ",
     "a row key of claims is its claim_id"),
    ({"field": "category"},
     "field: 'category' is not a column of claims (rule: coded-column); hint: ",
     "the coded columns of claims are: kind, verdict"),
    ({"value": "mostly_true"},
     "value: 'mostly_true' is not an allowed value of claims.verdict (rule: coded-value); hint: ",
     "the allowed values are: supported, partly_supported, contradicted, unverifiable, not_rated"),
])
def test_the_validator_checks_row_key_field_and_value(data_copy, sources_dir, change, starts, ends):
    _, claims = read_rows(data_copy / "claims.csv")
    good = {"table_name": "claims", "row_key": claims[0]["claim_id"], "field": "verdict", "coder": "coder-a",
            "round": "1", "value": claims[0]["verdict"]}
    write_codings(data_copy, [good, {**good, "coder": "coder-b", **change}])
    result = run_cli("validate", "--data-dir", str(data_copy), "--sources-dir", str(sources_dir))
    assert result.code == 1
    (line,) = [l for l in result.out.splitlines() if "codings.csv" in l]  # one problem: file:line, column, value
    assert line.startswith(f"{data_copy}/codings.csv:3: " + starts.format(data=data_copy)), line
    assert line.endswith(ends), line


def test_a_row_key_of_a_composite_key_is_its_values_joined(data_copy, sources_dir):
    """The check is the schema's (rowKeyOf), not the codings table's: a table keyed by three columns is named by
    its three values joined by ' | ', and the hint names them."""
    from eastasia_data.curation.checks.references import check_references
    from eastasia_data.curation.validate import read_checkout

    files = read_checkout(data_copy)
    _, links = read_rows(data_copy / "event_actors.csv")
    good = " | ".join(links[0][c] for c in ("event_id", "actor_id", "role"))
    codings = pd.DataFrame({"table_name": ["event_actors"] * 2, "row_key": [good, good.replace(" | ", "|")],
                            "field": ["role"] * 2, "coder": ["coder-a"] * 2, "round": ["1", "2"],
                            "value": [links[0]["role"]] * 2, "note": [None] * 2, "adjudication": [None] * 2},
                           dtype="str")
    files["codings"].frame, files["codings"].lines = codings, [2, 3]
    problems = check_references(files)
    assert [(p.line, p.rule) for p in problems] == [(3, "row-key")]
    assert "event_id | actor_id | role" in problems[0].hint


def test_an_empty_codings_table_is_valid(data_copy, sources_dir):
    write_codings(data_copy, [])  # the checkout may hold codings: remove them all
    header, rows = read_rows(data_copy / "codings.csv")
    assert rows == [] and header[:5] == ["table_name", "row_key", "field", "coder", "round"]
    assert run_cli("validate", "--data-dir", str(data_copy), "--sources-dir", str(sources_dir)).code == 0


# -- the release descriptor and the datasheet ----------------------------------------------------------------

def test_a_release_states_the_agreement_only_when_there_are_codings(data_copy, sources_dir, tmp_path):
    from eastasia_data.curation.build import build
    from eastasia_data.curation.validate import validate

    write_codings(data_copy, [])  # the checkout may hold codings: first a release without any
    empty = build(tmp_path / "empty", data_dir=data_copy, sources_dir=sources_dir)
    assert "agreement" not in json.loads((empty.path / "datapackage.json").read_text(encoding="utf-8"))
    code_verdicts(data_copy, disagree_every=50)
    figures = json.loads(agree(data_copy, sources_dir, "--format", "json").out)
    coded = build(tmp_path / "coded", report=validate(data_copy, sources_dir))
    descriptor = json.loads((coded.path / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["agreement"] == figures
    assert list(descriptor)[-2:] == ["agreement", "resources"]


def test_the_datasheet_block_states_the_figures_or_that_there_are_none():
    from eastasia_data.curation.agreement import datasheet_block

    assert "no second coding has been made yet" in datasheet_block({"version": "2.0.0"})
    r = FieldAgreement("claims", "verdict", 1, 0.912, 0.85, 0.96, 92, 2, 3)
    block = datasheet_block({"version": "2.1.0", "agreement": {r.key: r.as_dict()}})
    assert "| `claims.verdict` | 0.912 | 0.850–0.960 | 92 | 2 | 3 | 1 |" in block and "Release 2.1.0" in block


# -- imports ------------------------------------------------------------------------------------------------

@pytest.mark.slow  # a fresh process
def test_krippendorff_is_imported_by_the_computation_only(data_copy, sources_dir):
    code_verdicts(data_copy, disagree_every=50)
    argv = ["agreement", "--data-dir", str(data_copy), "--sources-dir", str(sources_dir)]
    probe = ("import contextlib, io, sys, eastasia_data as ead; ead.load('claims');"
             "import eastasia_data.curation.agreement; before = 'krippendorff' in sys.modules;"
             "from eastasia_data.cli import main\n"
             f"with contextlib.redirect_stdout(io.StringIO()): rc = main({argv!r})\n"
             "print(before, 'krippendorff' in sys.modules, rc)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=600)
    assert proc.stdout.split() == ["False", "True", "0"], proc.stdout + proc.stderr


# -- set-valued fields: agreement per code ------------------------------------------------------------------

def code_plover(data, coders=("coder-a", "coder-b")) -> list[str]:
    """Every event's mode and context coded by two coders; b adds `economic` to every third event's context."""
    _, events = read_rows(data / "events.csv")
    rows = []
    for i, event in enumerate(events):
        for coder in coders:
            context = "military;economic" if coder == coders[-1] and i % 3 == 0 else "military"
            mode = "" if i % 2 else "visit"
            rows.append({"table_name": "events", "row_key": event["event_id"], "field": "context", "coder": coder,
                         "round": "1", "value": context})
            rows.append({"table_name": "events", "row_key": event["event_id"], "field": "mode", "coder": coder,
                         "round": "1", "value": mode})
    write_codings(data, rows)
    return [e["event_id"] for e in events]


def test_a_list_field_gets_agreement_per_code_beside_the_nominal_alpha_of_mode(data_copy, sources_dir):
    events = code_plover(data_copy)
    result = agree(data_copy, sources_dir, "--format", "json")
    figures = json.loads(result.out)
    assert list(figures) == ["events.context[economic]", "events.context[military]", "events.mode"], result.text
    economic, military, mode = (figures[k] for k in figures)
    assert economic["disagreements"] == len(range(0, len(events), 3)) and economic["units"] == len(events)
    assert military["disagreements"] == 0 and military["alpha"] is None  # present throughout: alpha undefined
    assert mode["alpha"] == 1.0 and mode["units"] == len(events)  # an empty mode is a coding, counted as a value
    text = agree(data_copy, sources_dir)
    assert any(line.startswith("events.context[economic]: alpha ") for line in text.out.splitlines()), text.text


def test_the_validator_checks_each_item_of_a_coded_list(data_copy, sources_dir):
    _, events = read_rows(data_copy / "events.csv")
    good = {"table_name": "events", "row_key": events[0]["event_id"], "field": "context", "coder": "coder-a",
            "round": "1", "value": "military;economic"}
    write_codings(data_copy, [good, {**good, "coder": "coder-b", "value": "military;econmic"}])
    result = run_cli("validate", "--data-dir", str(data_copy), "--sources-dir", str(sources_dir))
    assert result.code == 1
    (line,) = [l for l in result.out.splitlines() if "codings.csv" in l]
    assert line.startswith(f"{data_copy}/codings.csv:3: value: 'military;econmic' has an item that is not an "
                           "allowed value of events.context ('econmic') (rule: coded-value)"), line
