"""Who is using the app: one local user, an OIDC login, or a user named by a trusted proxy.

The mode comes from ``PRD_AUTH`` (environment or ``.streamlit/secrets.toml``):

- ``local`` (default): a single user, no login; every draft belongs to ``local``.
- ``oidc``: Streamlit's own login (``st.login``) against the OpenID Connect provider set in
  the ``[auth]`` section of ``.streamlit/secrets.toml``; the user is the ID token's e-mail
  (or its subject when there is no e-mail).
- ``proxy``: the app runs behind oauth2-proxy or a similar proxy that authenticates people and
  passes the user in a header, ``X-Forwarded-Email`` unless ``PRD_AUTH_HEADER`` names another.
  The header is read in this mode only: anywhere else anyone could send it.

This module holds the rules only; :mod:`prd_assistant.ui.auth` applies them to a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from prd_assistant.store import LOCAL_USER, WORKSPACE

ENV_MODE = "PRD_AUTH"
ENV_HEADER = "PRD_AUTH_HEADER"
DEFAULT_HEADER = "X-Forwarded-Email"
MODES = ("local", "oidc", "proxy")
Mode = Literal["local", "oidc", "proxy"]


class IdentityError(ValueError):
    """The identity settings are wrong; the message says what to change."""


@dataclass(frozen=True)
class AuthSettings:
    """How the app learns who the user is."""

    mode: Mode = "local"
    header: str = DEFAULT_HEADER

    @classmethod
    def from_values(cls, mode: str, header: str = "") -> AuthSettings:
        """Settings from the raw ``PRD_AUTH`` / ``PRD_AUTH_HEADER`` values ("" = default).

        Raises:
            IdentityError: If the mode is not one of :data:`MODES`.
        """
        chosen = (mode or "local").strip().lower()
        if chosen not in MODES:
            raise IdentityError(
                f"{ENV_MODE}={mode!r} is not a login mode; use one of {', '.join(MODES)}."
            )
        return cls(chosen, (header or DEFAULT_HEADER).strip())  # type: ignore[arg-type]


def clean_user(name: str | None) -> str | None:
    """A user name as stored (trimmed, e-mails lower-cased), or None if it is not usable."""
    value = (name or "").strip()
    if not value or len(value) > 200 or value == WORKSPACE or any(c.isspace() for c in value):
        return None
    return value.lower() if "@" in value else value


def user_from_headers(headers: Mapping[str, str], header: str) -> str | None:
    """The user the proxy named in ``header`` (matched case-insensitively), or None."""
    wanted = header.lower()
    for name, value in headers.items():
        if name.lower() == wanted:
            return clean_user(value)
    return None


def user_from_claims(claims: Mapping[str, Any]) -> str | None:
    """The user an OIDC ID token names: its e-mail, or its subject if it has no e-mail."""
    for key in ("email", "sub"):
        found = clean_user(str(claims.get(key) or ""))
        if found:
            return found
    return None


def local_user() -> str:
    """The single user of local mode."""
    return LOCAL_USER
