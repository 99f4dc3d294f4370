"""A throwaway PostgreSQL server on 127.0.0.1 for tests, from Debian's ``postgresql`` binaries.

PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user that
the Debian package creates. Durability is off (``fsync=off``): the data dies with the test run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from tests.support.ports import free_port


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed here; the message says how to get it."""


def _bin_dir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
            "scripts/test.sh installs Debian's postgresql when run as root"
        )
    return Path(found[-1]).parent


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder, listening on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.run_as: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root and there is no 'postgres' user"
                ) from None
            self.run_as = "postgres"
        self.root = Path(tempfile.mkdtemp(prefix="prd-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.port = free_port()

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        # The postgres user may not be allowed into the checkout; run from its own folder.
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {done.stderr.strip()}\n{tail}")

    def start(self) -> PostgresServer:
        self.data.mkdir()
        if self.run_as:
            shutil.chown(self.root, self.run_as)
            shutil.chown(self.data, self.run_as)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its SQLAlchemy URL.

        Each is a schema of one shared database (creating a real database takes a second or
        more on a busy machine); the URL puts it first on the search path.
        """
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return f"{self.url()}?options=-csearch_path%3D{name}"
