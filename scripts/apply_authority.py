"""Write gathered authority quotes and reading days into data/claims.csv and data/sources.csv.

Usage::

    .venv/bin/python scripts/apply_authority.py SIDEFILE... [--data-dir DIR]

Each SIDEFILE is JSON of this form (either part may be left out)::

    {"claims": {"<claim_id>": {"authority_excerpt": "...", "verdict_note_append": "optional sentence"}},
     "sources": {"<source_id>": {"accessed": "YYYY-MM-DD", "read_url": "optional URL"}}}

``authority_excerpt``, ``accessed`` and ``read_url`` replace the cell; ``verdict_note_append``
is added to the end of the claim's verdict note (once: a note that already ends with it is
left alone, so running the script twice changes nothing). Text is trimmed and written in
the project's canonical CSV form (the form ``eastasia-data fmt`` writes).

Nothing is written unless every side file is well formed and names only existing rows: an
unknown id, an unknown key, a value that is not text, or two side files giving one cell
different values is refused with one line each (exit 1). An unexpected failure is one
line (exit 2). Run ``eastasia-data validate`` afterwards: it checks the values (a real
calendar day, an absolute URL, a quote for every rated claim).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CLAIM_KEYS = ("authority_excerpt", "verdict_note_append")
SOURCE_KEYS = ("accessed", "read_url")
#: Side-file part -> (table, its key column, the keys an entry may have).
PARTS = {"claims": ("claims", "claim_id", CLAIM_KEYS), "sources": ("sources", "source_id", SOURCE_KEYS)}


def read_sidefiles(files: list[Path], known: dict[str, set[str]]) -> tuple[dict[str, dict[str, dict[str, str]]], list[str]]:
    """The updates of every side file merged (part -> id -> key -> value), and one line per problem.

    ``known`` holds the ids of each part's table (``{"claims": {...}, "sources": {...}}``).
    """
    merged: dict[str, dict[str, dict[str, str]]] = {part: {} for part in PARTS}
    origin: dict[tuple[str, str, str], str] = {}
    problems: list[str] = []
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{path}: cannot be read as JSON ({exc})")
            continue
        if not isinstance(doc, dict):
            problems.append(f"{path}: is not a JSON object with 'claims' and/or 'sources'")
            continue
        for part in sorted(set(doc) - set(PARTS)):
            problems.append(f"{path}: unknown part {part!r}; use 'claims' or 'sources'")
        for part, (table, key_column, keys) in PARTS.items():
            entries = doc.get(part, {})
            if not isinstance(entries, dict):
                problems.append(f"{path}: {part}: is not an object of {key_column} -> values")
                continue
            for row_id, values in entries.items():
                if row_id not in known[part]:
                    problems.append(f"{path}: {part}: unknown {key_column} {row_id!r} (not in data/{table}.csv)")
                    continue
                if not isinstance(values, dict):
                    problems.append(f"{path}: {part}: {row_id}: is not an object of {', '.join(keys)}")
                    continue
                for name, value in values.items():
                    if name not in keys:
                        problems.append(f"{path}: {part}: {row_id}: unknown key {name!r}; use {', '.join(keys)}")
                    elif not isinstance(value, str) or not value.strip():
                        problems.append(f"{path}: {part}: {row_id}: {name} is not a non-empty string: {value!r}")
                    else:
                        value = value.strip()
                        before = merged[part].setdefault(row_id, {}).get(name)
                        if before is not None and before != value:
                            problems.append(f"{path}: {part}: {row_id}: {name} differs from the value in "
                                            f"{origin[(part, row_id, name)]}")
                            continue
                        merged[part][row_id][name] = value
                        origin[(part, row_id, name)] = str(path)
    return merged, problems


def apply(files: list[Path], data_dir: Path) -> tuple[int, list[str]]:
    """Apply the side files to ``data_dir``; the exit code and the lines to print."""
    from eastasia_data.curation.fmt import canonical_text
    from eastasia_data.curation.problems import display_path
    from eastasia_data.curation.reader import read_table_file
    from eastasia_data.curation.rules import fmt_can_rewrite
    from eastasia_data.curation.schemas import read_model

    model = read_model()
    frames, problems = {}, []
    for part, (table, key_column, _) in PARTS.items():
        path = data_dir / model[table].csv_name
        tf = read_table_file(model[table], path, display_path(path))
        blocking = [p for p in tf.problems if not fmt_can_rewrite(p.rule)]
        if blocking or tf.frame is None:
            problems += [p.as_text() for p in blocking] or [f"{display_path(path)}: cannot be read"]
            continue
        frame = tf.frame.copy()
        for f in model[table].fields:
            if f.name not in frame.columns:  # an optional column the file lacks (fmt adds it)
                frame[f.name] = None
        frames[part] = (table, key_column, path, frame)
    if problems:
        return 1, problems
    known = {part: set(frame[key].dropna()) for part, (_, key, _, frame) in frames.items()}
    updates, problems = read_sidefiles(files, known)
    if problems:
        return 1, problems + [f"nothing written: {len(problems)} problem(s) in the side files"]
    out, said = {}, []
    for part, (table, key_column, path, frame) in frames.items():
        changed = 0
        position = {row_id: i for i, row_id in enumerate(frame[key_column])}
        for row_id, values in sorted(updates[part].items()):
            i = frame.index[position[row_id]]
            before = frame.loc[i].copy()
            for name, value in values.items():
                if name == "verdict_note_append":
                    note = frame.at[i, "verdict_note"]
                    note = note.strip() if isinstance(note, str) else ""
                    if not note.endswith(value):
                        frame.at[i, "verdict_note"] = f"{note} {value}".strip()
                else:
                    frame.at[i, name] = value
            changed += not before.equals(frame.loc[i])
        text = canonical_text(model[table], frame)
        out[path] = text.encode("utf-8")
        said.append(f"{display_path(path)}: {changed} of {len(updates[part])} {table} changed")
    for path, data in out.items():  # everything checked above: now write, each file atomically
        if path.read_bytes() != data:
            tmp = path.with_name(f".{path.name}.apply")
            tmp.write_bytes(data)
            tmp.replace(path)
    return 0, said + ["now run `eastasia-data validate`"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sidefiles", nargs="+", type=Path, metavar="SIDEFILE")
    parser.add_argument("--data-dir", type=Path, default=None, help="directory of the CSV tables (default: data/)")
    args = parser.parse_args(argv)
    try:
        from eastasia_data import paths

        data_dir = args.data_dir or paths.data_dir()
        code, lines = apply(args.sidefiles, data_dir)
    except Exception as exc:  # one line, never a traceback
        print(f"apply_authority: unexpected failure: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines), file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
