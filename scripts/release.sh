#!/usr/bin/env bash
# The main job on a fresh machine: set up, validate the tables, check their form, the generated
# files and the version (check-version takes the pull-request gate unless pyproject's version
# differs from the last release: then the release gate), and build the release into a scratch
# directory to show that it builds. Releasing is `eastasia-data release` (CONTRIBUTING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/gates.sh all "$@"  # validate, fmt --check, generate --check, check-version: the gates CI runs
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
.venv/bin/eastasia-data build --out "$scratch" "$@"
