"""Text files in and out: bounded reads with one clear error, and atomic writes.

Templates, descriptions and PRDs to review all arrive through :func:`read_text_file` or
:func:`read_text_stream`, so they fail the same way, and none of them is read past its size
limit (``/dev/zero`` or an endless pipe gives an error, not a ``MemoryError``). Drafts are saved
with :func:`write_text_atomic`, so an interrupted or failed save never destroys the old file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO


class TextFileError(ValueError):
    """The input is not usable text; the message names it and says what to do."""


class SaveError(OSError):
    """A file could not be written; the message names it, says why, and that the old file is intact."""


def decode_text(data: bytes, name: str, *, max_bytes: int) -> str:
    """Decodes UTF-8 (with or without a BOM), refusing oversized, binary and non-UTF-8 data."""
    if len(data) > max_bytes:
        raise _too_large(name, max_bytes)
    if b"\x00" in data:
        raise TextFileError(f"{name} is binary, not text. Use a Markdown (.md) or text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextFileError(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be decoded). "
            "Save it as UTF-8 and try again."
        ) from None


def _too_large(name: str, max_bytes: int) -> TextFileError:
    return TextFileError(
        f"{name} is larger than the {max_bytes / 1024:,.0f} KiB limit. Is this the right file?"
    )


def read_limited(stream: BinaryIO, name: str, *, max_bytes: int) -> bytes:
    """Reads at most ``max_bytes`` from ``stream``; one byte more is an error, not a longer read."""
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        chunk = stream.read(min(1 << 16, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise _too_large(name, max_bytes)


def read_text_stream(stream: BinaryIO, name: str, *, max_bytes: int) -> str:
    """Reads text from a binary stream (stdin's ``buffer``) with the same checks as a file."""
    return decode_text(read_limited(stream, name, max_bytes=max_bytes), name, max_bytes=max_bytes)


_OPEN_ERRORS = {
    errno.ENOENT: "no such file. Check the path and try again.",
    errno.ENOTDIR: "no such file (a part of the path is not a folder). Check the path.",
    errno.ELOOP: "is a symbolic link that loops back on itself. Fix the link or give the real file.",
    errno.EACCES: "permission denied. Check the file's permissions.",
    errno.EPERM: "permission denied. Check the file's permissions.",
}


def read_text_file(path: str | Path, *, max_bytes: int) -> str:
    """Reads a text file, with a clear error when it is missing, a folder, unreadable or too big."""
    file = Path(path)
    try:
        with open(file, "rb") as handle:
            data = read_limited(handle, str(file), max_bytes=max_bytes)
    except IsADirectoryError:
        raise TextFileError(f"{file} is a folder; give a Markdown or text file.") from None
    except OSError as exc:
        reason = _OPEN_ERRORS.get(exc.errno or 0, f"cannot be read ({exc.strerror or exc}).")
        raise TextFileError(f"{file}: {reason}") from None
    return decode_text(data, str(file), max_bytes=max_bytes)


def _is_special(file: Path) -> bool:
    """True for an existing target that is not a regular file: /dev/null, a FIFO, a terminal."""
    try:
        return not stat.S_ISREG(file.stat().st_mode)
    except OSError:
        return False


def check_writable(path: str | Path, what: str) -> None:
    """Checks that ``path`` can be (re)written, before any work is spent on its content.

    Args:
        path: The file to be written.
        what: How to name it in the message (e.g. ``"-o"``).

    Raises:
        SaveError: The folder is missing or not a folder, the path is a folder, or nothing can
            be created in the folder (permissions, read-only file system).
    """
    file = Path(os.path.realpath(path))
    folder = file.parent
    if file.is_dir():
        raise SaveError(f"{what} {path} is a folder; give a file name inside it.")
    if _is_special(file):
        if not os.access(file, os.W_OK):
            raise SaveError(f"{what} {path} cannot be written (permission denied).")
        return
    if not folder.exists():
        raise SaveError(f"{what} {path}: the folder {folder} does not exist. Create it first.")
    if not folder.is_dir():
        raise SaveError(f"{what} {path}: {folder} is not a folder.")
    if file.exists() and not os.access(file, os.W_OK):
        raise SaveError(f"{what} {path} is read-only. Pick another path or change its permissions.")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{file.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise SaveError(
            f"{what} {path}: cannot write in {folder} ({exc.strerror or exc}). Pick another path."
        ) from None


def write_text_atomic(path: str | Path, text: str) -> None:
    """Writes ``text`` to ``path`` so that readers see the old file or the new one, never a mix.

    The text goes to a temporary file in the same folder, is flushed to disk (fsync) and then
    renamed over ``path``. A full disk or a kill at any moment leaves the old file as it was.
    A symbolic link stays a link (its target is replaced); a target that is not a regular file
    (``/dev/null``, a FIFO) is written in place, since renaming over it would replace the device.

    Raises:
        SaveError: The file could not be written; the old file, if any, is untouched.
    """
    file = Path(os.path.realpath(path))
    data = text.encode("utf-8")
    if _is_special(file):
        try:
            with open(file, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise _save_error(file, exc) from None
        return
    try:
        fd, temp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    except OSError as exc:
        raise _save_error(file, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(file))
        os.replace(temp, file)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _save_error(file, exc) from None
    _sync_folder(file.parent)


def _mode_for(file: Path) -> int:
    """Keeps an existing file's permissions; new files get the usual umask-based mode."""
    try:
        return file.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder entry is on disk; best effort elsewhere.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _save_error(file: Path, exc: OSError) -> SaveError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    else:
        reason = exc.strerror or str(exc)
    kept = " The previous version is unchanged." if file.exists() else ""
    return SaveError(f"Could not save {file}: {reason}.{kept}")
