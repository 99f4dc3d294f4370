"""The line every benchmark prints first: cores, CPU model and Python version."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """``machine: 2 cores, AMD EPYC ..., Python 3.11.7``."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    cpu = next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
        platform.processor(),
    )
    return f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"
