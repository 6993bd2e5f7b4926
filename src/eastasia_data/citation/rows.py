"""Cite a handful of rows of a release, and check such a citation later.

A row citation is the release's citation (:func:`eastasia_data.citation.cite`) followed by
a block that names the release's version, each row by table and primary key, the row's
permalink on the site when ``site-url`` is configured, a short hash per row and a hash over
exactly those rows. Anyone can recompute the hashes without this package; the recipe is in
``docs/citing-rows.md``:

* **A row's canonical form** is the RFC 8785 (JSON Canonicalization Scheme) serialisation,
  in UTF-8, of a JSON object with one member per column of the table, column name → value,
  the values as the release's Parquet file stores them: text as a JSON string, integers as
  JSON numbers, booleans as ``true``/``false``, a missing value as ``null``, a date as its
  ISO 8601 calendar date ``"YYYY-MM-DD"`` (releases up to 1.0.0 store dates as midnight
  timestamps: the same text).
* **A row's hash** is ``sha256:`` and the 64 hex digits of the SHA-256 of that form; the
  **short hash** printed beside each row is its first 16 hex digits.
* **The set hash** is the SHA-256 of the RFC 8785 serialisation of one JSON object, table
  name → the list of the cited rows' objects in the order cited.

A composite key is written with its values joined by `` | `` in the order of the table's
primary key (``claim_sources`` row ``clm-0001 | src-0002``).

Examples
--------
>>> text = cite_rows("apa", rows={"events": ["evt-1950-06-25-korean-war"]})
>>> "events[evt-1950-06-25-korean-war]" in text and "set hash sha256:" in text
True
>>> verify_citation(text)
[]
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from eastasia_data.errors import UnknownKeyError, UsageError

#: Joins the values of a composite key in a citation.
KEY_SEP = " | "
#: How many hex digits of a row's hash a citation prints.
SHORT = 16
DOC = "docs/citing-rows.md"
_HEAD = re.compile(r"Rows of (?P<name>[\w.-]+) (?P<version>\S+) \(set hash (?P<hash>sha256:[0-9a-f]{64})\)")
_RELEASE_VERSION = re.compile(r'\(Version (?P<v>[^)\s]+)\)|^\s*version = \{(?P<b>[^}]+)\}|^version: "(?P<c>[^"]+)"', re.M)
_CONTENT_HASH = re.compile(r'[Cc]ontent hash (?P<h>sha256:[0-9a-f]{64})|value: "(?P<c>sha256:[0-9a-f]{64})"\n\s+description: "Content hash')
_ROW = re.compile(r"^[#%\s]*- (?P<table>[a-z_][a-z0-9_]*)\[(?P<key>.*)\] sha256:(?P<short>[0-9a-f]+)\b")


def _first(match: re.Match[str] | None) -> str | None:
    return next((g for g in match.groups() if g), None) if match else None


def jcs(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of ``value`` (the ``rfc8785`` package), as UTF-8 bytes.

    Examples
    --------
    >>> jcs({"b": 1, "a": "é", "c": None})
    b'{"a":"\\xc3\\xa9","b":1,"c":null}'
    """
    import rfc8785

    return rfc8785.dumps(value)


def canonical_value(value: Any) -> Any:
    """A stored value as it enters a row's canonical form: dates as ``YYYY-MM-DD``, the rest as is.

    Examples
    --------
    >>> canonical_value(datetime.date(2024, 6, 19)), canonical_value(datetime.datetime(2024, 6, 19))
    ('2024-06-19', '2024-06-19')
    >>> canonical_value(None), canonical_value(3), canonical_value("x")
    (None, 3, 'x')
    """
    if isinstance(value, datetime.date):  # a datetime is a date: releases <= 1.0.0 store midnight timestamps
        return value.isoformat()[:10]
    return value


def row_hash(row: Mapping[str, Any]) -> str:
    """``sha256:<64 hex>`` of the row's canonical form (RFC 8785 JSON of column → stored value).

    Examples
    --------
    >>> row_hash({"id": "x", "n": None}) == "sha256:" + hashlib.sha256(b'{"id":"x","n":null}').hexdigest()
    True
    """
    return "sha256:" + hashlib.sha256(jcs({k: canonical_value(v) for k, v in row.items()})).hexdigest()


def set_hash(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """``sha256:<64 hex>`` over exactly these rows: RFC 8785 JSON of table → rows in the order cited.

    Examples
    --------
    >>> set_hash({"t": [{"id": "x"}]}) == "sha256:" + hashlib.sha256(b'{"t":[{"id":"x"}]}').hexdigest()
    True
    """
    doc = {t: [{k: canonical_value(v) for k, v in row.items()} for row in rs] for t, rs in rows.items()}
    return "sha256:" + hashlib.sha256(jcs(doc)).hexdigest()


def permalink(site: str, version: str, table: str, key: Sequence[Any]) -> str:
    """A row's page on the site: ``<site>/<version>/<table>/<one segment per key value>/``.

    Each key value is percent-encoded as one path segment.

    Examples
    --------
    >>> permalink("https://example.org/ead/", "2.0.0", "claim_sources", ["clm-0001", "src/1 a"])
    'https://example.org/ead/2.0.0/claim_sources/clm-0001/src%2F1%20a/'
    """
    segments = "/".join(quote(str(v), safe="") for v in key)
    return f"{site.rstrip('/')}/{version}/{table}/{segments}/"


def site_url() -> str | None:
    """The site's address, ``site-url`` of ``[tool.eastasia-data]`` (via ``registry.json``); None while unset.

    Examples
    --------
    >>> site_url() is None or site_url().startswith("http")
    True
    """
    from eastasia_data.releases import registry
    from eastasia_data.errors import ReleaseUnavailableError

    try:
        return registry().get("site-url") or None
    except ReleaseUnavailableError:
        return None


def parse_rows_option(values: Iterable[str]) -> dict[str, list[str]]:
    """``--rows TABLE:KEY,KEY`` options (repeatable) as ``{table: [key, ...]}``.

    Examples
    --------
    >>> parse_rows_option(["claims:clm-0001,clm-0002", "claim_sources:clm-0001 | src-0002"])
    {'claims': ['clm-0001', 'clm-0002'], 'claim_sources': ['clm-0001 | src-0002']}
    """
    out: dict[str, list[str]] = {}
    for value in values:
        table, sep, keys = value.partition(":")
        items = [k.strip() for k in keys.split(",") if k.strip()]
        if not sep or not table.strip() or not items:
            raise UsageError(f"--rows {value!r}: write TABLE:KEY[,KEY...], e.g. claims:clm-a1-united-front")
        out.setdefault(table.strip(), []).extend(items)
    return out


def _release_rows(version: str | None, table: str, directory=None) -> tuple[tuple[str, ...], dict[str, dict]]:
    """The primary key and the rows of ``table`` (key text → row as stored), from a release."""
    from eastasia_data.loader import load
    from eastasia_data.releases import model

    if directory is not None:
        version = None  # the release in ``directory``, whichever version it is
    arrow = load(table, version=version, release=directory, backend="arrow")
    key = model(version, release=directory)[table].primary_key
    rows = {}
    for row in arrow.to_pylist():
        rows[KEY_SEP.join(str(row[k]) for k in key)] = row
    return tuple(key), rows


def _lookup(version: str | None, rows: Mapping[str, Sequence[str]], directory=None) -> dict[str, list[tuple[str, dict]]]:
    found: dict[str, list[tuple[str, dict]]] = {}
    for table, keys in rows.items():
        if isinstance(keys, str):
            raise UsageError(f"rows[{table!r}] must be a list of keys, not the string {keys!r}")
        pk, stored = _release_rows(version, table, directory)
        for key in keys:
            text = KEY_SEP.join(str(k) for k in key) if isinstance(key, (tuple, list)) else str(key)
            if text not in stored:
                where = f"release {version}" if version else "the installed release"
                raise UnknownKeyError(f"{table}: no row with {' | '.join(pk)} = {text!r} in {where}")
            found.setdefault(table, []).append((text, stored[text]))
    if not found:
        raise UsageError("no rows to cite: name at least one, e.g. rows={'claims': ['clm-a1-united-front']}")
    return found


def rows_block(version: str, rows: Mapping[str, Sequence[str]], *, name: str = "eastasia-data",
               site: str | None = None, doi: str | None = None, directory=None) -> str:
    """The lines a row citation adds to the release's citation (see the module's description).

    Examples
    --------
    >>> print(rows_block("2.0.0", {"events": ["evt-1950-06-25-korean-war"]}, site="https://example.org"))  # doctest: +ELLIPSIS
    Rows of eastasia-data 2.0.0 (set hash sha256:...); RFC 8785 JSON of each row as stored, see docs/citing-rows.md:
    - events[evt-1950-06-25-korean-war] sha256:... https://example.org/2.0.0/events/evt-1950-06-25-korean-war/
    """
    found = _lookup(version, rows, directory)
    head = f"Rows of {name} {version} (set hash {set_hash({t: [r for _, r in rs] for t, rs in found.items()})})"
    if doi:
        head += f", DOI {doi}"
    lines = [head + f"; RFC 8785 JSON of each row as stored, see {DOC}:"]
    for table, items in found.items():
        for text, row in items:
            line = f"- {table}[{text}] {row_hash(row)[:7 + SHORT]}"
            if site:
                line += " " + permalink(site, version, table, text.split(KEY_SEP) if KEY_SEP in text else [text])
            lines.append(line)
    return "\n".join(lines)


def cite_rows(style: str = "apa", *, version: str | None = None, rows: Mapping[str, Sequence[str]]) -> str:
    """The citation of a release followed by the rows cited, their hashes and permalinks.

    For ``cff`` the rows block is written as YAML comments, so the document stays valid.

    Examples
    --------
    >>> print(cite_rows("apa", version="2.0.0", rows={"events": ["evt-1950-06-25-korean-war"]}).splitlines()[-1])  # doctest: +ELLIPSIS
    - events[evt-1950-06-25-korean-war] sha256:...
    """
    from eastasia_data.citation import cite, configured
    from eastasia_data.releases import descriptor

    d = descriptor(version)
    release = cite(style, version=version).rstrip("\n")
    doi = d.get("eastasia:doi") or configured().get("eastasia:doi")
    block = rows_block(str(d["version"]), rows, name=str(d.get("name", "eastasia-data")), site=site_url(), doi=doi)
    if style == "cff":
        block = "\n".join("# " + line for line in block.splitlines())
    return f"{release}\n{block}\n"


def verify_citation(text: str, *, directory=None) -> list[str]:
    """Recompute a row citation from the release it names; the problems, one line each (empty: as cited).

    Parameters
    ----------
    text : str
        A citation made by :func:`cite_rows` (``eastasia-data cite --rows``), in any style.
    directory : path, optional
        Check against the copy of the release in this directory instead of the registered one.

    Examples
    --------
    >>> text = cite_rows("bibtex", rows={"claims": ["clm-a1-3000-more-early-2025"]})
    >>> verify_citation(text)
    []
    >>> forged = text.replace("early-2025] sha256:", "early-2025] sha256:0")
    >>> verify_citation(forged)  # doctest: +ELLIPSIS
    ["claims[clm-a1-3000-more-early-2025]: the row's hash in release ... is sha256:..., the citation says sha256:0..."]
    """
    head = _HEAD.search(text)
    if head is None:
        return [f"the citation names no rows block (a line 'Rows of eastasia-data VERSION (set hash sha256:<64 hex>)'; "
                f"see {DOC})"]
    version = head["version"]
    from eastasia_data.releases import registry
    from eastasia_data.errors import EastAsiaError

    recorded = {r["version"]: r["content_hash"] for r in registry()["releases"]}
    if directory is None and version not in recorded:
        return [f"the release {version} that the citation names was never released"]
    problems: list[str] = []
    named = _first(_RELEASE_VERSION.search(text))
    if named and named != version:
        problems.append(f"the release does not match: the citation names version {named}, its rows block {version}")
    content = _first(_CONTENT_HASH.search(text))
    if content and directory is None and content != recorded[version]:
        problems.append(f"the release does not match: the citation's content hash is {content}, release {version}'s "
                        f"is {recorded[version]}")
    cited: dict[str, list[tuple[str, str]]] = {}
    for line in text.splitlines():
        m = _ROW.match(line)
        if m:
            cited.setdefault(m["table"], []).append((m["key"], m["short"]))
    if not cited:
        return problems + ["the citation lists no rows (lines '- TABLE[KEY] sha256:<hex>')"]
    found: dict[str, list[dict]] = {}
    for table, items in cited.items():
        try:
            _, stored = _release_rows(version, table, directory)
        except EastAsiaError as exc:
            problems.append(f"{table}: {exc}")
            continue
        for key, short in items:
            row = stored.get(key)
            if row is None:
                problems.append(f"{table}[{key}]: no such row in release {version}")
                continue
            actual = row_hash(row)
            if len(short) < 8 or not actual.removeprefix("sha256:").startswith(short):
                problems.append(f"{table}[{key}]: the row's hash in release {version} is {actual[:7 + SHORT]}, "
                                f"the citation says sha256:{short}")
            found.setdefault(table, []).append(row)
    if not problems and set_hash(found) != head["hash"]:
        problems.append(f"the set hash {head['hash']} does not match the rows listed (recomputed from release "
                        f"{version}: {set_hash(found)}): the row list or the set hash was altered, "
                        "or the citation names another release")
    return problems
