"""What users read: the README runs and shows the figures; the data dictionary covers every table and column."""

from __future__ import annotations

import re

import pytest
from conftest import MODEL, REPO, TABLES

import eastasia_data as ead
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
