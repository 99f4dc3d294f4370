"""One prompt -> one validated pydantic object, with or without native structured output.

Native structured output (``response_format`` json_schema) is tried first where it may work.
Where the server or model lacks it, the reply is read as text: JSON is pulled out of code
fences, prose and reasoning blocks, validated with pydantic, and on failure the model gets
exactly one repair request quoting the error. Both paths end in the same parse-and-validate
step, so a server that accepts ``response_format`` but ignores it is handled like one that
never had it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel, ValidationError

from prd_assistant import llm
from prd_assistant.assist.models import AssistError, wire_schema
from prd_assistant.assist.prompt_files import load_prompt
from prd_assistant.model_calls import DEFAULT_RETRIES, whole_reply
from prd_assistant.redaction import get_logger

log = get_logger(__name__)
T = TypeVar("T", bound=BaseModel)
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|jsonc)?[ \t]*\n(.*?)```", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
MAX_REPAIR_QUOTE_CHARS = 16_000


class ReplyError(ValueError):
    """A reply is not valid JSON for the schema; the message is short enough to send back."""


@dataclass(frozen=True)
class Outcome:
    """How a structured answer was obtained (shown in reports, used by tests)."""

    native: bool  # True when sent with response_format json_schema and read without repair
    repaired: bool  # True when a repair call was needed
    calls: int


def extract_json(text: str) -> Any:
    """The first JSON object or array in ``text``, tolerating code fences and prose around it.

    Raises:
        ReplyError: If no JSON value can be found.
    """
    cleaned = _THINK.sub("", text or "").strip().lstrip("\ufeff")
    if not cleaned:
        raise ReplyError("The reply was empty.")
    candidates = [m.group(1) for m in _FENCE.finditer(cleaned)] + [cleaned]
    decoder = json.JSONDecoder()
    first_error = ""
    for candidate in candidates:
        candidate = candidate.strip()
        try:
            return json.loads(candidate)
        except json.JSONDecodeError as exc:
            first_error = first_error or f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        for match in re.finditer(r"[{\[]", candidate):
            try:
                value, _end = decoder.raw_decode(candidate, match.start())
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict | list) and value:
                return value
    raise ReplyError(f"The reply is not valid JSON ({first_error}).")


def _validation_summary(exc: ValidationError, limit: int = 6) -> str:
    lines = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        lines.append(f"{where}: {error['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return "; ".join(lines)


def parse_reply(text: str, schema: type[T]) -> T:
    """Validates a reply's JSON against ``schema``.

    Raises:
        ReplyError: With a short description of what is wrong.
    """
    data = extract_json(text)
    return validate(data, schema)


def validate(data: Any, schema: type[T]) -> T:
    """Validates already-decoded JSON; raises ReplyError with a short summary."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ReplyError(
            f"The JSON does not match the expected shape: {_validation_summary(exc)}."
        ) from None


def ask_structured(
    model: BaseChatModel,
    prompt: ChatPromptTemplate,
    inputs: dict[str, str],
    schema: type[T],
    *,
    name: str,
    what: str,
    structured: bool | llm.StructuredMode | None = None,
    max_tokens: int | None = None,
    retries: int = DEFAULT_RETRIES,
) -> tuple[T, Outcome]:
    """Asks ``model`` with ``prompt`` and returns the reply as a validated ``schema`` object.

    One capability fallback serves every structured call: ``response_format`` json_schema,
    then json_object, then plain text; a refused mode is remembered per server and model
    (``llm.remember_structured_mode``), so later calls start at the mode that works. Every
    mode's reply goes through the same parse, validate and one-repair path.

    Args:
        model: Any langchain chat model (only OpenAI-compatible ones get ``response_format``).
        prompt: The prompt; its human message already describes the JSON shape.
        inputs: The prompt's variables.
        schema: The pydantic model of the answer.
        name: A schema name for native structured output (letters, digits, ``_``).
        what: What is being asked for, for error messages ("risks and open questions").
        structured: False: plain text only. A mode: start there. True or None: start at the
            mode remembered for this server, else json_schema.
        max_tokens: Cap on the reply's length (None: the server's default).
        retries: Further tries per call after a failure that may pass; every call is made
            by ``model_calls.whole_reply`` (streamed, capped, closed before a retry), so the
            model should have no client retries of its own.

    Raises:
        AssistError: If the model cannot be reached or its reply cannot be read even after
            one repair request.
    """
    messages = prompt.format_messages(**inputs)
    key = llm.model_server_key(model)
    modes = _modes(key, structured)
    calls = 0
    reply: str | None = None
    used: llm.StructuredMode = "text"
    for index, mode in enumerate(modes):
        calls += 1
        last = index + 1 == len(modes)
        try:
            reply = _invoke_text(
                model,
                messages,
                what,
                max_tokens,
                retries,
                _response_format(mode, schema, name),
                # A refused response_format is not retried: the next mode is tried instead.
                final=None if last else _rejected_feature,
            )
        except AssistError as exc:
            if not last and _rejected_feature(exc.__cause__):
                log.info("%s refused by the server; trying %s", mode, modes[index + 1])
                llm.remember_structured_mode(key, modes[index + 1])
                continue
            raise
        used = mode
        break
    assert reply is not None  # the last mode (text) either answers or raises
    try:
        return parse_reply(reply, schema), Outcome(used == "json_schema", False, calls)
    except ReplyError as first:
        log.info("unreadable %s reply, asking for a repair: %s", what, first)
        problem = str(first)
    calls += 1
    repaired = _invoke_text(
        model, _repair_messages(reply, problem, schema), what, max_tokens, retries
    )
    try:
        return parse_reply(repaired, schema), Outcome(False, True, calls)
    except ReplyError as second:
        raise AssistError(
            f"The model's reply could not be read as {what}, even after asking it once to fix "
            f"its JSON. {second} Try again, or use a model that supports structured output "
            "(for example gpt-4o-mini)."
        ) from None


_MODES: tuple[llm.StructuredMode, ...] = ("json_schema", "json_object", "text")


def _modes(
    key: tuple[str, str] | None, structured: bool | llm.StructuredMode | None
) -> tuple[llm.StructuredMode, ...]:
    if structured is False or key is None:
        return ("text",)  # only OpenAI-compatible servers know response_format
    start = structured if isinstance(structured, str) else None
    start = start or llm.remembered_structured_mode(key) or "json_schema"
    return _MODES[_MODES.index(start) :]


def _response_format(
    mode: llm.StructuredMode, schema: type[BaseModel], name: str
) -> dict[str, Any] | None:
    if mode == "json_schema":
        spec = {"name": name, "schema": wire_schema(schema), "strict": True}
        return {"type": "json_schema", "json_schema": spec}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def _rejected_feature(exc: BaseException | None) -> bool:
    """True when the server refused the request shape (``response_format``), not the call."""
    if exc is None or llm.is_fatal(exc):
        return False
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and status in llm.FEATURE_REFUSED_STATUS


def _invoke_text(
    model: BaseChatModel,
    messages: list[BaseMessage],
    what: str,
    max_tokens: int | None,
    retries: int,
    response_format: dict[str, Any] | None = None,
    final: Callable[[BaseException], bool] | None = None,
) -> str:
    kwargs = {"response_format": response_format} if response_format is not None else {}
    try:
        return whole_reply(
            model, messages, max_tokens=max_tokens, retries=retries, call_kwargs=kwargs, final=final
        )
    except llm.ReplyIncomplete as exc:
        if exc.reason == "length" and exc.text.strip():
            # Cut at the cap: parsing, then one repair request, may still recover the JSON.
            log.info("%s reply stopped at its length limit", what)
            return exc.text
        raise AssistError(_call_failed(what, exc)) from exc
    except Exception as exc:
        raise AssistError(_call_failed(what, exc)) from exc


def _call_failed(what: str, exc: BaseException) -> str:
    return f"Could not get {what} from the model: {llm.describe_error(exc)}"


def _repair_messages(reply: str, problem: str, schema: type[BaseModel]) -> list[BaseMessage]:
    quoted = reply
    if len(quoted) > MAX_REPAIR_QUOTE_CHARS:
        # The model only needs to see where its JSON went wrong; say that it was shortened.
        quoted = (
            quoted[:MAX_REPAIR_QUOTE_CHARS] + "\n[... the rest of your reply is not repeated here]"
        )
    return load_prompt("assist_repair").format_messages(
        reply=quoted, error=problem, schema=json.dumps(wire_schema(schema))
    )
