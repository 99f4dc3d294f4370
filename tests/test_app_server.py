"""The page against the local OpenAI-compatible test server: the real client path, no network."""

from __future__ import annotations

import dataclasses

import pytest

from prd_assistant.document import SectionStatus
from tests.support.openai_server import Finish, OpenAIStubServer, Status, default_reply
from tests.support.ports import unaccepting_port
from tests.test_app import APP, DESCRIPTION, HEADINGS, TIMEOUT, current, draft, isolated, page_text

__all__ = ["isolated"]  # the autouse fixture: fresh database, no model env


def server_app(url: str, key: str = "", model: str = "test-model"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["provider"] = "Custom OpenAI-compatible URL"
    at.session_state["custom_url"] = url
    at.session_state["api_key"] = key
    at.session_state["model_text"] = model
    at.session_state["clarify_enabled"] = False
    return at.run()


def test_test_connection_lists_the_servers_models():
    with OpenAIStubServer(models=("test-model", "llama3.1")) as server:
        at = server_app(server.url)
        at.button(key="test_connection").click().run()
        assert at.success[0].value.startswith("Connected")
        assert at.selectbox(key="model_choice").options[:2] == ["llama3.1", "test-model"]
        assert at.selectbox(key="model_choice").value == "test-model"


def test_a_wrong_key_gets_a_clear_message_and_is_never_shown():
    with OpenAIStubServer(require_key="right-key") as server:
        at = server_app(server.url, key="wrong-key-12345")
        at.button(key="test_connection").click().run()
        message = at.error[0].value
        assert "key" in message.lower()
        assert "rejected" in at.warning[0].value  # the banner says drafting would fail
        draft(at)
        doc = current(at)
        assert all(s.status is SectionStatus.FAILED for s in doc.sections)
        assert "19 sections failed" in page_text(at)
        assert "Nothing to review: every section failed" in page_text(at)
        assert "wrong-key-12345" not in page_text(at)
        assert "wrong-key-12345" not in str(doc.to_dict())


def test_drafts_every_section_through_the_real_client():
    with OpenAIStubServer(models=("test-model",)) as server:
        at = draft(server_app(server.url))
        assert not at.exception
        doc = current(at)
        assert [s.heading for s in doc.sections] == HEADINGS
        assert all(s.status is SectionStatus.DONE for s in doc.sections)
        assert all(s.usage.exact and s.usage.total_tokens for s in doc.sections)
        assert len(server.requests) == 19
        assert DESCRIPTION[:40] in str(server.requests[0]["messages"])


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"just text, no headings", "has no sections"), (b"\x00\x01binary", "is binary, not text")],
)
def test_a_bad_template_upload_is_refused_with_a_clear_error(content, message):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    uploader = next(u for u in at.get("file_uploader") if u.proto.id.endswith("template_upload"))
    uploader.set_value(("ours.md", content, "text/markdown"))
    at.run()
    assert any(message in e.value and "default template" in e.value for e in at.error)


def test_an_uploaded_template_drives_the_sections():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    uploader = next(u for u in at.get("file_uploader") if u.proto.id.endswith("template_upload"))
    uploader.set_value(
        ("ours.md", b"# <Service Name> spec\n## Why\n## What\n### Scope\n", "text/markdown")
    )
    at.run()
    draft(at)
    assert [s.heading for s in current(at).sections] == ["## Why", "## What"]


def test_ready_means_the_chat_endpoint_answers_too():
    with OpenAIStubServer(models=("test-model",), fail_rate=1.0, fail_statuses=(404,)) as server:
        at = server_app(server.url)
        at.button(key="test_connection").click().run()
        assert not at.success
        assert "chat call failed" in at.error[0].value


def test_a_server_that_never_accepts_the_connection_is_reported_as_not_connected(monkeypatch):
    from prd_assistant.ui import sidebar

    settings = sidebar.current_settings
    # The page's connect limit is 10 s; the test waits 0.5 s for it.
    monkeypatch.setattr(
        sidebar, "current_settings", lambda: dataclasses.replace(settings(), connect_timeout=0.5)
    )
    with unaccepting_port() as port:
        at = server_app(f"http://127.0.0.1:{port}/v1")
        at.button(key="test_connection").click().run()
    assert at.error[0].value.startswith(
        f"Could not connect to the model server at 127.0.0.1:{port}"
    )
    assert "did not answer" not in page_text(at)
    assert "The model is not reachable" in at.warning[0].value


def test_a_401_is_a_rejected_key_and_credentials_in_the_url_are_never_shown():
    with OpenAIStubServer(require_key="right-key") as server:
        at = server_app(server.url, key="wrong-key-12345")
        at.button(key="test_connection").click().run()
        assert "The API key was rejected" in at.warning[0].value
        assert "not reachable" not in at.warning[0].value
        assert "Settings" not in at.error[0].value + at.warning[0].value
    with OpenAIStubServer(models=("test-model",)) as server:
        url = server.url.replace("http://", "http://user:sk-in-url-999@")
        at = server_app(url)
        at.button(key="test_connection").click().run()
        assert at.success[0].value.startswith("Connected")
        assert "sk-in-url-999" not in page_text(at)


def test_a_new_server_without_a_model_name_picks_the_first_it_offers():
    with OpenAIStubServer(models=("only-model",)) as server:
        at = server_app(server.url, model="")
        at.button(key="test_connection").click().run()
        assert at.success[0].value.startswith("Connected")
        assert at.selectbox(key="model_choice").value == "only-model"


def test_a_one_slot_server_is_drafted_one_section_at_a_time_from_the_start():
    # llama.cpp says how many slots it has (/props); the page reads it, as the CLI does, instead
    # of finding out by having a second request end the reply in progress.
    with OpenAIStubServer(slots=1, slot_endpoints=True, delay=0.15, chunks=3) as server:
        at = draft(server_app(server.url))
        assert not at.exception
        assert all(s.status is SectionStatus.DONE for s in current(at).sections)
        assert server.interrupted == 0
        assert at.session_state["server_slots"] == {server.url: 1}


def test_the_page_sends_a_501_once():
    # Drafting retries by its own policy (a 501 is permanent); the client must not retry too.
    with OpenAIStubServer(models=("test-model",)) as server:
        server.enqueue(*[Status(501)] * 8)
        at = draft(server_app(server.url))
        assert not at.exception
        assert server.calls == 1
        assert "HTTP 501" in page_text(at)


def test_a_reply_stopped_at_its_length_limit_shows_as_truncated_not_done():
    # The first section's reply and its three retries with more room (the default retries)
    # end with finish_reason "length": it is kept and marked truncated, never shown as done.
    # (One section at a time, so that every cut reply goes to the same section.)
    with OpenAIStubServer(models=("test-model",), fault=Finish("length"), fault_calls=4) as server:
        at = server_app(server.url)
        at.session_state["concurrency"] = 1
        draft(at)
        assert not at.exception
        doc = current(at)
        [cut] = [s for s in doc.sections if s.status is SectionStatus.TRUNCATED]
        assert cut.text.strip()  # what arrived is kept
        assert sum(s.status is SectionStatus.DONE for s in doc.sections) == 18
        assert page_text(at).count("✂️ truncated (stopped at the length limit)") == 1


def test_test_connection_makes_one_chat_call_and_does_not_retry_a_501():
    with OpenAIStubServer(models=("test-model",)) as server:
        server.enqueue(*[Status(501)] * 4)
        at = server_app(server.url)
        at.button(key="test_connection").click().run()
        assert "chat call failed" in at.error[0].value and "501" in at.error[0].value
        assert server.calls == 1
        assert server.requests[0]["stream"] is True and server.requests[0]["max_tokens"] == 1


def test_a_key_the_server_echoes_into_replies_is_neither_stored_nor_shown(tmp_path):
    secret = "sk-echoed-by-the-server-1234567890"

    def echoing(body):  # a server (or an injected prompt) that repeats the key
        return default_reply(body) + f"\n\nDebug: key={secret}"

    with OpenAIStubServer(models=("test-model",), reply=echoing) as server:
        at = draft(server_app(server.url, key=secret))
        assert not at.exception
        doc = current(at)
        assert all(s.status is SectionStatus.DONE for s in doc.sections)
        assert "[key hidden]" in doc.to_markdown()
        assert secret not in doc.to_markdown() + page_text(at)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("drafts.sqlite3*"))
    assert stored and secret.encode() not in stored


def test_an_unexpected_error_carrying_credentials_reaches_no_page_store_export_or_log(
    tmp_path, monkeypatch, caplog
):
    """An error outside any model call (here building a later section's prompt) whose message
    holds the PM's key, the password in the server URL and a key-shaped token stops the run.
    The page, the saved draft, its exports and the log (the traceback too) show none of them."""
    import threading

    from prd_assistant import drafting, export

    key, password, shaped = "pm-own-key-4711-plain", "url-pass-0815-plain", "sk-live-abc123def456"
    shorten = drafting._shorten
    with OpenAIStubServer(models=("test-model",)) as server:
        url = server.url.replace("http://", f"http://ops:{password}@")

        def broken(*args, **kwargs):
            # The cost estimate shortens prompts too; only the run's own calls break.
            if threading.current_thread().name.startswith("prd-run"):
                raise RuntimeError(f"bad key {key} ({shaped}) for {url}")
            return shorten(*args, **kwargs)

        monkeypatch.setattr(drafting, "_shorten", broken)
        at = draft(server_app(url, key=key))
    assert not at.exception
    doc = current(at)
    failed = [s for s in doc.sections if s.status is SectionStatus.FAILED]
    assert failed and all("[key hidden]" in s.error for s in failed)
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text  # the trace is kept
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("drafts.sqlite3*")).decode(
        errors="replace"
    )
    shown = [page_text(at), caplog.text, stored, export.to_markdown(doc), export.to_json(doc)]
    for secret in (key, password, shaped):
        assert not any(secret in text for text in shown), secret
