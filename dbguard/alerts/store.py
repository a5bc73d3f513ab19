"""The alerts' own tables in the run history file: what each destination was last told
(`alert_state`) and every message sent or tried (`alert_sends`).

Destinations are stored as a hash of their URL (the state) or masked (the record): no
URL, token or password reaches the file. The tables are created here with
`CREATE TABLE IF NOT EXISTS`; the runs tables of dbguard.history are not touched.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dbguard.findings import Severity
from dbguard.rules.alerting import AlertState

BUSY_TIMEOUT_SECONDS = 15.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_state (
    source TEXT NOT NULL,          -- check / health / backup
    database TEXT NOT NULL,        -- masked
    destination TEXT NOT NULL,     -- sha256 of the URL, never the URL
    status TEXT NOT NULL,          -- what the destination was last told
    since TEXT,                    -- UTC, ISO 8601: when the open problem began
    notified_at TEXT,              -- UTC: when a message last reached it
    PRIMARY KEY (source, database, destination)
);
CREATE TABLE IF NOT EXISTS alert_sends (
    id INTEGER PRIMARY KEY,
    sent_at TEXT NOT NULL,         -- UTC, ISO 8601
    source TEXT NOT NULL,
    database TEXT NOT NULL,
    status TEXT NOT NULL,          -- the status the message speaks of
    kind TEXT NOT NULL,            -- problem / repeat / recovery / test
    destination TEXT NOT NULL,     -- the masked URL
    ok INTEGER NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    seconds REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS alert_sends_by_time ON alert_sends (sent_at);
"""


@dataclass(frozen=True)
class SentAlert:
    sent_at: datetime
    source: str
    database: str
    status: str
    kind: str
    destination: str  # masked
    ok: bool
    error: str = ""
    seconds: float = 0.0


def destination_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


class AlertStore:
    """The alert tables of one history file (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
            connection.executescript(SCHEMA)
            with connection:  # one transaction, committed on success
                yield connection

    def states(self, source: str, database: str) -> dict[str, AlertState]:
        """What each destination (by destination_key) was last told about `source`."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT destination, status, since, notified_at FROM alert_state"
                " WHERE source = ? AND database = ?",
                (source, database),
            ).fetchall()
        return {
            destination: AlertState(Severity(status), _moment(since), _moment(notified))
            for destination, status, since, notified in rows
        }

    def save(
        self,
        source: str,
        database: str,
        states: dict[str, AlertState],
        sent: list[SentAlert],
    ) -> None:
        """Keep the new states and record the messages, in one transaction."""
        with self._connect() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO alert_state"
                " (source, database, destination, status, since, notified_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        source,
                        database,
                        destination,
                        state.status.value,
                        _timestamp(state.since),
                        _timestamp(state.notified_at),
                    )
                    for destination, state in states.items()
                ],
            )
            connection.executemany(
                "INSERT INTO alert_sends (sent_at, source, database, status, kind, destination,"
                " ok, error, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        _timestamp(item.sent_at),
                        item.source,
                        item.database,
                        item.status,
                        item.kind,
                        item.destination,
                        int(item.ok),
                        item.error,
                        item.seconds,
                    )
                    for item in sent
                ],
            )

    def sent_between(self, start: datetime, end: datetime) -> list[SentAlert]:
        """Messages sent or tried in [start, end), oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT sent_at, source, database, status, kind, destination, ok, error, seconds"
                " FROM alert_sends WHERE sent_at >= ? AND sent_at < ? ORDER BY sent_at, id",
                (_timestamp(start), _timestamp(end)),
            ).fetchall()
        return [
            SentAlert(
                datetime.fromisoformat(row[0]),
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                bool(row[6]),
                row[7],
                row[8],
            )
            for row in rows
        ]
