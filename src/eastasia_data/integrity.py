"""The integrity anchor: what the release's files are checked against, from outside the release descriptor.

The descriptor records each Parquet file's sha256, but a descriptor checked only against
itself proves nothing about the descriptor: edit its version and drop a resource, and every
remaining file still matches. So ``verify`` and ``load(verify=True)`` first check the
descriptor itself, and every file of the release, against an anchor kept elsewhere:

* **an installed wheel**: the sha256 that pip recorded for every installed file in the
  wheel's ``RECORD`` (read with :mod:`importlib.metadata`);
* **a checkout**: the release as committed in git (the blob id of each file at ``HEAD``).

What this guards against: accidental damage, and a descriptor (or a Parquet file) edited
alone. What it does not: someone who can rewrite ``RECORD`` as well (or commit to the
repository), who can make any anchor say anything. A release that no anchor covers (a
build not yet committed, a plain copy of the files) is checked against its descriptor
only, and ``verify`` says so.

Examples
--------
>>> from eastasia_data.releases import release_dir
>>> anchor = anchor_for(release_dir())
>>> anchor is None or anchor.check(release_dir()) == []
True
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from eastasia_data import paths
from eastasia_data.files import MAX_TABLE_BYTES, read_bytes

__all__ = ["Anchor", "anchor_for", "git_anchor", "wheel_anchor"]


@dataclass(frozen=True)
class Anchor:
    """Digests of a release's files kept outside its descriptor, and where they come from.

    ``digests`` maps each file name to (how to hash it, expected hex digest); the ways are
    ``sha256`` (a wheel's RECORD) and ``git-sha1`` / ``git-sha256`` (a git blob id).
    """

    what: str
    digests: dict[str, tuple[str, str]] = field(default_factory=dict)

    def digest(self, how: str, data: bytes) -> str:
        """The hex digest of ``data`` computed the way ``how`` names.

        Examples
        --------
        >>> Anchor("demo").digest("git-sha1", b"")
        'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
        """
        if how == "sha256":
            return hashlib.sha256(data).hexdigest()
        algorithm = how.removeprefix("git-")
        return hashlib.new(algorithm, b"blob %d\x00" % len(data) + data).hexdigest()

    def check(self, directory: Path, names: list[str] | None = None) -> list[str]:
        """One line per file of ``directory`` (only ``names``, if given) that is missing or differs from the anchor.

        Examples
        --------
        >>> import tempfile, pathlib, hashlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.json").write_bytes(b"{}")
        >>> Anchor("a test", {"a.json": ("sha256", hashlib.sha256(b"{}").hexdigest())}).check(d)
        []
        >>> _ = (d / "a.json").write_bytes(b"{ }")
        >>> Anchor("a test", {"a.json": ("sha256", hashlib.sha256(b"{}").hexdigest())}).check(d)  # doctest: +ELLIPSIS
        ['.../a.json: differs from a test: the file was altered; ...']
        """
        problems = []
        for name, (how, expected) in sorted(self.digests.items()):
            if names is not None and name not in names:
                continue
            path = directory / name
            try:
                data = read_bytes(path, root=directory, limit=MAX_TABLE_BYTES)
            except FileNotFoundError:
                problems.append(f"{path}: missing, though {self.what} lists it: reinstall eastasia-data")
                continue
            except OSError as exc:
                problems.append(f"{path}: {exc}")
                continue
            if self.digest(how, data) != expected:
                problems.append(f"{path}: differs from {self.what}: the file was altered; reinstall eastasia-data"
                                + (" (or restore it with `git checkout`)" if how.startswith("git") else ""))
        return problems


def wheel_anchor(release: Path) -> Anchor | None:
    """The anchor of an installed wheel: the sha256 of each release file from the wheel's ``RECORD``.

    ``None`` when the distribution is not installed from a wheel that holds ``release``.

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> anchor = wheel_anchor(release_dir())
    >>> anchor is None or "RECORD" in anchor.what
    True
    """
    from importlib import metadata

    # The RECORD beside the package, found by name: a search of sys.path would open other files.
    release = Path(os.path.abspath(release))
    digests: dict[str, tuple[str, str]] = {}
    record = None
    for info in sorted(paths.PACKAGE_DIR.parent.glob("eastasia_data-*.dist-info")):
        for entry in metadata.PathDistribution(info).files or ():
            if entry.hash is None or entry.hash.mode != "sha256":
                continue
            located = Path(os.path.abspath(entry.locate()))
            if located.parent != release:
                continue
            raw = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4))
            digests[located.name] = ("sha256", raw.hex())
            record = info / "RECORD"
    if paths.DESCRIPTOR not in digests:
        return None
    return Anchor(f"the wheel's RECORD, {record}", digests)


def git_anchor(release: Path, repo: Path) -> Anchor | None:
    """The anchor of a checkout: each release file's blob id as committed at ``HEAD``.

    ``None`` when git is not available, ``repo`` is not a git repository, or the release
    is not committed.

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> anchor = git_anchor(release_dir(), paths.checkout().root)
    >>> anchor is None or anchor.what.startswith("the release as committed")
    True
    """
    try:
        rel = Path(os.path.abspath(release)).relative_to(Path(os.path.abspath(repo)))
    except ValueError:
        return None

    def git(*args: str) -> str | None:
        run = paths.git(repo, *args, timeout=60)
        return run.stdout.decode("utf-8", "replace") if run.ok else None

    listing = git("ls-tree", "-z", "HEAD", "--", f"{rel.as_posix()}/")
    if not listing:
        return None
    how = "git-" + ((git("rev-parse", "--show-object-format") or "sha1").strip() or "sha1")
    digests = {}
    for item in listing.split("\0"):
        if not item:
            continue
        meta, _, name = item.partition("\t")
        mode, kind, blob = meta.split()
        if kind == "blob" and mode != "120000":
            digests[Path(name).name] = (how, blob)
    commit = (git("rev-parse", "--short", "HEAD") or "HEAD").strip()
    return Anchor(f"the release as committed in git at {commit}", digests) if paths.DESCRIPTOR in digests else None


def anchor_for(release: Path) -> Anchor | None:
    """The anchor that covers ``release``: the wheel's RECORD when installed, else the checkout's git.

    Any release the installation ships has one: the current release and the older ones
    (``eastasia_data/releases/`` in a wheel, ``releases/`` in a checkout).

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> anchor_for(release_dir()) is None or anchor_for(release_dir()).digests != {}
    True
    """
    release = Path(release)
    absolute = Path(os.path.abspath(release))
    if absolute == Path(os.path.abspath(paths.SHIPPED_RELEASE)) or \
            absolute.parent == Path(os.path.abspath(paths.PACKAGE_DIR / "releases")):
        return wheel_anchor(release)  # the current release, or an older one the wheel ships
    source = paths.source_checkout()
    if source is None:
        return None
    return git_anchor(release, source.root)
