#!/usr/bin/env bash
# Create .venv (if missing) and install eastasia-data with its development extras into it.
# Sourced by the other scripts; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# The editable install follows src/ by itself; pip runs again only when pyproject.toml or this
# script changed since the last install that finished (pip's own check costs seconds each run).
stamp=.venv/.eastasia-data-setup
wanted=$(cat pyproject.toml scripts/setup.sh | "$PY" -c "import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())")
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  echo "$wanted" > "$stamp"
fi
# cffconvert validates CITATION.cff (a test runs it). Its 2.0.0 needs jsonschema<4, which frictionless
# (jsonschema>=4.20) excludes, so it gets a small environment of its own.
if [ ! -x .venv-cffconvert/bin/cffconvert ]; then
  "$PY" -m venv .venv-cffconvert
  # The versions the tests ran with.
  .venv-cffconvert/bin/python -m pip install --quiet --disable-pip-version-check \
    "cffconvert==2.0.0" "jsonschema==3.2.0" "pykwalify==1.8.0" "ruamel.yaml==0.19.1"
fi
# axe-core (the npm package) for the accessibility audit of tests/test_site.py, inside .venv/.
if [ ! -f .venv/node_modules/axe-core/axe.min.js ]; then
  if command -v npm >/dev/null 2>&1; then
    npm install --silent --no-audit --no-fund --prefix .venv "axe-core@4.14.1"
  else
    echo "setup: npm is missing, so axe-core is not installed (apt-get install -y npm); tests/test_site.py needs it" >&2
  fi
fi
