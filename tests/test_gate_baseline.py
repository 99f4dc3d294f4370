"""The review baseline: matched by rule, section and text, never by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prd_assistant.gate import Baseline, BaselineError, fingerprint
from prd_assistant.review import review

PRD = "## 2. Goals\nThe API must be fast.\n\n## 7. NFRs\n- Throughput: TBD\n- Quota is TBD\n"


def _baseline(text: str, tmp_path: Path) -> Baseline:
    written = Baseline()
    written.add("prd.md", review(text))
    written.write(tmp_path / "b.json")
    return Baseline.load(tmp_path / "b.json")


def test_baseline_accepts_every_current_finding(tmp_path: Path) -> None:
    new, accepted, fixed = _baseline(PRD, tmp_path).split("prd.md", review(PRD))
    assert new == [] and len(accepted) == 3 and fixed == 0


def test_moved_lines_and_renumbered_sections_still_match(tmp_path: Path) -> None:
    baseline = _baseline(PRD, tmp_path)
    edited = "# Title\n\nIntro paragraph.\n\n" + PRD.replace("## 7. NFRs", "## 8. NFRs")
    new, accepted, _ = baseline.split("prd.md", review(edited))
    assert new == [] and len(accepted) == 3
    assert accepted[0].line != review(PRD)[0].line


def test_a_new_vague_sentence_and_a_second_copy_are_new(tmp_path: Path) -> None:
    baseline = _baseline(PRD, tmp_path)
    edited = PRD + "- Quota is TBD\n- Search is simple.\n"
    new, _, _ = baseline.split("prd.md", review(edited))
    assert [f.match for f in new] == ["TBD", "simple"]


def test_fixed_findings_are_counted_and_other_files_do_not_match(tmp_path: Path) -> None:
    baseline = _baseline(PRD, tmp_path)
    new, accepted, fixed = baseline.split("prd.md", review(PRD.replace("fast", "p95 ≤ 200 ms")))
    assert (len(new), len(accepted), fixed) == (0, 2, 1)
    assert len(baseline.split("other.md", review(PRD))[0]) == 3


def test_the_same_words_in_another_section_are_new() -> None:
    (a,) = review("## Goals\nIt is fast.\n")
    (b,) = review("## Scope\nIt is fast.\n")
    (c,) = review("## 3. goals\n\nIt  is   FAST.\n")
    assert fingerprint(a) != fingerprint(b)
    assert fingerprint(a) == fingerprint(c)


def test_file_is_sorted_readable_json(tmp_path: Path) -> None:
    _baseline(PRD, tmp_path)
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert data["format"] == "prd-review-baseline" and data["version"] == 1
    assert {e["rule"] for e in data["findings"]} == {"vague-speed", "placeholder"}
    assert all(
        set(e) == {"file", "fingerprint", "rule", "section", "match", "sentence"}
        for e in data["findings"]
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "does not exist"), ("{not json", "cannot read"), ('{"a": 1}', "is not a prd review")],
)
def test_bad_baseline_files_say_how_to_recreate_them(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=expected) as info:
        Baseline.load(path)
    assert "--write-baseline" in str(info.value)
