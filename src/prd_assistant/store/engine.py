"""Where the draft database is and how to connect to it: URL, timeouts, pool.

Settings come from the environment, with defaults that suit one laptop and a team server
alike:

- ``PRD_DATABASE_URL``: any SQLAlchemy URL (``postgresql+psycopg://user:pw@host/db``);
  ``PRD_DB_PATH``: a SQLite file; neither: ``~/.local/share/prd-assistant/drafts.sqlite3``.
- ``PRD_DB_CONNECT_TIMEOUT`` (seconds, default 10): give up on a server that does not answer
  the connection (PostgreSQL ``connect_timeout``), and on waiting for a free pooled connection.
- ``PRD_DB_STATEMENT_TIMEOUT`` (seconds, default 30): PostgreSQL ``statement_timeout`` and
  ``lock_timeout``; for SQLite, how long a write waits for another writer's lock.
- ``PRD_DB_POOL_SIZE`` (default 10): pooled connections per app process; up to twice as many
  more open under bursts. Streamlit runs every browser session on its own thread, and a save
  holds a connection only for milliseconds, so 10 serves dozens of open tabs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from prd_assistant.store.errors import ENV_PATH, ENV_URL, StoreError, describe_url

ENV_CONNECT_TIMEOUT = "PRD_DB_CONNECT_TIMEOUT"
ENV_STATEMENT_TIMEOUT = "PRD_DB_STATEMENT_TIMEOUT"
ENV_POOL_SIZE = "PRD_DB_POOL_SIZE"


@dataclass(frozen=True)
class EngineSettings:
    """Timeouts and pool size for one engine."""

    connect_timeout: float = 10.0
    statement_timeout: float = 30.0
    pool_size: int = 10

    @classmethod
    def from_env(cls) -> EngineSettings:
        """Settings from ``PRD_DB_*`` variables; a bad value is a :class:`StoreError`."""
        return cls(
            connect_timeout=_env_number(ENV_CONNECT_TIMEOUT, cls.connect_timeout),
            statement_timeout=_env_number(ENV_STATEMENT_TIMEOUT, cls.statement_timeout),
            pool_size=int(_env_number(ENV_POOL_SIZE, cls.pool_size, integer=True)),
        )


def default_url() -> str:
    """The database URL from ``PRD_DATABASE_URL``, ``PRD_DB_PATH`` or the per-user default."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    if os.environ.get(ENV_PATH):
        return sqlite_url(Path(os.environ[ENV_PATH]))
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return sqlite_url(base / "prd-assistant" / "drafts.sqlite3")


def sqlite_url(path: Path) -> str:
    """SQLAlchemy URL for a SQLite file (its folder is created when the store opens)."""
    return f"sqlite:///{path.expanduser().resolve()}"


def open_engine(url: str, settings: EngineSettings | None = None) -> Engine:
    """An engine for ``url`` with the timeouts and pool of ``settings`` (default: from env).

    Raises:
        StoreError: If the URL is malformed, its driver is missing or its folder cannot be made.
    """
    settings = settings or EngineSettings.from_env()
    if url.startswith("sqlite"):
        return _sqlite_engine(url, settings)
    try:
        parsed = make_url(url)
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            connect_args = _postgres_args(parsed.query, settings)
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=settings.pool_size,
            max_overflow=2 * settings.pool_size,
            pool_timeout=settings.connect_timeout,
            # Servers and proxies drop idle connections; recycle before they usually do.
            pool_recycle=1800,
            connect_args=connect_args,
        )
    except (ArgumentError, SQLAlchemyError, ImportError, ValueError) as exc:
        hint = ""
        if isinstance(exc, ImportError):
            hint = " Install the driver: pip install 'prd-assistant[team]'."
        raise StoreError(
            f"Cannot use the database URL {describe_url(url)}: {exc}.{hint} Check {ENV_URL}."
        ) from None


def _postgres_args(query: Any, settings: EngineSettings) -> dict[str, Any]:
    """libpq options for the timeouts, keeping any the URL sets itself."""
    args: dict[str, Any] = {}
    if "connect_timeout" not in query:
        # libpq counts whole seconds and treats anything below 2 as 2.
        args["connect_timeout"] = max(2, round(settings.connect_timeout))
    options = query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    ms = int(settings.statement_timeout * 1000)
    for name in ("statement_timeout", "lock_timeout"):
        if name not in options:
            options = f"{options} -c {name}={ms}".strip()
    args["options"] = options
    # Notice a server that died mid-query instead of waiting on the socket for hours.
    args["keepalives"] = 1
    args["keepalives_idle"] = 30
    return args


def _sqlite_engine(url: str, settings: EngineSettings) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder for the draft database {path}: {exc.strerror}. "
                f"Set {ENV_PATH} to a writable file."
            ) from None
    pool: dict[str, Any] = {}
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        pool = {
            "pool_size": settings.pool_size,
            "max_overflow": 2 * settings.pool_size,
            "pool_timeout": settings.connect_timeout,
        }
    engine = create_engine(
        url,
        connect_args={"timeout": settings.statement_timeout, "check_same_thread": False},
        **pool,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # WAL lets one session read while another writes (several browser tabs).
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _env_number(name: str, default: float, *, integer: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        kind = "a whole number" if integer else "a number of seconds"
        raise StoreError(f"{name} must be {kind} above 0, not {raw!r}; fix or unset it.")
    return value
