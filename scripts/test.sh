#!/usr/bin/env bash
# The one command that runs every test from a clean clone:
#   bash scripts/test.sh
# Creates .venv, installs Python and npm dependencies (Debian's chromium when none is found
# and apt-get can run; elsewhere it says what to install),
# builds the extension, then runs pytest, the frontend unit tests and the Galata UI tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# This checkout is what is tested: a PYTHONPATH (or PYTHONHOME) left in the calling shell
# would put another copy of the package, or another Python, in its place.
unset PYTHONPATH PYTHONHOME
step() { printf '\n==> %s\n' "$*"; }

# The UI tests drive a Chromium: $CHROMIUM, else the first one found, else Debian's
# (installed here when apt-get can run as root), else say what to install.
find_chromium() {
  [ -n "${CHROMIUM:-}" ] && { echo "$CHROMIUM"; return; }
  [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; return; }
  local name
  for name in chromium google-chrome google-chrome-stable chromium-browser; do
    command -v "$name" && return
  done
}
CHROMIUM="$(find_chromium || true)"
if [ -z "$CHROMIUM" ] && command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || { sudo -n true 2>/dev/null && SUDO="sudo -n"; } || SUDO="none"
  if [ "$SUDO" != "none" ]; then
    step "Installing Debian's chromium for the UI tests"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
      && CHROMIUM=/usr/bin/chromium
  fi
fi
if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
  cat >&2 <<'MSG'
The UI tests need Chromium (or Google Chrome), and none was found. Install one, then run
this again (set CHROMIUM=/path/to/browser if it is not on PATH):
  Debian/Ubuntu:  sudo apt-get install chromium
  Fedora:         sudo dnf install chromium
  Arch:           sudo pacman -S chromium
  macOS:          brew install --cask chromium
  without root:   (cd ui-tests && npx playwright install chromium), then set CHROMIUM to
                  the chrome binary it prints under ~/.cache/ms-playwright/
MSG
  exit 2
fi
export CHROMIUM

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
