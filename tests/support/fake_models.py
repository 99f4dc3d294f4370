"""Chat models for tests: langchain-core ``BaseChatModel``s that answer per PRD section.

They sit exactly where the real ``ChatOpenAI`` sits (the model boundary), so prompts, chains,
streaming, post-processing and scheduling all run for real.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

_SECTION = re.compile(r"Now write the section (##[^\n]+)")


def asked_heading(messages: list[BaseMessage]) -> str:
    """The ``## ...`` heading a section prompt asks for ("" for other prompts)."""
    match = _SECTION.search(str(messages[-1].content))
    return match.group(1).strip() if match else ""


class SectionModel(BaseChatModel):
    """Answers each section prompt with ``reply(heading, prompt_text)``; records every prompt.

    ``fail_for`` maps a heading to the exception to raise for it (once per entry in ``fail_times``).
    """

    reply: Callable[[str, str], str] = lambda heading, prompt: (
        f"Body of {heading}. Assumption: 100 users."
    )
    delay: float = 0.0
    fail_for: dict[str, Exception] = {}  # noqa: RUF012 - pydantic copies field defaults
    fail_times: int = 1_000_000
    usage: bool = True
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _prompts: list[tuple[str, str]] = PrivateAttr(default_factory=list)
    _failures: dict[str, int] = PrivateAttr(default_factory=dict)
    _active: int = PrivateAttr(default=0)
    _max_active: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "section-test-model"

    @property
    def prompts(self) -> list[tuple[str, str]]:
        """(heading, full prompt text) for every call, in call order."""
        return list(self._prompts)

    @property
    def max_concurrent(self) -> int:
        return self._max_active

    def _answer(self, messages: list[BaseMessage]) -> str:
        heading = asked_heading(messages)
        text = "\n".join(str(m.content) for m in messages)
        with self._lock:
            self._prompts.append((heading, text))
            self._active += 1
            self._max_active = max(self._max_active, self._active)
        try:
            if self.delay:
                time.sleep(self.delay)
            if heading in self.fail_for and self._failures.get(heading, 0) < self.fail_times:
                with self._lock:
                    self._failures[heading] = self._failures.get(heading, 0) + 1
                raise self.fail_for[heading]
            return self.reply(heading, text)
        finally:
            with self._lock:
                self._active -= 1

    def _usage(self, messages: list[BaseMessage], text: str) -> dict[str, int] | None:
        if not self.usage:
            return None
        prompt_words = sum(len(str(m.content).split()) for m in messages)
        return {"input_tokens": prompt_words, "output_tokens": len(text.split()), "total_tokens": 0}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self._answer(messages)
        message = AIMessage(content=text, usage_metadata=self._usage(messages, text))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text = self._answer(messages)
        words = re.findall(r"\S+\s*|\s+", text)
        for index in range(0, len(words), 3):
            piece = "".join(words[index : index + 3])
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        usage = self._usage(messages, text)
        if usage:
            yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage))
