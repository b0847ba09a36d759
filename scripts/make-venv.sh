#!/usr/bin/env bash
# Create the project's virtual environment unless it exists; on Debian, fetch python3-venv if venv is missing.
set -euo pipefail
python=$1 venv=$2
[ -x "$venv/bin/python" ] && exit 0
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  scripts/debian-packages.sh python3-venv
  "$python" -m venv "$venv"
fi
