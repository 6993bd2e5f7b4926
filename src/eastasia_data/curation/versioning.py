"""``check-version``: is the version in pyproject.toml a big enough bump for the data's changes?

The last release is the highest version built under ``releases/`` that is lower than the
version pyproject.toml names. When that version is itself already built, the data must
not have changed since (a built version is immutable), so any change asks for a new
version. The bump the data requires is the largest bump of any change that
:func:`eastasia_data.curation.diff.diff` finds between that release and the checkout's ``data/``
and ``schemas/`` (see ``docs/versioning.md`` for the policy).

Examples
--------
>>> from eastasia_data.curation.versioning import bump_between
>>> bump_between("0.1.0", "0.2.0"), bump_between("0.1.0", "0.1.1"), bump_between("1.2.3", "1.2.3")
('minor', 'patch', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from eastasia_data import paths
from eastasia_data.errors import VersionError

if TYPE_CHECKING:
    from eastasia_data.curation.diff import Diff

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
    "constraint relaxed": "minor",
    "rows added": "minor",
    "values changed": "patch",
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


@dataclass
class VersionCheck:
    ok: bool
    version: str
    base: str | None
    lines: list[str] = field(default_factory=list)
    diff: Diff | None = None

    def render(self) -> str:
        """The result as printed by ``eastasia-data check-version``: one line per finding.

        Examples
        --------
        >>> print(VersionCheck(True, "0.2.0", "0.1.0", ["ok: a", "  detail"]).render())
        ok: a
          detail
        """
        return "\n".join(self.lines)


def check_version(version: str | None = None, *, repo: str | Path | None = None,
                  sources_dir: str | Path | None = None) -> VersionCheck:
    """Compare the checkout's version with the bump its data changes require.

    Parameters
    ----------
    version : str, optional
        The version to check; default the one in ``<repo>/pyproject.toml``.
    repo : path, optional
        The checkout holding ``pyproject.toml``, ``data/``, ``schemas/`` and ``releases/``;
        default this package's checkout.
    sources_dir : path, optional
        Passed to validation (the evidence layer is not needed to compare data).

    Returns
    -------
    VersionCheck
        ``ok``, and ``lines`` saying which change requires which bump.

    Examples
    --------
    >>> result = check_version()
    >>> result.ok, result.render().startswith("ok:")
    (True, True)
    """
    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.snapshot import from_checkout, from_release

    repo = Path(repo) if repo else paths.checkout().root
    if version is None:
        version = paths.Checkout(repo).version
    parse(version)
    releases = released_versions(repo / "releases")
    if releases and parse(version) < parse(releases[-1]):
        return VersionCheck(False, version, releases[-1], [
            f"version {version} is lower than the last release {releases[-1]}: versions only go up"])
    if version in releases:
        base, actual = version, None
    else:
        lower = [v for v in releases if parse(v) < parse(version)]
        if not lower:
            return VersionCheck(True, version, None, [
                f"ok: {version} is the first release (no earlier release in {repo / 'releases'} to compare with)"])
        base = lower[-1]
        actual = bump_between(base, version)
    old = from_release(repo / "releases" / paths.release_dirname(base), f"release {base}")
    new = from_checkout(repo, "data/ and schemas/", sources_dir=sources_dir)
    d = diff(old, new)
    required = d.bump
    lines = []
    for bump in reversed(BUMPS):
        for c in d.reasons(bump):
            lines.append(f"  {c.table}: {c.kind} ({c.detail}) requires a {bump.upper()} bump")
    if required is None:
        head = (f"ok: data/ and schemas/ are unchanged since release {base}"
                + ("" if actual is None else f"; {version} is a {actual} bump over it"))
        return VersionCheck(True, version, base, [head], d)
    if actual is None:
        head = (f"version {version} is already released and the data has changed since: "
                f"the changes require a {required.upper()} bump, to {next_version(base, required)}; "
                "set it in pyproject.toml and add a CHANGELOG entry (`eastasia-data diff --changelog`)")
        return VersionCheck(False, version, base, [head, *lines], d)
    if BUMPS.index(actual) < BUMPS.index(required):
        head = (f"version {version} is a {actual.upper()} bump over release {base}, but the changes require a "
                f"{required.upper()} bump: set the version to {next_version(base, required)} in pyproject.toml")
        return VersionCheck(False, version, base, [head, *lines], d)
    head = f"ok: {version} is a {actual.upper()} bump over release {base}; the changes require {required.upper()}"
    return VersionCheck(True, version, base, [head, *lines], d)
