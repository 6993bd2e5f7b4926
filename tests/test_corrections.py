"""The corrections register (data/corrections.csv): its entries against the releases, and the reasons shown.

The register's own failures are corpus cases (tests/corpus.py, rules ``correction-*``); the
gates are in test_check_version.py and the played pull request (test_pull_request.py), which
also shows ``ead.history`` giving the reason once a release ships the register.
"""

from __future__ import annotations

import pytest
from conftest import REPO, run_cli
from csvedit import read_rows

from eastasia_data.views import entries, row_key
from eastasia_data.curation.diff import CorrectedRow, diff
from eastasia_data.curation.diff_render import render_changelog, render_markdown, render_text
from eastasia_data.curation.snapshot import from_checkout, from_release
from eastasia_data.curation.versioning import parse

REGISTER = REPO / "data" / "corrections.csv"


def _release(version: str):
    return from_release(REPO / "releases" / f"eastasia-data-{version}", f"release {version}")


def _released_versions() -> list[str]:
    return sorted((p.name.removeprefix("eastasia-data-") for p in (REPO / "releases").glob("eastasia-data-*")
                   if p.is_dir()), key=parse)


@pytest.fixture(scope="module")
def current():
    return from_checkout(REPO, "current")


def test_the_register_starts_with_the_corrections_of_the_1_0_0_changelog():
    _, rows = read_rows(REGISTER)
    first = [r for r in rows if r["release"] == "1.0.0"]
    assert len(first) >= 40 and rows[:len(first)] == first  # later entries (pending or of later releases) follow
    assert {r["status"] for r in first} == {"corrected"}
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8").split("## [1.0.0]", 1)[1].split("\n## [", 1)[0]
    for r in first:  # every row is named in the CHANGELOG entry of its release (composite keys by their first value)
        assert f"`{r['row_key'].split(' | ')[0]}`" in changelog, r


@pytest.mark.parametrize("version", sorted({r["release"] for r in read_rows(REGISTER)[1] if r["release"]}, key=parse))
def test_each_entry_names_a_row_its_release_corrected_or_removed(version):
    """An entry of release R names a row of the release before R that R changed (in those columns) or removed."""
    versions = _released_versions()
    before = versions[versions.index(version) - 1]
    d = diff(_release(before), _release(version))
    changed = {(r.table, r.row_key): r for r in d.corrected_rows()}
    # corrected_rows leaves out the coding ledger (its bookkeeping needs no entry), but an entry may
    # still name a ledger row: check it against the ledger's own changes and removals
    ledger = (d.new.package.get("eastasia:archive") or {}).get("ledger")
    if ledger in d.rows:
        r = d.rows[ledger]
        changed |= {(ledger, row_key(k)): CorrectedRow(ledger, k, (), True) for k in r.removed}
        for k in r.changed_keys:
            changed[(ledger, row_key(k))] = CorrectedRow(ledger, k, tuple(c.column for c in r.cells if c.key == k), False)
    _, rows = read_rows(REGISTER)
    for entry in (r for r in rows if r["release"] == version):
        row = changed.get((entry["table_name"], entry["row_key"]))
        assert row is not None, f"{entry['correction_id']}: {entry['row_key']} was not changed or removed in {version}"
        if not row.removed:
            assert set(entry["columns"].split()) <= set(row.columns), (entry, row.columns)
        else:  # a removed row: the columns named are its key's, or those the re-keyed row changed
            assert set(entry["columns"].split()) <= set(d.new.tables[row.table].table.primary_key) | set(
                d.new.tables[row.table].table.field_names)


def test_diff_shows_the_reason_beside_corrected_and_removed_rows(current):
    d = diff(_release("0.1.0"), current)  # the register's 1.0.0 entries fall between the two sides
    found = d.corrections()  # a row corrected again since (a pending entry or a later release's) has several

    def reason(table: str, key: str) -> str:
        return " ".join(e.reason() for e in found[(table, key)])

    removed, changed = reason("sources", "src-kbs-2023-07-21-kotra-nk-trade"), reason("claims", "clm-a1-united-front")
    assert "cor-001)" in changed  # the 1.0.0 entry is among them
    text = render_text(d).splitlines()
    at = text.index("    - src-kbs-2023-07-21-kotra-nk-trade")
    assert text[at + 1] == f"        why: {removed}"
    last = max(i for i, line in enumerate(text) if line.startswith("    ~ clm-a1-united-front: "))
    assert text[last + 1] == f"        why: {changed}"
    markdown = render_markdown(d)
    assert f"- `src-kbs-2023-07-21-kotra-nk-trade`: {removed}" in markdown
    assert "| claim_id | column | before | after | why |" in markdown
    changelog = render_changelog(d)
    assert f"  - `src-kbs-2023-07-21-kotra-nk-trade`: {removed}" in changelog
    assert f"    - why: {changed}" in changelog


def test_the_json_diff_carries_the_entries_and_follows_its_schema(current):
    import json

    import jsonschema

    from eastasia_data.curation.diff_render import render_json

    data = json.loads(render_json(diff(_release("0.1.0"), current)))
    schema = json.loads((REPO / "src" / "eastasia_data" / "curation" / "diff.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    why = {tuple(w["key"]): w for w in data["tables"]["strategy_targets"]["why"]}
    entry = why[("str-nk-troops-for-russia", "act-ukraine")]
    assert entry["what_was_wrong"].startswith("Named Ukraine") and entry["correction_id"].startswith("cor-")
    for name, table in data["tables"].items():  # entries explain removed and changed rows only, not added ones
        explained = {tuple(k) for k in table["removed"]} | {tuple(c["key"]) for c in table["changed"]}
        assert {tuple(w["key"]) for w in table.get("why", [])} <= explained, name
        if not explained:
            assert "why" not in table, name


def test_a_reason_is_shown_only_for_the_releases_between_the_two_sides(current):
    d = diff(_release("1.0.0"), current)  # the 1.0.0 entries explain 0.1.0 → 1.0.0, not what came after
    shown = [e for found in d.corrections().values() for e in found]
    assert all(not e.release or parse(e.release) > parse("1.0.0") for e in shown)
    text = render_text(d)
    of_1_0_0 = [e for e in entries(current.tables["corrections"].frame) if e.release == "1.0.0"]
    assert of_1_0_0 and not [e.correction_id for e in of_1_0_0 if f"{e.correction_id})" in text]
    if not shown:
        assert "why:" not in text


def test_the_diff_command_shows_the_reasons():
    run = run_cli("diff", "0.1.0", "--changelog")
    assert run.code == 0, run.text
    assert "  - `str-nk-troops-for-russia, act-ukraine`" not in run.out  # composite keys in parentheses
    assert "  - `(str-nk-troops-for-russia, act-ukraine)`: Named Ukraine as the target" in run.out


def test_history_has_a_reason_column_even_before_a_release_ships_the_register():
    """Releases up to 2.0.0 have no register: history still answers, with empty reasons (the played pull
    request shows a reason once a release ships one)."""
    import eastasia_data as ead

    h = ead.history("claims", "clm-a2-military-threat-unlikely")
    assert list(h.columns[:5]) == ["version", "status", "changed", "changelog", "reason"]
    assert h.loc[h["version"] == "1.0.0", "status"].item() == "changed"
    shipped = any("corrections" in ead.tables(version=v) for v in ead.versions()["version"])
    if shipped:  # from the release after 2.0.0 on, the register explains the 1.0.0 correction
        assert "prediction" in h.loc[h["version"] == "1.0.0", "reason"].item()
    else:
        assert h["reason"].isna().all()  # no reason: missing, as every cell history has nothing for


def test_the_register_can_name_a_row_of_every_other_table():
    """table_name's categories are the dataset's tables: a table added to schemas/ needs its category here."""
    from conftest import MODEL

    from eastasia_data.views import CORRECTIONS as TABLE

    assert set(MODEL[TABLE].field("table_name").enum) == set(MODEL) - {TABLE}
