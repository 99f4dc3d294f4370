"""What a model server offers before any drafting: its models, its slots, and whether it answers.

The model list is fetched under the shared call policy (:func:`model_calls.retried`): the
settings' connect and idle timeouts, no client retries, permanent failures (a wrong key, an
unreachable server) given up at once and the rest retried with the same back-off as drafting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prd_assistant import llm, model_calls
from prd_assistant.redaction import url_host


def list_models(settings: llm.ModelSettings, retries: int | None = None) -> list[str]:
    """Model ids the server offers (``GET /v1/models``), sorted.

    Args:
        settings: The server, key and timeouts.
        retries: Further tries after a failure that may pass (default ``settings.max_retries``).

    Raises:
        openai.OpenAIError: as for any call; pass it to ``llm.describe_error``.
    """
    return model_calls.retried(
        lambda _heard: llm.fetch_models(settings),
        retries=settings.max_retries if retries is None else retries,
        idle=min(settings.idle_timeout, settings.timeout),
    )


@dataclass(frozen=True)
class ServerInfo:
    """What a server says about itself before drafting: its models and how many slots it has."""

    models: tuple[str, ...] = ()
    slots: int | None = None


def inspect_server(settings: llm.ModelSettings) -> ServerInfo:
    """Checks the model name against ``/v1/models`` and reads the slot count, before drafting.

    Servers without a models list are not checked. The slot count comes from llama.cpp's
    ``/props`` (``total_slots``) or ``/slots``; other servers have neither and get None.

    Raises:
        ModelConfigError: The server lists models and this one is not among them.
        openai.OpenAIError: The server cannot be reached or refuses the key
            (pass it to ``llm.describe_error``).
    """
    try:
        models = tuple(list_models(settings))
    except Exception as exc:
        if not llm.models_unlisted(exc):
            raise
        models = ()  # no models endpoint: nothing to check against
    if models and settings.model not in models:
        raise llm.ModelConfigError(
            f"The server at {_server(settings)} does not offer model '{settings.model}'. "
            f"Pick one of its models: {_shown(models)}."
        )
    return ServerInfo(models, None if settings.is_openai else llm.server_slots(settings))


@dataclass
class ConnectionResult:
    """Outcome of ``test_connection``: whether drafting can work, and what to tell the PM."""

    ok: bool
    message: str
    models: list[str] = field(default_factory=list)


def test_connection(settings: llm.ModelSettings) -> ConnectionResult:
    """Check the server answers, the key is accepted and the model is offered.

    Servers without ``/v1/models`` are checked with a one-token chat call instead.
    Never raises: failures come back as ``ok=False`` with a PM-facing message.
    """
    try:
        models = list_models(settings)
    except Exception as exc:
        if llm.models_unlisted(exc):
            return _test_with_chat(settings)
        return ConnectionResult(False, llm.describe_error(exc))
    if models and settings.model not in models:
        return ConnectionResult(
            False,
            f"Connected to {_server(settings)}, but it does not offer model "
            f"'{settings.model}'. Pick one of: {_shown(models)}.",
            models,
        )
    return ConnectionResult(True, f"Connected: {settings.label()} is ready.", models)


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def _test_with_chat(settings: llm.ModelSettings) -> ConnectionResult:
    try:
        model_calls.ping(llm.create_chat_model(settings, client_retries=0))
    except Exception as exc:
        return ConnectionResult(False, llm.describe_error(exc))
    return ConnectionResult(True, f"Connected: {settings.label()} is ready.")


def _server(settings: llm.ModelSettings) -> str:
    return url_host(settings.base_url or llm.OPENAI_BASE_URL)


def _shown(models: tuple[str, ...] | list[str]) -> str:
    return ", ".join(models[:8]) + (", ..." if len(models) > 8 else "")
