#!/usr/bin/env bash
# The main job on a fresh machine: set up, validate the tables, build the release.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/eastasia-data validate "$@"
.venv/bin/eastasia-data fmt --check
.venv/bin/eastasia-data check-version
.venv/bin/eastasia-data build "$@"
