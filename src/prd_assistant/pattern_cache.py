"""Compiled regular expressions kept between processes, as Python keeps compiled bytecode.

Python compiles a regular expression with a parser written in Python, in every new process.
The review rules' word lists make patterns of 4-24 KB that take 10-80 ms each: about 0.35 s
of every ``prd review``, and 0.1 s more for the tokenizer patterns of the language pipeline.
What the compiler produces (the program of integers that CPython's ``_sre`` engine runs)
depends only on the pattern, its flags and the Python build, so :func:`compile_pattern`
stores it once in the user's cache folder and hands it straight to ``_sre`` next time. The
result is the very pattern ``re.compile`` gives (checked before it is stored), without the
parse.

Anything unexpected falls back to ``re.compile``: another Python implementation, a cache
that cannot be written or read, a damaged or foreign file (each file carries its pattern and
a checksum of its program, and ``_sre`` validates every program it is given).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from array import array
from pathlib import Path

from prd_assistant.redaction import get_logger

try:  # CPython's engine and compiler; elsewhere every pattern is compiled as usual
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - other Python implementations
    _sre = None

logger = get_logger(__name__)

CACHE_ENV = "PRD_PATTERN_CACHE"
# Shorter patterns compile in well under a millisecond, about what reading a file costs.
MIN_LENGTH = 500
# Each change to a rule's word list leaves a file no version reads again; past this many, the
# oldest half goes (one version of the rules and the tokenizer needs about 40).
MAX_FILES = 1000
_CODE_TYPE = "I"  # array type of one program word, when its size is _sre.CODESIZE


def cache_dir() -> Path | None:
    """The folder of compiled patterns, or None when caching is off.

    ``PRD_PATTERN_CACHE`` names another folder; set to the empty string it turns caching off.
    Otherwise ``$XDG_CACHE_HOME/prd-assistant/patterns`` (default ``~/.cache/...``). Each
    Python build has a subfolder of its own.
    """
    override = os.environ.get(CACHE_ENV)
    if override is not None:
        return Path(override) if override else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "prd-assistant" / "patterns"


def _build_folder() -> str | None:
    if _sre is None or array(_CODE_TYPE).itemsize != _sre.CODESIZE:
        return None
    version = ".".join(map(str, sys.version_info[:3]))
    return f"{sys.implementation.cache_tag}-{version}-sre{_sre.MAGIC}"


_BUILD = _build_folder()
# Turned off for the rest of the process when the cache cannot be written or this Python
# compiles differently, so that no pattern is compiled twice again.
_state = {"usable": _BUILD is not None, "pruned": False}


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, read from the cache when it was compiled before."""
    flags = int(flags)
    folder = cache_dir()
    if not _state["usable"] or folder is None or len(pattern) < MIN_LENGTH:
        return re.compile(pattern, flags)
    key = f"{flags}\0{pattern}".encode("utf-8", "surrogatepass")
    path = folder / str(_BUILD) / f"{hashlib.sha256(key).hexdigest()[:40]}.bin"
    try:
        return _read(path, pattern, flags)
    except (OSError, ValueError, TypeError, KeyError, RuntimeError, OverflowError) as exc:
        if not isinstance(exc, FileNotFoundError):
            logger.debug("compiled pattern %s not used: %s", path.name, exc)
    compiled, stored = _compile(pattern, flags)
    if stored is None or not _write(path, stored):
        _state["usable"] = False
    return compiled


def _read(path: Path, pattern: str, flags: int) -> re.Pattern[str]:
    head, _, body = path.read_bytes().partition(b"\n")
    entry = json.loads(head)
    if entry["pattern"] != pattern or entry["flags"] != flags:
        raise ValueError("the file holds another pattern")
    if entry["sha256"] != hashlib.sha256(body).hexdigest():
        raise ValueError("the program does not match its checksum")
    code = array(_CODE_TYPE)
    code.frombytes(body)
    return _sre.compile(
        pattern,
        entry["final_flags"],
        code.tolist(),
        entry["groups"] - 1,
        entry["groupindex"],
        tuple(entry["indexgroup"]),
    )


def _compile(pattern: str, flags: int) -> tuple[re.Pattern[str], bytes | None]:
    """The compiled pattern, and what to store for it (None if it cannot be stored).

    The program is built as ``re._compiler.compile`` builds it; a Python whose compiler works
    otherwise gives a different pattern than ``re.compile``, and nothing is stored.
    """
    expected = re.compile(pattern, flags)
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        final_flags = flags | parsed.state.flags
        groups = parsed.state.groups
        built = _sre.compile(pattern, final_flags, code, groups - 1, groupindex, tuple(indexgroup))
        body = array(_CODE_TYPE, code).tobytes()
    except Exception as exc:  # the compiler's internals changed: compile as usual
        logger.debug("pattern not cacheable: %s", exc)
        return expected, None
    if (built, built.groups, built.groupindex) != (
        expected,
        expected.groups,
        expected.groupindex,
    ):
        return expected, None
    entry = {
        "pattern": pattern,
        "flags": flags,
        "final_flags": final_flags,
        "groups": groups,
        "groupindex": groupindex,
        "indexgroup": indexgroup,
        "sha256": hashlib.sha256(body).hexdigest(),
    }
    return expected, json.dumps(entry).encode() + b"\n" + body


def _write(path: Path, data: bytes) -> bool:
    """Writes the file whole or not at all (another process may be reading or writing it);
    False when it cannot be written."""
    partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        logger.debug("compiled pattern not stored in %s: %s", path.parent, exc)
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        return False
    if not _state["pruned"]:
        _state["pruned"] = True
        _prune(path.parent)
    return True


def _prune(folder: Path) -> None:
    """Keeps at most :data:`MAX_FILES` files in ``folder``, removing the oldest first."""
    try:
        files = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
        if len(files) <= MAX_FILES:
            return
        for old in files[: len(files) - MAX_FILES // 2]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # another process pruning at the same time, a file in use ...
        logger.debug("pattern cache not pruned: %s", exc)
