"""`prd draft` never loses finished sections: kill -9, SIGTERM and Ctrl-C mid-run, then --resume.

The CLI runs as a real process against the local OpenAI-compatible server. Four sections that
nothing depends on are held by the server until the test releases them, so the run is stopped
with exactly 15 of 19 sections done.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from prd_assistant.cli import main
from prd_assistant.drafting import Drafter
from prd_assistant.template import load_template
from prd_assistant.tokens import count_tokens
from tests.support.openai_server import OpenAIStubServer, Stall, default_reply

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
    "via Twilio to shoppers, 2,000 notifications per minute at peak."
)
TEMPLATE = load_template()


def held_sections() -> list[str]:
    """The open-questions section (reported last anyway) and three others no section needs."""
    drafter = Drafter(TEMPLATE, None)
    leaves = [s.heading for s in TEMPLATE.sections if not drafter.dependents(s.key)]
    gatherers = [s.heading for s in TEMPLATE.sections if s.key in drafter.gatherers]
    others = [h for h in leaves if h not in gatherers]
    return gatherers + others[: 4 - len(gatherers)]


HELD = held_sections()


class HoldingServer(OpenAIStubServer):
    """Answers at once, except the ``HELD`` sections, which wait until ``release`` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        super().__init__(reply=self._reply)

    def _reply(self, body):
        prompt = body["messages"][-1]["content"]
        if any(f"Now write the section {h}\n" in prompt for h in HELD):
            self.release.wait(60)
        return default_reply(body)

    def stop(self) -> None:
        self.release.set()
        super().stop()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def start_draft(server, tmp_path, *extra):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "prd_assistant", "draft", DESCRIPTION]
    command += ["--base-url", server.url, "--model", "test-model", "-o", "prd.md", *extra]
    return subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_done(path: Path, count: int, process) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # not written yet (a half-written file would fail here)
            data = {"sections": []}
        if sum(s["status"] == "done" for s in data["sections"]) >= count:
            return data
        time.sleep(0.05)
    raise AssertionError(f"{path} never had {count} sections done")


def test_kill_9_with_15_of_19_done_leaves_a_json_that_resume_finishes(tmp_path):
    with HoldingServer() as server:
        process = start_draft(server, tmp_path)  # no --json: the default checkpoint beside -o
        saved = tmp_path / "prd.draft.json"
        wait_for_done(saved, 15, process)
        process.kill()
        process.wait(10)
        data = json.loads(saved.read_text(encoding="utf-8"))
        done = [s for s in data["sections"] if s["status"] == "done"]
        assert len(done) == 15
        assert {s["heading"] for s in data["sections"] if s["status"] != "done"} == set(HELD)
        assert data["model"] == "test-model" and data["base_url"] == server.url

        server.release.set()
        calls = server.calls
        # No --model and no --base-url: the draft knows which model and server wrote it.
        assert main(["draft", "--resume", str(saved), "-o", str(tmp_path / "prd.md"), "-q"]) == 0
        assert server.calls - calls == 4
    final = json.loads(saved.read_text(encoding="utf-8"))
    assert {s["status"] for s in final["sections"]} == {"done"}
    assert [s["text"] for s in final["sections"] if s["heading"] not in HELD] == [
        s["text"] for s in done
    ]
    assert "**Outline**" not in (tmp_path / "prd.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_saves_the_draft_and_prints_the_resume_command(tmp_path, signum, code):
    with HoldingServer() as server:
        process = start_draft(server, tmp_path, "--json", "d.json", "-q")
        wait_for_done(tmp_path / "d.json", 15, process)
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
    assert process.returncode == code, err
    assert "prd draft --resume d.json -o prd.md" in err and "Traceback" not in err
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    statuses = [s["status"] for s in data["sections"]]
    assert statuses.count("done") == 15 and "writing" not in statuses
    assert not (tmp_path / "prd.md").exists() and out == ""


# `python -m prd_assistant`, except that it touches a file (argv[1]) when the first streamed
# text of a reply reaches the draft, so a test can stop the run mid-reply, never before it.
OBSERVED_PRD = """
import sys
from pathlib import Path

from prd_assistant import events
from prd_assistant.cli import console_main

marker, sys.argv = Path(sys.argv[1]), sys.argv[:1] + sys.argv[2:]
apply_event = events.apply_event


def observed(draft, event, **kwargs):
    applied = apply_event(draft, event, **kwargs)
    if isinstance(event, events.SectionDelta):
        marker.touch()
    return applied


events.apply_event = observed
console_main()
"""


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_mid_reply_books_the_call_it_cut_off_for_prd_usage(tmp_path, capsys, signum, code):
    """`prd draft` exits without waiting for its worker threads, which would book a cut-off
    call only when its next chunk came. The reply was paid for as far as it arrived, so the
    run books it as it stops."""
    template = tmp_path / "small.md"
    template.write_text("# <Service Name> PRD\n\n## Overview\nWhat it is.\n", encoding="utf-8")
    marker = tmp_path / "first-text-arrived"
    # Two of the reply's four chunks arrive, then the server is silent until it stops.
    with OpenAIStubServer(chunks=4, fault=Stall(after_chunks=2)) as server:
        command = [sys.executable, "-c", OBSERVED_PRD, str(marker), "draft", DESCRIPTION]
        command += ["--template", str(template), "--base-url", server.url, "--model"]
        command += ["test-model", "--json", "d.json", "-o", "prd.md", "-q"]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        process.send_signal(signum)
        _, err = process.communicate(timeout=20)
        (body,) = server.requests
    assert process.returncode == code, err
    draft_id = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["id"]
    assert main(["usage", "--by", "draft", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["rows"]
    assert row["draft"] == draft_id and row["calls"] == 1
    whole_reply = count_tokens(default_reply(body), "test-model")
    assert row["prompt_tokens"] > 50 and 0 < row["completion_tokens"] < whole_reply


def test_saves_over_their_time_budget_are_held_back_then_made(tmp_path, monkeypatch):
    from prd_assistant.cli.checkpoint import Checkpoint
    from prd_assistant.document import Draft

    draft = Draft.from_template(TEMPLATE, DESCRIPTION, "ParcelPing")
    checkpoint = Checkpoint(tmp_path / "d.json")
    draft.sections[0].status, draft.sections[0].text = "done", "first"
    checkpoint.section_finished(draft)  # cheap so far: saved at once
    assert json.loads(checkpoint.path.read_text())["sections"][0]["text"] == "first"

    # A huge draft: saving has used its whole budget, so the next save waits.
    monkeypatch.setattr(Checkpoint, "FREE_SECONDS", 0.0)
    monkeypatch.setattr(Checkpoint, "SHARE", 0.0)
    draft.sections[1].status, draft.sections[1].text = "done", "second"
    checkpoint.section_finished(draft)
    assert checkpoint.pending
    assert json.loads(checkpoint.path.read_text())["sections"][1]["text"] == ""

    monkeypatch.setattr(Checkpoint, "FREE_SECONDS", 60.0)  # the run went on: budget again
    checkpoint.save_if_due(draft)
    assert not checkpoint.pending
    assert json.loads(checkpoint.path.read_text())["sections"][1]["text"] == "second"
