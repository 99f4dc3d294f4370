"""Credentials in URLs and keys in text never reach what is shown or saved."""

import base64

import pytest

from prd_assistant import redaction
from prd_assistant.llm import ModelSettings

URL = "http://alice:sk-url-secret-123456@models.internal:8080/v1"


def test_redact_url_hides_userinfo_and_credential_parameters():
    assert redaction.redact_url(URL) == "http://***@models.internal:8080/v1"
    shown = redaction.redact_url("https://gw.example/v1?api-key=abcdef123456&region=eu")
    assert "abcdef123456" not in shown and "region=eu" in shown
    assert redaction.redact_url("http://localhost:11434/v1") == "http://localhost:11434/v1"
    assert redaction.redact_url("") == ""


def test_redact_url_hides_the_userinfo_of_an_address_typed_without_its_scheme():
    # The settings refuse such an address and the CLI's --base-url rejects it: both quote it.
    assert redaction.redact_url("alice:pw-123456@models.internal:8080/v1") == (
        "***@models.internal:8080/v1"
    )
    assert redaction.redact_url("models.internal:8080/v1") == "models.internal:8080/v1"
    assert redaction.redact_url("alice@example.com") == "alice@example.com"  # no password


def test_a_scheme_less_address_is_quoted_without_its_password_by_settings_and_cli(capsys):
    from prd_assistant.cli import main
    from prd_assistant.llm import ModelConfigError

    with pytest.raises(ModelConfigError) as refused:
        ModelSettings(model="m", base_url="alice:pw-123456@models.internal/v1").validate()
    assert "pw-123456" not in str(refused.value) and "***@models.internal" in str(refused.value)
    with pytest.raises(SystemExit):
        main(["draft", "x", "--base-url", "alice:pw-123456@models.internal/v1"])
    err = capsys.readouterr().err
    assert "pw-123456" not in err and "***@models.internal/v1" in err


def test_redact_userinfo_hides_credentials_of_urls_in_text_with_or_without_a_scheme():
    # The sidebar's connection label: a model label, with the server address in free text.
    label = "Connected: m @ alice:pw-123456@host:8080 is ready (http://bob:pw-654321@h2/v1)."
    assert redaction.redact_userinfo(label) == (
        "Connected: m @ ***@host:8080 is ready (http://***@h2/v1)."
    )
    plain = "Connected: m @ localhost:11434 is ready; mail alice@example.com at 10:30."
    assert redaction.redact_userinfo(plain) == plain


def test_strip_credentials_is_what_gets_saved():
    assert redaction.strip_credentials(URL) == "http://models.internal:8080/v1"


def test_every_form_of_a_url_secret_is_redacted_once_remembered():
    redaction.remember_url(URL)
    basic = base64.b64encode(b"alice:sk-url-secret-123456").decode()
    text = f"echo: Basic {basic} for alice:sk-url-secret-123456 and alice%3A"
    cleaned = redaction.redact(text)
    assert basic not in cleaned and "sk-url-secret-123456" not in cleaned


def test_a_remembered_key_is_redacted_even_when_it_is_not_key_shaped():
    redaction.remember("hunter2-local-token")
    assert redaction.redact("the key is hunter2-local-token.") == "the key is [key hidden]."
    redaction.remember("abc")  # too short to redact safely: ordinary words would vanish
    assert redaction.redact("abc") == "abc"


def test_the_model_label_never_shows_credentials():
    label = ModelSettings(model="m", base_url=URL).label()
    assert label == "m @ models.internal:8080" and "secret" not in label


def test_every_logger_of_the_package_redacts_messages_and_tracebacks(caplog):
    """Each module logs on its own logger, and a logger's filter sees only its own records, so
    every one of them must redact; a trace is redacted like the message."""
    import importlib
    import logging
    import pkgutil

    import prd_assistant

    for module in pkgutil.walk_packages(prd_assistant.__path__, "prd_assistant."):
        # The page modules need a Streamlit session; __main__ runs the CLI.
        if ".ui" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    for name in ("prd_assistant.ui.run", "prd_assistant.ui.run_worker"):
        importlib.import_module(name)
    loggers = {
        name: logger
        for name, logger in logging.root.manager.loggerDict.items()
        if name.startswith("prd_assistant.") and isinstance(logger, logging.Logger)
    }
    assert {"prd_assistant.llm", "prd_assistant.ui.run", "prd_assistant.cli"} <= set(loggers)
    secret = "sk-logged-key-0123456789"
    for name, logger in loggers.items():
        caplog.clear()
        try:
            raise RuntimeError(f"failed with {secret}")
        except RuntimeError:
            logger.error("call with %s failed", secret, exc_info=True)
        assert "Traceback" in caplog.text and "[key hidden]" in caplog.text, name
        assert secret not in caplog.text, name


def _through_root_handler(logger_name: str, log) -> str:
    """What a real root handler writes for records logged on ``logger_name`` at DEBUG.

    The handler is added after the package is imported, as ``OPENAI_LOG=debug`` (which calls
    ``logging.basicConfig`` when openai is imported) or an operator's logging setup adds one.
    """
    import io
    import logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root, logger = logging.getLogger(), logging.getLogger(logger_name)
    level = logger.level
    root.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        log(logger)
    finally:
        root.removeHandler(handler)
        logger.setLevel(level)
    return stream.getvalue()


@pytest.mark.parametrize(
    "name",
    [
        "openai",
        "openai._base_client",
        "httpx",
        "httpcore.http11",
        "urllib3.connectionpool",
        "github.Requester",
        "jira",
        "streamlit.runtime",
    ],
)
def test_third_party_client_logs_are_redacted_whatever_handler_writes_them(name):
    """A client library's debug line with a bearer key, or a base URL's password, is written
    out redacted: the redaction does not depend on which logger or handler is involved."""
    key = "sk-proj-client-debug-0123456789"
    redaction.remember_url("http://alice:tp-pass-987654@models.internal/v1")
    options = {"headers": {"Authorization": f"Bearer {key}"}, "url": "alice:tp-pass-987654@"}
    out = _through_root_handler(name, lambda log: log.debug("Request options: %s", options))
    assert out.startswith(f"{name} DEBUG Request options:") and "[key hidden]" in out
    assert key not in out and "tp-pass-987654" not in out


def test_a_traceback_on_a_client_logger_is_written_redacted_not_dropped():
    key = "sk-traceback-key-0123456789"

    def log(logger) -> None:
        try:
            raise ValueError(f"the server echoed {key}")
        except ValueError:
            logger.warning("request failed", exc_info=True)

    out = _through_root_handler("httpx", log)
    assert "Traceback (most recent call last)" in out and "in log" in out
    assert "ValueError: the server echoed [key hidden]" in out
    assert key not in out


def test_the_userinfo_of_any_url_in_text_is_hidden_even_if_never_remembered():
    text = (
        "GET http://carol:never-remembered-99@gw.internal/v1 failed; see https://docs.example/a@b"
    )
    assert redaction.redact(text) == (
        "GET http://***@gw.internal/v1 failed; see https://docs.example/a@b"
    )
