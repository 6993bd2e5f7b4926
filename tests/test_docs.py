"""What users read: the README runs and shows the figures; the data dictionary covers every table and column."""

from __future__ import annotations

import argparse
import re

import pytest
from conftest import MODEL, REPO, TABLES, run_cli

import eastasia_data as ead
from eastasia_data.cli import COMMAND_GROUPS, parser
from eastasia_data.curation.docs import BlockError, fill_block, render_dictionary

README = (REPO / "README.md").read_text(encoding="utf-8")
DICTIONARY = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == [
        "bash scripts/release.sh", "bash scripts/test.sh"]
    assert README.index("```sh") < README.index("## ")


def test_readme_quickstart_runs(capsys):
    """The first Python block of the README is the quickstart: it must run as written."""
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "supported" in out and "title" in out
    assert f"(Version {ead.__version__}) [Data set]" in out


def test_readme_shows_the_figures_it_regenerates():
    assert "eastasia-data plot --out docs/figures" in README
    for figure in ("timeline", "network"):
        assert f"](docs/figures/{figure}.png)" in README
        assert (REPO / "docs" / "figures" / f"{figure}.png").is_file()


@pytest.mark.parametrize("name", TABLES)
def test_dictionary_documents_every_column_and_value(name):
    table = MODEL[name]
    section = DICTIONARY.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
    assert f"- **Primary key**: {', '.join(f'`{c}`' for c in table.primary_key)}" in section
    # rows as the release has them; a table added since the release says so
    released = name in ead.tables()
    rows = len(ead.load(name)) if released else None
    assert f"- **Rows**: {rows if released else 'not in the release yet'}\n" in section
    assert f"| [`{name}`](docs/data-dictionary.md#{name}) | {rows if released else '—'} |" in README
    for f in table.fields:
        assert f"| `{f.name}` |" in section, f.name
        for c in f.categories:
            assert f"| `{c.value}` | {c.label} |" in section, (f.name, c.value)
    for fk in table.foreign_keys:
        assert f"{', '.join(fk.fields)} → {fk.resource}.{', '.join(fk.reference_fields)}" in section


def test_dictionary_is_what_the_generator_renders():
    assert DICTIONARY == render_dictionary()


@pytest.mark.parametrize("text", [
    "no markers at all\n",
    "<!-- t:end -->\nbackwards\n<!-- t:start -->\n",
    "<!-- t:start -->\n<!-- t:end -->\n<!-- t:start -->\n<!-- t:end -->\n",
])
def test_fill_block_refuses_bad_markers(text):
    with pytest.raises(BlockError, match="<!-- t:start -->"):
        fill_block(text, "t", "x\n")


def test_generate_names_each_file_once():
    """README.md and the datasheet hold two generated blocks each; the check names each file once."""
    result = run_cli("generate", "--check")
    paths = [line.split(": ", 1)[1] for line in result.out.splitlines()]
    assert result.code == 0 and len(paths) == len(set(paths)) and str(REPO / "README.md") in paths


def test_help_lists_the_reading_commands_before_the_curating_ones():
    text = run_cli("--help").out
    reading, curating = (text.index(title + ":") for title in COMMAND_GROUPS)
    assert reading < curating
    for name in ("tables", "cite", "export"):
        assert reading < text.index(f"\n  {name} ") < curating
    for name in ("validate", "build", "release"):
        assert text.index(f"\n  {name} ") > curating
    listed = [name for names in COMMAND_GROUPS.values() for name in names]
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(listed) == sorted(sub.choices)  # every command in exactly one group
