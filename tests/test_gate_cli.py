"""``prd review`` as a CI gate (baseline, suppressions, several files) and ``prd rules``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from prd_assistant.cli import main
from prd_assistant.gate.catalog import all_rules
from prd_assistant.review import review

SCHEMA = Path(__file__).parent / "data" / "review" / "sarif-2.1.0-subset.schema.json"
PRD = "# Refunds PRD\n\n## 1. Overview\nThe API must be fast.\n\n## 7. NFRs\n- Throughput: TBD\n"


def _prd(tmp_path: Path, text: str = PRD, name: str = "prd.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_baseline_hides_current_findings_and_a_new_vague_sentence_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prd = _prd(tmp_path)
    baseline = tmp_path / ".prd-review-baseline.json"
    assert main(["review", str(prd), "--write-baseline", str(baseline)]) == 0
    assert "wrote 2 accepted finding(s)" in capsys.readouterr().err
    gate = ["review", str(prd), "--baseline", str(baseline), "--fail-on", "warning"]
    assert main(gate) == 0
    out, err = capsys.readouterr()
    assert "no findings" in out and "2 finding(s) accepted by the baseline" in err
    prd.write_text("Intro.\n\n" + PRD + "- Search is simple.\n", encoding="utf-8")
    assert main(gate) == 1
    out = capsys.readouterr().out
    assert '"simple"' in out and "TBD" not in out and "1 finding(s)" in out


def test_baseline_applies_to_json_and_sarif_and_a_missing_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prd = _prd(tmp_path)
    baseline = tmp_path / "b.json"
    main(["review", str(prd), "--write-baseline", str(baseline)])
    prd.write_text(PRD + "- Search is simple.\n", encoding="utf-8")
    capsys.readouterr()
    main(["review", str(prd), "--baseline", str(baseline), "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert [f["match"] for f in payload["findings"]] == ["simple"]
    main(["review", str(prd), "--baseline", str(baseline), "--format", "sarif"])
    log = json.loads(capsys.readouterr().out)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["vague-usability"]
    assert main(["review", str(prd), "--baseline", str(tmp_path / "none.json")]) == 2
    assert "--write-baseline" in capsys.readouterr().err


def test_unused_suppression_is_a_finding_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PRD.replace("The API", "<!-- prd-review: disable=vague-speed -->\nThe API") + (
        "\n<!-- prd-review: disable=placeholder -->\nNothing open here.\n"
    )
    prd = _prd(tmp_path, text)
    assert main(["review", str(prd), "--format", "sarif", "--fail-on", "warning"]) == 1
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["placeholder", "unused-suppression"]
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_several_files_are_reviewed_in_one_call_with_the_worst_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = _prd(tmp_path, "## Goals\np95 latency ≤ 200 ms.\n", "clean.md")
    dirty = _prd(tmp_path)
    assert main(["review", str(clean), str(dirty)]) == 1
    out = capsys.readouterr().out
    assert f"{clean}: no findings." in out and f"{dirty}: 2 finding(s)" in out
    assert main(["review", str(clean), str(dirty), "--format", "json"]) == 2
    assert "give one FILE" in capsys.readouterr().err


def test_rules_lists_every_rule_once_and_shows_a_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))
    assert all(f"\n{rule_id} " in "\n" + out for rule_id in ids)
    assert main(["rules", "vague-speed"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# `vague-speed`") and "disable=vague-speed" in page
    assert main(["rules", "no-such-rule"]) == 2


def test_rules_docs_writes_a_page_per_rule_and_an_index(tmp_path: Path) -> None:
    assert main(["rules", "--docs", str(tmp_path / "rules")]) == 0
    pages = {p.stem for p in (tmp_path / "rules").glob("*.md")}
    assert pages == {r.id for r in all_rules()} | {"index"}
    index = (tmp_path / "rules" / "index.md").read_text(encoding="utf-8")
    assert all(f"({r.id}.md)" in index for r in all_rules())


def test_every_rule_the_engine_reports_is_in_the_catalog() -> None:
    known = {r.id for r in all_rules()}
    data = Path(__file__).parent / "data" / "review"
    reported = {f.rule for path in data.glob("*.md") for f in review(path.read_text("utf-8"))}
    assert reported and reported <= known


def test_console_script_runs_rules_without_loading_the_model_stack() -> None:
    code = (
        "import sys; from prd_assistant.cli import main; main(['rules']); "
        "print('openai' in sys.modules, 'langchain_core' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("False False")


def test_contradictions_go_through_the_baseline_and_suppressions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "## 7. NFRs\n- Availability: 99.9% monthly.\n\n"
        "## 13. Performance\n- Availability: 99.5% monthly.\n"
    )
    prd = _prd(tmp_path, text)
    assert main(["review", str(prd), "--fail-on", "warning"]) == 1
    assert "consistency-availability" in capsys.readouterr().out
    baseline = tmp_path / "b.json"
    assert main(["review", str(prd), "--write-baseline", str(baseline)]) == 0
    capsys.readouterr()
    assert main(["review", str(prd), "--baseline", str(baseline), "--fail-on", "warning"]) == 0
    assert "consistency" not in capsys.readouterr().out
    prd.write_text(
        text.replace(
            "- Availability: 99.5%",
            "<!-- prd-review: disable=consistency-availability -->\n\n- Availability: 99.5%",
        ),
        encoding="utf-8",
    )
    assert main(["review", str(prd), "--fail-on", "warning"]) == 0
