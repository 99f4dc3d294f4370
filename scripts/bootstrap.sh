#!/usr/bin/env bash
# Creates ./.venv with the project installed (editable), once per change of pyproject.toml.
# Usage: scripts/bootstrap.sh [EXTRA]   e.g. "test" installs the test extras too.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
stamp=".venv/.prd-installed-${extra:-base}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  spec="."
  [ -n "$extra" ] && spec=".[$extra]"
  echo "Installing prd-assistant into ./.venv ..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
  echo "$want" > "$stamp"
fi
# Byte-compile the project's own (editable) sources once here: with PYTHONDONTWRITEBYTECODE
# set, as in CI and containers, every app start would compile them again, about 0.15 s of the
# app's first paint. pip already does this for the installed packages. Up to date: no work.
.venv/bin/python -m compileall -q src >/dev/null
