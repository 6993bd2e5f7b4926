"""The two gates of the versioning policy: what a pull request's changes need, and whether a release is right.

``check-version`` applies the policy of :mod:`eastasia_data.curation.versioning` (every kind of
change :func:`eastasia_data.curation.diff.diff` reports asks for a bump) at one of two gates:

* the **pull-request gate** (``--gate pull-request``): the changes since the last release are
  reported with the bump they will need, and the check passes: a contributor leaves the
  version alone, and main may hold merged changes that are not released yet. It fails only
  when the last release itself is too small a bump over the one before it (compared release
  with release, so a release built with the wrong version is caught even once committed);
  It also lists the released rows the change corrects or removes, each with its entry in
  the corrections register (``data/corrections.csv``) or a notice that it needs one;
* the **release gate** (``--gate release``): the version in ``pyproject.toml`` must be built
  in ``releases/``, that release must hold exactly what ``data/`` and ``schemas/`` hold (so a
  build cannot hide a change), the bump from the previous release must be at least the
  bump the changes between them need, and every row of the previous release that it
  changes or removes must have an entry of this release in the corrections register.

``--gate auto`` (the default, used by CI) takes the release gate when the version in
``pyproject.toml`` differs from the last release, and the pull-request gate otherwise.
``eastasia-data release`` (:mod:`eastasia_data.curation.release`) makes a release that passes
the release gate.

Examples
--------
>>> check_version().gate in GATES
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from eastasia_data import paths
from eastasia_data.curation.diff import CorrectedRow, Diff, diff
from eastasia_data.curation.snapshot import from_checkout, from_release
from eastasia_data.curation.versioning import BUMPS, bump_between, next_version, parse, released_versions
from eastasia_data.publish import escape
from eastasia_data.errors import UsageError, VersionError

if TYPE_CHECKING:
    from eastasia_data.views import Entry

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
    #: Findings that pass but that the contributor should act on (shown as notices on GitHub).
    notices: list[str] = field(default_factory=list)

    def render(self, fmt: str = "text") -> str:
        """The result as ``eastasia-data check-version`` prints it, or as it goes to GitHub.

        ``text`` is one line per finding; ``github`` adds the workflow annotations (the
        result, and a notice per released row corrected with no corrections entry yet);
        ``github-summary`` is the Markdown section appended to the job's step summary.

        Examples
        --------
        >>> check = VersionCheck(True, "0.2.0", "0.1.0", ["ok: a", "  detail"])
        >>> print(check.render())
        ok: a
          detail
        >>> print(check.render("github").splitlines()[-1])
        ::notice title=check-version (pull-request gate)::ok: a
        >>> print(check.render("github-summary"))
        ### Version check (pull-request gate)
        <BLANKLINE>
        **ok: a**
        <BLANKLINE>
        - detail
        <BLANKLINE>
        <BLANKLINE>
        """
        # the lines quote keys and values of the data: each output gets them escaped for its language
        if fmt == "text":
            return escape.terminal("\n".join(self.lines), lines=True)
        if fmt == "github":
            kind = "notice" if self.ok else "error"
            out = [escape.workflow_log("\n".join(self.lines)),
                   f"::{kind} title=check-version ({self.gate} gate)::{escape.workflow_message(self.lines[0])}"]
            # the released rows a pull request corrects with no corrections entry yet
            out += [f"::notice title=corrections register::{escape.workflow_message(n)}" for n in self.notices]
            return "\n".join(out)
        if fmt == "github-summary":
            return (f"### Version check ({self.gate} gate)\n\n" + "\n".join(
                [f"**{escape.markdown(self.lines[0])}**", ""]
                + [f"- {escape.markdown(line.strip())}" for line in self.lines[1:]]) + "\n\n")
        raise UsageError(f"unknown format {fmt!r}; use text, github or github-summary")


def corrections_needed(d: Diff, *, pending: bool) -> list[tuple[CorrectedRow, list[Entry]]]:
    """Every released row the diff changes or removes, with the corrections entries that cover it.

    An entry covers a row when it names its table and key (as released), has status
    ``corrected``, and was made by a release after the old side (or, with ``pending``,
    names no release yet: ``eastasia-data release`` fills it in). A row with no entry is
    paired with an empty list.

    Examples
    --------
    >>> import dataclasses
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> old = from_release(paths.checkout().release_dir(), "old")
    >>> events = old.tables["events"]
    >>> frame = events.frame.copy()
    >>> frame.loc[frame.index[0], "title"] = "Renamed"
    >>> new = dataclasses.replace(old, label="new",
    ...                           tables={**old.tables, "events": dataclasses.replace(events, frame=frame)})
    >>> [(row.table, row.columns, found) for row, found in corrections_needed(diff(old, new), pending=True)]
    [('events', ('title',), [])]
    """
    rows = d.corrected_rows()
    found = d.corrections(pending=pending) if rows else {}  # the register is read only when a row needs it
    return [(row, found.get((row.table, row.row_key), [])) for row in rows]


def _row(row: CorrectedRow) -> str:
    what = "removed" if row.removed else "changed " + " ".join(row.columns)
    return f"{row.table} {row.row_key!r} ({what})"


def _entry_hint(row: CorrectedRow, release: str) -> str:
    columns = "" if row.removed else f", columns {' '.join(row.columns)!r}"
    return (f"add a row to data/corrections.csv: table_name {row.table}, row_key {row.row_key!r}{columns}, "
            f"release {release or 'empty'}, what_was_wrong, reported_by, status corrected")


def corrections_notice(d: Diff) -> list[str]:
    """The pull-request gate's lines on the corrections register: which released rows the change corrects.

    Examples
    --------
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> release = from_release(paths.checkout().release_dir(), "a release")
    >>> corrections_notice(diff(release, release))
    []
    """
    needed = corrections_needed(d, pending=True)
    if not needed:
        return []
    missing = sum(not found for _, found in needed)
    lines = [f"  corrections: the change corrects or removes {len(needed)} released row(s); each needs an entry in "
             f"data/corrections.csv ({missing} without one yet; see CONTRIBUTING.md)"]
    for row, found in needed:
        if found:
            lines.append(f"  {_row(row)}: entry {', '.join(e.correction_id for e in found)}")
        else:
            lines.append(f"  {_row(row)}: no corrections entry yet; hint: {_entry_hint(row, '')}")
    return lines


def corrections_refusal(d: Diff, version: str, *, pending: bool) -> list[str]:
    """One line per released row that the release ``version`` changes or removes with no corrections entry.

    Examples
    --------
    >>> from eastasia_data.curation.diff import diff
    >>> from eastasia_data.curation.snapshot import from_release
    >>> release = from_release(paths.checkout().release_dir(), "a release")
    >>> corrections_refusal(diff(release, release), "9.9.9", pending=False)
    []
    """
    which = "" if pending else f" of release {version}"
    return [f"  {_row(row)} has no corrections entry{which}; hint: {_entry_hint(row, '' if pending else version)}"
            for row, found in corrections_needed(d, pending=pending) if not found]


def _reasons(d: Diff) -> list[str]:
    return [f"  {c.table}: {c.kind} ({c.detail}) requires a {bump.upper()} bump"
            for bump in reversed(BUMPS) for c in d.reasons(bump)]


#: The cache's kind for the bump one built release requires over the one before it.
RELEASE_BUMP = "release-bump"


def _bump_key(checkout: paths.Checkout, prev: str, last: str):
    """The cache and the key of the bump release ``last`` requires over ``prev`` (None, None without a cache)."""
    from eastasia_data.curation.cache import checkout_cache, release_state

    cache = checkout_cache()
    if cache is None:
        return None, None
    before, after = release_state(checkout.release_dir(prev)), release_state(checkout.release_dir(last))
    if before is None or after is None:
        return None, None
    return cache, cache.key(RELEASE_BUMP, prev.encode(), last.encode(), before, after)


def _known_to_pass(checkout: paths.Checkout, prev: str, last: str) -> bool:
    """Whether the cache holds that release ``last``'s bump over ``prev`` is big enough for its changes.

    Two built releases do not change, so the comparison of the last release with the one
    before it, made at every pull request, is made once per pair of releases' files. A pair
    that needs its message (a bump too small) is always compared again.
    """
    cache, key = _bump_key(checkout, prev, last)
    stored = cache.get(RELEASE_BUMP, key) if cache is not None else None
    if not isinstance(stored, dict) or stored.get("bump", "") not in (None, *BUMPS):
        return False
    actual = bump_between(prev, last)
    return stored["bump"] is None or BUMPS.index(actual or "patch") >= BUMPS.index(stored["bump"])


def _remember_bump(checkout: paths.Checkout, prev: str, last: str, bump: str | None) -> None:
    cache, key = _bump_key(checkout, prev, last)
    if cache is not None:
        cache.put(RELEASE_BUMP, key, {"bump": bump})


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
        if earlier and not _known_to_pass(checkout, earlier[-1], last):
            prev = earlier[-1]
            between = diff(from_release(checkout.release_dir(prev), f"release {prev}"), last_release)
            _remember_bump(checkout, prev, last, between.bump)
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
        notice = corrections_notice(d)
        return VersionCheck(True, version, last, [head, *_reasons(d), *notice], d, gate, required,
                            notices=[line.strip() for line in notice if "no corrections entry" in line])

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
    unexplained = corrections_refusal(d, version, pending=False)
    if unexplained:
        head = (f"release {version} corrects or removes {len(unexplained)} row(s) of release {base} with no entry of "
                f"release {version} in the corrections register (data/corrections.csv); add them and make the release "
                "again with `eastasia-data release`, which refuses a release without them")
        return VersionCheck(False, version, base, [head, *unexplained], d, gate, required)
    head = (f"ok: {version} is a {(actual or 'no').upper()} bump over release {base}"
            + (f"; the changes require {required.upper()}" if required else "; the data did not change"))
    return VersionCheck(True, version, base, [head, *lines], d, gate, required)
