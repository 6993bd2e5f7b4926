"""Where the files are: the checkout a command works on, the source archive, the shipped release.

Two places matter, and they are told apart:

* the **checkout** a contributor's command (validate, fmt, build, diff, ...) works on: the
  directory given with ``--repo``, else the nearest directory at or above the current one
  that holds ``pyproject.toml`` naming ``eastasia-data`` and a ``schemas/`` directory, as git
  finds its repository. Outside one, :func:`checkout` raises :class:`NotACheckoutError`;
* the **release** a reader's ``load()`` reads: the one shipped inside the installed wheel,
  or, when the package runs from a source checkout (an editable install), that checkout's
  built release of its own version.

Nothing here imports anything heavy; ``pyproject.toml`` is read with the standard library.

Examples
--------
>>> from eastasia_data import paths
>>> paths.checkout().schemas_dir.name
'schemas'
>>> paths.release_dirname("1.2.3")
'eastasia-data-1.2.3'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from eastasia_data.errors import NotACheckoutError, UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
#: The release inside an installed wheel (put there by ``hatch_build.py``).
SHIPPED_RELEASE = PACKAGE_DIR / "release"
PROJECT_NAME = "eastasia-data"
DESCRIPTOR = "datapackage.json"


def release_dirname(version: str) -> str:
    """The directory name of the release of ``version``: ``eastasia-data-<version>``.

    Examples
    --------
    >>> release_dirname("0.1.0")
    'eastasia-data-0.1.0'
    """
    return f"{PROJECT_NAME}-{version}"


def version_of_release_dir(name: str) -> str | None:
    """The version a release directory's name carries, or None if it is not one.

    Examples
    --------
    >>> version_of_release_dir("eastasia-data-0.1.0"), version_of_release_dir("other")
    ('0.1.0', None)
    """
    prefix = PROJECT_NAME + "-"
    return name[len(prefix):] if name.startswith(prefix) and len(name) > len(prefix) else None


@lru_cache(maxsize=32)
def _read_pyproject(path: Path, mtime_ns: int) -> dict[str, Any]:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


def read_pyproject(path: Path) -> dict[str, Any]:
    """``pyproject.toml`` as a dict, read again only when the file changes.

    Raises
    ------
    UsageError
        The file cannot be read or is not TOML.

    Examples
    --------
    >>> read_pyproject(checkout().root / "pyproject.toml")["project"]["name"]
    'eastasia-data'
    """
    import tomllib

    try:
        return _read_pyproject(path, path.stat().st_mtime_ns)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot be read as TOML ({exc})") from None


@dataclass(frozen=True)
class Checkout:
    """A checkout of eastasia-data: ``data/``, ``schemas/``, ``releases/`` and ``pyproject.toml``."""

    root: Path

    @property
    def data_dir(self) -> Path:
        """``data`` of the checkout.

        Examples
        --------
        >>> checkout().data_dir.name
        'data'
        """
        return self.root / "data"

    @property
    def schemas_dir(self) -> Path:
        """``schemas`` of the checkout.

        Examples
        --------
        >>> checkout().schemas_dir.name
        'schemas'
        """
        return self.root / "schemas"

    @property
    def releases_dir(self) -> Path:
        """``releases`` of the checkout.

        Examples
        --------
        >>> checkout().releases_dir.name
        'releases'
        """
        return self.root / "releases"

    @property
    def pyproject_path(self) -> Path:
        """``pyproject.toml`` of the checkout.

        Examples
        --------
        >>> checkout().pyproject_path.name
        'pyproject.toml'
        """
        return self.root / "pyproject.toml"

    def pyproject(self) -> dict[str, Any]:
        """The checkout's ``pyproject.toml``, parsed.

        Examples
        --------
        >>> checkout().pyproject()["project"]["name"]
        'eastasia-data'
        """
        return read_pyproject(self.pyproject_path)

    @property
    def version(self) -> str:
        """The version ``pyproject.toml`` names.

        Examples
        --------
        >>> import re
        >>> bool(re.fullmatch(r"\\d+\\.\\d+\\.\\d+", checkout().version))
        True
        """
        try:
            return str(self.pyproject()["project"]["version"])
        except (KeyError, TypeError):
            raise UsageError(f"{self.pyproject_path}: no [project] version") from None

    def release_dir(self, version: str | None = None) -> Path:
        """``releases/eastasia-data-<version>`` (default: this checkout's version).

        Examples
        --------
        >>> checkout().release_dir("0.1.0").name
        'eastasia-data-0.1.0'
        """
        return self.releases_dir / release_dirname(version or self.version)


def is_checkout(path: Path) -> bool:
    """Whether ``path`` is the top of a checkout of eastasia-data.

    Examples
    --------
    >>> is_checkout(checkout().root), is_checkout(Path("/"))
    (True, False)
    """
    project = path / "pyproject.toml"
    if not project.is_file() or not (path / "schemas").is_dir():
        return False
    try:
        return read_pyproject(project).get("project", {}).get("name") == PROJECT_NAME
    except UsageError:
        return False


def find_checkout(start: str | Path | None = None) -> Checkout | None:
    """The checkout at or above ``start`` (default: the current directory), or None.

    Examples
    --------
    >>> find_checkout(checkout().root / "data").root == checkout().root
    True
    """
    here = Path(start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if is_checkout(candidate):
            return Checkout(candidate)
    return None


_selected: Checkout | None = None


@contextmanager
def use_checkout(root: str | Path | None) -> Iterator[None]:
    """Make ``root`` the checkout that :func:`checkout` returns (``--repo DIR``) inside the block.

    Raises
    ------
    NotACheckoutError
        ``root`` is not a checkout of eastasia-data.

    Examples
    --------
    >>> with use_checkout(checkout().root):
    ...     checkout().schemas_dir.is_dir()
    True
    """
    global _selected
    if root is None:
        yield
        return
    path = Path(root).resolve()
    if not is_checkout(path):
        raise NotACheckoutError(f"{root}: not a checkout of eastasia-data (it needs pyproject.toml and schemas/)")
    previous, _selected = _selected, Checkout(path)
    try:
        yield
    finally:
        _selected = previous


def checkout() -> Checkout:
    """The checkout a contributor's command works on: ``--repo``, else found from the current directory.

    Raises
    ------
    NotACheckoutError
        The current directory is not inside a checkout of eastasia-data.

    Examples
    --------
    >>> (checkout().data_dir / "events.csv").is_file()
    True
    """
    if _selected is not None:
        return _selected
    found = find_checkout()
    if found is None:
        raise NotACheckoutError(
            f"{Path.cwd()}: not inside a checkout of eastasia-data; run the command in one, or pass --repo DIR"
        )
    return found


def checkout_or_none() -> Checkout | None:
    """The checkout :func:`checkout` would return, or None outside one (for a reader's command).

    Examples
    --------
    >>> checkout_or_none() == checkout()
    True
    """
    return _selected if _selected is not None else find_checkout()


def source_checkout() -> Checkout | None:
    """The checkout this package's code runs from (an editable install), or None for a wheel.

    Examples
    --------
    >>> source_checkout() is None or source_checkout().schemas_dir.is_dir()
    True
    """
    root = PACKAGE_DIR.parent.parent
    return Checkout(root) if is_checkout(root) else None


def schemas_dir() -> Path:
    """The checkout's ``schemas/`` directory.

    Examples
    --------
    >>> schemas_dir().name
    'schemas'
    """
    return checkout().schemas_dir


def data_dir() -> Path:
    """The checkout's ``data/`` directory of curated CSV tables.

    Examples
    --------
    >>> (data_dir() / "events.csv").is_file()
    True
    """
    return checkout().data_dir


def releases_dir() -> Path:
    """The checkout's ``releases/`` directory, one ``eastasia-data-<version>/`` per built release.

    Examples
    --------
    >>> releases_dir().name
    'releases'
    """
    return checkout().releases_dir


def default_sources_dir() -> Path | None:
    """The archive of source texts: ``$EASTASIA_SOURCES``, else ``../shared/sources`` beside the checkout.

    Returns
    -------
    pathlib.Path or None
        ``None`` when neither is set nor found.

    Raises
    ------
    UsageError
        ``EASTASIA_SOURCES`` is set to something that is not a directory: a path set
        explicitly must exist.

    Examples
    --------
    >>> from unittest import mock
    >>> import tempfile
    >>> archive = tempfile.mkdtemp()
    >>> with mock.patch.dict("os.environ", {"EASTASIA_SOURCES": archive}):
    ...     default_sources_dir() == Path(archive)
    True
    """
    env = os.environ.get("EASTASIA_SOURCES")
    if env:
        if not Path(env).is_dir():
            raise UsageError(f"EASTASIA_SOURCES={env}: not a directory (unset it, or point it at the source archive)")
        return Path(env)
    bases = [Path.cwd()]
    found = find_checkout()
    if found is not None:
        bases.append(found.root)
    for base in bases:
        candidate = base.parent / "shared" / "sources"
        if candidate.is_dir():
            return candidate
    return None


# ---------------------------------------------------------------------------------------------
# git: the one runner every module uses (integrity, release, snapshot, bundle, build)


@dataclass(frozen=True)
class GitRun:
    """What a git command did: whether it succeeded, its output (bytes) and its error text."""

    ok: bool
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        """The output as text, stripped of surrounding whitespace.

        Examples
        --------
        >>> GitRun(True, b"abc\\n", "").text
        'abc'
        """
        return self.stdout.decode("utf-8", "replace").strip()


def git(root: str | Path, *args: str, timeout: float = 120) -> GitRun:
    """Run ``git -C root ARGS`` and return what it did; never raises (a missing git is a failed run).

    Examples
    --------
    >>> git(checkout().root, "rev-parse", "--is-inside-work-tree").text
    'true'
    >>> git(checkout().root, "no-such-command").ok
    False
    """
    import subprocess

    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return GitRun(False, b"", str(exc))
    return GitRun(proc.returncode == 0, proc.stdout, proc.stderr.decode("utf-8", "replace").strip())


def last_commit_epoch(root: str | Path) -> str:
    """The commit time of ``root``'s last commit, in seconds since 1970, as text; empty outside git.

    Examples
    --------
    >>> last_commit_epoch(checkout().root).isdigit()
    True
    """
    run = git(root, "log", "-1", "--format=%ct")
    return run.text if run.ok else ""
