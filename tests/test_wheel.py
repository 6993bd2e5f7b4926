"""The wheel ships the release: installed into a fresh virtual environment, every table loads offline."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

from conftest import MODEL, REPO

SCRIPT = """
import json, sys
sys.path = [p for p in sys.path if 'src' not in p.split('/')]  # never the checkout
import eastasia_data as ead
out = {name: {c: str(t) for c, t in ead.load(name).dtypes.items()} for name in ead.tables()}
out['__file__'] = ead.__file__
out['__version__'] = ead.__version__
out['verify'] = __import__('eastasia_data.loader', fromlist=['x']).verify_release()
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
    proc = subprocess.run([str(python), "-c", SCRIPT], capture_output=True, text=True, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*", "HTTP_PROXY": "http://127.0.0.1:9"}, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert Path(out.pop("__file__")).is_relative_to(env_dir)
    assert out.pop("verify") == []
    out.pop("__version__")
    assert out == {name: table.dtypes for name, table in MODEL.items()}
