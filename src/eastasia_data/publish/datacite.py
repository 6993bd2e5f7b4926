"""The release as DataCite metadata (JSON, DataCite Metadata Schema 4.5), ready for a DOI.

``eastasia-data export --format datacite`` writes it; a maintainer gives it to DataCite (or
to Zenodo, which mints DOIs through DataCite) when registering the release. Everything comes
from the release descriptor and its tables, the one model the other exports read:

* ``creators``: the contributors with the ``author`` role; ``publisher``: the same authors,
  as the dataset is published by its own contributors (no publishing body exists);
* ``titles``, ``descriptions`` (the abstract, and technical information naming the tables,
  the file format and the release's content hash), ``subjects`` (the keywords), ``version``,
  ``publicationYear`` and ``dates`` (``Issued``, the day the release was built),
  ``rightsList`` (each licence, with its SPDX identifier and its address);
* ``relatedIdentifiers``, only where an identifier exists: the previous release's DOI
  (``IsNewVersionOf``) when that release records one, each source's URL (``IsDerivedFrom``),
  the site (``IsDocumentedBy``, ``site-url``) and the repository (``IsCompiledBy``, the code
  that builds the release) once configured;
* ``doi`` once ``doi`` is set in ``[tool.eastasia-data]``, and ``url`` (the landing page)
  once ``site-url`` is.

Left out because the dataset has none: ``nameIdentifiers`` (no ORCID for the contributors),
affiliations, funding references, geolocations and ``alternateIdentifiers``.

Examples
--------
>>> record = datacite()
>>> record["types"], record["schemaVersion"]
({'resourceTypeGeneral': 'Dataset', 'resourceType': 'Tabular data (Parquet)'}, 'http://datacite.org/schema/kernel-4')
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The DataCite Metadata Schema version this module writes (the newest the ``datacite`` package validates).
SCHEMA_VERSION = "4.5"
KERNEL = "http://datacite.org/schema/kernel-4"
SPDX = "https://spdx.org/licenses/"


def _source_urls(version: str | None, descriptor: Mapping[str, Any]) -> list[str]:
    """The URL of each source the release's archive table lists, in its order, once each."""
    from eastasia_data.loader import load
    from eastasia_data.model import Package

    archive = Package.from_descriptor(descriptor).archive
    if archive is None or archive.url is None:
        return []
    names = [r["name"] for r in descriptor.get("resources", [])]
    if archive.table not in names:
        return []
    rows = load(archive.table, version=version, backend="arrow").column(archive.url).to_pylist()
    return list(dict.fromkeys(u for u in rows if isinstance(u, str) and u.startswith(("http://", "https://"))))


def _previous_doi(version: str) -> str | None:
    """The DOI the release before ``version`` records, if it records one."""
    from eastasia_data.releases import registry
    from eastasia_data.releases import descriptor

    versions = [r["version"] for r in registry()["releases"]]
    if version not in versions or versions.index(version) == 0:
        return None
    return descriptor(versions[versions.index(version) - 1]).get("eastasia:doi") or None


def datacite(version: str | None = None) -> dict[str, Any]:
    """The DataCite 4.5 record of a release (default: the installed one), as a JSON-ready dict.

    Parameters
    ----------
    version : str, optional
        A released version (see :func:`eastasia_data.versions`).

    Returns
    -------
    dict
        Valid against DataCite's JSON schema 4.5 (``datacite.schema45.validate``).

    Examples
    --------
    >>> datacite("1.0.0")["version"], datacite("1.0.0")["publicationYear"]
    ('1.0.0', '2026')
    """
    from eastasia_data.citation import configured, content_hash
    from eastasia_data.releases import descriptor as release_descriptor
    from eastasia_data.model import Package
    from eastasia_data.citation.rows import site_url

    d = {**configured(), **release_descriptor(version)}
    package = Package.from_descriptor(d)
    created = str(d.get("created", ""))
    authors = [c["title"] for c in package.contributors if "author" in c.get("roles", ["author"])] or [
        "eastasia-data contributors"]
    site = site_url()
    tables = [r["name"] for r in d.get("resources", [])]
    technical = (f"{len(tables)} tables as Apache Parquet files with a Frictionless Data Package descriptor "
                 f"(datapackage.json): {', '.join(tables)}.")
    if d.get("resources") and all("hash" in r for r in d["resources"]):
        technical += (f" Content hash {content_hash(d)}: the sha256 over the lines '<table> <sha256 of its "
                      "Parquet file>', one per table in the descriptor's order.")
    related: list[dict[str, str]] = []
    previous = _previous_doi(package.version)
    if previous:
        related.append({"relatedIdentifier": previous, "relatedIdentifierType": "DOI", "relationType": "IsNewVersionOf"})
    if site:
        related.append({"relatedIdentifier": site, "relatedIdentifierType": "URL", "relationType": "IsDocumentedBy"})
    if package.repository:
        related.append({"relatedIdentifier": package.repository, "relatedIdentifierType": "URL",
                        "relationType": "IsCompiledBy"})
    related += [{"relatedIdentifier": url, "relatedIdentifierType": "URL", "relationType": "IsDerivedFrom"}
                for url in _source_urls(version, d)]
    record: dict[str, Any] = {}
    if package.doi:
        record["doi"] = package.doi
    if site:
        record["url"] = site
    record |= {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Tabular data (Parquet)"},
        "creators": [{"name": a} for a in authors],
        "titles": [{"title": package.title, "lang": "en"}],
        "publisher": {"name": ", ".join(authors)},
        "publicationYear": created[:4],
        "subjects": [{"subject": k, "lang": "en"} for k in dict.fromkeys(package.keywords)],
        "dates": [{"date": created[:10], "dateType": "Issued"}] if created else [],
        "language": "en",
        "version": package.version,
        "formats": ["application/vnd.apache.parquet", "application/json"],
        "sizes": [f"{len(tables)} tables",
                  f"{sum(int(r.get('eastasia:rows', 0)) for r in d.get('resources', []))} rows"],
        "rightsList": [{"rights": lic.get("title", lic["name"]), "rightsUri": lic["path"], "rightsIdentifier": lic["name"],
                        "rightsIdentifierScheme": "SPDX", "schemeUri": SPDX, "lang": "en"}
                       if lic.get("path") else {"rights": lic.get("title", lic["name"])} for lic in package.licenses],
        "descriptions": [{"description": package.description, "descriptionType": "Abstract", "lang": "en"},
                         {"description": technical, "descriptionType": "TechnicalInfo", "lang": "en"}],
        "relatedIdentifiers": related,
        "schemaVersion": KERNEL,
    }
    return {k: v for k, v in record.items() if v not in ([], None, "")}


def write(out: str | Path, *, version: str | None = None, force: bool = False) -> Path | None:
    """Write :func:`datacite` as JSON to ``out`` (``-``: standard output, and None is returned).

    Examples
    --------
    >>> import tempfile
    >>> path = write(Path(tempfile.mkdtemp()) / "datacite.json")
    >>> json.loads(path.read_text(encoding="utf-8"))["schemaVersion"]
    'http://datacite.org/schema/kernel-4'
    """
    from eastasia_data.errors import ExportError

    text = json.dumps(datacite(version), indent=2, ensure_ascii=False) + "\n"
    if str(out) == "-":
        sys.stdout.write(text)
        return None
    path = Path(out)
    if (path.exists() or path.is_symlink()) and not force:
        raise ExportError(f"{path} exists; choose another path or pass --force to replace it")
    if path.is_dir():
        raise ExportError(f"{path} is a directory; give a file path for the datacite export")
    if not path.parent.is_dir():
        raise NotADirectoryError(f"{path.parent} is not a directory")
    scratch = path.with_name(f".{path.name}.partial")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(path)
    return path
