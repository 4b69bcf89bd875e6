#!/usr/bin/env bash
# Prepare a development environment from a clean clone: a virtualenv in .venv with the
# Python dependencies, the npm dependencies, and the labextension built and installed.
# Sourced by scripts/test.sh and scripts/demo.sh; safe to run again (it reuses what exists).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${REES_VENV:-$ROOT/.venv}"
EXTRAS="${1:-test,demo}"

step() { printf '\n==> %s\n' "$*"; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are needed to build the extension (node >= 18)." >&2
  exit 2
fi

if [ ! -x "$VENV/bin/python" ]; then
  step "Creating the virtual environment $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
export PATH="$VENV/bin:$PATH"

step "Installing the build tools (JupyterLab, hatch, setuptools for sdist-only dependencies)"
python -m pip install --quiet "setuptools>=70.1" wheel "jupyterlab>=4.5,<5" "hatchling>=1.27" "hatch-nodejs-version>=0.3.2" "hatch-jupyter-builder>=0.5" editables

step "Installing npm dependencies"
cd "$ROOT"
npm ci --no-audit --no-fund --loglevel=error

step "Building the labextension"
npm run --silent build:prod

step "Installing jupyter_rees_ui[$EXTRAS]"
python -m pip install --quiet --no-build-isolation -e ".[$EXTRAS]"
# Point JupyterLab at the freshly built extension of this checkout.
jupyter labextension develop --overwrite . >/dev/null
