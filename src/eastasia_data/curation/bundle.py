"""One zip per release: the Parquet files and descriptor with what a reader needs to use them.

``releases/eastasia-data-<version>.zip`` holds, under a top directory
``eastasia-data-<version>/``:

* the release's files (its Parquet files and ``datapackage.json``), byte for byte;
* ``README.md``, ``LICENSE``, ``LICENSE-DATA`` and ``datasheet.md`` (``docs/datasheet.md``)
  as they were when the release was made: read from the commit that added the release to
  git, or from the working tree for a release being built now. A file that did not exist
  then is left out (0.1.0 predates the datasheet);
* ``CITATION.cff``, :func:`eastasia_data.citation.cff` of the release descriptor, so it
  cites exactly this release;
* for releases after :data:`CSV_AFTER`, what a reader without Python needs as well: every
  table as ``data/<table>.csv``, written from the release's Parquet file as the CSV export
  writes it (dates at their precision, RFC 4180, formulas neutralised), and the data
  dictionary (``data-dictionary.md``, from ``docs/`` like the datasheet). The bundles of
  :data:`CSV_AFTER` and earlier were written without them and stay as they are.

A bundle is **reproducible**: members are stored (not deflated, so no zlib version
enters the bytes) in a fixed order, with the release's ``created`` time as their date
and fixed permissions; the same release always gives the same bytes, which a test checks
against the committed bundles. Like a release, a bundle is written once and never
changed: ``build`` makes it with a new release, and ``eastasia-data bundle VERSION``
makes a missing one for a release already built (and says ``unchanged`` when the file
is there with the same bytes, refusing when the bytes differ).

Examples
--------
>>> from eastasia_data.curation.bundle import bundle_members
>>> [name for name, _ in bundle_members("1.0.0")][:3]
['eastasia-data-1.0.0/README.md', 'eastasia-data-1.0.0/LICENSE', 'eastasia-data-1.0.0/LICENSE-DATA']
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

from eastasia_data import paths
from eastasia_data.citation import cff
from eastasia_data.errors import BuildError, UsageError

#: Files of the checkout in the bundle, by the name they have inside it.
CHECKOUT_FILES = {"README.md": "README.md", "LICENSE": "LICENSE", "LICENSE-DATA": "LICENSE-DATA",
                  "datasheet.md": "docs/datasheet.md"}
#: The last release whose bundle holds only the Parquet files: later ones carry the tables as CSV
#: and the data dictionary too (:func:`carries_csv`).
CSV_AFTER = "2.0.0"
#: Files of the checkout that only the bundles after :data:`CSV_AFTER` hold.
READER_FILES = {"data-dictionary.md": "docs/data-dictionary.md"}


def carries_csv(version: str) -> bool:
    """Whether the bundle of ``version`` holds the tables as CSV and the data dictionary.

    Examples
    --------
    >>> carries_csv("2.0.0"), carries_csv("2.0.1"), carries_csv("10.0.0")
    (False, True, True)
    """
    from eastasia_data.curation.versioning import parse

    return parse(version) > parse(CSV_AFTER)


def csv_members(release: Path, top: str) -> list[tuple[str, bytes]]:
    """``data/<table>.csv`` for every table of the release in ``release``, in the descriptor's order.

    Examples
    --------
    >>> from eastasia_data import paths
    >>> members = csv_members(paths.checkout().release_dir("2.0.0"), "x")
    >>> members[0][0], members[0][1].splitlines()[0][:18]
    ('x/data/actors.csv', b'actor_id,name,kind')
    """
    from eastasia_data.loader import load
    from eastasia_data.releases import model
    from eastasia_data.publish.sheets import csv_text
    from eastasia_data.publish.tables import text_columns

    return [(f"{top}/data/{name}.csv", csv_text(text_columns(load(name, release=release), table)).encode("utf-8"))
            for name, table in model(release=release).items()]


def bundle_path(version: str, releases_dir: Path | None = None) -> Path:
    """Where the bundle of ``version`` lives: beside its release directory.

    Examples
    --------
    >>> bundle_path("1.0.0", Path("releases")).as_posix()
    'releases/eastasia-data-1.0.0.zip'
    """
    releases_dir = paths.releases_dir() if releases_dir is None else releases_dir
    return releases_dir / f"{paths.release_dirname(version)}.zip"


def release_commit(release: Path, root: Path) -> str | None:
    """The commit that added ``release`` to git, or None when it is not committed.

    Examples
    --------
    >>> from eastasia_data import paths
    >>> len(release_commit(paths.checkout().release_dir("1.0.0"), paths.checkout().root))
    40
    """
    try:
        relative = (release / paths.DESCRIPTOR).resolve().relative_to(root.resolve())
    except ValueError:
        return None
    if paths.git(root, "rev-parse", "--is-shallow-repository").text == "true":  # its oldest commit would seem to add every file
        raise UsageError(f"{root} is a shallow clone: the commit that added a release is not in it "
                         "(git fetch --unshallow)")
    run = paths.git(root, "log", "--diff-filter=A", "--format=%H", "--", relative.as_posix())
    commits = run.text.split() if run.ok else []
    # Newest first: a release directory removed before it was published and built again is the
    # one the newest addition made, so the bundle takes that commit's files.
    return commits[0] if commits else None


def _checkout_file(root: Path, commit: str | None, path: str) -> bytes | None:
    if commit is None:
        file = root / path
        return file.read_bytes() if file.is_file() and not file.is_symlink() else None
    run = paths.git(root, "show", f"{commit}:{path}")
    return run.stdout if run.ok else None


def bundle_members(version: str, release: Path | None = None, *, from_worktree: bool = False) -> list[tuple[str, bytes]]:
    """The members of the bundle of ``version``, in the order they are stored.

    Parameters
    ----------
    version : str
        The release's version.
    release : path, optional
        Its directory (default: ``releases/eastasia-data-<version>/`` of the checkout).
    from_worktree : bool, default False
        Take README, licences and datasheet from the working tree (a release being
        built now) rather than from the commit that added the release.

    Returns
    -------
    list of (str, bytes)

    Raises
    ------
    UsageError
        The release is not built, or (without ``from_worktree``) not committed.

    Examples
    --------
    >>> names = [name for name, _ in bundle_members("0.1.0")]
    >>> "eastasia-data-0.1.0/datasheet.md" in names, names[-1]
    (False, 'eastasia-data-0.1.0/strategy_targets.parquet')
    """
    checkout = paths.checkout()
    release = checkout.release_dir(version) if release is None else Path(release)
    descriptor_file = release / paths.DESCRIPTOR
    if not descriptor_file.is_file():
        raise UsageError(f"{release} is not a built release (no {paths.DESCRIPTOR}); build it first")
    commit = None
    if not from_worktree:
        commit = release_commit(release, checkout.root)
        if commit is None:
            raise UsageError(f"{release} is not committed: a bundle of a built release takes README, licences and "
                             "datasheet from the commit that added it")
    top = paths.release_dirname(version)
    members = []
    with_csv = carries_csv(version)
    for name, source in (CHECKOUT_FILES | READER_FILES if with_csv else CHECKOUT_FILES).items():
        data = _checkout_file(checkout.root, commit, source)
        if data is not None:
            members.append((f"{top}/{name}", data))
    descriptor_bytes = descriptor_file.read_bytes()
    members.append((f"{top}/CITATION.cff", cff(json.loads(descriptor_bytes)).encode("utf-8")))
    members.append((f"{top}/{paths.DESCRIPTOR}", descriptor_bytes))
    for r in json.loads(descriptor_bytes)["resources"]:
        file = release / r["path"]
        if file.parent != release or file.is_symlink() or not file.is_file():
            raise UsageError(f"{release}: resource {r['name']!r} is not a file of the release ({r['path']!r})")
        members.append((f"{top}/{r['path']}", file.read_bytes()))
    if with_csv:
        members += csv_members(release, top)
    return members


def bundle_bytes(members: list[tuple[str, bytes]], created: str) -> bytes:
    """A reproducible zip of ``members``, every member dated ``created`` (RFC 3339, UTC).

    Examples
    --------
    >>> a = bundle_bytes([("x/a.txt", b"a")], "2026-12-01T09:30:42Z")
    >>> a == bundle_bytes([("x/a.txt", b"a")], "2026-12-01T09:30:42Z")
    True
    >>> zipfile.ZipFile(io.BytesIO(a)).getinfo("x/a.txt").date_time
    (2026, 12, 1, 9, 30, 42)
    """
    stamp = (int(created[0:4]), int(created[5:7]), int(created[8:10]),
             int(created[11:13]), int(created[14:16]), int(created[17:19]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def make_bundle(version: str, *, release: Path | None = None, out: Path | None = None,
                from_worktree: bool = False) -> tuple[Path, str]:
    """Write the bundle of ``version`` beside its release, once.

    Returns
    -------
    tuple of (pathlib.Path, str)
        The bundle's path and ``written`` or ``unchanged``.

    Raises
    ------
    BuildError
        A bundle is there with other bytes: bundles, like releases, never change.

    Examples
    --------
    >>> path, status = make_bundle("1.0.0")
    >>> path.name, status
    ('eastasia-data-1.0.0.zip', 'unchanged')
    """
    checkout = paths.checkout()
    release = checkout.release_dir(version) if release is None else Path(release)
    out = bundle_path(version, release.parent) if out is None else Path(out)
    created = json.loads((release / paths.DESCRIPTOR).read_bytes()).get("created") if \
        (release / paths.DESCRIPTOR).is_file() else None
    members = bundle_members(version, release, from_worktree=from_worktree)
    data = bundle_bytes(members, created or "1980-01-01T00:00:00Z")
    if out.exists():
        if out.read_bytes() == data:
            return out, "unchanged"
        raise BuildError(f"{out} exists with other content; a bundle, like its release, is never rewritten "
                         "(delete it only if it was never published)")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a bundle is for everyone to read
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out, "written"
