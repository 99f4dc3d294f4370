"""Drafting under the faults real servers and networks produce, through the real openai client.

Each test starts the local fault server (tests/support/openai_server.py) on 127.0.0.1 and
checks that no work is lost or mislabelled: a cut or unfinished reply is retried, never saved
as done; a reply stopped at its length limit is marked truncated; a silent server is given up
in bounded time, once; the concurrency adapts to a single-slot server.
"""

from __future__ import annotations

import json
import threading
import time

import pytest

from prd_assistant import drafting, llm, model_server
from prd_assistant.cli import main
from prd_assistant.document import Draft, SectionStatus
from prd_assistant.drafting import Drafter
from prd_assistant.events import SectionFailed, SectionRetrying, ServerWaiting, apply_event
from prd_assistant.pacing import CallGate
from prd_assistant.template import load_template, parse_template
from tests.support.fake_models import SectionModel, asked_heading
from tests.support.openai_server import Cut, Finish, Hang, OpenAIStubServer, Stall, Status
from tests.support.ports import unaccepting_port

DESCRIPTION = (
    "ParcelPing is a delivery notification service for online merchants. It sends SMS updates "
    "via Twilio to shoppers, 2,000 notifications per minute at peak."
)
SMALL_TEMPLATE = (
    "# PRD\n\n## Overview\nWhat it is.\n\n## Scope\nWhat is in.\n\n## Risks\nWhat may go wrong.\n"
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PRD_MODEL"):
        monkeypatch.delenv(name, raising=False)


def draft_cli(server, tmp_path, *extra, base_url=None):
    return main(
        [
            "draft",
            DESCRIPTION,
            "--model",
            "test-model",
            "--base-url",
            base_url or server.url,
            "-o",
            str(tmp_path / "prd.md"),
            "--json",
            str(tmp_path / "prd.json"),
            *extra,
        ]
    )


def saved_sections(tmp_path):
    return json.loads((tmp_path / "prd.json").read_text(encoding="utf-8"))["sections"]


def small_run(server, **settings_overrides):
    """Drafts the three-section template through the real client; returns (draft, events)."""
    values = {"model": "test-model", "base_url": server.url, "max_retries": 2}
    settings = llm.ModelSettings(**{**values, **settings_overrides})
    template = parse_template(SMALL_TEMPLATE, "small")
    model = llm.create_chat_model(settings, client_retries=0)
    drafter = Drafter(template, model, model_name="test-model", retries=settings.max_retries)
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    events = []
    for event in drafter.stream(draft):
        apply_event(draft, event)
        events.append(event)
    return draft, events


def test_single_slot_server_at_default_concurrency_drafts_every_section(tmp_path, capsys):
    # llama.cpp's default: a new request ends the reply in progress with [DONE], no reason.
    with OpenAIStubServer(slots=1, delay=0.4, chunks=6) as server:
        assert draft_cli(server, tmp_path) == 0
        # The fault really happened, and the slow start found it out with one dropped reply
        # instead of a whole first wave of them.
        assert 0 < server.interrupted <= 2
    sections = saved_sections(tmp_path)
    assert {s["status"] for s in sections} == {"done"}
    # No section holds a reply that was cut: each ends with the stub's closing question.
    assert all(s["text"].rstrip().endswith("?") for s in sections if s["key"] != "open-questions")
    err = capsys.readouterr().err
    assert "retry" in err and "EmptyReplyError" not in err


def test_a_reply_ending_without_finish_reason_is_retried_not_done():
    with OpenAIStubServer(chunks=4, fault=Finish(None), fault_calls=1) as server:
        draft, events = small_run(server)
    retried = [e for e in events if isinstance(e, SectionRetrying)]
    assert len(retried) == 1 and "cut off" in retried[0].reason
    assert all(s.status == SectionStatus.DONE for s in draft.sections)
    assert server.calls == 4


def test_a_stream_cut_mid_chunk_is_retried_and_never_called_unreachable(tmp_path, capsys):
    with OpenAIStubServer(chunks=4, fault=Cut(after_chunks=2), fault_calls=1) as server:
        assert draft_cli(server, tmp_path, "--concurrency", "4") == 0
    assert {s["status"] for s in saved_sections(tmp_path)} == {"done"}
    err = capsys.readouterr().err
    assert "Could not reach" not in err and "connection dropped mid-reply" in err


def test_a_reply_stopped_at_the_length_limit_is_retried_then_marked_truncated(tmp_path, capsys):
    with OpenAIStubServer(fault=Finish("length")) as server:
        code = draft_cli(server, tmp_path, "--concurrency", "4")
        # Each section is asked again with more room before it is given up as truncated.
        caps = [body.get("max_tokens") for body in server.requests]
    assert code == 1
    assert {s["status"] for s in saved_sections(tmp_path)} == {"truncated"}
    assert max(caps) > min(caps)
    err = capsys.readouterr().err
    assert "19 section(s) stopped at the model's length limit" in err
    assert "drafted 0/19" in err and "19 truncated" in err


def test_every_section_call_carries_an_output_cap_from_its_size():
    template = load_template()
    drafter = Drafter(template, None)
    with OpenAIStubServer() as server:
        small_run(server)
        caps = {body.get("max_tokens") for body in server.requests}
    assert caps == {drafting.BASE_SECTION_TOKENS}
    nfr = template.section("non-functional-requirements")
    assert drafter.max_tokens(nfr) > drafting.BASE_SECTION_TOKENS
    assert max(drafter.max_tokens(s) for s in template.sections) <= drafting.MAX_SECTION_TOKENS


def test_a_silent_server_is_given_up_in_bounded_time_and_reported_once(monkeypatch):
    monkeypatch.setattr(drafting, "WAIT_REPORT_SECONDS", 0.2)
    with OpenAIStubServer(fault=Hang()) as server:
        started = time.perf_counter()
        draft, events = small_run(server, idle_timeout=0.5, max_retries=5)
        elapsed = time.perf_counter() - started
    # Gives up after two idle timeouts of silence, not after every retry of every section.
    assert elapsed < 4
    failed = [e for e in events if isinstance(e, SectionFailed)]
    assert len(failed) == 3 and all(s.status == SectionStatus.FAILED for s in draft.sections)
    hit = [e for e in failed if not e.skipped]
    assert len({e.error for e in hit}) == 1 and "sent nothing" in hit[0].error
    assert any(isinstance(e, ServerWaiting) for e in events)


def test_a_silent_server_stops_sections_queued_behind_it_without_calling_again(monkeypatch):
    # Six independent sections on a local server: the slow start sends one call, the silence
    # limit stops the run, and the five waiting sections must not each wait out a timeout.
    monkeypatch.setattr(drafting, "WAIT_REPORT_SECONDS", 0.2)
    template = parse_template(
        "# <Service Name> PRD\n\n"
        + "".join(f"## Part {n}\nWhat part {n} covers.\n\n" for n in range(6)),
        "six",
    )
    with OpenAIStubServer(fault=Hang()) as server:
        settings = llm.ModelSettings(
            model="test-model", base_url=server.url, idle_timeout=0.5, max_retries=5
        )
        model = llm.create_chat_model(settings, client_retries=0)
        drafter = Drafter(template, model, model_name="test-model", retries=5)
        draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
        events = list(drafter.stream(draft))
        calls = server.calls
    failed = [e for e in events if isinstance(e, SectionFailed)]
    assert len(failed) == 6
    assert len([e for e in failed if not e.skipped]) == 1
    # Two calls of silence stop the run; before, every queued section made its own call.
    assert calls <= 3


class _OneFatalSection(SectionModel):
    """Scope fails for every call after 0.3 s; Risks sends nothing for 8 s; others stream slowly."""

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        heading = asked_heading(messages)
        if heading == "## Scope":
            time.sleep(0.3)
            raise llm.ModelConfigError("The server refuses every call.")
        if heading == "## Risks":
            time.sleep(8)
        for chunk in super()._stream(messages, stop, run_manager, **kwargs):
            time.sleep(0.15)
            yield chunk


def test_a_server_wide_failure_keeps_the_replies_already_arriving_and_skips_the_rest():
    template = parse_template(SMALL_TEMPLATE + "\n## Rollout\nHow it ships.\n", "small")
    draft = Draft.from_template(template, DESCRIPTION, "ParcelPing")
    drafter = Drafter(template, _OneFatalSection(), model_name="test-model", concurrency=3)
    started = time.perf_counter()
    events = []
    for event in drafter.stream(draft):
        apply_event(draft, event)
        events.append(event)
    elapsed = time.perf_counter() - started
    status = {s.title: s.status for s in draft.sections}
    failed = {e.key: e for e in events if isinstance(e, SectionFailed)}
    # Overview was streaming when Scope failed: its reply is kept, not thrown away.
    assert status["Overview"] == SectionStatus.DONE
    assert "Body of ## Overview" in draft.section("overview").text
    assert not failed["scope"].skipped and "refuses every call" in failed["scope"].error
    # Risks had nothing on its way (first byte pending) and Rollout had not started: both are
    # skipped at once, without waiting for Risks' reply.
    assert failed["risks"].skipped and failed["rollout"].skipped
    assert elapsed < 6


def test_a_fatal_failure_closes_the_gate_to_calls_queued_behind_it():
    gate = CallGate(4, slow_start=True)
    cancel = threading.Event()
    assert gate.acquire(cancel)
    gate.close()
    gate.release()
    assert not gate.acquire(cancel)  # the freed place is not handed to the next section


def test_a_server_that_never_accepts_the_connection_stops_the_run_at_the_connect_timeout():
    # Connection attempts are dropped, as for a firewalled host: connect hangs. The connect
    # limit (0.5 s), not the idle one (30 s), applies, and as with a refused connection the
    # run stops at once (the request never reached a server) and says so.
    with unaccepting_port() as port:
        settings = llm.ModelSettings(
            model="test-model",
            base_url=f"http://127.0.0.1:{port}/v1",
            connect_timeout=0.5,
            idle_timeout=30,
            max_retries=2,
        )
        template = parse_template(SMALL_TEMPLATE, "small")
        model = llm.create_chat_model(settings, client_retries=0)
        drafter = Drafter(template, model, model_name="test-model", retries=2, concurrency=1)
        started = time.perf_counter()
        events = list(drafter.stream(Draft.from_template(template, DESCRIPTION, "ParcelPing")))
        elapsed = time.perf_counter() - started
    failed = [e for e in events if isinstance(e, SectionFailed)]
    assert not [e for e in events if isinstance(e, SectionRetrying)]
    assert len(failed) == 3 and [e.skipped for e in failed] == [False, True, True]
    assert failed[0].error.startswith("Could not connect to the model server")
    assert "did not answer" not in failed[0].error
    assert elapsed < 15  # one connect limit of 0.5 s, not the 300 s total


def test_a_reply_still_streaming_at_the_total_timeout_is_not_kept_as_done():
    # A chunk every 0.1 s never trips the idle limit; the total limit (1 s) stops it.
    with OpenAIStubServer(delay=4.0, chunks=40) as server:
        draft, events = small_run(server, timeout=1.0, max_retries=0)
    assert all(s.status == SectionStatus.FAILED for s in draft.sections)
    failed = [e for e in events if isinstance(e, SectionFailed)]
    assert "ended the reply before it was finished" in failed[0].error


def test_a_stall_mid_stream_is_retried():
    with OpenAIStubServer(chunks=4, fault=Stall(after_chunks=1), fault_calls=1) as server:
        draft, events = small_run(server, idle_timeout=0.5)
    assert all(s.status == SectionStatus.DONE for s in draft.sections)
    assert [e.reason for e in events if isinstance(e, SectionRetrying)] == [
        "the server did not answer in time"
    ]


def test_keep_alive_pings_do_not_hide_a_server_that_sends_no_chunks(monkeypatch):
    monkeypatch.setattr(drafting, "WAIT_REPORT_SECONDS", 0.2)
    stall = Stall(after_chunks=0, pings=0.1)
    with OpenAIStubServer(fault=stall) as server:
        started = time.perf_counter()
        draft, events = small_run(server, idle_timeout=0.5, timeout=0.8, max_retries=5)
    assert time.perf_counter() - started < 5
    assert all(s.status == SectionStatus.FAILED for s in draft.sections)
    assert any("sent nothing" in e.error for e in events if isinstance(e, SectionFailed))


def test_429_honours_retry_after_and_completes():
    with OpenAIStubServer() as server:
        server.enqueue(Status(429, retry_after=0.3))
        started = time.perf_counter()
        draft, events = small_run(server)
    waits = [e.wait for e in events if isinstance(e, SectionRetrying)]
    assert len(waits) == 1 and 0.3 <= waits[0] < 0.5
    assert time.perf_counter() - started >= 0.3
    assert all(s.status == SectionStatus.DONE for s in draft.sections)


def test_501_is_not_retried_and_is_reported_once(tmp_path, capsys):
    with OpenAIStubServer(fault=Status(501)) as server:
        code = draft_cli(server, tmp_path, "--concurrency", "1")
        calls = server.calls
    assert code == 1 and calls == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len([line for line in err if "501" in line]) <= 2  # the section line and the summary
    assert err[-1].startswith("prd: error: ") and "does not implement" in err[-1]


def test_5xx_is_retried_with_back_off():
    with OpenAIStubServer() as server:
        server.enqueue(Status(503), Status(500))
        draft, events = small_run(server)
    assert len([e for e in events if isinstance(e, SectionRetrying)]) == 2
    assert all(s.status == SectionStatus.DONE for s in draft.sections)


def test_slot_count_from_props_caps_the_calls_in_flight(tmp_path):
    with OpenAIStubServer(slots=2, slot_endpoints=True, delay=0.3) as server:
        settings = llm.ModelSettings(model="test-model", base_url=server.url)
        assert model_server.inspect_server(settings).slots == 2
        assert draft_cli(server, tmp_path) == 0
        assert server.interrupted == 0  # never more calls than slots: nothing was cut
    with OpenAIStubServer() as plain:
        assert llm.server_slots(llm.ModelSettings(model="m", base_url=plain.url)) is None


def test_wrong_model_name_is_refused_before_drafting(tmp_path, capsys):
    with OpenAIStubServer(models=("smollm2",)) as server:
        assert draft_cli(server, tmp_path) == 2
        assert server.calls == 0
    err = capsys.readouterr().err
    assert "does not offer model 'test-model'" in err and "smollm2" in err


def test_base_url_without_v1_says_the_path_is_wrong(tmp_path, capsys):
    with OpenAIStubServer() as server:
        root = server.url.removesuffix("/v1")
        assert draft_cli(server, tmp_path, "--concurrency", "2", base_url=root) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert "/v1" in err[-1] and "Model 'test-model' was not found" not in err[-1]
    assert len([line for line in err if line.startswith("prd: error")]) == 1


def test_gate_narrows_to_one_when_time_to_first_byte_grows():
    gate = CallGate(8)
    gate.first_byte(0.5)
    gate.first_byte(1.0)
    assert gate.limit == 8
    gate.first_byte(14.0)
    assert gate.limit == 1 and "first byte" in (gate.narrowed or "")
    assert CallGate(8, slots=3).limit == 3


def test_openai_starts_at_full_concurrency_and_other_servers_with_one_call():
    hosted = llm.create_chat_model(llm.ModelSettings(api_key="sk-test"), client_retries=0)
    local = llm.create_chat_model(
        llm.ModelSettings(base_url="http://127.0.0.1:9/v1"), client_retries=0
    )
    assert not llm.may_have_few_slots(hosted) and llm.may_have_few_slots(local)


def test_slow_start_widens_after_whole_replies_until_narrowed():
    gate = CallGate(4, slow_start=True)
    assert gate.limit == 1
    gate.succeeded()
    gate.succeeded()
    assert gate.limit == 3
    gate.narrow("replies came back cut off")
    gate.succeeded()
    assert gate.limit == 1
