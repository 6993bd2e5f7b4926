"""DataCite metadata (issue 24): valid against DataCite's schema 4.5, made from the release, nothing invented."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from datacite import schema45

import eastasia_data as ead
from eastasia_data.releases import registry
from eastasia_data.releases import descriptor
from eastasia_data.publish import datacite as dc

VERSIONS = [r["version"] for r in registry()["releases"]]


def _errors(record: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in schema45.validator.iter_errors(record)]


@pytest.mark.parametrize("version", VERSIONS)
def test_each_release_is_valid_datacite_4_5(version):
    record = dc.datacite(version)
    assert _errors(record) == []
    assert schema45.validate(record)
    assert record["version"] == version and record["types"]["resourceTypeGeneral"] == "Dataset"


def test_the_schema_catches_a_broken_record():  # the validation this file relies on can fail
    broken = {k: v for k, v in dc.datacite().items() if k != "publisher"}
    assert any("publisher" in e for e in _errors(broken))
    assert _errors({**dc.datacite(), "dates": [{"date": "2026-12-01", "dateType": "Released"}]})


def test_the_record_comes_from_the_release():
    d = descriptor()
    record = dc.datacite()
    assert record["titles"][0]["title"] == d["title"]
    assert record["descriptions"][0]["description"] == d["description"]
    assert record["publicationYear"] == d["created"][:4] and record["dates"] == [{"date": d["created"][:10],
                                                                                     "dateType": "Issued"}]
    assert [c["name"] for c in record["creators"]] == [c["title"] for c in d["contributors"] if "author" in c["roles"]]
    assert [s["subject"] for s in record["subjects"]] == d["keywords"]
    assert [r["rightsIdentifier"] for r in record["rightsList"]] == [lic["name"] for lic in d["licenses"]]
    urls = set(ead.load("sources")["url"].dropna())
    derived = {r["relatedIdentifier"] for r in record["relatedIdentifiers"] if r["relationType"] == "IsDerivedFrom"}
    assert derived == urls


def test_what_does_not_exist_is_left_out():
    record = dc.datacite()
    assert "doi" not in record and "url" not in record  # no DOI, no site yet
    assert not any(r["relatedIdentifierType"] == "DOI" for r in record["relatedIdentifiers"])


def test_a_configured_doi_and_site_flow_in(monkeypatch):
    from eastasia_data import citation
    from eastasia_data.citation import rows as rowcite

    monkeypatch.setattr(citation, "configured", lambda: {"eastasia:doi": "10.5281/zenodo.1234567"})
    monkeypatch.setattr(rowcite, "site_url", lambda: "https://example.org/eastasia-data/")
    record = dc.datacite()
    assert record["doi"] == "10.5281/zenodo.1234567" and record["url"] == "https://example.org/eastasia-data/"
    assert {"relatedIdentifier": "https://example.org/eastasia-data/", "relatedIdentifierType": "URL",
            "relationType": "IsDocumentedBy"} in record["relatedIdentifiers"]
    assert _errors(record) == []


def test_the_previous_releases_doi_is_related(monkeypatch):
    from eastasia_data import releases

    real = releases.descriptor

    def with_doi(version=None, *, release=None):
        d = real(version, release=release)
        return {**d, "eastasia:doi": "10.5281/zenodo.7654321"} if version == VERSIONS[-2] else d

    monkeypatch.setattr(releases, "descriptor", with_doi)
    record = dc.datacite(VERSIONS[-1])
    assert {"relatedIdentifier": "10.5281/zenodo.7654321", "relatedIdentifierType": "DOI",
            "relationType": "IsNewVersionOf"} in record["relatedIdentifiers"]
    assert _errors(record) == []


def test_the_cli_writes_it(tmp_path):
    out = tmp_path / "datacite.json"
    run = run_cli("export", "--format", "datacite", "--out", str(out))
    assert run.code == 0 and run.out == f"written: {out} (datacite)\n"
    assert json.loads(out.read_text(encoding="utf-8")) == dc.datacite()
    again = run_cli("export", "--format", "datacite", "--out", str(out))
    assert again.code == 1 and "--force" in again.err
    stdout = run_cli("export", "--format", "datacite", "--out", "-")
    assert stdout.code == 0 and json.loads(stdout.out) == dc.datacite()


def test_a_configured_doi_reaches_the_feed(monkeypatch):
    """The feed links the DOI of [tool.eastasia-data] once it is set (none is, so none is linked now)."""
    import dataclasses

    from eastasia_data.curation import feed

    assert "doi.org" not in feed.render_feed()
    real = feed.Package.from_pyproject
    monkeypatch.setattr(feed.Package, "from_pyproject",
                        classmethod(lambda cls, data: dataclasses.replace(real(data), doi="10.5281/zenodo.1234567")))
    assert '<link href="https://doi.org/10.5281/zenodo.1234567" rel="related"/>' in feed.render_feed()
