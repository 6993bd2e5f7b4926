"""The wheel ships the release: installed into a fresh virtual environment, every table loads offline."""

from __future__ import annotations

import json
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


def test_wheel_installs_and_loads_every_table(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True, timeout=600)
    wheel = next(dist.glob("eastasia_data-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True, timeout=900)
    offline = {"PATH": "/usr/bin:/bin", "NO_PROXY": "*", "HTTP_PROXY": "http://127.0.0.1:9"}
    proc = subprocess.run([str(python), "-c", SCRIPT], capture_output=True, text=True, cwd=tmp_path,
                          env=offline, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    package = Path(out.pop("__file__")).parent
    assert package.is_relative_to(env_dir)
    assert out.pop("verify") == []
    out.pop("__version__")
    # every release ships (both fit the budget) and loads offline; history needs nothing else
    older = out.pop("__older__")
    assert sorted(older) == sorted(p.name.removeprefix("eastasia-data-") for p in (REPO / "releases").iterdir())
    assert Path(older["0.1.0"][0]).is_relative_to(package / "releases" / "eastasia-data-0.1.0")
    assert older["0.1.0"][1] == len(ead.load("claims", version="0.1.0"))
    assert out.pop("__history__")[:2] == ["added", "changed"]
    assert out == {name: table.dtypes for name, table in MODEL.items()}

    # The installed loader opens nothing outside its own release directory (see test_loader_safety.py).
    proc = subprocess.run([str(python), "-c", AUDIT], capture_output=True, text=True, cwd=tmp_path, env=offline, timeout=300)
    assert proc.returncode == 0, proc.stderr
    audit = json.loads(proc.stdout)
    assert Path(audit["release"]) == (package / "release").resolve()
    opened = {args[0] for event, args in audit["events"] if event in ("open", "eastasia.read_parquet")}
    assert opened and all(Path(p).resolve().parent == Path(audit["release"]) for p in opened), opened
    parquet = {Path(args[0]).name for event, args in audit["events"] if event == "eastasia.read_parquet"}
    assert parquet == {f"{name}.parquet" for name in MODEL}
    assert not [e for e, _ in audit["events"] if e.startswith(("socket.", "pickle.", "marshal.", "exec", "import"))]

    # `eastasia-data verify` names the installed file that was altered.
    victim = package / "release" / "strategies.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    proc = subprocess.run([str(env_dir / "bin" / "eastasia-data"), "verify"], capture_output=True, text=True,
                          cwd=tmp_path, env=offline, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "strategies.parquet" in proc.stdout and "Traceback" not in proc.stderr
