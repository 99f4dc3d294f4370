"""Sidebar: which model to draft with (presets, key, model list, test) and which template.

The API key lives only in this session's memory (or the environment / ``st.secrets``); it is
passed to ``llm`` and nowhere else: not saved, logged, exported or shown back.
"""

from __future__ import annotations

import streamlit as st
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from prd_assistant import llm
from prd_assistant.template import (
    TemplateError,
    decode_template_bytes,
    load_template,
    parse_template,
)
from prd_assistant.ui import state

OTHER_MODEL = "Other (type a name)"
# name -> (server URL or None for OpenAI, suggested model)
PRESETS: dict[str, tuple[str | None, str]] = {
    "OpenAI": (None, "gpt-4o-mini"),
    "Ollama": ("http://localhost:11434/v1", "llama3.1"),
    "LM Studio": ("http://localhost:1234/v1", "local-model"),
    "Custom OpenAI-compatible URL": ("", ""),
}
CUSTOM = "Custom OpenAI-compatible URL"


def init_defaults() -> None:
    """First-run widget defaults from the environment (``OPENAI_BASE_URL``, ``PRD_MODEL``)."""
    if st.session_state["provider"] is not None:
        return
    env_url = state.env_or_secret("OPENAI_BASE_URL")
    st.session_state["provider"] = CUSTOM if env_url else "OpenAI"
    st.session_state["custom_url"] = env_url
    st.session_state["model_text"] = state.env_or_secret("PRD_MODEL") or (
        "" if env_url else PRESETS["OpenAI"][1]
    )


def base_url() -> str | None:
    """The server URL for the chosen preset (None means OpenAI)."""
    provider = st.session_state["provider"]
    if provider == CUSTOM:
        return st.session_state["custom_url"].strip() or None
    return PRESETS.get(provider, (None, ""))[0]


def _server_key() -> str:
    return base_url() or "openai"


def model_name() -> str:
    """The model picked from the list, or typed."""
    choice = st.session_state["model_choice"]
    if st.session_state["models"].get(_server_key()) and choice and choice != OTHER_MODEL:
        return str(choice)
    typed = st.session_state["model_text"].strip()
    return typed or PRESETS.get(st.session_state["provider"], (None, ""))[1] or "gpt-4o-mini"


def _api_key() -> str:
    return st.session_state["api_key"].strip() or state.env_or_secret("OPENAI_API_KEY")


def current_settings() -> llm.ModelSettings:
    """Model settings from the sidebar (key from the field, else environment or secrets)."""
    key = _api_key()
    return llm.ModelSettings(
        model=model_name(),
        base_url=base_url(),
        api_key=SecretStr(key) if key else None,
        temperature=float(st.session_state["temperature"]),
    )


def is_configured() -> bool:
    """Whether a model is set up (a key, or a server URL); otherwise drafts are outlines."""
    return current_settings().is_configured


def create_model() -> BaseChatModel | None:
    """The chat model to draft with, or None for outline mode.

    Goes through ``llm.create_chat_model`` as a module attribute so tests can swap it.
    """
    settings = current_settings()
    if not settings.is_configured:
        return None
    return llm.create_chat_model(settings)


def _test_connection() -> None:
    settings = current_settings()
    try:
        result = llm.test_connection(settings)
    except Exception as exc:  # the message must reach the PM, not a trace
        st.session_state["connection"] = {"ok": False, "message": llm.describe_error(exc)}
        return
    st.session_state["connection"] = {"ok": result.ok, "message": result.message}
    if result.models:
        st.session_state["models"][_server_key()] = list(result.models)
        if model_name() in result.models:
            st.session_state["model_choice"] = model_name()


def _provider_changed() -> None:
    st.session_state["connection"] = None
    suggested = PRESETS.get(st.session_state["provider"], (None, ""))[1]
    if suggested:
        st.session_state["model_text"] = suggested


def render_model_settings() -> None:
    """The "Model" part of the sidebar."""
    st.subheader("Model")
    st.selectbox(
        "Provider",
        list(PRESETS),
        key="provider",
        on_change=_provider_changed,
        help="Any server that speaks the OpenAI chat API works: Ollama, LM Studio, vLLM, llama.cpp.",
    )
    if st.session_state["provider"] == CUSTOM:
        st.text_input("Server URL", key="custom_url", placeholder="http://localhost:8000/v1")
    st.text_input(
        "API key",
        key="api_key",
        type="password",
        help="Kept in this browser session only: never saved, logged or exported. "
        "Also read from OPENAI_API_KEY or .streamlit/secrets.toml.",
    )
    if not st.session_state["api_key"] and state.env_or_secret("OPENAI_API_KEY"):
        st.caption("Using the API key from the environment / secrets.")
    models = st.session_state["models"].get(_server_key())
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
    st.button("Test connection", key="test_connection", on_click=_test_connection)
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


def render_template_picker() -> None:
    """The "Template" part of the sidebar: default or an uploaded Markdown template."""
    st.subheader("Template")
    upload = st.file_uploader(
        "Upload a .md template",
        type=["md", "markdown", "txt"],
        key="template_upload",
        help="A '#' title, '##' sections (numbered or not), optional '###' subsections and "
        "guidance text under each heading.",
    )
    if upload is None:
        st.session_state["template_text"] = None
        st.session_state["template_error"] = None
    else:
        try:
            text = decode_template_bytes(upload.getvalue(), upload.name)
            template = parse_template(text, upload.name)
        except TemplateError as exc:
            st.session_state["template_text"] = None
            st.session_state["template_error"] = str(exc)
        else:
            st.session_state["template_text"] = text
            st.session_state["template_name"] = upload.name
            st.session_state["template_error"] = None
            st.caption(f"{upload.name}: {len(template.sections)} sections")
    if st.session_state["template_error"]:
        st.error(st.session_state["template_error"] + " Using the default template.")
    elif st.session_state["template_text"] is None:
        st.caption(f"Default template: {len(load_template().sections)} sections.")


def render_mode_banner() -> None:
    """Explains outline mode when no model is set up, or says the model is unreachable."""
    result = st.session_state["connection"]
    if not is_configured():
        st.info(
            "**Outline mode.** No model is connected, so *Draft PRD* writes an outline: the "
            "structure of each section, the facts from your description and the open questions "
            "to answer. To draft full text, enter an OpenAI API key in the sidebar (or set "
            "`OPENAI_API_KEY`), or pick Ollama, LM Studio or a custom OpenAI-compatible URL, "
            "then press *Test connection*.",
            icon="ℹ️",
        )
    elif result and not result["ok"]:
        st.warning(
            f"**The model is not reachable:** {result['message']} Drafting will fail until this "
            "is fixed. To write an outline instead, choose OpenAI with an empty API key.",
            icon="⚠️",
        )
