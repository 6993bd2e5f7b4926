"""What users read: the README runs and shows the figures; the data dictionary covers every table and column."""

from __future__ import annotations

import argparse
import re

import pytest
from conftest import MODEL, REPO, TABLES, run_cli

import eastasia_data as ead
from eastasia_data.cli import COMMAND_GROUPS, parser
from eastasia_data.curation.docs import render_dictionary
from eastasia_data.curation.generate import fill_block
from eastasia_data.errors import BlockError

README = (REPO / "README.md").read_text(encoding="utf-8")
DICTIONARY = (REPO / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
DATASHEET = (REPO / "docs" / "datasheet.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    assert [line.split("#")[0].strip() for line in first_block.splitlines()] == [
        "bash scripts/release.sh", "bash scripts/test.sh"]
    assert README.index("```sh") < README.index("## ")


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_readme_has_the_readers_install_and_first_load_right_after_the_two_commands():
    """What it is, the two commands, then at once how a reader installs and loads (not from PyPI)."""
    head, _, _ = README.partition("## What it is")
    assert head.index("dataset on the Russia–North Korea alignment") < head.index("```sh")
    assert "## Install and load" in head and "not on PyPI yet" in head and "pip install ." in head
    assert 'ead.load("events")' in _python_blocks()[0] and _python_blocks()[0] in head
    assert "source archive" in head and "$EASTASIA_SOURCES" in head
    assert "pip install eastasia-data" not in README.replace("pip install eastasia-data` finds nothing", "")
    assert not re.search(r'pip install "eastasia-data\[', README), "the package is not on PyPI"
    for claim in ("110 to 135 s", "about 30 s", "December 2026"):  # timings live in CONTRIBUTING
        assert claim not in README


@pytest.mark.parametrize("index", range(len(_python_blocks())), ids=lambda i: f"block{i}")
def test_every_readme_python_block_runs_as_written(index, capsys):
    """Each Python block of the README runs on its own, as a reader would paste it into a script."""
    exec(compile(_python_blocks()[index], "README.md", "exec"), {})
    capsys.readouterr()


def test_readme_quickstart_runs_and_gives_the_right_answers(capsys):
    """The Quickstart counts the events of North Korea's people, bodies and forces too, dates them at
    their precision, names the articles as the README defines them and prints nothing elided."""
    from eastasia_data import views

    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    p = views.event_participants()
    actors = ead.load("actors").set_index("actor_id")
    of_north_korea = [a for a in actors.index
                      if a == "act-north-korea" or actors.loc[a, "state_actor_id"] == "act-north-korea"]
    expected = set(p.loc[p["actor_id"].isin(of_north_korea), "event_id"])
    direct = set(p.loc[p["actor_id"] == "act-north-korea", "event_id"])
    assert len(expected) > len(direct)  # the roll-up matters in this release
    assert f"{len(expected)} events\n" in out
    events = ead.load("events").set_index("event_id")
    shown = [e for e in sorted(expected) if events.loc[e, "title"] in out]
    newest = events.loc[sorted(expected), "start_date"].nlargest(8).min()  # the Quickstart prints the 8 newest
    assert len(shown) >= min(5, len(expected)) and all(events.loc[e, "start_date"] >= newest for e in shown)
    for e in shown:  # each printed at its precision: 2025-01, never 2025-01-01
        line = next(x for x in out.splitlines() if x.rstrip().endswith(events.loc[e, "title"]))
        assert line.split()[0] == ead.format_dates(events.loc[[e], "start_date"], events.loc[[e], "date_precision"]).iloc[0]
    assert "first article" in out and "second article" in out and "contradicted" in out
    # an elided column prints as its own "..." column (two spaces or more either side); a cell cut at
    # max_colwidth ends in "..." after its text, which may end in a space ("against ...  Reuters")
    assert not re.search(r"(^|  )\.\.\.(  |$)", out, re.M), "a printed frame elides columns at the default width"
    assert f"(Version {ead.__version__}) [Data set]" in out


def test_readme_defines_the_two_articles_with_their_ids():
    sources = ead.load("sources").set_index("source_id")
    archived = sources[sources["kind"] == "archived_article"]
    assert len(archived) == 2
    for ordinal, short, source_id in (("first", "a1", "src-china-mail-2025"),
                                      ("second", "a2", "src-article-china-watching-warily")):
        row = re.search(rf"^\| \*\*{ordinal} article\*\* \(`{short}`\) \| `([^`]+)` \| (.+?) \|", README, re.M)
        assert row and row.group(1) == source_id, ordinal
        assert archived.loc[source_id, "title"] in row.group(2)
        assert f"{ordinal} article" in DICTIONARY and source_id in DICTIONARY
        assert f"The **{ordinal} article** (`{source_id}`)" in DATASHEET  # where it comes from
        assert f"- Claims of the {ordinal} article (`{short}`), “{archived.loc[source_id, 'title']}”" in DATASHEET
    assert DATASHEET.index("Claims of the first article") < DATASHEET.index("Claims of the second article")


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


def test_readme_lists_the_commands_the_parser_has():
    """The README's block of commands is what `cli.commands_markdown()` renders from the parser (sqlite-utils' check)."""
    from eastasia_data.cli import commands_markdown

    block = README.split("<!-- commands:start -->\n", 1)[1].split("<!-- commands:end -->", 1)[0]
    assert block == commands_markdown()
