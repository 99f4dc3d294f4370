"""The draft database: drafts, their versions, owners and shares, and model usage per person.

SQLite by default, PostgreSQL for a team; the schema is kept current by Alembic migrations
(:mod:`prd_assistant.store.migrate`). Every failure surfaces as :class:`StoreError`.

The names below load on first use (PEP 562): SQLAlchemy is a good part of the app's first
paint, and the page needs the database only after its form is drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from prd_assistant.store.principals import LOCAL_USER, WORKSPACE

if TYPE_CHECKING:
    from prd_assistant.store.drafts import (
        Access,
        DraftStore,
        DraftSummary,
        SectionRevision,
        Share,
        VersionSummary,
        display_title,
    )
    from prd_assistant.store.engine import EngineSettings, default_url, sqlite_url
    from prd_assistant.store.errors import (
        ENV_PATH,
        ENV_URL,
        AccessError,
        ConflictError,
        StoreError,
    )

# public name -> the submodule that defines it
_LAZY = {
    **dict.fromkeys(
        (
            "Access",
            "DraftStore",
            "DraftSummary",
            "SectionRevision",
            "Share",
            "VersionSummary",
            "display_title",
        ),
        "drafts",
    ),
    **dict.fromkeys(("EngineSettings", "default_url", "sqlite_url"), "engine"),
    **dict.fromkeys(
        ("ENV_PATH", "ENV_URL", "AccessError", "ConflictError", "StoreError"), "errors"
    ),
}

__all__ = [
    "ENV_PATH",
    "ENV_URL",
    "LOCAL_USER",
    "WORKSPACE",
    "Access",
    "AccessError",
    "ConflictError",
    "DraftStore",
    "DraftSummary",
    "EngineSettings",
    "SectionRevision",
    "Share",
    "StoreError",
    "VersionSummary",
    "default_url",
    "display_title",
    "sqlite_url",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
