import json
import subprocess
import sys
from pathlib import Path

import pytest

from prd_assistant.cli import main
from prd_assistant.template import load_template

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
    "via Twilio to shoppers, 2,000 notifications per minute at peak."
)


@pytest.fixture(autouse=True)
def no_model_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)


def test_outline_without_a_model_writes_every_heading(tmp_path, capsys):
    out = tmp_path / "draft.md"
    code = main(["draft", DESCRIPTION, "-o", str(out), "--json", str(tmp_path / "d.json")])
    assert code == 0
    err = capsys.readouterr().err
    assert "no model configured" in err and "(outline)" in err and "19/19" in err
    markdown = out.read_text(encoding="utf-8")
    headings = [s.heading for s in load_template().sections]
    positions = [markdown.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "**Outline**" in markdown and "2,000 notifications per minute" in markdown
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert data["outline"] is True and len(data["sections"]) == 19
    assert {s["status"] for s in data["sections"]} == {"done"}


def test_offline_flag_silences_the_note_and_prints_markdown(capsys):
    assert main(["draft", DESCRIPTION, "--offline"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# ParcelPing Product Requirements Document (PRD)")
    assert "no model configured" not in captured.err


def test_description_file_and_custom_template(tmp_path, capsys):
    (tmp_path / "desc.txt").write_text(DESCRIPTION, encoding="utf-8")
    (tmp_path / "t.md").write_text(
        "# <Service Name> brief\n## Why\nReason.\n## What\n", encoding="utf-8"
    )
    code = main(
        ["draft", "-f", str(tmp_path / "desc.txt"), "-t", str(tmp_path / "t.md"), "--offline"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("# ParcelPing brief\n") and "## Why" in out and "## What" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["draft", ""], "description is empty"),
        (["draft", "word " * 5000], "limit is 3,000"),
        (["draft", DESCRIPTION, "-t", "/nonexistent/t.md"], "Template /nonexistent/t.md: no such"),
        (["draft", "-f", "/nonexistent/d.txt"], "/nonexistent/d.txt: no such file"),
        (["draft", "--resume", "/nonexistent/d.json"], "Draft JSON /nonexistent/d.json: no such"),
    ],
)
def test_bad_input_gets_one_clear_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0]


def test_template_without_sections_is_refused(tmp_path, capsys):
    (tmp_path / "t.md").write_text("# Nothing here\n", encoding="utf-8")
    assert main(["draft", DESCRIPTION, "-t", str(tmp_path / "t.md")]) == 2
    assert "no sections" in capsys.readouterr().err


def test_dry_run_prints_tokens_and_cost_without_a_model(capsys):
    assert main(["draft", DESCRIPTION, "--dry-run", "--model", "gpt-4o-mini"]) == 0
    out = capsys.readouterr().out
    assert "no model is called" in out and "1. Overview" in out and "Estimated cost: $" in out
    assert main(["draft", DESCRIPTION, "--dry-run", "--model", "my-local-llama"]) == 0
    assert "unknown (no price for my-local-llama)" in capsys.readouterr().out


def test_module_entry_point_runs():
    result = subprocess.run(
        [sys.executable, "-m", "prd_assistant", "draft", DESCRIPTION, "--offline", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).parent,
    )
    assert result.returncode == 0, result.stderr
    assert "## 19. Change Control" in result.stdout


def test_cli_default_concurrency_matches_the_engine():
    from prd_assistant import drafting
    from prd_assistant.cli import draft as cli_draft

    assert cli_draft.DEFAULT_CONCURRENCY == drafting.DEFAULT_CONCURRENCY


def test_cli_model_defaults_match_the_model_settings():
    from dataclasses import fields

    from prd_assistant.cli import build_parser
    from prd_assistant.llm import ModelSettings

    args = build_parser().parse_args(["draft", DESCRIPTION])
    defaults = {f.name: f.default for f in fields(ModelSettings)}
    assert (args.temperature, args.timeout, args.retries) == (
        defaults["temperature"],
        defaults["timeout"],
        defaults["max_retries"],
    )
