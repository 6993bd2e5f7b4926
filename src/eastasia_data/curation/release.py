"""The maintainer's one command: ``eastasia-data release [--bump major|minor|patch]``.

It turns what main holds since the last release into the next release:

1. validates the tables (invalid data is never released);
2. compares the last release with ``data/`` and ``schemas/`` and takes the bump the changes
   require (the versioning policy); a smaller ``--bump`` is refused, a larger one allowed;
3. writes the new version into ``pyproject.toml``;
4. makes the new version's CHANGELOG entry from the ``[Unreleased]`` section (the
   contributors' notes) plus the diff's draft (every row added, removed or corrected, by id,
   with the corrections register's reason), and leaves an empty ``[Unreleased]`` above it;
   every released row changed or removed needs an entry in the corrections register
   (``data/corrections.csv``), or the release is refused before anything is written, and
   the new version is written as the ``release`` of every corrected entry that names none;
5. builds ``releases/eastasia-data-<version>/`` and rewrites every generated file (the
   descriptor, CITATION.cff, the docs, the figures);
6. with ``--commit``, commits all of it and tags the commit ``v<version>`` (the working tree
   must be clean before it starts); otherwise prints the commit and the tag to make.
   Nothing depends on tags.

If anything fails before the build is in place, ``pyproject.toml``, ``CHANGELOG.md`` and
``data/corrections.csv`` are put back as they were.

Examples
--------
>>> from eastasia_data.curation.release import merge_entry
>>> print(merge_entry("## [1.1.0] - 2026-12-02", "### Added\\n- A note.\\n", "### Added\\n- `events`: 1 row(s).\\n"))
## [1.1.0] - 2026-12-02
<BLANKLINE>
### Added
- A note.
- `events`: 1 row(s).
<BLANKLINE>
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from eastasia_data import paths
from eastasia_data.corrections import TABLE as CORRECTIONS
from eastasia_data.errors import InvalidDataError, Refusal, UsageError, VersionError

UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n(.*?)(?=^## \[)", re.S | re.M)
SECTION = re.compile(r"^### (.+)$", re.M)


class ReleaseError(Refusal):
    """The release is refused; the message says why and what to do."""


@dataclass
class ReleaseResult:
    """What ``release`` did: the versions, the bump, and the files it wrote."""

    base: str
    version: str
    bump: str
    written: list[Path] = field(default_factory=list)

    commit: str | None = None

    def render(self) -> str:
        """What the command prints: what was released, and the commit and tag made or to make.

        Examples
        --------
        >>> print(ReleaseResult("1.0.0", "1.1.0", "minor").render().splitlines()[0])
        released 1.1.0 (a MINOR bump over 1.0.0)
        """
        lines = [f"released {self.version} (a {self.bump.upper()} bump over {self.base})"]
        lines += [f"  written: {p}" for p in self.written]
        if self.commit:
            lines.append(f"committed {self.commit} and tagged it v{self.version}")
        else:
            lines += ["now commit and tag it:",
                      f"  git add -A && git commit -m 'Release {self.version}'",
                      f"  git tag v{self.version}"]
        return "\n".join(lines)


def _sections(text: str) -> dict[str, list[str]]:
    """A changelog body as {section heading: lines}; text before the first heading goes under ''."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.strip("\n").splitlines():
        m = SECTION.match(line)
        if m:
            current = m.group(1).strip()
            out.setdefault(current, [])
        elif line.strip() or out.get(current):
            out.setdefault(current, []).append(line)
    return {k: _trim(v) for k, v in out.items() if _trim(v)}


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return lines


def merge_entry(head: str, notes: str, draft: str) -> str:
    """One CHANGELOG entry: ``head``, then each section of the notes followed by the draft's items for it.

    Examples
    --------
    >>> merge_entry("## [2.0.0] - 2027-01-01", "", "### Removed\\n- `x`.\\n").splitlines()[2]
    '### Removed'
    """
    a, b = _sections(notes), _sections(draft)
    out = [head]
    for name in list(a) + [n for n in b if n not in a]:
        out += [""] + ([f"### {name}"] if name else []) + a.get(name, []) + b.get(name, [])
    return "\n".join(out) + "\n"


def _draft_body(draft: str) -> str:
    """The draft entry without its heading line."""
    return draft.split("\n", 1)[1] if "\n" in draft else ""


def with_entry(text: str, version: str, date: str, draft: str) -> str:
    r"""The CHANGELOG with the ``[Unreleased]`` notes and the draft made into the entry of ``version``.

    An empty ``[Unreleased]`` section is left above the new entry.

    Examples
    --------
    >>> text = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n- A typo.\n\n## [1.0.0] - 2026-12-01\n"
    >>> print(with_entry(text, "1.0.1", "2026-12-02", "### Fixed\n- `events`: 1 value.\n"))
    # Changelog
    <BLANKLINE>
    ## [Unreleased]
    <BLANKLINE>
    ## [1.0.1] - 2026-12-02
    <BLANKLINE>
    ### Fixed
    - A typo.
    - `events`: 1 value.
    <BLANKLINE>
    ## [1.0.0] - 2026-12-01
    <BLANKLINE>
    """
    heading = re.search(r"(?m)^## \[Unreleased\][^\n]*\n", text)
    if heading is None:  # no Unreleased section: the entry goes before the first version
        first = re.search(r"(?m)^## \[", text)
        at = first.start() if first else len(text)
        notes, start, end = "", at, at
    else:
        start = heading.start()
        following = re.search(r"(?m)^## \[", text[heading.end():])
        end = heading.end() + following.start() if following else len(text)
        notes = text[heading.end():end]
    entry = merge_entry(f"## [{version}] - {date}", notes, draft)
    return text[:start] + "## [Unreleased]\n\n" + entry + "\n" + text[end:].lstrip("\n")


def set_version(pyproject: Path, version: str) -> None:
    """Write ``version`` as the ``[project]`` version of ``pyproject``.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "pyproject.toml"
    >>> _ = path.write_text('[project]\\nname = "x"\\nversion = "1.0.0"\\n')
    >>> set_version(path, "1.1.0"); path.read_text().splitlines()[2]
    'version = "1.1.0"'
    """
    text = pyproject.read_text(encoding="utf-8")
    new, n = re.subn(r'(?m)^(version\s*=\s*)"[^"]*"', lambda m: f'{m.group(1)}"{version}"', text, count=1)
    if n != 1:
        raise ReleaseError(f"{pyproject}: no `version = \"…\"` line under [project] to update")
    pyproject.write_text(new, encoding="utf-8")


def _git(root: Path, *args: str) -> str:
    import subprocess

    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout.strip()


def release(bump: str | None = None, *, date: str | None = None, sources_dir: str | Path | None = None,
            figures: bool = True, commit: bool = False) -> ReleaseResult:
    """Release what ``data/`` and ``schemas/`` hold as the next version (see the module docstring).

    Parameters
    ----------
    bump : {"major", "minor", "patch"}, optional
        The bump to make; default the one the changes require. A smaller one is refused.
    date : str, optional
        The release date for the CHANGELOG (``YYYY-MM-DD``); default today (UTC).
    sources_dir : path, optional
        The source archive for validation.
    figures : bool, default True
        Redraw the figures (needs the ``plot`` extra).
    commit : bool, default False
        Commit the release and tag it ``v<version>`` (refused unless the working tree is clean).

    Returns
    -------
    ReleaseResult

    Raises
    ------
    InvalidDataError
        The tables are not valid.
    ReleaseError
        Nothing changed since the last release, or ``bump`` is smaller than the changes require.

    Examples
    --------
    A release writes into the checkout, so this example only shows a refusal that comes
    before anything is read or written (``tests/test_pull_request.py`` plays a whole release
    in a clone):

    >>> release(bump="tiny")
    Traceback (most recent call last):
    ...
    eastasia_data.errors.VersionError: unknown bump 'tiny'; use one of major, minor, patch
    """
    from eastasia_data.curation.build import build
    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.diff_render import render_changelog
    from eastasia_data.curation.docs import generate
    from eastasia_data.curation.snapshot import from_checkout, from_release
    from eastasia_data.curation.validate import validate
    from eastasia_data.curation.versioning import (
        BUMPS,
        corrections_refusal,
        next_version,
        parse,
        released_versions,
    )

    checkout = paths.checkout()
    if commit and _git(checkout.root, "status", "--porcelain", "--untracked-files=no"):
        raise ReleaseError("the working tree has uncommitted changes: commit them first, or release without --commit")
    if bump is not None and bump not in BUMPS:
        raise VersionError(f"unknown bump {bump!r}; use one of {', '.join(reversed(BUMPS))}")
    date = date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        dt.date.fromisoformat(date)
    except ValueError:
        raise UsageError(f"--date {date}: not a date of the form YYYY-MM-DD") from None
    report = validate(None, sources_dir)
    if not report.valid:
        first = next(p for p in report.problems if p.severity == "error").as_text()
        raise InvalidDataError(f"the data is not valid ({report.summary}; first: {first}); nothing was released: "
                               "run `eastasia-data validate` and fix the problems first", report)
    releases = released_versions(checkout.releases_dir)
    if not releases:
        raise ReleaseError("there is no earlier release to compare with: make the first one with `eastasia-data build`")
    base = releases[-1]
    current = checkout.version
    if current != base:
        raise ReleaseError(f"pyproject.toml says {current}, but the last release is {base}: leave the version at the "
                           "last release and let `eastasia-data release` set the new one")
    d = diff(from_release(checkout.release_dir(base), f"release {base}"), from_checkout(checkout.root, "data/"))
    required = d.bump
    if required is None:
        raise ReleaseError(f"data/ and schemas/ are unchanged since release {base}: there is nothing to release")
    bump = bump or required
    if BUMPS.index(bump) < BUMPS.index(required):
        reasons = "; ".join(f"{c.table}: {c.kind}" for c in d.reasons(required)[:5])
        raise ReleaseError(f"a {bump.upper()} release is too small: the changes since {base} require a "
                           f"{required.upper()} bump ({reasons}); run `eastasia-data release --bump {required}`")
    version = next_version(base, bump)
    parse(version)
    unexplained = corrections_refusal(d, version, pending=True)
    if unexplained:
        raise ReleaseError(f"release {version} would correct or remove {len(unexplained)} row(s) of release {base} with "
                           "no entry in the corrections register (data/corrections.csv); nothing was released:\n"
                           + "\n".join(unexplained))

    pyproject = checkout.pyproject_path
    changelog = checkout.root / "CHANGELOG.md"
    register = checkout.data_dir / f"{CORRECTIONS}.csv"
    saved = {path: path.read_bytes() if path.is_file() else None for path in (pyproject, changelog, register)}
    try:
        set_version(pyproject, version)
        text = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n"
        draft = _draft_body(render_changelog(d, version=version, date=date))
        changelog_text = with_entry(text, version, date, draft)
        changelog.write_text(changelog_text, encoding="utf-8")
        if _date_corrections(report, register, version):
            report = validate(None, sources_dir)
            if not report.valid:
                first = next(p for p in report.problems if p.severity == "error").as_text()
                raise InvalidDataError(f"the corrections register is not valid once dated {version} ({first}); "
                                       "nothing was released", report)
        result = build(None, report=report)
    except BaseException:
        for path, data in saved.items():
            if data is not None:
                path.write_bytes(data)
        raise
    written = [pyproject, changelog] + ([register] if saved[register] != _read(register) else []) + [result.path]
    written += [p for p, status in generate(figures=figures) if status == "written"]
    written.append(_rebundle(version, result.path))
    result_ = ReleaseResult(base, version, bump, [p.relative_to(checkout.root) if p.is_relative_to(checkout.root) else p
                                                  for p in written])
    if commit:  # what the release wrote, and nothing else of the working tree
        _git(checkout.root, "add", "--", *(str(p) for p in result_.written))
        _git(checkout.root, "commit", "-q", "-m", f"Release {version}")
        _git(checkout.root, "tag", f"v{version}")
        result_.commit = _git(checkout.root, "rev-parse", "--short", "HEAD")
    return result_


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _date_corrections(report, register: Path, version: str) -> bool:
    """Write ``version`` as the release of every corrected entry of the register that names none yet.

    Returns whether the register changed. It is rewritten canonically (as ``fmt`` writes it).
    """
    from eastasia_data.curation.fmt import canonical_text

    tf = report.files.get(CORRECTIONS)
    if tf is None or tf.frame is None:
        return False
    frame = tf.frame.copy()
    pending = (frame["status"] == "corrected") & frame["release"].isna()
    if not pending.any():
        return False
    frame.loc[pending, "release"] = version
    register.write_text(canonical_text(tf.table, frame), encoding="utf-8")
    return True


def _rebundle(version: str, directory: Path) -> Path:
    """The release's bundle, made again now that the generated files it holds are current.

    ``build`` makes the bundle with the release, before ``generate`` has rewritten the
    datasheet and the rest; the bundle must hold them as they are committed with the release.
    """
    from eastasia_data.curation.bundle import make_bundle

    bundle = directory.parent / f"{directory.name}.zip"
    bundle.unlink(missing_ok=True)
    return make_bundle(version, release=directory, from_worktree=True)[0]
