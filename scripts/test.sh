#!/usr/bin/env bash
# The one command that runs every test from a clean clone:
#   bash scripts/test.sh
# Creates .venv, installs Python and npm dependencies (and Debian's chromium when missing),
# builds the extension, then runs pytest, the frontend unit tests and the Galata UI tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
step() { printf '\n==> %s\n' "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  step "Installing Debian's chromium for the UI tests"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

source "$ROOT/scripts/setup.sh" "test,demo"
cd "$ROOT"

step "Checking the installed extension"
jupyter server extension list 2>&1 | grep -E "jupyter_rees_ui.*OK"
jupyter labextension list 2>&1 | grep -E "jupyter-rees-ui.*enabled.*OK"
ALLOW_ROOT=()
[ "$(id -u)" -ne 0 ] || ALLOW_ROOT=(--allow-root)
python -m jupyterlab.browser_check --no-browser-test "${ALLOW_ROOT[@]}" >/dev/null 2>&1 || python -m jupyterlab.browser_check --no-browser-test "${ALLOW_ROOT[@]}"

step "pytest"
set +e
python -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi

step "Frontend unit tests"
npm test --silent

step "Galata UI tests"
cd "$ROOT/ui-tests"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
npx playwright test
