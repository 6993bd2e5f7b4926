"""Every error the package raises, and the one map from an error to the command's exit status.

There are two kinds, and each error belongs to exactly one:

* **usage errors** (exit status 2): the command cannot run as asked, because of a missing
  file or directory, a malformed schema, an unknown table, a missing optional dependency,
  or a command that needs a checkout run outside one;
* **refusals** (exit status 1): the command ran and says no: the data is invalid, a build or
  export is refused, or a file does not match its recorded hash.

Success is 0. ``cli.main`` has a single handler that prints one line and returns
:attr:`EastAsiaError.exit_code`; an error that is not one of these (a bug) is one line and
exit status 2 as well.

The historical names stay importable from the modules that raised them first
(``eastasia_data.loader.IntegrityError``, ``eastasia_data.curation.build.BuildError``, ...).

Examples
--------
>>> from eastasia_data.errors import BuildError, UnknownTableError, exit_code
>>> exit_code(BuildError("refused")), exit_code(UnknownTableError("no table named 'x'"))
(1, 2)
>>> exit_code(OSError("disk full"))
2
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


class EastAsiaError(Exception):
    """Base of every error this package raises on purpose; the message says what to do."""

    exit_code = EXIT_USAGE

    def __str__(self) -> str:  # KeyError subclasses would otherwise print the repr of their message
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(EastAsiaError):
    """The command cannot run as asked (exit status 2)."""

    exit_code = EXIT_USAGE


class Refusal(EastAsiaError):
    """The command ran and refuses: invalid data, a refused build or export, a damaged file (exit status 1)."""

    exit_code = EXIT_REFUSED


# -- usage errors -------------------------------------------------------------------------------


class ModelError(UsageError, ValueError):
    """A schema file is malformed; the message names the file and the problem."""


class UnknownTableError(UsageError, KeyError):
    """The table name is not one of the release's tables."""


class UnknownVersionError(UsageError, KeyError):
    """The version is not one of the released versions; the message lists them."""


class UnknownKeyError(UsageError, KeyError):
    """No release has a row with that primary key (:func:`eastasia_data.history`)."""


class ReleaseUnavailableError(UsageError):
    """A released version is neither installed nor downloadable; the message says what is missing."""


class NotACheckoutError(UsageError):
    """A command that works on a checkout of eastasia-data was run outside one."""


class MissingExtraError(UsageError, ImportError):
    """An optional dependency is not installed; the message names the extra that installs it."""


class SnapshotError(UsageError, ValueError):
    """A version named for ``diff`` cannot be read; the message says what is accepted."""


class BlockError(UsageError, ValueError):
    """A hand-written file lacks the markers of the generated block to fill."""


# -- refusals -----------------------------------------------------------------------------------


class InvalidDataError(Refusal, ValueError):
    """The tables do not validate (for a build, a release, a comparison); ``report`` holds the problems when there is one.

    A refusal only: the command ran and says no (exit status 1).
    """

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class VersionError(Refusal, ValueError):
    """A version is not MAJOR.MINOR.PATCH, or versions go down."""


class BuildError(Refusal, RuntimeError):
    """The release cannot be built; the message says why and what to do."""


class ReleaseError(Refusal, RuntimeError):
    """``eastasia-data release`` refuses: nothing to release, a bump too small, uncommitted changes, ..."""


class ExportError(Refusal, RuntimeError):
    """The export cannot be made; the message says why and what to do."""


class PlotError(Refusal, RuntimeError):
    """A figure cannot be drawn; the message says why."""


class IntegrityError(Refusal, RuntimeError):
    """A shipped file does not match the hash in the release descriptor."""


class UnsafeFileError(IntegrityError):
    """A file is refused as it stands: a symbolic link, not a regular file, over its size cap, or outside its release.

    ``reason`` says which, for a caller that reports them differently: ``"too-big"`` for a file
    over its size cap, ``"unsafe"`` for the rest.

    Examples
    --------
    >>> UnsafeFileError("big.csv is over the cap", reason="too-big").reason, UnsafeFileError("a link").reason
    ('too-big', 'unsafe')
    """

    def __init__(self, message: str, *, reason: str = "unsafe"):
        super().__init__(message)
        self.reason = reason


def exit_code(error: BaseException) -> int:
    """The exit status a command returns for ``error``.

    Examples
    --------
    >>> exit_code(IntegrityError("altered")), exit_code(FileNotFoundError("gone"))
    (1, 2)
    """
    if isinstance(error, EastAsiaError):
        return error.exit_code
    return EXIT_USAGE


def require(module: str, extra: str, what: str):
    """Import ``module``, or raise :class:`MissingExtraError` naming the extra that installs it.

    Examples
    --------
    >>> require("json", "validate", "validate").__name__
    'json'
    >>> require("no_such_module_xyz", "plot", "plot")
    Traceback (most recent call last):
    ...
    eastasia_data.errors.MissingExtraError: plot needs no_such_module_xyz: pip install "eastasia-data[plot]"
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.split(".")[0] != exc.name.split(".")[0]:
            raise
        raise MissingExtraError(f'{what} needs {module}: pip install "eastasia-data[{extra}]"') from None


def need(module: str, extra: str, what: str) -> None:
    """Raise :class:`MissingExtraError` unless ``module`` is installed; unlike :func:`require`, import nothing.

    Examples
    --------
    >>> need("json", "validate", "validate")
    >>> need("no_such_module_xyz", "serve", "serve")
    Traceback (most recent call last):
    ...
    eastasia_data.errors.MissingExtraError: serve needs no_such_module_xyz: pip install "eastasia-data[serve]"
    """
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(f'{what} needs {module}: pip install "eastasia-data[{extra}]"')
