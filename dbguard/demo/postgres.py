"""`dbguard demo --postgres URL`: the demo's schema and data, loaded into an empty PostgreSQL
database — the same rows as the SQLite demo, so the same suite files check both.

This is the one place dbguard writes to PostgreSQL, and only into a database (schema) that
has no tables yet: it never replaces anything.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from dbguard.config import DatabaseConfig
from dbguard.config.database_url import libpq_conninfo
from dbguard.database import quote_identifier
from dbguard.demo.database import SCHEMA, build_demo_database
from dbguard.errors import DatabaseError
from dbguard.postgres.connection import classify
from dbguard.postgres.readings import user_tables
from dbguard.redact import mask_secrets

if TYPE_CHECKING:
    import psycopg

# Tables in the order their foreign keys allow.
LOAD_ORDER = ("huijugugan", "pue_data", "pue_drill_data", "pue_comment", "fault_record")


def postgres_schema() -> str:
    """The SQLite demo DDL for PostgreSQL: REAL is 4 bytes there, so DOUBLE PRECISION keeps
    PUE = total / IT energy exact to the same digits."""
    return re.sub(r"\bREAL\b", "DOUBLE PRECISION", SCHEMA)


def load_demo(database: DatabaseConfig, *, source: Path | None = None) -> dict[str, int]:
    """Create the demo tables in `database.schema` and copy the demo rows; the counts.

    `source`: a demo-shaped SQLite file to copy instead (benchmarks load bigger ones).
    """
    import psycopg

    try:
        connection = psycopg.connect(libpq_conninfo(database.url), connect_timeout=10)
    except psycopg.Error as error:
        raise classify(error, database) from None
    try:
        with connection, tempfile.TemporaryDirectory(prefix="dbguard-demo-") as folder:
            counts = _load(connection, database, source or Path(folder) / "demo.sqlite3")
    except psycopg.Error as error:
        raise DatabaseError(
            f"cannot load the demo into {database.key}: {mask_secrets(' '.join(str(error).split()))}",
            f"give an empty database whose schema {database.schema} the URL's user may create "
            "tables in",
        ) from None
    return counts


def _load(connection: psycopg.Connection, database: DatabaseConfig, source: Path) -> dict[str, int]:
    connection.execute(f"SET search_path TO {quote_identifier(database.schema)}")
    existing = user_tables(connection, database.schema, ignore=())
    if existing:
        raise DatabaseError(
            f"{database.key} already has tables ({', '.join(existing[:5])}) in schema "
            f"{database.schema}",
            "give `dbguard demo --postgres` an empty database; it never replaces tables",
        )
    if not source.exists():
        build_demo_database(source)
    connection.execute(postgres_schema())
    counts = dict.fromkeys(LOAD_ORDER, 0)
    with closing(sqlite3.connect(source)) as demo:
        for table in LOAD_ORDER:
            rows = demo.execute(f"SELECT * FROM {quote_identifier(table)} ORDER BY rowid")
            with connection.cursor().copy(f"COPY {quote_identifier(table)} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    counts[table] += 1
    connection.execute("ANALYZE")
    connection.commit()
    return counts
