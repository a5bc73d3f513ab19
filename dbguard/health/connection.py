"""Opening the live database once, read-only, and timing it. What a failure means (1 a
warning, N in a row critical) is decided in `dbguard.rules.connection`."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from dbguard.database import connect_read_only
from dbguard.errors import DbguardError, NotSQLiteError
from dbguard.rules.connection import ConnectionAttempt


def attempt_connection(path: Path, timeout: float = 5.0) -> ConnectionAttempt:
    """Open `path` read-only and run one query; describe a failure, never raise it."""
    started = time.perf_counter()
    error = ""
    # A busy or briefly missing file may recover by the next run; a file that is not a
    # database (or is malformed) will not.
    damaged = missing = False
    try:
        with closing(connect_read_only(Path(path), timeout=timeout)) as connection:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as failure:
        error = str(failure)
    except sqlite3.DatabaseError as failure:
        error, damaged = str(failure), True
    except NotSQLiteError as failure:
        error, damaged = failure.message, True
    except DbguardError as failure:  # missing, not a file, or unreadable
        error, missing = failure.message, True
    return ConnectionAttempt((time.perf_counter() - started) * 1000, error, damaged, missing)
