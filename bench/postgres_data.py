"""A throwaway PostgreSQL cluster for the benchmarks, and the demo-shaped databases in it.

One cluster serves every PostgreSQL benchmark of a run (tests/postgres_cluster.py: initdb +
pg_ctl on a free port and a private socket folder, fsync off, as the `postgres` user when
run as root); `stop()` ends it (bench/__main__.py calls it whatever happens). A database of
N rows is the SQLite file bench.datasets.demo_shaped builds, copied in with COPY, loaded
once per run and shared by the benchmarks that use that size.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import datasets
from bench.context import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests"))  # the throwaway cluster the tests use

log = logging.getLogger(__name__)
_cluster: Any = None
_loaded: dict[int, Database] = {}


@dataclass(frozen=True)
class Database:
    url: str  # a dbguard URL (postgresql+psycopg://postgres@localhost/NAME?host=SOCKETS&port=P)
    name: str
    rows: int  # of pue_drill_data
    load_seconds: float
    sockets: Path
    port: int


def unavailable() -> str:
    """Why no cluster can run here ("" when one can)."""
    try:
        import psycopg  # noqa: F401
        from postgres_cluster import unavailable_reason
    except ImportError as error:
        return f"cannot import what the cluster needs: {error}"
    return unavailable_reason() or ""


def database(data_dir: Path, rows: int) -> Database:
    """The demo-shaped database with `rows` rows of pue_drill_data, loaded on first use."""
    global _cluster
    if rows in _loaded:
        return _loaded[rows]
    from postgres_cluster import PostgresCluster

    if _cluster is None:
        _cluster = PostgresCluster().start()
    source = datasets.demo_shaped(data_dir, rows).path
    name = f"demo_{rows}"
    url = _cluster.create_database(name)
    started = time.perf_counter()
    _copy_demo(url, source)
    seconds = time.perf_counter() - started
    log.info("loaded %s into PostgreSQL in %.1f s", source.name, seconds)
    _loaded[rows] = Database(url, name, rows, seconds, _cluster.sockets, _cluster.port)
    return _loaded[rows]


def _copy_demo(url: str, source: Path) -> None:
    """The demo's tables (dbguard's PostgreSQL DDL) and every row of `source`, then ANALYZE.

    The sqlite3 CLI writes each table as CSV (every digit of a REAL kept: the sums match),
    streamed into COPY. The rows come from a database whose keys hold, so the foreign-key
    triggers are off while loading (session_replication_role): 10 M rows in about 25 s
    instead of 85 s here; the constraints stay declared.
    """
    import psycopg

    from dbguard.config.database_url import libpq_conninfo
    from dbguard.demo.postgres import LOAD_ORDER, postgres_schema

    with psycopg.connect(libpq_conninfo(url)) as connection:
        connection.execute(postgres_schema())
        connection.execute("SET session_replication_role = replica")
        for table in LOAD_ORDER:
            export = subprocess.Popen(
                ["sqlite3", "-csv", str(source), f'SELECT * FROM "{table}" ORDER BY rowid'],
                stdout=subprocess.PIPE,
            )
            assert export.stdout is not None
            with connection.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT csv)') as copy:
                while chunk := export.stdout.read(1 << 20):
                    copy.write(chunk)
            if export.wait() != 0:
                raise RuntimeError(f"sqlite3 could not export {table} from {source}")
        connection.execute("ANALYZE")


def stop() -> None:
    """Stop the cluster, if one was started; its folder goes with it."""
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None
        _loaded.clear()
