"""Shared fixtures: the model, a scratch copy of the data, and a way to run the CLI as a user does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from eastasia_data import paths
from eastasia_data.curation.schemas import read_model

REPO = Path(__file__).resolve().parent.parent


def _find_sources() -> tuple[Path | None, str]:
    """The source archive, or None and why it was not found."""
    from eastasia_data.errors import UsageError

    try:
        found = paths.default_sources_dir()
    except UsageError as exc:  # $EASTASIA_SOURCES names something that is not a directory
        return None, str(exc)
    return found, "" if found else "$EASTASIA_SOURCES is not set and there is no ../shared/sources beside the checkout"


#: The archive of the articles' texts that excerpts are checked against. It is not in this repository
#: (the texts are not ours to publish; see CONTRIBUTING.md, "Setting up"): a maintainer's copy sits at
#: ../shared/sources beside the checkout, or $EASTASIA_SOURCES names it; on GitHub the workflow checks
#: it out from a private repository. Without it the suite stops before collecting anything (below).
SOURCES, _NO_SOURCES = _find_sources()
MODEL = read_model()
TABLES = sorted(MODEL)


def _release_model() -> dict:
    from eastasia_data import loader

    try:
        return loader.model()
    except FileNotFoundError:  # no release built yet: the tests of the reader's walk fail on their own
        return {}


#: The tables of the release the package loads (from its descriptor), which the reader's tests
#: (load, export, the wheel) cover. They are MODEL once the release is built; a column or table added
#: to schemas/ since is in MODEL only (test_release.py is what asks for the release to be rebuilt).
RELEASE_MODEL = _release_model()
RELEASED = sorted(RELEASE_MODEL)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def point_resource(release: Path, table: str, path: str) -> None:
    """Rewrite the ``path`` of one resource of a release's descriptor (to test what a reader does with it)."""
    import json

    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            resource["path"] = path
    (release / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def run_process(*args: str, env: dict | None = None, cwd: Path | None = None) -> Run:
    """Run ``python -m eastasia_data ARGS`` in a fresh process, exactly as a user would.

    Run outside any checkout (``cwd`` elsewhere, e.g. beside a copy of data/), the command
    is told which checkout to use with ``--repo``, as a user working on a copy would.
    """
    full_env = {**os.environ, **(env or {})}
    if cwd is not None and paths.find_checkout(cwd) is None and "--repo" not in args:
        args = ("--repo", str(REPO), *args)
    proc = subprocess.run([sys.executable, "-m", "eastasia_data", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or REPO, timeout=600)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, process: bool = False) -> Run:
    """Run the ``eastasia-data`` command line ARGS and capture what it prints and returns.

    In this process by default, through :func:`eastasia_data.cli.main` (the code the command
    runs), with ``env`` added to the environment and ``cwd`` as the working directory for the
    call: a fresh interpreter costs a second of imports per call. ``process=True`` runs it as a
    separate process instead, for what only a process shows (hash seeds, standard output as
    bytes, the absence of a traceback at the very top); several tests in each module do.
    """
    if process:
        return run_process(*args, env=env, cwd=cwd)
    import contextlib
    import io
    from unittest import mock

    from eastasia_data.cli import main

    if cwd is not None and paths.find_checkout(cwd) is None and "--repo" not in args:
        args = ("--repo", str(REPO), *args)
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    try:
        os.chdir(cwd or REPO)
        with mock.patch.dict(os.environ, env or {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, --version and usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        os.chdir(previous)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A scratch copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(paths.data_dir(), target)
    return target


def pytest_sessionstart(session):
    """Without the source archive, stop at once with one line that says so (not one error per test that needs it)."""
    if SOURCES is None:
        raise pytest.UsageError(f"the tests need the source archive of the articles' texts, which is not in this "
                                f"repository: {_NO_SOURCES}; name it in $EASTASIA_SOURCES (see CONTRIBUTING.md, "
                                f"\"Setting up\")")


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The source archive (pytest_sessionstart has stopped the run without one)."""
    if SOURCES is None or not SOURCES.is_dir():
        pytest.fail(f"the source archive is needed by the tests: {_NO_SOURCES or f'{SOURCES} is not a directory'}")
    return SOURCES


# Hypothesis: a modest run in CI; HYPOTHESIS_PROFILE=thorough (or pytest --hypothesis-profile thorough) for a long one.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=25, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


#: Reader modules whose doctests draw figures, write databases or serve: left out of the quick run
#: with their tests (test_plot, test_export, test_serve, test_schemaorg are slow-marked too).
_SLOW_DOCTEST_MODULES = ("eastasia_data.publish.plot", "eastasia_data.publish.export", "eastasia_data.publish.datasette",
                         "eastasia_data.publish.schemaorg", "eastasia_data.publish.site.build.build_site",
                         "eastasia_data.publish.site.build.Site.build", "eastasia_data.curation.docs.draw_figures")


def _module_fixture(item) -> bool:
    """Whether the test uses a module-scoped fixture (a site built, a wheel installed, a server started)."""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs)


def pytest_collection_modifyitems(config, items):
    for item in items:
        # With xdist (pytest -n, `--dist loadgroup` in pyproject), the tests that share a module-scoped
        # fixture run in one worker, so the fixture is made once rather than once per worker.
        if _module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::", 1)[0]))
        if isinstance(item, pytest.DoctestItem) and (
                item.name.startswith(_SLOW_DOCTEST_MODULES) or item.name == "eastasia_data.cli.cmd_plot"):
            item.add_marker(pytest.mark.slow)
