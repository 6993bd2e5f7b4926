#!/usr/bin/env bash
# The test suite on a fresh machine: set up, then run every test (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest "$@"
