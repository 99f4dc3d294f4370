"""``prd review``: output formats, exit codes and file errors."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from prd_assistant.cli import review as review_cli

SCHEMA = Path(__file__).parent / "data" / "review" / "sarif-2.1.0-subset.schema.json"
PRD = "# Refunds PRD\n\n## 1. Overview\nThe API must be fast.\n\n## 7. NFRs\n- Throughput: TBD\n"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="prd review")
    review_cli.add_arguments(parser)
    code = review_cli.run(parser.parse_args(list(argv)))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def prd_file(tmp_path: Path) -> Path:
    path = tmp_path / "prd.md"
    path.write_text(PRD, encoding="utf-8")
    return path


def test_text_output_groups_by_section_with_position_match_and_question(
    capsys: pytest.CaptureFixture[str], prd_file: Path
) -> None:
    code, out, err = _run(capsys, str(prd_file))
    assert code == 1 and err == ""
    assert (
        out.index("## 1. Overview")
        < out.index('4:17  warning  vague-speed  "fast"')
        < out.index("## 7. NFRs")
    )
    assert "? How fast exactly" in out
    assert '7:15  error    placeholder  "TBD"' in out
    assert "2 finding(s): 1 error, 1 warning, 0 info." in out


WRAPPED = (
    "# Export PRD\n\n## Requirements\n\nThe archive that tenants download keeps each export\n"
    "for a retention period that is TBD until legal\nsigns off on the policy.\n"
)


def test_a_wrapped_open_question_shows_its_lines_in_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "prd.md"
    path.write_text(WRAPPED, encoding="utf-8")
    _, out, _ = _run(capsys, str(path))
    assert '6:32  error    placeholder  "TBD"  (lines 5-7)' in out
    _, out, _ = _run(capsys, str(path), "--format", "json")
    (finding,) = json.loads(out)["findings"]
    assert (finding["line"], finding["match"]) == (6, "TBD")
    assert (finding["first_line"], finding["last_line"]) == (5, 7)
    assert WRAPPED[finding["location_start"] : finding["location_end"]] == (
        "The archive that tenants download keeps each export\n"
        "for a retention period that is TBD until legal\nsigns off on the policy."
    )
    _, out, _ = _run(capsys, str(path), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    where = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    # The region stays the flagged words; the context region is the sentence.
    assert (where["region"]["startLine"], where["region"]["endLine"]) == (6, 6)
    assert where["region"]["snippet"]["text"] == "TBD"
    context = where["contextRegion"]
    assert (context["startLine"], context["endLine"]) == (5, 7)
    assert context["charOffset"] == finding["location_start"]
    assert context["charOffset"] + context["charLength"] == finding["location_end"]


def test_json_output_has_findings_and_summary(
    capsys: pytest.CaptureFixture[str], prd_file: Path
) -> None:
    code, out, _ = _run(capsys, str(prd_file), "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert [f["match"] for f in payload["findings"]] == ["fast", "TBD"]
    assert set(payload["findings"][0]) >= {
        "rule",
        "category",
        "severity",
        "line",
        "column",
        "start",
        "end",
        "section",
        "match",
        "sentence",
        "message",
        "question",
        "suggestion",
    }
    assert payload["summary"]["by_severity"] == {"error": 1, "warning": 1, "info": 0}


def test_sarif_output_is_valid_sarif_2_1_0(
    capsys: pytest.CaptureFixture[str], prd_file: Path
) -> None:
    _, out, _ = _run(capsys, str(prd_file), "--format", "sarif")
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({rule["id"] for rule in rules}) == len(rules)
    first = run["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "vague-speed"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (4, 17, 21)
    assert [r["level"] for r in run["results"]] == ["warning", "error"]
    # A claim is located at its words; an open question at its sentence ("Throughput: TBD").
    claim, placeholder = (r["locations"][0]["physicalLocation"] for r in run["results"])
    assert "contextRegion" not in claim
    assert placeholder["contextRegion"]["charLength"] == len("Throughput: TBD")


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 1), ("warning", 1), ("info", 1)])
def test_fail_on_levels(
    capsys: pytest.CaptureFixture[str], prd_file: Path, fail_on: str, expected: int
) -> None:
    assert _run(capsys, str(prd_file), "--fail-on", fail_on)[0] == expected


def test_exit_zero_when_nothing_reaches_fail_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "prd.md"
    path.write_text(
        "## 7. NFRs\n- The API must be fast.\n## 18. Open Questions\n- Which region first?\n",
        encoding="utf-8",
    )
    assert _run(capsys, str(path))[0] == 0
    assert _run(capsys, str(path), "--fail-on", "warning")[0] == 1
    path.write_text("## 18. Open Questions\n- Which region first?\n", encoding="utf-8")
    assert _run(capsys, str(path), "--fail-on", "warning")[0] == 0
    assert _run(capsys, str(path), "--fail-on", "info")[0] == 1
    path.write_text(
        "## 1. Overview\nRefunds v2 refunds an order in at most 3 clicks.\n", encoding="utf-8"
    )
    code, out, _ = _run(capsys, str(path), "--fail-on", "info")
    assert code == 0 and "no findings" in out


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp / "missing.md", "no such file"),
        (lambda tmp: tmp, "is a folder"),
        (
            lambda tmp: (tmp / "a.bin").write_bytes(b"PK\x03\x04\x00\x00binary") and tmp / "a.bin",
            "is binary",
        ),
        (
            lambda tmp: (
                (tmp / "l1.md").write_bytes("Café est rapide".encode("latin-1")) and tmp / "l1.md"
            ),
            "not UTF-8",
        ),
    ],
)
def test_file_errors_give_one_clear_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, make, words: str
) -> None:
    code, out, err = _run(capsys, str(make(tmp_path)))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and err.startswith("prd: error: ")


def test_python_dash_m_entry_point_runs_the_review(prd_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prd_assistant", "review", str(prd_file), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["total"] == 2


def test_usage_error_exits_2(prd_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "prd_assistant", "review", str(prd_file), "--format", "xml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "invalid choice" in result.stderr
