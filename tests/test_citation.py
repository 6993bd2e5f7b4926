"""Citation: every style names the installed release's version and content hash; CITATION.cff validates."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli

import eastasia_data as ead
from eastasia_data.citation import cite, content_hash
from eastasia_data.errors import UsageError
from eastasia_data.releases import descriptor


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
    with pytest.raises(UsageError, match="use one of bibtex, apa, cff"):
        cite("mla")
    assert run_cli("cite", "--style", "mla").code == 2


def test_every_descriptor_states_the_same_licenses():
    release = {x["name"] for x in descriptor()["licenses"]}
    root = {x["name"] for x in json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["licenses"]}
    cff = set(yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))["license"])
    expression = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]
    assert release == root == cff == set(expression.split(" AND ")) == {"CC-BY-4.0", "MIT"}


# -- citing the release you used, and where a citation points ------------------------------------

@pytest.mark.parametrize("version", ["0.1.0", "1.0.0"])
@pytest.mark.parametrize("style", ["bibtex", "apa", "cff"])
def test_cite_names_the_release_asked_for(version, style):
    """``cite(style, version=)`` and ``cite --release`` cite the release you loaded, not the installed one."""
    entry = next(r for r in ead.versions().to_dict("records") if r["version"] == version)
    text = ead.cite(style, version=version)
    assert version in text and entry["content_hash"] in text and f"eastasia-data-{version}.zip" in text
    assert ead.__version__ == version or f"Version {ead.__version__}" not in text
    run = run_cli("cite", "--style", style, "--release", version)
    assert run.code == 0 and run.out == text.rstrip("\n") + "\n"


def test_cite_of_an_unknown_release_lists_the_real_ones():
    run = run_cli("cite", "--release", "9.9.9")
    assert run.code == 2 and "no release '9.9.9'; the released versions are 0.1.0, 1.0.0" in run.err


def test_cite_refuses_a_release_whose_files_do_not_match_the_registry(monkeypatch):
    from eastasia_data import releases

    real = releases.registry()
    forged = {**real, "releases": [{**r, "content_hash": "sha256:" + "0" * 64} if r["version"] == "1.0.0" else r
                                   for r in real["releases"]]}
    monkeypatch.setattr(releases, "registry", lambda: forged)
    run = run_cli("cite", "--release", "1.0.0")
    assert run.code == 1 and run.out == "" and "the registry records sha256:000" in run.err


@pytest.mark.parametrize("style", ["bibtex", "apa", "cff"])
def test_nothing_is_invented_while_no_url_or_doi_is_configured(style):
    """The real pyproject names neither; each style carries version, content hash and bundle name, and no locator."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert not pyproject["project"].get("urls") and "doi" not in pyproject["tool"]["eastasia-data"]
    text = ead.cite(style)
    assert ead.__version__ in text and content_hash(descriptor()) in text
    assert f"eastasia-data-{ead.__version__}.zip" in text
    assert not any(word in text for word in ("http", "doi", "repository-code", "url ="))


def _scratch_repository(tmp_path: Path) -> Path:
    """A copy of the repository's tracked files (code, data, releases), to configure differently."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    files = listed.decode().split("\0")
    root = tmp_path / "eastasia-data"
    for name in filter(None, files):
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    return root


URL, DOI = "https://example.org/eastasia-data", "10.0000/eastasia-data.test"  # made up for the test, never real


@pytest.mark.slow  # a copy of the repository and three fresh processes
def test_a_configured_repository_url_and_doi_appear_in_every_style(tmp_path, sources_dir):
    """Set [project.urls] Repository and [tool.eastasia-data] doi in a scratch copy, regenerate, and cite.

    ``generate`` carries them into the package's ``registry.json`` (what an installed wheel
    ships), and the scratch's own code cites with them: each style, the repository's
    ``CITATION.cff``, and an older release built before they were configured.
    """
    root = _scratch_repository(tmp_path)
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[project.urls]\n", f'[project.urls]\nRepository = "{URL}"\n', 1)
    text = text.replace("[tool.eastasia-data]\n", f'[tool.eastasia-data]\ndoi = "{DOI}"\n', 1)
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "EASTASIA_SOURCES": str(sources_dir)}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "eastasia_data", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)

    run = cli("generate")
    assert run.returncode == 0, run.stdout + run.stderr
    registry = json.loads((root / "src/eastasia_data/registry.json").read_text(encoding="utf-8"))
    assert (registry["repository"], registry["doi"]) == (URL, DOI)
    cited = {}
    for style in ("apa", "bibtex", "cff"):
        run = cli("cite", "--style", style)
        assert run.returncode == 0, run.stderr
        cited[style] = run.stdout
        assert URL in run.stdout and DOI in run.stdout, (style, run.stdout)
    assert f"https://doi.org/{DOI}" in cited["apa"] and f" {URL} " in cited["apa"]
    assert f"  doi = {{{DOI}}}" in cited["bibtex"] and f"  url = {{{URL}}}" in cited["bibtex"]
    cff_data = yaml.safe_load(cited["cff"])
    assert (cff_data["repository-code"], cff_data["doi"]) == (URL, DOI)
    (tmp_path / "CITATION.cff").write_text(cited["cff"], encoding="utf-8")
    assert _validate_cff(tmp_path / "CITATION.cff").returncode == 0
    repository_cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert (repository_cff["repository-code"], repository_cff["doi"]) == (URL, DOI)
    older = cli("cite", "--style", "bibtex", "--release", "0.1.0")
    assert older.returncode == 0 and URL in older.stdout and DOI in older.stdout and "0.1.0" in older.stdout
