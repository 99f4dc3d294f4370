#!/usr/bin/env bash
# Runs the PRD Assistant web app on http://localhost:8501 (creates ./.venv on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/python -m streamlit run app.py "$@"
