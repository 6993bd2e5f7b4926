"""ClaimReview and Croissant: the JSON-LD that aggregators and dataset search engines read."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil

import pytest
from conftest import run_cli

import eastasia_data as ead
from eastasia_data.errors import ExportError
from eastasia_data.releases import descriptor, model, release_dir
from eastasia_data.publish.schemaorg import rating_scale

#: Left out of the quick run (`-m "not slow"`): ClaimReview and Croissant checked with pyld and mlcroissant.
pytestmark = pytest.mark.slow

SDO = "http://schema.org/"
MODEL = model()


def schema_org_loader(url, options=None):
    """Stands in for https://schema.org's context, which the tests cannot fetch (no network).

    The published context (https://schema.org/docs/jsonldcontext.jsonld) maps every term
    through ``"@vocab": "http://schema.org/"``; this serves that mapping alone, so the
    expanded IRIs are those the real context gives for the terms used here.
    """
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"the document tried to load {url}")
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"@vocab": SDO}}}


@pytest.fixture(scope="module")
def claimreview(tmp_path_factory):
    out = tmp_path_factory.mktemp("cr") / "claimreview.jsonld"
    result = run_cli("export", "--format", "claimreview", "--out", str(out))
    assert result.code == 0, result.text
    return json.loads(out.read_text(encoding="utf-8"))


def one(node, prop):
    values = node.get(SDO + prop, [])
    assert len(values) == 1, (prop, values)
    return values[0]


def value(node, prop):
    return one(node, prop)["@value"]


def test_claimreview_expands_with_every_required_property(claimreview):
    from pyld import jsonld

    expanded = jsonld.expand(claimreview, {"documentLoader": schema_org_loader})
    reviews = [n for n in expanded if SDO + "ClaimReview" in n.get("@type", [])]
    claims = ead.load("claims")
    rated = claims[claims["verdict"] != "not_rated"]
    assert len(reviews) == len(rated) == len(expanded)
    scale = {"supported": (5, "True"), "partly_supported": (3, "Mixed"), "contradicted": (1, "False")}
    by_id = {value(r, "identifier"): r for r in reviews}
    assert sorted(by_id) == sorted(rated["claim_id"])
    created = descriptor()["created"][:10]
    sources = ead.load("sources").set_index("source_id")
    for claim in rated.itertuples():
        review = by_id[claim.claim_id]
        assert value(review, "claimReviewed") == claim.paraphrase
        assert value(review, "reviewBody") == claim.verdict_note
        assert value(review, "datePublished") == created
        author = one(review, "author")
        assert author["@type"] == [SDO + "Organization"]
        assert value(author, "name") == "eastasia-data contributors"
        item = one(review, "itemReviewed")
        assert item["@type"] == [SDO + "Claim"]
        assert value(item, "text") == claim.excerpt
        article = sources.loc[claim.source_id]
        if claim.claimant == "quoted_actor" or article.notna()[["author", "publisher"]].any():
            assert one(item, "author")["@type"][0] in (SDO + "Organization", SDO + "Person")
        else:  # the article names neither author nor publisher: no author is made up
            assert SDO + "author" not in item
        appearance = one(item, "appearance")
        assert value(appearance, "identifier") == claim.source_id
        rating = one(review, "reviewRating")
        assert rating["@type"] == [SDO + "Rating"]
        if claim.verdict in scale:
            assert (value(rating, "ratingValue"), value(rating, "alternateName")) == scale[claim.verdict]
            assert (value(rating, "bestRating"), value(rating, "worstRating")) == (5, 1)
        else:
            assert claim.verdict == "unverifiable"
            assert SDO + "ratingValue" not in rating and value(rating, "alternateName")
        cited = [value(c, "identifier") for c in review[SDO + "citation"]]
        assert cited[0] == claim.authority_source_id


def test_a_quoted_claim_names_the_actor_as_its_author(claimreview):
    claims = ead.load("claims")
    quoted = claims[claims["claimant"] == "quoted_actor"]
    actors = ead.load("actors").set_index("actor_id")
    reviews = {r["identifier"]: r for r in claimreview["@graph"]}
    assert len(quoted)
    for claim in quoted.itertuples():
        author = reviews[claim.claim_id]["itemReviewed"]["author"]
        actor = actors.loc[claim.claimant_actor_id]
        assert author == {"@type": "Person" if actor["kind"] == "person" else "Organization",
                          "name": actor["name"], "identifier": claim.claimant_actor_id}


def test_claimreview_invents_no_url(claimreview):
    sources = ead.load("sources")
    known = set(sources["url"].dropna()) | (set(sources["read_url"].dropna()) if "read_url" in sources else set())
    text = json.dumps(claimreview)
    urls = set(re.findall(r'"url": "([^"]+)"', text))
    assert urls and urls <= known
    found = set(re.findall(r"https?://[^\s\"]+", text)) - {"https://schema.org"}
    assert found <= known


def test_the_rating_mapping_is_read_from_the_schema_and_agrees_with_the_labels():
    claims = MODEL["claims"]
    scale = rating_scale(claims)
    labels = {c.value: c.label for c in claims.field("verdict").categories}
    for verdict, label in labels.items():
        stated = re.search(r"ratingValue (\d+)", label)
        if stated:
            assert scale[verdict]["ratingValue"] == int(stated.group(1))
        else:
            assert "ratingValue" not in scale.get(verdict, {})
    assert set(scale) == set(labels) - {"not_rated"}


def test_a_reworded_mapping_is_refused_rather_than_guessed():
    claims = MODEL["claims"]
    reworded = dataclasses.replace(claims, description="Checkable statements with a verdict.")
    with pytest.raises(ExportError, match="no longer states how verdicts map onto ClaimReview"):
        rating_scale(reworded)
    wrong = dataclasses.replace(claims, description=claims.description.replace("contradicted = 1", "refuted = 1"))
    with pytest.raises(ExportError, match=r"names \['refuted'\], not values of verdict"):
        rating_scale(wrong)


# -- Croissant ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def croissant_beside_release(tmp_path_factory):
    """The Croissant description written into a copy of the release directory, beside its files."""
    where = tmp_path_factory.mktemp("croissant") / "release"
    shutil.copytree(release_dir(), where)
    result = run_cli("export", "--format", "croissant", "--out", str(where / "croissant.json"))
    assert result.code == 0, result.text
    return where / "croissant.json"


def test_croissant_is_valid_for_mlcroissant_and_its_records_load(croissant_beside_release):
    import mlcroissant as mlc

    dataset = mlc.Dataset(jsonld=str(croissant_beside_release))  # raises on any validation error
    issues = dataset.metadata.ctx.issues
    assert not issues.errors, issues.report()
    assert not issues.warnings, issues.report()
    assert [r.name for r in dataset.metadata.record_sets] == list(MODEL)
    records = list(dataset.records(record_set="claims"))
    claims = ead.load("claims")
    assert len(records) == len(claims)
    ids = sorted(r["claims/claim_id"].decode() for r in records)
    assert ids == sorted(claims["claim_id"])


def test_croissant_distribution_is_the_release_files_with_their_sha256(croissant_beside_release):
    doc = json.loads(croissant_beside_release.read_text(encoding="utf-8"))
    files = {f["contentUrl"]: f for f in doc["distribution"]}
    assert sorted(files) == sorted(r["path"] for r in descriptor()["resources"])
    for path, f in files.items():
        data = (croissant_beside_release.parent / path).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
        assert f["contentSize"] == f"{len(data)} B"
    assert doc["version"] == ead.__version__
    assert "url" not in doc and "sameAs" not in doc  # no repository or DOI exists: none is invented
    keys = {rs["name"]: rs["key"] for rs in doc["recordSet"]}
    assert keys["claims"] == {"@id": "claims/claim_id"}
    fields = {f["@id"]: f for rs in doc["recordSet"] for f in rs["field"]}
    assert fields["claims/authority_source_id"]["references"] == {"field": {"@id": "sources/source_id"}}
    assert fields["events/start_date"]["dataType"] == "sc:Date"


def test_croissant_takes_no_modified_frames(tmp_path):
    from eastasia_data.publish.export import export

    with pytest.raises(ExportError, match="describes the release's own files"):
        export("croissant", tmp_path / "c.json", frames={"claims": ead.load("claims")})


def test_a_repository_and_doi_in_the_package_facts_are_used_when_they_exist():
    """Nothing names a repository or DOI today; once the package facts do, the exports carry them."""
    from eastasia_data.publish.schemaorg import claim_reviews, croissant

    facts = {**descriptor(), "homepage": "https://example.org/eastasia-data", "eastasia:doi": "10.0000/example"}
    doc = croissant(descriptor=facts)
    assert doc["url"] == "https://example.org/eastasia-data"
    assert doc["sameAs"] == "https://doi.org/10.0000/example"
    part_of = claim_reviews(descriptor=facts)["@graph"][0]["isPartOf"]
    assert part_of["url"] == "https://example.org/eastasia-data"
    assert part_of["identifier"] == "doi:10.0000/example"
    assert "url" not in croissant()  # and the release itself names none


def test_the_new_exports_stay_on_the_readers_walk(tmp_path):
    """No pandera, frictionless, YAML or curation code behind claimreview, croissant and sqlite + Datasette."""
    import subprocess
    import sys

    code = f"""
import sys
from pathlib import Path
from eastasia_data.publish.export import export
for fmt, name in (("claimreview", "c.jsonld"), ("croissant", "c.json"), ("sqlite", "e.sqlite")):
    export(fmt, Path({str(tmp_path)!r}) / name)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("pandera", "frictionless", "yaml")
             or m.startswith("eastasia_data.curation")))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json", "c.jsonld", "e.metadata.json", "e.sqlite"]
