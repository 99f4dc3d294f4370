"""Sections + model -> streamed section events, drafted concurrently along dependencies.

Each section is its own chain, ``prompt | model | StrOutputParser()``. A section receives the
description, the context and the text of the sections its prompt declares as dependencies
(not the whole draft), so prompt size stays bounded. Sections whose dependencies are done are
drafted at the same time on a bounded thread pool; the caller consumes one ordered stream of
events from its own thread, which suits both the CLI and a Streamlit script.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from prd_assistant import llm, tokens
from prd_assistant.document import Draft, Usage
from prd_assistant.events import (
    DraftEvent,
    SectionDelta,
    SectionDone,
    SectionFailed,
    SectionStarted,
)
from prd_assistant.facts import Facts, extract_facts
from prd_assistant.outline import outline_section
from prd_assistant.postprocess import finalize_section_text
from prd_assistant.prompts import PromptError, PromptLibrary, default_library
from prd_assistant.template import SectionSpec, Template

# Eight calls at once drafts the default template in three waves (its dependency depth);
# six would need four. Servers that queue requests (Ollama) are not hurt by it.
DEFAULT_CONCURRENCY = 8
MAX_DEPENDENCY_TOKENS = 1_200
MAX_GATHERED_QUESTIONS = 40
EXPECTED_COMPLETION_TOKENS = 450
_OPEN_QUESTION = re.compile(r"open question:\s*(.+)", re.IGNORECASE)


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
            question = match.group(1).strip()
            found.setdefault(question.casefold(), (question, section.title))
    return list(found.values())[:MAX_GATHERED_QUESTIONS]


def merge_open_questions(text: str, questions: list[tuple[str, str]]) -> str:
    """Appends the questions ``text`` does not already contain, each with its section."""
    known = text.casefold()
    missing = [(q, title) for q, title in questions if q.casefold() not in known]
    if not missing:
        return text
    lines = [f"{i}. {q} _({title})_" for i, (q, title) in enumerate(missing, 1)]
    return f"{text.rstrip()}\n\n**Collected from the other sections**\n\n" + "\n".join(lines)


class _UsageRecorder(BaseCallbackHandler):
    """Captures the token usage the server reports, on streamed and non-streamed calls alike."""

    def __init__(self) -> None:
        self.usage: dict[str, int] | None = None

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                meta = getattr(getattr(generation, "message", None), "usage_metadata", None)
                if meta and meta.get("input_tokens") is not None:
                    self.usage = dict(meta)
                    return


class Drafter:
    """Drafts a template's sections with a chat model, or as an outline when ``model`` is None."""

    def __init__(
        self,
        template: Template,
        model: BaseChatModel | None,
        *,
        model_name: str = "",
        concurrency: int = DEFAULT_CONCURRENCY,
        prompts: PromptLibrary | None = None,
        streaming: bool = True,
    ) -> None:
        self.template = template
        self.model = model
        self.model_name = model_name or ("outline" if model is None else "unknown-model")
        self.concurrency = max(1, min(int(concurrency), 32))
        self.prompts = prompts or default_library()
        self.streaming = streaming
        self.dependencies = self._dependency_graph()
        self._priority = self._priorities()
        # Sections that collect every other section's open questions once the run is over.
        self.gatherers = {
            s.key for s in template.sections if self.prompts.for_section(s).gathers_open_questions
        }

    def _dependency_graph(self) -> dict[str, tuple[str, ...]]:
        keys = [s.key for s in self.template.sections]
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

        def chain(key: str) -> int:
            if key not in height:
                height[key] = 1 + max(
                    (chain(other) for other, deps in self.dependencies.items() if key in deps),
                    default=0,
                )
            return height[key]

        order = {s.key: i for i, s in enumerate(self.template.sections)}
        return {k: (-chain(k), -len(self.dependents(k)), order[k]) for k in self.dependencies}

    def dependents(self, key: str) -> set[str]:
        """Sections whose prompts depend on ``key``, directly or through others."""
        found: set[str] = set()
        frontier = [key]
        while frontier:
            current = frontier.pop()
            for other, deps in self.dependencies.items():
                if current in deps and other not in found and other != key:
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

        Sections not in ``keys`` keep their text and serve as context. A section that fails
        is reported as :class:`SectionFailed` while the others go on, unless the failure is
        fatal for every call (wrong key, unreachable server), in which case the sections not
        yet started fail with the same message instead of each waiting for its own error.
        Closing the generator early cancels the sections not yet started.

        A section that fails transiently (429, 5xx, timeout) after the client's own retries
        is queued for one more try before it is reported as failed.

        A section whose prompt ``gathers_open_questions`` is drafted like any other, but its
        :class:`SectionDone` comes last, with the other sections' open questions merged in,
        so collecting them costs no extra wave of calls.
        """
        targets = (
            list(keys) if keys is not None else [s.key for s in draft.sections if not s.locked]
        )
        for key in targets:
            self.template.section(key)  # unknown keys fail here, before any call is made
        events: queue.Queue[DraftEvent | _WorkerFailure] = queue.Queue()
        cancel = threading.Event()
        pending = dict.fromkeys(targets)
        running: set[str] = set()
        facts = extract_facts(draft.description)
        fatal: str | None = None
        held: list[SectionDone] = []
        second_chance: set[str] = set()
        executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="prd-draft")
        if self.model is not None:
            # The tokenizer is first needed for the second wave; load it while the first waits.
            threading.Thread(
                target=tokens.count_tokens, args=("warm up", self.model_name), daemon=True
            ).start()
        try:
            while pending or running:
                if fatal:
                    for key in list(pending):
                        del pending[key]
                        yield SectionFailed(key, fatal, 0.0)
                ready = [k for k in pending if self._ready(k, pending, running)]
                for key in sorted(ready, key=self._priority.__getitem__):
                    if len(running) >= self.concurrency:
                        break
                    del pending[key]
                    running.add(key)
                    # Outline mode writes from the description's facts and needs no prompt.
                    inputs = self._inputs(draft, key, instruction) if self.model is not None else {}
                    executor.submit(self._run_one, key, inputs, facts, events, cancel)
                if not running:
                    continue
                event = events.get()
                if isinstance(event, _WorkerFailure):
                    running.discard(event.key)
                    if event.kind == "fatal":
                        fatal = event.error
                    elif event.kind == "transient" and event.key not in second_chance and not fatal:
                        second_chance.add(event.key)
                        pending[event.key] = None  # one more try, with fresh client retries
                        continue
                    event = SectionFailed(event.key, event.error, event.seconds)
                if isinstance(event, SectionDone):
                    running.discard(event.key)
                    # Later sections read their dependencies from the draft.
                    draft.section(event.key).text = event.text
                    if event.key in self.gatherers:
                        held.append(event)
                        continue
                yield event
            for event in held:
                merged = merge_open_questions(event.text, gather_open_questions(draft, event.key))
                draft.section(event.key).text = merged
                yield SectionDone(event.key, merged, event.usage, event.seconds)
        finally:
            cancel.set()
            executor.shutdown(wait=False, cancel_futures=True)

    def _ready(self, key: str, pending: dict[str, None], running: set[str]) -> bool:
        return not any(dep in pending or dep in running for dep in self.dependencies[key])

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

    def _run_one(
        self,
        key: str,
        inputs: dict[str, str],
        facts: Facts,
        events: queue.Queue[DraftEvent | _WorkerFailure],
        cancel: threading.Event,
    ) -> None:
        started = time.perf_counter()
        spec = self.template.section(key)
        if cancel.is_set():
            return
        events.put(SectionStarted(key))
        try:
            if self.model is None:
                raw = outline_section(spec, self.prompts.for_section(spec), facts)
                events.put(SectionDelta(key, raw))
                text = finalize_section_text(raw, spec)
                usage = Usage(exact=True, cost_usd=0.0)
            else:
                raw, usage = self._call_model(spec, inputs, events, cancel)
                text = finalize_section_text(raw, spec)
            events.put(SectionDone(key, text, usage, time.perf_counter() - started))
        except Exception as exc:
            kind = "fatal" if llm.is_fatal(exc) else "transient" if llm.is_transient(exc) else ""
            seconds = time.perf_counter() - started
            events.put(_WorkerFailure(key, llm.describe_error(exc), seconds, kind))

    def _call_model(
        self,
        spec: SectionSpec,
        inputs: dict[str, str],
        events: queue.Queue[DraftEvent | _WorkerFailure],
        cancel: threading.Event,
    ) -> tuple[str, Usage]:
        prompt = self.prompts.chat_prompt(spec)
        chain = prompt | self.model | StrOutputParser()
        recorder = _UsageRecorder()
        config = {"callbacks": [recorder], "run_name": f"draft:{spec.key}"}
        if self.streaming:
            parts: list[str] = []
            for chunk in chain.stream(inputs, config=config):
                if cancel.is_set():
                    raise InterruptedError("Drafting was cancelled.")
                if chunk:
                    parts.append(chunk)
                    events.put(SectionDelta(spec.key, chunk))
            raw = "".join(parts)
        else:
            raw = chain.invoke(inputs, config=config)
            events.put(SectionDelta(spec.key, raw))
        return raw, self._usage(lambda: prompt.format(**inputs), raw, recorder.usage)

    def _usage(
        self, prompt_text: Callable[[], str], completion: str, reported: dict[str, int] | None
    ) -> Usage:
        """The server's figures when it sent them, else counted (rendering the prompt only then)."""
        if reported:
            prompt_tokens = int(reported.get("input_tokens") or 0)
            completion_tokens = int(reported.get("output_tokens") or 0)
            exact = True
        else:
            prompt_tokens = tokens.count_tokens(prompt_text(), self.model_name)
            completion_tokens = tokens.count_tokens(completion, self.model_name)
            exact = tokens.counting_is_exact(self.model_name)
        cost = tokens.estimate_cost(self.model_name, prompt_tokens, completion_tokens)
        return Usage(prompt_tokens, completion_tokens, exact, cost)

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

    ``kind`` is "fatal" (stop starting sections), "transient" (worth one more try) or "".
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
