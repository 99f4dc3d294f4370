"""The page's user: local mode, Streamlit's OIDC login, or a trusted proxy's header.

:func:`require_user` runs at the top of every page run. It stops the page with a login button
(OIDC) or an explanation (proxy without its header) until it knows who the user is, and keeps
the name in the session, where :func:`prd_assistant.ui.state.store` reads it.
"""

from __future__ import annotations

import streamlit as st

from prd_assistant import identity
from prd_assistant.ui import state


def settings() -> identity.AuthSettings:
    """The login mode from ``PRD_AUTH`` / ``PRD_AUTH_HEADER`` (environment or secrets)."""
    return identity.AuthSettings.from_values(
        state.env_or_secret(identity.ENV_MODE), state.env_or_secret(identity.ENV_HEADER)
    )


def require_user() -> str:
    """The current user's name; stops the page until there is one."""
    try:
        config = settings()
    except identity.IdentityError as exc:
        st.error(str(exc))
        st.stop()
    if config.mode == "local":
        user = identity.local_user()
    elif config.mode == "proxy":
        user = identity.user_from_headers(dict(st.context.headers), config.header)
        if user is None:
            st.error(
                f"This app expects to be reached through its login proxy, which sends the user "
                f"in the {config.header} header; no such header arrived. Open the app through "
                f"the proxy, or set {identity.ENV_HEADER} to the header it sends."
            )
            st.stop()
    else:
        user = _oidc_user()
    st.session_state["user"] = user
    return user


def _oidc_user() -> str:
    if not _auth_configured():
        st.error(
            f"{identity.ENV_MODE}=oidc needs an [auth] section (redirect_uri, cookie_secret, "
            "client_id, client_secret, server_metadata_url) in .streamlit/secrets.toml; see "
            "the README's deployment notes."
        )
        st.stop()
    if not st.user.get("is_logged_in", False):
        st.title("PRD Assistant")
        st.write("Log in to see your drafts and those shared with you.")
        st.button("Log in", key="login", on_click=st.login, type="primary")
        st.stop()
    user = identity.user_from_claims(st.user.to_dict())
    if user is None:
        st.error("Your login did not say who you are (no e-mail or subject); ask your admin.")
        st.button("Log out", key="logout_unknown", on_click=st.logout)
        st.stop()
    return user


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def render_account() -> None:
    """Who is logged in, with a logout button (nothing in local mode)."""
    mode = settings().mode
    if mode == "local":
        return
    st.caption(f"Signed in as **{st.session_state.get('user', '')}**")
    if mode == "oidc":
        st.button("Log out", key="logout", on_click=st.logout)
