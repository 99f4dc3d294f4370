"""The draft database: drafts, their versions, owners and shares, and model usage per person.

SQLite by default, PostgreSQL for a team; the schema is kept current by Alembic migrations
(:mod:`prd_assistant.store.migrate`). Every failure surfaces as :class:`StoreError`.
"""

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
from prd_assistant.store.schema import LOCAL_USER, WORKSPACE

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
