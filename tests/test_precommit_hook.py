"""The pre-commit hook, run by the real ``pre-commit`` on a temporary git repository, offline.

``pre-commit try-repo`` reads this checkout's ``.pre-commit-hooks.yaml`` (committed into a
temporary hook repository, so uncommitted edits are tested too). The test runs the
``prd-review-system`` hook (the installed ``prd``), which needs no download; ``prd-review``
is the same hook for users, with pre-commit building its environment from PyPI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (BIN / "pre-commit").exists(),
    reason="needs git and the pre-commit package",
)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PRE_COMMIT_HOME=str(tmp_path / "cache"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(tmp_path),
        # Any attempt to reach the network fails at once instead of hanging.
        PIP_NO_INDEX="1",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
    )
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _hook_repo(tmp_path: Path, env: dict[str, str]) -> Path:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", hooks)
    _git(hooks, env, "init", "-q")
    _git(hooks, env, "add", ".")
    _git(hooks, env, "commit", "-q", "-m", "hooks")
    return hooks


def _try_repo(hooks: Path, repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(hooks), "prd-review-system", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_hook_fails_on_a_vague_prd_and_passes_once_it_is_fixed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    hooks = _hook_repo(tmp_path, env)
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, env, "init", "-q")
    (repo / "checkout-prd.md").write_text("## Goals\nCheckout must be fast.\n", encoding="utf-8")
    (repo / "notes.md").write_text("Not a PRD: fast, TBD.\n", encoding="utf-8")
    _git(repo, env, "add", ".")
    failed = _try_repo(hooks, repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "vague-speed" in failed.stdout and "checkout-prd.md" in failed.stdout
    assert "notes.md" not in failed.stdout
    (repo / "checkout-prd.md").write_text(
        "## Goals\nCheckout p95 latency ≤ 300 ms at 200 requests/s.\n", encoding="utf-8"
    )
    _git(repo, env, "add", ".")
    passed = _try_repo(hooks, repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_user_hook_and_offline_hook_run_the_same_command_on_the_same_files() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    user, offline = by_id["prd-review"], by_id["prd-review-system"]
    assert user["language"] == "python" and offline["language"] == "system"
    for key in ("entry", "args", "files", "types"):
        assert user[key] == offline[key]
