"""The wheel ships the release: installed into a fresh virtual environment, every table loads offline.

The same installed wheel shows the integrity anchor at work: the wheel's RECORD catches a
descriptor edited alone, which a check of the descriptor against itself cannot.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import RELEASE_MODEL as MODEL  # the wheel ships the release: its tables
from conftest import REPO
from test_loader_safety import AUDIT

import eastasia_data as ead

pytestmark = pytest.mark.slow

SCRIPT = """
import json, sys
sys.path = [p for p in sys.path if 'src' not in p.split('/')]  # never the checkout
import eastasia_data as ead
out = {name: {c: str(t) for c, t in ead.load(name).dtypes.items()} for name in ead.tables()}
out['__file__'] = ead.__file__
out['__version__'] = ead.__version__
out['verify'] = __import__('eastasia_data.loader', fromlist=['x']).verify_release()
out['__older__'] = {v: [str(ead.path('claims', version=v)), len(ead.load('claims', version=v, verify=True))]
                    for v in ead.versions()['version']}
out['__history__'] = ead.history('claims', 'clm-a1-united-front')['status'].tolist()
print(json.dumps(out))
"""

OFFLINE = {"PATH": "/usr/bin:/bin", "NO_PROXY": "*", "HTTP_PROXY": "http://127.0.0.1:9"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, the venv, the installed package directory) of the wheel built from this checkout."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("eastasia_data-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True, timeout=900)
    proc = subprocess.run([str(python), "-c", "import eastasia_data, os; print(os.path.dirname(eastasia_data.__file__))"],
                          capture_output=True, text=True, cwd=tmp_path, env=OFFLINE, timeout=300, check=True)
    return python, env_dir, Path(proc.stdout.strip())


def _run(installed, *args: str, cwd: Path):
    _, env_dir, _ = installed
    return subprocess.run([str(env_dir / "bin" / "eastasia-data"), *args], capture_output=True, text=True,
                          cwd=cwd, env=OFFLINE, timeout=300)


def test_wheel_installs_and_loads_every_table(installed, tmp_path):
    python, env_dir, _ = installed
    proc = subprocess.run([str(python), "-c", SCRIPT], capture_output=True, text=True, cwd=tmp_path,
                          env=OFFLINE, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    package = Path(out.pop("__file__")).parent
    assert package.is_relative_to(env_dir)
    assert out.pop("verify") == []
    out.pop("__version__")
    # every release ships (both fit the budget) and loads offline; history needs nothing else
    older = out.pop("__older__")
    assert sorted(older) == sorted(p.name.removeprefix("eastasia-data-") for p in (REPO / "releases").iterdir()
                                   if p.is_dir())  # the bundles beside the releases are not shipped
    assert Path(older["0.1.0"][0]).is_relative_to(package / "releases" / "eastasia-data-0.1.0")
    assert older["0.1.0"][1] == len(ead.load("claims", version="0.1.0"))
    assert out.pop("__history__")[:2] == ["added", "changed"]
    assert out == {name: table.dtypes for name, table in MODEL.items()}

    # The installed loader opens nothing outside its own release directory (see test_loader_safety.py),
    # bar the anchor that verify checks the descriptor against: the wheel's RECORD.
    proc = subprocess.run([str(python), "-c", AUDIT], capture_output=True, text=True, cwd=tmp_path, env=OFFLINE, timeout=300)
    assert proc.returncode == 0, proc.stderr
    audit = json.loads(proc.stdout)
    assert Path(audit["release"]) == (package / "release").resolve()
    opened = {args[0] for event, args in audit["events"] if event in ("open", "eastasia.read_parquet")}
    record = {p for p in opened if Path(p).name == "RECORD" and Path(p).parent.name.startswith("eastasia_data-")}
    assert record, "verify did not read the wheel's RECORD"
    assert opened - record and all(Path(p).resolve().parent == Path(audit["release"]) for p in opened - record), opened
    parquet = {Path(args[0]).name for event, args in audit["events"] if event == "eastasia.read_parquet"}
    assert parquet == {f"{name}.parquet" for name in MODEL}
    assert not [e for e, _ in audit["events"] if e.startswith(("socket.", "pickle.", "marshal.", "exec", "import", "subprocess."))]

    run = _run(installed, "verify", cwd=tmp_path)
    assert run.returncode == 0 and "anchored in the wheel's RECORD" in run.stdout, run.stdout + run.stderr


def test_a_reader_cites_a_release_and_diffs_two_without_the_validate_extra(installed, tmp_path):
    """The reader's install has neither pandera nor PyYAML, and no checkout is near."""
    python = installed[0]
    found = subprocess.run([str(python), "-c", "import importlib.util as u; print([m for m in ('pandera', 'yaml') "
                            "if u.find_spec(m)])"], capture_output=True, text=True, env=OFFLINE, timeout=300)
    assert found.stdout.strip() == "[]", found.stdout + found.stderr
    cited = _run(installed, "cite", "--style", "apa", "--release", "0.1.0", cwd=tmp_path)
    entry = next(r for r in ead.versions().to_dict("records") if r["version"] == "0.1.0")
    assert cited.returncode == 0, cited.stderr
    assert "(Version 0.1.0)" in cited.stdout and entry["content_hash"] in cited.stdout
    assert "release bundle eastasia-data-0.1.0.zip" in cited.stdout
    compared = _run(installed, "diff", "1.0.0", "2.0.0", cwd=tmp_path)
    assert compared.returncode == 0 and compared.stderr == "", compared.stderr
    assert compared.stdout.startswith("release 1.0.0 → release 2.0.0\n")
    refused = _run(installed, "validate", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr == (
        f"error: {tmp_path}: not inside a checkout of eastasia-data; run the command in one, or pass --repo DIR\n")


@pytest.fixture
def damaged(installed):
    """The installed release, restored after the test damages it."""
    release = installed[2] / "release"
    backup = release.parent / "release.bak"
    shutil.copytree(release, backup)
    yield release
    shutil.rmtree(release)
    backup.rename(release)


def test_verify_names_an_altered_parquet_file(installed, damaged, tmp_path):
    victim = damaged / "strategies.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    run = _run(installed, "verify", cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "strategies.parquet" in run.stdout and "Traceback" not in run.stderr


def test_a_descriptor_edited_alone_is_caught_by_the_record(installed, damaged, tmp_path):
    """The issue's forgery: change the version, delete a resource; every remaining file still matches it."""
    path = damaged / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    descriptor["version"] = "9.9.9"
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "claims"]
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    run = _run(installed, "verify", cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "datapackage.json: differs from the wheel's RECORD" in run.stdout, run.stdout
    cite = _run(installed, "cite", cwd=tmp_path)
    assert cite.returncode == 1 and "9.9.9" not in cite.stdout and "does not verify" in cite.stderr, cite.stdout + cite.stderr
    python = installed[0]
    proc = subprocess.run([str(python), "-c", "import eastasia_data as e; e.load('events', verify=True)"],
                          capture_output=True, text=True, cwd=tmp_path, env=OFFLINE, timeout=300)
    assert proc.returncode == 1 and "IntegrityError" in proc.stderr and "RECORD" in proc.stderr, proc.stderr


@pytest.mark.parametrize("how", ["not-json", "no-hash", "damaged-parquet"])
def test_damage_is_one_line_not_a_traceback(how, installed, damaged, tmp_path):
    path = damaged / "datapackage.json"
    if how == "not-json":
        path.write_text("{ this is not json", encoding="utf-8")
    elif how == "no-hash":
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        del descriptor["resources"][0]["hash"]
        path.write_text(json.dumps(descriptor), encoding="utf-8")
    else:
        (damaged / "events.parquet").write_bytes(b"PAR1 not really parquet PAR1")
    for args in (["verify"], ["export", "--format", "csv", "--out", str(tmp_path / "out")], ["cite"]):
        run = _run(installed, *args, cwd=tmp_path)
        assert run.returncode == 1 and "Traceback" not in run.stderr, (args, run.stdout, run.stderr)
        # verify also says `verified:` for each intact release it ships; the damage itself is one short report
        damage = [line for line in (run.stdout + run.stderr).strip().splitlines() if not line.startswith("verified: ")]
        assert 1 <= len(damage) <= 3, (args, run.stdout, run.stderr)


def test_a_reader_cites_rows_and_verifies_the_citation_from_the_wheel(installed, tmp_path):
    """Issue 24: row citations need no checkout; DataCite and Croissant exports carry the shipped facts."""
    cited = _run(installed, "cite", "--style", "apa", "--rows", "claims:clm-a1-united-front", cwd=tmp_path)
    assert cited.returncode == 0, cited.stderr
    assert "- claims[clm-a1-united-front] sha256:" in cited.stdout
    assert cited.stdout == ead.cite("apa", rows={"claims": ["clm-a1-united-front"]})
    (tmp_path / "c.txt").write_text(cited.stdout, encoding="utf-8")
    checked = _run(installed, "verify-citation", str(tmp_path / "c.txt"), cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("verified: 1 row of eastasia-data"), checked.stderr
    croissant = _run(installed, "export", "--format", "croissant", "--out", "-", cwd=tmp_path)
    assert croissant.returncode == 0 and '"rai:dataBiases"' in croissant.stdout, croissant.stderr
