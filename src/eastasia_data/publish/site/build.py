"""Build the static site: every released version, its tables, rows, diffs and downloads, as HTML files.

The site is made from the releases the registry lists (:func:`eastasia_data.releases.registry`)
and nothing else: no server code, every link relative (so it works from ``file://`` and under
any path prefix), and the same releases give the same bytes (apart from Pagefind's index).
The one setting is ``[tool.eastasia-data] site-url``, the site's public base address: only
when it is set do pages carry absolute addresses (canonical links, ``sitemap.xml``, the
ClaimReview ``url``, the Datasette Lite link).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from eastasia_data.errors import ExportError, UsageError, require
from eastasia_data.model import Table

#: Where the templates and the stylesheet live, inside the package.
HERE = Path(__file__).resolve().parent
#: Only these addresses become links; anything else stays text.
_HTTP = re.compile(r"https?://[^\s<>\"']+\Z")
#: A key value that is a path segment as it is; any other is percent-encoded.
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def segment(value: str) -> str:
    """A key value as one path segment of a row page: the same text as a file name and in a URL.

    A value of letters, digits, ``.``, ``_`` and ``-`` (every key of the data) is itself; any
    other has each other byte of its UTF-8 written ``~XX``, a mark that needs no escaping in a URL
    or a file name.

    Examples
    --------
    >>> segment("clm-a1-x"), segment("a b/c"), segment(".."), segment("~")
    ('clm-a1-x', 'a~20b~2Fc', '~2E~2E', '~7E')
    """
    if _PLAIN_SEGMENT.match(value):
        return value
    return "".join(chr(b) if chr(b).isascii() and chr(b).isalnum() or chr(b) in "_-" else f"~{b:02X}"
                   for b in value.encode("utf-8"))


def is_http(value: Any) -> bool:
    """Whether a value is an ``http(s)`` address, the only kind of value that becomes a link.

    Examples
    --------
    >>> is_http("https://example.org/a"), is_http("javascript:alert(1)"), is_http("http://x y")
    (True, False, False)
    """
    return isinstance(value, str) and bool(_HTTP.match(value))


def site_url() -> str | None:
    """``[tool.eastasia-data] site-url`` of the checkout, without a trailing slash; None when unset or outside one.

    Examples
    --------
    >>> site_url() is None or site_url().startswith("http")
    True
    """
    from eastasia_data import paths

    checkout = paths.checkout_or_none()
    if checkout is None:
        return None
    value = checkout.pyproject().get("tool", {}).get("eastasia-data", {}).get("site-url")
    if value in (None, ""):
        return None
    if not is_http(value):
        raise UsageError(f"{checkout.pyproject_path}: [tool.eastasia-data] site-url = {value!r} is not an "
                         "http(s) address; give the site's public base address, e.g. https://example.org/eastasia-data/")
    return str(value).rstrip("/")


def _text(value: Any) -> str | None:
    if value is None or value != value:  # None, NaN, NaT
        return None
    return str(value)


@dataclass
class Release:
    """One released version as the site shows it."""

    version: str
    date: str
    content_hash: str
    descriptor: dict[str, Any]
    model: dict[str, Table]
    directory: Path
    #: table -> key tuple -> {column: text shown} (dates at their precision)
    rows: dict[str, dict[tuple[str, ...], dict[str, str | None]]] = field(default_factory=dict)
    #: table -> key tuple -> {column: text compared} (as :func:`eastasia_data.history` compares)
    raw: dict[str, dict[tuple[str, ...], dict[str, str | None]]] = field(default_factory=dict)
    reviews: dict[str, dict[str, Any]] = field(default_factory=dict)
    citation: str = ""


def _read_release(entry: Mapping[str, Any]) -> Release:
    """A release the registry lists, its files checked against their recorded hashes."""
    from eastasia_data.citation import cite
    from eastasia_data.loader import load
    from eastasia_data.releases import release_dir

    version = entry["version"]
    return read_release(release_dir(version), entry["created"][:10], entry["content_hash"],
                        cite("apa", version=version).strip(),
                        lambda name: load(name, version=version, verify=True))


def read_release(directory: Path, date: str, content_hash: str, citation: str | None = None,
                 read: Any = None) -> Release:
    """A release directory as the site shows it (also one the registry does not list, as the bench's synthetic one).

    ``read(name)`` reads a table (default: ``eastasia_data.load(name, release=directory)``).

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> r = read_release(release_dir("0.1.0"), "2026-11-23", "sha256:...")
    >>> r.version, "passages" in r.model, ("clm-a2-military-threat-unlikely",) in r.rows["claims"]
    ('0.1.0', False, True)
    """
    from eastasia_data.citation import apa
    from eastasia_data.loader import load
    from eastasia_data.model import model_from_descriptor
    from eastasia_data.publish.tables import text_columns
    from eastasia_data.views import cell_text as history_text

    d = json.loads((Path(directory) / "datapackage.json").read_text(encoding="utf-8"))
    tables = model_from_descriptor(d)
    read = read or (lambda name: load(name, release=directory))
    release = Release(d["version"], date, content_hash, d, tables, Path(directory),
                      citation=citation if citation is not None else apa(d).strip())
    texts = {}
    for name, table in tables.items():
        frame = read(name)
        text = text_columns(frame, table)
        texts[name] = text
        if not table.primary_key:
            continue
        key = list(table.primary_key)
        shown = text.to_dict("records")
        compared = [{c: history_text(v) for c, v in r.items()} for r in frame.astype(object).to_dict("records")]
        release.rows[name] = {tuple(str(r[k]) for k in key): {c: _text(v) for c, v in r.items()} for r in shown}
        release.raw[name] = {tuple(str(r[k]) for k in key): r for r in compared}
    if {"claims", "sources", "actors", "claim_sources"} <= set(tables):
        from eastasia_data.publish.schemaorg import claim_reviews

        try:
            graph = claim_reviews(texts, tables, release.descriptor)["@graph"]
        except (ExportError, KeyError):  # an older release whose claims table states no rating scale
            graph = []
        release.reviews = {r["identifier"]: r for r in graph}
    return release


@dataclass
class Step:
    """One release of one row: what :func:`eastasia_data.history` reports, computed for every row at once."""

    version: str
    status: str
    changed: str
    changelog: str
    reason: str


def histories(releases: list[Release]) -> dict[str, dict[tuple[str, ...], list[Step]]]:
    """Every row's history across the releases, as :func:`eastasia_data.history` gives it for one row.

    Computed in one pass per table (the site has thousands of rows); a test checks it against
    :func:`eastasia_data.history` row by row.

    Examples
    --------
    >>> from eastasia_data.releases import registry
    >>> steps = histories([_read_release(e) for e in registry()["releases"]])["claims"][("clm-a2-military-threat-unlikely",)]
    >>> [(s.version, s.status) for s in steps][:2]
    [('0.1.0', 'added'), ('1.0.0', 'changed')]
    """
    from eastasia_data.releases import changelog, registry
    from eastasia_data.views import corrections_register, row_key

    register = corrections_register([r["version"] for r in registry()["releases"]])  # as ead.history reads it
    entries = changelog().get("versions", {})
    out: dict[str, dict[tuple[str, ...], list[Step]]] = {}
    names = sorted({t for r in releases for t in r.raw})
    for table in names:
        last = [r for r in releases if table in r.model][-1].model[table]
        keys = sorted({k for r in releases for k in r.raw.get(table, {})})
        literal = [i for i, c in enumerate(last.primary_key) if not last.is_categorical(c)]
        table_out = out[table] = {}
        for key in keys:
            named_by = [f"`{key[i]}`" for i in literal]
            key_text = row_key(key)
            steps, previous = [], None
            for release in releases:
                row = release.raw.get(table, {}).get(key)
                changed: list[str] = []
                if row is None:
                    status = "removed" if previous is not None else "absent"
                elif previous is None:
                    status = "added"
                else:
                    changed = [c for c in row if row.get(c) != previous.get(c)]
                    status = "changed" if changed else "unchanged"
                named = ([e for section in entries.get(release.version, {}).get("sections", {}).values()
                          for e in section if any(n in e for n in named_by)]
                         if status not in ("unchanged", "absent") else [])
                why = register.get((table, key_text, release.version), []) if status in ("changed", "removed") else []
                steps.append(Step(release.version, status, ", ".join(changed), "\n".join(named),
                                  "\n".join(e.reason() for e in why)))
                previous = row
            table_out[key] = steps
    return out


class Site:
    """The pages of the site, written into a directory.

    Examples
    --------
    >>> Site.row_path("2.0.0", "event_actors", ("evt-1", "act-2", "actor"))
    '2.0.0/event_actors/evt-1/act-2/actor/'
    """

    def __init__(self, out: Path, releases: list[Release], url: str | None):
        import jinja2

        self.out, self.releases, self.url = out, releases, url
        self.latest = releases[-1]
        self.by_version = {r.version: r for r in releases}
        self.pages: list[str] = []
        self._further: dict[str, dict[str, list[Any]]] = {}  # site paths of the pages a crawler may index, for the sitemap
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                                      undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                      keep_trailing_newline=True)
        self.env.globals.update(is_http=is_http, site=self, keypath=keypath, value=value, keytext=keytext)
        self.env.filters["jsonld"] = jsonld

    # -- addresses ------------------------------------------------------------------------------
    @staticmethod
    def row_path(version: str, table: str, key: Iterable[str]) -> str:
        """The site path of a row page: ``<version>/<table>/<key>/...``, one segment per key column.

        Examples
        --------
        >>> Site.row_path("latest", "claims", ["clm-x"])
        'latest/claims/clm-x/'
        """
        return f"{version}/{table}/" + keypath(key)

    def _absolute(self, path: str) -> str | None:
        """The public address of a site path, when ``site-url`` is set."""
        return f"{self.url}/{path}" if self.url else None

    def _write(self, page: str, template: str, *, index: bool = True, **context: Any) -> None:
        """Render ``template`` to the page at site path ``path`` (a directory path ending in / gets index.html)."""
        file = page + "index.html" if page.endswith("/") or page == "" else page
        depth = file.count("/")
        context.setdefault("canonical", self._absolute(page))
        html = self.env.get_template(template).render(root="../" * depth, here=page, **context)
        target = self.out / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", newline="\n")
        if index:
            self.pages.append(page)

    # -- the pages ------------------------------------------------------------------------------
    def build(self, *, downloads: bool = True) -> None:
        """Write every page; ``downloads=False`` leaves out the exports of the installed release (the bench).

        Examples
        --------
        >>> import tempfile
        >>> from eastasia_data.releases import registry
        >>> out = Path(tempfile.mkdtemp())
        >>> Site(out, [_read_release(e) for e in registry()["releases"]], None).build(downloads=False)
        >>> (out / "latest" / "claims" / "clm-a2-military-threat-unlikely" / "index.html").is_file()
        True
        """
        shutil.copyfile(HERE / "static" / "site.css", self.out / "site.css")
        shutil.copyfile(HERE / "static" / "site.js", self.out / "site.js")
        (self.out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve the files as they are
        self.history = histories(self.releases)
        files = self._downloads() if downloads else []
        feed = _beside_releases("feed.atom", self.latest.directory.parent)
        if feed is not None:
            shutil.copyfile(feed, self.out / "feed.atom")
        self._write("", "home.html", downloads=files, feed=feed is not None, croissant=self._croissant())
        for release in self.releases:
            self._copy_files(release)
            for table in release.model:
                self._table_page(release, table)
                for key in release.rows.get(table, {}):
                    self.row_page(release, table, key, latest=False)
        for table in self.latest.model:
            self._table_page(self.latest, table, latest=True)
        for table, keys in self.history.items():
            for key in keys:
                self._latest_page(table, key)
        for old, new in zip(self.releases, self.releases[1:]):
            self._write(f"diff/{old.version}..{new.version}/", "diff.html", old=old, new=new,
                       changes=self._changes(old, new))
        self._write("search/", "search.html", index=False)
        self._write("404.html", "404.html", index=False, canonical=None)
        if self.url:
            self._sitemap()

    def _copy_files(self, release: Release) -> None:
        """The release's own files (Parquet and descriptor) and its bundle, under ``<version>/files/``."""
        target = self.out / release.version / "files"
        target.mkdir(parents=True, exist_ok=True)
        for name in sorted(os.listdir(release.directory)):
            if (release.directory / name).is_file():
                shutil.copyfile(release.directory / name, target / name)
        bundle = _beside_releases(f"{release.directory.name}.zip", release.directory.parent)
        if bundle is not None:
            shutil.copyfile(bundle, target / bundle.name)

    def bundle(self, release: Release) -> str | None:
        """The site path of a release's zip bundle once copied, or None (a release without one).

        Examples
        --------
        >>> import tempfile
        >>> from eastasia_data.releases import registry
        >>> releases = [_read_release(registry()["releases"][0])]
        >>> Site(Path(tempfile.mkdtemp()), releases, None).bundle(releases[0]) is None  # nothing copied yet
        True
        """
        name = f"{release.directory.name}.zip"
        return f"{release.version}/files/{name}" if (self.out / release.version / "files" / name).is_file() else None

    def _downloads(self) -> list[tuple[str, str, str]]:
        """The current release in every export format, under ``<version>/downloads/``: (label, path, what)."""
        from eastasia_data.publish.export import export
        from eastasia_data.releases import descriptor

        version = descriptor()["version"]
        where = f"{version}/downloads/"
        (self.out / where).mkdir(parents=True, exist_ok=True)
        files = [("SQLite", "eastasia.sqlite", "sqlite", "one database, keys as constraints; opens in Datasette"),
                 ("Excel workbook", "eastasia.xlsx", "xlsx", "one sheet per table"),
                 ("ClaimReview JSON-LD", "claimreview.jsonld", "claimreview", "schema.org, one review per rated claim"),
                 ("Croissant JSON-LD", "croissant.json", "croissant", "schema.org Dataset with Croissant 1.0")]
        out = []
        bundle = self.bundle(self.by_version.get(version, self.latest))
        if bundle:
            out.append(("Zip bundle", bundle, "tables, descriptor, datasheet and licences in one file"))
        out.append(("Parquet", f"{version}/files/", "one file per table, with the release descriptor"))
        for label, name, fmt, what in files:
            export(fmt, self.out / where / name)
            if fmt == "xlsx":
                _stable_zip(self.out / where / name, self.by_version.get(version, self.latest).date)
            out.append((label, where + name, what))
        return out

    def _croissant(self) -> dict[str, Any]:
        """The Croissant description of the newest release, its file addresses pointing into the site."""
        from eastasia_data.publish.schemaorg import croissant

        release = self.latest
        doc = croissant(release.model, release.descriptor)
        for item in doc.get("distribution", []):
            path = f"{release.version}/files/{item['contentUrl']}"
            item["contentUrl"] = self._absolute(path) or path
        if self.url and "url" not in doc:
            doc["url"] = self.url + "/"
        return doc

    def _table_page(self, release: Release, table: str, latest: bool = False) -> None:
        t = release.model[table]
        rows = list(release.rows.get(table, {}).items()) if t.primary_key else []
        if not t.primary_key:  # a table without a key is shown whole, with no row pages
            from eastasia_data.publish.tables import text_columns
            from eastasia_data.loader import load

            frame = text_columns(load(table, version=release.version), t)
            rows = [((), {c: _text(v) for c, v in r.items()}) for r in frame.to_dict("records")]
        base = "latest" if latest else release.version
        facets = []
        for f in t.fields:
            if f.categories:
                counts = {c.value: 0 for c in f.categories}
                for _, row in rows:
                    v = row.get(f.name)
                    if v is not None:
                        counts[v] = counts.get(v, 0) + 1
                facets.append((f, [(c.value, c.label, counts.get(c.value, 0)) for c in f.categories]))
        removed = []
        if latest:
            removed = [k for k, steps in self.history.get(table, {}).items() if k not in release.rows.get(table, {})]
        self._write(f"{base}/{table}/", "table.html", release=release, table=t, rows=rows, facets=facets,
                   shown=listed_columns(t),
                   base=base, latest=latest, removed=removed,
                   canonical=self._absolute(f"{release.version}/{table}/") if latest else self._absolute(f"{base}/{table}/"))

    def _link_of(self, release: Release, table: str, column: str, value: str | None) -> str | None:
        """The row page a foreign-key value points to in the same release, if there is one."""
        if value is None:
            return None
        for fk in release.model[table].foreign_keys:
            if fk.fields == (column,) and len(fk.reference_fields) == 1 and (value,) in release.rows.get(fk.resource, {}):
                return self.row_path(release.version, fk.resource, (value,))
        return None

    def _row_context(self, release: Release, table: str, key: tuple[str, ...]) -> dict[str, Any]:
        t = release.model[table]
        row = release.rows[table][key]
        values = [(f, row.get(f.name), self._link_of(release, table, f.name, row.get(f.name))) for f in t.fields]
        path = self.row_path(release.version, table, key)
        context: dict[str, Any] = {"release": release, "table": t, "key": key, "row": row, "values": values,
                                   "steps": self.history[table][key], "path": path,
                                   "permalink": self._absolute(path), "review": None}
        if table == "claims":
            context["claim"] = self._claim(release, row)
            review = release.reviews.get(key[0])
            if review is not None:
                review = dict(review)
                if self.url:
                    review = {"@context": "https://schema.org", **review, "url": self._absolute(path)}
                else:
                    review = {"@context": "https://schema.org", **review}
            context["review"] = review
        return context

    def _claim(self, release: Release, row: Mapping[str, str | None]) -> dict[str, Any]:
        """What a claim's page shows beyond its columns: the article, passage, authority and further sources."""
        sources = release.rows.get("sources", {})

        def source(source_id: str | None) -> dict[str, Any] | None:
            if source_id is None or (source_id,) not in sources:
                return None
            return {"row": sources[(source_id,)], "path": self.row_path(release.version, "sources", (source_id,))}

        passage = None
        passages = release.rows.get("passages", {})
        passage_id = row.get("passage_id")
        if passage_id and (passage_id,) in passages:
            passage = {"row": passages[(passage_id,)], "path": self.row_path(release.version, "passages", (passage_id,))}
        further = []
        # The authority's own words: the claim's authority_excerpt (from 3.0.0 on), then any excerpt that a
        # further-source row of the same authority quotes.
        authority_words = [row["authority_excerpt"]] if row.get("authority_excerpt") else []
        if release.version not in self._further:  # claim_sources by claim, once per release (not a scan per claim)
            by_claim: dict[str, list[Any]] = {}
            for (claim_id, source_id), r in release.rows.get("claim_sources", {}).items():
                by_claim.setdefault(claim_id, []).append((source_id, r))
            self._further[release.version] = by_claim
        claim_id = row["claim_id"] or ""
        for source_id, r in self._further[release.version].get(claim_id, []):
            item = {"row": r, "source": source(source_id),
                    "path": self.row_path(release.version, "claim_sources", (claim_id, source_id))}
            further.append(item)
            if source_id == row.get("authority_source_id") and r.get("excerpt") and r["excerpt"] not in authority_words:
                authority_words.append(r["excerpt"])
        t = release.model["claims"]
        labels = {c.value: c.label for c in t.field("verdict").categories} if "verdict" in t.field_names else {}
        actor = None
        actor_id = row.get("claimant_actor_id")
        if actor_id and (actor_id,) in release.rows.get("actors", {}):
            actor = {"row": release.rows["actors"][(actor_id,)],
                     "path": self.row_path(release.version, "actors", (actor_id,))}
        return {"article": source(row.get("source_id")), "passage": passage, "further": further,
                "authority": source(row.get("authority_source_id")), "authority_words": authority_words,
                "verdict_label": labels.get(row.get("verdict") or "", ""), "actor": actor}

    def row_page(self, release: Release, table: str, key: tuple[str, ...], *, latest: bool = False) -> None:
        """Write the page of one row of one release (``histories`` must have been set as ``self.history``).

        Examples
        --------
        >>> import tempfile
        >>> from eastasia_data.releases import registry
        >>> releases = [_read_release(e) for e in registry()["releases"]]
        >>> site = Site(Path(tempfile.mkdtemp()), releases, None)
        >>> site.history = histories(releases)
        >>> site.row_page(releases[0], "claims", ("clm-a2-military-threat-unlikely",))
        >>> (site.out / "0.1.0/claims/clm-a2-military-threat-unlikely/index.html").is_file()
        True
        """
        context = self._row_context(release, table, key)
        self._write(context["path"], "row.html", index=True, **context)

    def _latest_page(self, table: str, key: tuple[str, ...]) -> None:
        path = f"latest/{table}/" + keypath(key)
        steps = self.history[table][key]
        if key in self.latest.rows.get(table, {}):
            context = self._row_context(self.latest, table, key)
            versioned = context["path"]
            context["canonical"] = self._absolute(versioned)
            self._write(path, "row.html", index=False, latest_of=versioned, **context)
            return
        last = next(r for r in reversed(self.releases) if key in r.rows.get(table, {}))
        removed = next(s for s in steps if s.version == self.releases[self.releases.index(last) + 1].version)
        reasons = [s for s in steps if s.reason]
        self._write(path, "removed.html", index=True, table=last.model[table], key=key, last=last, removed=removed,
                   reasons=reasons, steps=steps, last_path=self.row_path(last.version, table, key),
                   release_date={r.version: r.date for r in self.releases})

    def _changes(self, old: Release, new: Release) -> list[dict[str, Any]]:
        """Per table of either release: the rows added, removed and changed between two releases."""
        out: list[dict[str, Any]] = []
        for table in sorted(set(old.model) | set(new.model)):
            before, after = old.raw.get(table, {}), new.raw.get(table, {})
            if table not in new.model or table not in old.model:
                out.append({"table": table, "whole": "added" if table in new.model else "removed",
                            "rows": len(after or before)})
                continue
            added = [(k, self.row_path(new.version, table, k)) for k in sorted(set(after) - set(before))]
            removed = [(k, self.row_path(old.version, table, k)) for k in sorted(set(before) - set(after))]
            changed = [(k, self.row_path(new.version, table, k), [c for c in after[k] if after[k].get(c) != before[k].get(c)])
                       for k in sorted(set(after) & set(before)) if after[k] != before[k]]
            columns = [c for c in new.model[table].field_names if c not in old.model[table].field_names]
            dropped = [c for c in old.model[table].field_names if c not in new.model[table].field_names]
            out.append({"table": table, "whole": None, "added": added, "removed": removed, "changed": changed,
                        "columns": columns, "dropped": dropped})
        return out

    def _sitemap(self) -> None:
        lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
        from xml.sax.saxutils import escape

        for path in sorted(set(self.pages)):
            lines.append(f"  <url><loc>{escape(self._absolute(quote(path, safe='/%.-_~')) or '')}</loc></url>")
        lines.append("</urlset>")
        (self.out / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")


#: Besides the key and the categories, the columns a table's list of rows shows (the row page shows all).
LISTED = ("title", "name", "paraphrase", "start_date", "published_date", "relation")


def listed_columns(table: Table) -> list[Any]:
    """The columns of a table's list of rows: its key, its categories and a few naming columns, in table order.

    Examples
    --------
    >>> from eastasia_data.releases import model
    >>> [f.name for f in listed_columns(model()["claims"])]
    ['claim_id', 'paraphrase', 'claimant', 'kind', 'verdict']
    """
    return [f for f in table.fields if f.name in table.primary_key or f.categories or f.name in LISTED]


def _stable_zip(path: Path, date: str) -> None:
    """Give a workbook (a zip) the same bytes for the same release: its entries and properties dated ``date``.

    openpyxl stamps the time of writing into ``docProps/core.xml`` and every zip entry.
    """
    import zipfile

    year, month, day = (int(p) for p in date.split("-"))
    stamp = f"{date}T00:00:00Z"
    with zipfile.ZipFile(path) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(year, month, day, 0, 0, 0))
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            new.writestr(fixed, data)


def _beside_releases(name: str, directory: Path) -> Path | None:
    """A file kept beside the release directories (a bundle, the feed): in ``directory`` or the checkout's ``releases/``."""
    from eastasia_data import paths

    checkout = paths.checkout_or_none()
    for where in (directory, checkout.releases_dir if checkout is not None else None):
        if where is not None and (where / name).is_file():
            return where / name
    return None


def keypath(key: Iterable[str]) -> str:
    """The path segments of a row's key, each followed by ``/``.

    Examples
    --------
    >>> keypath(("evt-1", "act-2", "actor"))
    'evt-1/act-2/actor/'
    """
    return "".join(f"{segment(k)}/" for k in key)


def keytext(key: Iterable[str]) -> str:
    """A row's key as text: its values joined by `` | `` (as the corrections register writes it).

    Examples
    --------
    >>> keytext(("evt-1", "act-2"))
    'evt-1 | act-2'
    """
    return " | ".join(key)


def _value(root: str, v: str | None, link: str | None = None) -> Any:
    from markupsafe import Markup, escape

    if v is None:
        return Markup('<span class="missing">(empty)</span>')
    if link:
        return Markup('<a href="{}index.html">{}</a>').format(root + link, v)
    if is_http(v):
        return Markup('<a href="{0}" rel="nofollow noopener">{0}</a>').format(v)
    return escape(v)


def _context_value(context: Any, v: str | None, link: str | None = None) -> Any:
    """A value of the data on a page: escaped text, a link to a row page, or a link when it is an http(s) address."""
    return _value(context["root"], v, link)


def _pass_context(fn: Any) -> Any:
    import jinja2

    return jinja2.pass_context(fn)


value = _pass_context(_context_value)


def jsonld(document: Any) -> Any:
    """A JSON-LD document for a ``<script type="application/ld+json">``: no ``<``, ``>`` or ``&`` can end it.

    Examples
    --------
    >>> str(jsonld({"name": "</script>"}))
    '{\\n "name": "\\\\u003c/script\\\\u003e"\\n}'
    """
    from markupsafe import Markup

    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _pagefind(site: Path) -> None:
    """Index the site for the in-page search with Pagefind (its PyPI package ships the binary)."""
    # only the pages a search should find: the home page, the latest rows and the diffs (not each release's copy)
    proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(site), "--silent",
                           "--glob", "{index.html,latest/**/*.html,diff/**/*.html}"],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise ExportError(f"pagefind could not index the site: {(proc.stderr or proc.stdout).strip()[:500]}")


def build_site(out: str | Path, *, force: bool = False, search: bool = True) -> Path:
    """Write the static site of every released version into the directory ``out``.

    Parameters
    ----------
    out : str or path
        The directory to create; an existing one is replaced only with ``force``.
    force : bool, default False
        Replace ``out`` if it exists.
    search : bool, default True
        Index the site with Pagefind for the in-page search.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    ExportError
        ``out`` exists without ``force``, or is a file or a link.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> site = build_site(Path(tempfile.mkdtemp()) / "site", search=False)
    >>> (site / "index.html").is_file(), (site / "latest" / "claims" / "index.html").is_file()
    (True, True)
    """
    require("jinja2", "site", "the site")
    if search:
        require("pagefind", "site", "the site's search")
    from eastasia_data.releases import registry

    url = site_url()
    out = Path(out)
    if out.is_symlink():
        raise ExportError(f"{out} is a symbolic link; give a directory path")
    if out.exists():
        if not force:
            raise ExportError(f"{out} exists; choose another path or pass --force to replace it")
        if not out.is_dir():
            raise ExportError(f"{out} is a file; the site is a directory")
    if not out.parent.is_dir():
        raise NotADirectoryError(f"{out.parent} is not a directory")
    entries = registry()["releases"]
    if not entries:
        raise ExportError("the registry lists no release; there is nothing to publish")
    releases = [_read_release(e) for e in entries]
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as scratch:
        target = Path(scratch) / out.name
        target.mkdir()
        Site(target, releases, url).build()
        if search:
            _pagefind(target)
        if out.exists():
            out.rename(Path(scratch) / "previous")
        target.rename(out)
    return out
