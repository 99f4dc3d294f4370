"""`prd review --ai`: contradictions and model suggestions in every output format."""

import json
from pathlib import Path

import jsonschema
import pytest

from prd_assistant.cli import main
from tests.support.openai_server import OpenAIStubServer, Status

DATA = Path(__file__).parent / "data"
PLANTED = DATA / "assist" / "contradictions_payments.md"
SCHEMA = json.loads((DATA / "review" / "sarif-2.1.0-subset.schema.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)


def review_ai(server, *extra):
    return main(
        [
            "review",
            str(PLANTED),
            "--ai",
            "--base-url",
            server.url,
            "--model",
            "test-model",
            "--fail-on",
            "info",
            "--retries",
            "0",
            *extra,
        ]
    )


def test_json_adds_contradictions_and_suggestions(capsys):
    with OpenAIStubServer() as server:
        assert review_ai(server, "--format", "json") == 1
        assert server.calls >= 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["findings"] and payload["summary"]
    assert payload["contradictions"], "the planted contradictions were not found"
    first = payload["contradictions"][0]
    assert first["line"] != first["other_line"]
    assert payload["ai"]["risks"] and payload["ai"]["error"] is None


def test_sarif_with_ai_stays_valid(capsys):
    with OpenAIStubServer() as server:
        review_ai(server, "--format", "sarif")
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, SCHEMA)
    rules = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    used = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert used <= rules and "ai-risk" in used


def test_text_lists_the_ai_part_after_the_rule_findings(capsys):
    with OpenAIStubServer() as server:
        review_ai(server)
    out = capsys.readouterr().out
    assert out.index("contradict") > 0 and "Risk" in out


def test_a_failed_model_call_keeps_rule_findings_and_contradictions(capsys):
    with OpenAIStubServer() as server:
        server.enqueue(*[Status(500)] * 10)
        code = review_ai(server, "--format", "json")
    captured = capsys.readouterr()
    assert code == 1
    payload = json.loads(captured.out)
    assert payload["findings"] and payload["contradictions"]
    assert "the AI review failed" in captured.err
