#!/usr/bin/env bash
# The one command that installs the extension and opens JupyterLab on the demo project:
#   bash scripts/demo.sh
# The demo is copied fresh into .demo/ each time, so using it never changes the repository.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh" "demo,repo2docker,verify"

rm -rf "$ROOT/.demo"
mkdir -p "$ROOT/.demo"
cp -R "$ROOT/examples/demo" "$ROOT/.demo/demo"

printf '\n==> Starting JupyterLab on a fresh copy of the demo (%s)\n' "$ROOT/.demo/demo"
ARGS=()
[ "$(id -u)" -ne 0 ] || ARGS+=(--allow-root)
exec jupyter lab --notebook-dir="$ROOT/.demo/demo" "${ARGS[@]}" "$@"
