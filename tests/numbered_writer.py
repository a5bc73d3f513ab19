"""A stand-in for the application that commits numbered rows, each marked with its time.

    python tests/numbered_writer.py --db PATH --rate 200 --duration S [--ready-file F]
                                    [--stats-json OUT]

Creates `replication_rows(id INTEGER PRIMARY KEY, committed_at REAL)` in a WAL
database if missing and commits one row per transaction at about `rate` a
second; `committed_at` is the Unix time just before the COMMIT. Meant to be
killed (SIGKILL) mid-run: the rows in the database are exactly those
committed. With --stats-json it writes {"commits", "max_commit_ms",
"p99_commit_ms"} when it ends by itself or on SIGTERM. The replication tests
and bench/scenarios/replication/rpo.py use it. With --copy-row TABLE it commits a copy
of TABLE's first row instead (every column but its `id` key): an application adding
realistic rows to the demo's fault_record, say (the incident tests); it then creates no
table of its own, so the database holds only the application's tables (`check --strict`
wants a suite for each).
"""

from __future__ import annotations

import argparse
import json
import signal
import sqlite3
import time
from pathlib import Path

TABLE = "replication_rows"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rate", type=float, default=200.0, help="commits per second")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--ready-file", type=Path, default=None)
    parser.add_argument("--stats-json", type=Path, default=None)
    parser.add_argument("--copy-row", default=None, help="a table with an `id` key")
    args = parser.parse_args()

    stop = False

    def on_term(_signum: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    connection = sqlite3.connect(args.db, timeout=30.0, isolation_level=None)
    connection.execute("PRAGMA busy_timeout = 30000")
    connection.execute("PRAGMA journal_mode = WAL")
    insert = f"INSERT INTO {TABLE} (committed_at) VALUES (?)"
    if args.copy_row is None:
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE}"
            " (id INTEGER PRIMARY KEY, committed_at REAL NOT NULL)"
        )
    else:
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({args.copy_row})")]
        kept = ", ".join(column for column in columns if column != "id")
        insert = (
            f"INSERT INTO {args.copy_row} ({kept}) SELECT {kept} FROM {args.copy_row} "
            f"WHERE id = (SELECT min(id) FROM {args.copy_row}) AND ? IS NOT NULL"
        )
    if args.ready_file is not None:
        args.ready_file.write_text("ready\n")
    period = 1.0 / args.rate
    durations: list[float] = []
    started = time.monotonic()
    next_commit = started
    while not stop and time.monotonic() - started < args.duration:
        began = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(insert, (time.time(),))
        connection.execute("COMMIT")
        durations.append((time.perf_counter() - began) * 1000)
        next_commit += period
        time.sleep(max(0.0, next_commit - time.monotonic()))
    connection.close()
    if args.stats_json is not None:
        ordered = sorted(durations) or [0.0]
        stats = {
            "commits": len(durations),
            "max_commit_ms": round(ordered[-1], 3),
            "p99_commit_ms": round(ordered[int(0.99 * (len(ordered) - 1))], 3),
        }
        args.stats_json.write_text(json.dumps(stats) + "\n")


if __name__ == "__main__":
    main()
