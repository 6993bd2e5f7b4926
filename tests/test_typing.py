"""The package is typed: it ships ``py.typed``, its public API has return types, and mypy over src/ is clean."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from conftest import REPO

import eastasia_data as ead
from eastasia_data import paths


def test_the_package_says_it_is_typed():
    assert (paths.PACKAGE_DIR / "py.typed").is_file()


@pytest.mark.parametrize("name", sorted(n for n in ead.__all__ if n != "__version__"
                                        and inspect.isfunction(getattr(ead, n))))
def test_public_functions_have_return_types_and_real_signatures(name):
    fn = getattr(ead, name)
    sig = inspect.signature(fn)
    assert sig.return_annotation is not inspect.Signature.empty, f"ead.{name} has no return type"
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()), \
        f"ead.{name}{sig} hides its parameters"


@pytest.mark.slow
def test_mypy_is_clean_over_src():
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-1].startswith("Success: no issues found"), proc.stdout
