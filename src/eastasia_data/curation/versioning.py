"""The versioning policy and SemVer arithmetic: which bump each kind of change needs, and version numbers.

Every kind of change :func:`eastasia_data.curation.diff.diff` reports asks for a bump
(:data:`POLICY`, the table of ``docs/versioning.md``); a set of changes needs the largest.
The two gates that apply the policy (``check-version``) are :mod:`eastasia_data.curation.gates`.
This module imports nothing from :mod:`eastasia_data.curation`.

Examples
--------
>>> from eastasia_data.curation.versioning import bump_between
>>> bump_between("0.1.0", "0.2.0"), bump_between("0.1.0", "0.1.1"), bump_between("1.2.3", "1.2.3")
('minor', 'patch', None)
"""

from __future__ import annotations

import re
from pathlib import Path

from eastasia_data import paths
from eastasia_data.errors import VersionError

#: The bumps, smallest first.
BUMPS = ("patch", "minor", "major")

#: Every kind of change ``diff`` reports, with the bump the versioning policy (docs/versioning.md) requires.
POLICY: dict[str, str] = {
    "table removed": "major",
    "field removed": "major",
    "field moved": "major",
    "field inserted": "major",
    "type changed": "major",
    "constraint tightened": "major",
    "primary key changed": "major",
    "rows removed": "major",
    "table added": "minor",
    "field appended": "minor",
    "rule on new fields": "minor",
    "constraint relaxed": "minor",
    "rows added": "minor",
    "values changed": "patch",
    "corrections recorded": "patch",  # entries added to the corrections register: they explain a change, not make one
    "description changed": "patch",
}

SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


def parse(version: str) -> tuple[int, int, int]:
    """``"1.2.3"`` → ``(1, 2, 3)``; anything but plain MAJOR.MINOR.PATCH is refused.

    Examples
    --------
    >>> parse("1.2.3")
    (1, 2, 3)
    >>> parse("1.2")
    Traceback (most recent call last):
    ...
    eastasia_data.errors.VersionError: '1.2' is not a version of the form MAJOR.MINOR.PATCH (e.g. 0.2.0)
    """
    m = SEMVER.fullmatch(version.strip())
    if not m:
        raise VersionError(f"{version!r} is not a version of the form MAJOR.MINOR.PATCH (e.g. 0.2.0)")
    return tuple(int(x) for x in m.groups())  # type: ignore[return-value]


def bump_between(old: str, new: str) -> str | None:
    """The kind of bump from ``old`` to ``new`` (``major``, ``minor``, ``patch``), None if equal.

    Examples
    --------
    >>> bump_between("0.1.0", "0.2.0"), bump_between("0.1.0", "0.1.0")
    ('minor', None)
    """
    a, b = parse(old), parse(new)
    if b < a:
        raise VersionError(f"{new} is lower than {old}")
    for i, kind in enumerate(("major", "minor", "patch")):
        if a[i] != b[i]:
            return kind
    return None


def next_version(old: str, bump: str) -> str:
    """The smallest version after ``old`` with the given bump.

    Examples
    --------
    >>> next_version("0.1.4", "minor")
    '0.2.0'
    """
    major, minor, patch = parse(old)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def released_versions(releases_dir: Path) -> list[str]:
    """The versions built in ``releases_dir`` (``eastasia-data-X.Y.Z/datapackage.json``), lowest first.

    Examples
    --------
    >>> from eastasia_data import paths
    >>> import eastasia_data as ead
    >>> ead.loader.descriptor()["version"] in released_versions(paths.releases_dir())
    True
    """
    found = []
    for path in releases_dir.glob(f"{paths.release_dirname('*')}/{paths.DESCRIPTOR}"):
        version = paths.version_of_release_dir(path.parent.name)
        if version and SEMVER.fullmatch(version):
            found.append(version)
    return sorted(found, key=parse)
