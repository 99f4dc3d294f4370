"""Brings any draft database to the newest schema with Alembic, in place.

A database made before migrations existed (by ``create_all``) has no ``alembic_version``
table; it is stamped with the migration that matches its tables, then upgraded like any other.
Several app processes may start at once: on PostgreSQL an advisory lock serialises them; on
SQLite a loser re-checks and finds the work done.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

HEAD = "0004"
_SCRIPTS = Path(__file__).parent / "migrations"
# Arbitrary constant naming "PRD Assistant schema migration" among advisory locks.
_PG_LOCK_KEY = 7_360_311_011


def current_revision(conn: Connection) -> str | None:
    """The migration the database is at (None for an empty or pre-migration database).

    Read with plain SQL from Alembic's own table: a database already at :data:`HEAD` (every
    start but the first) then never imports Alembic, which is a good part of the app's
    first paint.
    """
    if not inspect(conn).has_table("alembic_version"):
        return None
    row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def upgrade(engine: Engine) -> None:
    """Upgrades the database behind ``engine`` to :data:`HEAD` (no-op if it is there).

    Raises:
        SQLAlchemyError: If the database cannot be read or changed.
    """
    try:
        _upgrade(engine)
    except SQLAlchemyError:
        # Another process may have migrated at the same moment; only a database that is
        # still behind is an error.
        with engine.connect() as conn:
            if current_revision(conn) != HEAD:
                raise


def _upgrade(engine: Engine) -> None:
    with engine.connect() as conn:
        if current_revision(conn) == HEAD:
            return
    from alembic import command
    from alembic.config import Config

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        current = current_revision(conn)
        if current == HEAD:
            return
        config = Config()
        config.set_main_option("script_location", str(_SCRIPTS))
        config.attributes["connection"] = conn
        if current is None:
            baseline = _pre_migration_baseline(conn)
            if baseline is not None:
                command.stamp(config, baseline)
        command.upgrade(config, "head")


def _pre_migration_baseline(conn: Connection) -> str | None:
    """The migration matching tables that ``create_all`` made before Alembic was used."""
    inspector = inspect(conn)
    if "drafts" not in inspector.get_table_names():
        return None
    columns = {column["name"] for column in inspector.get_columns("drafts")}
    return "0002" if "revision" in columns else "0001"
