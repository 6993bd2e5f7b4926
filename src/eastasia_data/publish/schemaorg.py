"""The release in the vocabularies that fact-check aggregators and dataset search engines read.

* :func:`claim_reviews`: one schema.org ``ClaimReview`` per rated claim, as JSON-LD
  (``eastasia-data export --format claimreview``);
* :func:`croissant`: the dataset as schema.org ``Dataset`` with the Croissant 1.1
  vocabulary of MLCommons (``eastasia-data export --format croissant``): the release files
  with their sha256 as the distribution, one record set per table, each record's provenance
  (its source and excerpt), and the datasheet's answers to the responsible-AI (RAI) fields
  (:mod:`eastasia_data.publish.rai`).

Both are made from the release: the model of its descriptor, its package facts and its
tables. Nothing is invented: the rating of each verdict is read from the one mapping the
claims table states (:func:`rating_scale`), and a URL appears only where the data holds
one. The dataset has no public repository, site or DOI yet (``[tool.eastasia-data]`` names
none; once ``site-url`` and ``doi`` are set, both outputs carry them), so neither output names one; in particular a ``ClaimReview`` lacks the ``url`` of a
review page, which Google's fact-check markup expects, until such a page exists.

Examples
--------
>>> from eastasia_data.publish.schemaorg import claim_reviews
>>> reviews = claim_reviews()
>>> {review["@type"] for review in reviews["@graph"]}
{'ClaimReview'}

A verdict on the numeric scale is rated of 1-5; an unverifiable one carries its verbal rating only:

>>> ratings = [review["reviewRating"] for review in reviews["@graph"]]
>>> {(r["worstRating"], r["bestRating"]) for r in ratings if "ratingValue" in r}
{(1, 5)}
>>> all("alternateName" in r for r in ratings)
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from eastasia_data.errors import ExportError
from eastasia_data.model import Package, Table

#: The JSON-LD context of a Croissant description, as the Croissant 1.0 specification gives it (1.1's keys below).
CROISSANT_CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}
CROISSANT_VERSION = "http://mlcommons.org/croissant/1.1"
# issue 24: Croissant 1.1's additions to the context (as its example datasets write them), and PROV-O.
CROISSANT_CONTEXT |= {"annotation": "cr:annotation", "arrayShape": "cr:arrayShape", "containedIn": "cr:containedIn",
                      "isArray": "cr:isArray", "prov": "http://www.w3.org/ns/prov#"}
#: A column's kind (:attr:`eastasia_data.model.Field.kind`) -> its Croissant data type.
CROISSANT_TYPES = {"string": "sc:Text", "category": "sc:Text", "partial_date": "sc:Date", "date": "sc:Date",
                   "datetime": "sc:DateTime", "integer": "sc:Integer", "number": "sc:Float",
                   "boolean": "sc:Boolean"}

_RATED = re.compile(r"\b([a-z_]+) = (\d+) \(([^)]+)\)")
_UNRATED = re.compile(r"\b([a-z_]+) = no numeric rating")
_SCALE = re.compile(r"\bof (\d+)-(\d+)\b")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")


def rating_scale(claims: Table, verdict: str = "verdict") -> dict[str, dict[str, Any]]:
    """Each rated verdict as a schema.org ``Rating``, read from the claims table's own mapping.

    The table's description states the mapping (``supported = 5 (True), …, unverifiable =
    no numeric rating``) and the verdict labels state the scale (``ratingValue 5 of 1-5``);
    this reads both rather than repeating them. A verdict the mapping does not name
    (``not_rated``, for opinions) gets no review.

    Parameters
    ----------
    claims : Table
        The claims table of the model.
    verdict : str, default "verdict"
        Its verdict column.

    Returns
    -------
    dict of str to dict
        Verdict -> ``Rating`` properties: ``alternateName`` (the verbal rating),
        ``ratingExplanation`` (the verdict's meaning), and, on the numeric scale,
        ``ratingValue``, ``bestRating``, ``worstRating``.

    Raises
    ------
    ExportError
        The description no longer states the mapping, or names a value the verdict
        column does not allow.

    Examples
    --------
    >>> from eastasia_data.releases import model
    >>> scale = rating_scale(model()["claims"])
    >>> scale["contradicted"]["ratingValue"], scale["contradicted"]["alternateName"]
    (1, 'False')
    >>> "ratingValue" in scale["unverifiable"], "not_rated" in scale
    (False, False)
    """
    field = claims.field(verdict)
    labels = {c.value: c.label for c in field.categories}
    scale = [m for label in labels.values() for m in _SCALE.findall(label)]
    rated = _RATED.findall(claims.description)
    unrated = _UNRATED.findall(claims.description)
    if not rated or not scale:
        raise ExportError(f"the {claims.name} table's description no longer states how verdicts map onto "
                          "ClaimReview ratings ('supported = 5 (True), …') with the scale in a label ('of 1-5')")
    worst, best = (int(x) for x in scale[0])
    out: dict[str, dict[str, Any]] = {}
    for value, rating, name in rated:
        out[value] = {"alternateName": name, "ratingValue": int(rating), "bestRating": best, "worstRating": worst}
    for value in unrated:
        out[value] = {"alternateName": _PARENTHESIS.sub("", labels.get(value, value))}
    unknown = sorted(set(out) - set(labels))
    if unknown:
        raise ExportError(f"the {claims.name} table's rating mapping names {unknown}, not values of {verdict}")
    for value, rating in out.items():
        rating["ratingExplanation"] = _PARENTHESIS.sub("", labels[value])
    return out


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop properties whose value is missing; the rest in the order given."""
    return {k: v for k, v in obj.items() if v is not None and v != [] and v != {}}


def _text(value: Any) -> str | None:
    if value is None or value != value:  # None, NaN, NaT
        return None
    return str(value)


def _reviewers(package: Package) -> list[dict[str, Any]]:
    names = [c["title"] for c in package.contributors if "author" in c.get("roles", ["author"])]
    return [{"@type": "Organization", "name": n} for n in names or [package.title]]


def _work(source: Mapping[str, Any] | None, kind_types: Mapping[str, str],
          quote: str | None = None) -> dict[str, Any] | None:
    """A source as a schema.org work; ``quote``, words of it, as a ``Quotation`` that is part of it.

    Its ``url`` is the document's own address; a source known only by the copy the curators
    read (``read_url`` without ``url``) is given that copy's address, the one place it can
    be read. schema.org has no property for the day a work was read, nor for a copy read
    elsewhere than at its ``url`` (``archivedAt`` is for archives only), so ``accessed`` and
    a ``read_url`` beside a ``url`` stay in the data.
    """
    if source is None:
        return None
    publisher = _text(source.get("publisher"))
    author = _text(source.get("author"))
    return _clean({
        "@type": kind_types.get(str(source.get("kind")), "CreativeWork"),
        "identifier": source["source_id"],
        "name": _text(source.get("title")),
        "url": _text(source.get("url")) or _text(source.get("read_url")),
        "hasPart": {"@type": "Quotation", "text": quote} if quote else None,
        "datePublished": _text(source.get("published_date")),
        "author": {"@type": "Person", "name": author} if author else None,
        "publisher": {"@type": "Organization", "name": publisher} if publisher else None,
    })


#: A source's kind -> the schema.org type of the work.
WORK_TYPES = {"archived_article": "Article", "news_report": "NewsArticle", "wire_report": "NewsArticle",
              "state_media": "NewsArticle", "treaty_text": "Legislation", "official_statement": "CreativeWork",
              "reference_work": "CreativeWork", "research_report": "Report",
              "intergovernmental_document": "CreativeWork"}


def claim_reviews(texts: Mapping[str, Any] | None = None, tables: Mapping[str, Table] | None = None,
                  descriptor: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A schema.org ``ClaimReview`` for every rated claim of the release, as one JSON-LD document.

    Each review has ``claimReviewed`` (the claim in the curators' words), the ``Claim``
    reviewed (``itemReviewed``: the article's verbatim words, its ``appearance`` in the
    article with its title, publisher, date and URL where known, and its ``author``: the
    quoted actor, or the article's author or publisher when it speaks in its own voice),
    ``reviewRating`` from :func:`rating_scale`, ``reviewBody`` (what the authority
    establishes), the authority and further sources as ``citation`` (the authority first,
    its words that settle the claim as a ``Quotation`` it ``hasPart``), the reviewing
    organisation as ``author`` and the release date as ``datePublished``. Opinions
    (``not_rated``) get no review.

    Parameters
    ----------
    texts : mapping of str to DataFrame, optional
        The tables with dates as ISO text (:func:`eastasia_data.publish.tables.text_columns`);
        default: the release's.
    tables : mapping of str to Table, optional
        The model (default: the release's).
    descriptor : mapping, optional
        The release descriptor (default: the release's).

    Returns
    -------
    dict
        ``{"@context": "https://schema.org", "@graph": [ClaimReview, ...]}``.

    Examples
    --------
    >>> review = claim_reviews()["@graph"][0]
    >>> sorted(review["itemReviewed"])
    ['@type', 'appearance', 'author', 'datePublished', 'text']
    """
    from eastasia_data.releases import descriptor as release_descriptor
    from eastasia_data.releases import model

    tables = model() if tables is None else tables
    from eastasia_data.citation import configured

    d = {**configured(), **(release_descriptor() if descriptor is None else descriptor)}  # issue 24: the DOI
    if texts is None:
        from eastasia_data.publish.tables import release_texts

        tables, texts = release_texts()
    package = Package.from_descriptor(d)
    scale = rating_scale(tables["claims"])
    sources = {r["source_id"]: r for r in texts["sources"].to_dict("records")}
    actors = {r["actor_id"]: r for r in texts["actors"].to_dict("records")}
    further: dict[str, list[str]] = {}
    for r in texts["claim_sources"].to_dict("records"):
        further.setdefault(r["claim_id"], []).append(r["source_id"])
    reviewed = str(d.get("created", ""))[:10] or None
    reviewers = _reviewers(package)
    graph = []
    for claim in texts["claims"].to_dict("records"):
        rating = scale.get(claim["verdict"])
        if rating is None:
            continue
        article = sources.get(claim["source_id"])
        actor = actors.get(claim["claimant_actor_id"]) if _text(claim.get("claimant_actor_id")) else None
        claimant: Any
        if actor is not None:
            claimant = _clean({"@type": "Person" if actor["kind"] == "person" else "Organization",
                               "name": actor["name"], "identifier": actor["actor_id"]})
        else:
            work = _work(article, WORK_TYPES) or {}
            claimant = work.get("author") or work.get("publisher")
        cited = [claim.get("authority_source_id")] + further.get(claim["claim_id"], [])
        graph.append(_clean({
            "@type": "ClaimReview",
            "identifier": claim["claim_id"],
            "claimReviewed": claim["paraphrase"],
            "itemReviewed": _clean({
                "@type": "Claim",
                "text": _text(claim.get("excerpt")),
                "author": claimant,
                "datePublished": _text(article.get("published_date")) if article else None,
                "appearance": _work(article, WORK_TYPES),
            }),
            "reviewRating": {"@type": "Rating", **rating},
            "reviewBody": _text(claim.get("verdict_note")),
            "citation": [_work(sources[s], WORK_TYPES, _text(claim.get("authority_excerpt")) if i == 0 else None)
                         for i, s in enumerate(dict.fromkeys(cited)) if _text(s) and s in sources],
            "author": reviewers[0] if len(reviewers) == 1 else reviewers,
            "datePublished": reviewed,
            "inLanguage": "en",
            "isPartOf": _clean({"@type": "Dataset", "name": package.title, "version": package.version,
                                "url": package.repository, "identifier": f"doi:{package.doi}" if package.doi else None}),
        }))
    return {"@context": "https://schema.org", "@graph": graph}


def croissant(tables: Mapping[str, Table] | None = None, descriptor: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The release as a Croissant 1.1 (schema.org ``Dataset``) description.

    The distribution is the release's Parquet files, each a ``cr:FileObject`` with its
    sha256 and size from the descriptor, named by its file name relative to the release
    directory (so the description belongs beside the files, as in the release bundle);
    each table is a ``cr:RecordSet`` whose fields say their type, meaning and source
    column, with the primary key as ``key`` and foreign keys as ``references``.

    Parameters
    ----------
    tables : mapping of str to Table, optional
        The model (default: the release's).
    descriptor : mapping, optional
        The release descriptor (default: the release's).

    Returns
    -------
    dict
        The JSON-LD document.

    Examples
    --------
    >>> c = croissant()
    >>> c["@type"], c["conformsTo"], c["distribution"][0]["encodingFormat"]
    ('sc:Dataset', 'http://mlcommons.org/croissant/1.1', 'application/x-parquet')
    """
    from eastasia_data.citation import bibtex
    from eastasia_data.releases import descriptor as release_descriptor
    from eastasia_data.releases import model

    from eastasia_data.citation import configured
    from eastasia_data.publish.rai import provenance_annotation, rai_properties
    from eastasia_data.citation.rows import site_url

    tables = model() if tables is None else tables
    d = {**configured(), **(release_descriptor() if descriptor is None else descriptor)}  # issue 24: the DOI
    package = Package.from_descriptor(d)
    resources = {r["name"]: r for r in d.get("resources", [])}
    files = []
    for name in tables:
        r = resources[name]
        files.append(_clean({
            "@type": "cr:FileObject",
            "@id": r["path"],
            "name": r["path"],
            "description": f"The {name} table as Parquet.",
            "contentUrl": r["path"],
            "contentSize": f"{r['eastasia:bytes']} B" if "eastasia:bytes" in r else None,
            "encodingFormat": "application/x-parquet",
            "sha256": str(r["hash"]).removeprefix("sha256:"),
        }))
    record_sets = []
    for name, table in tables.items():
        path = resources[name]["path"]
        # a table referring to itself (actors.state_actor_id) would be a cycle of record sets,
        # which Croissant readers refuse: such a key is described in the field's text only
        references = {f: fk for fk in table.foreign_keys if len(fk.fields) == 1 and fk.resource != name
                      for f in fk.fields}
        fields = []
        for f in table.fields:
            fk = references.get(f.name)
            fields.append(_clean({
                "@type": "cr:Field",
                "@id": f"{name}/{f.name}",
                "name": f.name,
                "description": f.description,
                "dataType": CROISSANT_TYPES.get(f.kind, "sc:Text"),
                "source": {"fileObject": {"@id": path}, "extract": {"column": f.name}},
                "references": {"field": {"@id": f"{fk.resource}/{fk.reference_fields[0]}"}} if fk else None,
            }))
        key = [{"@id": f"{name}/{k}"} for k in table.primary_key]
        record_sets.append(_clean({
            "@type": "cr:RecordSet",
            "@id": name,
            "name": name,
            "description": table.description,
            "key": key[0] if len(key) == 1 else key,
            "field": fields,
            # issue 24: data-level provenance, each record derived from its source and excerpt
            "annotation": provenance_annotation(name, [f.name for f in table.fields], path),
        }))
    licences = [lic.get("path") or lic.get("name") for lic in package.licenses]
    return _clean({
        "@context": CROISSANT_CONTEXT,
        "@type": "sc:Dataset",
        "name": package.name,
        "description": package.description,
        "conformsTo": CROISSANT_VERSION,
        "citeAs": bibtex(dict(d)),
        "creator": _reviewers(package),
        "datePublished": str(d.get("created", ""))[:10] or None,
        "version": package.version,
        "license": licences[0] if len(licences) == 1 else licences,
        "keywords": list(package.keywords),
        "url": site_url() or package.repository,  # issue 24: the site once site-url is set
        "sameAs": f"https://doi.org/{package.doi}" if package.doi else None,
        "inLanguage": "en",
        **rai_properties(d),  # issue 24: the responsible-AI fields, from the datasheet
        "distribution": files,
        "recordSet": record_sets,
    })
