#!/usr/bin/env bash
# The gates a change passes, defined once: CI (.github/workflows/ci.yml, one step per gate),
# scripts/release.sh (all of them) and the pre-commit hooks run this script.
#
#   bash scripts/gates.sh validate [ARGS...]   the tables are valid (ARGS go to validate: --data-dir, --sources-dir)
#   bash scripts/gates.sh fmt                  the CSVs are in canonical form
#   bash scripts/gates.sh generate             the generated files are up to date
#   bash scripts/gates.sh version              check-version: the pull-request gate, or the release gate on a tag v*
#   bash scripts/gates.sh all [ARGS...]        every gate above, in that order
#
# Under GitHub Actions (GITHUB_ACTIONS=true) validate and check-version also print workflow annotations.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=.venv/bin/eastasia-data
format=text
[ "${GITHUB_ACTIONS:-}" = "true" ] && format=github
gate=auto
case "${GITHUB_REF:-}" in refs/tags/v*) gate=release ;; esac

run() {
  case "$1" in
    validate) shift; "$cli" validate --format "$format" "$@" ;;
    fmt) "$cli" fmt --check ;;
    generate) "$cli" generate --check ;;
    version) "$cli" check-version --format "$format" --gate "$gate" ;;
    *) echo "scripts/gates.sh: unknown gate '$1' (use validate, fmt, generate, version or all)" >&2; exit 2 ;;
  esac
}

what=${1:-all}
[ $# -gt 0 ] && shift
if [ "$what" = all ]; then
  run validate "$@"
  run fmt
  run generate
  run version
else
  run "$what" "$@"
fi
