"""Opening the live database: 1 failure is a warning, N consecutive failures (across runs,
remembered in the run history) critical — the plan's 连续3次 rule."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from dbguard.database import connect_read_only
from dbguard.errors import DbguardError, NotSQLiteError
from dbguard.findings import Finding, Severity
from dbguard.history import History

CHECK_NAME = "connection"


@dataclass(frozen=True)
class ConnectionResult:
    finding: Finding
    milliseconds: float
    ok: bool


def check_connection(
    path: Path, history: History | None, failures_critical: int, timeout: float = 5.0
) -> ConnectionResult:
    """Open `path` read-only and run one query; classify a failure by the failures in a row."""
    started = time.perf_counter()
    error = ""
    # A busy or briefly missing file may recover by the next run; a file that is not a
    # database (or is malformed) will not: that is critical at once.
    damaged = False
    try:
        with closing(connect_read_only(Path(path), timeout=timeout)) as connection:
            connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as failure:
        error = str(failure)
    except sqlite3.DatabaseError as failure:
        error, damaged = str(failure), True
    except NotSQLiteError as failure:
        error, damaged = failure.message, True
    except DbguardError as failure:
        error = failure.message
    milliseconds = (time.perf_counter() - started) * 1000
    expected = "the live database opens read-only and answers a query"
    if not error:
        finding = Finding(
            CHECK_NAME,
            Severity.OK,
            expected,
            f"opened and queried in {milliseconds:.1f} ms",
            target="live",
        )
        return ConnectionResult(finding, milliseconds, True)
    in_a_row = (history.consecutive_failures(CHECK_NAME) if history is not None else 0) + 1
    severity = Severity.CRITICAL if damaged or in_a_row >= failures_critical else Severity.WARNING
    finding = Finding(
        CHECK_NAME,
        severity,
        f"{expected} (critical after {failures_critical} failures in a row)",
        f"failed: {error} ({in_a_row} failure(s) in a row)",
        remediation="check that the file exists, its permissions and free disk space; restart "
        "the application if it holds a lock (the plan: 自动重启/手动检查)",
        target="live",
    )
    return ConnectionResult(finding, milliseconds, False)
