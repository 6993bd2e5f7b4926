"""Evidence: every excerpt is an exact substring of its source's archived text.

The ``sources`` table records each archived article's file name and sha256;
this layer opens those files (only inside the archive directory), checks the
hash, and looks every excerpt up in the text. When an excerpt is not found it
says where it first parts from the text, e.g. a straight quote where the
source has a curly one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from eastasia_data.curation.checks.kernels import groups, one_of, present, text_array
from eastasia_data.curation.problems import Problem
from eastasia_data.curation.reader import TableFile
from eastasia_data.curation.rules import (
    ARCHIVE_FILE,
    ARCHIVE_PATH,
    AUTHORITY_EXCERPT_MISSING,
    AUTHORITY_EXCERPT_SOURCE,
    EXCERPT,
    EXCERPT_LENGTH,
    EXCERPT_MISSING,
    EXCERPT_SOURCE,
    SHA256,
)
from eastasia_data.errors import UnsafeFileError
from eastasia_data.files import MAX_TABLE_BYTES, read_bytes
from eastasia_data.model import ArchiveIndex


@dataclass
class Archive:
    """The archived texts that could be opened, by source_id, and what went wrong opening the rest."""

    texts: dict[str, str] = field(default_factory=dict)
    archived: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)



#: Fewest words an excerpt may have: a letter or a word is found in any article and proves nothing.
MIN_EXCERPT_WORDS = 2
_WORD = re.compile(r"\w+")

def safe_path(directory: Path, name: str) -> Path | None:
    """``directory/name`` if it stays inside ``directory`` once links are resolved, else None.

    Parameters
    ----------
    directory : pathlib.Path
        The source archive.
    name : str
        A file name from ``sources.archive_file``.

    Returns
    -------
    pathlib.Path or None
        The resolved path, or ``None`` for a name with directories, ``..``, an absolute
        path or a symbolic link.

    Examples
    --------
    >>> safe_path(Path("/tmp"), "../etc/passwd") is None
    True
    """
    if not name or Path(name).is_absolute() or "/" in name or "\\" in name or name in (".", ".."):
        return None
    root = directory.resolve()
    candidate = (directory / name)
    try:
        resolved = candidate.resolve()
    except OSError:
        return None
    if resolved.parent != root or candidate.is_symlink():
        return None
    return resolved


def open_archive(sources: TableFile, directory: Path | None, index: ArchiveIndex) -> Archive:
    """Open the archived text of every source that names an archive file, checking its sha256.

    Parameters
    ----------
    sources : TableFile
        The table that lists the sources, as read.
    directory : pathlib.Path or None
        The source archive; with ``None`` only the set of archived sources is known.
    index : ArchiveIndex
        Which columns of ``sources`` hold the key, the archive file name and its sha256
        (``[tool.eastasia-data.archive]`` of pyproject.toml).

    Returns
    -------
    Archive
        The texts by ``source_id``, the ids of archived sources, and a problem for each
        file that is missing, outside the archive or altered.

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> from eastasia_data.curation.descriptor import checkout_package
    >>> tf = read_checkout()["sources"]
    >>> sorted(open_archive(tf, None, checkout_package().archive).archived)
    ['src-article-china-watching-warily', 'src-china-mail-2025']
    """
    archive = Archive()
    frame = sources.frame
    if frame is None or not {index.key, index.file, index.sha256} <= set(frame.columns):
        return archive
    rows = frame[frame[index.file].notna()]
    archive.archived = set(rows[index.key].dropna())
    if directory is None:
        return archive
    for i, sid, name, expected in zip(rows.index, rows[index.key], rows[index.file], rows[index.sha256]):
        path = safe_path(directory, name)
        if path is None:
            archive.problems.append(sources.problem(int(i), index.file, name, ARCHIVE_PATH,
                                                    "is not a plain file name inside the source archive",
                                                    "give the file's name only: no directories, '..', absolute paths or links"))
            continue
        if not path.is_file():
            archive.problems.append(sources.problem(int(i), index.file, name, ARCHIVE_FILE,
                                                    f"is not in the source archive {directory}",
                                                    "check the name, or add the file to the archive"))
            continue
        try:
            data = read_bytes(path, root=directory, limit=MAX_TABLE_BYTES)
        except (UnsafeFileError, OSError) as exc:
            archive.problems.append(sources.problem(int(i), index.file, name, ARCHIVE_PATH,
                                                    f"cannot be read from the source archive ({exc})",
                                                    "the archive holds plain files only, within the size cap"))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if expected is not None and actual != expected:
            archive.problems.append(sources.problem(int(i), index.sha256, expected, SHA256,
                                                    f"does not match the archived file {name} (its sha256 is {actual})",
                                                    "the archived text changed, or the hash was mistyped: check both"))
        archive.texts[sid] = data.decode("utf-8", errors="replace")
    return archive


def first_difference(excerpt: str, text: str) -> tuple[int, str]:
    """How much of ``excerpt`` the text holds, and a sentence on where they part.

    Examples
    --------
    >>> print(first_difference('a "brother nation"', 'a \u201cbrother nation\u201d')[1])
    the source has '\u201c' where the excerpt has '"' (after 'a ')
    """
    lo, hi = 0, len(excerpt)
    while lo < hi:  # longest prefix of the excerpt found anywhere in the text
        mid = (lo + hi + 1) // 2
        if excerpt[:mid] in text:
            lo = mid
        else:
            hi = mid - 1
    if lo == 0:
        return 0, f"not even its first character {excerpt[:1]!r} occurs in the source"
    at = text.find(excerpt[:lo]) + lo
    got = excerpt[lo]
    has = text[at] if at < len(text) else "the end of the text"
    context = excerpt[max(0, lo - 20):lo]
    return lo, f"the source has {has!r} where the excerpt has {got!r} (after {context!r})"


#: Rows of a table with an ``event_id`` whose event has one of these bases must give an authority's
#: words for every source with no archived text (the rows curated before 3.0 carry none yet).
AUTHORITY_WORDS_REQUIRED_FOR = ("chronology",)


def _authority_words(tf: TableFile, files: dict[str, TableFile], archive: Archive) -> list[Problem]:
    """The ``authorityExcerptOf`` columns: only for sources not archived; required for chronology events."""
    problems: list[Problem] = []
    frame = tf.frame
    if frame is None:
        return problems
    for f in tf.table.fields:
        if not f.authority_excerpt_of or f.name not in frame.columns or f.authority_excerpt_of not in frame.columns:
            continue
        words, sources = text_array(frame[f.name]), text_array(frame[f.authority_excerpt_of])
        has_words, archived = present(words), one_of(sorted(archive.archived))(sources)
        value = lambda column, i: column[int(i)].as_py()  # noqa: E731
        for i in np.flatnonzero(has_words & archived):
            problems.append(tf.problem(int(i), f.name, value(words, i), AUTHORITY_EXCERPT_SOURCE,
                                       f"is given, but source {value(sources, i)!r} is archived",
                                       "quote the archived article in the excerpt column (with its passage_id) instead"))
        events = files.get("events")
        if "event_id" not in frame.columns or events is None or events.frame is None \
                or "basis" not in events.frame.columns:
            continue
        chosen = set(events.frame.loc[events.frame["basis"].isin(AUTHORITY_WORDS_REQUIRED_FOR), "event_id"])
        in_scope = one_of(sorted(chosen))(text_array(frame["event_id"]))
        for i in np.flatnonzero(in_scope & present(sources) & ~archived & ~has_words):
            problems.append(tf.problem(int(i), f.name, None, AUTHORITY_EXCERPT_MISSING,
                                       f"is empty, but source {value(sources, i)!r} has no archived text and the "
                                       "event is on the chronology",
                                       "copy the authority's own words from the page, verbatim"))
    return problems


def check_evidence(files: dict[str, TableFile], archive: Archive, available: bool) -> list[Problem]:
    """Check every excerpt column: filled exactly when its source is archived, and found verbatim there.

    Parameters
    ----------
    files : dict of str to TableFile
        Every table as read.
    archive : Archive
        From :func:`open_archive`.
    available : bool
        Whether the archive directory could be read; when not, only the presence of
        excerpts is checked.

    Returns
    -------
    list of Problem

    Examples
    --------
    >>> from eastasia_data.curation.validate import read_checkout
    >>> from eastasia_data.curation.descriptor import checkout_package
    >>> from eastasia_data.paths import default_sources_dir
    >>> files = read_checkout()
    >>> archive = open_archive(files["sources"], default_sources_dir(), checkout_package().archive)
    >>> files["claims"].frame.loc[0, "excerpt"] = "words the article never used"
    >>> [p.rule for p in check_evidence(files, archive, True)]
    ['excerpt']
    """
    problems: list[Problem] = []
    for tf in files.values():
        if tf.frame is not None:
            problems += _authority_words(tf, files, archive)
    for tf in files.values():
        if tf.frame is None:
            continue
        for f in tf.table.fields:
            if not f.excerpt_of or f.name not in tf.frame.columns or f.excerpt_of not in tf.frame.columns:
                continue
            excerpts, sources = text_array(tf.frame[f.name]), text_array(tf.frame[f.excerpt_of])
            has_excerpt, has_source = present(excerpts), present(sources)
            archived = one_of(sorted(archive.archived))(sources)
            value = lambda column, i: column[int(i)].as_py()  # noqa: E731  (only for the few rows reported)
            for i in np.flatnonzero(has_excerpt & has_source & ~archived):
                problems.append(tf.problem(int(i), f.name, value(excerpts, i), EXCERPT_SOURCE,
                                           f"is given, but source {value(sources, i)!r} has no archived text to check it against",
                                           "leave the excerpt empty for authorities, or cite the archived article"))
            # Each distinct excerpt is counted, and each distinct (source, excerpt) pair searched, once:
            # link tables repeat excerpts.
            too_short = [e for e in pc.unique(excerpts.drop_null()).to_pylist() if len(_WORD.findall(e)) < MIN_EXCERPT_WORDS]
            short = one_of(too_short)(excerpts)
            for i in np.flatnonzero(short):
                problems.append(tf.problem(int(i), f.name, value(excerpts, i), EXCERPT_LENGTH,
                                           f"is fewer than {MIN_EXCERPT_WORDS} words, too short to show what the row says",
                                           "quote the whole clause or sentence that supports the row"))
            for i in np.flatnonzero(~has_excerpt & archived):
                problems.append(tf.problem(int(i), f.name, None, EXCERPT_MISSING,
                                           f"is empty, but source {value(sources, i)!r} is archived",
                                           "copy the passage that supports this row from the archived text"))
            if not available:
                continue
            checked = has_excerpt & archived
            if not checked.any():
                continue
            pairs = [values.filter(pa.array(checked)) for values in (sources, excerpts)]
            firsts = pa.array([m[0] for m in groups(*pairs)], type=pa.int64())
            missing = {}
            for sid, excerpt in zip(*(values.take(firsts).to_pylist() for values in pairs)):
                if sid in archive.texts and excerpt not in archive.texts[sid]:
                    missing[(sid, excerpt)] = first_difference(excerpt, archive.texts[sid])[1]
            if not missing:
                continue
            candidates = checked & one_of(sorted({e for _, e in missing}))(excerpts)
            for i in np.flatnonzero(candidates):
                sid, excerpt = value(sources, i), value(excerpts, i)
                if (sid, excerpt) in missing:
                    problems.append(tf.problem(int(i), f.name, excerpt, EXCERPT,
                                               f"is not in the archived text of {sid}: {missing[(sid, excerpt)]}",
                                               "copy the passage from the archived file byte for byte (curly quotes and dashes included)"))
    return problems
