"""`prd draft` and `prd review` under bad paths, full disks, damaged drafts and hostile input.

Model calls go through the real openai client to the local OpenAI-compatible server.
"""

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prd_assistant import textfile
from prd_assistant.cli import main
from prd_assistant.document import Draft
from prd_assistant.drafting import gather_open_questions
from prd_assistant.template import load_template
from tests.support.openai_server import OpenAIStubServer, Status, default_reply

ROOT = Path(__file__).resolve().parents[1]
DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
    "via Twilio to shoppers, 2,000 notifications per minute at peak."
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def draft_args(server, tmp_path, *extra):
    return ["draft", DESCRIPTION, "--base-url", server.url, "--model", "test-model", *extra]


def one_error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.startswith("prd")]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "Settings" not in err
    return lines[0]


def run_cli(*args, stdin=None, timeout=60):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "prd_assistant", *args],
        stdin=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
    )


# -- paths are checked before the first model call ---------------------------------------------


@pytest.mark.parametrize(
    ("option", "make", "message"),
    [
        ("-o", lambda tmp: tmp / "missing" / "prd.md", "does not exist"),
        ("-o", lambda tmp: tmp, "is a folder"),
        ("--json", lambda tmp: tmp / "missing" / "d.json", "does not exist"),
        ("--json", lambda tmp: tmp / "file.txt" / "d.json", "is not a folder"),
        ("--json", lambda tmp: tmp / "prd.md", "same file"),
    ],
)
def test_a_bad_output_path_fails_before_any_model_call(tmp_path, capsys, option, make, message):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    paths = {"-o": str(tmp_path / "prd.md"), "--json": str(tmp_path / "d.json")}
    paths[option] = str(make(tmp_path))
    with OpenAIStubServer() as server:
        code = main(draft_args(server, tmp_path, "-o", paths["-o"], "--json", paths["--json"]))
        assert server.calls == 0
    assert code == 2
    assert message in one_error_line(capsys.readouterr().err)


def test_a_failing_markdown_write_keeps_the_json(tmp_path, capsys, monkeypatch):
    real = textfile.write_text_atomic

    def markdown_fails(path, text):
        if str(path).endswith(".md"):
            raise textfile.SaveError(f"Could not save {path}: the disk is full.")
        real(path, text)

    monkeypatch.setattr("prd_assistant.cli.draft.write_text_atomic", markdown_fails)
    with OpenAIStubServer() as server:
        args = draft_args(server, tmp_path, "-o", str(tmp_path / "prd.md"))
        assert main([*args, "--json", str(tmp_path / "d.json"), "-q"]) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "disk is full" in line and f"safe in {tmp_path / 'd.json'}" in line
    data = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert {s["status"] for s in data["sections"]} == {"done"}


def test_resume_on_a_full_disk_keeps_the_file_it_resumes(tmp_path, capsys, monkeypatch):
    with OpenAIStubServer() as server:
        server.enqueue(*[Status(401)] * 40)  # nothing drafts: every section stays failed
        saved = tmp_path / "d.json"
        main(draft_args(server, tmp_path, "--json", str(saved), "-o", str(tmp_path / "a.md")))
        before = saved.read_text(encoding="utf-8")
        capsys.readouterr()

        def full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(textfile.os, "fsync", full)
        code = main(["draft", "--resume", str(saved), "-o", str(tmp_path / "b.md"), "-q"])
    assert code == 1
    err = capsys.readouterr().err
    assert "disk is full" in err and "Traceback" not in err
    assert saved.read_text(encoding="utf-8") == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["d.json"]


# -- --resume ------------------------------------------------------------------------------------


def failed_model_draft(path: Path, base_url: str = "") -> None:
    draft = Draft.from_template(load_template(), DESCRIPTION, "ParcelPing")
    draft.model, draft.base_url = "test-model", base_url
    for section in draft.sections:
        section.status, section.error = "failed", "The model server failed (HTTP 500)."
    draft.sections[0].status, draft.sections[0].text = "done", "Written by the model."
    data = draft.to_dict()
    if not base_url:
        del data["base_url"]  # saved before the server was recorded
    path.write_text(json.dumps(data), encoding="utf-8")


def test_resume_without_a_model_never_fills_a_model_draft_with_outline_text(tmp_path, capsys):
    saved = tmp_path / "d.json"
    failed_model_draft(saved)
    before = saved.read_text(encoding="utf-8")
    assert main(["draft", "--resume", str(saved), "-o", str(tmp_path / "prd.md")]) == 2
    assert "--offline" in one_error_line(capsys.readouterr().err)
    assert saved.read_text(encoding="utf-8") == before and not (tmp_path / "prd.md").exists()

    assert main(["draft", "--resume", str(saved), "--offline", "-q"]) == 0
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["model"] == "test-model" and data["outline"] is False
    assert data["sections"][0]["text"] == "Written by the model."
    assert data["sections"][1]["source"] == "outline"


def test_resume_reuses_the_stored_server_and_model(tmp_path):
    saved = tmp_path / "d.json"
    with OpenAIStubServer(models=("stored-model",)) as server:
        failed_model_draft(saved, server.url)
        data = json.loads(saved.read_text(encoding="utf-8"))
        data["model"] = "stored-model"
        saved.write_text(json.dumps(data), encoding="utf-8")
        assert main(["draft", "--resume", str(saved), "-q"]) == 0
        assert server.calls == 18
        assert {body["model"] for body in server.requests} == {"stored-model"}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d.update(title=None), "'title' of the draft must be text, not null"),
        (lambda d: d["sections"][2].update(key="no-such-section"), "'no-such-section'"),
        (lambda d: d.update(sections={"a": 1}), "'sections' must be a non-empty list"),
        (lambda d: d["sections"].__setitem__(0, None), "section 1 must be an object"),
        (lambda d: d["sections"][0].update(status="exploded"), "damaged"),
        (lambda d: d["sections"][0].update(usage=[1, 2]), "damaged"),
    ],
)
def test_a_damaged_draft_json_gets_one_line(tmp_path, capsys, damage, message):
    saved = tmp_path / "d.json"
    failed_model_draft(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    damage(data)
    saved.write_text(json.dumps(data), encoding="utf-8")
    assert main(["draft", "--resume", str(saved), "--offline"]) == 2
    assert message in one_error_line(capsys.readouterr().err)


def test_old_draft_json_without_new_fields_still_loads():
    draft = Draft.from_template(load_template(), DESCRIPTION, "ParcelPing")
    data = draft.to_dict()
    del data["base_url"]
    data["added_by_a_later_version"] = 1
    assert Draft.from_dict(data).base_url == ""


def test_a_run_where_every_section_failed_keeps_the_earlier_markdown(tmp_path, capsys):
    out = tmp_path / "prd.md"
    out.write_text("# The good draft from yesterday\n", encoding="utf-8")
    with OpenAIStubServer(fault=Status(400)) as server:  # every section's call is refused
        code = main(
            draft_args(server, tmp_path, "-o", str(out), "--json", str(tmp_path / "d.json"))
        )
        assert server.calls >= 1
    assert code == 1
    assert out.read_text(encoding="utf-8") == "# The good draft from yesterday\n"
    assert "left as it was" in capsys.readouterr().err


# -- bounded input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["review", "/dev/zero"],
        ["draft", "-f", "/dev/zero", "--offline"],
        ["draft", DESCRIPTION, "--template", "/dev/zero", "--offline"],
    ],
)
def test_endless_files_are_refused(args, capsys):
    assert main(args) == 2
    assert "limit" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize("args", [["review", "-"], ["draft", "-f", "-", "--offline"]])
def test_endless_stdin_is_refused(args):
    with open("/dev/zero", "rb") as zero:
        result = run_cli(*args, stdin=zero)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "limit" in one_error_line(err) and "MemoryError" not in err


# -- messages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("--timeout", "-5"), ("--timeout", "0"), ("--timeout", "nan"), ("--retries", "-1")],
)
def test_bad_numbers_are_usage_errors_on_one_line(capsys, option, value):
    with pytest.raises(SystemExit) as info:
        main(["draft", DESCRIPTION, option, value])
    assert info.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert option in line and "pydantic" not in line.lower()


@pytest.mark.parametrize(
    "url", ["localhost:8080/v1", "ftp://host/v1", "http://", "http://ops:sk-abc123456789@"]
)
def test_a_base_url_without_scheme_or_host_is_a_usage_error(capsys, url):
    with pytest.raises(SystemExit) as info:
        main(["draft", DESCRIPTION, "--base-url", url])
    assert info.value.code == 2
    line = one_error_line(capsys.readouterr().err)
    assert "http://" in line and "sk-abc123456789" not in line


def test_a_key_with_a_trailing_newline_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-good-0123456789\n")
    with OpenAIStubServer(require_key="sk-good-0123456789") as server:
        args = draft_args(server, tmp_path, "-q", "--json", str(tmp_path / "d.json"))
        assert main([*args, "-o", str(tmp_path / "prd.md")]) == 0


def test_review_into_a_closed_pipe_has_no_traceback(tmp_path):
    prd = tmp_path / "prd.md"
    prd.write_text("# PRD\n## Goals\n" + "- Latency is TBD and fast.\n" * 4000, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "prd_assistant", "review", str(prd)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout.read(100)  # `| head`: read a little, then hang up
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(60)
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_model_errors_name_cli_options_not_the_app_settings(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-0123456789abcdef")
    with OpenAIStubServer(require_key="sk-good-0123456789") as server:
        assert main(draft_args(server, tmp_path, "-q", "--json", str(tmp_path / "d.json"))) == 1
    line = one_error_line(capsys.readouterr().err)
    assert "OPENAI_API_KEY" in line


def test_collected_open_questions_lose_the_emphasis_around_the_label():
    draft = Draft.from_template(load_template(), DESCRIPTION, "ParcelPing")
    draft.sections[0].text = "**Open question:** How should we bill merchants?\n"
    draft.sections[1].text = "`Open question:` Who owns the SMS sender IDs?\n"
    questions = [q for q, _ in gather_open_questions(draft, exclude=draft.sections[-1].key)]
    assert questions == ["How should we bill merchants?", "Who owns the SMS sender IDs?"]


# -- --clarify answers from a pipe or a file ------------------------------------------------------

QUESTIONS = {
    "questions": [
        {
            "question": "Which channels besides SMS?",
            "topic": "scope",
            "options": ["Email", "Push"],
            "recommended": "Email",
        },
        {
            "question": "How many merchants at launch?",
            "topic": "users_scale",
            "options": ["10", "100"],
            "recommended": "10",
        },
    ]
}


def clarify_reply(body):
    if "Now write the section" in body["messages"][-1]["content"]:
        return default_reply(body)
    return json.dumps(QUESTIONS)


def clarifications(path: Path) -> list[tuple[str, bool]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(c["answer"], c["assumed"]) for c in data["clarifications"]]


def test_clarify_reads_piped_answers(tmp_path):
    with OpenAIStubServer(reply=clarify_reply) as server:
        args = draft_args(server, tmp_path, "--clarify", "--json", str(tmp_path / "d.json"))
        answered = subprocess.run(
            [sys.executable, "-m", "prd_assistant", *args, "-o", str(tmp_path / "p.md"), "-q"],
            input=b"2\nAbout 250 merchants\n",
            capture_output=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
    assert answered.returncode == 0, answered.stderr
    assert clarifications(tmp_path / "d.json") == [("Push", False), ("About 250 merchants", False)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("\nAbout 250 merchants\n", [("Email", True), ("About 250 merchants", False)]),
        ('["1", "500"]', [("Email", False), ("500", False)]),
        ('{"2": "2"}', [("Email", True), ("100", False)]),
    ],
)
def test_clarify_reads_an_answers_file(tmp_path, content, expected):
    (tmp_path / "answers.txt").write_text(content, encoding="utf-8")
    with OpenAIStubServer(reply=clarify_reply) as server:
        args = draft_args(server, tmp_path, "--clarify", "--answers", str(tmp_path / "answers.txt"))
        assert (
            main([*args, "--json", str(tmp_path / "d.json"), "-q", "-o", str(tmp_path / "p.md")])
            == 0
        )
    assert clarifications(tmp_path / "d.json") == expected


# -- secrets -------------------------------------------------------------------------------------

KEY = "sk-env-key-5f2d9c0a7b31"
URL_SECRET = "sk-url-key-81d0e4a9c277"


def test_keys_never_reach_output_files_or_the_stored_url(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)

    def echoing(body):  # a server (or an injected prompt) that repeats the credentials
        return default_reply(body) + f"\n\nDebug: key={KEY} url-key={URL_SECRET}"

    with OpenAIStubServer(reply=echoing) as server:
        url = server.url.replace("http://", f"http://ops:{URL_SECRET}@")
        base = ["--base-url", url, "--model", "test-model"]
        drafted = run_cli("draft", DESCRIPTION, *base, "-o", str(tmp_path / "prd.md"))
        (tmp_path / "review.md").write_text("# PRD\n## Goals\nFast.\n", encoding="utf-8")
        reviewed = [
            run_cli("review", str(tmp_path / "review.md"), "--ai", *base, "--format", fmt)
            for fmt in ("text", "json")
        ]
    assert drafted.returncode == 0, drafted.stderr
    saved = json.loads((tmp_path / "prd.draft.json").read_text(encoding="utf-8"))
    assert saved["base_url"] == server.url
    everything = b"".join(
        [drafted.stdout, drafted.stderr]
        + [r.stdout + r.stderr for r in reviewed]
        + [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    ).decode()
    assert "[key hidden]" in everything
    assert KEY not in everything and URL_SECRET not in everything
    assert '"model": "test-model @ 127.0.0.1:' in reviewed[1].stdout.decode()


@pytest.fixture
def tiny_disk(tmp_path):
    """A 24 KiB tmpfs: a draft's JSON (old file + temporary) fills it mid-run."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (the in-process full-disk tests still run)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_disk_that_fills_mid_run_keeps_a_valid_draft_and_says_so(tiny_disk):
    with OpenAIStubServer() as server:
        args = draft_args(server, tiny_disk, "-o", str(tiny_disk / "prd.md"), "-q")
        result = run_cli(*args, "--json", str(tiny_disk / "prd.json"))
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "disk is full" in one_error_line(err.replace("prd: warning", "warning"))
    data = json.loads((tiny_disk / "prd.json").read_text(encoding="utf-8"))
    done = [s for s in data["sections"] if s["status"] == "done"]
    assert 0 < len(done) < 19
    assert not [p for p in tiny_disk.iterdir() if p.name.endswith(".tmp")]


def test_an_unexpected_error_carrying_credentials_keeps_the_draft_and_shows_no_secret(
    tmp_path, capsys, caplog, monkeypatch
):
    """An error outside any model call (building a section's prompt) whose message holds the
    key and the URL's password stops `prd draft`. As in the app, what was written is kept, the
    rest is failed with what stopped it, the run ends with exit 1 and how to resume, and the
    trace goes to the log. No secret reaches the terminal, the log, the JSON or the Markdown."""
    from prd_assistant import drafting

    def broken(*args, **kwargs):
        raise RuntimeError(f"bad key {KEY} for {url}")

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(drafting, "_shorten", broken)  # used only by sections with dependencies
    json_path, markdown = tmp_path / "d.json", tmp_path / "prd.md"
    with OpenAIStubServer() as server:
        url = server.url.replace("http://", f"http://ops:{URL_SECRET}@")
        argv = ["draft", DESCRIPTION, "--base-url", url, "--model", "test-model"]
        code = main([*argv, "--json", str(json_path), "-o", str(markdown)])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("prd: error: Drafting stopped on an unexpected error (bad key ")
    assert "Not drafted: " in last and f"prd draft --resume {json_path}" in last
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text
    saved = json.loads(json_path.read_text(encoding="utf-8"))
    statuses = {s["status"] for s in saved["sections"]}
    assert statuses == {"done", "failed"}
    failed = [s for s in saved["sections"] if s["status"] == "failed"]
    assert all("unexpected error" in s["error"] and "[key hidden]" in s["error"] for s in failed)
    written = markdown.read_text(encoding="utf-8")
    assert "Drafting this section failed" in written
    everything = captured.out + captured.err + caplog.text + json_path.read_text() + written
    assert KEY not in everything and URL_SECRET not in everything


def test_an_unexpected_error_in_any_command_is_one_redacted_line(
    tmp_path, capsys, caplog, monkeypatch
):
    """Outside drafting too (here a bug in the consistency check of `prd review`), Python's
    own traceback would print a key in the message raw: the trace goes to the redacting log,
    the terminal gets one line and exit 1."""
    from prd_assistant.cli import review as review_command

    def broken(text):
        raise RuntimeError(f"bad key {KEY}")

    monkeypatch.setattr(review_command, "check_consistency", broken)
    (tmp_path / "prd.md").write_text("# PRD\n## Goals\nFast.\n", encoding="utf-8")
    assert main(["review", str(tmp_path / "prd.md")]) == 1
    captured = capsys.readouterr()
    line = one_error_line(captured.err)
    assert "unexpected error (RuntimeError: bad key [key hidden])" in line
    assert "Traceback" in caplog.text
    assert KEY not in captured.out + captured.err + caplog.text
