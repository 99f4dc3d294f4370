"""Sections + model -> streamed section events, drafted concurrently along dependencies.

Each section is its own chain, ``prompt | model | StrOutputParser()``. A section receives the
description, the context and the text of the sections its prompt declares as dependencies
(not the whole draft), so prompt size stays bounded. Sections whose dependencies are done are
drafted at the same time on a bounded thread pool; the caller consumes one ordered stream of
events from its own thread, which suits both the CLI and a Streamlit script.
"""

from __future__ import annotations

import heapq
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel

from prd_assistant import llm, tokens, usage_meter
from prd_assistant.document import Draft, Usage
from prd_assistant.events import (
    DraftEvent,
    SectionDelta,
    SectionDone,
    SectionFailed,
    SectionRetrying,
    SectionStarted,
    ServerWaiting,
)
from prd_assistant.facts import Facts, extract_facts
from prd_assistant.model_calls import backoff, finish_reason, message_text
from prd_assistant.outline import outline_section
from prd_assistant.pacing import CallGate
from prd_assistant.postprocess import MAX_SECTION_CHARS, finalize_section_text
from prd_assistant.prompts import PromptError, PromptLibrary, default_library
from prd_assistant.template import SectionSpec, Template

# Eight calls at once drafts the default template in three waves (its dependency depth);
# six would need four. Servers that queue requests (Ollama) are not hurt by it.
DEFAULT_CONCURRENCY = 8
MAX_DEPENDENCY_TOKENS = 1_200
MAX_GATHERED_QUESTIONS = 40
EXPECTED_COMPLETION_TOKENS = 450
# The output cap per section: a base plus room per subsection or guidance bullet, never more than the
# text post-processing keeps (MAX_SECTION_CHARS at ~4 characters per token). A reply that hits
# the cap is retried once with half as much again before it is marked truncated.
BASE_SECTION_TOKENS = 1_000
TOKENS_PER_ITEM = 150
MAX_SECTION_TOKENS = MAX_SECTION_CHARS // 4
# How often to report what the run is waiting on while the server is silent.
WAIT_REPORT_SECONDS = 10.0
_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s.*$|^\s*(?:=+|-+)\s*$", re.MULTILINE)
_OPEN_QUESTION = re.compile(r"open question:\s*(.+)", re.IGNORECASE)
_LABEL_EDGE = re.compile(r"^[*_`:\s]+")
_TRAILING_MARKUP = re.compile(r"(?<=\S)[*_`\s]+$|^[*_`\s]+$")


def render_context(draft: Draft) -> str:
    """The PM's extra context and clarifying answers, as given to every section."""
    lines = [draft.context.strip()] if draft.context.strip() else []
    for item in draft.clarifications:
        if item.assumed:
            lines.append(f"Assumption: {item.question} -> {item.answer}")
        else:
            lines.append(f"- {item.question} Answer: {item.answer}")
    return "\n".join(lines) or "(none)"


def gather_open_questions(draft: Draft, exclude: str) -> list[tuple[str, str]]:
    """(question, section title) for every ``Open question:`` line of the other sections."""
    found: dict[str, tuple[str, str]] = {}
    for section in draft.sections:
        if section.key == exclude:
            continue
        for match in _OPEN_QUESTION.finditer(section.text):
            question = clean_open_question(match.group(1))
            if not question:
                continue
            found.setdefault(question.casefold(), (question, section.title))
    return list(found.values())[:MAX_GATHERED_QUESTIONS]


def clean_open_question(text: str) -> str:
    """The question alone, without the emphasis around its label.

    ``**Open question:** How...`` leaves ``** How...`` after the label, and a backtick-quoted
    label leaves a lone backtick; a collected list must not carry those.
    """
    question = _LABEL_EDGE.sub("", text.strip())
    question = _TRAILING_MARKUP.sub("", question)
    for marker in ("**", "__", "`"):
        if question.count(marker) % 2:
            question = question.replace(marker, "")
    return question.strip()


def merge_open_questions(text: str, questions: list[tuple[str, str]]) -> str:
    """Appends the questions ``text`` does not already contain, each with its section."""
    known = text.casefold()
    missing = [(q, title) for q, title in questions if q.casefold() not in known]
    if not missing:
        return text
    lines = [f"{i}. {q} _({title})_" for i, (q, title) in enumerate(missing, 1)]
    return f"{text.rstrip()}\n\n**Collected from the other sections**\n\n" + "\n".join(lines)


def _hand_on(calls: dict[str, usage_meter.OpenCall], key: str) -> None:
    """The section's kept reply goes out in its event; whoever takes it books it."""
    call = calls.get(key)
    if call is not None:
        call.handed_on()


class _UsageRecorder(BaseCallbackHandler):
    """Captures the token usage the server reports, on streamed and non-streamed calls alike."""

    def __init__(self) -> None:
        self.usage: dict[str, int] | None = None

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                usage = usage_meter.reported_usage(getattr(generation, "message", None))
                if usage is not None:
                    self.usage = usage
                    return


class Drafter:
    """Drafts a template's sections with a chat model, or as an outline when ``model`` is None.

    Args:
        template: The template whose sections are drafted.
        model: The chat model, or None for an outline.
        model_name: For token counting and prices.
        concurrency: The most sections drafted at once; the gate may narrow it (see
            :mod:`prd_assistant.pacing`).
        prompts: Prompt library (default: the packaged prompts).
        streaming: Stream tokens (the default) or wait for whole replies.
        retries: Further tries per section after a transient failure (429, 5xx, a cut or
            incomplete reply, a timeout). Give the model no client retries of its own
            (``llm.create_chat_model(..., client_retries=0)``) so each failure is seen here.
        slots: How many calls the server says it can run at once (``llm.server_slots``).
        silence_limit: Seconds of silence from the server after which the run stops (default:
            twice the model's idle timeout, when the model has one).
        on_spent: Books the tokens of the calls whose reply no section keeps: a try retried
            or cut short, one stopped at its length limit, one cancelled mid-reply, and a
            finished reply whose :class:`SectionDone` the run never yielded. Called with the
            section key on the worker threads, or, for the calls still open when the run ends
            or is closed, on the thread that closes it, before :meth:`stream` returns. A kept
            reply's usage is in its :class:`SectionDone` instead, so each call is counted once.
    """

    def __init__(
        self,
        template: Template,
        model: BaseChatModel | None,
        *,
        model_name: str = "",
        concurrency: int = DEFAULT_CONCURRENCY,
        prompts: PromptLibrary | None = None,
        streaming: bool = True,
        retries: int = 3,
        slots: int | None = None,
        silence_limit: float | None = None,
        on_spent: usage_meter.Book | None = None,
    ) -> None:
        self.template = template
        self.on_spent = on_spent
        self.model = model
        self.model_name = model_name or ("outline" if model is None else "unknown-model")
        self.concurrency = max(1, min(int(concurrency), 32))
        self.prompts = prompts or default_library()
        self.streaming = streaming
        self.retries = max(0, int(retries))
        self.slots = slots
        idle, self.total_timeout = llm.call_limits(model)
        self.silence_limit = silence_limit or (2 * idle if idle else None)
        self.dependencies = self._dependency_graph()
        self._direct_dependents: dict[str, list[str]] = {k: [] for k in self.dependencies}
        for key, deps in self.dependencies.items():
            for dep in deps:
                self._direct_dependents[dep].append(key)
        self._priority = self._priorities()
        # Sections that collect every other section's open questions once the run is over.
        self.gatherers = {
            s.key for s in template.sections if self.prompts.for_section(s).gathers_open_questions
        }

    def _dependency_graph(self) -> dict[str, tuple[str, ...]]:
        keys = {s.key for s in self.template.sections}
        graph: dict[str, tuple[str, ...]] = {}
        for spec in self.template.sections:
            prompt = self.prompts.for_section(spec)
            graph[spec.key] = tuple(k for k in prompt.depends_on if k in keys and k != spec.key)
        _check_acyclic(graph)
        return graph

    def _priorities(self) -> dict[str, tuple[int, int, int]]:
        """Sort key that starts the sections on the longest remaining chain first.

        With a bounded pool, starting a section that others wait for before a leaf section
        shortens the whole draft (critical-path scheduling).
        """
        height: dict[str, int] = {}
        order = {s.key: i for i, s in enumerate(self.template.sections)}
        # Dependents come later in a topological order, so one reverse pass fills heights.
        for key in reversed(_topological(self.dependencies, order)):
            height[key] = 1 + max((height[d] for d in self._direct_dependents[key]), default=0)
        return {k: (-height[k], -len(self.dependents(k)), order[k]) for k in self.dependencies}

    def dependents(self, key: str) -> set[str]:
        """Sections whose prompts depend on ``key``, directly or through others."""
        found: set[str] = set()
        frontier = [key]
        while frontier:
            for other in self._direct_dependents[frontier.pop()]:
                if other not in found and other != key:
                    found.add(other)
                    frontier.append(other)
        return found

    def mark_dependents_stale(self, draft: Draft, key: str) -> list[str]:
        """Marks the drafted sections that depend on ``key`` as stale; returns their keys."""
        marked = []
        for other in self.dependents(key):
            section = draft.section(other)
            if section.text.strip() and not section.stale:
                section.stale = True
                marked.append(other)
        return marked

    def stream(
        self, draft: Draft, keys: Iterable[str] | None = None, instruction: str = ""
    ) -> Iterator[DraftEvent]:
        """Drafts ``keys`` (default: every unlocked section) and yields events as they happen.

        Sections not in ``keys`` keep their text and serve as context. A section whose call
        fails transiently (429, 5xx, timeout, a reply cut off or ended without a finish
        reason) is retried with back-off, announced by :class:`SectionRetrying`; one that
        still fails is reported as :class:`SectionFailed` while the others go on. A reply
        that stops at its length limit is retried once with more room, then kept as
        truncated (``SectionDone.truncated``). A failure that is fatal for every call (wrong
        key, unreachable or silent server) is reported once, by the section that hit it. Then
        nothing new starts, and every section without text on its way (queued, backing off,
        or waiting for a first byte) fails at once with ``skipped=True``; sections already
        receiving text finish and are kept. While the server is silent,
        :class:`ServerWaiting` says so every few seconds. Closing the generator early cancels
        the sections not yet started.

        Scheduling costs O(1) per streamed token: the ready set is only recomputed when a
        section ends, from per-section counts of unfinished dependencies.

        A section whose prompt ``gathers_open_questions`` is drafted like any other, but its
        :class:`SectionDone` comes last, with the other sections' open questions merged in,
        so collecting them costs no extra wave of calls.
        """
        targets = list(
            dict.fromkeys(
                keys if keys is not None else [s.key for s in draft.sections if not s.locked]
            )
        )
        for key in targets:
            self.template.section(key)  # unknown keys fail here, before any call is made
        events: queue.Queue[DraftEvent | _WorkerFailure] = queue.Queue()
        # One stop flag per section, so a server-wide failure can stop the sections that have
        # no reply coming while those already receiving text finish.
        stops: dict[str, threading.Event] = {}
        target_set = set(targets)
        waiting_on = {k: sum(1 for d in self.dependencies[k] if d in target_set) for k in targets}
        ready = [(self._priority[k], k) for k in targets if not waiting_on[k]]
        heapq.heapify(ready)
        unfinished = len(targets)
        running = 0
        gate = CallGate(
            self.concurrency,
            self.slots,
            slow_start=self.slots is None and llm.may_have_few_slots(self.model),
        )
        facts = extract_facts(draft.description)
        fatal: str | None = None
        held: list[SectionDone] = []
        in_progress: set[str] = set()
        receiving: set[str] = set()  # sections whose current call has sent text
        stopped: set[str] = set()  # reported skipped: what their workers still send is dropped
        # Each section's current call, so a run that ends or is closed books every call that
        # no event handed on (see usage_meter.OpenCall).
        calls: dict[str, usage_meter.OpenCall] = {}
        executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="prd-draft")
        if self.model is not None:
            # The tokenizer is first needed for the second wave; load it while the first waits.
            threading.Thread(
                target=tokens.count_tokens, args=("warm up", self.model_name), daemon=True
            ).start()
        try:
            while unfinished:
                if fatal:
                    # After a server-wide failure nothing new starts, and no section waits
                    # for a reply that is not coming: those queued at the gate, backing off
                    # or waiting for a first byte are stopped and reported as skipped now (on
                    # a silent server each would otherwise wait out its own timeout). Sections
                    # already receiving text finish: their reply is nearly free, and is kept.
                    for key in sorted(in_progress - receiving):
                        stops[key].set()
                        stopped.add(key)
                        in_progress.discard(key)
                        running -= 1
                        unfinished -= 1
                        self._release_dependents(key, waiting_on, ready)
                        yield SectionFailed(key, fatal, 0.0, skipped=True)
                    while ready:
                        _, key = heapq.heappop(ready)
                        unfinished -= 1
                        self._release_dependents(key, waiting_on, ready)
                        yield SectionFailed(key, fatal, 0.0, skipped=True)
                    if not running:
                        continue
                while ready and running < self.concurrency and not fatal:
                    _, key = heapq.heappop(ready)
                    running += 1
                    in_progress.add(key)
                    stops[key] = threading.Event()
                    # Outline mode writes from the description's facts and needs no prompt.
                    inputs = self._inputs(draft, key, instruction) if self.model is not None else {}
                    executor.submit(
                        self._run_one, key, inputs, facts, events, stops[key], gate, calls
                    )
                if not running:
                    continue
                try:
                    event = events.get(timeout=WAIT_REPORT_SECONDS)
                except queue.Empty:
                    silent = gate.silent_for()
                    if silent >= WAIT_REPORT_SECONDS and self.model is not None:
                        yield ServerWaiting(silent, gate.in_flight, self.silence_limit)
                    continue
                if event.key in stopped:
                    continue
                if isinstance(event, SectionDelta):
                    receiving.add(event.key)
                elif isinstance(event, SectionStarted | SectionRetrying):
                    receiving.discard(event.key)  # a new call: nothing received yet
                    if fatal:
                        continue  # about to call a server that failed: stopped above
                if isinstance(event, _WorkerFailure):
                    if event.kind == "fatal" and fatal is None:
                        fatal = event.error
                    elif event.kind == "fatal":
                        event = _WorkerFailure(event.key, fatal, event.seconds, "skipped")
                    event = SectionFailed(
                        event.key, event.error, event.seconds, skipped=event.kind == "skipped"
                    )
                if isinstance(event, SectionDone | SectionFailed):
                    running -= 1
                    in_progress.discard(event.key)
                    receiving.discard(event.key)
                    unfinished -= 1
                    self._release_dependents(event.key, waiting_on, ready)
                if isinstance(event, SectionDone):
                    # Later sections read their dependencies from the draft.
                    draft.section(event.key).text = event.text
                    if event.key in self.gatherers:
                        held.append(event)
                        continue
                    _hand_on(calls, event.key)
                yield event
            for event in held:
                merged = merge_open_questions(event.text, gather_open_questions(draft, event.key))
                draft.section(event.key).text = merged
                _hand_on(calls, event.key)
                yield SectionDone(event.key, merged, event.usage, event.seconds, event.truncated)
        finally:
            for stop in stops.values():
                stop.set()
            executor.shutdown(wait=False, cancel_futures=True)
            # Calls cut off mid-reply, and replies finished but never handed on, are booked
            # now, not when their workers next wake: the process may exit first (the CLI on
            # SIGTERM). list(): workers may add a section's first call meanwhile.
            for call in list(calls.values()):
                call.settle()

    def _release_dependents(
        self, key: str, waiting_on: dict[str, int], ready: list[tuple[Any, str]]
    ) -> None:
        for other in self._direct_dependents[key]:
            if other in waiting_on:
                waiting_on[other] -= 1
                if waiting_on[other] == 0:
                    heapq.heappush(ready, (self._priority[other], other))

    def _inputs(self, draft: Draft, key: str, instruction: str) -> dict[str, str]:
        dependencies = "\n\n".join(self._dependency_text(draft, d) for d in self.dependencies[key])
        extra = ""
        current = draft.section(key).text.strip()
        if instruction.strip() or current:
            extra = (
                "\nThis is a rewrite. The current text of the section:\n<<<\n"
                + (current or "(empty)")
                + "\n>>>\n"
            )
            if instruction.strip():
                extra += f"Instruction from the product manager for this rewrite: {instruction.strip()}\n"
        return {
            "description": draft.description.strip(),
            "context": render_context(draft),
            "dependencies": dependencies or "(none: this section depends only on the description)",
            "instruction": extra,
            "acceptance_style": self.prompts.acceptance_instructions(
                self.template.section(key), draft.acceptance_style
            ),
        }

    def _dependency_text(self, draft: Draft, key: str) -> str:
        section = draft.section(key)
        body = section.text.strip() or "(not drafted yet)"
        return f"{section.heading}\n{_shorten(body, MAX_DEPENDENCY_TOKENS, self.model_name)}"

    def max_tokens(self, spec: SectionSpec) -> int:
        """The output cap sent with a section's call, from the section's size."""
        items = len(spec.subsections) + sum(
            1 for line in spec.guidance.splitlines() if line.lstrip().startswith(("- ", "* "))
        )
        wanted = BASE_SECTION_TOKENS + TOKENS_PER_ITEM * items
        return min(wanted, MAX_SECTION_TOKENS)

    def _run_one(
        self,
        key: str,
        inputs: dict[str, str],
        facts: Facts,
        events: queue.Queue[DraftEvent | _WorkerFailure],
        cancel: threading.Event,
        gate: CallGate,
        calls: dict[str, usage_meter.OpenCall],
    ) -> None:
        started = time.perf_counter()
        spec = self.template.section(key)
        if cancel.is_set():
            return
        events.put(SectionStarted(key))
        if self.model is None:
            raw = outline_section(spec, self.prompts.for_section(spec), facts)
            events.put(SectionDelta(key, raw))
            text = finalize_section_text(raw, spec)
            usage = Usage(exact=True, cost_usd=0.0)
            events.put(SectionDone(key, text, usage, time.perf_counter() - started))
            return
        cap = self.max_tokens(spec)
        attempt = 0
        while True:
            attempt += 1
            if not gate.acquire(cancel):
                return
            try:
                raw, usage = self._call_model(spec, inputs, events, cancel, cap, gate, calls)
                gate.succeeded()
                done = SectionDone(
                    key, finalize_section_text(raw, spec), usage, time.perf_counter() - started
                )
                events.put(done)
                return
            except InterruptedError:
                return  # the run was closed
            except llm.ReplyIncomplete as exc:
                if exc.reason == "length":
                    gate.succeeded()  # the server finished the reply properly: not a slot problem
                if exc.reason == "length" and cap < MAX_SECTION_TOKENS and attempt <= self.retries:
                    cap = min(MAX_SECTION_TOKENS, cap * 3 // 2)
                    retry = SectionRetrying(key, attempt + 1, "the reply hit its length limit", 0)
                elif exc.reason == "length":
                    text = finalize_section_text(exc.text, spec)
                    usage = Usage()
                    seconds = time.perf_counter() - started
                    events.put(SectionDone(key, text, usage, seconds, truncated=True))
                    return
                else:
                    gate.narrow("replies came back cut off")
                    retry = self._retry(key, attempt, exc, "the reply was cut off")
            except Exception as exc:
                retry = self._failure_or_retry(key, attempt, exc, gate)
                if isinstance(retry, _WorkerFailure) and retry.kind == "fatal":
                    # Before this call's place is released: no queued call may take it.
                    gate.close()
            finally:
                gate.release()
            if isinstance(retry, _WorkerFailure):
                events.put(
                    _WorkerFailure(key, retry.error, time.perf_counter() - started, retry.kind)
                )
                return
            events.put(retry)
            if cancel.wait(retry.wait):
                return
            events.put(SectionStarted(key))

    def _failure_or_retry(
        self, key: str, attempt: int, exc: Exception, gate: CallGate
    ) -> SectionRetrying | _WorkerFailure:
        if llm.is_empty_stream(exc):
            # A single-slot server ends a reply it drops before its first token this way; so
            # does a server that sends a web page, which fails every try and stops the run.
            gate.narrow("replies came back cut off")
            retry = self._retry(key, attempt, exc, "the reply was cut off")
            if isinstance(retry, _WorkerFailure):
                return _WorkerFailure(key, retry.error, 0.0, "fatal")
            return retry
        if llm.is_fatal(exc):
            return _WorkerFailure(key, llm.describe_error(exc), 0.0, "fatal")
        if llm.is_timeout(exc):
            gate.narrow("the server was slow to answer")
            if self.silence_limit and gate.silent_for() >= self.silence_limit:
                silent = int(gate.silent_for())
                return _WorkerFailure(
                    key,
                    f"The model server sent nothing for {silent} s, so drafting stopped. Check "
                    "that the server is running and not overloaded, then resume.",
                    0.0,
                    "fatal",
                )
            return self._retry(key, attempt, exc, "the server did not answer in time")
        if llm.was_cut(exc):
            gate.narrow("replies came back cut off")
            return self._retry(key, attempt, exc, "the connection dropped mid-reply")
        if llm.is_transient(exc):
            return self._retry(key, attempt, exc, _short_reason(exc))
        return _WorkerFailure(key, llm.describe_error(exc), 0.0, "")

    def _retry(
        self, key: str, attempt: int, exc: Exception, reason: str
    ) -> SectionRetrying | _WorkerFailure:
        if attempt > self.retries:
            return _WorkerFailure(key, llm.describe_error(exc), 0.0, "")
        return SectionRetrying(key, attempt + 1, reason, backoff(attempt, exc))

    def _call_model(
        self,
        spec: SectionSpec,
        inputs: dict[str, str],
        events: queue.Queue[DraftEvent | _WorkerFailure],
        cancel: threading.Event,
        cap: int,
        gate: CallGate,
        calls: dict[str, usage_meter.OpenCall],
    ) -> tuple[str, Usage]:
        """One call; raises ``llm.ReplyIncomplete`` unless the reply ended properly.

        The call is registered in ``calls`` as its section's, so a closed run can book it.
        """
        prompt = self.prompts.chat_prompt(spec)
        model = self.model.bind(**llm.output_cap(self.model, cap)) if self.model else None
        chain = prompt | model
        recorder = _UsageRecorder()
        config = {"callbacks": [recorder], "run_name": f"draft:{spec.key}"}
        required = llm.reports_finish_reason(self.model)
        finish: str | None = None
        started = time.monotonic()
        parts: list[str] = []
        call = usage_meter.OpenCall(
            self.on_spent,
            spec.key,
            lambda: self._usage(prompt, inputs, "".join(parts), recorder.usage),
        )
        calls[spec.key] = call
        try:
            if self.streaming:
                first = True
                for chunk in chain.stream(inputs, config=config):
                    call.answered()
                    if cancel.is_set():
                        raise InterruptedError("Drafting was cancelled.")
                    gate.heard()
                    if first:
                        gate.first_byte(time.monotonic() - started)
                        first = False
                    finish = finish_reason(chunk) or finish
                    text = message_text(chunk)
                    if text:
                        parts.append(text)
                        events.put(SectionDelta(spec.key, text))
                    if self.total_timeout and time.monotonic() - started > self.total_timeout:
                        raise llm.ReplyIncomplete("cut", "".join(parts))
                raw = "".join(parts)
            else:
                message = chain.invoke(inputs, config=config)
                call.answered()
                gate.heard()
                finish = finish_reason(message)
                raw = message_text(message)
                parts.append(raw)
                events.put(SectionDelta(spec.key, raw))
            if finish == "length":
                raise llm.ReplyIncomplete("length", raw)
            if finish is None and required:
                raise llm.ReplyIncomplete("cut", raw)
            if not _HEADING_LINE.sub("", raw).strip():
                raise llm.ReplyIncomplete("empty", raw)
        except BaseException:
            # No section keeps this reply, but the server wrote (some of) it: booked here.
            call.settle()
            raise
        usage = self._usage(prompt, inputs, raw, recorder.usage)
        if not call.kept(usage):
            raise InterruptedError("Drafting was cancelled.")  # and the stop booked the call
        return raw, usage

    def _usage(
        self,
        prompt: Any,
        inputs: dict[str, str],
        completion: str,
        reported: dict[str, int] | None,
    ) -> Usage:
        """The server's figures when it sent them, else counted (rendering the prompt only then)."""
        return usage_meter.call_usage(
            self.model_name, reported, lambda: prompt.format(**inputs), completion
        )

    def estimate(self, draft: Draft, keys: Iterable[str] | None = None) -> dict[str, Usage]:
        """Estimated usage per section without calling a model.

        Dependencies not drafted yet are assumed to be about ``EXPECTED_COMPLETION_TOKENS``
        long, as is each section's own reply.
        """
        targets = (
            list(keys) if keys is not None else [s.key for s in draft.sections if not s.locked]
        )
        result: dict[str, Usage] = {}
        for key in targets:
            spec = self.template.section(key)
            inputs = self._inputs(draft, key, "")
            missing = sum(1 for d in self.dependencies[key] if not draft.section(d).text.strip())
            prompt_tokens = (
                tokens.count_tokens(
                    self.prompts.chat_prompt(spec).format(**inputs), self.model_name
                )
                + missing * EXPECTED_COMPLETION_TOKENS
            )
            cost = tokens.estimate_cost(self.model_name, prompt_tokens, EXPECTED_COMPLETION_TOKENS)
            result[key] = Usage(prompt_tokens, EXPECTED_COMPLETION_TOKENS, False, cost)
        return result


def _short_reason(exc: BaseException) -> str:
    status = getattr(exc, "status_code", None)
    if status == 429:
        return "the server is rate limiting (429)"
    if isinstance(status, int):
        return f"the server failed (HTTP {status})"
    return "the call failed"


def _topological(graph: dict[str, tuple[str, ...]], order: dict[str, int]) -> list[str]:
    """Keys with every dependency before its dependents (graph is acyclic)."""
    result: list[str] = []
    state: dict[str, bool] = {}
    for start in sorted(graph, key=order.__getitem__):
        stack = [(start, iter(graph[start]))]
        if start in state:
            continue
        state[start] = False
        while stack:
            node, deps = stack[-1]
            dep = next(deps, None)
            if dep is None:
                stack.pop()
                state[node] = True
                result.append(node)
            elif dep not in state:
                state[dep] = False
                stack.append((dep, iter(graph[dep])))
    return result


def _shorten(text: str, max_tokens: int, model_name: str) -> str:
    """Keeps a dependency's text within ``max_tokens``, saying so when it had to cut."""
    size = tokens.upper_bound(text, model_name, max_tokens)
    if size <= max_tokens:
        return text
    keep = int(len(text) * max_tokens / size * 0.95)
    cut = text.rfind("\n", 0, keep)
    return text[: cut if cut > keep // 2 else keep].rstrip() + "\n[... shortened to fit the prompt]"


@dataclass(frozen=True)
class _WorkerFailure:
    """A failure as a worker reports it to the scheduler, before it becomes a SectionFailed.

    ``kind`` is "fatal" (stop starting sections), "skipped" (never tried) or "".
    """

    key: str
    error: str
    seconds: float
    kind: str


def _check_acyclic(graph: dict[str, tuple[str, ...]]) -> None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise PromptError(
                "Section prompts depend on each other in a cycle: " + " -> ".join(path)
            )
        state[node] = 1
        for dep in graph.get(node, ()):
            visit(dep, [*path, dep])
        state[node] = 2

    for node in graph:
        visit(node, [node])
