"""Every error the package raises belongs to exactly one kind: a usage error (exit 2) or a refusal (exit 1)."""

from __future__ import annotations

import inspect

import pytest

from eastasia_data import errors
from eastasia_data.errors import EastAsiaError, Refusal, UsageError

CLASSES = sorted((c for _, c in inspect.getmembers(errors, inspect.isclass)
                  if issubclass(c, EastAsiaError) and c not in (EastAsiaError, UsageError, Refusal)),
                 key=lambda c: c.__name__)


def test_errors_py_holds_the_errors_of_curation_too():
    assert {"InvalidDataError", "ReleaseError", "BuildError", "SnapshotError"} <= {c.__name__ for c in CLASSES}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_error_is_of_one_kind(cls):
    assert issubclass(cls, UsageError) != issubclass(cls, Refusal), cls.__mro__
    assert cls("x").exit_code == (errors.EXIT_USAGE if issubclass(cls, UsageError) else errors.EXIT_REFUSED)


def test_invalid_data_is_a_refusal_only():
    assert not issubclass(errors.InvalidDataError, UsageError)
    assert errors.exit_code(errors.InvalidDataError("the data is not valid")) == 1
