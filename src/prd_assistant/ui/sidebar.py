"""Sidebar: which model to draft with (presets, key, model list, test) and which template.

The API key lives only in this session's memory (or the environment / ``st.secrets``); it is
passed to ``llm`` and nowhere else: not saved, logged, exported or shown back.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import streamlit as st

from prd_assistant import redaction
from prd_assistant.document import Draft
from prd_assistant.template import (
    TemplateError,
    decode_template_bytes,
    load_template,
    parse_template,
)
from prd_assistant.ui import state

if TYPE_CHECKING:  # langchain and openai load on the first model call, not on first paint
    from langchain_core.language_models import BaseChatModel

    from prd_assistant.llm import ModelSettings


OTHER_MODEL = "Other (type a name)"
CUSTOM = "Custom OpenAI-compatible URL"
OUTLINE = "Outline only (no model)"
# name -> (server URL or None for OpenAI, suggested model)
PRESETS: dict[str, tuple[str | None, str]] = {
    "OpenAI": (None, "gpt-4o-mini"),
    "Ollama": ("http://localhost:11434/v1", "llama3.1"),
    "LM Studio": ("http://localhost:1234/v1", "local-model"),
    CUSTOM: ("", ""),
    OUTLINE: (None, ""),
}
# session_state key -> query parameter: the connection survives a refresh and travels with
# ``?draft=`` links. The API key never goes into the URL.
URL_PARAMS = {"provider": "provider", "custom_url": "server", "model": "model"}
PANEL = "the sidebar's Model panel"


def init_defaults() -> None:
    """First-run connection: from the URL, else the environment, else an explicit outline."""
    if st.session_state["provider"] is not None:
        return
    params = st.query_params
    provider = params.get("provider")
    if provider in PRESETS:
        st.session_state["provider"] = provider
        st.session_state["custom_url"] = params.get("server", "")
        st.session_state["model_text"] = params.get("model", "") or PRESETS[provider][1]
        return
    env_url = state.env_or_secret("OPENAI_BASE_URL")
    env_key = state.env_or_secret("OPENAI_API_KEY")
    provider = CUSTOM if env_url else "OpenAI" if env_key else OUTLINE
    st.session_state["provider"] = provider
    st.session_state["custom_url"] = env_url
    st.session_state["model_text"] = state.env_or_secret("PRD_MODEL") or PRESETS[provider][1]


def adopt_draft_model(draft: Draft | None) -> None:
    """A link with only ``?draft=`` reopens with the model the draft was written with."""
    if draft is None or draft.outline or not draft.model or "provider" in st.query_params:
        return
    if st.session_state["provider"] != OUTLINE:
        return
    server = getattr(draft, "base_url", None) or ""
    st.session_state["provider"] = CUSTOM if server else "OpenAI"
    st.session_state["custom_url"] = server
    st.session_state["model_text"] = draft.model
    st.session_state["model_choice"] = None


def sync_url() -> None:
    """Puts provider, server and model into the URL (never the key)."""
    provider = st.session_state["provider"]
    wanted = {
        "provider": provider,
        "server": st.session_state["custom_url"].strip() if provider == CUSTOM else "",
        "model": model_name() if provider != OUTLINE else "",
    }
    for name, value in wanted.items():
        if value and st.query_params.get(name) != value:
            st.query_params[name] = value
        elif not value and name in st.query_params:
            del st.query_params[name]


def outline_chosen() -> bool:
    """Whether the PM chose to write outlines without a model."""
    return st.session_state["provider"] == OUTLINE


def base_url() -> str | None:
    """The server URL for the chosen preset (None means OpenAI)."""
    provider = st.session_state["provider"]
    if provider == CUSTOM:
        return st.session_state["custom_url"].strip() or None
    return PRESETS.get(provider, (None, ""))[0]


def url_problem() -> str:
    """Why the custom server URL cannot work ("" when it looks right)."""
    url = base_url()
    if st.session_state["provider"] != CUSTOM:
        return ""
    if not url:
        return f"Enter the server URL in {PANEL} (for example http://localhost:8000/v1)."
    if not url.lower().startswith(("http://", "https://")):
        return (
            f"The server URL '{url}' has no scheme: start it with http:// or https:// "
            "(for example http://localhost:8000/v1)."
        )
    return ""


def _server_key() -> str:
    return base_url() or "openai"


def model_name() -> str:
    """The model picked from this server's list, or typed ("" when none is set)."""
    choice = st.session_state["model_choice"]
    if st.session_state["models"].get(_server_key()) and choice and choice != OTHER_MODEL:
        return str(choice)
    typed = st.session_state["model_text"].strip()
    return typed or PRESETS.get(st.session_state["provider"], (None, ""))[1]


def _api_key() -> str:
    return st.session_state["api_key"].strip() or state.env_or_secret("OPENAI_API_KEY")


def current_settings() -> ModelSettings:
    """Model settings from the sidebar (key from the field, else environment or secrets)."""
    from pydantic import SecretStr

    from prd_assistant import llm

    key = _api_key()
    return llm.ModelSettings(
        model=model_name(),
        base_url=base_url(),
        api_key=SecretStr(key) if key else None,
        temperature=float(st.session_state["temperature"]),
    )


def is_configured() -> bool:
    """Whether a model is set up to draft with (never true when outlines were chosen)."""
    return not outline_chosen() and not url_problem() and _has_credentials()


def _has_credentials() -> bool:
    # ModelSettings.is_configured without importing the model layer: a key or a server URL.
    return bool(_api_key()) or base_url() is not None


def setup_problem() -> str:
    """Why drafting with a model cannot start ("" when it can, or outlines were chosen)."""
    if outline_chosen():
        return ""
    if url_problem():
        return url_problem()
    if not _has_credentials():
        return (
            f"No API key: enter one in {PANEL} (or set OPENAI_API_KEY), or choose "
            f"'{OUTLINE}' as the provider to write an outline."
        )
    if not model_name():
        return f"No model name: press Test connection in {PANEL} and pick one."
    return ""


def create_model() -> BaseChatModel | None:
    """The chat model to draft with, or None when outlines were chosen.

    Goes through ``llm.create_chat_model`` as a module attribute so tests can swap it.

    Raises:
        llm.ModelConfigError: The connection is incomplete; never falls back to an outline.
    """
    from prd_assistant import llm

    if outline_chosen():
        return None
    problem = setup_problem()
    if problem:
        raise llm.ModelConfigError(problem)
    # Drafting and model_calls.whole_reply retry every call themselves (retries()), after
    # closing the abandoned request; retries inside the client would resend behind their back.
    return llm.create_chat_model(current_settings(), client_retries=0)


def retries() -> int:
    """How many times a failed model call is tried again (the settings' ``max_retries``)."""
    return current_settings().max_retries


def server_slots() -> int | None:
    """How many calls the configured server runs at once, when it says (llama.cpp); read once
    per server and session, so drafting starts at what the server can take."""
    from prd_assistant import llm

    settings = current_settings()
    if settings.is_openai:
        return None
    known: dict[str, int | None] = st.session_state["server_slots"]
    if _server_key() not in known:
        known[_server_key()] = llm.server_slots(settings)
    return known[_server_key()]


def explain(exc: BaseException) -> str:
    """One line for the PM about a failed model call."""
    from prd_assistant import llm

    return llm.describe_error(exc)


def _test_connection() -> None:
    st.session_state["connection_pending"] = True


def run_connection_test() -> None:
    """Checks the model list, then one tiny chat call: "ready" means drafting will work."""
    from prd_assistant import usage_meter

    problem = url_problem() or (setup_problem() if not _has_credentials() else "")
    if problem:
        st.session_state["connection"] = {"ok": False, "message": problem}
        return
    settings = current_settings()
    # Its chat calls cost a few tokens each: booked to no draft, like any other call.
    with usage_meter.booking(usage_meter.CONNECTION_TEST, state.usage_book("", settings.model)):
        _test_connection_with(settings)


def _test_connection_with(settings: ModelSettings) -> None:
    from prd_assistant import llm, model_calls, model_server

    try:
        result = model_server.test_connection(settings)
    except Exception as exc:  # the message must reach the PM, not a trace
        st.session_state["connection"] = {"ok": False, "message": explain(exc)}
        return
    if result.models:
        st.session_state["models"][_server_key()] = list(result.models)
        if not model_name():
            # A new server and no name yet: take the first model it offers.
            settings = dataclasses.replace(settings, model=result.models[0])
            result = model_server.test_connection(settings)
        if settings.model in result.models:
            # Widgets are already drawn in this run; the pick is applied on the next one.
            st.session_state["model_pick"] = settings.model
    if not result.ok:
        st.session_state["connection"] = {"ok": False, "message": result.message}
        return
    try:
        model_calls.ping(llm.create_chat_model(settings, client_retries=0))
    except Exception as exc:
        st.session_state["connection"] = {
            "ok": False,
            "message": "The model list answered, but a chat call failed: " + explain(exc),
        }
        return
    label = redaction.redact_userinfo(result.message)
    st.session_state["connection"] = {"ok": True, "message": label}


def _provider_changed() -> None:
    # The old server's model name must not carry over to the new one.
    st.session_state["connection"] = None
    st.session_state["model_text"] = PRESETS.get(st.session_state["provider"], (None, ""))[1]
    st.session_state["model_choice"] = None


def _server_changed() -> None:
    st.session_state["connection"] = None
    st.session_state["model_choice"] = None


def render_model_settings() -> None:
    """The "Model" part of the sidebar."""
    st.subheader("Model")
    st.selectbox(
        "Provider",
        list(PRESETS),
        key="provider",
        on_change=_provider_changed,
        help="Any server that speaks the OpenAI chat API works: Ollama, LM Studio, vLLM, "
        f"llama.cpp. '{OUTLINE}' writes the structure and open questions without a model.",
    )
    if outline_chosen():
        sync_url()
        return
    if st.session_state["provider"] == CUSTOM:
        st.text_input(
            "Server URL",
            key="custom_url",
            placeholder="http://localhost:8000/v1",
            on_change=_server_changed,
        )
        if url_problem() and st.session_state["custom_url"].strip():
            st.error(url_problem())
    st.text_input(
        "API key",
        key="api_key",
        type="password",
        help="Kept in this browser session only: never saved, logged, exported or put in the "
        "link. Also read from OPENAI_API_KEY or .streamlit/secrets.toml.",
    )
    if not st.session_state["api_key"] and state.env_or_secret("OPENAI_API_KEY"):
        st.caption("Using the API key from the environment / secrets.")
    models = st.session_state["models"].get(_server_key())
    if st.session_state["model_pick"]:
        st.session_state["model_choice"] = st.session_state["model_pick"]
        st.session_state["model_pick"] = None
    if models:
        options = [*models, OTHER_MODEL]
        if st.session_state["model_choice"] not in options:
            typed = st.session_state["model_text"].strip()
            st.session_state["model_choice"] = typed if typed in models else models[0]
        st.selectbox("Model", options, key="model_choice")
    if not models or st.session_state["model_choice"] == OTHER_MODEL:
        st.text_input(
            "Model name",
            key="model_text",
            help="Test the connection to pick from the server's model list.",
        )
    pending = st.session_state["connection_pending"]
    st.button("Test connection", key="test_connection", on_click=_test_connection, disabled=pending)
    if pending:
        with st.spinner("Testing the connection…"):
            try:
                run_connection_test()
            finally:
                st.session_state["connection_pending"] = False
        st.rerun()
    result = st.session_state["connection"]
    if result:
        (st.success if result["ok"] else st.error)(result["message"])
    with st.expander("Advanced"):
        st.slider("Temperature", 0.0, 1.5, step=0.1, key="temperature")
        st.number_input(
            "Sections drafted at once",
            min_value=1,
            max_value=16,
            step=1,
            key="concurrency",
            help="Lower it if your server rate-limits or runs out of memory.",
        )
    sync_url()


def take_template_upload() -> None:
    """Makes an uploaded template (or none: the default) the session's template.

    Runs before the form, whose estimate counts the template's sections; the uploader itself
    is drawn after the form (:func:`render_template_picker`), so a first paint does not wait
    for the Markdown parser.
    """
    upload = st.session_state.get("template_upload")
    if upload is None:
        st.session_state["template_text"] = None
        st.session_state["template_error"] = None
        return
    try:
        text = decode_template_bytes(upload.getvalue(), upload.name)
        parse_template(text, upload.name)
    except TemplateError as exc:
        st.session_state["template_text"] = None
        st.session_state["template_error"] = str(exc)
    else:
        st.session_state["template_text"] = text
        st.session_state["template_name"] = upload.name
        st.session_state["template_error"] = None


def render_template_picker() -> None:
    """The "Template" part of the sidebar: default or an uploaded Markdown template."""
    st.subheader("Template")
    st.file_uploader(
        "Upload a .md template",
        type=["md", "markdown", "txt"],
        key="template_upload",
        help="A '#' title, '##' sections (numbered or not), optional '###' subsections and "
        "guidance text under each heading.",
    )
    text, name = st.session_state["template_text"], st.session_state["template_name"]
    if st.session_state["template_error"]:
        st.error(st.session_state["template_error"] + " Using the default template.")
    elif text is None:
        st.caption(f"Default template: {len(load_template().sections)} sections.")
    else:
        st.caption(f"{name}: {len(parse_template(text, name).sections)} sections")


# The banner is drawn before the form on the first paint: Material icons, not emoji, since
# checking an emoji loads Streamlit's emoji table (about 0.1 s before Draft PRD can be clicked).
_INFO = ":material/info:"
_WARNING = ":material/warning:"


def render_mode_banner() -> None:
    """Says when drafts will be outlines (by choice) or why drafting cannot work yet."""
    result = st.session_state["connection"]
    if outline_chosen():
        st.info(
            f"**Outline mode** (chosen in {PANEL}). *Draft PRD* writes an outline: the "
            "structure of each section, the facts from your description and the open questions "
            "to answer. To draft full text, pick OpenAI (with an API key), Ollama, LM Studio or "
            "a custom OpenAI-compatible URL as the provider, then press *Test connection*.",
            icon=_INFO,
        )
    elif setup_problem():
        st.warning(f"**No model connected yet.** {setup_problem()}", icon=_WARNING)
    elif result and not result["ok"]:
        rejected = "401" in result["message"] or "rejected the API key" in result["message"]
        headline = "The API key was rejected" if rejected else "The model is not reachable"
        st.warning(
            f"**{headline}:** {result['message']} Drafting will fail until this is fixed "
            f"in {PANEL}.",
            icon=_WARNING,
        )
