"""The Streamlit page, driven headless with ``AppTest``.

The model is faked only at the model factory (``llm.create_chat_model``), so the page, the
drafting engine, the review engine, the store and the exports all run for real.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from docx import Document
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from prd_assistant import export, llm
from prd_assistant.document import SectionStatus
from prd_assistant.template import load_template
from prd_assistant.ui import actions, describe, review_pane
from tests.support.fake_models import SectionModel

APP = str(Path(__file__).resolve().parents[1] / "app.py")
# Seconds one AppTest script run may take: a guard against a hung run, not a speed test
# (benchmarks/ measure speed). The first run in a process that drafts or reviews loads
# langchain, tiktoken and the spaCy pipeline: 3 s on a quiet 2-core machine, 37 s at load 15,
# so a 60 s limit failed at load 24.
TIMEOUT = 300
DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS and email "
    "updates to shoppers, up to 2,000 notifications per minute at peak."
)
HEADINGS = [spec.heading for spec in load_template().sections]
USERS = "## 5. Users & Personas"


def section_reply(heading: str, prompt: str) -> str:
    return f"Body of {heading.removeprefix('## ')}. Notifications go out within 5 s at p95."


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A fresh database per test and no model settings from the developer's environment."""
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path / "drafts.sqlite3"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL", "PRD_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def fake_model(monkeypatch):
    """Installs a SectionModel behind ``llm.create_chat_model``; returns a dict to swap it."""
    holder = {"model": SectionModel(reply=section_reply), "settings": []}

    def factory(settings, **options):
        holder["settings"].append(settings)
        holder.setdefault("options", []).append(options)
        return holder["model"]

    monkeypatch.setattr(llm, "create_chat_model", factory)
    return holder


def new_app(*, key: str | None = None, clarify: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["clarify_enabled"] = clarify
    if key:
        at.session_state["provider"] = "OpenAI"
        at.session_state["api_key"] = key
    return at.run()


def draft(at: AppTest, description: str = DESCRIPTION) -> AppTest:
    at.text_area(key="description").input(description)
    return at.button(key="draft_button").click().run()


def page_text(at: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "error", "warning", "info", "success")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def state_store():
    from prd_assistant.store import DraftStore

    return DraftStore()


def current(at: AppTest):
    return at.session_state["draft"]


def test_outline_mode_without_a_key_explains_itself_and_drafts_an_outline(fake_model):
    at = new_app()
    assert "Outline mode" in at.info[0].value
    assert not at.exception
    draft(at)
    doc = current(at)
    assert doc.outline is True
    assert all(s.status is SectionStatus.DONE for s in doc.sections)
    assert fake_model["settings"] == []  # no model was created
    assert "outline mode" in page_text(at)


def test_draft_fills_every_section_with_status_cost_and_review(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: f"The {h[3:]} part is fast and highly scalable. Owner: TBD."
    )
    at = draft(new_app(key="sk-test-key"))
    assert not at.exception
    doc = current(at)
    assert [s.heading for s in doc.sections] == HEADINGS
    assert all(s.status is SectionStatus.DONE and s.text for s in doc.sections)
    text = page_text(at)
    assert "19 of 19 sections done" in text
    assert text.count("✅ done") == 19
    assert re.search(r"✅ done · [\d,]+ tokens · \$\d\.\d{4}", text)  # gpt-4o-mini is priced
    assert "<mark" in text  # flagged text highlighted in place
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Unquantified claims"]) >= 19
    assert int(metrics["Open questions"]) >= 19
    assert at.query_params["draft"] == [doc.id] or at.query_params["draft"] == doc.id
    # Drafting retries each call itself (as the CLI does): the client must not retry as well.
    assert fake_model["options"] and all(o["client_retries"] == 0 for o in fake_model["options"])


@pytest.mark.parametrize(
    ("description", "message"),
    [("", "The description is empty"), ("An app", "too short"), ("word " * 5000, "tokens")],
)
def test_bad_descriptions_are_stopped_with_a_clear_message(fake_model, description, message):
    at = draft(new_app(key="sk-test-key"), description)
    assert message in at.error[0].value
    if message == "tokens":  # it names the field the page has
        assert "'Optional context' under the description" in at.error[0].value
    assert current(at) is None
    assert fake_model["model"].prompts == []


def test_estimate_is_shown_before_drafting(fake_model):
    at = new_app(key="sk-test-key")
    at.text_area(key="description").input(DESCRIPTION).run()
    assert any(re.search(r"about [\d,]+ tokens, about \$0\.\d+", c.value) for c in at.caption)


def test_edit_marks_section_edited_dependents_stale_and_updates_review(fake_model):
    at = draft(new_app(key="sk-test-key"))
    before = sum(int(m.value) for m in at.metric)
    at.button(key="edit_overview").click().run()
    at.text_area(key="editor_overview").input("The service is fast. Launch date TBD.")
    at.button(key="save_overview").click().run()
    doc = current(at)
    overview = doc.section("overview")
    assert overview.text == "The service is fast. Launch date TBD."
    assert overview.edited and overview.source == "edit"
    assert any(s.stale for s in doc.sections)
    assert "⚠️ stale" in page_text(at)
    assert sum(int(m.value) for m in at.metric) == before + 2


def test_redraft_stale_sections_keeps_edited_and_locked_ones(fake_model):
    at = draft(new_app(key="sk-test-key"))
    at.button(key="edit_overview").click().run()
    at.text_area(key="editor_overview").input("Hand-written overview.")
    at.button(key="save_overview").click().run()
    stale = [s.key for s in current(at).sections if s.stale]
    assert stale
    asked_before = len(fake_model["model"].prompts)
    at.button(key="redraft_stale").click().run()
    doc = current(at)
    assert not any(s.stale for s in doc.sections)
    assert doc.section("overview").text == "Hand-written overview."
    assert len(fake_model["model"].prompts) - asked_before == len(stale)


def test_regenerate_one_section_with_an_instruction(fake_model):
    at = draft(new_app(key="sk-test-key"))
    others = {s.key: s.text for s in current(at).sections if s.key != "overview"}
    fake_model["model"] = SectionModel(reply=lambda h, p: "Shorter overview.")
    at.text_input(key="instruction_overview").input("make it shorter")
    at.button(key="regenerate_overview").click().run()
    model = fake_model["model"]
    assert [h for h, _ in model.prompts] == ["## 1. Overview"]
    assert "make it shorter" in model.prompts[0][1]
    assert "Body of 1. Overview" in model.prompts[0][1]  # the current text is the context
    doc = current(at)
    assert doc.section("overview").text == "Shorter overview."
    assert doc.section("overview").source == "regenerate"
    assert {s.key: s.text for s in doc.sections if s.key != "overview"} == others


def test_a_locked_section_is_never_regenerated(fake_model):
    at = draft(new_app(key="sk-test-key"))
    locked_text = current(at).section("overview").text
    at.button(key="lock_overview").click().run()
    assert current(at).section("overview").locked
    fake_model["model"] = SectionModel(reply=lambda h, p: "New text.")
    at.button(key="redraft_all").click().run()
    doc = current(at)
    assert doc.section("overview").text == locked_text
    assert "## 1. Overview" not in [h for h, _ in fake_model["model"].prompts]
    assert doc.section("problem-statement").text == "New text."
    assert at.button(key="regenerate_overview").disabled


def test_a_failed_section_shows_its_error_and_retry_fixes_only_it(fake_model):
    # Not a timeout or a 5xx: drafting would retry those itself before reporting a failure.
    fake_model["model"] = SectionModel(
        reply=section_reply, fail_for={USERS: RuntimeError("model crashed")}, fail_times=1
    )
    at = draft(new_app(key="sk-test-key"))
    doc = current(at)
    users = next(s for s in doc.sections if s.heading == USERS)
    assert users.status is SectionStatus.FAILED
    assert sum(s.status is SectionStatus.DONE for s in doc.sections) == 18
    assert any(users.error in e.value for e in at.error)
    others = {s.key: s.text for s in doc.sections if s.key != users.key}
    at.button(key=f"retry_{users.key}").click().run()
    doc = current(at)
    assert doc.section(users.key).status is SectionStatus.DONE
    assert {s.key: s.text for s in doc.sections if s.key != users.key} == others


def test_an_unexpected_error_in_the_run_this_page_reads_is_a_message_not_a_traceback(
    fake_model, monkeypatch, caplog
):
    """An error outside any one model call (here building a later section's prompt) stops the
    run. The page keeps what was written, marks the rest failed with a Retry, and shows no
    traceback; the trace goes to the log."""
    import threading

    from prd_assistant import drafting

    shorten = drafting._shorten

    def broken(*args, **kwargs):
        # The cost estimate shortens prompts too; only the run's own calls break.
        if threading.current_thread().name.startswith("prd-run"):
            raise RuntimeError("the tokenizer broke")
        return shorten(*args, **kwargs)

    monkeypatch.setattr(drafting, "_shorten", broken)  # used only by sections with dependencies
    at = draft(new_app(key="sk-test-key"))
    assert not at.exception
    doc = current(at)
    done = [s for s in doc.sections if s.status is SectionStatus.DONE]
    failed = [s for s in doc.sections if s.status is SectionStatus.FAILED]
    assert done and failed and len(done) + len(failed) == len(doc.sections)
    assert all("the tokenizer broke" in s.error and "Retry" in s.error for s in failed)
    assert any("the tokenizer broke" in e.value for e in at.error)
    assert "Traceback" in caplog.text and "RuntimeError: the tokenizer broke" in caplog.text
    saved = state_store().load(doc.id)
    assert [s.status for s in saved.sections] == [s.status for s in doc.sections]
    monkeypatch.setattr(drafting, "_shorten", shorten)  # the cause is gone: Retry writes it
    at.button(key=f"retry_{failed[0].key}").click().run()
    assert current(at).section(failed[0].key).status is SectionStatus.DONE


def test_an_error_the_page_does_not_catch_shows_neither_its_message_nor_a_key(monkeypatch, caplog):
    """An exception nothing in the page catches is Streamlit's to show and log. The page says
    only that something failed (.streamlit/config.toml), never the message, which may hold a
    key; Streamlit's log of it, traceback included, is redacted."""
    import logging

    from prd_assistant.ui import sidebar

    secret = "sk-live-abc123def456"

    def broken() -> None:
        raise RuntimeError(f"bad key {secret}")

    monkeypatch.setattr(sidebar, "render_mode_banner", broken)
    streamlit_log = logging.getLogger("streamlit.error_util")  # does not propagate to root
    streamlit_log.addHandler(caplog.handler)
    try:
        at = new_app()
    finally:
        streamlit_log.removeHandler(caplog.handler)
    assert at.exception and "encountered an error" in at.exception[0].message
    shown = [e.message + "".join(e.stack_trace) for e in at.exception] + [page_text(at)]
    assert not any(secret in text or "bad key" in text for text in shown)
    assert "Traceback" in caplog.text and "RuntimeError: bad key [key hidden]" in caplog.text
    assert secret not in caplog.text


def test_a_draft_whose_every_section_failed_never_loads_the_language_pipeline(
    fake_model, monkeypatch
):
    """Nothing was written, so there is nothing to review: the error page must not wait for
    spaCy (seconds on a cold process) to say so."""
    from prd_assistant.review import nlp

    asked: list[str] = []
    loader = nlp.pipeline
    monkeypatch.setattr(nlp, "pipeline", lambda: asked.append("pipeline") or loader())
    failure = RuntimeError("model crashed before writing anything")
    fake_model["model"] = SectionModel(
        reply=section_reply, fail_for=dict.fromkeys(HEADINGS, failure)
    )
    at = draft(new_app(key="sk-test-key"))
    assert all(s.status is SectionStatus.FAILED for s in current(at).sections)
    assert "Nothing to review: every section failed" in page_text(at)
    assert asked == []


def _finding_button(at: AppTest, prefix: str, key: str, match: str):
    """The ``prefix`` button of the finding on ``match`` in section ``key``."""
    for item in review_pane.findings(current(at)):
        if item.key == key and item.finding.match == match:
            return at.button(key=f"{prefix}{item.id}"), item
    raise AssertionError(f"no finding on {match!r} in {key}")


def test_dismiss_and_restore_a_finding(fake_model):
    fake_model["model"] = SectionModel(reply=lambda h, p: "The service is fast.")
    at = draft(new_app(key="sk-test-key"))
    total = sum(int(m.value) for m in at.metric)
    dismiss = next(b for b in at.button if b.key and b.key.startswith("dismiss_"))
    finding_id = dismiss.key.removeprefix("dismiss_")
    dismiss.click().run()
    assert sum(int(m.value) for m in at.metric) == total - 1
    assert finding_id in at.session_state["meta"]["dismissed"]
    at.button(key=f"restore_{finding_id}").click().run()
    assert sum(int(m.value) for m in at.metric) == total


def test_a_rewrite_is_previewed_filled_in_accepted_and_undone(fake_model):
    fake_model["model"] = SectionModel(reply=lambda h, p: "The service must be fast.")
    at = draft(new_app(key="sk-test-key"))
    original = current(at).section("overview").text
    button, item = _finding_button(at, "apply_", "overview", "fast")
    button.click().run()
    # Nothing changes until Accept; each blank is a field.
    assert current(at).section("overview").text == original
    blanks = [t for t in at.text_input if t.key and t.key.startswith(f"blank_{item.id}_")]
    assert len(blanks) == 3
    at.button(key=f"acceptfix_{item.id}").click().run()
    assert "Fill in every blank" in at.error[0].value
    assert current(at).section("overview").text == original
    for field, value in zip(blanks, ["200", "checkout", "50"], strict=True):
        at.text_input(key=field.key).input(value)
    at.button(key=f"acceptfix_{item.id}").click().run()
    section = current(at).section("overview")
    assert section.text == "The service must be p95 latency ≤ 200 ms for checkout at 50 requests/s."
    assert section.edited and section.source == "apply"
    at.button(key="undo_button").click().run()
    section = current(at).section("overview")
    assert section.text == original and not section.edited


def test_blanks_in_one_sentence_are_one_card_filled_in_together(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: "Latency stays ≤ __ ms at peak for __ users."
    )
    at = draft(new_app(key="sk-test-key"))
    blanks = [
        i
        for i in review_pane.findings(current(at))
        if i.key == "overview" and i.finding.match == "__"
    ]
    assert len(blanks) == 2
    first, second = (i.id for i in blanks)
    assert not [b for b in at.button if b.key in (f"apply_{second}", f"dismiss_{second}")]
    at.button(key=f"apply_{first}").click().run()
    at.text_input(key=f"blank_{first}_0").input("120")
    at.text_input(key=f"blank_{first}_1").input("2,000")
    at.button(key=f"acceptfix_{first}").click().run()
    assert current(at).section("overview").text == "Latency stays ≤ 120 ms at peak for 2,000 users."
    at.button(key="undo_button").click().run()
    at.button(key=f"dismiss_{first}").click().run()
    assert {first, second} <= set(at.session_state["meta"]["dismissed"])


def test_reject_saves_nothing(fake_model):
    fake_model["model"] = SectionModel(reply=lambda h, p: "The service must be fast.")
    at = draft(new_app(key="sk-test-key"))
    before = current(at).to_dict()
    button, item = _finding_button(at, "apply_", "overview", "fast")
    button.click().run()
    at.text_input(key=f"blank_{item.id}_0").input("200")
    at.button(key=f"rejectfix_{item.id}").click().run()
    assert current(at).to_dict()["sections"] == before["sections"]


def test_an_open_question_is_answered_in_place_or_moved_to_the_register(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: "We notify shoppers. How will merchants be billed? Owner: TBD."
    )
    at = draft(new_app(key="sk-test-key"))
    button, item = _finding_button(at, "apply_", "overview", "How will merchants be billed?")
    button.click().run()
    at.text_input(key=f"blank_{item.id}_0").input("Merchants pay per message.")
    at.button(key=f"acceptfix_{item.id}").click().run()
    overview = current(at).section("overview").text
    assert overview == "We notify shoppers. Merchants pay per message. Owner: TBD."
    # "TBD" answered: no advice, no double full stop.
    button, item = _finding_button(at, "apply_", "overview", "TBD")
    button.click().run()
    at.text_input(key=f"blank_{item.id}_0").input("Head of Support.")
    at.button(key=f"acceptfix_{item.id}").click().run()
    assert current(at).section("overview").text.endswith("Owner: Head of Support.")
    # Another section's question goes to the register with its owner.
    key = "problem-statement"
    button, item = _finding_button(at, "apply_", key, "How will merchants be billed?")
    button.click().run()
    at.text_input(key=f"owner_{item.id}").input("Finance lead")
    at.button(key=f"move_{item.id}").click().run()
    doc = current(at)
    assert "How will merchants be billed?" not in doc.section(key).text
    stored = doc.register[-1]
    assert (stored.question, stored.owner) == ("How will merchants be billed?", "Finance lead")


def test_an_accepted_fix_goes_into_the_open_editor_and_keeps_typed_text(fake_model):
    fake_model["model"] = SectionModel(reply=lambda h, p: "It must be fast. It must be secure.")
    at = draft(new_app(key="sk-test-key"))
    at.button(key="edit_overview").click().run()
    at.text_area(key="editor_overview").input("It must be fast. It must be secure. My typed line.")
    button, item = _finding_button(at, "apply_", "overview", "fast")
    button.click().run()
    for index, value in enumerate(["100", "search", "10"]):
        at.text_input(key=f"blank_{item.id}_{index}").input(value)
    at.button(key=f"acceptfix_{item.id}").click().run()
    editor = at.text_area(key="editor_overview").value
    assert "My typed line." in editor and "≤ 100 ms for search" in editor
    assert current(at).section("overview").text == "It must be fast. It must be secure."
    at.button(key="save_overview").click().run()
    assert "My typed line." in current(at).section("overview").text


def test_an_open_question_card_shows_the_sentence_it_sits_in(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: (
            "Refunds are kept for a retention period that is TBD\nuntil legal signs off."
            if "Overview" in h
            else "The service answers in 200 ms at p95."
        )
    )
    at = draft(new_app(key="sk-test-key"))
    captions = [c.value for c in at.caption if c.value.startswith("In: ")]
    assert captions == [
        "In: Refunds are kept for a retention period that is TBD\nuntil legal signs off."
    ]


def test_info_findings_are_summarised_without_apply(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: (
            "- Open question: who owns templates?" if "Open Questions" in h else "Fine text."
        )
    )
    at = draft(new_app(key="sk-test-key"))
    infos = [i for i in review_pane.findings(current(at)) if i.finding.severity == "info"]
    assert infos
    for item in infos:
        assert not [b for b in at.button if b.key == f"apply_{item.id}"]
    assert any("listed under Open Questions" in c.value for c in at.caption)


def test_script_in_a_draft_renders_as_text(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: "Hello <script>alert('x')</script> and <img src=x onerror=alert(1)>."
    )
    at = draft(new_app(key="sk-test-key"))
    bodies = [m.value for m in at.markdown if "alert" in m.value]
    assert bodies
    for body in bodies:
        assert "<script" not in body and "<img" not in body
    assert any("&lt;script&gt;" in body for body in bodies)


@pytest.fixture
def downloads(monkeypatch):
    """Records what the page hands the browser for each download button."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        data = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        if filename:
            seen[filename] = bytes(data)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return seen


def test_exports_have_the_headings_and_json_imports_back(fake_model, downloads):
    at = draft(new_app(key="sk-test-key"))
    markdown = downloads["parcelping-prd.md"].decode()
    positions = [markdown.index(h + "\n") for h in HEADINGS]
    assert positions == sorted(positions)
    data = json.loads(downloads["parcelping-prd.json"])
    assert data["id"] == current(at).id and len(data["sections"]) == 19
    assert downloads["parcelping-prd.docx"][:2] == b"PK"
    assert "sk-test-key" not in json.dumps(data) + markdown

    fresh = new_app()
    importer = next(u for u in fresh.get("file_uploader") if u.proto.id.endswith("import_json"))
    importer.set_value(("draft.json", downloads["parcelping-prd.json"], "application/json"))
    fresh.run()
    fresh.button(key="import_button").click().run()
    imported = current(fresh)
    assert export.to_markdown(imported) == markdown
    assert imported.id == data["id"]  # the same file again opens the stored draft
    assert [d.id for d in state_store().list_drafts()] == [data["id"]]  # no duplicate

    data["sections"][0]["text"] = "Changed in the file."
    fresh = new_app()
    importer = next(u for u in fresh.get("file_uploader") if u.proto.id.endswith("import_json"))
    importer.set_value(("changed.json", json.dumps(data).encode(), "application/json"))
    fresh.run()
    fresh.button(key="import_button").click().run()
    assert current(fresh).id != data["id"]  # a changed copy never overwrites the original
    assert current(fresh).sections[0].text == "Changed in the file."


def test_dismissed_flags_are_exported_and_come_back_with_a_json_import(fake_model, downloads):
    fake_model["model"] = SectionModel(reply=lambda h, p: "The service must be fast.")
    at = draft(new_app(key="sk-test-key"))
    assert "Dismissed review flags" not in downloads["parcelping-prd.md"].decode()
    button, item = _finding_button(at, "dismiss_", "overview", "fast")
    button.click().run()
    markdown = downloads["parcelping-prd.md"].decode()
    table = markdown.split("## Dismissed review flags", 1)[1]
    assert "| Overview | fast |" in table and "vague-speed" in table
    data = json.loads(downloads["parcelping-prd.json"])
    assert {"id": item.id, "flagged": "fast", "section": "Overview"}.items() <= next(
        d for d in data["dismissed_findings"] if d["id"] == item.id
    ).items()
    document = Document(io.BytesIO(downloads["parcelping-prd.docx"]))
    assert any(
        "vague-speed" in cell.text for t in document.tables for r in t.rows for cell in r.cells
    )
    data["sections"][1]["text"] = "Changed in the file."  # a copy: imported as a new draft
    fresh = new_app()
    importer = next(u for u in fresh.get("file_uploader") if u.proto.id.endswith("import_json"))
    importer.set_value(("copy.json", json.dumps(data).encode(), "application/json"))
    fresh.run()
    fresh.button(key="import_button").click().run()
    assert item.id in fresh.session_state["meta"]["dismissed"]
    assert not [b for b in fresh.button if b.key == f"dismiss_{item.id}"]
    assert fresh.button(key=f"restore_{item.id}")


def test_a_damaged_json_import_says_so_and_keeps_the_page(fake_model):
    for payload in (
        b"{not json",
        json.dumps({"sections": [{"x": 1}], "template_text": ""}).encode(),
    ):
        at = new_app()
        importer = next(u for u in at.get("file_uploader") if u.proto.id.endswith("import_json"))
        importer.set_value(("draft.json", payload, "application/json"))
        at.run()
        at.button(key="import_button").click().run()
        assert not at.exception
        assert (
            "Could not import this file" in at.error[0].value
            or "not valid JSON" in at.error[0].value
        )
        assert current(at) is None


def test_reopen_from_the_url_and_from_history_in_a_new_session(fake_model, isolated):
    first = draft(new_app(key="sk-test-key"))
    doc = current(first)
    first.button(key="edit_overview").click().run()
    first.text_area(key="editor_overview").input("Edited before the refresh.")
    first.button(key="save_overview").click().run()

    refreshed = AppTest.from_file(APP, default_timeout=TIMEOUT)
    refreshed.query_params["draft"] = doc.id
    refreshed.run()
    assert current(refreshed).section("overview").text == "Edited before the refresh."

    other = new_app()
    assert current(other) is None
    other.button(key=f"open_{doc.id}").click().run()
    reopened = current(other)
    assert reopened.id == doc.id and reopened.section("overview").edited
    assert len(state_store().section_history(doc.id)["overview"]) == 2
    # Earlier versions of the whole draft are listed, previewed and opened again.
    versions = other.selectbox(key="history_version")
    assert len(versions.options) >= 2
    versions.set_value(versions.options[1]).run()  # newest first: edit, then drafting
    other.button(key="preview_version").click().run()
    other.button(key="open_version").click().run()
    other.button(key="confirm_open_version").click().run()
    assert current(other).section("overview").text.startswith("Body of 1. Overview")

    db = sqlite3.connect(isolated / "drafts.sqlite3")
    dump = "\n".join(db.iterdump())
    assert "sk-test-key" not in dump


def test_revert_shows_a_side_by_side_diff_and_restores_the_text(fake_model):
    at = draft(new_app(key="sk-test-key"))
    original = current(at).section("overview").text
    at.button(key="edit_overview").click().run()
    at.text_area(key="editor_overview").input("Replaced text.")
    at.button(key="save_overview").click().run()
    at.toggle(key="versions_overview").set_value(True).run()
    panes = [
        h.proto.body for h in at.get("html") if "prd-diff" in h.proto.body.split("</style>")[-1]
    ]
    old, new = (html.unescape(p.split("</style>")[-1]) for p in panes)
    assert 'prd-del">' + original.splitlines()[0] in old  # the earlier version, marked removed
    assert 'prd-add">Replaced text.' in new
    at.button(key="revert_overview").click().run()
    section = current(at).section("overview")
    assert section.text == original
    assert section.source == "revert"


CLARIFY = {
    "questions": [
        {
            "question": "Which channels must launch first?",
            "topic": "constraints",
            "options": ["SMS and email", "Email only"],
            "recommended": "SMS and email",
        },
        {
            "question": "Which regions hold shopper data?",
            "topic": "compliance",
            "options": ["EU only", "EU and US"],
            "recommended": "EU only",
        },
    ]
}
SUGGESTIONS = {
    "risks": [
        {
            "title": "SMS provider outage during peak sales",
            "section": "Risks & Mitigations",
            "likelihood": "medium",
            "impact": "high",
            "mitigation": "Fail over to a second SMS provider within 5 minutes.",
        }
    ],
    "open_questions": [
        {
            "question": "Who approves new message templates?",
            "why": "Legal exposure",
            "section": "Open Questions",
            "owner": "PM",
        }
    ],
    "rewrites": [],
}


def assist_reply(heading: str, prompt: str) -> str:
    """Section prompts get a body; the clarify and suggest prompts get JSON answers."""
    if heading:
        return section_reply(heading, prompt)
    return json.dumps(CLARIFY if "clarif" in prompt.lower() else SUGGESTIONS)


def test_clarifying_questions_go_into_the_draft_and_skip_is_one_click(fake_model):
    fake_model["model"] = SectionModel(reply=assist_reply)
    at = draft(new_app(key="sk-test-key", clarify=True))
    assert current(at) is None  # the form comes first
    assert at.radio(key="clarify_choice_0").value == "SMS and email"  # recommended preselected
    at.radio(key="clarify_choice_0").set_value("Email only")
    at.text_input(key="clarify_text_1").input("EU and UK")
    at.button(key="clarify_submit").click().run()
    doc = current(at)
    answers = {c.question: (c.answer, c.assumed) for c in doc.clarifications}
    assert answers["Which channels must launch first?"] == ("Email only", False)
    assert answers["Which regions hold shopper data?"] == ("EU and UK", False)
    assert all(s.status is SectionStatus.DONE for s in doc.sections)
    section_prompts = [p for h, p in fake_model["model"].prompts if h]
    assert all("EU and UK" in p for p in section_prompts)

    at = draft(new_app(key="sk-test-key", clarify=True))
    at.button(key="clarify_skip").click().run()
    doc = current(at)
    assert all(c.assumed for c in doc.clarifications)
    assert all(s.status is SectionStatus.DONE for s in doc.sections)


def test_suggested_risks_and_questions_are_accepted_with_one_click(fake_model):
    fake_model["model"] = SectionModel(reply=assist_reply)
    at = draft(new_app(key="sk-test-key"))
    at.button(key="suggest_button").click().run()
    assert "SMS provider outage during peak sales" in page_text(at)
    accept = [b for b in at.button if b.key and b.key.startswith("accept_")]
    assert len(accept) == 2
    for button in accept:
        at.button(key=button.key).click().run()
    doc = current(at)
    risks = doc.section("risks-mitigations")
    questions = doc.section("open-questions")
    assert "SMS provider outage during peak sales" in risks.text and risks.edited
    assert "Open question: Who approves new message templates?" in questions.text
    assert all(at.button(key=b.key).disabled for b in accept)


def test_bulk_redraft_never_overwrites_a_hand_edited_section(fake_model):
    at = draft(new_app(key="sk-test-key"))
    dependent = sorted(actions.dependents(current(at), "overview"))[0]
    for key, text in ((dependent, "My own words."), ("overview", "New overview.")):
        at.button(key=f"edit_{key}").click().run()
        at.text_area(key=f"editor_{key}").input(text)
        at.button(key=f"save_{key}").click().run()
    section = current(at).section(dependent)
    assert section.stale and section.edited
    at.button(key="redraft_stale").click().run()
    assert current(at).section(dependent).text == "My own words."
    assert current(at).section(dependent).stale  # still offered, one click away
    at.button(key=f"redraft_{dependent}").click().run()
    assert current(at).section(dependent).text.startswith("Body of")
    assert not current(at).section(dependent).stale


@pytest.mark.parametrize("where", ["env", "secrets"])
def test_the_key_comes_from_the_environment_or_secrets_and_is_not_shown(
    fake_model, monkeypatch, where
):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["clarify_enabled"] = False
    if where == "env":
        monkeypatch.setenv("OPENAI_API_KEY", "sk-from-somewhere")
    else:
        at.secrets["OPENAI_API_KEY"] = "sk-from-somewhere"
    at.run()
    assert not [i for i in at.info if "Outline mode" in i.value]
    assert at.text_input(key="api_key").value == ""  # never put back into the field
    draft(at)
    assert fake_model["settings"][-1].api_key.get_secret_value() == "sk-from-somewhere"
    assert "sk-from-somewhere" not in page_text(at)
    assert not current(at).outline


def test_an_outline_becomes_a_full_draft_once_a_model_is_connected(fake_model):
    at = draft(new_app())
    assert current(at).outline
    assert current(at).section("overview").source == "outline"
    at.selectbox(key="provider").set_value("OpenAI").run()
    at.text_input(key="api_key").input("sk-test-key").run()
    at.button(key="redraft_all").click().run()
    doc = current(at)
    assert not doc.outline and doc.model == "gpt-4o-mini"
    assert doc.section("overview").text.startswith("Body of 1. Overview")
    assert "Outline" not in doc.to_markdown().split("## 1.")[0]


@pytest.mark.parametrize(
    ("description", "name"),
    [
        ("ParcelPing is a delivery service.", "ParcelPing"),
        ("Shift Swap lets staff swap shifts.", "Shift Swap"),
        ("The service sends updates.", ""),
        ("a lowercase start", ""),
    ],
)
def test_the_service_name_is_taken_from_the_description(description, name):
    assert describe.guess_service_name(description) == name


def test_contradicting_targets_across_sections_are_shown(fake_model):
    def reply(heading: str, prompt: str) -> str:
        if heading.startswith("## 7."):
            return "- Availability: 99.9% monthly."
        if heading.startswith("## 13."):
            return "- Availability: 99.5% monthly."
        return section_reply(heading, prompt)

    fake_model["model"] = SectionModel(reply=reply)
    at = draft(new_app(key="sk-test-key"))
    text = page_text(at)
    assert "Availability target is 99.5%" in text
    assert "Which is the target: 99.9% or 99.5%?" in text


def test_without_a_key_nothing_degrades_to_an_outline_silently(fake_model):
    at = new_app(key="sk-test-key")
    at = draft(at)
    written = {s.key: s.text for s in current(at).sections}
    # The key is gone (a refresh): actions say what to fix and write nothing.
    at.text_input(key="api_key").input("").run()
    at.button(key="redraft_all").click().run()
    assert {s.key: s.text for s in current(at).sections} == written
    assert any("No API key" in e.value and "Model panel" in e.value for e in at.error)
    # Choosing outlines explicitly still asks before replacing model text.
    at.selectbox(key="provider").set_value("Outline only (no model)").run()
    at.button(key="redraft_all").click().run()
    assert {s.key: s.text for s in current(at).sections} == written
    assert any("replace written text in 19 sections" in w.value for w in at.warning)
    at.button(key="outline_no").click().run()
    assert {s.key: s.text for s in current(at).sections} == written
    at.button(key="redraft_all").click().run()
    at.button(key="outline_yes").click().run()
    assert current(at).section("overview").source == "redraft"
    assert current(at).section("overview").text != written["overview"]


def test_the_connection_survives_a_refresh_but_the_key_does_not(fake_model):
    at = new_app()
    at.selectbox(key="provider").set_value("Custom OpenAI-compatible URL").run()
    assert at.text_input(key="model_text").value == ""  # no gpt-4o-mini carried over
    at.text_input(key="custom_url").input("http://127.0.0.1:9/v1").run()
    at.text_input(key="model_text").input("llama3.1").run()
    at.text_input(key="api_key").input("sk-secret-1").run()
    params = dict(at.query_params)
    assert "sk-secret-1" not in str(params)
    refreshed = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for name, value in params.items():
        refreshed.query_params[name] = value[0] if isinstance(value, list) else value
    refreshed.run()
    assert refreshed.selectbox(key="provider").value == "Custom OpenAI-compatible URL"
    assert refreshed.text_input(key="custom_url").value == "http://127.0.0.1:9/v1"
    assert refreshed.text_input(key="model_text").value == "llama3.1"
    assert refreshed.text_input(key="api_key").value == ""


def test_a_url_without_a_scheme_gets_its_own_message(fake_model):
    at = new_app()
    at.selectbox(key="provider").set_value("Custom OpenAI-compatible URL").run()
    at.text_input(key="custom_url").input("localhost:11434/v1").run()
    assert any("http:// or https://" in e.value for e in at.error)
    at.button(key="test_connection").click().run()
    assert any("has no scheme" in e.value for e in at.error)


def _edit(at: AppTest, key: str, text: str) -> AppTest:
    at.button(key=f"edit_{key}").click().run()
    at.text_area(key=f"editor_{key}").input(text)
    return at.button(key=f"save_{key}").click().run()


def _open_in_new_tab(draft_id: str) -> AppTest:
    tab = AppTest.from_file(APP, default_timeout=TIMEOUT)
    tab.session_state["provider"] = "OpenAI"
    tab.session_state["api_key"] = "sk-test-key"
    tab.query_params["draft"] = draft_id
    return tab.run()


def test_two_tabs_on_one_draft_never_lose_an_edit(fake_model):
    first = draft(new_app(key="sk-test-key"))
    doc_id = current(first).id
    second = _open_in_new_tab(doc_id)
    _edit(first, "overview", "Saved in tab A.")
    _edit(second, "problem-statement", "Saved in tab B.")
    # Tab B's save is refused, not written over tab A's work.
    assert any("Changed elsewhere" in e.value for e in second.error)
    stored = state_store().load(doc_id)
    assert stored.section("overview").text == "Saved in tab A."
    assert not stored.section("problem-statement").text.startswith("Saved in tab B.")
    second.button(key="conflict_merge").click().run()
    stored = state_store().load(doc_id)
    assert stored.section("overview").text == "Saved in tab A."
    assert stored.section("problem-statement").text == "Saved in tab B."
    # Tab A is now behind: "reload" brings both edits in.
    _edit(first, "goals-non-goals", "Tab A again.")
    assert any("Changed elsewhere" in e.value for e in first.error)
    first.button(key="conflict_reload").click().run()
    assert current(first).section("problem-statement").text == "Saved in tab B."
    assert state_store().load(doc_id).section("goals-non-goals").text != "Tab A again."


def test_the_first_paint_loads_no_model_layer_tokenizer_or_nlp(tmp_path):
    """Cold start: the empty page must not import langchain, openai, tiktoken, spaCy, docx or
    Streamlit's emoji table."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()\n"
        "assert not at.exception, at.exception\n"
        "assert at.button(key='draft_button')\n"
        "heavy = ('langchain_core', 'openai', 'tiktoken', 'spacy', 'docx', 'prd_assistant.llm',\n"
        "         'streamlit.emojis')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"OPENAI_API_KEY", "OPENAI_BASE_URL"}}
    env["PRD_DB_PATH"] = str(tmp_path / "cold.sqlite3")
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=TIMEOUT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1:] in ([], [""])


def test_an_answer_written_in_the_register_goes_back_into_the_text(fake_model):
    fake_model["model"] = SectionModel(
        reply=lambda h, p: (
            "We notify shoppers.\n\n- Open question: which SMS provider?"
            if h.startswith("## 1.")
            else "Plain text."
        )
    )
    at = draft(new_app(key="sk-test-key"))
    rows = at.selectbox(key="register_row")
    index = next(i for i, label in enumerate(rows.options) if "which SMS provider?" in label)
    rows.select_index(index).run()
    at.text_input(key="register_owner").input("Head of Support")
    at.text_area(key="register_answer").input("Twilio, with MessageBird as the fallback.")
    at.button(key="register_save").click().run()
    doc = current(at)
    assert doc.section("overview").text == (
        "We notify shoppers.\n\n- Twilio, with MessageBird as the fallback."
    )
    item = next(r for r in doc.register if r.question == "which SMS provider?")
    assert (item.owner, item.status) == ("Head of Support", "answered")


def test_every_model_call_of_the_page_is_booked_once_and_counted_in_the_summary(fake_model):
    """Drafted sections are booked by the save that brings them in, the suggestions pass as
    it is made (it writes no section), and the summary counts both."""
    from prd_assistant.store.usage import usage_events

    fake_model["model"] = SectionModel(reply=assist_reply)
    at = draft(new_app(key="sk-test-key"))
    doc = current(at)
    drafted = usage_events(state_store())
    assert sorted(e.section_key for e in drafted) == sorted(s.key for s in doc.sections)
    at.button(key="suggest_button").click().run()
    assert "SMS provider outage during peak sales" in page_text(at)
    booked = usage_events(state_store())
    (suggestions,) = booked[len(drafted) :]
    assert (suggestions.section_key, suggestions.draft_id) == ("(suggestions)", doc.id)
    assert suggestions.exact and suggestions.prompt_tokens > 0
    total = sum(e.prompt_tokens + e.completion_tokens for e in booked)
    at.run()  # the summary is drawn above the pane whose button made the call
    (summary,) = [c.value for c in at.caption if "sections done" in c.value]
    drafted_total = sum(e.prompt_tokens + e.completion_tokens for e in drafted)
    assert summary.startswith(f"19 of 19 sections done · {drafted_total:,} tokens · $")
    assert f" · {total:,} tokens · $" in summary and "in all model calls on this draft" in summary
