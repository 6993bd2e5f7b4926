#!/usr/bin/env bash
# The test suite on a fresh machine: set up, then run every test on every core (extra arguments
# go to pytest; `bash scripts/test.sh -m "not slow"` is the quick run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest -n auto "$@"
