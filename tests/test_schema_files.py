"""The schema files' own corpus: every way a pull request can break ``schemas/*.yaml``.

Each case breaks one schema file of a scratch checkout; ``eastasia-data validate`` must exit
2 (a malformed schema is a usage error, see ``errors.py``) with one line per problem,
``schemas/<table>.yaml:LINE: …``, naming the line an editor shows, and never a traceback.
Typos that used to switch a rule off silently (a scalar ``when``, a value that is not a
category, ``primarykey:``, a repeated key, ``required: "false"``) are among them. A
hypothesis property mutates the structure of real schema files at random: the reader
either builds the table (and then the file follows the JSON Schema) or raises one
``ModelError`` whose every line names the file. ``check-jsonschema`` validates the real
files against the shipped ``schemas/table-schema.json``. The alias bomb runs under a
memory limit and a timeout.
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
import yaml
from conftest import REPO, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eastasia_data import cli
from eastasia_data.curation.schemas import TABLE_SCHEMA, read_table
from eastasia_data.errors import ModelError

EVENTS = (REPO / "schemas" / "events.yaml").read_text(encoding="utf-8")
CLAIMS = (REPO / "schemas" / "claims.yaml").read_text(encoding="utf-8")


def line_of(text: str, fragment: str, nth: int = 0) -> int:
    """The line (1-based) of the ``nth`` occurrence of ``fragment`` in ``text``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(fragment, at + 1)
    return text.count("\n", 0, at) + 1


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# Each case: (table, the broken text or bytes, the line reported, a fragment of the message).
def _cases() -> dict[str, tuple[str, str | bytes, int | None, str]]:
    ev, cl = EVENTS, CLAIMS
    dup = replaced(ev, "    constraints:\n      required: true\n  - name: summary",
                   "    constraints:\n      required: true\n    constraints:\n      unique: true\n  - name: summary")
    bomb = "description: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"b{i}: &b{i} [{', '.join(['*' + ('a' if i == 0 else f'b{i - 1}')] * 9)}]\n" for i in range(9)) + "fields: *b8\n"
    return {
        "fields-not-a-list": ("events", "description: x\nfields: 5\nprimaryKey: event_id\n", 2, "fields: 5 is not of type 'array'"),
        "foreign-key-without-reference": ("events", ev + "foreignKeys:\n  - fields: [event_id]\n",
                                          ev.count("\n") + 2, "'reference' is a required property"),
        "primary-key-a-number": ("events", replaced(ev, "primaryKey: [event_id]", "primaryKey: 7"),
                                 line_of(ev, "primaryKey:"), "primaryKey"),
        "field-named-a-number": ("events", replaced(ev, "name: title", "name: 5"), line_of(ev, "name: title"),
                                 "5 is not of type 'string'"),
        "invalid-regular-expression": ("events", replaced(ev, 'pattern: "evt-', 'pattern: "(evt-'),
                                       line_of(ev, 'pattern: "evt-'), "is not a regular expression"),
        "not-utf8": ("events", replaced(ev, "Dated", "Dat\udce9d").encode("utf-8", "surrogateescape"), 3, "not UTF-8"),
        "when-a-scalar": ("claims", replaced(cl, "when: {kind: [opinion]}", "when: {kind: opinion}"),
                          line_of(cl, "when: {kind: [opinion]}"), "rules[2].when.kind"),
        "rule-value-not-a-category": ("claims", replaced(cl, "when: {kind: [opinion]}", "when: {kind: [opinon]}"),
                                      line_of(cl, "when: {kind: [opinion]}"), "'opinon' is not one of the column's categories"),
        "allowed-value-not-a-category": ("claims", replaced(cl, "allow: {verdict: [not_rated]}", "allow: {verdict: [unrated]}"),
                                         line_of(cl, "allow: {verdict: [not_rated]}"), "'unrated' is not one of"),
        "rule-names-no-column": ("claims", replaced(cl, "require: [claimant_actor_id]", "require: [claimant_actor]"),
                                 line_of(cl, "require: [claimant_actor_id]"), "'claimant_actor' is not a column"),
        "rule-that-does-nothing": ("claims", replaced(cl, "    allow: {verdict: [not_rated]}\n", ""),
                                   line_of(cl, "name: opinion-not-rated"), "rules[2]"),
        "primarykey-lowercase": ("events", replaced(ev, "primaryKey:", "primarykey:"), line_of(ev, "primaryKey:"),
                                 "unknown key 'primarykey'"),
        "foreignkeys-lowercase": ("claims", replaced(cl, "foreignKeys:", "foreignkeys:"), line_of(cl, "foreignKeys:"),
                                  "unknown key 'foreignkeys'"),
        "repeated-constraints-key": ("events", dup, line_of(dup, "constraints:", 2), "repeats the key 'constraints'"),
        "required-as-a-string": ("events", replaced(ev, "required: true", 'required: "false"'),
                                 line_of(ev, "required: true"), "'false' is not of type 'boolean'"),
        "maximum-not-a-number": ("events", replaced(ev, "required: true", "maximum: abc"),
                                 line_of(ev, "required: true"), "'abc' is not of type 'number'"),
        "unknown-field-property": ("events", replaced(ev, "    precisionField: date_precision\n",
                                                      "    precisionfield: date_precision\n"),
                                   line_of(ev, "precisionField"), "unknown key 'precisionfield'"),
        "unknown-constraint": ("events", replaced(ev, "unique: true", "uniq: true"), line_of(ev, "unique: true"),
                               "unknown key 'uniq'"),
        "unknown-type": ("events", replaced(ev, "type: string", "type: text"), line_of(ev, "type: string"),
                         "'text' is not one of"),
        "category-with-extra-key": ("events", replaced(ev, '{value: day, label: "Known to the day"}',
                                                       "{value: day, label: Known, to the day}"),
                                    line_of(ev, "{value: day"), "unknown keys ['to the day']"),
        "yaml-anchor-and-alias": ("events", replaced(ev, "    description: Short title in the curators' words.",
                                                     "    description: &d Short title in the curators' words.")
                                  .replace("    description: One or two sentences in the curators' words.",
                                           "    description: *d"), line_of(ev, "Short title"), "anchor or alias"),
        "alias-bomb": ("events", bomb, 1, "anchor or alias"),
        "two-documents": ("events", ev + "---\n" + ev, ev.count("\n") + 1, "more than one YAML document"),
        "tab-indentation": ("events", replaced(ev, "  - name: title", "\t- name: title"), line_of(ev, "name: title"),
                            "not valid YAML"),
        "empty-file": ("events", "", None, "is empty"),
        "python-tag": ("events", "description: !!python/object:os.system x\n" + ev.split("\n", 3)[3], 1, "YAML tag"),
        "custom-tag": ("events", replaced(ev, "name: title", "name: !title title"), line_of(ev, "name: title"), "YAML tag"),
        "number-as-key": ("events", ev + "5: five\n", ev.count("\n") + 1, "unknown key 5"),
        "complex-key": ("events", ev + "? [a, b]\n: x\n", ev.count("\n") + 1, "not a plain name"),
        "set-value": ("events", replaced(ev, "primaryKey: [event_id]", "primaryKey: !!set {event_id}"),
                      line_of(ev, "primaryKey:"), "YAML tag 'tag:yaml.org,2002:set'"),
        "a-list-not-a-mapping": ("events", "- a\n- b\n", 1, "is not of type 'object'"),
        # issue 21: schema text gets the hygiene of cells, numbers are finite, no merge keys
        "category-value-a-formula": ("events", replaced(ev, "{value: day,", '{value: "=HYPERLINK(1)",'),
                                     line_of(ev, "{value: day"), "starts with =, +, - or @"),
        "category-value-a-workflow-command": ("events", replaced(ev, "{value: day,", '{value: "::stop-commands::x",'),
                                             line_of(ev, "{value: day"), "workflow command"),
        "category-value-mixed-script": ("events", replaced(ev, "{value: day,", "{value: d\u0430y,"),
                                        line_of(ev, "{value: day"), "mixes letters of different scripts"),
        "label-with-a-newline": ("events", replaced(ev, '"Known to the day"', '"Known\\n::error::pwned"'),
                                 line_of(ev, "{value: day"), "control character"),
        "label-with-a-line-separator": ("events", replaced(ev, '"Known to the day"', '"Known\u2028to the day"'),
                                        line_of(ev, "{value: day"), "control character"),
        "description-with-zero-width-space": ("events", replaced(ev, "Short title in", "Short\u200b title in"),
                                              line_of(ev, "Short title in"), "invisible"),
        "description-with-combining-stack": ("events", replaced(ev, "Short title in", "Sho\u0301\u0302\u0303\u0304rt title in"),
                                             line_of(ev, "Short title in"), "combining marks"),
        "description-not-nfc": ("events", replaced(ev, "Short title in", "Shorte\u0301 title in"),
                                line_of(ev, "Short title in"), "NFC"),
        "description-javascript-url": ("events", replaced(ev, "Short title in", "javascript:alert(1) title in"),
                                       line_of(ev, "Short title in"), "link with http or https only"),
        "description-ftp-url": ("events", replaced(ev, "Short title in", "See ftp://example.org/x title in"),
                                line_of(ev, "Short title in"), "ftp: URL"),
        "maximum-infinite": ("events", replaced(ev, "required: true", "maximum: .inf"),
                             line_of(ev, "required: true"), "maximum: inf is greater than the maximum"),
        "minimum-not-a-number": ("events", replaced(ev, "required: true", "minimum: .nan"),
                                 line_of(ev, "required: true"), "is not a finite number"),
        "max-length-beyond-32-bits": ("events", replaced(ev, "required: true", "maxLength: 99999999999"),
                                      line_of(ev, "required: true"), "is greater than the maximum"),
        "minimum-above-maximum": ("events", replaced(ev, "required: true", "minimum: 5\n      maximum: 1"),
                                  line_of(ev, "required: true"), "minimum 5 is above maximum 1"),
        "yaml-merge-key": ("events", replaced(ev, "    constraints:\n      required: true\n  - name: summary",
                                              "    constraints:\n      <<: {required: true}\n  - name: summary"),
                           line_of(ev, "    constraints:\n      required: true\n  - name: summary") + 1, "merge key"),
    }


CASES = _cases()


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    for part in ("data", "schemas"):
        shutil.copytree(REPO / part, tmp_path / part)
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_schema_corpus_has_many_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_names_the_schema_problem(name, scratch, capsys):
    table, text, line, says = CASES[name]
    path = scratch / "schemas" / f"{table}.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    code = cli.main(["validate"])
    err = capsys.readouterr().err
    assert code == 2, err
    where = f"schemas/{table}.yaml" + ("" if line is None else f":{line}") + ":"
    lines = err.splitlines()
    assert any(l.removeprefix("error: ").startswith(where) and says in l for l in lines), (where, says, err)
    assert "Traceback" not in err
    rules = set(re.findall(r"\(rule: ([a-z-]+)\)$", err, re.M))
    assert rules and rules <= {"schema-file", "schema-yaml", "schema-structure", "schema-meaning", "schema-text"}, err
    # every line names a schema file and where in it
    assert all(l.removeprefix("error: ").startswith("schemas/") for l in lines), err


def test_every_problem_of_every_schema_file_is_reported_at_once(scratch, capsys):
    (scratch / "schemas" / "events.yaml").write_text(replaced(EVENTS, "required: true", 'required: "no"'), encoding="utf-8")
    (scratch / "schemas" / "claims.yaml").write_text(replaced(CLAIMS, "foreignKeys:", "foreignkeys:"), encoding="utf-8")
    assert cli.main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "schemas/events.yaml:" in err and "schemas/claims.yaml:" in err, err


def test_a_schema_file_that_is_a_symlink_is_not_followed(scratch, capsys):
    canary = scratch / "canary.yaml"
    canary.write_text("description: CANARY_SECRET_7d1\n", encoding="utf-8")
    link = scratch / "schemas" / "events.yaml"
    link.unlink()
    link.symlink_to(canary)
    assert cli.main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "schemas/events.yaml: is a symbolic link" in err and "CANARY_SECRET" not in err, err


def test_a_schema_file_over_its_cap_is_not_read(scratch, capsys):
    from eastasia_data.files import MAX_SCHEMA_BYTES

    with (scratch / "schemas" / "events.yaml").open("r+b") as f:
        f.truncate(MAX_SCHEMA_BYTES + 1)
    assert cli.main(["validate"]) == 2
    assert "schemas/events.yaml: is 1,048,577 bytes, over the cap" in capsys.readouterr().err


def test_the_command_exits_2_with_one_line_per_problem(scratch):
    (scratch / "schemas" / "events.yaml").write_text(replaced(EVENTS, "fields:", "fields: 5\nx:"), encoding="utf-8")
    run = run_cli("validate", cwd=scratch)
    assert run.code == 2 and "Traceback" not in run.text, run.text
    assert run.out == "" and run.err.startswith("error: schemas/events.yaml:"), run.text


ALIAS_BOMB = r"""
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB: the bomb expanded to 7.6 GB
from pathlib import Path
from eastasia_data.curation.schemas import read_table
from eastasia_data.errors import ModelError
start = time.perf_counter()
try:
    read_table(Path(sys.argv[1]))
except ModelError as exc:
    print(f"{time.perf_counter() - start:.3f} {exc}")
"""


def test_an_alias_bomb_is_refused_under_a_memory_limit(tmp_path):
    (tmp_path / "schemas").mkdir()
    path = tmp_path / "schemas" / "events.yaml"
    path.write_text(CASES["alias-bomb"][1], encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", ALIAS_BOMB, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seconds, _, message = proc.stdout.partition(" ")
    assert "anchor or alias" in message and float(seconds) < 5, proc.stdout


def test_the_real_schema_files_follow_the_shipped_json_schema():
    """check-jsonschema, the tool an editor or a CI job would use, on the real files and the shipped schema."""
    shipped = REPO / "schemas" / "table-schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == TABLE_SCHEMA
    exe = Path(sys.executable).parent / "check-jsonschema"
    files = sorted(str(p) for p in (REPO / "schemas").glob("*.yaml"))
    proc = subprocess.run([str(exe), "--schemafile", str(shipped), *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = REPO / "schemas" / "events.yaml"
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"schema-check-{os.getpid()}.yaml"
    scratch.write_text(replaced(broken.read_text(encoding="utf-8"), "primaryKey:", "primarykey:"), encoding="utf-8")
    try:
        proc = subprocess.run([str(exe), "--schemafile", str(shipped), str(scratch)], capture_output=True, text=True,
                              timeout=120)
    finally:
        scratch.unlink()
    assert proc.returncode == 1 and "primarykey" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


# -- a property over the structure of schema files ------------------------------------------

REAL = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((REPO / "schemas").glob("*.yaml"))}

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["present", "string", "integer", "(", "[a-", "event_id"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, path + (i,))


@st.composite
def mutated(draw):
    import copy

    table = draw(st.sampled_from(sorted(REAL)))
    raw = copy.deepcopy(REAL[table])
    for _ in range(draw(st.integers(1, 3))):
        spots = [p for p in _paths(raw) if p]
        path = draw(st.sampled_from(spots))
        parent = raw
        for k in path[:-1]:
            parent = parent[k]
        how = draw(st.sampled_from(["replace", "delete", "add-key"]))
        if how == "replace":
            parent[path[-1]] = draw(values)
        elif how == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        if not isinstance(raw, dict):
            break
    return table, raw


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_any_mutation_of_a_schema_file_is_a_table_or_one_model_error(case, tmp_path):
    import jsonschema

    table, raw = case
    (tmp_path / "schemas").mkdir(exist_ok=True)
    path = tmp_path / "schemas" / f"{table}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    display = f"schemas/{table}.yaml"
    try:
        read_table(path, display)
    except ModelError as exc:
        lines = str(exc).splitlines()
        assert lines and all(l.startswith(display + ":") and "(rule: schema-" in l for l in lines), str(exc)
    else:
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), TABLE_SCHEMA)


def test_a_control_character_in_a_schema_value_is_escaped_and_each_problem_stays_one_line(tmp_path):
    """Found by the mutation test: a category written as a carriage return split a message in two."""
    import copy

    raw = copy.deepcopy(REAL["actors"])
    kind = next(f for f in raw["fields"] if f["name"] == "kind")
    kind["categories"][3] = "\r"
    (tmp_path / "schemas").mkdir()
    path = tmp_path / "schemas" / "actors.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        read_table(path, "schemas/actors.yaml")
    lines = str(caught.value).split("\n")
    assert lines and all(line.startswith("schemas/actors.yaml:") and "(rule: schema-" in line for line in lines), lines
    assert "\r" not in str(caught.value) and "\\r" in str(caught.value)


def test_the_json_schema_and_the_model_know_the_same_field_properties():
    """The schema files' JSON Schema and `model`'s parser accept the same keys (a release descriptor may add `enum`)."""
    from eastasia_data import model

    field = TABLE_SCHEMA["$defs"]["field"]["properties"]
    assert set(field) == model._FIELD_KEYS
    assert set(field["constraints"]["properties"]) == model._CONSTRAINT_KEYS - {"enum"}
