"""Credentials in URLs and keys in text never reach what is shown or saved."""

import base64

from prd_assistant import redaction
from prd_assistant.llm import ModelSettings

URL = "http://alice:sk-url-secret-123456@models.internal:8080/v1"


def test_redact_url_hides_userinfo_and_credential_parameters():
    assert redaction.redact_url(URL) == "http://***@models.internal:8080/v1"
    shown = redaction.redact_url("https://gw.example/v1?api-key=abcdef123456&region=eu")
    assert "abcdef123456" not in shown and "region=eu" in shown
    assert redaction.redact_url("http://localhost:11434/v1") == "http://localhost:11434/v1"
    assert redaction.redact_url("") == ""


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
