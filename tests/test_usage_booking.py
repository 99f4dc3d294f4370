"""Every model call's tokens are booked once: drafted sections, the tries no section keeps,
the suggestions pass, the AI review, clarifying questions and connection tests, from the
app's code paths and from the CLI."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGenerationChunk

from prd_assistant import drafting, llm, model_calls, tokens, usage_meter
from prd_assistant.cli import main
from prd_assistant.document import Draft, Usage
from prd_assistant.drafting import Drafter
from prd_assistant.events import SectionDelta, SectionDone
from prd_assistant.store import DraftStore, sqlite_url
from prd_assistant.store.usage import usage_events, usage_totals
from prd_assistant.template import load_template
from tests.support.fake_models import SectionModel, asked_heading
from tests.support.openai_server import Cut, OpenAIStubServer, _prompt_text, count_words

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
    "to shoppers, 2,000 notifications per minute at peak."
)


@pytest.fixture(autouse=True)
def database(monkeypatch) -> str:
    """The app's database, where `prd usage` reads the ledger (conftest makes it private)."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)
    return sqlite_url(Path(os.environ["PRD_DB_PATH"]))


class Booked:
    """A ``usage_meter.Book`` that keeps what it was given (thread-safe)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Usage]] = []
        self._lock = threading.Lock()

    def __call__(self, what: str, usage: Usage) -> None:
        with self._lock:
            self.calls.append((what, usage))

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[str, Usage]]:
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.calls)


def _stub_model(server: OpenAIStubServer) -> Any:
    settings = llm.ModelSettings(model="test-model", base_url=server.url, timeout=30)
    return llm.create_chat_model(settings, client_retries=0)


def _server_usage(body: dict[str, Any], reply: str) -> Usage:
    """What the stub server reports for one call: whitespace words of prompt and reply."""
    return Usage(count_words(_prompt_text(body)), count_words(reply), True, None)


def test_a_streamed_reply_books_the_servers_usage_once():
    reply = "Alpha beta gamma delta."
    booked = Booked()
    with OpenAIStubServer(reply=reply) as server:
        model = _stub_model(server)
        with usage_meter.booking("(test)", booked):
            assert model_calls.whole_reply(model, [HumanMessage("Say four words.")]) == reply
        (body,) = server.requests
    assert body["stream"] and body["stream_options"] == {"include_usage": True}
    assert booked.calls == [("(test)", _server_usage(body, reply))]


def test_outside_a_booking_nothing_is_booked_and_nested_bookings_count_once():
    outer, inner = Booked(), Booked()
    with OpenAIStubServer(reply="One two.") as server:
        model = _stub_model(server)
        model_calls.whole_reply(model, [HumanMessage("Hi")])
        with usage_meter.booking("outer", outer), usage_meter.booking("inner", inner):
            model_calls.whole_reply(model, [HumanMessage("Hi")])
    assert outer.calls == [] and [what for what, _ in inner.calls] == ["inner"]


def test_a_connection_test_cut_at_its_one_token_cap_is_booked():
    """The ping stops at max_tokens=1 ("length"): a reply that is not whole, paid for all
    the same."""
    booked = Booked()
    with OpenAIStubServer(reply="OK") as server:
        with usage_meter.booking(usage_meter.CONNECTION_TEST, booked):
            model_calls.ping(_stub_model(server))
        (body,) = server.requests
    assert body["max_tokens"] == 1 or body.get("max_completion_tokens") == 1
    assert [what for what, _ in booked.calls] == [usage_meter.CONNECTION_TEST]
    assert booked.calls[0][1].exact and booked.calls[0][1].prompt_tokens > 0


def test_a_retried_try_is_booked_besides_the_reply_that_is_kept():
    """A reply cut mid-stream is retried: the cut try is booked (counted, since its usage
    chunk never came), and the whole reply once (the server's figures)."""
    reply = "One two three four five six seven eight."
    booked = Booked()
    with OpenAIStubServer(reply=reply, chunks=4) as server:
        server.enqueue(Cut(after_chunks=2))
        model = _stub_model(server)
        with usage_meter.booking("(test)", booked):
            model_calls.whole_reply(model, [HumanMessage("Count to eight.")], retries=2)
        assert len(server.requests) == 2
        last = server.requests[-1]
    (cut_what, cut), (whole_what, whole) = booked.calls
    assert cut_what == whole_what == "(test)"
    assert not cut.exact and 0 < cut.completion_tokens < whole.completion_tokens + 3
    assert whole == _server_usage(last, reply)


def test_the_suggestions_pass_books_every_call_it_makes():
    from prd_assistant import assist

    booked = Booked()
    markdown = "# PRD\n\n## Overview\n\nParcelPing sends SMS updates. It must be fast.\n"
    with OpenAIStubServer() as server:
        with usage_meter.booking(usage_meter.SUGGESTIONS, booked):
            assist.suggest(_stub_model(server), markdown, [], retries=0)
        calls = len(server.requests)
    assert calls >= 1 and len(booked.calls) == calls
    assert {what for what, _ in booked.calls} == {usage_meter.SUGGESTIONS}
    assert all(usage.exact and usage.total_tokens for _, usage in booked.calls)


class _SlowStream(SectionModel):
    """Streams each section a word at a time, slowly, so a run can be stopped mid-reply."""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for word in ["Body ", "of ", "the ", "section ", "goes ", "on ", "and ", "on."] * 20:
            time.sleep(0.05)
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata={"input_tokens": 9, "output_tokens": 9, "total_tokens": 18},
            )
        )


def test_a_cancelled_run_books_the_tokens_its_open_calls_spent():
    """Closing the run (the app's cancel) stops each open call at its next chunk: what the
    prompt and the text that arrived cost is booked for its section, counted."""
    template = load_template()
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    booked = Booked()
    drafter = Drafter(
        template, _SlowStream(), model_name="gpt-4o-mini", concurrency=1, on_spent=booked
    )
    stream = drafter.stream(draft, ["overview"])
    for event in stream:
        if isinstance(event, SectionDelta):
            break
    stream.close()
    ((what, usage),) = booked.wait_for(1)
    assert what == "overview"
    assert usage.prompt_tokens > 50 and 0 < usage.completion_tokens < 20
    assert usage.cost_usd is not None and usage.cost_usd > 0  # gpt-4o-mini has a price


class _StuckAfterOneChunk(SectionModel):
    """Sends one chunk of each reply, then nothing until ``release`` is set (a stalled server);
    the sections headed ``free`` get their whole reply at once."""

    release: threading.Event = threading.Event()
    free: tuple[str, ...] = ()

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield ChatGenerationChunk(message=AIMessageChunk(content="Body of the section "))
        if asked_heading(messages) not in self.free:
            self.release.wait(30)
        yield ChatGenerationChunk(message=AIMessageChunk(content="goes on."))


def test_closing_a_run_books_its_open_calls_at_once_not_when_their_next_chunk_comes():
    """A process that exits right after stopping a run (the CLI on SIGTERM or Ctrl-C) cannot
    wait for a worker stuck on a silent server: the close itself books what arrived."""
    template = load_template()
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    booked = Booked()
    model = _StuckAfterOneChunk(release=threading.Event())
    drafter = Drafter(template, model, model_name="gpt-4o-mini", concurrency=1, on_spent=booked)
    stream = drafter.stream(draft, ["overview"])
    try:
        for event in stream:
            if isinstance(event, SectionDelta):
                break
        stream.close()
        booked_at_close = list(booked.calls)
    finally:
        model.release.set()
    ((what, usage),) = booked_at_close
    assert what == "overview"
    assert usage.prompt_tokens > 50 and 0 < usage.completion_tokens < 10
    time.sleep(0.2)  # the worker now gets its next chunk and stops: it must not book again
    assert len(booked.calls) == 1


def test_a_finished_section_the_run_had_not_handed_on_when_closed_is_booked(monkeypatch):
    """The open-questions section's reply is held back until the others are done; a run
    closed before that hands it on to nobody, so the close books it, with the open call."""
    monkeypatch.setattr(drafting, "WAIT_REPORT_SECONDS", 0.05)  # an event while one is stuck
    template = load_template()
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    booked = Booked()
    (gatherer,) = Drafter(template, None).gatherers
    model = _StuckAfterOneChunk(
        release=threading.Event(), free=(template.section(gatherer).heading,)
    )
    drafter = Drafter(template, model, model_name="gpt-4o-mini", concurrency=2, on_spent=booked)
    stream = drafter.stream(draft, [gatherer, "overview"])
    try:
        for event in stream:
            assert not isinstance(event, SectionDone)
            if draft.section(gatherer).text:  # its reply is in, and held back
                break
        stream.close()
        booked_at_close = dict(booked.calls)
    finally:
        model.release.set()
    whole = tokens.count_tokens("Body of the section goes on.", "gpt-4o-mini")
    assert booked_at_close[gatherer].completion_tokens == whole
    assert 0 < booked_at_close["overview"].completion_tokens < whole


def test_a_kept_section_is_not_booked_by_the_engine_only_its_wasted_tries():
    template = load_template()
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    booked = Booked()
    drafter = Drafter(template, SectionModel(), model_name="m", on_spent=booked)
    done = [e for e in drafter.stream(draft, ["overview"]) if isinstance(e, SectionDone)]
    assert done[0].usage.exact and done[0].usage.total_tokens > 0
    assert booked.calls == []


def test_store_books_a_call_outside_any_save_and_reports_it_by_draft(database):
    store = DraftStore(database, user="alice")
    draft = Draft.from_template(load_template(), DESCRIPTION, "ParcelPing")
    store.save(draft)
    store.book_usage(draft.id, usage_meter.SUGGESTIONS, "gpt-4o-mini", Usage(100, 20, True, 0.01))
    store.book_usage("", usage_meter.CONNECTION_TEST, "gpt-4o-mini", Usage(9, 1, True, 0.0001))
    store.book_usage(draft.id, "overview", "gpt-4o-mini", Usage())  # no tokens: not a call
    events = [(e.user, e.draft_id, e.section_key, e.total) for e in _events(store)]
    assert events == [
        ("alice", draft.id, usage_meter.SUGGESTIONS, 120),
        ("alice", "", usage_meter.CONNECTION_TEST, 10),
    ]
    labels = {t.key: t.label for t in usage_totals(store, by="draft")}
    assert labels[""] == "(no draft)" and labels[draft.id].startswith("ParcelPing")


class _Event:
    def __init__(self, event: Any) -> None:
        self.user, self.draft_id, self.section_key = event.user, event.draft_id, event.section_key
        self.total = event.prompt_tokens + event.completion_tokens


def _events(store: DraftStore) -> list[_Event]:
    return [_Event(e) for e in usage_events(store)]


def _usage_report(capsys) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["usage", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_prd_draft_books_every_call_for_prd_usage(tmp_path, capsys, database):
    """Each drafted section and the clarifying questions, as the server counted them, and
    a retried try once more: `prd usage` adds up to what the server reported."""
    with OpenAIStubServer() as server:
        server.enqueue(Cut(after_chunks=1))
        code = main(
            [
                *["draft", DESCRIPTION, "--model", "test-model", "--base-url", server.url],
                *["-o", str(tmp_path / "prd.md"), "--json", str(tmp_path / "prd.json")],
                *["--clarify", "--answers", str(_answers(tmp_path))],
            ]
        )
        requests = server.requests
    assert code == 0
    store = DraftStore(database)
    events = usage_events(store)
    draft = json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))
    assert len(events) == len(requests)  # one booking per call, the cut one included
    assert {e.draft_id for e in events} == {draft["id"]}
    keys = [e.section_key for e in events]
    assert keys.count(usage_meter.CLARIFYING_QUESTIONS) >= 1
    assert sorted(set(keys) - {usage_meter.CLARIFYING_QUESTIONS}) == sorted(
        s["key"] for s in draft["sections"]
    )
    kept = sum(
        s["usage"]["prompt_tokens"] + s["usage"]["completion_tokens"] for s in draft["sections"]
    )
    (row,) = _usage_report(capsys)["rows"]
    assert row["user"] == "local" and row["sections"] == len(requests)
    assert row["total_tokens"] > kept  # the clarifying call and the cut try on top


def _answers(tmp_path) -> Any:
    path = tmp_path / "answers.txt"
    path.write_text("\n" * 5, encoding="utf-8")
    return path


def test_prd_review_ai_books_its_calls(tmp_path, capsys, database):
    prd = tmp_path / "prd.md"
    prd.write_text(
        "# PRD\n\n## Overview\n\nParcelPing sends SMS updates. It must be fast.\n",
        encoding="utf-8",
    )
    with OpenAIStubServer() as server:
        main(["review", str(prd), "--ai", "--base-url", server.url, "--model", "test-model"])
        calls = len(server.requests)
    events = usage_events(DraftStore(database))
    assert calls >= 1 and len(events) == calls
    assert {(e.draft_id, e.section_key, e.model) for e in events} == {
        ("", usage_meter.AI_REVIEW, "test-model")
    }


def test_a_database_that_cannot_be_opened_costs_one_warning_not_the_review(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PRD_DB_PATH", str(tmp_path / "not-a-folder" / "x.sqlite3"))
    (tmp_path / "not-a-folder").write_text("a file, not a folder", encoding="utf-8")
    prd = tmp_path / "prd.md"
    prd.write_text("# PRD\n\n## Overview\n\nIt must be fast.\n", encoding="utf-8")
    with OpenAIStubServer() as server:
        code = main(
            [
                *["review", str(prd), "--ai", "--base-url", server.url, "--model", "test-model"],
                *["--format", "json"],
            ]
        )
    captured = capsys.readouterr()
    assert code in (0, 1) and json.loads(captured.out)["ai"]["error"] in (None, "")
    assert captured.err.count("model usage is not being recorded") == 1
