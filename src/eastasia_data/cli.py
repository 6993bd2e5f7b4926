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
    exit_code,
    require,
)

EXIT_INVALID = EXIT_REFUSED
#: What the contributor's commands import; each is named in the message when it is missing.
CURATION_NEEDS = (("pandera", "validate"), ("yaml", "validate"))


def _needs_curation(what: str) -> None:
    """Refuse, naming the extra, when the contributor's dependencies are not installed."""
    for module, extra in CURATION_NEEDS:
        require(module, extra, what)


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
    return EXIT_OK if report.valid else EXIT_INVALID


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
        return EXIT_INVALID
    result = build(args.out, report=report)
    print(f"{result.status}: {result.path} (version {result.version}; {report.summary})")
    return EXIT_OK


def cmd_generate(args) -> int:
    """``eastasia-data generate [--check]``: rewrite the generated files, or report stale ones (exit 1).

    Examples
    --------
    >>> cmd_generate(parser().parse_args(["generate", "--check"]))  # doctest: +ELLIPSIS
    up to date: .../datapackage.json
    ...
    0
    """
    _needs_curation("generate")
    from eastasia_data.curation.docs import generate

    for path, status in generate(check=args.check):
        print(f"{status}: {path}")
        if args.check and status != "up to date":
            return EXIT_INVALID
    return EXIT_OK


def cmd_verify(args) -> int:
    """``eastasia-data verify``: check the release's files against their hashes; 1 if any was altered.

    Examples
    --------
    >>> cmd_verify(parser().parse_args(["verify"]))  # doctest: +ELLIPSIS
    verified: ...
    0
    """
    from eastasia_data.loader import anchor_description, release_dir, verify_release

    problems = verify_release()
    for line in problems:
        print(line)
    print(f"{len(problems)} altered or missing file(s) in {release_dir()}" if problems
          else f"verified: {release_dir()} ({anchor_description()})")
    return EXIT_INVALID if problems else EXIT_OK


def cmd_export(args) -> int:
    """``eastasia-data export``: write the release in another format; 1 if refused.

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
    from eastasia_data.export import export

    path = export(args.format, args.out, force=args.force)
    print(f"written: {path} ({args.format})")
    return EXIT_OK


def cmd_plot(args) -> int:
    """``eastasia-data plot [timeline|network|all]``: draw figures as PNG and SVG; 1 if one cannot be drawn.

    Examples
    --------
    >>> import tempfile
    >>> cmd_plot(parser().parse_args(["plot", "network", "--out", tempfile.mkdtemp()]))  # doctest: +ELLIPSIS
    written: .../network.png
    written: .../network.svg
    0
    """
    from eastasia_data.plot import plot

    figures = ("timeline", "network") if args.figure == "all" else (args.figure,)
    written = [path for figure in figures for path in plot(figure, args.out)]
    for path in written:
        print(f"written: {path}")
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
    _needs_curation("fmt")
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
    return EXIT_INVALID if bad else EXIT_OK


def cmd_diff(args) -> int:
    """``eastasia-data diff OLD [NEW]``: print the differences; 1 if a side's data is invalid, 2 if unreadable.

    Examples
    --------
    >>> from eastasia_data.loader import release_dir
    >>> same = str(release_dir())
    >>> cmd_diff(parser().parse_args(["diff", same, same]))  # doctest: +ELLIPSIS
    /... (version ...) → /... (version ...)
    no differences
    0
    """
    _needs_curation("diff")
    from eastasia_data import paths
    from eastasia_data.curation import diff_render
    from eastasia_data.curation.diff import diff
    from eastasia_data.curation.snapshot import from_checkout, open_snapshot

    old = open_snapshot(args.old, sources_dir=args.sources_dir)
    new = (open_snapshot(args.new, sources_dir=args.sources_dir) if args.new
           else from_checkout(paths.checkout().root, "working tree", sources_dir=args.sources_dir))
    d = diff(old, new)
    if args.changelog:
        print(diff_render.render_changelog(d), end="")
    elif args.format == "markdown":
        print(diff_render.render_markdown(d), end="")
    else:
        print(diff_render.render_text(d))
    return EXIT_OK


def cmd_check_version(args) -> int:
    """``eastasia-data check-version``: 1 when the version is a smaller bump than the data changes require.

    Examples
    --------
    >>> cmd_check_version(parser().parse_args(["check-version"]))  # doctest: +ELLIPSIS
    ok: ...
    0
    """
    _needs_curation("check-version")
    from eastasia_data.curation.versioning import check_version

    result = check_version(sources_dir=args.sources_dir)
    print(result.render())
    return EXIT_OK if result.ok else EXIT_INVALID


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
    """``eastasia-data cite [--style bibtex|apa|cff]``: print the citation of the installed release.

    Examples
    --------
    >>> cmd_cite(parser().parse_args(["cite", "--style", "apa"]))  # doctest: +ELLIPSIS
    eastasia-data contributors. (...). ... [Data set]. ...
    0
    """
    from eastasia_data.citation import cite
    from eastasia_data.loader import verify_release

    problems = verify_release()
    if problems:  # a citation must not name a forged version or hash
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        print("error: the installed release does not verify, so it is not cited; reinstall eastasia-data",
              file=sys.stderr)
        return EXIT_INVALID
    print(cite(args.style).rstrip("\n"))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``eastasia-data`` command, one subcommand per task.

    Examples
    --------
    >>> args = parser().parse_args(["export", "--format", "csv", "--out", "tables"])
    >>> args.format, args.out, args.force
    ('csv', 'tables', False)
    """
    p = argparse.ArgumentParser(prog="eastasia-data", description="Validate, build and inspect the eastasia-data tables.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    p.add_argument("--repo", metavar="DIR",
                   help="the checkout to work on (default: found from the current directory, as git does)")
    p.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def data_options(sp):
        sp.add_argument("--data-dir", metavar="DIR", help="directory of the CSV tables (default: data/)")
        sp.add_argument("--sources-dir", metavar="DIR",
                        help="archive of source texts (default: $EASTASIA_SOURCES or ../shared/sources)")
        sp.add_argument("--format", choices=("text", "json", "github"), default="text", help="how to print problems")

    sp = sub.add_parser("validate", help="check the CSV tables; one line per problem")
    data_options(sp)
    sp.set_defaults(func=cmd_validate, dirs=True)

    sp = sub.add_parser("build", help="validate, then write the Parquet release")
    data_options(sp)
    sp.add_argument("--out", metavar="DIR", help="parent directory of the release (default: releases/)")
    sp.set_defaults(func=cmd_build, dirs=True)

    sp = sub.add_parser("generate", help="rewrite the generated files (datapackage.json, docs) from schemas/")
    sp.add_argument("--check", action="store_true", help="only report files that are out of date (exit 1)")
    sp.set_defaults(func=cmd_generate)

    sp = sub.add_parser("verify", help="check the installed release's files against their hashes")
    sp.set_defaults(func=cmd_verify)

    sp = sub.add_parser("export", help="write the release as a SQLite or DuckDB database, an Excel workbook or CSVs")
    sp.add_argument("--format", required=True, choices=("sqlite", "duckdb", "xlsx", "csv"), help="the format")
    sp.add_argument("--out", required=True, metavar="PATH", help="the file to write (for csv: a directory)")
    sp.add_argument("--force", action="store_true", help="replace PATH if it exists")
    sp.set_defaults(func=cmd_export)

    sp = sub.add_parser("plot", help="draw a figure of the release as PNG and SVG")
    sp.add_argument("figure", nargs="?", default="all", choices=("timeline", "network", "all"),
                    help="which figure (default: all)")
    sp.add_argument("--out", default="docs/figures", metavar="DIR",
                    help="directory for <figure>.png and <figure>.svg (default: docs/figures)")
    sp.set_defaults(func=cmd_plot)

    sp = sub.add_parser("fmt", help="rewrite the CSV tables canonically (sorted by key, minimal quoting, LF, NFC)")
    sp.add_argument("--data-dir", metavar="DIR", help="directory of the CSV tables (default: data/)")
    sp.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each file that is not canonical")
    sp.set_defaults(func=cmd_fmt, dirs=True)

    sp = sub.add_parser("diff", help="compare two versions table by table, by primary key")
    sp.add_argument("old", metavar="OLD", help="a release directory, a checkout directory or a git revision")
    sp.add_argument("new", metavar="NEW", nargs="?", help="the same kinds (default: this checkout's data/ and schemas/)")
    sp.add_argument("--format", choices=("text", "markdown"), default="text", help="text, or Markdown for a pull request")
    sp.add_argument("--changelog", action="store_true", help="print a draft Keep a Changelog entry instead")
    sp.add_argument("--sources-dir", metavar="DIR", help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_diff)

    sp = sub.add_parser("check-version", help="fail when pyproject's version is a smaller bump than the data changes require")
    sp.add_argument("--sources-dir", metavar="DIR", help=argparse.SUPPRESS)
    sp.set_defaults(func=cmd_check_version)

    sp = sub.add_parser("coverage", help="per archived article: the passages coded, and those not coded by reason")
    sp.set_defaults(func=cmd_coverage)

    sp = sub.add_parser("cite", help="print the citation of the installed release")
    sp.add_argument("--style", choices=("bibtex", "apa", "cff"), default="bibtex", help="citation style (default: bibtex)")
    sp.set_defaults(func=cmd_cite)
    for command in sub.choices.values():  # --repo may also follow the command
        command.add_argument("--repo", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return p


def _version() -> str:
    import eastasia_data

    return eastasia_data.__version__


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
            return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except (EastAsiaError, OSError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:  # a bug: one line naming what failed, exit 2
        if args.debug:
            raise
        print(f"error: {args.command} failed unexpectedly: {type(exc).__name__}: {exc} "
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


if __name__ == "__main__":
    sys.exit(main())
