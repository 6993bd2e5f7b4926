"""The two files a reader's install needs to serve every release: ``registry.json`` and ``changelog.json``.

Both are rendered from the checkout (``releases/``, ``pyproject.toml`` and ``CHANGELOG.md``),
listed in :data:`eastasia_data.curation.generate.GENERATED` and written by
``eastasia-data generate``; :mod:`eastasia_data.releases` reads them.

Examples
--------
>>> import json
>>> [r["version"] for r in json.loads(render_registry())["releases"]][:2]
['0.1.0', '1.0.0']
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from eastasia_data import paths
from eastasia_data.citation import content_hash
from eastasia_data.curation.versioning import released_versions
from eastasia_data.errors import UsageError

REGISTRY_PATH = "src/eastasia_data/registry.json"
CHANGELOG_PATH = "src/eastasia_data/changelog.json"
NOTE = "by `eastasia-data generate` from releases/, pyproject.toml and CHANGELOG.md; do not edit by hand"
#: The default size budget of the releases shipped in a wheel, when pyproject sets none.
DEFAULT_BUDGET = 5_000_000


def release_config() -> dict[str, Any]:
    """``[tool.eastasia-data.releases]`` of the checkout: ``url`` (or None) and ``wheel-budget-bytes``.

    Examples
    --------
    >>> release_config()["url"] is None, release_config()["wheel-budget-bytes"]
    (True, 5000000)
    """
    tool = paths.checkout().pyproject().get("tool", {}).get("eastasia-data", {}).get("releases", {})
    budget = tool.get("wheel-budget-bytes", DEFAULT_BUDGET)
    if not isinstance(budget, int) or budget < 0:
        raise UsageError(f"[tool.eastasia-data.releases] wheel-budget-bytes = {budget!r}: give a number of bytes")
    return {"url": tool.get("url") or None, "wheel-budget-bytes": budget}


def render_registry() -> str:
    """``registry.json``: every built release, its files' sha256 and whether the wheel ships it.

    It also carries the package's repository URL and DOI (None until configured), which a
    citation names for every release (:func:`eastasia_data.citation.configured`).

    The current version always ships; older ones ship newest first while all shipped
    releases together stay within ``wheel-budget-bytes``.

    Examples
    --------
    >>> import json
    >>> registry = json.loads(render_registry())
    >>> all(r["shipped"] for r in registry["releases"]), registry["url"]
    (True, None)
    """
    checkout = paths.checkout()
    config = release_config()
    entries = []
    for version in released_versions(checkout.releases_dir):
        directory = checkout.release_dir(version)
        descriptor_path = directory / paths.DESCRIPTOR
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
        files = {paths.DESCRIPTOR: "sha256:" + hashlib.sha256(descriptor_path.read_bytes()).hexdigest()}
        files |= {r["path"]: r["hash"] for r in descriptor["resources"]}
        size = sum((directory / name).stat().st_size for name in files)
        entries.append({
            "version": version,
            "created": descriptor.get("created", ""),
            "content_hash": content_hash(descriptor),
            "tables": len(descriptor["resources"]),
            "rows": sum(int(r.get("eastasia:rows", 0)) for r in descriptor["resources"]),
            "bytes": size,
            "files": files,
        })
    current = checkout.version
    total = sum(e["bytes"] for e in entries if e["version"] == current)
    for entry in reversed(entries):
        if entry["version"] == current:
            entry["shipped"] = True
        else:
            entry["shipped"] = total + entry["bytes"] <= config["wheel-budget-bytes"]
            total += entry["bytes"] if entry["shipped"] else 0
    from eastasia_data.curation.descriptor import checkout_package

    package = checkout_package(checkout)  # where a citation points (eastasia_data.citation.configured)
    # issue 24: the site's address, for the rows' permalinks (eastasia_data.citation.rows.site_url)
    site = checkout.pyproject().get("tool", {}).get("eastasia-data", {}).get("site-url") or None
    registry = {"eastasia:generated": NOTE, "url": config["url"], "repository": package.repository,
                "doi": package.doi, "site-url": site, "wheel-budget-bytes": config["wheel-budget-bytes"],
                "releases": entries}
    return json.dumps(registry, ensure_ascii=False, indent=2) + "\n"


def parse_changelog(text: str) -> dict[str, Any]:
    """A Keep a Changelog file as ``{version: {"date": ..., "sections": {heading: [entry, ...]}}}``.

    An entry is one bullet with its continuation lines joined; ``[Unreleased]`` is left out.

    Examples
    --------
    >>> parse_changelog("## [1.0.0] - 2026-12-01\\n### Corrected\\n- `a`: x →\\n  y\\n- b\\n")
    {'1.0.0': {'date': '2026-12-01', 'sections': {'Corrected': ['`a`: x → y', 'b']}}}
    """
    out: dict[str, Any] = {}
    version = section = None
    for line in text.splitlines():
        head = re.match(r"## \[([^\]]+)\](?:\s*-\s*(\S+))?", line)
        if head:
            version = None if head.group(1).lower() == "unreleased" else head.group(1)
            section = None
            if version:
                out[version] = {"date": head.group(2), "sections": {}}
            continue
        if version is None:
            continue
        if line.startswith("### "):
            section = line[4:].strip()
            out[version]["sections"].setdefault(section, [])
        elif section is not None and line.startswith("- "):
            out[version]["sections"][section].append(line[2:].strip())
        elif section is not None and line.startswith("  ") and line.strip() and out[version]["sections"][section]:
            entries = out[version]["sections"][section]
            entries[-1] = f"{entries[-1]} {line.strip()}"
    return out


def render_changelog() -> str:
    """``changelog.json``: the released sections of ``CHANGELOG.md``.

    Examples
    --------
    >>> import json
    >>> "1.0.0" in json.loads(render_changelog())["versions"]
    True
    """
    text = (paths.checkout().root / "CHANGELOG.md").read_text(encoding="utf-8")
    return json.dumps({"eastasia:generated": NOTE, "versions": parse_changelog(text)},
                      ensure_ascii=False, indent=2) + "\n"
