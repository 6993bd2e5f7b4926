"""Work that does not change between runs, kept in the checkout's ``.eastasia_data_cache/``.

Reading the schema files (YAML, then a JSON Schema check, then what a JSON Schema cannot
say) costs more than the rest of a small validation together, yet the files rarely change.
So the outcome of checking one file's text is stored under a key made of that text's
sha256, the package version, the sha256 of the code that checks it and the Python and
Unicode versions; the next run with the same text reads the entry and skips the work
(and the imports of PyYAML and jsonschema with it). The checkout's directory is git-ignored,
as ``.mypy_cache`` and ``.ruff_cache`` are, and may be deleted at any time.

A cache never changes what a command says or its exit status:

* an entry holds only plain JSON (never pickle) and is checked before use: one that cannot
  be read, is not JSON, has another format or key, or whose signature does not verify is
  ignored and written anew;
* each entry is signed (HMAC-SHA256) with a key kept outside the checkout, in the user's
  cache directory (``$XDG_CACHE_HOME/eastasia-data/cache-key``, else ``~/.cache/...``), so an
  entry that came with the checkout (committed in a pull request, copied from another
  machine) is foreign and ignored: what a pull request brings is always checked;
* every failure to write (a read-only checkout, a full disk, no home directory) is silent:
  the command runs as it would without a cache;
* ``EASTASIA_NO_CACHE=1`` turns the cache off.

Besides JSON values, an entry can hold bytes (:meth:`Cache.get_bytes`, :meth:`Cache.put_bytes`):
``diff`` and ``check-version`` keep there each table of a checkout typed as a release stores
it (Arrow IPC), keyed by the CSV's bytes and the table's schema, so an unchanged side of a
comparison is not read and typed again. Such an entry is signed over its bytes in the same way.
The corrections check keeps the row keys and columns of each released table it looks a
removed row up in, keyed by the release's descriptor and its Parquet files' sizes and times;
``fmt`` remembers each file it found canonical, by its bytes and its table's schema;
``check-version`` the bump each release's changes require over the release before it.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> cache = Cache(root / CACHE_DIR, secret=b"k" * 32)
>>> key = cache.key("demo", b"some text")
>>> cache.get("demo", key) is None
True
>>> cache.put("demo", key, {"answer": [1, 2.5, "three"]})
>>> cache.get("demo", key)
{'answer': [1, 2.5, 'three']}
>>> Cache(root / CACHE_DIR, secret=b"x" * 32).get("demo", key) is None  # another key: foreign, ignored
True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

#: The cache's directory in a checkout (listed in ``.gitignore``).
CACHE_DIR = ".eastasia_data_cache"
#: The layout of an entry; a change makes every older entry foreign.
FORMAT = 1
#: An entry larger than this is not read (a schema file's entry is a few KiB).
MAX_ENTRY_BYTES = 4 * 1024 * 1024
#: A bytes entry larger than this is neither written nor read (the real data's largest typed table is ~100 KiB).
MAX_BYTES_ENTRY = 64 * 1024 * 1024

_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# eastasia-data's cache; see eastasia_data/curation/cache.py\n"
#: The head of a bytes entry: its signature (64 hexadecimal digits) and a newline.
_HEAD = 65


class Cache:
    """Signed JSON entries under ``directory``, one file per (kind, key); see the module's docstring."""

    def __init__(self, directory: Path, secret: bytes) -> None:
        self.directory = Path(directory)
        self._secret = secret

    def key(self, kind: str, *parts: bytes) -> str:
        """The entry's name: a sha256 over the kind, the code's fingerprint and ``parts``.

        Examples
        --------
        >>> cache = Cache(Path("/nonexistent"), secret=b"k" * 32)
        >>> key = cache.key("schema", b"fields: []")
        >>> len(key), key == cache.key("schema", b"fields: [] ")
        (64, False)
        """
        h = hashlib.sha256(f"{FORMAT}\0{kind}\0{fingerprint()}".encode())
        for part in parts:
            h.update(len(part).to_bytes(8, "little"))
            h.update(part)
        return h.hexdigest()

    def _sign(self, kind: str, key: str, body: str) -> str:
        return hmac.new(self._secret, f"{kind}\0{key}\0{body}".encode(), hashlib.sha256).hexdigest()

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored under (kind, key), or None when there is none or it is damaged or foreign.

        Examples
        --------
        >>> import tempfile
        >>> cache = Cache(Path(tempfile.mkdtemp()) / CACHE_DIR, secret=b"k" * 32)
        >>> cache.get("schema", cache.key("schema", b"never stored")) is None
        True
        """
        path = self.directory / kind / f"{key}.json"
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as f:
                data = f.read(MAX_ENTRY_BYTES + 1)
            if len(data) > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(data.decode("utf-8"))
            if not (isinstance(entry, dict) and entry.get("format") == FORMAT and entry.get("kind") == kind
                    and entry.get("key") == key and isinstance(entry.get("value"), str)
                    and isinstance(entry.get("signature"), str)):
                return None
            if not hmac.compare_digest(entry["signature"], self._sign(kind, key, entry["value"])):
                return None
            return json.loads(entry["value"])
        except (OSError, ValueError, RecursionError):  # missing, unreadable, not UTF-8, not JSON: no entry
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` (plain JSON) under (kind, key), atomically; any failure to write is ignored.

        Examples
        --------
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> (root / "file").write_text("a file where the cache's directory would go")
        43
        >>> Cache(root / "file", secret=b"k" * 32).put("schema", "0" * 64, {"a": 1})  # nothing written, no error
        >>> cache = Cache(root / CACHE_DIR, secret=b"k" * 32)
        >>> cache.put("schema", "0" * 64, {"a": 1}); cache.get("schema", "0" * 64)
        {'a': 1}
        """
        try:
            body = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError):  # not plain JSON: not cached
            return
        entry = {"format": FORMAT, "kind": kind, "key": key, "value": body, "signature": self._sign(kind, key, body)}
        self._write(kind, f"{key}.json", json.dumps(entry, ensure_ascii=False).encode("utf-8"))

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        """The bytes stored under (kind, key), or None when there are none or they are damaged or foreign.

        Examples
        --------
        >>> import tempfile
        >>> cache = Cache(Path(tempfile.mkdtemp()) / CACHE_DIR, secret=b"k" * 32)
        >>> cache.put_bytes("typed", "0" * 64, b"any bytes")
        >>> cache.get_bytes("typed", "0" * 64)
        b'any bytes'
        >>> Cache(cache.directory, secret=b"x" * 32).get_bytes("typed", "0" * 64) is None  # foreign
        True
        """
        path = self.directory / kind / f"{key}.bin"
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as f:
                data = f.read(MAX_BYTES_ENTRY + _HEAD + 1)
        except OSError:  # missing, a directory, unreadable: no entry
            return None
        head, body = data[:_HEAD], data[_HEAD:]
        if len(data) > MAX_BYTES_ENTRY + _HEAD or head[-1:] != b"\n":
            return None
        if not hmac.compare_digest(head[:-1], self._sign_bytes(kind, key, body).encode()):
            return None
        return body

    def put_bytes(self, kind: str, key: str, data: bytes) -> None:
        """Store ``data`` under (kind, key), atomically, unless larger than :data:`MAX_BYTES_ENTRY`; failures are ignored.

        Examples
        --------
        >>> import tempfile
        >>> cache = Cache(Path(tempfile.mkdtemp()) / CACHE_DIR, secret=b"k" * 32)
        >>> cache.put_bytes("typed", "1" * 64, b"abc"); cache.get_bytes("typed", "1" * 64)
        b'abc'
        """
        if len(data) > MAX_BYTES_ENTRY:
            return
        self._write(kind, f"{key}.bin", self._sign_bytes(kind, key, data).encode() + b"\n" + data)

    def _sign_bytes(self, kind: str, key: str, data: bytes) -> str:
        mac = hmac.new(self._secret, f"{FORMAT}\0{kind}\0{key}\0".encode(), hashlib.sha256)
        mac.update(data)
        return mac.hexdigest()

    def _write(self, kind: str, name: str, data: bytes) -> None:
        """Write ``data`` as ``kind/name`` through a temporary file and a rename; any OSError is ignored."""
        folder = self.directory / kind
        tmp = None
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(exist_ok=True)
                # Not for git, and marked as a cache for backup tools (https://bford.info/cachedir/).
                (self.directory / ".gitignore").write_text("*\n", encoding="utf-8")
                (self.directory / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
            folder.mkdir(exist_ok=True)
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / name)
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                try:
                    tmp.unlink()
                except OSError:
                    pass


#: The modules whose code decides what the cached values are: a change to any of them makes a new key.
_CODE = ("curation/cache.py", "curation/schemas.py", "curation/problems.py", "curation/rules.py",
         "curation/checks/hygiene.py", "curation/checks/invisible.json", "types.py",
         # the typed tables of a checkout (``curation/snapshot.py``): read, checked and typed by these
         "curation/snapshot.py", "curation/reader.py", "curation/build.py", "curation/checks/kernels.py",
         "model.py", "dates.py", "files.py",
         # the keys and columns of a released table that the corrections check looks rows up in
         "curation/checks/corrections.py", "loader.py", "releases.py", "views.py",
         # a file found canonical by fmt
         "curation/fmt.py",
         # the bump one release requires over the one before (check-version)
         "curation/diff.py", "curation/gates.py", "curation/versioning.py")


def release_state(directory: Path) -> bytes | None:
    """What a cache key holds of a built release: its descriptor's bytes and its Parquet files' sizes and times.

    None when the release cannot be read (the caller then works without the cache).

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> release_state(release_dir()).startswith(b"{")
    True
    """
    from eastasia_data import paths
    from eastasia_data.errors import EastAsiaError
    from eastasia_data.files import MAX_DESCRIPTOR_BYTES, read_bytes

    directory = Path(directory)
    try:
        described = read_bytes(directory / paths.DESCRIPTOR, root=directory, limit=MAX_DESCRIPTOR_BYTES)
        stats = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(directory.glob("*.parquet"))]
    except (OSError, EastAsiaError):
        return None
    return described + b"\0" + repr(stats).encode()


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The package version, the sha256 of the checking code, and Python's and Unicode's versions.

    Examples
    --------
    >>> len(fingerprint().split()) == 4
    True
    """
    import eastasia_data
    from eastasia_data import paths

    h = hashlib.sha256()
    for name in _CODE:
        try:
            h.update((paths.PACKAGE_DIR / name).read_bytes())
        except OSError:
            h.update(b"\0missing " + name.encode())
    return f"{eastasia_data.__version__} {h.hexdigest()} {sys.version.split()[0]} {unicodedata.unidata_version}"


def _secret() -> bytes | None:
    """The signing key kept in the user's cache directory (made on first use), or None if there is none."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "eastasia-data" / "cache-key"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            secret = f.read(65)
        if len(secret) == 32:
            return secret
    except OSError:
        pass
    try:  # none yet (or damaged): make one, readable by its owner only
        path.parent.mkdir(parents=True, exist_ok=True)
        secret = os.urandom(32)
        tmp = path.with_name(f".cache-key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(secret)
        os.replace(tmp, path)
        return secret
    except OSError:
        return None


def checkout_cache() -> Cache | None:
    """The cache of the checkout a command works on; None outside one, with ``EASTASIA_NO_CACHE`` set, or with no key.

    Examples
    --------
    >>> import os
    >>> cache = checkout_cache()
    >>> cache is None or cache.directory.name == CACHE_DIR
    True
    """
    if os.environ.get("EASTASIA_NO_CACHE", "") not in ("", "0"):
        return None
    from eastasia_data import paths

    checkout = paths.checkout_or_none()
    if checkout is None:
        return None
    secret = _secret()
    return None if secret is None else Cache(checkout.root / CACHE_DIR, secret)
