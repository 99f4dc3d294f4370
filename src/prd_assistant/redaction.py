"""Secrets out of everything shown or saved: URLs without credentials, text without keys.

Credentials reach this process in two ways: the API key, and a base URL with userinfo
(``http://user:sk-...@host/v1``, which the HTTP client turns into a Basic ``Authorization``
header, so a server that echoes headers shows its base64 form). :func:`remember` records each
form of each secret once; :func:`redact` removes all of them, and anything shaped like an
OpenAI key, from text; :func:`redact_url` is how every URL is shown, and
:func:`redact_userinfo` how the URLs in a message are; :func:`error_text` is how an exception
is shown; and every log record made in this process, on any logger (ours, the openai and HTTP
clients', the tracker clients', Streamlit's), is redacted as it is made, before any handler
sees it (:func:`redact_every_record`, installed when this module is imported). No
openai, no Streamlit: the CLI, the app and the model layer all use it.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

HIDDEN = "[key hidden]"
# OpenAI-style secret keys ("sk-...", "sk-proj-...", restricted "rk-...").
_KEY_LIKE = re.compile(r"\b(?:sk|rk)-[A-Za-z0-9*_\-]{6,}")
# The userinfo of any URL in free text ("http://user:password@host"): hidden even when its
# secret was never remembered in this process (an error saved by an earlier one).
_URL_USERINFO = re.compile(r"(?<=://)[^\s/?#@]+@")
# The userinfo of an address typed without its scheme ("alice:password@host:8080/v1"): a name,
# a colon and a password before "@", starting a word. Not part of :func:`redact`, which also
# cleans drafted text, where "mailto:jane@example.com" must stay as written.
_BARE_USERINFO = re.compile(r"(?<![\w/.:@-])[^\s/?#@:]+:[^\s/?#@]+@")
# Query parameters that carry credentials in some gateways (?api-key=..., ?token=...).
_SECRET_PARAM = re.compile(r"key|token|secret|password|passwd|sig|auth", re.IGNORECASE)
# Placeholders and very short values would redact ordinary words.
_MIN_SECRET_LENGTH = 6
_SECRETS: set[str] = set()
_LOCK = threading.Lock()


def remember(secret: str | None) -> None:
    """Records a secret so :func:`redact` hides it from now on (short values are ignored)."""
    if secret and len(secret.strip()) >= _MIN_SECRET_LENGTH:
        with _LOCK:
            _SECRETS.add(secret.strip())


def remember_login(user: str | None, secret: str | None) -> None:
    """Records a token and, with a user name, the Basic-auth header value they make."""
    remember(secret)
    if user and secret:
        remember(base64.b64encode(f"{user}:{secret}".encode()).decode())


def remember_url(url: str | None) -> None:
    """Records the credentials in ``url`` (userinfo and credential-like query values)."""
    for secret in url_secrets(url):
        remember(secret)


def url_secrets(url: str | None) -> list[str]:
    """The secrets ``url`` carries, in every form they may be echoed back in.

    The password and ``user:password`` (raw and percent-decoded), their Basic-auth base64, and
    the values of credential-like query parameters.
    """
    if not url:
        return []
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return []
    found: list[str] = []
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        user, _, password = userinfo.partition(":")
        for raw in {userinfo, unquote(userinfo)}:
            found += [raw, base64.b64encode(raw.encode()).decode()]
        found += [p for p in {password, unquote(password)} if p]
        if not password:
            found += [user, unquote(user)]
    found += [value for name, value in parse_qsl(parts.query) if _SECRET_PARAM.search(name)]
    return [s for s in found if len(s) >= _MIN_SECRET_LENGTH]


def redact_url(url: str | None) -> str:
    """``url`` as it may be shown or saved: userinfo and credential query values replaced.

    ``http://user:sk-abc@host:8080/v1`` -> ``http://***@host:8080/v1``, and typed without its
    scheme, ``user:sk-abc@host:8080/v1`` -> ``***@host:8080/v1``. Text that does not parse as
    a URL is returned with its userinfo and any key-shaped part hidden.
    """
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return redact(redact_userinfo(url))
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs])
    # Without a scheme, urlsplit reads "user" as the scheme and the rest as a path.
    shown = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return redact(redact_userinfo(shown))


def redact_userinfo(text: str) -> str:
    """``text`` with the userinfo of every URL in it hidden, with or without a scheme.

    ``Connected to http://alice:pw@host`` -> ``Connected to http://***@host``, and
    ``alice:pw@host:8080`` -> ``***@host:8080``. A bare ``name@host`` (an e-mail address)
    has no password and is kept.
    """
    return _BARE_USERINFO.sub("***@", _URL_USERINFO.sub("***@", text))


def strip_credentials(url: str) -> str:
    """``url`` without userinfo, for saving: a stored URL must never hold the key."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    netloc = parts.netloc.rsplit("@", 1)[-1]
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    query = urlencode([(k, v) for k, v in pairs if not _SECRET_PARAM.search(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_host(url: str) -> str:
    """``host:port`` of ``url`` without credentials, for short labels."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return redact(parts.netloc.rsplit("@", 1)[-1] or url)


def redact(text: str) -> str:
    """``text`` with every remembered secret, anything key-shaped and the userinfo of any URL
    replaced by a marker."""
    with _LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return _URL_USERINFO.sub("***@", _KEY_LIKE.sub(HIDDEN, text))


def error_text(exc: BaseException, limit: int = 400) -> str:
    """An exception's first line as it may be shown or saved: redacted, never a trace.

    Unexpected errors carry whatever their raiser put in them (a URL with its password, a key
    echoed by a server), so this is how every front end words one for people and files.
    """
    message = str(exc).strip()
    text = message.splitlines()[0] if message else exc.__class__.__name__
    return redact(text)[:limit]


class RedactingFilter(logging.Filter):
    """Redacts a record's message, traceback and stack before any handler formats it.

    The traceback is formatted here and kept as ``exc_text`` (what ``logging.Formatter``
    prints), and ``exc_info`` is dropped, so no handler can format the raw exception again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the format: still log, still redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FILTER = RedactingFilter()
_FACTORY_LOCK = threading.Lock()


def redact_every_record() -> None:
    """Redacts every log record this process makes, on any logger, as it is made.

    A filter on a logger sees only the records logged on that very logger (not its
    children's: ``openai._base_client``, ``httpcore.http11``, ``github.Requester``), and a
    filter on a handler only that handler's records (``OPENAI_LOG=debug`` adds its own root
    handler, whenever openai is imported). The record factory is the one place every record
    passes through whoever logs it and whoever handles it, so the redaction sits there.
    Calling it again changes nothing.
    """
    with _FACTORY_LOCK:
        make = logging.getLogRecordFactory()
        if getattr(make, "redacting", False):
            return

        def redacted_record(*args: object, **kwargs: object) -> logging.LogRecord:
            record = make(*args, **kwargs)
            _FILTER.filter(record)
            return record

        redacted_record.redacting = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(redacted_record)


def get_logger(name: str) -> logging.Logger:
    """The logger of module ``name``, redacting every record logged on it.

    Every record is already redacted as it is made (:func:`redact_every_record`); the filter
    on the logger also covers records that bypass the factory (``logging.makeLogRecord``
    followed by ``logger.handle``), and keeps working if other code replaces the factory.
    """
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


# Whatever imports the package's model, tracker or page code imports this module first.
redact_every_record()
