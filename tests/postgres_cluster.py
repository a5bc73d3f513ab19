"""A throwaway PostgreSQL cluster for tests and benchmarks, started and stopped by its user.

PostgreSQL refuses to run as root, and CI runs as root: the server binaries then run as the
`postgres` user (`runuser`), in a folder under /tmp that user can enter. The server listens
on 127.0.0.1 and a private socket folder, on a free port; local (socket) connections are
trusted, TCP connections need a password (so a wrong password can be tested).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

INSTALL_HINT = "install Debian's postgresql package (apt-get install postgresql)"


def server_binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts[-3])
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str | None:
    """Why a cluster cannot be started here, or None when it can."""
    if server_binaries() is None:
        return f"no PostgreSQL server binaries (initdb, pg_ctl): {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return (
                f"running as root and there is no postgres user to run the server: {INSTALL_HINT}"
            )
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresCluster:
    """initdb + pg_ctl in a private folder; `url()` gives a dbguard/SQLAlchemy URL."""

    def __init__(self) -> None:
        binaries = server_binaries()
        if binaries is None:
            raise RuntimeError(INSTALL_HINT)
        self.bin = binaries
        self.root = Path(tempfile.mkdtemp(prefix="dbguard-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return subprocess.run(
            [*prefix, *command],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    def start(self) -> PostgresCluster:
        self.root.chmod(0o755)
        for folder in (self.data, self.sockets):
            folder.mkdir(mode=0o700)
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            for path in (self.root, self.data, self.sockets):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            options,
            "start",
        )
        return self

    def stop(self) -> None:
        if self.data.exists():
            self._run(
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
                check=False,
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def running(self) -> bool:
        return (
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "status", check=False
            ).returncode
            == 0
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run `sql` as the superuser over the socket; its output."""
        result = self._run(
            str(self.bin / "psql"),
            "-h",
            str(self.sockets),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-Atqc",
            sql,
        )
        return result.stdout

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of `template`, which must have no session open); its URL."""
        copy = f' TEMPLATE "{template}"' if template else ""
        self.psql(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def fingerprint(self, database: str) -> dict[str, str]:
        """What a write would change: each table's insert/update/delete counters (once every
        other session of `database` has ended, so their statistics are in) and its rows' md5."""
        settle_until = time.monotonic() + 10
        others = f"SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '{database}'"
        while self.psql(others).strip() != "0" and time.monotonic() < settle_until:
            time.sleep(0.1)
        tables = self.psql(
            "SELECT relname FROM pg_stat_user_tables ORDER BY relname", database
        ).split()
        found = {
            "tables": ",".join(tables),
            "counters": self.psql(
                "SELECT string_agg(concat_ws(':', relname, n_tup_ins, n_tup_upd, n_tup_del), ' '"
                " ORDER BY relname) FROM pg_stat_user_tables",
                database,
            ).strip(),
        }
        for table in tables:
            found[table] = self.psql(
                f"SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM \"{table}\" t",
                database,
            ).strip()
        return found

    def url(self, database: str, user: str = "postgres") -> str:
        """A socket URL (trusted, no password): what dbguard and GX accept."""
        return (
            f"postgresql+psycopg://{user}@localhost/{database}?host={self.sockets}&port={self.port}"
        )

    def tcp_url(self, database: str, user: str, password: str | None = None) -> str:
        secret = f":{password}" if password is not None else ""
        return f"postgresql+psycopg://{user}{secret}@127.0.0.1:{self.port}/{database}"


def database_name(url: str) -> str:
    """The database a URL names."""
    from urllib.parse import urlsplit

    return urlsplit(url).path.strip("/")
