"""Citation: every style names the installed release's version and content hash; CITATION.cff validates."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli

import eastasia_data as ead
from eastasia_data.citation import cite, content_hash
from eastasia_data.loader import descriptor


def _cffconvert() -> str:
    for candidate in (os.environ.get("CFFCONVERT"), REPO / ".venv-cffconvert" / "bin" / "cffconvert",
                      shutil.which("cffconvert")):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail("cffconvert is not installed: run `bash scripts/setup.sh` (it makes .venv-cffconvert/)")


def _validate_cff(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_cffconvert(), "--validate", "-i", str(path)], capture_output=True, text=True, cwd=path.parent)


def test_content_hash_is_sha256_over_the_resource_hashes_in_order():
    d = descriptor()
    lines = "".join(f"{r['name']} {r['hash']}\n" for r in d["resources"])
    assert content_hash(d) == "sha256:" + hashlib.sha256(lines.encode()).hexdigest()
    altered = {**d, "resources": [{**d["resources"][0], "hash": "sha256:" + "0" * 64}, *d["resources"][1:]]}
    assert content_hash(altered) != content_hash(d)


@pytest.mark.parametrize("style", ["bibtex", "apa", "cff"])
def test_each_style_names_version_and_content_hash(style):
    text = ead.cite(style)
    assert ead.__version__ in text and content_hash(descriptor()) in text
    run = run_cli("cite", "--style", style)
    assert run.code == 0 and run.out == text.rstrip("\n") + "\n"


def test_bibtex_entry_shape():
    text = ead.cite("bibtex")
    assert text.startswith(f"@misc{{eastasia-data-{ead.__version__},\n") and text.rstrip().endswith("}")
    assert "  author = {{eastasia-data contributors}},\n" in text
    assert f"  year = {{{descriptor()['created'][:4]}}}," in text


def test_apa_reference_shape():
    year = descriptor()["created"][:4]
    assert ead.cite("apa").startswith(f"eastasia-data contributors. ({year}). eastasia-data: ")
    assert f"(Version {ead.__version__}) [Data set]." in ead.cite("apa")


def test_cff_of_the_release_is_valid_and_complete(tmp_path):
    path = tmp_path / "CITATION.cff"
    path.write_text(ead.cite("cff"), encoding="utf-8")
    run = _validate_cff(path)
    assert run.returncode == 0, run.stdout + run.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["type"] == "dataset" and data["version"] == ead.__version__
    assert data["date-released"] == descriptor()["created"][:10]
    assert data["identifiers"][0]["value"] == content_hash(descriptor())


def test_cffconvert_really_validates(tmp_path):
    path = tmp_path / "CITATION.cff"
    path.write_text(ead.cite("cff").replace("type: dataset", "type: spreadsheet"), encoding="utf-8")
    run = _validate_cff(path)
    assert run.returncode != 0


def test_repository_citation_cff_validates():
    run = _validate_cff(REPO / "CITATION.cff")
    assert run.returncode == 0, run.stdout + run.stderr


def test_unknown_style_names_the_styles():
    with pytest.raises(ValueError, match="use one of bibtex, apa, cff"):
        cite("mla")
    assert run_cli("cite", "--style", "mla").code == 2


def test_every_descriptor_states_the_same_licenses():
    release = {x["name"] for x in descriptor()["licenses"]}
    root = {x["name"] for x in json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["licenses"]}
    cff = set(yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))["license"])
    expression = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    assert release == root == cff == set(expression.split(" AND ")) == {"CC-BY-4.0", "MIT"}
