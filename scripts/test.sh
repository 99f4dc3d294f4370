#!/usr/bin/env bash
# Runs lint and the whole test suite (creates ./.venv on first run).
# The browser test needs Debian's Chromium at /usr/bin/chromium, and the store tests a
# throwaway PostgreSQL from Debian's postgresql; as root this script installs both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser test ..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "warning: could not install chromium; the browser test will be skipped" >&2
  else
    echo "note: /usr/bin/chromium not found; the browser test will be skipped" >&2
  fi
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's postgresql for the store tests ..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null) \
      || echo "warning: could not install postgresql; the PostgreSQL store tests will be skipped" >&2
  else
    echo "note: PostgreSQL not found; the PostgreSQL store tests will be skipped" >&2
  fi
fi
# The real-server tests run llama_cpp.server from its own venv (made once from the wheel in
# ../shared/wheels); without the wheel this prints why and the tests skip. A failed install is
# reported by the tests themselves (they retry it), so it does not stop the run here.
bash scripts/llama_venv.sh || echo "warning: could not make .venv-llama; see the real-server tests" >&2
.venv/bin/python -m ruff check src tests benchmarks app.py
exec .venv/bin/python -m pytest "$@"
