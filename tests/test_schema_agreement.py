"""schemas/ is the one definition: Pandera, datapackage.json, the release and load() agree with it.

The release compared is a build of this checkout's data into a scratch directory, not the
committed one: a schema change (a column or a table added) must agree everywhere before any
release is made; that releases/ holds the build of the committed data is test_release.py's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import MODEL, REPO, TABLES

import eastasia_data as ead
from eastasia_data.curation.checks.table import frame_schema, text_schema
from eastasia_data.releases import descriptor


@pytest.fixture(scope="module")
def built_release(tmp_path_factory, sources_dir) -> Path:
    """A fresh build of the checkout's data, for load(), describe() and descriptor() to read with ``release=``."""
    from eastasia_data.curation.build import build

    return build(tmp_path_factory.mktemp("release"), sources_dir=sources_dir).path


def root_resources() -> dict:
    return {r["name"]: r for r in json.loads((REPO / "datapackage.json").read_text())["resources"]}


@pytest.mark.parametrize("name", TABLES)
def test_pandera_text_schema_has_every_field_and_constraint(name):
    table = MODEL[name]
    schema = text_schema(table)
    assert list(schema.columns) == list(table.field_names)
    for f in table.fields:
        col = schema.columns[f.name]
        assert col.nullable == (not f.required), f.name
        names = {c.name for c in col.checks}
        assert (col.unique or "unique" in names) == (f.unique or table.primary_key == (f.name,)), f.name
        assert ("pattern" in names) == bool(f.pattern), f.name
        assert ("enum" in names) == bool(f.categories), f.name
        assert ("date" in names) == (f.is_partial_date or f.type == "date"), f.name


@pytest.mark.parametrize("name", TABLES)
def test_root_datapackage_describes_the_schema(name):
    resource = root_resources()[name]
    assert resource["path"] == f"data/{name}.csv"
    assert resource["schema"] == MODEL[name].to_table_schema()
    enums = {f["name"]: f.get("constraints", {}).get("enum") for f in resource["schema"]["fields"]}
    # a list field's categories are its allowed items, not values of the whole cell: no enum constraint
    assert enums == {f.name: (None if f.is_list else list(f.enum) or None) for f in MODEL[name].fields}
    items = {f["name"]: (f["itemType"], f["delimiter"], [c["value"] for c in f.get("categories", [])])
             for f in resource["schema"]["fields"] if f["type"] == "list"}
    assert items == {f.name: ("string", f.delimiter, list(f.enum)) for f in MODEL[name].fields if f.is_list}


@pytest.mark.parametrize("name", TABLES)
def test_release_descriptor_describes_the_schema(name, built_release):
    resource = {r["name"]: r for r in descriptor(release=built_release)["resources"]}[name]
    assert resource["schema"] == MODEL[name].to_table_schema(stored=True)


@pytest.mark.parametrize("name", TABLES)
def test_loaded_dtypes_are_the_schema_dtypes(name, built_release):
    frame = ead.load(name, release=built_release)
    table = MODEL[name]
    assert list(frame.columns) == list(table.field_names)
    assert {c: str(t) for c, t in frame.dtypes.items()} == table.dtypes
    for f in table.fields:
        if f.kind == "category":
            assert list(frame[f.name].cat.categories) == list(f.enum), f.name
    frame_schema(table).validate(frame)  # the typed Pandera schema accepts what load() returns


@pytest.mark.parametrize("name", TABLES)
def test_describe_matches_the_schema(name, built_release):
    doc = ead.describe(name, release=built_release)
    table = MODEL[name]
    assert doc["column"].tolist() == list(table.field_names)
    assert doc["dtype"].tolist() == [f.pandas_dtype for f in table.fields]
    assert doc["description"].tolist() == [f.description for f in table.fields]
    assert doc["required"].tolist() == [f.required for f in table.fields]


def test_generated_files_are_up_to_date():
    from eastasia_data.curation.generate import generate

    stale = [str(p) for p, status in generate(check=True) if status != "up to date"]
    assert stale == [], "run `eastasia-data generate`"


def test_partial_dates_load_as_first_day_of_period(built_release):
    events = ead.load("events", release=built_release)
    raw = pd.read_csv(REPO / "data" / "events.csv", dtype=str, keep_default_na=False)
    for loaded, text, precision in zip(events["start_date"], raw["start_date"], raw["date_precision"]):
        assert loaded.strftime({"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[precision]) == text


@pytest.mark.parametrize("name", TABLES)
def test_pandera_import_of_the_table_schema_agrees_on_what_it_keeps(name):
    """pandera's own Frictionless importer, run on datapackage.json, keeps a subset of the rules:
    required, unique, pattern and enum. Our schema agrees on that subset and adds the rest
    (dates, cross-field rules, composite keys), which test_pandera_text_schema_... checks."""
    from pandera.io.pandas_io import from_frictionless_schema

    schema = root_resources()[name]["schema"]
    # pandera's importer predates Table Schema v2's list type: it sees a list field as the text it is
    schema = {**schema, "fields": [{**f, "type": "string"} if f["type"] == "list" else f for f in schema["fields"]]}
    imported = from_frictionless_schema(schema)
    ours = text_schema(MODEL[name])
    assert list(imported.columns) == list(ours.columns)
    for column, theirs in imported.columns.items():
        mine = ours.columns[column]
        field = MODEL[name].field(column)
        assert theirs.nullable == mine.nullable, column
        assert theirs.unique == (field.unique or MODEL[name].primary_key == (column,)), column
        kept = {c.name for c in theirs.checks}
        assert ("str_matches" in kept) == ("pattern" in {c.name for c in mine.checks}), column
        # our enum check on a list field checks each item, which the importer cannot express
        assert ("isin" in kept) == ("enum" in {c.name for c in mine.checks} and not field.is_list), column
        if field.categories and not field.is_list:  # the importer keeps the values in an isin check (its category dtype has none)
            isin = next(c for c in theirs.checks if c.name == "isin")
            assert sorted(isin.statistics["allowed_values"]) == sorted(field.enum), column
