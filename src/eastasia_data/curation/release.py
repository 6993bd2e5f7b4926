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

All or nothing: steps 3 to 5 run in a scratch copy of the checkout, and what they wrote is
moved into the checkout only when every one of them succeeded. A failure (or an interruption)
at any step leaves the checkout as it was.

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
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eastasia_data import paths
from eastasia_data.views import CORRECTIONS
from eastasia_data.errors import InvalidDataError, ReleaseError, UsageError, VersionError

UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n(.*?)(?=^## \[)", re.S | re.M)
SECTION = re.compile(r"^### (.+)$", re.M)


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
    run = paths.git(root, *args)
    if not run.ok:
        raise ReleaseError(f"git {' '.join(args)} failed: {run.stderr or run.text}")
    return run.text


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
    from eastasia_data.curation.generate import generate
    from eastasia_data.curation.snapshot import from_checkout, from_release
    from eastasia_data.curation.validate import validate
    from eastasia_data.curation.gates import corrections_refusal
    from eastasia_data.curation.versioning import BUMPS, next_version, parse, released_versions

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

    sources_dir = sources_dir if sources_dir is not None else paths.default_sources_dir()
    # Everything is prepared in a scratch copy of the checkout and moved in only once all of it
    # succeeded: a failure at any step (or an interruption) leaves the checkout as it was.
    with _Stage(checkout.root) as stage, paths.use_checkout(stage.root), _source_date_epoch(checkout.root):
        staged = paths.checkout()
        pyproject = staged.pyproject_path
        changelog = staged.root / "CHANGELOG.md"
        register = staged.data_dir / f"{CORRECTIONS}.csv"
        register_before = _read(register)
        set_version(pyproject, version)
        text = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n"
        draft = _draft_body(render_changelog(d, version=version, date=date))
        changelog.write_text(with_entry(text, version, date, draft), encoding="utf-8")
        if _date_corrections(report, register, version):
            report = validate(None, sources_dir)
            if not report.valid:
                first = next(p for p in report.problems if p.severity == "error").as_text()
                raise InvalidDataError(f"the corrections register is not valid once dated {version} ({first}); "
                                       "nothing was released", report)
        result = build(None, report=report)
        written = [pyproject, changelog] + ([register] if register_before != _read(register) else []) + [result.path]
        written += [p for p, status in generate(figures=figures) if status == "written"]
        written.append(_bundle(version, result.path))
        written = [p.relative_to(stage.root) if p.is_relative_to(stage.root) else p for p in written]
        stage.commit()
    result_ = ReleaseResult(base, version, bump, written)
    if commit:  # what the release wrote, and nothing else of the working tree
        _git(checkout.root, "add", "--", *(str(p) for p in result_.written))
        _git(checkout.root, "commit", "-q", "-m", f"Release {version}")
        _git(checkout.root, "tag", f"v{version}")
        result_.commit = _git(checkout.root, "rev-parse", "--short", "HEAD")
    return result_


#: What a release never reads nor writes: version control, environments, caches, build output.
_NOT_STAGED = frozenset({".git", ".venv", ".venv-cffconvert", ".ci-venv", "__pycache__", ".pytest_cache",
                         ".hypothesis", ".mypy_cache", "dist", "build"})


def _not_staged(name: str) -> bool:
    return name in _NOT_STAGED or name.endswith(".egg-info")


def _tree(root: Path) -> dict[str, Path]:
    """Every file (and symbolic link) under ``root`` that a release may touch, by its path relative to ``root``."""
    out: dict[str, Path] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _not_staged(d))
        here = Path(folder)
        for d in dirs:
            if (here / d).is_symlink():
                out[(here / d).relative_to(root).as_posix()] = here / d
        for name in names:
            if not _not_staged(name):
                out[(here / name).relative_to(root).as_posix()] = here / name
    return out


def _same(a: Path, b: Path) -> bool:
    if a.is_symlink() or b.is_symlink():
        return a.is_symlink() and b.is_symlink() and os.readlink(a) == os.readlink(b)
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def _copy_in(source: Path, target: Path) -> None:
    """Copy one staged file to ``target`` (a temporary name beside its final place)."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    else:
        shutil.copy2(source, target)


class _Stage:
    """A scratch copy of a checkout in which a release is prepared, and moved into the checkout by :meth:`commit`.

    The copy holds the working tree as it is (tracked or not) but for :data:`_NOT_STAGED`. On
    :meth:`commit`, every file the release added or changed is first copied beside its place
    under a temporary name (a failure there removes the copies and the folders made for them),
    then renamed into place; a rename does not fail half-way. Leaving the block removes the copy.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a.txt").write_text("old")
    >>> with _Stage(root) as stage:
    ...     _ = (stage.root / "a.txt").write_text("new")
    ...     _ = (stage.root / "b.txt").write_text("added")
    ...     (root / "a.txt").read_text()
    ...     stage.commit()
    'old'
    ['a.txt', 'b.txt']
    >>> (root / "a.txt").read_text(), (root / "b.txt").read_text()
    ('new', 'added')
    """

    def __init__(self, real: Path) -> None:
        self.real = Path(real)
        self._scratch: Path | None = None
        self.root = self.real

    def __enter__(self) -> _Stage:
        import tempfile

        self._scratch = Path(tempfile.mkdtemp(prefix="eastasia-data-release-"))
        self.root = self._scratch / self.real.name
        shutil.copytree(self.real, self.root, symlinks=True,
                        ignore=lambda _, names: [n for n in names if _not_staged(n)])
        return self

    def __exit__(self, *exc) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def commit(self) -> list[str]:
        """Move what changed in the copy into the checkout; returns the paths moved or removed."""
        before, after = _tree(self.real), _tree(self.root)
        changed = [rel for rel, p in after.items() if rel not in before or not _same(p, before[rel])]
        removed = [rel for rel in before if rel not in after]
        made: list[Path] = []
        placed: list[tuple[Path, Path]] = []
        try:
            for rel in changed:
                target = self.real / rel
                missing = [d for d in (target.parent, *target.parent.parents) if not d.exists()]
                for d in reversed(missing):
                    d.mkdir()
                    made.append(d)
                temporary = target.with_name(f".{target.name}.release-{os.getpid()}")
                placed.append((temporary, target))
                _copy_in(after[rel], temporary)
        except BaseException:
            for temporary, _ in placed:
                temporary.unlink(missing_ok=True)
            for d in reversed(made):
                d.rmdir()
            raise
        for temporary, target in placed:
            os.replace(temporary, target)
        for rel in removed:
            (self.real / rel).unlink()
        return sorted(changed + removed)


@contextmanager
def _source_date_epoch(root: Path) -> Iterator[None]:
    """Date the release from the checkout's last commit, as ``build`` does, though it runs in a copy without git."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        yield
        return
    epoch = paths.last_commit_epoch(root)
    if not epoch:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


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


def _bundle(version: str, directory: Path) -> Path:
    """The release's bundle, made once the generated files it holds are current.

    ``build`` writes the release directory only; the bundle holds the datasheet and the rest
    as they are committed with the release, so it is made after ``generate``.
    """
    from eastasia_data.curation.bundle import make_bundle

    bundle = directory.parent / f"{directory.name}.zip"
    bundle.unlink(missing_ok=True)
    return make_bundle(version, release=directory, from_worktree=True)[0]
