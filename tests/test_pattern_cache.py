"""Compiled patterns read back from the cache are the patterns ``re.compile`` gives."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from prd_assistant import pattern_cache
from prd_assistant.pattern_cache import compile_pattern
from prd_assistant.review import rules_open, rules_vague

# Long enough to be cached; named groups, look-behind, flags set inside the pattern.
PATTERN = (
    r"(?i)(?<![\w-])(?P<word>"
    + "|".join(f"{word}s?" for word in ("alpha", "beta", "gamma", "delta") * 40)
    + r")(?=[ \t]|$)|(?P<number>\d+(?:\.\d+)?)\s*(?:ms|s)\b"
)
TEXT = "Alphas take 30 ms; beta-tests 2.5 s, DELTA gamma\nalpha"


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with the cache usable, whatever an earlier test met."""
    monkeypatch.setattr(
        pattern_cache, "_state", {"usable": pattern_cache._BUILD is not None, "pruned": False}
    )


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(pattern_cache.CACHE_ENV, str(tmp_path))
    return tmp_path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _same(pattern: re.Pattern[str], expected: re.Pattern[str]) -> None:
    assert pattern == expected  # same source, flags and compiled program
    assert (pattern.flags, pattern.groups, pattern.groupindex) == (
        expected.flags,
        expected.groups,
        expected.groupindex,
    )
    assert [m.groupdict() for m in pattern.finditer(TEXT)] == [
        m.groupdict() for m in expected.finditer(TEXT)
    ]


def test_a_pattern_is_stored_once_and_read_back_identical(cache: Path) -> None:
    expected = re.compile(PATTERN, re.MULTILINE)
    first = compile_pattern(PATTERN, re.MULTILINE)
    stored = _files(cache)
    assert len(stored) == 1
    written = stored[0].stat().st_mtime_ns
    second = compile_pattern(PATTERN, re.MULTILINE)
    _same(first, expected)
    _same(second, expected)
    assert _files(cache) == stored and stored[0].stat().st_mtime_ns == written
    # The flags are part of the key: the same source without them is another pattern.
    _same(compile_pattern(PATTERN), re.compile(PATTERN))
    assert len(_files(cache)) == 2


def test_the_review_rules_read_back_as_compiled(cache: Path) -> None:
    for rule in (*rules_open.RULES, *rules_vague.RULES):
        compile_pattern(rule.pattern, re.MULTILINE)
    for rule in (*rules_open.RULES, *rules_vague.RULES):
        assert compile_pattern(rule.pattern, re.MULTILINE) == re.compile(rule.pattern, re.MULTILINE)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-8] + bytes(8),  # program changed: checksum fails
        lambda data: b"not a header\n" + data,
        lambda data: data.replace(b"alpha", b"omega", 1),  # another pattern's file
    ],
)
def test_a_damaged_file_is_compiled_again_and_replaced(cache: Path, damage) -> None:
    compile_pattern(PATTERN)
    (stored,) = _files(cache)
    good = stored.read_bytes()
    stored.write_bytes(damage(good))
    _same(compile_pattern(PATTERN), re.compile(PATTERN))
    assert stored.read_bytes() == good


def test_a_cache_that_cannot_be_written_compiles_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("in the way", encoding="utf-8")
    monkeypatch.setenv(pattern_cache.CACHE_ENV, str(blocker))
    _same(compile_pattern(PATTERN), re.compile(PATTERN))
    assert not list(tmp_path.glob("*.tmp"))
    # The rest of the process compiles as usual, without preparing programs to store.
    calls: list[str] = []
    monkeypatch.setattr(pattern_cache, "_compile", lambda p, f: calls.append(p))
    other = PATTERN.replace("alpha", "omega")
    _same(compile_pattern(other), re.compile(other))
    assert calls == []


def test_an_empty_setting_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pattern_cache.CACHE_ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert pattern_cache.cache_dir() is None
    _same(compile_pattern(PATTERN), re.compile(PATTERN))
    assert _files(tmp_path) == []


def test_files_no_version_reads_are_removed_past_the_limit(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pattern_cache, "MAX_FILES", 6)
    folder = cache / str(pattern_cache._BUILD)
    folder.mkdir(parents=True)
    for index in range(8):
        old = folder / f"old{index}.bin"
        old.write_bytes(b"a file of an earlier version of the rules")
        os.utime(old, ns=(index * 10**9, index * 10**9))
    _same(compile_pattern(PATTERN), re.compile(PATTERN))
    # 9 files, over the limit: the 6 oldest went, the newest old ones and the new one stay.
    left = sorted(p.name for p in folder.iterdir())
    assert len(left) == 3 and {"old6.bin", "old7.bin"} < set(left)

    def not_compiled(pattern: str, flags: int) -> None:
        raise AssertionError("the stored file should have been read")

    monkeypatch.setattr(pattern_cache, "_compile", not_compiled)
    _same(compile_pattern(PATTERN), re.compile(PATTERN))


def test_short_patterns_are_not_stored(cache: Path) -> None:
    assert compile_pattern(r"\bfast(?:er)?\b") == re.compile(r"\bfast(?:er)?\b")
    assert _files(cache) == []


def test_the_default_folder_is_the_users_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pattern_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert pattern_cache.cache_dir() == tmp_path / "prd-assistant" / "patterns"


def test_a_fresh_process_reviews_the_same_with_a_cold_and_a_warm_cache(tmp_path: Path) -> None:
    document = tmp_path / "prd.md"
    document.write_text(
        "## Requirements\n- The export must be fast and user-friendly.\n"
        "- Retention: to be decided\n- Search handles thousands of users.\n",
        encoding="utf-8",
    )
    runs = [
        subprocess.run(
            [
                sys.executable,
                "-m",
                "prd_assistant",
                "review",
                "--format=json",
                "--fail-on=warning",
                str(document),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, pattern_cache.CACHE_ENV: cache},
            timeout=120,
            check=False,
        )
        for cache in (str(tmp_path / "cache"), str(tmp_path / "cache"), "")
    ]
    assert [run.returncode for run in runs] == [1, 1, 1], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert '"vague-speed"' in runs[0].stdout
    assert len(_files(tmp_path / "cache")) > 10
