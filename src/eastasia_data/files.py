"""The one guarded way to open the package's files: no symlinks, paths confined, sizes capped.

Everything a pull request can put in ``data/`` and ``schemas/``, and every path a release
descriptor names, is opened through this module:

* :func:`read_bytes` refuses a symlink anywhere between a root and the file (checked with
  ``lstat``, and the file itself is opened with ``O_NOFOLLOW``), anything that is not a
  regular file, and a file larger than its cap;
* :func:`confined` turns a name from a descriptor into a path inside its directory, or
  refuses it (absolute paths, ``..``, a separator, a symlink);
* :class:`LineIndex` maps byte offsets to physical lines in one pass, whatever the line
  ends (LF, CRLF or a lone CR), :func:`decode_utf8` decodes in linear time, noting
  every invalid byte, and :func:`is_utf8` answers whether there is any without decoding.

A refusal raises :class:`~eastasia_data.errors.UnsafeFileError`, whose message names the
file and what to do; the contributor's reader turns it into a problem instead.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "a.csv").write_bytes(b"x\\r\\ny\\n")
5
>>> read_bytes(root / "a.csv", root=root)
b'x\\r\\ny\\n'
>>> (root / "link.csv").symlink_to(root / "a.csv")
>>> read_bytes(root / "link.csv", root=root)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
eastasia_data.errors.UnsafeFileError: .../link.csv is a symbolic link; ...
"""

from __future__ import annotations

import codecs
import functools
import os
import stat
import threading
from pathlib import Path

import numpy as np

from eastasia_data.errors import UnsafeFileError

__all__ = ["MAX_DESCRIPTOR_BYTES", "MAX_SCHEMA_BYTES", "MAX_TABLE_BYTES", "LineIndex", "confined",
           "decode_utf8", "is_utf8", "read_bytes", "symlink_on_the_way"]

#: Cap on one table's CSV: four times the benchmark's 1,000,000-row set (about 145 MB).
MAX_TABLE_BYTES = 600 * 1024 * 1024
#: Cap on one schema file; the largest real one is a few kilobytes.
MAX_SCHEMA_BYTES = 1024 * 1024
#: Cap on a release descriptor.
MAX_DESCRIPTOR_BYTES = 64 * 1024 * 1024


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MiB"


def symlink_on_the_way(path: str | Path, root: str | Path | None = None) -> Path | None:
    """The first symbolic link among ``path`` and its parents below ``root`` (``None``: there is none).

    Only the part of ``path`` below ``root`` is inspected (the root itself may be reached
    through links, as a checkout in a linked home directory is).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "real").mkdir()
    >>> (root / "linked").symlink_to(root / "real", target_is_directory=True)
    >>> symlink_on_the_way(root / "real" / "x.csv", root) is None
    True
    >>> symlink_on_the_way(root / "linked" / "x.csv", root).name
    'linked'
    """
    path = Path(path)
    if root is None:
        candidates = [path]
    else:
        root = Path(root)
        try:
            rel = path.relative_to(root)
        except ValueError:
            return path if path.is_symlink() else None
        candidates = [root.joinpath(*rel.parts[: i + 1]) for i in range(len(rel.parts))]
    for p in candidates:
        try:
            if stat.S_ISLNK(p.lstat().st_mode):
                return p
        except FileNotFoundError:
            return None
    return None


def read_bytes(path: str | Path, *, root: str | Path | None = None, limit: int = MAX_TABLE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, refusing symlinks (below ``root``), other file kinds and size over ``limit``.

    Raises
    ------
    UnsafeFileError
        ``path`` (or a directory between ``root`` and it) is a symbolic link, is not a
        regular file, or is larger than ``limit`` bytes.
    FileNotFoundError
        There is no such file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "big.csv").write_bytes(b"x" * 100)
    100
    >>> read_bytes(root / "big.csv", limit=10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eastasia_data.errors.UnsafeFileError: .../big.csv is 100 bytes, over the cap of 10 bytes ...
    """
    path = Path(path)
    link = symlink_on_the_way(path, root)
    if link is not None:
        raise UnsafeFileError(f"{link} is a symbolic link; replace it by the file itself (links are not followed)")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        if path.is_symlink():  # ELOOP from O_NOFOLLOW
            raise UnsafeFileError(f"{path} is a symbolic link; replace it by the file itself (links are not followed)") from None
        raise UnsafeFileError(f"{path} cannot be read ({exc.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UnsafeFileError(f"{path} is not a regular file; only plain files are read")
    try:
        if info.st_size > limit:
            raise UnsafeFileError(f"{path} is {info.st_size:,} bytes, over the cap of {limit:,} bytes ({_mib(limit)}); "
                                  "a file this large is not one of ours", reason="too-big")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    if len(data) > limit:  # grew while being read
        raise UnsafeFileError(f"{path} is over the cap of {limit:,} bytes ({_mib(limit)})", reason="too-big")
    return data


def confined(directory: str | Path, name: str) -> Path:
    """The file ``name`` (as a descriptor gives it) inside ``directory``, or a refusal.

    ``name`` must be a plain file name: not absolute, no ``..``, no separator, not a
    symbolic link.

    Raises
    ------
    UnsafeFileError
        ``name`` would leave ``directory``, or names a symbolic link.

    Examples
    --------
    >>> confined("/srv/release", "events.parquet")
    PosixPath('/srv/release/events.parquet')
    >>> confined("/srv/release", "../../etc/passwd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    eastasia_data.errors.UnsafeFileError: '../../etc/passwd' is not a plain file name inside /srv/release; ...
    """
    directory = Path(directory)
    if (not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\\" in name
            or "\x00" in name or Path(name).is_absolute()):
        raise UnsafeFileError(f"{name!r} is not a plain file name inside {directory}; "
                              "a descriptor names only files of its own release")
    path = directory / name
    if path.is_symlink():
        raise UnsafeFileError(f"{path} is a symbolic link; a release holds only plain files")
    return path


class LineIndex:
    """Byte offset → physical line (1-based), with LF, CRLF and a lone CR each ending a line.

    Built in one vectorised pass over the bytes, when first needed; each look-up is a binary search.

    Examples
    --------
    >>> index = LineIndex(b"a\\rb\\r\\nc\\nd")
    >>> [index.line_of(i) for i in (0, 2, 3, 5, 7)]
    [1, 2, 2, 3, 4]
    """

    def __init__(self, data: bytes):
        self._data = data

    @functools.cached_property
    def starts(self) -> np.ndarray:
        """Offset of the first byte of every line after the first (computed on the first look-up).

        Examples
        --------
        >>> LineIndex(b"a\\r\\nb\\rc").starts.tolist()
        [3, 5]
        """
        data = self._data
        buf = np.frombuffer(data, dtype=np.uint8)
        ends = np.flatnonzero(buf == 0x0A)
        if b"\r" in data:
            cr = np.flatnonzero(buf == 0x0D)
            after = np.minimum(cr + 1, len(buf) - 1)
            alone = (cr + 1 >= len(buf)) | (buf[after] != 0x0A)  # in CRLF the line ends at the LF
            ends = np.union1d(ends, cr[alone])
        return ends + 1

    def line_of(self, offset: int) -> int:
        """The line holding byte ``offset``.

        Examples
        --------
        >>> LineIndex(b"x\\ny").line_of(2)
        2
        """
        return int(np.searchsorted(self.starts, offset, side="right")) + 1


_noted = threading.local()


def _note(exc: UnicodeDecodeError) -> tuple[str, int]:
    found = _noted.offsets
    if len(found) < _noted.limit:
        found.append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("eastasia-data-note", _note)  # type: ignore[arg-type]  # only ever given decode errors


def decode_utf8(data: bytes, *, limit: int = 1_000_000) -> tuple[str, list[int]]:
    """Decode UTF-8 in one pass; the text (U+FFFD for each bad sequence, as ``errors="replace"``) and where each bad sequence starts.

    Offsets past the first ``limit`` are not recorded (the text is still decoded whole).

    Examples
    --------
    >>> decode_utf8(b"caf\\xe9 ok \\xff")
    ('caf\ufffd ok \ufffd', [3, 8])
    """
    _noted.offsets, _noted.limit = [], limit
    try:
        return data.decode("utf-8", errors="eastasia-data-note"), _noted.offsets
    finally:
        _noted.offsets = []


def is_utf8(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8, as a strict ``data.decode("utf-8")`` would find, without building the text.

    Arrow validates the bytes in place (several times faster than decoding, and no copy), so a
    reader decodes only what it needs of a clean file, and all of a file with bad bytes.

    Examples
    --------
    >>> is_utf8("caf\u00e9 \u2019".encode()), is_utf8(b"caf\\xe9"), is_utf8(b"\\xed\\xa0\\x80")  # the last: a surrogate
    (True, False, False)
    """
    if data.isascii():
        return True
    import pyarrow as pa

    offsets = pa.array([0, len(data)], type=pa.int64()).buffers()[1]
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True
