"""The ``eastasia-data`` command: argument parsing and exit codes only.

Exit status (the map is :mod:`eastasia_data.errors`): 0 success, 1 invalid data or a
refused action, 2 a usage or I/O error. Every command calls a function that tests and
notebooks can call directly. A contributor's command works on the checkout found from the
current directory (or ``--repo DIR``) and imports :mod:`eastasia_data.curation` only when
it runs; a reader's command (cite, verify, export, plot) never does.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from eastasia_data.errors import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    EastAsiaError,
    MissingExtraError,
    UsageError,
    exit_code,
    need,
)

#: What the contributor's commands import; each is named in the message when it is missing.
CURATION_NEEDS = (("pandera", "validate"), ("yaml", "validate"), ("feedgen", "validate"))


def _needs_curation(what: str, modules: tuple[str, ...] = ("pandera", "yaml")) -> None:
    """Refuse, naming the extra, when a command's dependencies are not installed (nothing is imported).

    The checkout comes first: outside one, that is the message, not a missing extra.
    """
    from eastasia_data import paths

    paths.checkout()
    for module, extra in CURATION_NEEDS:
        if module in modules:
            need(module, extra, what)


def _validate_args(args) -> dict:
    return {"data_dir": args.data_dir, "sources_dir": args.sources_dir}


def _check_dirs(args) -> str | None:
    for label in ("data_dir", "sources_dir"):
        value = getattr(args, label, None)
        if value is not None and not Path(value).is_dir():
            return f"--{label.replace('_', '-')} {value}: not a directory"
    return None


def cmd_validate(args) -> int:
    """``eastasia-data validate``: print the report; 0 when valid, 1 when not.

    Examples
    --------
    >>> cmd_validate(parser().parse_args(["validate"]))  # doctest: +ELLIPSIS
    valid: checked ... tables, ... rows
    0
    """
    _needs_curation("validate")
    from eastasia_data.curation.validate import validate

    report = validate(**_validate_args(args))
    print(report.render(args.format))
    return EXIT_OK if report.valid else EXIT_REFUSED


def cmd_build(args) -> int:
    """``eastasia-data build``: validate, then write the release; 1 if invalid or refused.

    Examples
    --------
    >>> import tempfile
    >>> cmd_build(parser().parse_args(["build", "--out", tempfile.mkdtemp()]))  # doctest: +ELLIPSIS
    built: .../eastasia-data-... (version ...; valid: checked ... tables, ... rows)
    0
    """
    _needs_curation("build")
    from eastasia_data.curation.build import build
    from eastasia_data.curation.validate import validate

    report = validate(**_validate_args(args))
    if not report.valid:
        print(report.render(args.format))
        print("nothing was built: fix the problems above first", file=sys.stderr)
        return EXIT_REFUSED
    result = build(args.out, report=report)
    print(f"{result.status}: {result.path} (version {result.version}; {report.summary})")
    return EXIT_OK


def cmd_agreement(args) -> int:
    """``eastasia-data agreement``: Krippendorff's alpha per coded field; 0 when every field meets the target.

    Exit status 1 when a field is below the target (0.80) or its alpha cannot be computed, or when the
    data is not valid; 0 when every field meets the target, and when there are no codings yet.

    Examples
    --------
    >>> code = cmd_agreement(parser().parse_args(["agreement", "--format", "json"]))  # doctest: +ELLIPSIS
    {...}
    >>> code in (0, 1)
    True
    """
    _needs_curation("agreement")
    need("krippendorff", "validate", "agreement")
    from eastasia_data.curation.agreement import checkout_agreement, render
    from eastasia_data.errors import InvalidDataError

    if args.round is not None and args.round < 1:
        raise UsageError(f"--round {args.round}: rounds are numbered from 1")
    try:
        results = checkout_agreement(round=args.round, data_dir=args.data_dir, sources_dir=args.sources_dir)
    except InvalidDataError as exc:
        if exc.report is not None:
            print(exc.report.render("text"), file=sys.stderr)
        print("no agreement was computed: fix the problems above first", file=sys.stderr)
        return EXIT_REFUSED
    print(render(results, args.format))
    return EXIT_OK if all(r.meets_target for r in results.values()) else EXIT_REFUSED


def cmd_generate(args) -> int:
    """``eastasia-data generate [--check]``: rewrite the generated files, or report stale ones (exit 1).

    Examples
    --------
    >>> cmd_generate(parser().parse_args(["generate", "--check"]))  # doctest: +ELLIPSIS
    up to date: .../datapackage.json
    ...
    0
    """
    _needs_curation("generate", ("yaml", "feedgen"))
    from eastasia_data.curation.generate import Generated, generate

    commands = Generated("README.md", commands_markdown, "commands")
    statuses: dict = {}  # a file with several generated blocks (README.md) is named once, with its worst status
    for path, status in generate(check=args.check, extra=[commands]):
        if statuses.get(path, "up to date") == "up to date":
            statuses[path] = status
    for path, status in statuses.items():
        print(f"{status}: {path}")
    return EXIT_REFUSED if args.check and any(s != "up to date" for s in statuses.values()) else EXIT_OK


def cmd_verify(args) -> int:
    """``eastasia-data verify``: check every release the installation ships against its anchor; 1 if any was altered.

    One line per release: ``verified: <version> <directory> (anchored in …)``, or the
    problems of the release and then ``N altered or missing file(s) in <directory>``.

    Examples
    --------
    >>> cmd_verify(parser().parse_args(["verify"]))  # doctest: +ELLIPSIS
    verified: 0.1.0 ...
    0
    """
    from eastasia_data.loader import verify_releases

    results = verify_releases()
    if not results:
        print("error: this installation ships no release; in a checkout, run `eastasia-data build` first",
              file=sys.stderr)
        return EXIT_REFUSED
    failed = 0
    for version, directory, anchor, problems in results:
        for line in problems:
            print(line)
        if problems:
            failed += 1
            print(f"{len(problems)} altered or missing file(s) in {directory} (release {version})")
        else:
            print(f"verified: {version} {directory} ({anchor})")
    return EXIT_REFUSED if failed else EXIT_OK


def cmd_tables(args) -> int:
    """``eastasia-data tables``: each table of the release with its rows and what one row is.

    Examples
    --------
    >>> cmd_tables(parser().parse_args(["tables"]))  # doctest: +ELLIPSIS
    actors ... Every state, ...
    ...
    0
    """
    from eastasia_data.loader import tables
    from eastasia_data.publish import escape
    from eastasia_data.releases import descriptor

    rows = {r["name"]: r.get("eastasia:rows", "") for r in descriptor(args.release)["resources"]}
    width = max(map(len, rows))
    for name, summary in tables(args.release).items():
        print(f"{name:<{width}}  {rows[name]:>6}  {escape.terminal(summary)}")
    return EXIT_OK


def cmd_show(args) -> int:
    """``eastasia-data show TABLE [--head N] [--format csv|json|markdown]``: print a table on standard output.

    Dates are ISO text at their precision, and CSV cells are neutralised, as in the CSV export.

    Examples
    --------
    >>> cmd_show(parser().parse_args(["show", "strategy_targets", "--head", "1", "--format", "json"]))
    ... # doctest: +ELLIPSIS
    [{"strategy_id":"str-...","actor_id":"act-..."}]
    0
    """
    from eastasia_data.publish.sheets import neutralise
    from eastasia_data.publish.tables import text_columns
    from eastasia_data.loader import load
    from eastasia_data.publish import escape
    from eastasia_data.releases import model

    frame = load(args.table, version=args.release)
    if args.head is not None:
        if args.head < 0:
            raise UsageError(f"--head {args.head}: give a number of rows, 0 or more")
        frame = frame.head(args.head)
    text = text_columns(frame, model(args.release)[args.table])
    if args.format == "csv":  # as the csv export writes it: a cell a spreadsheet would run is neutralised
        if sys.stdout.isatty():  # on a terminal, no cell's control or escape sequence acts
            text = text.map(lambda v: escape.terminal(v) if isinstance(v, str) else v)
        text.map(neutralise).to_csv(sys.stdout, index=False, lineterminator="\n")
    elif args.format == "json":  # the same JSON, with C1 and bidirectional controls as \\u escapes
        print(escape.terminal_json(text.to_json(orient="records", force_ascii=False)))
    else:  # each cell is text: no markup, no | or line break that ends it
        print(text.fillna("").map(escape.markdown).to_markdown(index=False))
    return EXIT_OK


def cmd_path(args) -> int:
    """``eastasia-data path [TABLE]``: print the Parquet file of a table, or the release directory.

    Examples
    --------
    >>> cmd_path(parser().parse_args(["path", "events"]))  # doctest: +ELLIPSIS
    /.../events.parquet
    0
    """
    from eastasia_data.loader import path
    from eastasia_data.releases import release_dir

    print(path(args.table, args.release) if args.table else release_dir(args.release))
    return EXIT_OK


def cmd_versions(args) -> int:
    """``eastasia-data versions``: every released version, its date and content hash.

    Examples
    --------
    >>> cmd_versions(parser().parse_args(["versions"]))  # doctest: +ELLIPSIS
    version ... content_hash ...
      0.1.0 ...
    0
    """
    from eastasia_data.releases import versions

    print(versions().to_string(index=False))
    return EXIT_OK


def _to_stdout(write, suffix: str) -> None:
    """Run ``write(path)`` on a scratch file and copy its bytes to standard output (``--out -``)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / f"export{suffix}"
        write(target)
        sys.stdout.flush()
        with target.open("rb") as f:
            shutil.copyfileobj(f, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def cmd_export(args) -> int:
    """``eastasia-data export``: write the release in another format; 1 if refused.

    ``--out -`` writes a single-file format (sqlite, duckdb, xlsx) to standard output.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp() + "/e.sqlite"
    >>> cmd_export(parser().parse_args(["export", "--format", "sqlite", "--out", out]))  # doctest: +ELLIPSIS
    written: .../e.sqlite (sqlite)
    0
    >>> main(["export", "--format", "sqlite", "--out", out])
    1
    """
    if args.format == "datacite":  # issue 24: DataCite 4.5 JSON (eastasia_data.publish.datacite)
        from eastasia_data.publish.datacite import write

        path = write(args.out, force=args.force)
        if path is not None:
            print(f"written: {path} (datacite)")
        return EXIT_OK
    from eastasia_data.publish.export import export

    if args.out == "-":
        if args.format == "csv":
            raise UsageError("--out -: the csv export writes one file per table into a directory; "
                             "for one table on standard output use `eastasia-data show TABLE --format csv`")
        _to_stdout(lambda target: export(args.format, target), f".{args.format}")
        return EXIT_OK
    path = export(args.format, args.out, force=args.force)
    print(f"written: {path} ({args.format})")
    return EXIT_OK


def cmd_bundle(args) -> int:
    """``eastasia-data bundle [VERSION]``: write the missing zip of a built release; 1 if one differs.

    Examples
    --------
    >>> main(["bundle", "1.0.0"])  # doctest: +ELLIPSIS
    unchanged: .../releases/eastasia-data-1.0.0.zip
    0
    """
    from eastasia_data import paths
    from eastasia_data.curation.bundle import make_bundle

    path, status = make_bundle(args.version or paths.checkout().version)
    print(f"{status}: {path}")
    return EXIT_OK


def cmd_serve(args) -> int:
    """``eastasia-data serve [--port N]``: the release in Datasette on 127.0.0.1 until Ctrl-C.

    Exports the release to SQLite with its metadata (:mod:`eastasia_data.publish.datasette`)
    in a temporary directory removed on exit, and runs Datasette on it; returns Datasette's
    exit status. The port is checked before anything is announced or written.

    Examples
    --------
    >>> main(["serve", "--port", "70000"])
    2
    """
    import tempfile

    from eastasia_data.errors import require
    from eastasia_data.publish.datasette import check_port_free, datasette_args
    from eastasia_data.publish.export import export

    port = args.port
    if not 0 <= port <= 65535:
        raise UsageError(f"port {port} is not a port number (0 to 65535)")
    require("datasette", "serve", "serve")
    check_port_free(port)  # before anything is announced or written
    from datasette.cli import cli

    with tempfile.TemporaryDirectory(prefix="eastasia-serve-") as scratch:
        database = export("sqlite", Path(scratch) / "eastasia.sqlite", force=True)
        print(f"serving {database} on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
        try:
            cli.main(datasette_args(database, port), prog_name="datasette", standalone_mode=False)
        except SystemExit as exc:  # click ends a run with SystemExit in some versions
            return int(exc.code or 0)
    return 0


def cmd_site(args) -> int:
    """``eastasia-data site --out DIR [--force]``: write the static site of every release; 1 if refused.

    Examples
    --------
    >>> import tempfile
    >>> main(["site", "--out", tempfile.mkdtemp()])  # an existing directory is refused
    1
    """
    from eastasia_data.publish.site import build_site

    out = build_site(args.out, force=args.force, search=not args.no_search)
    print(f"written: {out} (the site of {_releases_listed()})")
    return EXIT_OK


def _releases_listed() -> str:
    from eastasia_data.releases import registry

    versions = [r["version"] for r in registry()["releases"]]
    return f"{len(versions)} release(s), {versions[0]} to {versions[-1]}"


def cmd_plot(args) -> int:
    """``eastasia-data plot [timeline|network|all]``: draw figures as PNG and SVG; 1 if one cannot be drawn.

    Each file is reported as ``written`` (new), ``unchanged`` (the same bytes were there) or
    ``replaced``: unlike an export, a figure is derived and redrawn in place without ``--force``.

    Examples
    --------
    >>> import tempfile
    >>> cmd_plot(parser().parse_args(["plot", "network", "--out", tempfile.mkdtemp()]))  # doctest: +ELLIPSIS
    written: .../network.png
    written: .../network.svg
    0
    """
    from eastasia_data.publish.plot import plot

    figures = ("timeline", "network") if args.figure == "all" else (args.figure,)
    out = Path(args.out)
    before = {p: p.read_bytes() for f in figures for p in (out / f"{f}.png", out / f"{f}.svg") if p.is_file()}
    written = [path for figure in figures for path in plot(figure, args.out)]
    for path in written:  # a figure is derived from the release: redrawn in place, and said so
        old = before.get(Path(path))
        status = "written" if old is None else "unchanged" if old == Path(path).read_bytes() else "replaced"
        print(f"{status}: {path}")
    return EXIT_OK


def cmd_fmt(args) -> int:
    """``eastasia-data fmt [--check]``: rewrite the CSV tables canonically; 1 if any is refused (or, with --check, not canonical).

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     code = cmd_fmt(parser().parse_args(["fmt", "--check"]))
    >>> code, out.getvalue().endswith(" canonical" + chr(10))
    (0, True)
    """
    _needs_curation("fmt", ("yaml",))
    from eastasia_data.curation.fmt import fmt

    results = fmt(args.data_dir, check=args.check)
    bad = 0
    for r in results:
        if r.status != "canonical":
            print(r.as_text())
            for p in r.problems:
                print("  " + p.as_text())
        bad += r.status in ("refused", "not canonical")
    counts = {s: sum(r.status == s for r in results) for s in ("canonical", "rewritten", "not canonical", "refused")}
    print(f"{len(results)} files: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    if bad and args.check:
        print("run `eastasia-data fmt` to rewrite them canonically", file=sys.stderr)
    return EXIT_REFUSED if bad else EXIT_OK


def cmd_diff(args) -> int:
    """``eastasia-data diff [OLD [NEW]]``: print the differences; 1 if a side's data cannot be read, 2 if unknown.

    OLD defaults to the last release, NEW to this checkout's ``data/`` and ``schemas/``.

    Examples
    --------
    >>> from eastasia_data.releases import release_dir
    >>> same = str(release_dir())
    >>> cmd_diff(parser().parse_args(["diff", same, same]))  # doctest: +ELLIPSIS
    release directory /... (version ...) → release directory /... (version ...)
    no differences
    0
    """
    from eastasia_data import paths
    from eastasia_data.curation import diff_render
    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.snapshot import from_checkout, open_snapshot
    from eastasia_data.curation.versioning import released_versions

    if args.old is None or args.new is None:  # a side is this checkout
        _needs_curation("diff of the checkout", ("yaml",))
    if args.old is None:
        releases = released_versions(paths.checkout().releases_dir)
        if not releases:
            print("error: there is no release to compare with; name OLD", file=sys.stderr)
            return EXIT_USAGE
        args.old = releases[-1]
    try:  # two releases need nothing more; a checkout or a git revision is read with its YAML schemas
        old = open_snapshot(args.old, sources_dir=args.sources_dir)
        new = (open_snapshot(args.new, sources_dir=args.sources_dir) if args.new
               else from_checkout(paths.checkout().root, "working tree (data/ and schemas/)",
                                  sources_dir=args.sources_dir))
    except ModuleNotFoundError as exc:
        if exc.name != "yaml":
            raise
        raise MissingExtraError("diff of a checkout or a git revision needs pyyaml: "
                                'pip install "eastasia-data[validate]"') from None
    d = diff(old, new)
    if args.changelog:
        print(diff_render.render_changelog(d), end="")
    elif args.format == "markdown":
        print(diff_render.render_markdown(d), end="")
    elif args.format == "json":
        print(diff_render.render_json(d), end="")
    else:
        print(diff_render.render_text(d))
    return EXIT_OK


def cmd_check_version(args) -> int:
    """``eastasia-data check-version``: apply the versioning policy at the pull-request or the release gate.

    At the pull-request gate it reports the bump the changes will need and passes; at the
    release gate it fails (1) when the release does not hold the data or the bump is too small.

    Examples
    --------
    >>> cmd_check_version(parser().parse_args(["check-version"]))  # doctest: +ELLIPSIS
    ok: ...
    0
    """
    import os

    _needs_curation("check-version", ("yaml",))
    from eastasia_data.curation.gates import check_version

    result = check_version(gate=args.gate)
    print(result.render("github" if args.format == "github" else "text"))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(result.render("github-summary"))
    return EXIT_OK if result.ok else EXIT_REFUSED


def cmd_release(args) -> int:
    """``eastasia-data release [--bump major|minor|patch]``: the maintainer's command; 1 if refused.

    Examples
    --------
    A release writes into the checkout; this example shows only a refusal made before
    anything is written:

    >>> main(["release", "--date", "1 December"])
    2
    """
    _needs_curation("release")
    from eastasia_data.curation.release import release

    result = release(args.bump, date=args.date, sources_dir=args.sources_dir, figures=not args.no_figures,
                     commit=args.commit)
    print(result.render())
    return EXIT_OK


def cmd_coverage(args) -> int:
    """``eastasia-data coverage``: per archived article, the passages coded and those left uncoded, by reason.

    Examples
    --------
    >>> cmd_coverage(parser().parse_args(["coverage"]))  # doctest: +ELLIPSIS
    src-...: ... passages, ... coded, ... not coded (...)
    ...
    0
    """
    from eastasia_data.curation.checks.ledger import checkout_coverage, format_coverage

    print(format_coverage(checkout_coverage()) or "no ledger of passages in this checkout")
    return EXIT_OK


def cmd_cite(args) -> int:
    """``eastasia-data cite [--style bibtex|apa|cff] [--release VERSION]``: print the citation of a release.

    The release cited is checked first: the installed one against its anchor and descriptor
    (as ``verify`` does), another version against the content hash the registry records.

    Examples
    --------
    >>> cmd_cite(parser().parse_args(["cite", "--style", "apa"]))  # doctest: +ELLIPSIS
    eastasia-data contributors. (...). ... [Data set]. ...
    0
    >>> cmd_cite(parser().parse_args(["cite", "--style", "apa", "--release", "0.1.0"]))  # doctest: +ELLIPSIS
    eastasia-data contributors. (2026). ... (Version 0.1.0) [Data set]. ... eastasia-data-0.1.0.zip. Content hash sha256:...
    0
    """
    from eastasia_data.citation import cite, content_hash
    from eastasia_data.loader import actual_hashes, verify_release
    from eastasia_data.releases import descriptor

    if args.release is None:
        problems = verify_release()
    else:
        from eastasia_data.releases import registry

        recorded = next((r["content_hash"] for r in registry()["releases"] if r["version"] == args.release), None)
        present = actual_hashes(args.release)
        found = content_hash({"resources": [{"name": r["name"], "hash": present[r["name"]]}
                                            for r in descriptor(args.release)["resources"]]})
        problems = [] if recorded in (None, found) else [
            f"release {args.release}: its files' content hash is {found}, the registry records {recorded}"]
    if problems:  # a citation must not name a forged version or hash
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        print("error: the release does not verify, so it is not cited; reinstall eastasia-data", file=sys.stderr)
        return EXIT_REFUSED
    if args.rows:  # issue 24: cite a handful of rows (eastasia_data.citation.rows)
        from eastasia_data.citation.rows import cite_rows, parse_rows_option

        print(cite_rows(args.style, version=args.release, rows=parse_rows_option(args.rows)).rstrip("\n"))
        return EXIT_OK
    print(cite(args.style, version=args.release).rstrip("\n"))
    return EXIT_OK


def cmd_verify_citation(args) -> int:
    """``eastasia-data verify-citation [FILE|-]``: recompute a row citation; 0 when the rows are as cited.

    Exit status 1 naming each row whose hash differs, or saying that the row list, the
    release or the set hash does not match; 2 when the file cannot be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from eastasia_data.citation.rows import cite_rows
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "cite.txt"
    >>> _ = f.write_text(cite_rows("apa", rows={"events": ["evt-1950-06-25-korean-war"]}), encoding="utf-8")
    >>> cmd_verify_citation(parser().parse_args(["verify-citation", str(f)]))  # doctest: +ELLIPSIS
    verified: 1 row of eastasia-data ... as cited
    0
    """
    from eastasia_data.citation.rows import _HEAD, _ROW, verify_citation

    if args.file in (None, "-"):
        text = sys.stdin.read()
    else:
        text = Path(args.file).read_text(encoding="utf-8")
    problems = verify_citation(text)
    if problems:
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_REFUSED
    head = _HEAD.search(text)
    n = sum(1 for line in text.splitlines() if _ROW.match(line))
    print(f"verified: {n} row{'s' if n != 1 else ''} of {head['name']} {head['version']} as cited" if head else "verified")
    return EXIT_OK


#: The commands as ``--help`` groups them: a reader's first, then a contributor's.
COMMAND_GROUPS = {
    "reading (the installed release, or any released version; no checkout needed)":
        ("tables", "show", "path", "versions", "cite", "verify-citation", "verify", "export", "serve", "plot", "site"),
    "curating (needs a checkout and the validate extra; `diff` of two released versions needs neither)":
        ("validate", "fmt", "diff", "check-version", "coverage", "generate", "build", "agreement", "bundle", "release"),
}


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``eastasia-data`` command, one subcommand per task.

    Examples
    --------
    >>> args = parser().parse_args(["export", "--format", "csv", "--out", "tables"])
    >>> args.format, args.out, args.force
    ('csv', 'tables', False)
    """
    p = argparse.ArgumentParser(prog="eastasia-data", description="Read, cite and export the eastasia-data release; "
                                                                  "validate and build it from a checkout.")
    p.add_argument("--version", action=_VersionAction)
    p.add_argument("--repo", metavar="DIR",
                   help="the checkout to work on (default: found from the current directory, as git does)")
    p.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def data_options(sp):
        sp.add_argument("--data-dir", metavar="DIR", help="directory of the CSV tables (default: data/)")
        sp.add_argument("--sources-dir", metavar="DIR",
                        help="archive of source texts (default: $EASTASIA_SOURCES or ../shared/sources)")
        sp.add_argument("--format", choices=("text", "json", "github"), default="text", help="how to print problems")

    # Reading first: what a reader of the release runs; then curating (a checkout and the validate extra).
    sp = sub.add_parser("tables", help="list the tables of the release, with their rows")
    sp.add_argument("--release", metavar="VERSION", help="a released version (default: the installed one)")
    sp.set_defaults(func=cmd_tables)

    sp = sub.add_parser("show", help="print a table of the release on standard output")
    sp.add_argument("table", metavar="TABLE", help="a table name (see `eastasia-data tables`)")
    sp.add_argument("--head", type=int, metavar="N", help="only the first N rows")
    sp.add_argument("--format", choices=("csv", "json", "markdown"), default="csv", help="output format (default: csv)")
    sp.add_argument("--release", metavar="VERSION", help="a released version (default: the installed one)")
    sp.set_defaults(func=cmd_show)

    sp = sub.add_parser("path", help="print the Parquet file of a table, or the release directory")
    sp.add_argument("table", metavar="TABLE", nargs="?", help="a table name (default: print the release directory)")
    sp.add_argument("--release", metavar="VERSION", help="a released version (default: the installed one)")
    sp.set_defaults(func=cmd_path)

    sp = sub.add_parser("versions", help="list every released version, its date and content hash")
    sp.set_defaults(func=cmd_versions)

    sp = sub.add_parser("cite", help="print the citation of the installed release, or of --release VERSION")
    sp.add_argument("--style", choices=("bibtex", "apa", "cff"), default="bibtex", help="citation style (default: bibtex)")
    sp.add_argument("--release", metavar="VERSION", help="the released version you used (default: the installed one)")
    sp.add_argument("--rows", action="append", metavar="TABLE:KEY[,KEY...]",
                    help="cite these rows (repeatable; a composite key's values joined with ' | ')")
    sp.set_defaults(func=cmd_cite)

    sp = sub.add_parser("verify-citation", help="recompute a row citation from the release it names (exit 1 if not as cited)")
    sp.add_argument("file", metavar="FILE", nargs="?", default="-", help="the citation (default: - for standard input)")
    sp.set_defaults(func=cmd_verify_citation)

    sp = sub.add_parser("verify", help="check the installed release's files against their hashes")
    sp.set_defaults(func=cmd_verify)

    sp = sub.add_parser("export", help="write the release as a SQLite or DuckDB database, an Excel workbook or CSVs")
    sp.add_argument("--format", required=True, choices=("sqlite", "duckdb", "xlsx", "csv", "claimreview", "croissant", "datacite"),
                    help="the format (claimreview and croissant: JSON-LD; datacite: DataCite 4.5 JSON)")
    sp.add_argument("--out", required=True, metavar="PATH",
                    help="the file to write (for csv: a directory); - for standard output (single-file formats)")
    sp.add_argument("--force", action="store_true", help="replace PATH if it exists")
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("serve", help="serve the release with Datasette on 127.0.0.1 (needs the serve extra)")
    sp.add_argument("--port", type=int, default=8001, metavar="N", help="the port (default: 8001)")
    sp.set_defaults(func=cmd_serve)

    sp = sub.add_parser("plot", help="draw a figure of the release as PNG and SVG")
    sp.add_argument("figure", nargs="?", default="all", choices=("timeline", "network", "all"),
                    help="which figure (default: all)")
    sp.add_argument("--out", default="docs/figures", metavar="DIR",
                    help="directory for <figure>.png and <figure>.svg (default: docs/figures)")
    sp.set_defaults(func=cmd_plot)

    sp = sub.add_parser("site", help="write the static site of every release into a new directory (needs the site extra)")
    sp.add_argument("--out", required=True, metavar="DIR", help="the directory to create")
    sp.add_argument("--force", action="store_true", help="replace DIR if it exists")
    sp.add_argument("--no-search", action="store_true", help="skip the Pagefind index of the in-page search")
    sp.set_defaults(func=cmd_site)

    sp = sub.add_parser("validate", help="check the CSV tables; one line per problem")
    data_options(sp)
    sp.set_defaults(func=cmd_validate, dirs=True)

    sp = sub.add_parser("fmt", help="rewrite the CSV tables canonically (sorted by key, minimal quoting, LF, NFC)")
    sp.add_argument("--data-dir", metavar="DIR", help="directory of the CSV tables (default: data/)")
    sp.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each file that is not canonical")
    sp.set_defaults(func=cmd_fmt, dirs=True)

    sp = sub.add_parser("diff", help="compare two versions table by table, by primary key")
    sp.add_argument("old", metavar="OLD", nargs="?",
                    help="a version (1.0.0 or v1.0.0), a git revision (its data/ and schemas/), a release directory "
                         "or a checkout (default: the last release)")
    sp.add_argument("new", metavar="NEW", nargs="?", help="the same kinds (default: this checkout's data/ and schemas/)")
    sp.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                    help="text, Markdown for a pull request, or JSON (see curation/diff.schema.json)")
    sp.add_argument("--changelog", action="store_true", help="print a draft Keep a Changelog entry instead")
    sp.add_argument("--sources-dir", metavar="DIR", help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_diff)

    sp = sub.add_parser("check-version", help="apply the versioning policy: report the bump a change needs, "
                                              "or check a release")
    sp.add_argument("--gate", choices=("auto", "pull-request", "release"), default="auto",
                    help="auto: the release gate when pyproject's version differs from the last release")
    sp.add_argument("--format", choices=("text", "github"), default="text", help="github: also a workflow annotation")
    sp.set_defaults(func=cmd_check_version)

    sp = sub.add_parser("coverage", help="per archived article: the passages coded, and those not coded by reason")
    sp.set_defaults(func=cmd_coverage)

    sp = sub.add_parser("generate", help="rewrite the generated files (datapackage.json, docs) from schemas/")
    sp.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1)")
    sp.set_defaults(func=cmd_generate)

    sp = sub.add_parser("build", help="validate, then write the Parquet release")
    data_options(sp)
    sp.add_argument("--out", metavar="DIR", help="parent directory of the release (default: releases/)")
    sp.set_defaults(func=cmd_build, dirs=True)

    sp = sub.add_parser("agreement", help="Krippendorff's alpha per coded field from data/codings.csv "
                                          "(exit 1 when a field is below 0.80)")
    sp.add_argument("--format", choices=("text", "json"), default="text",
                    help="text: one line per field; json: an object keyed table.field")
    sp.add_argument("--round", type=int, metavar="N", help="the coding round (default: each field's latest)")
    sp.add_argument("--data-dir", metavar="DIR", help="directory of the CSV tables (default: data/)")
    sp.add_argument("--sources-dir", metavar="DIR",
                    help="archive of source texts (default: $EASTASIA_SOURCES or ../shared/sources)")
    sp.set_defaults(func=cmd_agreement, dirs=True)

    sp = sub.add_parser("bundle", help="write the zip of a built release beside it, if it is missing")
    sp.add_argument("version", metavar="VERSION", nargs="?", help="the release (default: pyproject's version)")
    sp.set_defaults(func=cmd_bundle)

    sp = sub.add_parser("release", help="the maintainer's command: bump, CHANGELOG entry, build, regenerate")
    sp.add_argument("--bump", choices=("major", "minor", "patch"),
                    help="the bump to make (default: the one the changes require; a smaller one is refused)")
    sp.add_argument("--date", metavar="YYYY-MM-DD", help="the release date for the CHANGELOG (default: today, UTC)")
    sp.add_argument("--no-figures", action="store_true", help="leave the figures alone (no plot extra)")
    sp.add_argument("--commit", action="store_true",
                    help="commit the release and tag it v<version> (the working tree must be clean)")
    sp.add_argument("--sources-dir", metavar="DIR", help="archive of source texts (default: $EASTASIA_SOURCES)")
    sp.set_defaults(func=cmd_release)
    for command in sub.choices.values():  # --repo may also follow the command
        command.add_argument("--repo", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    # `eastasia-data --help` lists the commands in two groups rather than one list.
    groups = {title: p.add_argument_group(title) for title in COMMAND_GROUPS}
    for action in sub._choices_actions:
        title = next(t for t, names in COMMAND_GROUPS.items() if action.dest in names)
        groups[title]._group_actions.append(action)
    sub.help = argparse.SUPPRESS
    p.usage = "%(prog)s [-h] [--version] [--repo DIR] [--debug] COMMAND ..."
    return p


def commands_markdown() -> str:
    """The README's list of commands (its block ``commands``), from the argument parser itself.

    ``eastasia-data generate`` writes it; ``generate --check`` reports it stale.

    Examples
    --------
    >>> commands_markdown().splitlines()[1:3]  # doctest: +NORMALIZE_WHITESPACE
    ['# reading (the installed release, or any released version; no checkout needed)',
     'eastasia-data tables [--release VERSION]']
    """
    top = parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in sub._choices_actions}
    lines = ["```sh"]
    for title, names in COMMAND_GROUPS.items():
        lines.append(f"# {title}")
        for name in names:
            command = sub.choices[name]
            command.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=110)
            usage = " ".join(command.format_usage().split()).removeprefix("usage: ").replace(" [-h]", "")
            lines += [usage, f"    # {helps.get(name, '')}"]
    lines.append("```")
    return "\n".join(lines) + "\n"


def _version() -> str:
    import eastasia_data

    return eastasia_data.__version__


class _VersionAction(argparse.Action):
    """``--version``: the version is looked up when asked for (in a checkout it is read from pyproject.toml)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default,
                         help=help or "show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")  # on standard output, as argparse's own version action
        parser.exit()


def _closed_pipe() -> int:
    """The reader of standard output went away (``| head``): end quietly, as ``cat`` does.

    Standard output is pointed at ``/dev/null`` so that the interpreter's final flush
    cannot fail again; the status is 141 (128 + SIGPIPE), what a shell reports for a
    program a closed pipe stopped.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's StringIO)
        pass
    return 141


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``) and return its exit status.

    Errors are one line on stderr, never a traceback: 1 for invalid data or a refused
    action, 2 for a usage or I/O error, and 2 for an unexpected error too (``--debug``
    shows its traceback). With no command, the help is printed.

    Examples
    --------
    >>> main(["validate", "--data-dir", "/nonexistent"])
    2
    >>> main(["verify"])  # doctest: +ELLIPSIS
    verified: ...
    0
    """
    from eastasia_data import paths

    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help()
        return EXIT_OK
    if getattr(args, "dirs", False):
        problem = _check_dirs(args)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return EXIT_USAGE
    previous = _catch_sigterm()
    try:
        with paths.use_checkout(args.repo):
            code = args.func(args)
            sys.stdout.flush()  # inside the handler: a reader that went away (| head) is a closed pipe
            return code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except (EastAsiaError, OSError) as exc:
        if args.debug:
            raise
        from eastasia_data.publish.escape import terminal

        print(f"error: {terminal(exc, lines=True)}", file=sys.stderr)  # a value quoted in it acts on no terminal
        return exit_code(exc)
    except Exception as exc:  # a bug: one line naming what failed, exit 2
        if args.debug:
            raise
        from eastasia_data.publish.escape import terminal

        print(f"error: {args.command} failed unexpectedly: {type(exc).__name__}: {terminal(exc)} "
              "(run again with --debug to see the traceback)", file=sys.stderr)
        return EXIT_USAGE
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that ``finally`` blocks (a build's temporary directory) run."""


def _catch_sigterm():
    """Turn SIGTERM into :class:`Terminated` while a command runs; the previous handler, or None if none was set."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise Terminated()

    return signal.signal(signal.SIGTERM, handler) or signal.SIG_DFL


def run(argv: list[str] | None = None) -> None:
    """The ``eastasia-data`` console script: :func:`main`, then the exit with its status.

    Before exiting, every object the process holds is frozen (``gc.freeze``): the interpreter
    collects garbage a last time as it shuts down, and would otherwise walk every object the
    imports made (pandas, pyarrow, pandera: about 0.15 s of a validation's 0.7 s) only to
    release them with the process. Objects are released by their reference counts as
    before; only the final sweeps skip them. :func:`main` itself, which tests and callers
    run in their own process, freezes nothing.

    Examples
    --------
    >>> try:
    ...     run(["--version"])
    ... except SystemExit as done:
    ...     print("exit status", done.code)  # doctest: +ELLIPSIS
    eastasia-data ...
    exit status 0
    """
    import gc

    code = main(argv)
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
