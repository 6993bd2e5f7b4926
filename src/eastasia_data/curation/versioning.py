"""The versioning policy, and its two gates: what a pull request's changes need, and whether a release is right.

Every kind of change :func:`eastasia_data.curation.diff.diff` reports asks for a bump
(:data:`POLICY`, the table of ``docs/versioning.md``); a set of changes needs the largest.
``check-version`` applies the policy at one of two gates:

* the **pull-request gate** (``--gate pull-request``): the changes since the last release are
  reported with the bump they will need, and the check passes: a contributor leaves the
  version alone, and main may hold merged changes that are not released yet. It fails only
  when the last release itself is too small a bump over the one before it (compared release
  with release, so a release built with the wrong version is caught even once committed);
* the **release gate** (``--gate release``): the version in ``pyproject.toml`` must be built
  in ``releases/``, that release must hold exactly what ``data/`` and ``schemas/`` hold (so a
  build cannot hide a change), and the bump from the previous release must be at least the
  bump the changes between them need.

``--gate auto`` (the default, used by CI) takes the release gate when the version in
``pyproject.toml`` differs from the last release, and the pull-request gate otherwise.
``eastasia-data release`` (:mod:`eastasia_data.curation.release`) makes a release that passes
the release gate.

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
    "rule on new fields": "minor",
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


GATES = ("auto", "pull-request", "release")


@dataclass
class VersionCheck:
    """What ``check-version`` found: whether it passes, at which gate, and one line per finding."""

    ok: bool
    version: str
    base: str | None
    lines: list[str] = field(default_factory=list)
    diff: Diff | None = None
    gate: str = "pull-request"
    required: str | None = None

    def render(self) -> str:
        """The result as printed by ``eastasia-data check-version``: one line per finding.

        Examples
        --------
        >>> print(VersionCheck(True, "0.2.0", "0.1.0", ["ok: a", "  detail"]).render())
        ok: a
          detail
        """
        return "\n".join(self.lines)


def _reasons(d: Diff) -> list[str]:
    return [f"  {c.table}: {c.kind} ({c.detail}) requires a {bump.upper()} bump"
            for bump in reversed(BUMPS) for c in d.reasons(bump)]


def check_version(version: str | None = None, *, repo: str | Path | None = None, gate: str = "auto") -> VersionCheck:
    """Apply the versioning policy to the checkout at the pull-request or the release gate.

    Parameters
    ----------
    version : str, optional
        The version to check; default the one in ``<repo>/pyproject.toml``.
    repo : path, optional
        The checkout; default the one found from the current directory.
    gate : {"auto", "pull-request", "release"}
        Which gate; ``auto`` takes the release gate when the version differs from the last release.

    Returns
    -------
    VersionCheck
        ``ok``, the gate applied, the bump the changes require, and ``lines`` saying which
        change requires which bump.

    Examples
    --------
    >>> result = check_version()
    >>> result.ok, result.gate
    (True, 'pull-request')
    """
    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.snapshot import from_checkout, from_release

    if gate not in GATES:
        raise VersionError(f"unknown gate {gate!r}; use one of {', '.join(GATES)}")
    checkout = paths.Checkout(Path(repo).resolve()) if repo else paths.checkout()
    version = version or checkout.version
    parse(version)
    releases = released_versions(checkout.releases_dir)
    if not releases:
        return VersionCheck(True, version, None, [
            f"ok: {version} is the first release (no earlier release in {checkout.releases_dir} to compare with)"],
            gate=gate)
    last = releases[-1]
    if parse(version) < parse(last):
        return VersionCheck(False, version, last, [
            f"version {version} is lower than the last release {last}: versions only go up"], gate=gate)
    if gate == "auto":
        gate = "pull-request" if version == last else "release"
    current = from_checkout(checkout.root, "data/ and schemas/")

    if gate == "pull-request":
        last_release = from_release(checkout.release_dir(last), f"release {last}")
        earlier = [v for v in releases if parse(v) < parse(last)]
        if earlier:
            prev = earlier[-1]
            between = diff(from_release(checkout.release_dir(prev), f"release {prev}"), last_release)
            actual = bump_between(prev, last)
            if between.bump is not None and BUMPS.index(actual or "patch") < BUMPS.index(between.bump):
                return VersionCheck(False, version, prev, [
                    f"release {last} is a {(actual or 'no').upper()} bump over release {prev}, but its changes require "
                    f"a {between.bump.upper()} bump: it should have been {next_version(prev, between.bump)}",
                    *_reasons(between)], between, gate, between.bump)
        d = diff(last_release, current)
        required = d.bump
        if required is None:
            head = f"ok: data/ and schemas/ are unchanged since release {last}"
        else:
            head = (f"ok: data/ and schemas/ have changed since release {last}; the changes will need a "
                    f"{required.upper()} bump (to {next_version(last, required)}) when the maintainer releases them "
                    "with `eastasia-data release`")
        return VersionCheck(True, version, last, [head, *_reasons(d)], d, gate, required)

    # The release gate: this version is built, holds the data, and is a big enough bump.
    built = checkout.release_dir(version)
    if not (built / paths.DESCRIPTOR).is_file():
        return VersionCheck(False, version, last, [
            f"version {version} is not built: run `eastasia-data release` (or `eastasia-data build`) and commit "
            f"{built.relative_to(checkout.root)}"], gate=gate)
    held = diff(from_release(built, f"release {version}"), current)
    if held.bump is not None:
        return VersionCheck(False, version, last, [
            f"release {version} does not hold what data/ and schemas/ hold: a built version is immutable; "
            "release the changes as a new version with `eastasia-data release`", *_reasons(held)], held, gate, held.bump)
    lower = [v for v in releases if parse(v) < parse(version)]
    if not lower:
        return VersionCheck(True, version, None, [f"ok: {version} is the first release and holds data/ and schemas/"],
                        gate=gate)
    base = lower[-1]
    d = diff(from_release(checkout.release_dir(base), f"release {base}"), current)
    required, actual = d.bump, bump_between(base, version)
    lines = _reasons(d)
    if required is not None and BUMPS.index(actual or "patch") < BUMPS.index(required):
        head = (f"version {version} is a {(actual or 'no').upper()} bump over release {base}, but the changes require a "
                f"{required.upper()} bump: release them as {next_version(base, required)}")
        return VersionCheck(False, version, base, [head, *lines], d, gate, required)
    head = (f"ok: {version} is a {(actual or 'no').upper()} bump over release {base}"
            + (f"; the changes require {required.upper()}" if required else "; the data did not change"))
    return VersionCheck(True, version, base, [head, *lines], d, gate, required)
