"""`prd draft` through the real openai client against the local OpenAI-compatible server."""

import dataclasses
import json

import pytest

from prd_assistant.cli import draft as draft_command
from prd_assistant.cli import main
from prd_assistant.cli.common import settings_from_args
from prd_assistant.template import load_template
from tests.support.openai_server import OpenAIStubServer, Status
from tests.support.ports import free_port, unaccepting_port

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
    "via Twilio to shoppers, 2,000 notifications per minute at peak."
)
HEADINGS = [s.heading for s in load_template().sections]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)


def asked_sections(server):
    found = []
    for body in server.requests:
        text = body["messages"][-1]["content"]
        found.append(next(h for h in HEADINGS if f"Now write the section {h}\n" in text))
    return found


def draft(server, tmp_path, *extra):
    return main(
        [
            "draft",
            DESCRIPTION,
            "--model",
            "test-model",
            "--base-url",
            server.url,
            "-o",
            str(tmp_path / "prd.md"),
            "--json",
            str(tmp_path / "prd.json"),
            *extra,
        ]
    )


def test_each_section_gets_its_own_streamed_call(tmp_path, capsys):
    with OpenAIStubServer() as server:
        assert draft(server, tmp_path) == 0
    assert sorted(asked_sections(server)) == sorted(HEADINGS)
    assert all(body["stream"] for body in server.requests)
    markdown = (tmp_path / "prd.md").read_text(encoding="utf-8")
    positions = [markdown.index(f"\n{h}\n") for h in HEADINGS]
    assert positions == sorted(positions)
    assert "**Outline**" not in markdown
    data = json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))
    assert data["model"] == "test-model"
    assert all(s["usage"]["exact"] and s["usage"]["prompt_tokens"] > 0 for s in data["sections"])
    err = capsys.readouterr().err
    assert err.count("  done   ") == 19 and "prd: drafted 19/19 sections" in err


def test_draft_completes_when_some_calls_fail_with_429_and_500(tmp_path):
    with OpenAIStubServer(fail_rate=0.3, seed=3) as server:
        assert draft(server, tmp_path) == 0
        assert server.failures > 0
    sections = json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))["sections"]
    assert {s["status"] for s in sections} == {"done"}


def test_a_section_failing_after_retries_is_named_and_resume_redrafts_only_it(tmp_path, capsys):
    with OpenAIStubServer() as server:
        # One call at a time: the first is Problem Statement's (longest chain first).
        # Two attempts (--retries 1), the second announced, then the section fails.
        server.enqueue(*[Status(500)] * 2)
        code = draft(server, tmp_path, "--concurrency", "1", "--retries", "1")
        assert code == 1
        err = capsys.readouterr().err
        assert "1 section(s) failed: 2. Problem Statement." in err
        assert f"prd draft --resume {tmp_path / 'prd.json'}" in err
        assert "Drafting this section failed" in (tmp_path / "prd.md").read_text(encoding="utf-8")
        calls = server.calls
        other = json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))["sections"][0]

        code = main(
            [
                "draft",
                "--resume",
                str(tmp_path / "prd.json"),
                "--base-url",
                server.url,
                "--model",
                "test-model",
                "-o",
                str(tmp_path / "prd.md"),
            ]
        )
        assert code == 0
        assert server.calls == calls + 1
        assert asked_sections(server)[-1] == "## 2. Problem Statement"
    data = json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))
    assert {s["status"] for s in data["sections"]} == {"done"}
    assert data["sections"][0]["text"] == other["text"]


def test_wrong_key_gives_one_clear_line_without_the_key(tmp_path, capsys, monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-0123456789abcdef")
    with OpenAIStubServer(require_key="sk-good") as server:
        assert draft(server, tmp_path) == 1
        assert server.calls < 19  # it stopped instead of trying every section
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert lines[-1].startswith("prd: error: ") and "key" in lines[-1].lower()
    assert not [line for line in lines if line.startswith("prd: error") and line != lines[-1]]
    saved = tmp_path / "prd.json"  # the key is checked before drafting: nothing to save yet
    everything = (
        captured.err + captured.out + caplog.text + (saved.read_text() if saved.exists() else "")
    )
    assert "0123456789abcdef" not in everything and "Traceback" not in everything


def test_unreachable_server_gives_one_clear_line(tmp_path, capsys):
    port = free_port()
    code = main(
        ["draft", DESCRIPTION, "--base-url", f"http://127.0.0.1:{port}/v1", "--retries", "0", "-q"]
    )
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("prd: error: ")
    assert f"127.0.0.1:{port}" in err[0] and "Traceback" not in err[0]


def test_a_server_that_never_accepts_the_connection_is_not_said_to_be_slow(capsys, monkeypatch):
    # The default connect limit is 10 s; the test waits 0.5 s for it.
    monkeypatch.setattr(
        draft_command,
        "settings_from_args",
        lambda args, **kw: dataclasses.replace(settings_from_args(args, **kw), connect_timeout=0.5),
    )
    with unaccepting_port() as port:
        code = main(["draft", DESCRIPTION, "--base-url", f"http://127.0.0.1:{port}/v1", "-q"])
    assert code == 1
    [err] = capsys.readouterr().err.strip().splitlines()
    assert err.startswith(f"prd: error: Could not connect to the model server at 127.0.0.1:{port}")
    assert "did not answer" not in err


def test_clarify_asks_first_and_unanswered_questions_become_assumptions(tmp_path, capsys):
    with OpenAIStubServer() as server:
        assert draft(server, tmp_path, "--clarify") == 0
        first, *sections = server.requests
    assert "response_format" in first or "tools" in first  # the structured clarify call
    data = json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))
    clarifications = data["clarifications"]
    assert 1 <= len(clarifications) <= 5 and all(c["assumed"] for c in clarifications)
    assumption = f"Assumption: {clarifications[0]['question']} -> {clarifications[0]['answer']}"
    assert len(sections) == 19
    assert all(assumption in body["messages"][-1]["content"] for body in sections)
    assert clarifications[0]["question"] in capsys.readouterr().err
