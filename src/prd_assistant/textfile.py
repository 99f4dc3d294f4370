"""Bytes from a file or an upload -> text, with one clear error for whatever cannot be read.

Templates, descriptions and PRDs to review all arrive this way, so they fail the same way.
"""

from __future__ import annotations

from pathlib import Path


class TextFileError(ValueError):
    """The input is not usable text; the message names it and says what to do."""


def decode_text(data: bytes, name: str, *, max_bytes: int) -> str:
    """Decodes UTF-8 (with or without a BOM), refusing oversized, binary and non-UTF-8 data."""
    if len(data) > max_bytes:
        raise TextFileError(
            f"{name} is {len(data) / 1024:,.0f} KiB; the limit is {max_bytes / 1024:,.0f} KiB. "
            "Is this the right file?"
        )
    if b"\x00" in data:
        raise TextFileError(f"{name} is binary, not text. Use a Markdown (.md) or text file.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TextFileError(
            f"{name} is not UTF-8 text (byte {exc.start} cannot be decoded). "
            "Save it as UTF-8 and try again."
        ) from None


def read_text_file(path: str | Path, *, max_bytes: int) -> str:
    """Reads a text file, with a clear error when it is missing, a folder or unreadable."""
    file = Path(path)
    if not file.exists():
        raise TextFileError(f"{file}: no such file. Check the path and try again.")
    if file.is_dir():
        raise TextFileError(f"{file} is a folder; give a Markdown or text file.")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise TextFileError(f"{file}: cannot be read ({exc.strerror or exc}).") from None
    return decode_text(data, str(file), max_bytes=max_bytes)
