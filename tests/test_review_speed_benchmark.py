"""The linearity measure of ``benchmarks/review_speed.py``: parts that rejoin to the whole."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.support.benchmarks import load_benchmark


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_benchmark("review_speed")


def test_parts_are_consecutive_and_rejoin_to_the_whole(bench: ModuleType) -> None:
    paragraphs = [f"Paragraph {n} has " + "word " * (n % 7 + 3) for n in range(200)]
    text = "\n\n".join(paragraphs)
    parts = bench.split_parts(text, 100)
    assert "\n\n".join(parts) == text
    assert len(parts) > 5
    assert all(len(part.split()) >= 100 for part in parts[:-1])
    # A part closes as soon as it reaches the size: it is never a whole paragraph too long.
    assert all(len(part.split()) < 100 + 12 for part in parts)


def test_a_text_shorter_than_one_part_is_one_part(bench: ModuleType) -> None:
    assert bench.split_parts("Just a few words.", 3_000) == ["Just a few words."]
