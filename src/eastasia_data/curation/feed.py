"""An Atom feed of the releases, made from the CHANGELOG: ``releases/feed.atom``.

One entry per released version (a ``## [X.Y.Z] - YYYY-MM-DD`` section of ``CHANGELOG.md``
whose release is built under ``releases/``), newest first, with the section's text as
its content. Every date comes from the CHANGELOG, never from the clock, so the feed is
the same whenever it is generated; a section without a date (0.1.0's) takes the
``created`` date of its release descriptor. ``eastasia-data generate`` writes the feed
and ``generate --check`` fails when it is stale.

Identifiers: Atom requires a permanent identifier for the feed and each entry. No
public repository or web page exists yet, so none is a URL; an entry is identified by
its release's content hash (the one ``eastasia-data cite`` prints) as an RFC 6920
``ni:`` URI, and the feed by the sha256 of its first release's descriptor. Nor does the feed link to a page:
when the package facts name a repository, the feed links to it.

Examples
--------
>>> from eastasia_data.curation.feed import changelog_releases
>>> [(r.version, r.date) for r in changelog_releases()][-1]
('0.1.0', None)
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from eastasia_data import paths
from eastasia_data.citation import content_hash
from eastasia_data.model import Package

FEED_PATH = "releases/feed.atom"
_HEADING = re.compile(r"^## \[(?P<version>\d+\.\d+\.\d+)\](?: - (?P<date>\d{4}-\d{2}-\d{2}))?\s*$", re.M)


@dataclass(frozen=True)
class ChangelogRelease:
    """One released version's section of the CHANGELOG."""

    version: str
    date: str | None
    text: str


def changelog_releases(text: str | None = None) -> list[ChangelogRelease]:
    """The versioned sections of the CHANGELOG, in its order (newest first); ``[Unreleased]`` is left out.

    Examples
    --------
    >>> doc = "# Changelog\\n\\n## [Unreleased]\\n\\n## [1.1.0] - 2027-01-02\\n\\n### Added\\n- rows\\n"
    >>> changelog_releases(doc)
    [ChangelogRelease(version='1.1.0', date='2027-01-02', text='### Added\\n- rows')]
    """
    if text is None:
        text = (paths.checkout().root / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = list(_HEADING.finditer(text))
    out = []
    for i, m in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(text)
        body = text[m.end():end]
        nxt = re.search(r"^## ", body, re.M)  # an [Unreleased] or other heading ends the section
        out.append(ChangelogRelease(m["version"], m["date"], (body[: nxt.start()] if nxt else body).strip()))
    return out


def ni_uri(hash_: str) -> str:
    """A ``sha256:<hex>`` hash as an RFC 6920 named-information URI.

    Examples
    --------
    >>> ni_uri("sha256:" + "00" * 32)
    'ni:///sha-256;AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
    """
    digest = bytes.fromhex(hash_.removeprefix("sha256:"))
    return "ni:///sha-256;" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _day(date: str) -> dt.datetime:
    return dt.datetime.fromisoformat(date[:10]).replace(tzinfo=dt.timezone.utc)


def render_feed() -> str:
    """The Atom feed of the releases, as text.

    Examples
    --------
    >>> feed = render_feed()
    >>> feed.startswith("<?xml version='1.0' encoding='UTF-8'?>") and "<title>Release 1.0.0</title>" in feed
    True
    """
    from feedgen.feed import FeedGenerator

    checkout = paths.checkout()
    releases = []
    for entry in changelog_releases():
        release = checkout.release_dir(entry.version)
        if (release / paths.DESCRIPTOR).is_file():
            raw = (release / paths.DESCRIPTOR).read_bytes()
            releases.append((entry, json.loads(raw), hashlib.sha256(raw).hexdigest()))
    if not releases:
        raise ValueError("no CHANGELOG section names a built release")
    package = Package.from_pyproject(checkout.pyproject())
    dated = [(e, d, _day(e.date or d["created"])) for e, d, _ in releases]
    fg = FeedGenerator()
    fg.id(ni_uri(releases[-1][2]))  # the sha256 of the first release's descriptor
    fg.title(f"{package.title}: releases")
    fg.subtitle(package.description)
    fg.author([{"name": c["title"]} for c in package.contributors])
    fg.generator(package.name)
    fg.language("en")
    if package.repository:
        fg.link(href=package.repository, rel="alternate")
    rights = ", ".join(str(lic.get("title") or lic.get("name")) for lic in package.licenses)
    if rights:
        fg.rights(rights)
    fg.updated(max(when for _, _, when in dated))
    for entry, d, when in reversed(dated):  # feedgen lists the entry added last first
        fe = fg.add_entry()
        fe.id(ni_uri(content_hash(d)))
        fe.title(f"Release {entry.version}")
        fe.updated(when)
        fe.published(when)
        summary = f"eastasia-data {entry.version}, content hash {content_hash(d)}."
        fe.summary(summary)
        fe.content(entry.text or summary, type="text")
    return fg.atom_str(pretty=True).decode("utf-8")


def feed_path() -> Path:
    """The feed's path in the checkout.

    Examples
    --------
    >>> feed_path().name
    'feed.atom'
    """
    return paths.checkout().root / FEED_PATH
