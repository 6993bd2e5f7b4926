"""Croissant 1.1 (issue 24): mlcroissant 1.1 loads the export and yields its records; RAI fields and provenance."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import REPO, run_cli

import eastasia_data as ead
from eastasia_data.releases import descriptor, model, release_dir
from eastasia_data.publish import rai

#: Left out of the quick run, like tests/test_schemaorg.py: mlcroissant reads the export.
pytestmark = pytest.mark.slow

PROVENANCE_TABLES = [name for name, t in model().items() if {"source_id", "excerpt"} <= {f.name for f in t.fields}]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    where = tmp_path_factory.mktemp("croissant11") / "release"
    shutil.copytree(release_dir(), where)
    run = run_cli("export", "--format", "croissant", "--out", str(where / "croissant.json"))
    assert run.code == 0, run.text
    return where / "croissant.json"


def test_it_conforms_to_croissant_1_1_and_mlcroissant_yields_every_table(exported):
    import mlcroissant as mlc

    doc = json.loads(exported.read_text(encoding="utf-8"))
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    dataset = mlc.Dataset(jsonld=str(exported))
    issues = dataset.metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    assert dataset.metadata.ctx.is_v1_1()
    for name in model():
        # a Dataset per record set: mlcroissant 1.1.1 yields fewer records of a record set that another one,
        # read before it from the same Dataset, references (claims after claim_sources), 1.0 or 1.1 alike
        records = list(mlc.Dataset(jsonld=str(exported)).records(record_set=name))
        assert len(records) == len(ead.load(name)), name


def test_each_record_set_with_sources_states_its_rows_provenance(exported):
    import mlcroissant as mlc

    assert set(PROVENANCE_TABLES) >= {"claims", "strategies", "actors"}
    doc = json.loads(exported.read_text(encoding="utf-8"))
    sets = {rs["@id"]: rs for rs in doc["recordSet"]}
    for name, rs in sets.items():
        if name not in PROVENANCE_TABLES:
            assert "annotation" not in rs, name
            continue
        annotation = rs["annotation"]
        assert annotation["equivalentProperty"] == "prov:wasDerivedFrom"
        columns = [f["source"]["extract"]["column"] for f in annotation["subField"]]
        assert columns[:2] == ["source_id", "excerpt"]
        assert all(f["source"]["fileObject"]["@id"] == f"{name}.parquet" for f in annotation["subField"])
    dataset = mlc.Dataset(jsonld=str(exported))
    parsed = {rs.name: rs for rs in dataset.metadata.record_sets}
    assert [a.equivalentProperty for a in parsed["claims"].annotations] == [["prov:wasDerivedFrom"]]


def test_the_rai_fields_are_the_datasheets_words(exported):
    doc = json.loads(exported.read_text(encoding="utf-8"))
    datasheet = (REPO / "docs" / "datasheet.md").read_text(encoding="utf-8")
    paragraphs = rai.datasheet_paragraphs(datasheet)
    assert set(rai.RAI_LEADS) <= set(doc)
    for prop, leads in rai.RAI_LEADS.items():
        for lead in leads:
            assert paragraphs[lead] and paragraphs[lead] in doc[prop], (prop, lead)
    # the second coding's agreement: what the datasheet's agreement block says about this release
    assert "second coding" in doc["rai:dataAnnotationAnalysis"] or "alpha" in doc["rai:dataAnnotationAnalysis"]
    assert "Krippendorff" in doc["rai:dataAnnotationAnalysis"]


def test_the_release_descriptors_agreement_figures_are_added_when_present():
    figures = {"claims.verdict": {"alpha": 0.91, "units": 40}}
    text = rai.rai_properties({**descriptor(), "agreement": figures})["rai:dataAnnotationAnalysis"]
    assert "claims.verdict: alpha 0.91, units 40" in text


def test_the_shipped_rai_json_is_generated_from_the_datasheet():
    assert rai.RAI_JSON.read_text(encoding="utf-8") == rai.render_rai()
    with pytest.raises(KeyError, match=r"has no paragraph 'Where did the data come from\?'"):
        rai.render_rai("# Datasheet\n\n**Something else.** Text.\n")


def test_the_site_becomes_the_url(monkeypatch):
    from eastasia_data.citation import rows as rowcite
    from eastasia_data.publish.schemaorg import croissant

    assert "url" not in croissant()
    monkeypatch.setattr(rowcite, "site_url", lambda: "https://example.org/eastasia-data/")
    assert croissant()["url"] == "https://example.org/eastasia-data/"
