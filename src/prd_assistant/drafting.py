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
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from prd_assistant import llm, tokens
from prd_assistant.document import Draft, SectionStatus, Usage
from prd_assistant.facts import extract_facts
from prd_assistant.outline import outline_section
from prd_assistant.postprocess import finalize_section_text
from prd_assistant.prompts import PromptError, PromptLibrary, default_library
from prd_assistant.template import SectionSpec, Template

DEFAULT_CONCURRENCY = 6
MAX_DEPENDENCY_TOKENS = 1_200
MAX_GATHERED_QUESTIONS = 40
EXPECTED_COMPLETION_TOKENS = 450
# About 2,000 words: a description, not a spec. Longer text belongs in the context or a template.
MAX_DESCRIPTION_TOKENS = 3_000
MIN_DESCRIPTION_WORDS = 3
_OPEN_QUESTION = re.compile(r"open question:\s*(.+)", re.IGNORECASE)


class DescriptionError(ValueError):
    """The service description cannot be drafted from; the message says what to change."""


def check_description(text: str, model_name: str = "") -> str:
    """Returns the description stripped, or raises DescriptionError if empty, too short or too long."""
    description = (text or "").strip()
    if not description:
        raise DescriptionError(
            "The description is empty. Describe the service in a few sentences: what it does, "
            "for whom, and any numbers you already know."
        )
    if len(description.split()) < MIN_DESCRIPTION_WORDS:
        raise DescriptionError(
            f"The description is too short ({len(description.split())} word(s)). Write at least a "
            "sentence: what the service does and for whom."
        )
    size = tokens.count_tokens(description, model_name or "gpt-4o-mini")
    if size > MAX_DESCRIPTION_TOKENS:
        raise DescriptionError(
            f"The description is {size:,} tokens; the limit is {MAX_DESCRIPTION_TOKENS:,} (about 2,000 "
            "words). Keep the core description short and move details into the context field or "
            "the template."
        )
    return description


@dataclass(frozen=True)
class SectionStarted:
    key: str


@dataclass(frozen=True)
class SectionDelta:
    key: str
    text: str


@dataclass(frozen=True)
class SectionDone:
    key: str
    text: str
    usage: Usage
    seconds: float


@dataclass(frozen=True)
class SectionFailed:
    key: str
    error: str
    seconds: float


DraftEvent = SectionStarted | SectionDelta | SectionDone | SectionFailed


def apply_event(draft: Draft, event: DraftEvent, source: str = "draft") -> None:
    """Updates ``draft`` in place. A failure keeps the section's previous text."""
    section = draft.section(event.key)
    if isinstance(event, SectionStarted):
        section.status, section.error = SectionStatus.WRITING, None
    elif isinstance(event, SectionDone):
        section.set_text(event.text, source)
        section.status, section.error = SectionStatus.DONE, None
        section.usage, section.seconds = event.usage, event.seconds
        section.edited = section.stale = False
    elif isinstance(event, SectionFailed):
        section.status, section.error, section.seconds = SectionStatus.FAILED, event.error, event.seconds
    draft.updated_at = time.time()


def render_context(draft: Draft) -> str:
    """The PM's extra context and clarifying answers, as given to every section."""
    lines = [draft.context.strip()] if draft.context.strip() else []
    for item in draft.clarifications:
        if item.assumed:
            lines.append(f"Assumption: {item.question} -> {item.answer}")
        else:
            lines.append(f"- {item.question} Answer: {item.answer}")
    return "\n".join(lines) or "(none)"


def gather_open_questions(draft: Draft, exclude: str) -> list[str]:
    """Every ``Open question:`` line of the other sections, deduplicated, in document order."""
    found: dict[str, str] = {}
    for section in draft.sections:
        if section.key == exclude:
            continue
        for match in _OPEN_QUESTION.finditer(section.text):
            question = match.group(1).strip()
            found.setdefault(question.casefold(), f"{question} ({section.title})")
    return list(found.values())[:MAX_GATHERED_QUESTIONS]


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

    def _dependency_graph(self) -> dict[str, tuple[str, ...]]:
        keys = [s.key for s in self.template.sections]
        graph: dict[str, tuple[str, ...]] = {}
        for spec in self.template.sections:
            prompt = self.prompts.for_section(spec)
            if prompt.gathers_open_questions:
                graph[spec.key] = tuple(k for k in keys if k != spec.key)
            else:
                graph[spec.key] = tuple(k for k in prompt.depends_on if k in keys and k != spec.key)
        _check_acyclic(graph)
        return graph

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
        """
        targets = list(keys) if keys is not None else [s.key for s in draft.sections if not s.locked]
        for key in targets:
            self.template.section(key)  # unknown keys fail here, before any call is made
        events: queue.Queue[DraftEvent] = queue.Queue()
        cancel = threading.Event()
        pending = dict.fromkeys(targets)
        finished: set[str] = set()
        running: set[str] = set()
        facts = extract_facts(draft.description)
        fatal: str | None = None
        executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="prd-draft")
        try:
            while pending or running:
                if fatal:
                    for key in list(pending):
                        del pending[key]
                        yield SectionFailed(key, fatal, 0.0)
                for key in [k for k in pending if self._ready(k, pending, running)]:
                    if len(running) >= self.concurrency:
                        break
                    del pending[key]
                    running.add(key)
                    inputs = self._inputs(draft, key, instruction)
                    gathered = gather_open_questions(draft, key)
                    executor.submit(self._run_one, key, inputs, facts, gathered, events, cancel)
                if not running:
                    continue
                event = events.get()
                if isinstance(event, SectionFailed) and event.error.startswith(_FATAL_MARK):
                    event = SectionFailed(event.key, event.error[len(_FATAL_MARK) :], event.seconds)
                    fatal = event.error
                if isinstance(event, SectionDone | SectionFailed):
                    running.discard(event.key)
                    finished.add(event.key)
                    if isinstance(event, SectionDone):
                        # Later sections read their dependencies from the draft.
                        draft.section(event.key).text = event.text
                yield event
        finally:
            cancel.set()
            executor.shutdown(wait=False, cancel_futures=True)

    def _ready(self, key: str, pending: dict[str, None], running: set[str]) -> bool:
        return not any(dep in pending or dep in running for dep in self.dependencies[key])

    def _inputs(self, draft: Draft, key: str, instruction: str) -> dict[str, str]:
        spec = self.template.section(key)
        prompt = self.prompts.for_section(spec)
        if prompt.gathers_open_questions:
            questions = gather_open_questions(draft, key)
            dependencies = "Open questions collected from the other sections:\n" + (
                "\n".join(f"- {q}" for q in questions) or "- (none)"
            )
            for dep in prompt.depends_on:
                if dep in self.dependencies[key]:
                    dependencies += "\n\n" + self._dependency_text(draft, dep)
        else:
            dependencies = "\n\n".join(self._dependency_text(draft, d) for d in self.dependencies[key])
        extra = ""
        current = draft.section(key).text.strip()
        if instruction.strip() or current:
            extra = "\nThis is a rewrite. The current text of the section:\n<<<\n" + (
                current or "(empty)"
            ) + "\n>>>\n"
            if instruction.strip():
                extra += f"Instruction from the product manager for this rewrite: {instruction.strip()}\n"
        return {
            "description": draft.description.strip(),
            "context": render_context(draft),
            "dependencies": dependencies or "(none: this section depends only on the description)",
            "instruction": extra,
        }

    def _dependency_text(self, draft: Draft, key: str) -> str:
        section = draft.section(key)
        body = section.text.strip() or "(not drafted yet)"
        return f"{section.heading}\n{_shorten(body, MAX_DEPENDENCY_TOKENS, self.model_name)}"

    def _run_one(
        self,
        key: str,
        inputs: dict[str, str],
        facts: Any,
        gathered: list[str],
        events: queue.Queue[DraftEvent],
        cancel: threading.Event,
    ) -> None:
        started = time.perf_counter()
        spec = self.template.section(key)
        if cancel.is_set():
            return
        events.put(SectionStarted(key))
        try:
            if self.model is None:
                raw = outline_section(spec, self.prompts.for_section(spec), facts, gathered)
                events.put(SectionDelta(key, raw))
                text = finalize_section_text(raw, spec)
                usage = Usage(exact=True, cost_usd=0.0)
            else:
                raw, usage = self._call_model(spec, inputs, events, cancel)
                text = finalize_section_text(raw, spec)
            events.put(SectionDone(key, text, usage, time.perf_counter() - started))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a section event
            message = llm.describe_error(exc)
            if llm.is_fatal(exc):
                message = _FATAL_MARK + message
            events.put(SectionFailed(key, message, time.perf_counter() - started))

    def _call_model(
        self,
        spec: SectionSpec,
        inputs: dict[str, str],
        events: queue.Queue[DraftEvent],
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
        return raw, self._usage(prompt.format(**inputs), raw, recorder.usage)

    def _usage(self, prompt_text: str, completion: str, reported: dict[str, int] | None) -> Usage:
        if reported:
            prompt_tokens = int(reported.get("input_tokens") or 0)
            completion_tokens = int(reported.get("output_tokens") or 0)
            exact = True
        else:
            prompt_tokens = tokens.count_tokens(prompt_text, self.model_name)
            completion_tokens = tokens.count_tokens(completion, self.model_name)
            exact = tokens.counting_is_exact(self.model_name)
        cost = tokens.estimate_cost(self.model_name, prompt_tokens, completion_tokens)
        return Usage(prompt_tokens, completion_tokens, exact, cost)

    def estimate(self, draft: Draft, keys: Iterable[str] | None = None) -> dict[str, Usage]:
        """Estimated usage per section without calling a model.

        Dependencies not drafted yet are assumed to be about ``EXPECTED_COMPLETION_TOKENS``
        long, as is each section's own reply.
        """
        targets = list(keys) if keys is not None else [s.key for s in draft.sections if not s.locked]
        placeholder = "word " * EXPECTED_COMPLETION_TOKENS
        result: dict[str, Usage] = {}
        for key in targets:
            spec = self.template.section(key)
            inputs = self._inputs(draft, key, "")
            missing = sum(1 for d in self.dependencies[key] if not draft.section(d).text.strip())
            prompt_text = self.prompts.chat_prompt(spec).format(**inputs) + placeholder * missing
            prompt_tokens = tokens.count_tokens(prompt_text, self.model_name)
            cost = tokens.estimate_cost(self.model_name, prompt_tokens, EXPECTED_COMPLETION_TOKENS)
            result[key] = Usage(prompt_tokens, EXPECTED_COMPLETION_TOKENS, False, cost)
        return result


def _shorten(text: str, max_tokens: int, model_name: str) -> str:
    """Keeps a dependency's text within ``max_tokens``, saying so when it had to cut."""
    size = tokens.count_tokens(text, model_name)
    if size <= max_tokens:
        return text
    keep = int(len(text) * max_tokens / size * 0.95)
    cut = text.rfind("\n", 0, keep)
    return text[: cut if cut > keep // 2 else keep].rstrip() + "\n[... shortened to fit the prompt]"


# Prefix a worker puts on a fatal error so the scheduler can stop starting new sections.
_FATAL_MARK = "\x00fatal\x00"


def _check_acyclic(graph: dict[str, tuple[str, ...]]) -> None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise PromptError("Section prompts depend on each other in a cycle: " + " -> ".join(path))
        state[node] = 1
        for dep in graph.get(node, ()):
            visit(dep, [*path, dep])
        state[node] = 2

    for node in graph:
        visit(node, [node])
